//! A phone center for the tests: a SQLite store in a temporary folder, the
//! live center on the system clock, the real SIP server on 127.0.0.1 at a
//! free port, and sipp (Debian package `sip-tester`) playing the callers
//! and the agents' phones.

#![allow(dead_code)]

use moked_domain::{Channel, PhoneE164};
use moked_live::{AgentBoard, Live, LiveConfig, PresenceRequest, QueueBoard, SystemClock};
use moked_sip::{SipConfig, SipServer, ha1};
use moked_store::{
    AgentCapacity, Interaction, NewOrganization, NewQueue, NewSipAccount, NewUser, OrgId, QueueId,
    Role, Store, UserId,
};
use moked_store_sqlite::SqliteStore;
use std::net::{SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;
use tokio::process::Command;

/// A valid argon2id PHC string (the store only checks the form).
const HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$bW9rZWRzYWx0$1n3b0sSMU7sKsbWbX2oXzXkHk3Zz1xQ2dFJ0m9yXvGA";
pub const REALM: &str = "moked";
/// The caller's number as dialled in Israel, and its E.164 form.
pub const CALLER: &str = "0521234567";
pub const CALLER_NAME: &str = "משה לוי";
/// Longest a sipp run may take before the test fails.
const SIPP_DEADLINE: Duration = Duration::from_secs(60);

pub struct Center {
    pub dir: TempDir,
    pub store: Arc<dyn Store>,
    pub live: Live,
    pub server: SipServer,
    pub org: OrgId,
    pub billing: QueueId,
    /// דנה, SIP account 1001.
    pub dana: UserId,
    /// יוסי, SIP account 1002.
    pub yossi: UserId,
}

pub fn password(username: &str) -> String {
    format!("secret-{username}")
}

/// A voice queue חיובים at `sip:billing@…` whose offers ring 3 s, agents
/// דנה (1001) and יוסי (1002), both offline with no phone.
pub async fn center(max_calls: usize) -> Center {
    // RUST_LOG=moked_sip=debug shows the server's side when a scenario fails.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open_in_dir(dir.path()).await.unwrap());
    let org = store
        .create_organization(&NewOrganization {
            slug: "phones".into(),
            name: "מוקד טלפוני".into(),
            time_zone: "Asia/Jerusalem".into(),
        })
        .await
        .unwrap()
        .id;
    let billing = store
        .create_queue(
            org,
            &NewQueue {
                name: "חיובים".into(),
                channel: Channel::Voice,
                skill: None,
                service_level_seconds: 20,
                auto_accept: false,
                business_hours: None,
                priority: 0,
                wrap_up_seconds: 60,
                offer_timeout_seconds: 3,
            },
        )
        .await
        .unwrap()
        .id;
    store.put_sip_route(org, "billing", billing).await.unwrap();
    let dana = agent(store.as_ref(), org, "dana", "דנה כהן", "1001").await;
    let yossi = agent(store.as_ref(), org, "yossi", "יוסי לוי", "1002").await;
    let live = Live::start(store.clone(), Arc::new(SystemClock), LiveConfig::default())
        .await
        .unwrap();
    let config = SipConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        realm: REALM.into(),
        max_calls,
        requests_per_second: 1000,
        retry_after_seconds: 30,
    };
    let server = SipServer::start(config, store.clone(), live.clone())
        .await
        .unwrap();
    Center {
        dir,
        store,
        live,
        server,
        org,
        billing,
        dana,
        yossi,
    }
}

async fn agent(store: &dyn Store, org: OrgId, login: &str, name: &str, sip: &str) -> UserId {
    let user = store
        .create_user(
            org,
            &NewUser {
                login: login.into(),
                display_name: name.into(),
                role: Role::Agent,
                password_hash: HASH.into(),
                team: None,
                lang: "he".into(),
            },
        )
        .await
        .unwrap()
        .id;
    store
        .set_agent_capacity(
            org,
            user,
            AgentCapacity {
                channel: Channel::Chat,
                max_concurrent: 3,
            },
        )
        .await
        .unwrap();
    store
        .put_sip_account(
            org,
            NewSipAccount {
                user,
                username: sip.into(),
                realm: REALM.into(),
                ha1: ha1(sip, REALM, &password(sip)),
            },
        )
        .await
        .unwrap();
    user
}

/// A free UDP port on 127.0.0.1 for a sipp instance.
pub fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn scenario(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sipp")
        .join(name)
}

