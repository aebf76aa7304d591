//! Solves pyworkforce's `MinRequiredResources` example (the data file under
//! `tests/data/`) and prints the cost and the solve time, for
//! `bench/schedule_vs_pyworkforce`.
//!
//! `cargo run --release -p moked-schedule --example pyworkforce_example -- FILE.toml [REPEATS]`

use moked_schedule::{CoverColumn, SelectionProblem, select_shifts};
use serde::Deserialize;
use std::time::Instant;

#[derive(Deserialize)]
struct Example {
    num_days: usize,
    periods: usize,
    max_period_concurrency: u32,
    max_shift_concurrency: u32,
    required_resources: Vec<Vec<u32>>,
    shift: Vec<ExampleShift>,
}

#[derive(Deserialize)]
struct ExampleShift {
    name: String,
    cost: f64,
    coverage: Vec<u8>,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .expect("usage: pyworkforce_example FILE.toml [REPEATS]");
    let repeats: u32 = args
        .next()
        .and_then(|text| text.parse().ok())
        .unwrap_or(100);
    let text = std::fs::read_to_string(&path).expect("the example file is readable");
    let example: Example = toml::from_str(&text).expect("the example file is valid");
    let columns: Vec<CoverColumn> = (0..example.num_days)
        .flat_map(|day| {
            example.shift.iter().map(move |shift| CoverColumn {
                cost: shift.cost,
                covers: (0..example.periods)
                    .filter(|&period| shift.coverage[period] == 1)
                    .map(|period| day * example.periods + period)
                    .collect(),
                max_count: Some(example.max_shift_concurrency),
            })
        })
        .collect();
    let problem = SelectionProblem {
        requirement: example.required_resources.concat(),
        columns,
        max_per_interval: Some(example.max_period_concurrency),
        under_staffing_penalty: None,
        time_limit_seconds: None,
    };
    let started = Instant::now();
    let mut selection = select_shifts(&problem).expect("the example is feasible");
    for _ in 1..repeats {
        selection = select_shifts(&problem).expect("the example is feasible");
    }
    let seconds = started.elapsed().as_secs_f64() / f64::from(repeats);
    let counts: Vec<String> = selection
        .counts
        .chunks(example.shift.len())
        .enumerate()
        .flat_map(|(day, counts)| {
            example
                .shift
                .iter()
                .zip(counts)
                .map(move |(shift, count)| format!("day {day} {} {count}", shift.name))
        })
        .collect();
    println!(
        "moked cost {:.1} proven_optimal {} solve_seconds {seconds:.6}",
        selection.shift_cost, selection.proven_optimal
    );
    println!("moked resources: {}", counts.join(", "));
}
