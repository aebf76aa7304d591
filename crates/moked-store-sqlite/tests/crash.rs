//! Acknowledged means kept: a child process writes chat messages and events
//! to an SQLite store and reports each one after the store acknowledged it;
//! the test kills the child with SIGKILL (`kill -9`) mid-stream, reopens the
//! file and checks that every acknowledged write is there, once.
//!
//! The child is this same test binary, re-run with only the ignored
//! `crash_child_writer` test selected and the database path in the
//! environment.

use jiff::Timestamp;
use moked_domain::Channel;
use moked_store::{
    InteractionId, NewEvent, NewInteraction, NewMessage, NewOrganization, NewQueue, Sender, Store,
};
use moked_store_sqlite::SqliteStore;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const CHILD_DB_VARIABLE: &str = "MOKED_CRASH_CHILD_DB";
const ORG_SLUG: &str = "crash";
/// Acknowledgements to wait for before killing the child.
const ACKS_BEFORE_KILL: usize = 150;

/// The writer run in the child process; does nothing in a normal test run.
#[test]
#[ignore = "run by kill_9_loses_no_acknowledged_write in a child process"]
fn crash_child_writer() {
    let Ok(path) = std::env::var(CHILD_DB_VARIABLE) else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(write_until_killed(Path::new(&path)));
}

async fn write_until_killed(path: &Path) {
    let store = SqliteStore::open(path).await.expect("open");
    let org = store
        .create_organization(&NewOrganization {
            slug: ORG_SLUG.into(),
            name: "מוקד קריסה".into(),
            time_zone: "Asia/Jerusalem".into(),
        })
        .await
        .expect("org")
        .id;
    let queue = store
        .create_queue(
            org,
            &NewQueue {
                name: "צ'אט".into(),
                channel: Channel::Chat,
                skill: None,
                service_level_seconds: 20,
                auto_accept: false,
                business_hours: None,
                priority: 0,
                wrap_up_seconds: 0,
                offer_timeout_seconds: 0,
            },
        )
        .await
        .expect("queue")
        .id;
    let interaction = store
        .create_interaction(
            org,
            &NewInteraction {
                channel: Channel::Chat,
                queue,
                customer: None,
                created_at: Timestamp::UNIX_EPOCH,
            },
        )
        .await
        .expect("interaction")
        .id;
    let mut stdout = std::io::stdout().lock();
    for n in 0_u64.. {
        let key = format!("m{n}");
        let message = NewMessage {
            interaction,
            sender: Sender::Customer,
            body: format!("הודעה מספר {n} 💬"),
            idempotency_key: key.clone(),
            sent_at: Timestamp::UNIX_EPOCH,
        };
        store.insert_message(org, &message).await.expect("message");
        let event = NewEvent {
            at: Timestamp::UNIX_EPOCH,
            kind: "chat.message".into(),
            payload: json!({ "key": key }),
        };
        let seq = store.append_event(org, &event).await.expect("event").seq;
        writeln!(stdout, "ack {interaction} {key} {seq}").expect("report");
        stdout.flush().expect("flush");
    }
}

/// What the child acknowledged: message keys with the event sequence
/// number each was logged under.
struct Acknowledged {
    interaction: InteractionId,
    sequence_by_key: BTreeMap<String, u64>,
}

fn parse_ack(line: &str) -> Option<(i64, String, u64)> {
    let mut words = line.strip_prefix("ack ")?.split(' ');
    let interaction = words.next()?.parse().ok()?;
    let key = words.next()?.to_owned();
    let seq = words.next()?.parse().ok()?;
    Some((interaction, key, seq))
}

fn run_child_and_kill(path: &Path) -> Acknowledged {
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args(["crash_child_writer", "--exact", "--ignored", "--nocapture"])
        .env(CHILD_DB_VARIABLE, path)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn child writer");
    let stdout = child.stdout.take().expect("child stdout");
    let mut interaction = None;
    let mut sequence_by_key = BTreeMap::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("read child output");
        if let Some((id, key, seq)) = parse_ack(&line) {
            interaction = Some(InteractionId(id));
            sequence_by_key.insert(key, seq);
            if sequence_by_key.len() == ACKS_BEFORE_KILL {
                // Child::kill sends SIGKILL on Unix: no destructor, no flush.
                child.kill().expect("kill -9 the child");
                break;
            }
        }
    }
    let status = child.wait().expect("reap child");
    assert!(
        !status.success(),
        "the child was killed, not finished: {status:?}"
    );
    assert_eq!(
        sequence_by_key.len(),
        ACKS_BEFORE_KILL,
        "child stopped early"
    );
    Acknowledged {
        interaction: interaction.expect("at least one ack"),
        sequence_by_key,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_loses_no_acknowledged_write() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("moked-store-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("data folder");
    let path = dir.join("moked.sqlite3");
    let acked = run_child_and_kill(&path);

    let store = SqliteStore::open(&path)
        .await
        .expect("reopen after the crash");
    let org = store.organization_by_slug(ORG_SLUG).await.expect("org").id;
    let messages = store
        .messages(org, acked.interaction)
        .await
        .expect("messages");
    let stored_keys: Vec<String> = messages
        .iter()
        .map(|m| m.content.idempotency_key.clone())
        .collect();
    let distinct: BTreeSet<&String> = stored_keys.iter().collect();
    assert_eq!(distinct.len(), stored_keys.len(), "a message stored twice");
    for key in acked.sequence_by_key.keys() {
        assert!(distinct.contains(key), "acknowledged message {key} lost");
    }

    let events = store.events_from(org, 1, 100_000).await.expect("events");
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    let expected: Vec<u64> = (1..=seqs.len() as u64).collect();
    assert_eq!(seqs, expected, "the event log has a gap or a duplicate");
    for (key, seq) in &acked.sequence_by_key {
        let logged = &events[usize::try_from(*seq - 1).expect("small")];
        assert_eq!(
            logged.content.payload["key"],
            json!(key),
            "event {seq} changed"
        );
    }
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
