//! The integration tests' harness: a real server on 127.0.0.1:0 over a
//! fresh database (a SQLite file in a temporary folder, or a fresh
//! PostgreSQL database on the server named by `MOKED_TEST_POSTGRES_URL`),
//! two organizations with an admin, a supervisor and an agent each, and
//! HTTP clients that log in like a browser (cookie + CSRF header).

#![allow(dead_code)]

use moked_domain::Channel;
use moked_server::{ServerConfig, build_with_store};
use moked_store::{
    AgentCapacity, AgentSkill, NewOrganization, NewQueue, NewUser, NewWrapUpCode, OrgId, QueueId,
    Role, SkillId, Store, UserId, WrapUpCodeId,
};
use moked_store_postgres::PostgresStore;
use moked_store_sqlite::SqliteStore;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Executor};
use std::io::Write;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use tokio::sync::oneshot;

/// The one password of every test user.
pub const PASSWORD: &str = "סיסמה-לבדיקה-1";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in a temporary folder.
    Sqlite,
    /// A fresh database on `MOKED_TEST_POSTGRES_URL`.
    Postgres,
}

/// Declares a test that runs on SQLite and, when configured, PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident => $body:ident;)*) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$body($crate::common::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::common::postgres_url().is_some() {
                    super::$body($crate::common::Backend::Postgres).await;
                }
            }
        }
    )*};
}

/// The PostgreSQL server to test on, if any (announces the skip once).
pub fn postgres_url() -> Option<String> {
    static ANNOUNCED: AtomicBool = AtomicBool::new(false);
    let url = std::env::var("MOKED_TEST_POSTGRES_URL").ok();
    if url.is_none() && !ANNOUNCED.swap(true, Ordering::Relaxed) {
        let _ = writeln!(
            std::io::stderr(),
            "NOTICE: MOKED_TEST_POSTGRES_URL is not set: the server tests on PostgreSQL are SKIPPED. \
             Run them with `scripts/with-postgres cargo test -p moked-server`."
        );
    }
    url
}

/// A store on a new, empty database of the PostgreSQL server at `url`.
pub async fn fresh_postgres(url: &str) -> Arc<dyn Store> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let server = PgConnectOptions::from_str(url).expect("a postgres:// URL");
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros();
    let name = format!(
        "moked_server_test_{}_{micros}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
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
    Arc::new(PostgresStore::with_pool(pool).await.expect("migrate"))
}

/// A running server and its database.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The store the server uses (for setup and checks).
    pub store: Arc<dyn Store>,
    stop: Option<oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts a server on a fresh database; `tweak` adjusts the configuration.
pub async fn start(backend: Backend, tweak: impl FnOnce(&mut ServerConfig)) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().to_owned(),
        log: "warn".into(),
        ..ServerConfig::default()
    };
    tweak(&mut config);
    let store: Arc<dyn Store> = match backend {
        Backend::Sqlite => Arc::new(SqliteStore::open_in_dir(dir.path()).await.unwrap()),
        Backend::Postgres => fresh_postgres(&postgres_url().unwrap()).await,
    };
    let server = build_with_store(config, store.clone()).await.unwrap();
    let base = server.url();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server.serve_with_shutdown(async move {
        let _ = stopped.await;
    }));
    TestServer {
        base,
        store,
        stop: Some(stop),
        _dir: dir,
    }
}

/// One organization's people and configuration.
#[derive(Debug, Clone)]
pub struct Org {
    pub id: OrgId,
    pub slug: String,
    pub admin: UserId,
    pub supervisor: UserId,
    pub agent: UserId,
    pub queue: QueueId,
    pub skill: SkillId,
    pub code: WrapUpCodeId,
}

