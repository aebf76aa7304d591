//! Invariants of the models and of the staffing search, over random inputs.

use moked_staffing::{
    ErlangX, Load, Metrics, Model, Scenario, StaffingError, Targets, evaluate, required_agents,
    scheduled_agents, square_root_staffing,
};
use proptest::prelude::*;

fn scenario(model: Model, arrivals_per_hour: f64, aht: f64, sl: f64) -> Scenario {
    Scenario::new(model, Load::new(arrivals_per_hour, aht).expect("load"), sl).expect("scenario")
}

fn finite(metrics: &Metrics) -> bool {
    [
        metrics.service_level,
        metrics.p_wait,
        metrics.p_abandon,
        metrics.p_blocked,
        metrics.mean_wait_seconds,
        metrics.asa_seconds,
        metrics.occupancy,
    ]
    .iter()
    .all(|value| value.is_finite())
}

fn probabilities(metrics: &Metrics) -> bool {
    [
        metrics.service_level,
        metrics.p_wait,
        metrics.p_abandon,
        metrics.p_blocked,
        metrics.occupancy,
    ]
    .iter()
    .all(|value| (0.0..=1.0).contains(value))
}

fn model_strategy() -> impl Strategy<Value = Model> {
    prop_oneof![
        Just(Model::ErlangB),
        Just(Model::ErlangC),
        (10.0..2000.0f64).prop_map(|patience_seconds| Model::ErlangA { patience_seconds }),
        (10.0..2000.0f64, 0.0..0.5f64, 0.0..0.3f64).prop_map(
            |(patience_seconds, redial_probability, arrivals_cv)| {
                Model::ErlangX(ErlangX {
                    patience_seconds,
                    lines: None,
                    redial_probability,
                    arrivals_cv,
                })
            }
        ),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn more_agents_are_never_worse(
        model in model_strategy(),
        per_hour in 1.0..3000.0f64,
        aht in 20.0..900.0f64,
        sl in 0.0..120.0f64,
        extra in 0u32..40,
    ) {
        let scenario = scenario(model, per_hour, aht, sl);
        let offered = scenario.load().offered_erlangs();
        let first = (offered.floor() as u32 + 1).max(1);
        let mut previous: Option<Metrics> = None;
        for agents in first..first + extra + 2 {
            let metrics = evaluate(&scenario, agents).expect("stable above the load");
            prop_assert!(finite(&metrics) && probabilities(&metrics), "{metrics:?}");
            if let Some(before) = previous {
                prop_assert!(metrics.service_level >= before.service_level - 1e-12);
                prop_assert!(metrics.p_wait <= before.p_wait + 1e-12);
                prop_assert!(metrics.p_abandon <= before.p_abandon + 1e-12);
                prop_assert!(metrics.p_blocked <= before.p_blocked + 1e-12);
                prop_assert!(metrics.occupancy <= before.occupancy + 1e-12);
                prop_assert!(metrics.mean_wait_seconds <= before.mean_wait_seconds * (1.0 + 1e-12) + 1e-12);
            }
            previous = Some(metrics);
        }
    }

    #[test]
    fn erlang_a_tends_to_erlang_c_as_patience_grows(
        per_hour in 1.0..2000.0f64,
        aht in 30.0..600.0f64,
        sl in 0.0..60.0f64,
        above in 1u32..20,
    ) {
        let offered = per_hour / 3600.0 * aht;
        let agents = offered.floor() as u32 + above;
        let c = evaluate(&scenario(Model::ErlangC, per_hour, aht, sl), agents).expect("stable");
        let a = evaluate(&scenario(Model::ErlangA { patience_seconds: aht * 1e9 }, per_hour, aht, sl), agents)
            .expect("valid");
        prop_assert!((a.p_wait - c.p_wait).abs() < 1e-6, "{a:?} {c:?}");
        prop_assert!((a.service_level - c.service_level).abs() < 1e-6, "{a:?} {c:?}");
        prop_assert!((a.asa_seconds - c.asa_seconds).abs() < 1e-5 * c.asa_seconds.max(1.0), "{a:?} {c:?}");
        prop_assert!(a.p_abandon < 1e-6);
    }

    #[test]
    fn erlang_a_below_the_load_stays_finite(per_hour in 100.0..100_000.0f64, share in 0.05..1.0f64, patience in 5.0..3000.0f64) {
        let aht = 180.0;
        let scenario = scenario(Model::ErlangA { patience_seconds: patience }, per_hour, aht, 20.0);
        let agents = ((scenario.load().offered_erlangs() * share) as u32).max(1);
        let metrics = evaluate(&scenario, agents).expect("Erlang A is stable at any load");
        prop_assert!(finite(&metrics) && probabilities(&metrics), "{metrics:?}");
        // Flow balance: answered work equals the agents' busy time.
        let answered = 1.0 - metrics.p_abandon;
        prop_assert!((metrics.occupancy * f64::from(agents) - answered * scenario.load().offered_erlangs()).abs()
            < 1e-9 * f64::from(agents));
    }

    #[test]
    fn lines_equal_to_agents_is_erlang_b(per_hour in 1.0..2000.0f64, agents in 1u32..60, patience in 10.0..900.0f64) {
        let aht = 200.0;
        let lines = Model::ErlangX(ErlangX { patience_seconds: patience, lines: Some(agents), redial_probability: 0.0, arrivals_cv: 0.0 });
        let x = evaluate(&scenario(lines, per_hour, aht, 20.0), agents).expect("valid");
        let b = evaluate(&scenario(Model::ErlangB, per_hour, aht, 20.0), agents).expect("valid");
        prop_assert!((x.p_blocked - b.p_blocked).abs() < 1e-12 && x.p_abandon.abs() < 1e-15);
        prop_assert!((x.service_level - b.service_level).abs() < 1e-12);
    }

    #[test]
    fn required_agents_is_the_least_that_meets_every_target(
        model in model_strategy(),
        per_hour in 1.0..5000.0f64,
        aht in 20.0..900.0f64,
        sl_seconds in 0.0..120.0f64,
        target in 0.3..0.95f64,
        max_abandon in prop::option::of(0.02..0.2f64),
        max_occupancy in prop::option::of(0.6..0.95f64),
        shrinkage in 0.0..0.5f64,
    ) {
        let scenario = scenario(model, per_hour, aht, sl_seconds);
        let targets = Targets::new(target, max_abandon, max_occupancy).expect("targets");
        let requirement = required_agents(&scenario, &targets, shrinkage).expect("reachable");
        let meets = |metrics: &Metrics| metrics.service_level >= target
            && max_abandon.is_none_or(|cap| metrics.p_abandon <= cap)
            && max_occupancy.is_none_or(|cap| metrics.occupancy <= cap);
        prop_assert!(meets(&requirement.metrics), "{requirement:?}");
        if requirement.agents > 1 {
            match evaluate(&scenario, requirement.agents - 1) {
                Ok(fewer) => prop_assert!(!meets(&fewer), "{fewer:?} also meets the targets"),
                Err(error) => prop_assert!(matches!(error, StaffingError::Unstable { .. }), "{error}"),
            }
        }
        prop_assert!(requirement.scheduled_agents >= requirement.agents);
        prop_assert!(f64::from(requirement.scheduled_agents) * (1.0 - shrinkage) >= f64::from(requirement.agents) - 1e-9);
    }

    #[test]
    fn redials_raise_the_load_and_forecast_doubt_raises_staffing(per_hour in 50.0..2000.0f64, probability in 0.05..0.9f64) {
        let base = ErlangX { patience_seconds: 120.0, lines: None, redial_probability: 0.0, arrivals_cv: 0.0 };
        let plain = scenario(Model::ErlangX(base), per_hour, 240.0, 20.0);
        let redials = scenario(Model::ErlangX(ErlangX { redial_probability: probability, ..base }), per_hour, 240.0, 20.0);
        let agents = (plain.load().offered_erlangs() as u32).max(1);
        let without = evaluate(&plain, agents).expect("valid");
        let with = evaluate(&redials, agents).expect("valid");
        prop_assert!(with.offered_erlangs > without.offered_erlangs);
        // At the fixed point, fresh + redialled = offered.
        let lost = with.p_abandon + with.p_blocked;
        prop_assert!((with.offered_erlangs * (1.0 - probability * lost) - plain.load().offered_erlangs()).abs()
            < 1e-9 * with.offered_erlangs);
        let targets = Targets::new(0.8, None, None).expect("targets");
        let sure = required_agents(&plain, &targets, 0.0).expect("reachable").agents;
        let doubtful = scenario(Model::ErlangX(ErlangX { arrivals_cv: 0.2, ..base }), per_hour, 240.0, 20.0);
        prop_assert!(required_agents(&doubtful, &targets, 0.0).expect("reachable").agents >= sure);
    }
}

#[test]
fn invalid_parameters_are_typed_errors() {
    assert!(matches!(
        Load::new(0.0, 180.0),
        Err(StaffingError::InvalidParameter { .. })
    ));
    assert!(matches!(
        Load::new(100.0, f64::NAN),
        Err(StaffingError::InvalidParameter { .. })
    ));
    let load = Load::new(200.0, 180.0).expect("load");
    assert!(
        Scenario::new(
            Model::ErlangA {
                patience_seconds: -1.0
            },
            load,
            20.0
        )
        .is_err()
    );
    assert!(Scenario::new(Model::ErlangC, load, -5.0).is_err());
    let c = Scenario::new(Model::ErlangC, load, 20.0).expect("scenario");
    assert!(matches!(
        evaluate(&c, 10),
        Err(StaffingError::Unstable { agents: 10, .. })
    ));
    assert!(matches!(
        evaluate(&c, 0),
        Err(StaffingError::InvalidParameter { name: "agents", .. })
    ));
    assert!(Targets::new(1.5, None, None).is_err());
    assert!(matches!(
        Load::new(1e12, 180.0),
        Err(StaffingError::InvalidParameter {
            name: "arrivals per hour",
            ..
        })
    ));
    assert!(matches!(
        evaluate(&c, u32::MAX),
        Err(StaffingError::InvalidParameter { name: "agents", .. })
    ));
    assert!(Targets::new(0.8, None, Some(0.0)).is_err());
    let lines = ErlangX {
        patience_seconds: 60.0,
        lines: Some(12),
        redial_probability: 0.0,
        arrivals_cv: 0.0,
    };
    let x = Scenario::new(Model::ErlangX(lines), load, 20.0).expect("scenario");
    assert!(matches!(
        evaluate(&x, 13),
        Err(StaffingError::AgentsExceedLines {
            agents: 13,
            lines: 12
        })
    ));
    let impossible = Targets::new(0.99, Some(0.0), None).expect("targets");
    let a = Scenario::new(
        Model::ErlangA {
            patience_seconds: 60.0,
        },
        load,
        20.0,
    )
    .expect("scenario");
    assert!(matches!(
        required_agents(&a, &impossible, 0.0),
        Err(StaffingError::TargetUnreachable { .. })
    ));
}

#[test]
fn scheduled_agents_after_shrinkage() {
    assert_eq!(scheduled_agents(14, 0.3), 20);
    assert_eq!(scheduled_agents(14, 0.0), 14);
    assert_eq!(scheduled_agents(13, 0.3), 19);
}

#[test]
fn square_root_staffing_is_close_to_exact_erlang_c() {
    // At 10,000 Erlangs and a 20% delay target the estimate is within a few agents.
    let estimate = square_root_staffing(10_000.0, 0.2);
    let c = scenario(Model::ErlangC, 10_000.0 * 3600.0 / 300.0, 300.0, 0.0);
    let exact = required_agents(&c, &Targets::new(0.8, None, None).expect("targets"), 0.0)
        .expect("reachable");
    assert!(
        estimate.abs_diff(exact.agents) <= 3,
        "{estimate} vs {}",
        exact.agents
    );
}

#[test]
fn staffing_100000_erlangs() {
    let c = scenario(Model::ErlangC, 100_000.0 * 3600.0 / 180.0, 180.0, 20.0);
    let requirement = required_agents(&c, &Targets::new(0.9, None, None).expect("targets"), 0.0)
        .expect("reachable");
    assert!(
        requirement.agents > 100_000 && requirement.agents < 100_400,
        "{requirement:?}"
    );
    let a = scenario(
        Model::ErlangA {
            patience_seconds: 300.0,
        },
        100_000.0 * 3600.0 / 180.0,
        180.0,
        20.0,
    );
    let requirement = required_agents(
        &a,
        &Targets::new(0.9, Some(0.01), None).expect("targets"),
        0.0,
    )
    .expect("reachable");
    assert!(requirement.metrics.service_level >= 0.9 && requirement.metrics.p_abandon <= 0.01);
}
