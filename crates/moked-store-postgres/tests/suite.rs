//! The shared store suite on PostgreSQL, each test in a database of its
//! own created on the server named by `MOKED_TEST_POSTGRES_URL` (which
//! `scripts/with-postgres` sets). Without it the tests say so and pass
//! without checking anything.

use moked_store_postgres::PostgresStore;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Executor};
use std::io::Write;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

const URL_VARIABLE: &str = "MOKED_TEST_POSTGRES_URL";

async fn fresh() -> Option<PostgresStore> {
    let Ok(url) = std::env::var(URL_VARIABLE) else {
        announce_skip();
        return None;
    };
    let server = PgConnectOptions::from_str(&url).expect("a postgres:// URL");
    let name = fresh_database_name();
    let mut admin = server.connect().await.expect("connect to PostgreSQL");
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create a test database");
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .connect_with(server.database(&name))
        .await
        .expect("connect to the test database");
    Some(PostgresStore::with_pool(pool).await.expect("migrate"))
}

fn fresh_database_name() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970");
    format!(
        "moked_test_{}_{}_{}",
        std::process::id(),
        since_epoch.as_micros(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Tells the person running the tests, once, that nothing was checked;
/// written to the real stderr because the test harness hides `eprintln!`
/// of passing tests.
fn announce_skip() {
    static ANNOUNCED: AtomicBool = AtomicBool::new(false);
    if !ANNOUNCED.swap(true, Ordering::Relaxed) {
        let _ = writeln!(
            std::io::stderr(),
            "NOTICE: {URL_VARIABLE} is not set: the PostgreSQL store suite is SKIPPED. \
             Run it with `scripts/with-postgres cargo test -p moked-store-postgres`."
        );
    }
}

moked_store::store_test_suite!(fresh());
