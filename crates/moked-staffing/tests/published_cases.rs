//! The published cases of the issue (pyworkforce's own tests and examples).

use moked_staffing::{Load, Model, Scenario, Targets, evaluate, required_agents};

fn scenario(model: Model, arrivals_per_hour: f64, aht: f64, sl_seconds: f64) -> Scenario {
    Scenario::new(
        model,
        Load::new(arrivals_per_hour, aht).expect("valid load"),
        sl_seconds,
    )
    .expect("valid scenario")
}

fn assert_close(name: &str, actual: f64, expected: f64, tolerance: f64) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "{name}: {actual} vs {expected}"
    );
}

#[test]
fn erlang_c_100_calls_per_half_hour_14_agents() {
    let metrics = evaluate(&scenario(Model::ErlangC, 200.0, 180.0, 20.0), 14).expect("stable");
    assert_close("p_wait", metrics.p_wait, 0.1741319, 5e-8);
    assert_close("service_level", metrics.service_level, 0.888350, 5e-7);
    assert_close("asa", metrics.asa_seconds, 7.836, 5e-4);
    assert_close("occupancy", metrics.occupancy, 10.0 / 14.0, 1e-15);
}

#[test]
fn erlang_c_1000_calls_per_hour_40_agents() {
    let metrics = evaluate(&scenario(Model::ErlangC, 1000.0, 120.0, 20.0), 40).expect("stable");
    assert_close("p_wait", metrics.p_wait, 0.190737, 5e-7);
    assert_close("service_level", metrics.service_level, 0.937211, 5e-7);
}

#[test]
fn erlang_a_patience_300s_14_and_12_agents() {
    let model = Model::ErlangA {
        patience_seconds: 300.0,
    };
    let fourteen = evaluate(&scenario(model, 200.0, 180.0, 20.0), 14).expect("valid");
    assert_close("p_wait", fourteen.p_wait, 0.145260, 5e-7);
    assert_close("p_abandon", fourteen.p_abandon, 0.013984, 5e-7);
    assert_close("occupancy", fourteen.occupancy, 0.704297, 5e-7);
    assert_close("service_level", fourteen.service_level, 0.916792, 5e-7);
    // pyworkforce's "average_speed_of_answer" is the mean wait over all offered contacts.
    assert_close(
        "mean_wait",
        fourteen.mean_wait_seconds,
        0.069919 * 60.0,
        5e-5,
    );
    let twelve = evaluate(&scenario(model, 200.0, 180.0, 20.0), 12).expect("valid");
    assert_close("p_wait", twelve.p_wait, 0.331802, 5e-7);
    assert_close("p_abandon", twelve.p_abandon, 0.042711, 5e-7);
    assert_close("service_level", twelve.service_level, 0.772279, 5e-7);
}

#[test]
fn pyworkforce_docstring_example_with_shrinkage() {
    // ErlangC(transactions=100, asa=20/60, aht=3, interval=30, shrinkage=0.3)
    //   .required_positions(service_level=0.8, max_occupancy=0.85) → raw 14, positions 20.
    let targets = Targets::new(0.8, None, Some(0.85)).expect("valid targets");
    let requirement = required_agents(&scenario(Model::ErlangC, 200.0, 180.0, 20.0), &targets, 0.3)
        .expect("reachable");
    assert_eq!(requirement.agents, 14);
    assert_eq!(requirement.scheduled_agents, 20);
}
