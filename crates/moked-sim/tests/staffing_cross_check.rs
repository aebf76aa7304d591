//! The simulator against `moked-staffing`'s exact Erlang C and Erlang A on
//! loads other than the issue's: each figure's 95% interval must cover the formula.

use moked_sim::{Estimate, Scenario, simulate};
use moked_staffing::{Load, Model, evaluate};

struct Case {
    agents: u32,
    per_hour: f64,
    handle_seconds: f64,
    patience_seconds: Option<f64>,
    sl_seconds: f64,
}

fn scenario_text(case: &Case) -> String {
    let patience = case
        .patience_seconds
        .map(|mean| format!("patience = {{ exponential = \"{mean}s\" }}"))
        .unwrap_or_default();
    format!(
        r#"
[simulation]
duration = "150h"
warmup = "1h"
replications = 8
seed = 99
[[queue]]
name = "תמיכה"
arrivals = {{ per_hour = {per_hour} }}
handle_time = {{ exponential = "{handle}s" }}
{patience}
sl_seconds = {sl}
[[agent_group]]
name = "צוות"
count = {agents}
"#,
        per_hour = case.per_hour,
        handle = case.handle_seconds,
        sl = case.sl_seconds,
        agents = case.agents,
    )
}

fn assert_covers(name: &str, estimate: Estimate, exact: f64) {
    assert!(
        estimate.covers(exact),
        "{name}: simulated {} ± {}, formula {exact}",
        estimate.mean,
        estimate.half_width
    );
    assert!(
        estimate.half_width < 0.02,
        "{name}: ±{} is too wide to test anything",
        estimate.half_width
    );
}

fn cross_check(case: Case) {
    let model = match case.patience_seconds {
        Some(patience_seconds) => Model::ErlangA { patience_seconds },
        None => Model::ErlangC,
    };
    let load = Load::new(case.per_hour, case.handle_seconds).unwrap();
    let staffing = moked_staffing::Scenario::new(model, load, case.sl_seconds).unwrap();
    let exact = evaluate(&staffing, case.agents).unwrap();
    let scenario: Scenario = scenario_text(&case).parse().unwrap();
    let report = simulate(&scenario, |_, _| {}).unwrap();
    let queue = &report.queues[0];
    assert_covers("p_wait", queue.p_wait, exact.p_wait);
    assert_covers("service_level", queue.service_level, exact.service_level);
    assert_covers("p_abandon", queue.p_abandon, exact.p_abandon);
    assert_covers(
        "occupancy",
        report.agent_groups[0].occupancy,
        exact.occupancy,
    );
}

#[test]
fn erlang_c_with_30_agents() {
    cross_check(Case {
        agents: 30,
        per_hour: 360.0,
        handle_seconds: 240.0,
        patience_seconds: None,
        sl_seconds: 15.0,
    });
}

#[test]
fn erlang_a_with_impatient_callers_and_few_agents() {
    cross_check(Case {
        agents: 6,
        per_hour: 100.0,
        handle_seconds: 200.0,
        patience_seconds: Some(90.0),
        sl_seconds: 30.0,
    });
}
