//! Staffing speed: a week of half-hour intervals for 20 queues, and single
//! staffing questions at 10,000 (Erlang C) and 1,000 (Erlang A) Erlangs.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use moked_staffing::{
    IntervalForecast, IntervalPolicy, Load, Model, Scenario, Targets, interval_requirements,
    required_agents,
};
use std::f64::consts::PI;
use std::hint::black_box;

const QUEUES: usize = 20;
const INTERVALS_PER_WEEK: usize = 7 * 48;

/// A week of half-hour forecasts per queue: a daily double hump scaled per
/// queue (5 to 600 contacts per half hour at the peak), quiet at night.
fn week_of_queues() -> Vec<Vec<IntervalForecast>> {
    (0..QUEUES)
        .map(|queue| {
            let peak = 5.0 + 600.0 * (queue as f64 / (QUEUES - 1) as f64).powi(2);
            let aht = 150.0 + 15.0 * queue as f64;
            (0..INTERVALS_PER_WEEK)
                .map(|index| {
                    let hour = (index % 48) as f64 / 2.0;
                    let shape = if (7.0..22.0).contains(&hour) {
                        0.55 + 0.45 * ((hour - 7.0) / 15.0 * 2.0 * PI).sin().abs()
                    } else {
                        0.05
                    };
                    IntervalForecast {
                        line: index + 1,
                        start: format!(
                            "day {} {:02}:{:02}",
                            index / 48,
                            (index % 48) / 2,
                            (index % 2) * 30
                        ),
                        arrivals: (peak * shape).round(),
                        aht_seconds: aht,
                    }
                })
                .collect()
        })
        .collect()
}

fn policy(model: Model) -> IntervalPolicy {
    IntervalPolicy {
        model,
        interval_seconds: 1800.0,
        sl_seconds: 20.0,
        targets: Targets::new(0.8, Some(0.05), Some(0.85)).expect("valid targets"),
        shrinkage: 0.3,
    }
}

fn week_for_20_queues(c: &mut Criterion) {
    let queues = week_of_queues();
    for (name, model) in [
        ("week_20_queues_erlang_c", Model::ErlangC),
        (
            "week_20_queues_erlang_a",
            Model::ErlangA {
                patience_seconds: 300.0,
            },
        ),
    ] {
        let policy = policy(model);
        c.bench_function(name, |b| {
            b.iter(|| {
                for queue in &queues {
                    black_box(interval_requirements(black_box(queue), &policy).expect("staffable"));
                }
            })
        });
    }
}

fn large_loads(c: &mut Criterion) {
    let targets = Targets::new(0.8, None, Some(0.95)).expect("valid targets");
    let erlang_c = Scenario::new(
        Model::ErlangC,
        Load::new(10_000.0 * 3600.0 / 180.0, 180.0).expect("load"),
        20.0,
    )
    .expect("scenario");
    c.bench_function("erlang_c_staffing_10000_erlangs", |b| {
        b.iter(|| required_agents(black_box(&erlang_c), &targets, 0.3).expect("reachable"))
    });
    let erlang_a = Scenario::new(
        Model::ErlangA {
            patience_seconds: 300.0,
        },
        Load::new(1_000.0 * 3600.0 / 180.0, 180.0).expect("load"),
        20.0,
    )
    .expect("scenario");
    c.bench_function("erlang_a_staffing_1000_erlangs", |b| {
        b.iter(|| required_agents(black_box(&erlang_a), &targets, 0.3).expect("reachable"))
    });
}

criterion_group!(benches, week_for_20_queues, large_loads);
criterion_main!(benches);
