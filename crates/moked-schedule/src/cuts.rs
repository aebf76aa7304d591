//! Zero-half cuts that tighten the covering LP before branch and bound.
//!
//! Adding half of an odd-sum set `S` of covering rows and rounding gives the
//! Chvátal–Gomory cut `Σ_c ⌈|cover(c) ∩ S| / 2⌉ x_c ≥ ⌈Σ_{i∈S} r_i / 2⌉`, valid
//! for every integer schedule. It cuts off the LP optimum `x*` when every row
//! of `S` is tight at `x*` and every shift used by `x*` meets `S` an even
//! number of times: then the left side at `x*` is `Σ r_i / 2`, half below the
//! right side. Such sets are found by Gaussian elimination over GF(2). Unpaid
//! breaks make shifts cover two separated blocks, which is where these cuts
//! bite.

use microlp::{ComparisonOp, LinearExpr, OptimizationDirection, Problem};

/// A cut over column positions: `Σ coefficient · x ≥ right_side`.
#[derive(Debug, Clone, PartialEq)]
pub struct Cut {
    /// `(column position, coefficient)` pairs.
    pub terms: Vec<(usize, f64)>,
    /// The right-hand side.
    pub right_side: f64,
}

/// Rounds of separation; each re-solves the LP with the cuts found so far.
const ROUNDS: usize = 30;
const TOLERANCE: f64 = 1e-6;

/// Cuts for `min cost·x, Σ_{c covers i} x_c ≥ required_i, x ≥ 0 integer`.
/// `covers[c]` lists the rows (0-based, into `required`) column `c` covers.
pub fn zero_half_cuts(costs: &[f64], covers: &[Vec<usize>], required: &[u32]) -> Vec<Cut> {
    let mut cuts: Vec<Cut> = Vec::new();
    for _ in 0..ROUNDS {
        let Some(solution) = solve_relaxation(costs, covers, required, &cuts) else {
            break;
        };
        let found = separate(covers, required, &solution);
        let fresh: Vec<Cut> = found
            .into_iter()
            .filter(|cut| !cuts.contains(cut))
            .collect();
        if fresh.is_empty() {
            break;
        }
        cuts.extend(fresh);
    }
    cuts
}

fn solve_relaxation(
    costs: &[f64],
    covers: &[Vec<usize>],
    required: &[u32],
    cuts: &[Cut],
) -> Option<Vec<f64>> {
    let mut model = Problem::new(OptimizationDirection::Minimize);
    let variables: Vec<_> = costs
        .iter()
        .map(|&cost| model.add_var(cost, (0.0, f64::INFINITY)))
        .collect();
    let mut rows: Vec<LinearExpr> = required.iter().map(|_| LinearExpr::empty()).collect();
    for (column, rows_covered) in covers.iter().enumerate() {
        for &row in rows_covered {
            rows[row].add(variables[column], 1.0);
        }
    }
    for (row, &need) in rows.into_iter().zip(required) {
        model.add_constraint(row, ComparisonOp::Ge, f64::from(need));
    }
    for cut in cuts {
        let mut expression = LinearExpr::empty();
        for &(column, coefficient) in &cut.terms {
            expression.add(variables[column], coefficient);
        }
        model.add_constraint(expression, ComparisonOp::Ge, cut.right_side);
    }
    let solution = model.solve().ok()?.into_solution().ok()?;
    Some(variables.iter().map(|&v| solution.var_value(v)).collect())
}

