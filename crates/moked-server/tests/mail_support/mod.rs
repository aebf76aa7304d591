//! What the email tests share besides `common`: a database that outlives
//! the servers started on it, so that a test can stop a server and start
//! another on the same data (a restart), and an organization's email queue
//! with its receiving address.

#![allow(dead_code)]

use crate::common::{Backend, fresh_postgres, postgres_url};
use moked_domain::{Channel, EmailAddress};
use moked_server::{ServerConfig, build_with_store};
use moked_store::{NewQueue, OrgId, QueueId, Store};
use moked_store_sqlite::SqliteStore;
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A fresh database: a SQLite file in a temporary folder, or a new
/// PostgreSQL database.
pub struct Database {
    /// The store every server of the test uses.
    pub store: Arc<dyn Store>,
    _dir: tempfile::TempDir,
}

/// Opens a fresh database on `backend`.
pub async fn database(backend: Backend) -> Database {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = match backend {
        Backend::Sqlite => Arc::new(SqliteStore::open_in_dir(dir.path()).await.unwrap()),
        Backend::Postgres => fresh_postgres(&postgres_url().unwrap()).await,
    };
    Database { store, _dir: dir }
}

/// A server running on a [`Database`] until [`Running::stop`].
pub struct Running {
    stop: oneshot::Sender<()>,
    task: JoinHandle<anyhow::Result<()>>,
    _data: tempfile::TempDir,
}

/// Starts the real server on 127.0.0.1:0 over the database; `tweak`
/// adjusts the configuration (the mail settings).
pub async fn serve(database: &Database, tweak: impl FnOnce(&mut ServerConfig)) -> Running {
    let data = tempfile::tempdir().unwrap();
    let mut config = ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: data.path().to_owned(),
        log: "warn".into(),
        ..ServerConfig::default()
    };
    tweak(&mut config);
    let server = build_with_store(config, database.store.clone())
        .await
        .unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server.serve_with_shutdown(async move {
        let _ = stopped.await;
    }));
    Running {
        stop,
        task,
        _data: data,
    }
}

impl Running {
    /// Shuts the server down and waits until its tasks (the mail ones
    /// among them) are gone.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap().unwrap();
    }
}

/// An email queue of the organization, fed by mail to `address`.
pub async fn email_address(store: &dyn Store, org: OrgId, address: &str) -> QueueId {
    let queue = store
        .create_queue(
            org,
            &NewQueue {
                name: "דואר — שירות לקוחות".into(),
                channel: Channel::Email,
                skill: None,
                service_level_seconds: 3600,
                auto_accept: false,
                business_hours: None,
                priority: 0,
                wrap_up_seconds: 0,
                offer_timeout_seconds: 0,
            },
        )
        .await
        .unwrap()
        .id;
    let address = EmailAddress::parse(address).unwrap();
    store
        .put_mail_address(org, &address, queue, "שירות אקמה")
        .await
        .unwrap();
    queue
}