/// A sipp run's outcome.
pub struct Sipp(tokio::process::Child, &'static str);

impl Sipp {
    /// Waits for it to end and fails the test unless every call passed.
    pub async fn passes(self) {
        let Sipp(child, name) = self;
        let output = tokio::time::timeout(SIPP_DEADLINE, child.wait_with_output())
            .await
            .unwrap_or_else(|_| panic!("sipp {name} did not finish"))
            .unwrap();
        assert!(
            output.status.success(),
            "sipp {name} failed ({}):\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// Starts sipp with a scenario of `tests/sipp`, one call, bounded time.
pub fn sipp(name: &'static str, args: &[&str]) -> Sipp {
    sipp_on(name, free_port(), args)
}

/// Like [`sipp`], listening on `port`.
pub fn sipp_on(name: &'static str, port: u16, args: &[&str]) -> Sipp {
    let port = port.to_string();
    let media = free_port().to_string();
    let mut command = Command::new("sipp");
    command
        .arg("-sf")
        .arg(scenario(name))
        .args([
            "-i",
            "127.0.0.1",
            "-p",
            &port,
            "-mp",
            &media,
            "-m",
            "1",
            "-nostdin",
        ])
        .args(["-timeout", "45s", "-timeout_error", "-recv_timeout", "40s"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    match command.spawn() {
        Ok(child) => Sipp(child, name),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            panic!("sipp is missing: install it with `apt-get install -y sip-tester`")
        }
        Err(error) => panic!("sipp did not start: {error}"),
    }
}

impl Center {
    pub fn target(&self) -> String {
        self.server.local_addr().to_string()
    }

    /// A phone answering with `scenario` on a free port; returns it and the port.
    pub fn phone(&self, scenario: &'static str) -> (Sipp, u16) {
        let port = free_port();
        (sipp_on(scenario, port, &[]), port)
    }

    /// Stops the SIP server and the live center and starts new ones on the
    /// same store and the same port, as a restart of Moked would.
    pub async fn restart(self) -> Center {
        let Center {
            dir,
            store,
            live,
            server,
            org,
            billing,
            dana,
            yossi,
        } = self;
        let listen = server.local_addr();
        drop(server);
        drop(live);
        let live = Live::start(store.clone(), Arc::new(SystemClock), LiveConfig::default())
            .await
            .unwrap();
        let config = SipConfig {
            listen,
            realm: REALM.into(),
            max_calls: 100,
            requests_per_second: 1000,
            retry_after_seconds: 30,
        };
        // The old sockets close once the old tasks have seen the stop.
        let mut tries = 0;
        let server = loop {
            match SipServer::start(config.clone(), store.clone(), live.clone()).await {
                Ok(server) => break server,
                Err(error) if tries < 100 => {
                    tries += 1;
                    tracing::debug!(%error, "port not free yet");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(error) => panic!("the SIP server did not start again: {error}"),
            }
        };
        Center {
            dir,
            store,
            live,
            server,
            org,
            billing,
            dana,
            yossi,
        }
    }

    /// Registers account `sip` for a phone at `phone_port`.
    pub async fn register(&self, sip: &str, phone_port: u16) {
        let pass = password(sip);
        sipp(
            "register.xml",
            &[
                &self.target(),
                "-s",
                sip,
                "-au",
                sip,
                "-ap",
                &pass,
                "-key",
                "phone_port",
                &phone_port.to_string(),
            ],
        )
        .passes()
        .await;
    }

    /// A caller dialling `address` with `scenario`.
    pub fn caller(&self, scenario: &'static str, address: &str) -> Sipp {
        sipp(
            scenario,
            &[
                &self.target(),
                "-s",
                address,
                "-key",
                "caller_number",
                CALLER,
                "-key",
                "caller_name",
                CALLER_NAME,
            ],
        )
    }

    pub async fn available(&self, user: UserId) {
        self.live
            .set_presence(self.org, user, PresenceRequest::Available)
            .await
            .unwrap();
    }

    pub async fn board(&self, user: UserId) -> AgentBoard {
        let agents = self.live.agents(self.org).await.unwrap();
        agents.into_iter().find(|a| a.agent == user).unwrap()
    }

    pub async fn queue(&self) -> QueueBoard {
        let board = self.live.wallboard(self.org).await.unwrap();
        board
            .queues
            .into_iter()
            .find(|q| q.queue == self.billing)
            .unwrap()
    }

    /// Waits (bounded) until `check` holds for the agent's board.
    pub async fn until_agent(
        &self,
        user: UserId,
        check: impl Fn(&AgentBoard) -> bool,
    ) -> AgentBoard {
        for _ in 0..200 {
            let board = self.board(user).await;
            if check(&board) {
                return board;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the agent never reached the expected state: {:?}",
            self.board(user).await
        );
    }

    /// Waits (bounded) until `check` holds for the queue's board.
    pub async fn until_queue(&self, check: impl Fn(&QueueBoard) -> bool) -> QueueBoard {
        for _ in 0..200 {
            let board = self.queue().await;
            if check(&board) {
                return board;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the queue never reached the expected state: {:?}",
            self.queue().await
        );
    }

    /// The caller's calls, matched to the customer by the normalized number.
    pub async fn calls(&self) -> Vec<Interaction> {
        let phone = PhoneE164::parse(CALLER).unwrap();
        let customers = self
            .store
            .customers_by_phone(self.org, &phone)
            .await
            .unwrap();
        assert_eq!(customers.len(), 1, "one customer for the caller's number");
        assert_eq!(customers[0].details.name, CALLER_NAME);
        self.store
            .customer_interactions(self.org, customers[0].id)
            .await
            .unwrap()
    }
}
