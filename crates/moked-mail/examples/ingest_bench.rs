//! Email ingest speed: messages per second over SMTP on loopback into a
//! sink that parses each message and stores it durably in SQLite (WAL,
//! `synchronous=FULL`), the way the server will. Not a test: run it with
//!
//! ```text
//! cargo run --release -p moked-mail --example ingest_bench -- [messages] [connections]
//! ```
//!
//! The sink commits concurrent deliveries in one transaction (group
//! commit) and answers each client only after that commit, so every `250`
//! the clients count is a message on disk.

use moked_domain::EmailAddress;
use moked_mail::{
    DeliveryError, Envelope, InboundSink, ParseLimits, SmtpConfig, SmtpServer, parse,
};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::Instant;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};

const SERVICE: &str = "service@demo.example";
/// Deliveries committed together at most.
const MAX_BATCH: usize = 512;

type Reply = oneshot::Sender<Result<(), DeliveryError>>;

struct Pending {
    envelope: Envelope,
    raw: Vec<u8>,
    done: Reply,
}

/// Hands deliveries to the single SQLite writer and waits for its commit.
#[derive(Clone)]
struct SqliteSink {
    queue: mpsc::Sender<Pending>,
}

impl InboundSink for SqliteSink {
    async fn deliver(&self, envelope: Envelope, raw: Vec<u8>) -> Result<(), DeliveryError> {
        let (done, committed) = oneshot::channel();
        let gone = || DeliveryError("the writer stopped".to_owned());
        self.queue
            .send(Pending {
                envelope,
                raw,
                done,
            })
            .await
            .map_err(|_| gone())?;
        committed.await.map_err(|_| gone())?
    }
}

async fn writer(pool: SqlitePool, mut queue: mpsc::Receiver<Pending>) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(more) => batch.push(more),
                Err(_) => break,
            }
        }
        let outcome = store(&pool, &batch)
            .await
            .map_err(|error| error.to_string());
        for pending in batch {
            // A client that hung up does not wait for its answer.
            let _ = pending.done.send(outcome.clone().map_err(DeliveryError));
        }
    }
}

async fn store(pool: &SqlitePool, batch: &[Pending]) -> Result<(), sqlx::Error> {
    let mut transaction = pool.begin().await?;
    for pending in batch {
        let email = parse(&pending.raw, ParseLimits::default());
        let sender = pending
            .envelope
            .mail_from
            .as_ref()
            .map(EmailAddress::as_str);
        sqlx::query("INSERT INTO inbound_mail (mail_from, subject, body, raw) VALUES (?, ?, ?, ?)")
            .bind(sender)
            .bind(&email.subject)
            .bind(&email.text)
            .bind(&pending.raw)
            .execute(&mut *transaction)
            .await?;
    }
    transaction.commit().await
}

async fn open_store(path: &std::path::Path) -> Result<SqlitePool, sqlx::Error> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    sqlx::query(
        "CREATE TABLE inbound_mail (id INTEGER PRIMARY KEY, mail_from TEXT, subject TEXT NOT NULL, \
         body TEXT NOT NULL, raw BLOB NOT NULL)",
    )
    .execute(&pool)
    .await?;
    Ok(pool)
}

/// One client connection sending `count` messages, one transaction at a
/// time with its commands pipelined.
async fn client(address: SocketAddr, count: usize, message: &str) -> std::io::Result<usize> {
    let stream = TcpStream::connect(address).await?;
    stream.set_nodelay(true)?;
    let (read, mut write) = stream.into_split();
    let mut replies = BufReader::new(read);
    expect(&mut replies, "220").await?;
    write.write_all(b"EHLO bench.example\r\n").await?;
    expect(&mut replies, "250").await?;
    let transaction =
        format!("MAIL FROM:<dana@customer.example>\r\nRCPT TO:<{SERVICE}>\r\nDATA\r\n");
    let mut stored = 0;
    for _ in 0..count {
        write.write_all(transaction.as_bytes()).await?;
        for code in ["250", "250", "354"] {
            expect(&mut replies, code).await?;
        }
        write.write_all(message.as_bytes()).await?;
        write.write_all(b".\r\n").await?;
        expect(&mut replies, "250").await?;
        stored += 1;
    }
    write.write_all(b"QUIT\r\n").await?;
    Ok(stored)
}

/// Reads a whole reply (continuation lines too) and checks its code.
async fn expect(replies: &mut BufReader<OwnedReadHalf>, code: &str) -> std::io::Result<()> {
    let mut line = String::new();
    loop {
        line.clear();
        if replies.read_line(&mut line).await? == 0 {
            return Err(std::io::Error::other("the server closed the connection"));
        }
        if line.as_bytes().get(3) != Some(&b'-') {
            break;
        }
    }
    match line.starts_with(code) {
        true => Ok(()),
        false => Err(std::io::Error::other(format!(
            "expected {code}, got {line:?}"
        ))),
    }
}

fn sample_message() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/gmail_utf8_alternative.eml"
    );
    let text = std::fs::read_to_string(path).expect("the Gmail fixture");
    // Lines are dot-stuffed as a client must (RFC 5321 §4.5.2).
    text.lines()
        .map(|line| {
            if line.starts_with('.') {
                format!(".{line}\r\n")
            } else {
                format!("{line}\r\n")
            }
        })
        .collect()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut arguments = std::env::args().skip(1);
    let messages: usize = arguments.next().map_or(Ok(5_000), |n| n.parse())?;
    let connections: usize = arguments.next().map_or(Ok(16), |n| n.parse())?;
    let dir = tempfile::tempdir()?;
    let pool = open_store(&dir.path().join("ingest.db")).await?;
    let (queue, pending) = mpsc::channel(4 * MAX_BATCH);
    tokio::spawn(writer(pool.clone(), pending));
    let ours: HashSet<EmailAddress> = [EmailAddress::parse(SERVICE)?].into();
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    // Each bench connection sends its whole share.
    let config = SmtpConfig {
        max_messages_per_connection: messages,
        ..SmtpConfig::default()
    };
    tokio::spawn(SmtpServer::new(config, ours, SqliteSink { queue }).serve(listener));

    let message = sample_message();
    let started = Instant::now();
    let mut clients = tokio::task::JoinSet::new();
    for index in 0..connections {
        let share = messages / connections + usize::from(index < messages % connections);
        let message = message.clone();
        clients.spawn(async move { client(address, share, &message).await });
    }
    let mut sent = 0;
    while let Some(result) = clients.join_next().await {
        sent += result??;
    }
    let elapsed = started.elapsed();
    let (stored,): (i64,) = sqlx::query_as("SELECT count(*) FROM inbound_mail")
        .fetch_one(&pool)
        .await?;
    println!(
        "{sent} messages of {} bytes over {connections} SMTP connections in {:.2} s: {:.0} messages/s ({stored} rows in SQLite, WAL, synchronous=FULL)",
        message.len(),
        elapsed.as_secs_f64(),
        sent as f64 / elapsed.as_secs_f64()
    );
    if stored != sent as i64 {
        return Err(format!("{sent} messages acknowledged but {stored} stored").into());
    }
    Ok(())
}
