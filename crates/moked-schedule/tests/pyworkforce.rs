//! Reaches pyworkforce's optimum on its own `MinRequiredResources` example.

use moked_schedule::{CoverColumn, SelectionProblem, coverage_of, select_shifts};
use serde::Deserialize;

#[derive(Deserialize)]
struct Example {
    num_days: usize,
    periods: usize,
    max_period_concurrency: u32,
    max_shift_concurrency: u32,
    expected_cost: f64,
    required_resources: Vec<Vec<u32>>,
    shift: Vec<ExampleShift>,
}

#[derive(Deserialize)]
struct ExampleShift {
    cost: f64,
    coverage: Vec<u8>,
}

fn example() -> Example {
    toml::from_str(include_str!("data/pyworkforce_min_required_resources.toml")).unwrap()
}

/// pyworkforce's model: every shift on every day, covering its periods of that same day.
fn problem(example: &Example) -> SelectionProblem {
    let columns = (0..example.num_days)
        .flat_map(|day| {
            example.shift.iter().map(move |shift| CoverColumn {
                cost: shift.cost,
                covers: (0..example.periods)
                    .filter(|&p| shift.coverage[p] == 1)
                    .map(|p| day * example.periods + p)
                    .collect(),
                max_count: Some(example.max_shift_concurrency),
            })
        })
        .collect();
    SelectionProblem {
        requirement: example.required_resources.concat(),
        columns,
        max_per_interval: Some(example.max_period_concurrency),
        under_staffing_penalty: None,
        time_limit_seconds: None,
    }
}

#[test]
fn reaches_pyworkforce_cost_163_1() {
    let example = example();
    let problem = problem(&example);
    let selection = select_shifts(&problem).unwrap();
    assert!(selection.proven_optimal);
    assert!((selection.shift_cost - example.expected_cost).abs() < 1e-9);
    let coverage = coverage_of(
        problem.requirement.len(),
        &problem.columns,
        &selection.counts,
    );
    for (interval, (&covered, &required)) in coverage.iter().zip(&problem.requirement).enumerate() {
        assert!(covered >= required, "interval {interval}");
        assert!(
            covered <= example.max_period_concurrency,
            "interval {interval}"
        );
    }
}

#[test]
fn matches_pyworkforce_infeasible_case() {
    // pyworkforce's test_infeasible_min_required_resources_schedule: at most 20 per shift.
    let example = example();
    let mut problem = problem(&example);
    for column in &mut problem.columns {
        column.max_count = Some(20);
    }
    assert!(select_shifts(&problem).is_err());
    // With a penalty the same catalog still gives its best partial coverage.
    problem.under_staffing_penalty = Some(100.0);
    let selection = select_shifts(&problem).unwrap();
    assert!(selection.under_staffed > 0);
    assert!(selection.proven_optimal);
}
