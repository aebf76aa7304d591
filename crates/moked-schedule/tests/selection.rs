//! The exact selection's shortcuts (presolve, decomposition, zero-half cuts,
//! objective-step pruning) never change the optimum.

use moked_schedule::{CoverColumn, SelectionProblem, coverage_of, select_shifts};
use proptest::prelude::*;

const INTERVALS: usize = 40;

/// A shift covering two blocks separated by a break, like a shift with an unpaid break.
fn arbitrary_column() -> impl Strategy<Value = CoverColumn> {
    (0..INTERVALS, 1usize..8, 0usize..3, 0usize..8, 1u32..=6).prop_map(
        |(start, first, gap, second, half_units)| CoverColumn {
            cost: f64::from(half_units) * 0.5,
            covers: (start..start + first)
                .chain(start + first + gap..start + first + gap + second)
                .filter(|&i| i < INTERVALS)
                .collect(),
            max_count: None,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn shortcuts_keep_the_optimum(
        columns in proptest::collection::vec(arbitrary_column(), 8..24),
        requirement in proptest::collection::vec(0u32..5, INTERVALS),
    ) {
        // Intervals no column covers cannot be required.
        let coverable = coverage_of(INTERVALS, &columns, &vec![1; columns.len()]);
        let requirement: Vec<u32> = requirement
            .iter()
            .zip(&coverable)
            .map(|(&need, &reach)| if reach == 0 { 0 } else { need })
            .collect();
        let fast = SelectionProblem {
            requirement: requirement.clone(),
            columns: columns.clone(),
            max_per_interval: None,
            under_staffing_penalty: None,
            time_limit_seconds: None,
        };
        // A bound no optimum reaches switches every shortcut off: plain branch and bound.
        let plain = SelectionProblem {
            columns: columns
                .iter()
                .map(|column| CoverColumn { max_count: Some(1000), ..column.clone() })
                .collect(),
            ..fast.clone()
        };
        let fast_selection = select_shifts(&fast).unwrap();
        let plain_selection = select_shifts(&plain).unwrap();
        prop_assert!(fast_selection.proven_optimal && plain_selection.proven_optimal);
        prop_assert!((fast_selection.shift_cost - plain_selection.shift_cost).abs() < 1e-6);
        let coverage = coverage_of(INTERVALS, &columns, &fast_selection.counts);
        for (covered, need) in coverage.iter().zip(&requirement) {
            prop_assert!(covered >= need);
        }
    }
}
