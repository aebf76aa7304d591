//! Write and read costs of both store backends, side by side in one run:
//! SQLite (WAL, synchronous=FULL, a file under cargo's scratch folder) and
//! PostgreSQL (default durable commit) when `MOKED_TEST_POSTGRES_URL` is
//! set, as `scripts/with-postgres` does:
//!
//! ```sh
//! scripts/with-postgres cargo bench -p moked-store-postgres --bench store_writes
//! ```

use criterion::{Criterion, Throughput, criterion_main};
use moked_store::testsuite::{bench_event, bench_fixture, bench_message};
use moked_store::{OrgId, Store};
use moked_store_postgres::PostgresStore;
use moked_store_sqlite::SqliteStore;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Executor};
use std::path::PathBuf;
use std::str::FromStr;
use tokio::runtime::Runtime;

fn backends(c: &mut Criterion) {
    let runtime = Runtime::new().expect("tokio runtime");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("moked-store-bench");
    let _ = std::fs::remove_dir_all(&dir);
    let sqlite = runtime
        .block_on(SqliteStore::open_in_dir(&dir))
        .expect("open SQLite");
    bench_store(c, "sqlite", &runtime, sqlite);
    match std::env::var("MOKED_TEST_POSTGRES_URL") {
        Ok(url) => {
            let postgres = runtime.block_on(fresh_postgres(&url));
            bench_store(c, "postgres", &runtime, postgres);
        }
        Err(_) => eprintln!(
            "NOTICE: MOKED_TEST_POSTGRES_URL is not set: PostgreSQL not measured \
             (run under scripts/with-postgres)"
        ),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

async fn fresh_postgres(url: &str) -> PostgresStore {
    let server = PgConnectOptions::from_str(url).expect("a postgres:// URL");
    let mut admin = server.connect().await.expect("connect");
    admin
        .execute("DROP DATABASE IF EXISTS moked_bench")
        .await
        .expect("drop old bench database");
    admin
        .execute("CREATE DATABASE moked_bench")
        .await
        .expect("create bench database");
    let pool = PgPoolOptions::new()
        .max_connections(moked_store_postgres::DEFAULT_MAX_CONNECTIONS)
        .connect_with(server.database("moked_bench"))
        .await
        .expect("connect to bench database");
    PostgresStore::with_pool(pool).await.expect("migrate")
}

fn bench_store<S: Store + Clone + 'static>(
    c: &mut Criterion,
    name: &str,
    runtime: &Runtime,
    store: S,
) {
    let (org, interaction) = runtime.block_on(bench_fixture(&store));
    let mut group = c.benchmark_group(name);
    group.sample_size(30);
    let mut n = 0_u64;
    group.bench_function("append_event", |b| {
        b.iter(|| {
            n += 1;
            runtime
                .block_on(store.append_event(org, &bench_event(n)))
                .expect("append")
        })
    });
    let mut m = 0_u64;
    group.bench_function("insert_message", |b| {
        b.iter(|| {
            m += 1;
            runtime
                .block_on(store.insert_message(org, &bench_message(interaction, m)))
                .expect("insert")
        })
    });
    group.throughput(Throughput::Elements(BATCH));
    group.bench_function("append_events_batch_64", |b| {
        b.iter(|| {
            let batch: Vec<_> = (0..BATCH).map(|i| bench_event(n + i)).collect();
            n += BATCH;
            runtime
                .block_on(store.append_events(org, &batch))
                .expect("append batch")
        })
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("events_from_100", |b| {
        b.iter(|| {
            runtime
                .block_on(store.events_from(org, 1, 100))
                .expect("read")
        })
    });
    group.throughput(Throughput::Elements(CONCURRENT_WRITERS * EVENTS_PER_WRITER));
    let mut round = 0_u64;
    group.bench_function("8_writers_x_8_events", |b| {
        b.iter(|| {
            round += 1;
            runtime.block_on(concurrent_appends(&store, org, round))
        })
    });
    group.finish();
}

const BATCH: u64 = 64;
const CONCURRENT_WRITERS: u64 = 8;
const EVENTS_PER_WRITER: u64 = 8;

/// Eight tasks appending eight events each at once: what the server's
/// handlers do under load, where commits can be grouped.
async fn concurrent_appends<S: Store + Clone + 'static>(store: &S, org: OrgId, round: u64) {
    let writers: Vec<_> = (0..CONCURRENT_WRITERS)
        .map(|writer| {
            let store = store.clone();
            tokio::spawn(async move {
                for n in 0..EVENTS_PER_WRITER {
                    let event = bench_event(round * 1000 + writer * 10 + n);
                    store.append_event(org, &event).await.expect("append");
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.expect("writer");
    }
}

// criterion_group! generates a public function that cannot carry a doc comment.
#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::backends);
}
criterion_main!(group::benches);
