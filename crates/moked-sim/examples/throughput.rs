//! Simulated customers per second on one thread, for the M/M/14+M model of
//! the issue (200 calls an hour, 180 s mean handle time, 300 s mean patience,
//! 14 agents, 20 s threshold).
//!
//! `cargo run --release -p moked-sim --example throughput -- [HOURS] [REPLICATIONS]`
//! prints one JSON line: customers, seconds, customers_per_second, p_wait,
//! service_level, p_abandon and the three figures' 95% half-widths.

use moked_sim::{Scenario, simulate};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let hours: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(500);
    let replications: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    let text = format!(
        r#"
[simulation]
duration = "{hours}h"
warmup = "1h"
replications = {replications}
seed = 1
[[queue]]
name = "billing"
arrivals = {{ per_hour = 200 }}
handle_time = {{ exponential = "180s" }}
patience = {{ exponential = "300s" }}
sl_seconds = 20
[[agent_group]]
name = "tier1"
count = 14
"#
    );
    let scenario: Scenario = match text.parse() {
        Ok(scenario) => scenario,
        Err(error) => {
            eprintln!("throughput: {error}");
            std::process::exit(2);
        }
    };
    let started = Instant::now();
    let report = match simulate(&scenario, |_, _| {}) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("throughput: {error}");
            std::process::exit(1);
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    let queue = &report.queues[0];
    println!(
        r#"{{"customers": {}, "seconds": {seconds:.3}, "customers_per_second": {:.0}, "p_wait": {:.6}, "service_level": {:.6}, "p_abandon": {:.6}, "half_widths": [{:.6}, {:.6}, {:.6}]}}"#,
        report.customers,
        report.customers as f64 / seconds,
        queue.p_wait.mean,
        queue.service_level.mean,
        queue.p_abandon.mean,
        queue.p_wait.half_width,
        queue.service_level.half_width,
        queue.p_abandon.half_width,
    );
}
