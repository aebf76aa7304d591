//! Single-queue scenarios against the exact formulas: the simulated figures'
//! 95% confidence intervals must cover Erlang C and Erlang A.

use moked_sim::{Scenario, SimulationReport, simulate};

/// 100 calls per 30 minutes, exponential handle time of mean 180 s, 14 agents, 20 s threshold.
fn m_m_14(patience: &str, replications: u32) -> String {
    format!(
        r#"
[simulation]
duration = "300h"
warmup = "2h"
replications = {replications}
seed = 2026
[[queue]]
name = "חיובים"
arrivals = {{ per_hour = 200 }}
handle_time = {{ exponential = "180s" }}
{patience}
sl_seconds = 20
skills = {{ billing = 1 }}
[[agent_group]]
name = "tier1"
count = 14
skills = {{ billing = 3 }}
"#
    )
}

fn run(text: &str) -> SimulationReport {
    let scenario: Scenario = text.parse().unwrap();
    simulate(&scenario, |_, _| {}).unwrap()
}

fn assert_covers(name: &str, estimate: moked_sim::Estimate, exact: f64, widest: f64) {
    assert!(
        estimate.covers(exact),
        "{name}: {} ± {} does not cover {exact}",
        estimate.mean,
        estimate.half_width
    );
    assert!(
        estimate.half_width < widest,
        "{name}: interval too wide to mean anything: ±{}",
        estimate.half_width
    );
}

#[test]
fn erlang_c_is_reproduced() {
    let report = run(&m_m_14("", 8));
    let queue = &report.queues[0];
    assert_covers("p_wait", queue.p_wait, 0.1741319, 0.01);
    assert_covers("service_level", queue.service_level, 0.888350, 0.01);
    assert_eq!(queue.abandoned.mean, 0.0);
    // Offered load 10 Erlangs on 14 agents: occupancy 10/14.
    assert_covers(
        "occupancy",
        report.agent_groups[0].occupancy,
        10.0 / 14.0,
        0.01,
    );
    // ASA = P(wait) × mean wait of the delayed = C / (N μ − λ) = 0.1741319 × 180 / 4.
    assert_covers(
        "mean_wait",
        queue.mean_wait_seconds,
        0.1741319 * 180.0 / 4.0,
        1.0,
    );
}

#[test]
fn erlang_a_is_reproduced() {
    let report = run(&m_m_14(r#"patience = { exponential = "300s" }"#, 8));
    let queue = &report.queues[0];
    assert_covers("p_wait", queue.p_wait, 0.145260, 0.01);
    assert_covers("p_abandon", queue.p_abandon, 0.013984, 0.003);
    assert_covers("service_level", queue.service_level, 0.916792, 0.01);
    let answered_share = queue.answered.mean / queue.offered.mean;
    assert!((answered_share + queue.p_abandon.mean - 1.0).abs() < 1e-3);
}

#[test]
fn the_same_seed_gives_the_same_report() {
    let text = m_m_14(r#"patience = { exponential = "300s" }"#, 2).replace("300h", "20h");
    assert_eq!(run(&text), run(&text));
    let other = run(&text.replace("seed = 2026", "seed = 7"));
    assert_ne!(
        run(&text).queues[0].offered.mean,
        other.queues[0].offered.mean
    );
}
