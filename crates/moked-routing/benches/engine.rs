//! Criterion benchmarks of the routing engine at scale:
//! `cargo bench -p moked-routing --bench engine`.
//!
//! Each iteration is one step of the scenario in `common/scenario.rs`: a
//! completion (the freed agent picks the best waiting contact across its
//! queues) and an arrival, i.e. two routing decisions, at a steady pool of
//! waiting contacts. The figures show how the cost grows with agents (at
//! 100,000 waiting) and with waiting contacts (at 10,000 agents).

// criterion_group! generates a public function that cannot carry a doc comment.
#![allow(missing_docs)]

#[path = "common/scenario.rs"]
mod scenario;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use scenario::Center;
use std::hint::black_box;
use std::time::Duration;

fn steady_state(c: &mut Criterion) {
    let mut group = c.benchmark_group("complete_and_arrive");
    group
        .throughput(Throughput::Elements(2))
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    let sizes = [
        (1_000, 100_000),
        (10_000, 100_000),
        (100_000, 100_000),
        (10_000, 1_000),
        (10_000, 10_000),
    ];
    for (agents, waiting) in sizes {
        let mut center = Center::with_queues(scenario::QUEUES, agents, waiting, 7);
        assert_eq!(center.waiting(), center.waiting_in_engine());
        group.bench_function(
            BenchmarkId::from_parameter(format!("agents={agents},waiting={waiting}")),
            |b| {
                b.iter(|| {
                    center.tick();
                    center.complete();
                    center.arrive();
                    black_box(center.recorder.events)
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, steady_state);
criterion_main!(benches);
