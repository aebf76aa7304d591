//! A four-ary max-heap of small `Copy` entries.
//!
//! Shallower than a binary heap (log4 instead of log2 levels) with a node's
//! children side by side in memory, so a pop from a heap of thousands of
//! waiting contacts touches about half as many cache lines.

const ARITY: usize = 4;

/// A max-heap: [`QuadHeap::peek`] and [`QuadHeap::pop`] give the greatest entry.
#[derive(Debug, Clone)]
pub(crate) struct QuadHeap<T> {
    items: Vec<T>,
}

impl<T: Ord + Copy> QuadHeap<T> {
    pub fn new() -> Self {
        QuadHeap { items: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Entries in heap order: the greatest first, the rest in no useful order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    pub fn peek(&self) -> Option<&T> {
        self.items.first()
    }

    pub fn push(&mut self, item: T) {
        self.items.push(item);
        self.sift_up(self.items.len() - 1);
    }

    pub fn pop(&mut self) -> Option<T> {
        let last = self.items.pop()?;
        if self.items.is_empty() {
            return Some(last);
        }
        let top = std::mem::replace(&mut self.items[0], last);
        self.sift_down(0);
        Some(top)
    }

    /// Keeps only the entries `keep` accepts, then restores heap order.
    pub fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.items.retain(keep);
        for i in (0..self.items.len().div_ceil(ARITY)).rev() {
            self.sift_down(i);
        }
    }

    fn sift_up(&mut self, mut i: usize) {
        let item = self.items[i];
        while i > 0 {
            let parent = (i - 1) / ARITY;
            if self.items[parent] >= item {
                break;
            }
            self.items[i] = self.items[parent];
            i = parent;
        }
        self.items[i] = item;
    }

    fn sift_down(&mut self, mut i: usize) {
        let len = self.items.len();
        let item = self.items[i];
        loop {
            let first = ARITY * i + 1;
            if first >= len {
                break;
            }
            let mut best = first;
            for child in first + 1..(first + ARITY).min(len) {
                if self.items[child] > self.items[best] {
                    best = child;
                }
            }
            if self.items[best] <= item {
                break;
            }
            self.items[i] = self.items[best];
            i = best;
        }
        self.items[i] = item;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn pops_in_descending_order(values in proptest::collection::vec(any::<i32>(), 0..200), cut in any::<i32>()) {
            let mut heap = QuadHeap::new();
            for &v in &values {
                heap.push(v);
            }
            heap.retain(|&v| v != cut);
            let mut expected: Vec<i32> = values.into_iter().filter(|&v| v != cut).collect();
            expected.sort_unstable_by(|a, b| b.cmp(a));
            prop_assert_eq!(heap.len(), expected.len());
            let popped: Vec<i32> = std::iter::from_fn(|| heap.pop()).collect();
            prop_assert_eq!(popped, expected);
        }
    }
}
