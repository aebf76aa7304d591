//! Prints the engine's throughput and per-call latency at scale:
//! `cargo run --release -p moked-routing --example scale [STEPS [AGENTS WAITING]]`.
//!
//! Rates are given per wall-clock second and per second of this process's
//! CPU time (from `/proc/self/stat`), which is the one-core figure when the
//! machine is shared with other work.
//!
//! For each center size it runs STEPS steps (one completion plus one arrival
//! each) untimed call by call to get calls and events per second, then STEPS
//! more timing every call for the 50th, 99th and 99.9th percentile latency.

#[path = "../benches/common/scenario.rs"]
mod scenario;

use scenario::Center;
use std::time::Instant;

const DEFAULT_STEPS: usize = 200_000;

fn main() {
    let steps = std::env::args()
        .nth(1)
        .and_then(|text| text.parse().ok())
        .unwrap_or(DEFAULT_STEPS);
    println!(
        "{:>6} {:>8} {:>8} {:>12} {:>13} {:>12} {:>13} {:>8} {:>8} {:>9}",
        "queues",
        "agents",
        "waiting",
        "calls/s",
        "events/s",
        "calls/cpu-s",
        "events/cpu-s",
        "p50 ns",
        "p99 ns",
        "p99.9 ns"
    );
    let args: Vec<u32> = std::env::args()
        .skip(2)
        .filter_map(|text| text.parse().ok())
        .collect();
    let sizes = match args[..] {
        [agents, waiting] => vec![(scenario::QUEUES, agents, waiting)],
        _ => vec![
            (scenario::QUEUES, 1_000, 100_000),
            (scenario::QUEUES, 10_000, 100_000),
            (scenario::QUEUES, 100_000, 100_000),
            (scenario::QUEUES, 10_000, 1_000),
            (scenario::QUEUES, 10_000, 10_000),
            // The simulator's single-queue model (M/M/14): the per-call cost
            // that bounds simulated customers per second.
            (1, 14, 5),
        ],
    };
    for (queues, agents, waiting) in sizes {
        measure(queues, agents, waiting, steps);
    }
}

fn measure(queues: u32, agents: u32, waiting: u32, steps: usize) {
    let mut center = Center::with_queues(queues, agents, waiting, 7);
    let events_before = center.recorder.events;
    let cpu_start = cpu_seconds();
    let start = Instant::now();
    for _ in 0..steps {
        center.tick();
        center.complete();
        center.arrive();
    }
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_start;
    let events = center.recorder.events - events_before;
    let mut latencies: Vec<u64> = Vec::with_capacity(2 * steps);
    for _ in 0..steps {
        center.tick();
        let t0 = Instant::now();
        center.complete();
        let t1 = Instant::now();
        center.arrive();
        let t2 = Instant::now();
        latencies.push((t1 - t0).as_nanos() as u64);
        latencies.push((t2 - t1).as_nanos() as u64);
    }
    assert_eq!(center.waiting(), center.waiting_in_engine());
    latencies.sort_unstable();
    let percentile = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    let calls = 2.0 * steps as f64;
    println!(
        "{:>6} {:>8} {:>8} {:>12.0} {:>13.0} {:>12.0} {:>13.0} {:>8} {:>8} {:>9}",
        queues,
        agents,
        center.waiting(),
        calls / elapsed,
        events as f64 / elapsed,
        calls / cpu,
        events as f64 / cpu,
        percentile(0.50),
        percentile(0.99),
        percentile(0.999),
    );
}

/// User plus system CPU time of this process so far, in seconds.
fn cpu_seconds() -> f64 {
    const TICKS_PER_SECOND: f64 = 100.0;
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: f64 = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|field| field.parse::<f64>().ok())
        .sum();
    ticks / TICKS_PER_SECOND
}