/// Cuts violated by `solution`, one per odd null-space vector found.
fn separate(covers: &[Vec<usize>], required: &[u32], solution: &[f64]) -> Vec<Cut> {
    let mut coverage = vec![0.0; required.len()];
    for (column, rows) in covers.iter().enumerate() {
        for &row in rows {
            coverage[row] += solution[column];
        }
    }
    let tight: Vec<usize> = (0..required.len())
        .filter(|&row| required[row] > 0 && coverage[row] - f64::from(required[row]) < TOLERANCE)
        .collect();
    let used: Vec<usize> = (0..covers.len())
        .filter(|&column| solution[column] > TOLERANCE)
        .collect();
    let position: std::collections::HashMap<usize, usize> =
        tight.iter().enumerate().map(|(p, &row)| (row, p)).collect();
    // Equations over GF(2): each used column meets S evenly.
    let equations: Vec<BitRow> = used
        .iter()
        .map(|&column| {
            let mut bits = BitRow::new(tight.len());
            for row in &covers[column] {
                if let Some(&p) = position.get(row) {
                    bits.flip(p);
                }
            }
            bits
        })
        .collect();
    null_space(equations, tight.len())
        .into_iter()
        .filter_map(|vector| {
            let set: Vec<usize> = (0..tight.len())
                .filter(|&p| vector.get(p))
                .map(|p| tight[p])
                .collect();
            let total: u64 = set.iter().map(|&row| u64::from(required[row])).sum();
            (total % 2 == 1).then(|| cut_from(covers, &set, total))
        })
        .collect()
}

fn cut_from(covers: &[Vec<usize>], set: &[usize], total: u64) -> Cut {
    let mut in_set = std::collections::HashSet::new();
    in_set.extend(set.iter().copied());
    let terms = covers
        .iter()
        .enumerate()
        .filter_map(|(column, rows)| {
            let meets = rows.iter().filter(|row| in_set.contains(row)).count();
            (meets > 0).then(|| (column, meets.div_ceil(2) as f64))
        })
        .collect();
    Cut {
        terms,
        right_side: total.div_ceil(2) as f64,
    }
}

#[derive(Clone)]
struct BitRow {
    words: Vec<u64>,
}

impl BitRow {
    fn new(bits: usize) -> BitRow {
        BitRow {
            words: vec![0; bits.div_ceil(64)],
        }
    }

    fn flip(&mut self, bit: usize) {
        self.words[bit / 64] ^= 1 << (bit % 64);
    }

    fn get(&self, bit: usize) -> bool {
        self.words[bit / 64] >> (bit % 64) & 1 == 1
    }

    fn xor(&mut self, other: &BitRow) {
        for (word, other) in self.words.iter_mut().zip(&other.words) {
            *word ^= other;
        }
    }
}

/// A basis of `{u : E u = 0}` over GF(2), for equations `E` on `unknowns` bits.
fn null_space(mut equations: Vec<BitRow>, unknowns: usize) -> Vec<BitRow> {
    let mut pivot_of_row: Vec<usize> = Vec::new();
    let mut rank = 0;
    for column in 0..unknowns {
        let Some(found) = (rank..equations.len()).find(|&r| equations[r].get(column)) else {
            continue;
        };
        equations.swap(rank, found);
        let pivot = equations[rank].clone();
        for (r, row) in equations.iter_mut().enumerate() {
            if r != rank && row.get(column) {
                row.xor(&pivot);
            }
        }
        pivot_of_row.push(column);
        rank += 1;
    }
    let pivots: std::collections::HashSet<usize> = pivot_of_row.iter().copied().collect();
    (0..unknowns)
        .filter(|column| !pivots.contains(column))
        .map(|free| {
            let mut vector = BitRow::new(unknowns);
            vector.flip(free);
            for (r, &pivot) in pivot_of_row.iter().enumerate() {
                if equations[r].get(free) {
                    vector.flip(pivot);
                }
            }
            vector
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_cycle_gets_its_cut() {
        // Three rows, three columns each covering two rows, need 1 each: the
        // LP takes 1/2 of every column (cost 1.5), integers need 2.
        let covers = vec![vec![0, 1], vec![1, 2], vec![0, 2]];
        let cuts = zero_half_cuts(&[1.0, 1.0, 1.0], &covers, &[1, 1, 1]);
        assert_eq!(
            cuts[0],
            Cut {
                terms: vec![(0, 1.0), (1, 1.0), (2, 1.0)],
                right_side: 2.0
            }
        );
    }
}
