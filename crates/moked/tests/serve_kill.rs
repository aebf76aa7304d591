//! "Nothing acknowledged is lost": the real `moked serve` binary is killed
//! with SIGKILL while customers are opening chats and sending messages, then
//! restarted on the same data folder. Every chat and message whose HTTP
//! answer arrived before the kill must be there exactly once, and routing
//! must go on (a chat that was waiting is offered once the agent frees up).

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PASSWORD: &str = "סיסמה-ארוכה-1";

fn moked() -> Command {
    Command::new(env!("CARGO_BIN_EXE_moked"))
}

/// Where a test's server keeps its data: a data folder (with the SQLite
/// file), or a fresh PostgreSQL database.
struct Place {
    dir: PathBuf,
    database_url: Option<String>,
}

impl Place {
    fn store_args(&self) -> Vec<OsString> {
        let mut args = vec![OsString::from("--data"), self.dir.clone().into_os_string()];
        if let Some(url) = &self.database_url {
            args.push("--database-url".into());
            args.push(url.into());
        }
        args
    }
}

/// A fresh database on `MOKED_TEST_POSTGRES_URL`, as a URL.
async fn fresh_postgres_url(server_url: &str) -> String {
    use sqlx::{ConnectOptions, Executor};
    let options =
        sqlx::postgres::PgConnectOptions::from_str(server_url).expect("a postgres:// URL");
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros();
    let name = format!("moked_kill_test_{}_{micros}", std::process::id());
    let mut admin = options.connect().await.expect("connect to PostgreSQL");
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create a test database");
    let (base, _) = server_url.rsplit_once('/').expect("a URL with a database");
    format!("{base}/{name}")
}

