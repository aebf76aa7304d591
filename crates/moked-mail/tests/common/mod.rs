//! Helpers shared by the integration tests: a sink that keeps what it is
//! given, a listener on a free loopback port and a line-level SMTP client.

// Each test binary uses only some of these helpers.
#![allow(dead_code)]

use moked_domain::EmailAddress;
use moked_mail::{DeliveryError, Envelope, InboundSink, SmtpConfig, SmtpServer};
use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};

/// The organization's address every test server receives mail for.
pub const SERVICE: &str = "service@demo.example";

/// A delivered message: its envelope and raw bytes.
pub type Delivered = (Envelope, Vec<u8>);

/// Keeps delivered messages in memory; can be told to fail like a full disk.
#[derive(Clone, Default)]
pub struct MemorySink {
    pub delivered: Arc<Mutex<Vec<Delivered>>>,
    pub failing: Arc<AtomicBool>,
}

impl MemorySink {
    pub fn messages(&self) -> Vec<Delivered> {
        self.delivered.lock().unwrap().clone()
    }
}

impl InboundSink for MemorySink {
    async fn deliver(&self, envelope: Envelope, raw: Vec<u8>) -> Result<(), DeliveryError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(DeliveryError("the disk is full".to_owned()));
        }
        self.delivered.lock().unwrap().push((envelope, raw));
        Ok(())
    }
}

/// Starts a listener for `service@demo.example` on a free port.
pub async fn start(config: SmtpConfig) -> (SocketAddr, MemorySink) {
    let sink = MemorySink::default();
    let ours: HashSet<EmailAddress> = [EmailAddress::parse(SERVICE).unwrap()].into();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(SmtpServer::new(config, ours, sink.clone()).serve(listener));
    (address, sink)
}

/// A client speaking SMTP line by line.
pub struct Client {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

impl Client {
    pub async fn connect(address: SocketAddr) -> Client {
        let (read, writer) = TcpStream::connect(address).await.unwrap().into_split();
        Client {
            reader: BufReader::new(read),
            writer,
        }
    }

    pub async fn send(&mut self, text: &str) {
        self.writer.write_all(text.as_bytes()).await.unwrap();
    }

    /// Reads one whole reply (all its continuation lines); empty at EOF.
    pub async fn reply(&mut self) -> String {
        let mut reply = String::new();
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line).await.unwrap() == 0 {
                return reply;
            }
            reply.push_str(&line);
            if line.as_bytes().get(3) != Some(&b'-') {
                return reply;
            }
        }
    }

    /// Reads a reply and checks that it starts with `code`.
    pub async fn expect(&mut self, code: &str) -> String {
        let reply = self.reply().await;
        assert!(reply.starts_with(code), "expected {code}, got {reply:?}");
        reply
    }

    /// Sends a line and checks the reply's code.
    pub async fn command(&mut self, line: &str, code: &str) -> String {
        self.send(&format!("{line}\r\n")).await;
        self.expect(code).await
    }
}
