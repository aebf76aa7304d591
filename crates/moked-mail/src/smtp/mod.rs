//! The built-in SMTP listener: the receiving end of RFC 5321 for mail
//! addressed to the organizations, and nothing else.
//!
//! It is a final destination, never a relay: a recipient is accepted only
//! if the caller's [`RecipientLookup`] says the address is ours. A message
//! is answered `250` only after the [`InboundSink`] stored it durably; if
//! the sink fails the client hears `451` and keeps the message to retry, so
//! no accepted mail can be lost. Every read is bounded in length and time,
//! and connections are bounded in total and per client address.

mod line;
mod session;

use moked_domain::EmailAddress;
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Who sent a message to whom, as the SMTP transaction said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The client's address.
    pub peer: SocketAddr,
    /// The name the client gave in EHLO or HELO.
    pub helo: String,
    /// The reverse path; `None` for the null path `<>` of bounces.
    pub mail_from: Option<EmailAddress>,
    /// Accepted recipients, all of them ours.
    pub recipients: Vec<EmailAddress>,
}

/// Why the sink could not store a message (the client will retry).
#[derive(Debug, thiserror::Error)]
#[error("the message could not be stored: {0}")]
pub struct DeliveryError(pub String);

/// Where accepted mail goes. `deliver` returns only once the message is
/// stored durably: its `Ok` is the promise the client is given.
pub trait InboundSink: Send + Sync + 'static {
    /// Stores a message with its envelope.
    fn deliver(
        &self,
        envelope: Envelope,
        raw: Vec<u8>,
    ) -> impl Future<Output = Result<(), DeliveryError>> + Send;
}

/// Which addresses this server receives mail for.
pub trait RecipientLookup: Send + Sync + 'static {
    /// Whether mail to this address is ours to take.
    fn is_ours(&self, address: &EmailAddress) -> bool;
}

impl RecipientLookup for HashSet<EmailAddress> {
    fn is_ours(&self, address: &EmailAddress) -> bool {
        self.contains(address)
    }
}

/// Limits and names of the listener.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// The name in the greeting and in Received headers.
    pub hostname: String,
    /// Largest message accepted, in bytes (announced as SIZE).
    pub max_message_bytes: usize,
    /// Longest command line (RFC 5321 §4.5.3.1.4 says 512 with CRLF).
    pub max_command_bytes: usize,
    /// Longest line inside a message; longer lines are refused with 552.
    pub max_data_line_bytes: usize,
    /// Recipients per message.
    pub max_recipients: usize,
    /// Messages per connection before the server closes it.
    pub max_messages_per_connection: usize,
    /// Bad commands per connection before the server closes it.
    pub max_errors: usize,
    /// Time allowed for each command line and each line of a message.
    pub command_timeout: Duration,
    /// Open connections in total.
    pub max_connections: usize,
    /// Open connections from one client address.
    pub max_connections_per_ip: usize,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            hostname: "localhost".to_owned(),
            max_message_bytes: 25 * 1024 * 1024,
            max_command_bytes: 512,
            max_data_line_bytes: 64 * 1024,
            max_recipients: 100,
            max_messages_per_connection: 1000,
            max_errors: 10,
            // RFC 5321 §4.5.3.2 asks for minutes; spammers that hold a
            // connection open cost us only a task each.
            command_timeout: Duration::from_secs(300),
            max_connections: 512,
            max_connections_per_ip: 32,
        }
    }
}

/// An SMTP listener bound to its lookup and sink.
pub struct SmtpServer<L, S> {
    shared: Arc<Shared<L, S>>,
}

struct Shared<L, S> {
    config: SmtpConfig,
    lookup: L,
    sink: S,
    connections: Arc<Semaphore>,
    per_ip: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl<L: RecipientLookup, S: InboundSink> SmtpServer<L, S> {
    /// A server with these limits, recipients and sink.
    pub fn new(config: SmtpConfig, lookup: L, sink: S) -> Self {
        let connections = Arc::new(Semaphore::new(config.max_connections));
        let shared = Shared {
            config,
            lookup,
            sink,
            connections,
            per_ip: Arc::default(),
        };
        SmtpServer {
            shared: Arc::new(shared),
        }
    }

    /// Accepts connections until the task is dropped; a failed accept
    /// (say, out of file descriptors) is logged and retried.
    pub async fn serve(self, listener: TcpListener) {
        loop {
            match listener.accept().await {
                Ok((stream, peer)) => self.admit(stream, peer),
                Err(error) => {
                    tracing::warn!(%error, "smtp accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    fn admit(&self, stream: TcpStream, peer: SocketAddr) {
        let shared = Arc::clone(&self.shared);
        tokio::spawn(async move {
            match shared.slot(peer.ip()) {
                Some(slot) => {
                    if let Err(error) = session::run(&shared, stream, peer).await {
                        tracing::debug!(%error, "smtp session ended with an error");
                    }
                    drop(slot);
                }
                None => refuse(stream).await,
            }
        });
    }
}

async fn refuse(mut stream: TcpStream) {
    let busy = b"421 4.7.0 Too many connections, try again later\r\n";
    // The client is turned away either way; a failed write changes nothing.
    let _ = stream.write_all(busy).await;
    let _ = stream.shutdown().await;
}

impl<L, S> Shared<L, S> {
    /// Takes a connection slot in total and for this address, if free.
    fn slot(&self, ip: IpAddr) -> Option<Slot> {
        let permit = Arc::clone(&self.connections).try_acquire_owned().ok()?;
        let mut per_ip = self
            .per_ip
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let open = per_ip.entry(ip).or_insert(0);
        if *open >= self.config.max_connections_per_ip {
            return None;
        }
        *open += 1;
        Some(Slot {
            _permit: permit,
            ip,
            per_ip: Arc::clone(&self.per_ip),
        })
    }
}

/// A held connection slot, given back when the session ends.
struct Slot {
    _permit: OwnedSemaphorePermit,
    ip: IpAddr,
    per_ip: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut per_ip = self
            .per_ip
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(open) = per_ip.get_mut(&self.ip) {
            *open -= 1;
            if *open == 0 {
                per_ip.remove(&self.ip);
            }
        }
    }
}
