//! Polling a real dovecot (Debian's dovecot-imapd) on loopback, started
//! privately by scripts/dovecot-test.sh in a temporary directory.

mod common;

use common::{MemorySink, SERVICE};
use moked_domain::EmailAddress;
use moked_mail::{ImapConfig, ParseLimits, PollReport, parse, poll_once};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::Ordering;
use std::time::Duration;

const PASSWORD: &str = "סוד-secret";

/// A running private dovecot, stopped when dropped.
struct Dovecot {
    dir: tempfile::TempDir,
    port: u16,
}

impl Dovecot {
    fn start() -> Dovecot {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        script(&[
            "start",
            path(dir.path()),
            &port.to_string(),
            SERVICE,
            PASSWORD,
        ]);
        Dovecot { dir, port }
    }

    fn deliver(&self, fixtures: &[&str]) {
        let files: Vec<String> = fixtures
            .iter()
            .map(|name| format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR")))
            .collect();
        let mut arguments = vec!["deliver", path(self.dir.path()), SERVICE];
        arguments.extend(files.iter().map(String::as_str));
        script(&arguments);
    }

    fn config(&self) -> ImapConfig {
        ImapConfig {
            host: "127.0.0.1".to_owned(),
            port: self.port,
            user: SERVICE.to_owned(),
            password: PASSWORD.to_owned(),
            folder: "INBOX".to_owned(),
            address: EmailAddress::parse(SERVICE).unwrap(),
            batch: 100,
            timeout: Duration::from_secs(30),
        }
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        script(&["stop", path(self.dir.path())]);
    }
}

fn path(dir: &Path) -> &str {
    dir.to_str().expect("a UTF-8 temporary path")
}

fn script(arguments: &[&str]) {
    let script: PathBuf = [env!("CARGO_MANIFEST_DIR"), "scripts", "dovecot-test.sh"]
        .iter()
        .collect();
    let output = Command::new(script)
        .args(arguments)
        .output()
        .expect("the dovecot script runs");
    assert!(
        output.status.success(),
        "{arguments:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn unseen_mail_is_delivered_once_and_marked_seen() {
    let dovecot = Dovecot::start();
    let fixtures = [
        "outlook_windows1255.eml",
        "gmail_utf8_alternative.eml",
        "old_visual_iso88598.eml",
    ];
    dovecot.deliver(&fixtures);
    let sink = MemorySink::default();

    let first = poll_once(&dovecot.config(), &sink).await.expect("a poll");
    assert_eq!(
        first,
        PollReport {
            delivered: 3,
            failed: 0
        }
    );
    let subjects: Vec<String> = sink
        .messages()
        .iter()
        .map(|(_, raw)| parse(raw, ParseLimits::default()).subject)
        .collect();
    assert_eq!(
        subjects,
        ["החבילה לא הגיעה", "Re: בעיה בהתחברות [#1042]", "חשבון"]
    );
    assert_eq!(sink.messages()[0].0.recipients[0].as_str(), SERVICE);

    let second = poll_once(&dovecot.config(), &sink).await.expect("a poll");
    assert_eq!(second, PollReport::default());
    assert_eq!(sink.messages().len(), 3);
}

#[tokio::test]
async fn mail_the_sink_refused_is_fetched_again() {
    let dovecot = Dovecot::start();
    dovecot.deliver(&["attachment.eml", "bounce.eml"]);
    let sink = MemorySink::default();
    sink.failing.store(true, Ordering::SeqCst);
    let refused = poll_once(&dovecot.config(), &sink).await.expect("a poll");
    assert_eq!(
        refused,
        PollReport {
            delivered: 0,
            failed: 2
        }
    );

    sink.failing.store(false, Ordering::SeqCst);
    let retried = poll_once(&dovecot.config(), &sink).await.expect("a poll");
    assert_eq!(
        retried,
        PollReport {
            delivered: 2,
            failed: 0
        }
    );
    let email = parse(&sink.messages()[0].1, ParseLimits::default());
    assert_eq!(
        email.attachments[0].file_name.as_deref(),
        Some("חשבונית.pdf")
    );
}

#[tokio::test]
async fn a_wrong_password_is_an_error() {
    let dovecot = Dovecot::start();
    let config = ImapConfig {
        password: "wrong".to_owned(),
        ..dovecot.config()
    };
    let error = poll_once(&config, &MemorySink::default())
        .await
        .unwrap_err();
    assert!(error.to_string().contains("IMAP error"), "{error}");
}
