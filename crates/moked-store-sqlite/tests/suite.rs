//! The shared store suite on SQLite, both on a file in WAL mode (the
//! production setup, with its separate writer and reader connections) and
//! in memory.

use moked_store_sqlite::SqliteStore;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A data folder of its own for each test, under cargo's scratch folder.
fn fresh_dir() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "moked-store-sqlite-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    // A folder left by an earlier run with the same process id starts over.
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

mod on_file {
    use super::*;

    async fn fresh() -> Option<SqliteStore> {
        Some(
            SqliteStore::open_in_dir(&fresh_dir())
                .await
                .expect("open SQLite file"),
        )
    }

    moked_store::store_test_suite!(fresh());
}

mod in_memory {
    use super::*;

    async fn fresh() -> Option<SqliteStore> {
        Some(
            SqliteStore::open_in_memory()
                .await
                .expect("open SQLite in memory"),
        )
    }

    moked_store::store_test_suite!(fresh());
}

#[tokio::test]
async fn a_file_store_commits_durably() {
    let store = SqliteStore::open_in_dir(&fresh_dir()).await.unwrap();
    let (journal_mode, synchronous) = store.durability().await.unwrap();
    assert_eq!(journal_mode, "wal");
    assert_eq!(synchronous, 2, "synchronous=FULL");
}

#[tokio::test]
async fn reopening_keeps_data_and_schema() {
    use moked_store::{NewOrganization, Store};
    let dir = fresh_dir();
    let store = SqliteStore::open_in_dir(&dir).await.unwrap();
    let org = store
        .create_organization(&NewOrganization {
            slug: "reopen".into(),
            name: "מוקד".into(),
            time_zone: "Asia/Jerusalem".into(),
        })
        .await
        .unwrap();
    store.close().await;
    let reopened = SqliteStore::open_in_dir(&dir).await.unwrap();
    assert_eq!(reopened.organization_by_slug("reopen").await.unwrap(), org);
}

#[tokio::test]
async fn the_server_can_hold_any_backend_as_a_trait_object() {
    use moked_store::{NewOrganization, Store};
    use std::sync::Arc;
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open_in_memory().await.unwrap());
    let org = store
        .create_organization(&NewOrganization {
            slug: "dyn".into(),
            name: "מוקד".into(),
            time_zone: "Asia/Jerusalem".into(),
        })
        .await
        .unwrap();
    assert_eq!(store.organization(org.id).await.unwrap(), org);
}