fn admin(place: &Place, args: &[&str]) -> String {
    let mut command = moked();
    command.arg("admin").args(place.store_args()).args(args);
    let needs_password = args.contains(&"--password-stdin");
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    if needs_password {
        writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    }
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "moked admin {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Starts `moked serve` and returns it with its base URL.
fn serve(place: &Place) -> (Child, String) {
    // Six customers share one address: raise the per-address chat limit.
    let config = place.dir.join("moked.toml");
    std::fs::write(
        &config,
        "[rate_limits]\nwidget_chats_per_minute = 100\nwidget_messages_per_minute = 6000\n",
    )
    .unwrap();
    let mut child = moked()
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .args(place.store_args())
        .env("MOKED_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().expect("a line").unwrap();
    let url = first
        .rsplit(' ')
        .next()
        .filter(|url| url.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {first:?}"))
        .to_owned();
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, url)
}

struct Api {
    base: String,
    http: reqwest::Client,
    bearer: Option<String>,
    csrf: Option<String>,
}

impl Api {
    fn new(base: &str, bearer: Option<String>) -> Api {
        Api {
            base: base.to_owned(),
            http: reqwest::Client::builder()
                .cookie_store(true)
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap(),
            bearer,
            csrf: None,
        }
    }

    async fn login(base: &str, login: &str) -> Api {
        let mut api = Api::new(base, None);
        let (status, body) = api
            .call(
                reqwest::Method::POST,
                "/api/v1/login",
                Some(json!({"org": "acme", "login": login, "password": PASSWORD})),
            )
            .await
            .unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        api.csrf = body["csrf_token"].as_str().map(str::to_owned);
        api
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Result<(StatusCode, Value)> {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = &self.bearer {
            request = request.bearer_auth(token);
        }
        if let Some(csrf) = &self.csrf {
            request = request.header("X-CSRF-Token", csrf);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status();
        let text = response.text().await?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
    }
}

async fn wait_healthy(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(response) = reqwest::get(format!("{base}/healthz")).await
            && response.status() == StatusCode::OK
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not become healthy");
}

/// What the customers saw acknowledged: chat ids with their tokens, and
/// (chat, idempotency key, body) of every acknowledged message.
#[derive(Default)]
struct Acknowledged {
    chats: Vec<(i64, String)>,
    messages: Vec<(i64, String, String)>,
}

async fn customer(base: String, n: usize, acked: Arc<Mutex<Acknowledged>>) {
    let api = Api::new(&base, None);
    let Ok((StatusCode::CREATED, opened)) = api
        .call(
            reqwest::Method::POST,
            "/api/v1/widget/acme/chats",
            Some(json!({"name": format!("לקוח {n}")})),
        )
        .await
    else {
        return;
    };
    let chat = opened["chat"].as_i64().unwrap();
    let token = opened["token"].as_str().unwrap().to_owned();
    acked.lock().unwrap().chats.push((chat, token.clone()));
    let api = Api::new(&base, Some(token));
    for i in 0.. {
        let key = format!("c{n}-m{i}");
        let body = format!("הודעה {i} מלקוח {n}");
        match api
            .call(
                reqwest::Method::POST,
                &format!("/api/v1/widget/chats/{chat}/messages"),
                Some(json!({"body": body, "idempotency_key": key})),
            )
            .await
        {
            Ok((StatusCode::CREATED, _)) => acked.lock().unwrap().messages.push((chat, key, body)),
            Ok(_) => {}
            Err(_) => return, // the server is gone
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_loses_nothing_it_acknowledged_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let place = Place {
        dir: dir.path().to_owned(),
        database_url: None,
    };
    kill_and_restart(&place).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_loses_nothing_it_acknowledged_postgres() {
    let Ok(server_url) = std::env::var("MOKED_TEST_POSTGRES_URL") else {
        let _ = writeln!(
            std::io::stderr(),
            "NOTICE: MOKED_TEST_POSTGRES_URL is not set: the kill -9 test on PostgreSQL is SKIPPED."
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let place = Place {
        dir: dir.path().to_owned(),
        database_url: Some(fresh_postgres_url(&server_url).await),
    };
    kill_and_restart(&place).await;
}

async fn kill_and_restart(place: &Place) {
    admin(place, &["org", "add", "--slug", "acme", "--name", "אקמה"]);
    admin(
        place,
        &[
            "user",
            "add",
            "--org",
            "acme",
            "--login",
            "dana",
            "--name",
            "דנה",
            "--role",
            "agent",
            "--password-stdin",
        ],
    );
    let token = admin(
        place,
        &[
            "token",
            "--org",
            "acme",
            "--role",
            "admin",
            "--label",
            "kill test",
        ],
    )
    .trim()
    .to_owned();

    let (mut server, base) = serve(place);
    wait_healthy(&base).await;
    let boss = Api::new(&base, Some(token.clone()));
    let (status, queue) = boss
        .call(
            reqwest::Method::POST,
            "/api/v1/queues",
            Some(json!({"name": "צ'אט", "channel": "chat"})),
        )
        .await
        .unwrap();
    assert_eq!(status, StatusCode::CREATED, "{queue}");
    let (status, code) = boss
        .call(
            reqwest::Method::POST,
            "/api/v1/wrap-up-codes",
            Some(json!({"code": "done", "label": "טופל"})),
        )
        .await
        .unwrap();
    assert_eq!(status, StatusCode::CREATED, "{code}");
    let code = code["id"].as_i64().unwrap();
    let (status, users) = boss
        .call(reqwest::Method::GET, "/api/v1/users", None)
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    let dana = users[0]["id"].as_i64().unwrap();
    let (status, body) = boss
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/users/{dana}/capacities"),
            Some(json!([{"channel": "chat", "max_concurrent": 2}])),
        )
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    let agent = Api::login(&base, "dana").await;
    let (status, body) = agent
        .call(
            reqwest::Method::PUT,
            "/api/v1/agent/presence",
            Some(json!({"state": "available"})),
        )
        .await
        .unwrap();
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    let acked = Arc::new(Mutex::new(Acknowledged::default()));
    let customers: Vec<_> = (0..6)
        .map(|n| tokio::spawn(customer(base.clone(), n, acked.clone())))
        .collect();
    // Let the agent take what it is offered while messages flow.
    let deadline = Instant::now() + Duration::from_millis(1500);
    while Instant::now() < deadline {
        if let Ok((StatusCode::OK, desk)) = agent
            .call(reqwest::Method::GET, "/api/v1/agent/desk", None)
            .await
        {
            for offer in desk["offers"].as_array().into_iter().flatten() {
                let chat = offer["chat"].as_i64().unwrap();
                let _ = agent
                    .call(
                        reqwest::Method::POST,
                        &format!("/api/v1/interactions/{chat}/accept"),
                        None,
                    )
                    .await;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    for task in customers {
        task.await.unwrap();
    }
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    assert_eq!(
        acked.chats.len(),
        6,
        "every customer got a chat before the kill"
    );
    assert!(
        acked.messages.len() >= 20,
        "only {} messages acknowledged",
        acked.messages.len()
    );

    let (mut server, base) = serve(place);
    wait_healthy(&base).await;
    let boss = Api::new(&base, Some(token));
    for (chat, _) in &acked.chats {
        let (status, record) = boss
            .call(
                reqwest::Method::GET,
                &format!("/api/v1/interactions/{chat}"),
                None,
            )
            .await
            .unwrap();
        assert_eq!(status, StatusCode::OK, "chat {chat} lost: {record}");
        let messages = record["messages"].as_array().unwrap();
        for (_, key, body) in acked.messages.iter().filter(|(c, _, _)| c == chat) {
            let copies: Vec<_> = messages
                .iter()
                .filter(|m| m["idempotency_key"] == key.as_str())
                .collect();
            assert_eq!(copies.len(), 1, "message {key} of chat {chat}");
            assert_eq!(copies[0]["body"], body.as_str());
        }
    }

    // Routing goes on: the agent's chats came back; ending them lets the
    // chats still waiting reach the agent.
    let agent = Api::login(&base, "dana").await;
    let (_, desk) = agent
        .call(reqwest::Method::GET, "/api/v1/agent/desk", None)
        .await
        .unwrap();
    let held: Vec<i64> = desk["chats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["chat"].as_i64().unwrap())
        .collect();
    assert!(
        !held.is_empty(),
        "the agent's connected chats are restored: {desk}"
    );
    let (status, body) = agent
        .call(
            reqwest::Method::PUT,
            "/api/v1/agent/presence",
            Some(json!({"state": "available"})),
        )
        .await
        .unwrap();
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    for chat in &held {
        let (status, body) = agent
            .call(
                reqwest::Method::POST,
                &format!("/api/v1/interactions/{chat}/end"),
                None,
            )
            .await
            .unwrap();
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (status, body) = agent
            .call(
                reqwest::Method::POST,
                &format!("/api/v1/interactions/{chat}/wrap-up"),
                Some(json!({"code": code})),
            )
            .await
            .unwrap();
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    let offered = loop {
        let (_, desk) = agent
            .call(reqwest::Method::GET, "/api/v1/agent/desk", None)
            .await
            .unwrap();
        if let Some(offer) = desk["offers"].as_array().and_then(|offers| offers.first()) {
            break offer["chat"].as_i64().unwrap();
        }
        assert!(
            Instant::now() < deadline,
            "no chat offered after the restart: {desk}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(
        acked.chats.iter().any(|(chat, _)| *chat == offered),
        "a pre-crash chat is offered"
    );
    assert!(!held.contains(&offered));
    server.kill().unwrap();
    server.wait().unwrap();
}

#[test]
fn admin_refuses_bad_input_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let output = moked()
            .arg("admin")
            .arg("--data")
            .arg(dir.path())
            .args(args)
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    assert_eq!(
        run(&["org", "add", "--slug", "acme", "--name", "אקמה"]).0,
        Some(0)
    );
    let (code, message) = run(&["org", "add", "--slug", "acme", "--name", "שוב"]);
    assert_eq!(code, Some(2));
    assert!(message.contains("--slug"), "{message}");
    let (code, message) = run(&[
        "org",
        "add",
        "--slug",
        "b",
        "--name",
        "ב",
        "--tz",
        "Mars/Olympus",
    ]);
    assert_eq!(code, Some(2));
    assert!(message.contains("--tz"), "{message}");
    let (code, message) = run(&["token", "--org", "nope", "--role", "admin"]);
    assert_eq!(code, Some(2));
    assert!(message.contains("--org"), "{message}");
    let (code, message) = run(&["token", "--org", "acme", "--role", "boss"]);
    assert_eq!(code, Some(2));
    assert!(message.contains("--role"), "{message}");
    let (code, message) = run(&[
        "user",
        "add",
        "--org",
        "acme",
        "--login",
        "x",
        "--name",
        "x",
        "--role",
        "agent",
        "--password",
        "short",
    ]);
    assert_eq!(code, Some(2));
    assert!(message.contains("--password"), "{message}");
    let output = moked()
        .args(["serve", "--listen", "localhost"])
        .arg("--data")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--listen"));
}
