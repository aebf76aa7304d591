//! The event calendar: what happens next, in time order.
//!
//! Events at the same instant come out in the order they were scheduled,
//! so a replication is a pure function of its seed.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A time-ordered queue of pending events.
#[derive(Debug)]
pub struct Calendar<E> {
    heap: BinaryHeap<Entry<E>>,
    next_sequence: u64,
}

#[derive(Debug)]
struct Entry<E> {
    time: u64,
    sequence: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.sequence) == (other.time, other.sequence)
    }
}

impl<E> Eq for Entry<E> {}

impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<E> Ord for Entry<E> {
    /// Reversed, so the max-heap yields the earliest time, then the lowest sequence.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.sequence).cmp(&(self.time, self.sequence))
    }
}

impl<E> Default for Calendar<E> {
    fn default() -> Self {
        Calendar {
            heap: BinaryHeap::new(),
            next_sequence: 0,
        }
    }
}

impl<E> Calendar<E> {
    /// An empty calendar.
    pub fn new() -> Self {
        Self::default()
    }

    /// Schedules `event` at `time` (microseconds).
    pub fn schedule(&mut self, time: u64, event: E) {
        let sequence = self.next_sequence;
        self.next_sequence += 1;
        self.heap.push(Entry {
            time,
            sequence,
            event,
        });
    }

    /// Removes and returns the earliest event with its time.
    pub fn pop(&mut self) -> Option<(u64, E)> {
        self.heap.pop().map(|entry| (entry.time, entry.event))
    }

    /// The time of the earliest event.
    pub fn peek_time(&self) -> Option<u64> {
        self.heap.peek().map(|entry| entry.time)
    }

    /// The number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn pops_in_time_then_scheduling_order(times in proptest::collection::vec(0u64..20, 0..200)) {
            let mut calendar = Calendar::new();
            for (index, time) in times.iter().enumerate() {
                calendar.schedule(*time, index);
            }
            prop_assert_eq!(calendar.len(), times.len());
            let mut popped = Vec::new();
            while let Some(entry) = calendar.pop() {
                popped.push(entry);
            }
            let mut expected: Vec<(u64, usize)> =
                times.iter().copied().enumerate().map(|(index, time)| (time, index)).collect();
            expected.sort();
            prop_assert_eq!(popped, expected);
            prop_assert!(calendar.is_empty());
        }
    }
}