/// Creates an organization with a chat queue, a skill, a wrap-up code and
/// an admin, a supervisor and an agent (who has the skill and takes 3 chats).
pub async fn seed_org(store: &dyn Store, slug: &str, name: &str) -> Org {
    let org = store
        .create_organization(&NewOrganization {
            slug: slug.into(),
            name: name.into(),
            time_zone: "Asia/Jerusalem".into(),
        })
        .await
        .unwrap();
    let hash = moked_server::hash_password(PASSWORD);
    let mut users = Vec::new();
    for (login, display, role) in [
        ("admin", "מנהלת המערכת", Role::Admin),
        ("supervisor", "אחראית משמרת", Role::Supervisor),
        ("agent", "נציג דני", Role::Agent),
    ] {
        let user = store
            .create_user(
                org.id,
                &NewUser {
                    login: login.into(),
                    display_name: display.into(),
                    role,
                    password_hash: hash.clone(),
                    team: None,
                    lang: "he".into(),
                },
            )
            .await
            .unwrap();
        users.push(user.id);
    }
    let skill = store.create_skill(org.id, "חיובים").await.unwrap();
    let queue = store
        .create_queue(
            org.id,
            &NewQueue {
                name: "שירות לקוחות".into(),
                channel: Channel::Chat,
                skill: Some(skill.id),
                service_level_seconds: 20,
                auto_accept: false,
                business_hours: None,
                priority: 0,
                wrap_up_seconds: 60,
                offer_timeout_seconds: 0,
            },
        )
        .await
        .unwrap();
    let agent = users[2];
    store
        .set_agent_skill(
            org.id,
            agent,
            AgentSkill {
                skill: skill.id,
                level: 8,
            },
        )
        .await
        .unwrap();
    store
        .set_agent_capacity(
            org.id,
            agent,
            AgentCapacity {
                channel: Channel::Chat,
                max_concurrent: 3,
            },
        )
        .await
        .unwrap();
    let code = store
        .create_wrap_up_code(
            org.id,
            &NewWrapUpCode {
                code: "resolved".into(),
                label: "טופל".into(),
            },
        )
        .await
        .unwrap();
    Org {
        id: org.id,
        slug: slug.into(),
        admin: users[0],
        supervisor: users[1],
        agent,
        queue: queue.id,
        skill: skill.id,
        code: code.id,
    }
}

/// A browser-like client: a cookie jar and the session's CSRF token, or a
/// bearer token, or nothing (anonymous).
#[derive(Clone)]
pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
    /// The session token from the login's `Set-Cookie` (for WebSockets).
    pub session: Option<String>,
}

/// An answer: status, headers and the body as JSON (`Null` when empty or
/// not JSON) and as text.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub json: Value,
    pub text: String,
}

impl Client {
    /// A client with no credentials.
    pub fn anonymous(server: &TestServer) -> Client {
        Client {
            base: server.base.clone(),
            http: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .unwrap(),
            csrf: None,
            bearer: None,
            session: None,
        }
    }

    /// A client holding a bearer token.
    pub fn with_bearer(server: &TestServer, token: &str) -> Client {
        let mut client = Client::anonymous(server);
        client.bearer = Some(token.to_owned());
        client
    }

    /// Logs in through `POST /api/v1/login` and keeps the cookie and CSRF token.
    pub async fn login(server: &TestServer, org: &str, login: &str) -> Client {
        let mut client = Client::anonymous(server);
        let answer = client
            .send(
                Method::POST,
                "/api/v1/login",
                Some(json!({"org": org, "login": login, "password": PASSWORD})),
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "login {login}: {}",
            answer.text
        );
        client.csrf = Some(answer.json["csrf_token"].as_str().unwrap().to_owned());
        let cookie = answer.headers["set-cookie"].to_str().unwrap();
        let token = cookie
            .split(';')
            .next()
            .unwrap()
            .trim_start_matches("moked_session=");
        client.session = Some(token.to_owned());
        client
    }

    /// Sends a request with the client's credentials.
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(csrf) = &self.csrf {
            request = request.header("X-CSRF-Token", csrf);
        }
        if let Some(token) = &self.bearer {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            json,
            text,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Answer {
        self.send(Method::PUT, path, Some(body)).await
    }
}

/// A WebSocket to the server.
pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens the staff WebSocket with the client's session cookie.
pub async fn staff_socket(server: &TestServer, client: &Client) -> Socket {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let url = format!("{}/api/v1/ws", server.base.replace("http://", "ws://"));
    let mut request = url.into_client_request().unwrap();
    let cookie = format!("moked_session={}", client.session.as_ref().unwrap());
    request
        .headers_mut()
        .insert("Cookie", cookie.parse().unwrap());
    let (socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    socket
}

/// Opens a customer's chat WebSocket with its token.
pub async fn chat_socket(server: &TestServer, chat: i64, token: &str) -> Socket {
    let url = format!(
        "{}/api/v1/widget/chats/{chat}/ws?token={token}",
        server.base.replace("http://", "ws://")
    );
    let (socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    socket
}

/// The next JSON event from a socket, within 10 seconds.
pub async fn next_event(socket: &mut Socket) -> Value {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    loop {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
            .await
            .expect("an event within 10 s")
            .expect("the socket is open")
            .expect("a frame");
        if let Message::Text(text) = frame {
            return serde_json::from_str(text.as_str()).unwrap();
        }
    }
}

/// Skips events until one of type `kind` arrives.
pub async fn event_of(socket: &mut Socket, kind: &str) -> Value {
    loop {
        let event = next_event(socket).await;
        if event["type"] == kind {
            return event;
        }
    }
}

/// Sends a JSON frame.
pub async fn send_frame(socket: &mut Socket, frame: Value) {
    use futures_util::SinkExt;
    socket
        .send(tokio_tungstenite::tungstenite::Message::text(
            frame.to_string(),
        ))
        .await
        .unwrap();
}
