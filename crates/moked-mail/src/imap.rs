//! Polling a mailbox over IMAP, for organizations whose mail stays with
//! their own provider.
//!
//! Unseen messages are fetched with `BODY.PEEK[]` (which leaves them
//! unseen), handed to the same [`InboundSink`] as SMTP mail, and marked
//! `\Seen` one by one only after the sink stored them: a crash or a sink
//! failure leaves a message unseen, to be fetched again at the next poll.
//! The connection is plain IMAP, so the server must be local or trusted.

use crate::smtp::{Envelope, InboundSink};
use futures_util::TryStreamExt;
use moked_domain::EmailAddress;
use std::time::Duration;
use tokio::net::TcpStream;

/// The mailbox to poll.
#[derive(Debug, Clone)]
pub struct ImapConfig {
    /// Server host name or address.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// Login name.
    pub user: String,
    /// Password (never logged).
    pub password: String,
    /// The folder, usually `INBOX`.
    pub folder: String,
    /// The address this mailbox receives, the envelope recipient.
    pub address: EmailAddress,
    /// Messages fetched per poll at most, to bound memory.
    pub batch: usize,
    /// Longest wait for the connection and for each exchange.
    pub timeout: Duration,
}

/// Why a poll stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    /// The server could not be reached.
    #[error("cannot reach the IMAP server: {0}")]
    Connect(#[from] std::io::Error),
    /// The server answered with an error or broke the protocol.
    #[error("IMAP error: {0}")]
    Protocol(#[from] async_imap::error::Error),
    /// The server did not answer in time.
    #[error("the IMAP server did not answer in time")]
    Timeout,
}

/// What one poll did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PollReport {
    /// Messages stored by the sink and marked seen.
    pub delivered: usize,
    /// Messages the sink refused; they stay unseen.
    pub failed: usize,
}

type Session = async_imap::Session<TcpStream>;

/// Fetches the unseen messages once and hands them to the sink.
pub async fn poll_once<S: InboundSink>(
    config: &ImapConfig,
    sink: &S,
) -> Result<PollReport, ImapError> {
    let (mut session, envelope) = open(config).await?;
    let mut report = PollReport::default();
    for (uid, raw) in unseen(&mut session, config).await? {
        match sink.deliver(envelope.clone(), raw).await {
            Ok(()) => {
                mark_seen(&mut session, uid, config.timeout).await?;
                report.delivered += 1;
            }
            Err(error) => {
                tracing::warn!(%error, "polled mail not stored, left unseen");
                report.failed += 1;
            }
        }
    }
    within(config.timeout, session.logout()).await??;
    Ok(report)
}

/// Polls every `interval` until the task is dropped; a failed poll is
/// logged and tried again at the next tick.
pub async fn poll_forever<S: InboundSink>(config: ImapConfig, sink: S, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    loop {
        ticks.tick().await;
        if let Err(error) = poll_once(&config, &sink).await {
            tracing::warn!(%error, host = %config.host, "IMAP poll failed");
        }
    }
}

async fn within<T>(limit: Duration, work: impl Future<Output = T>) -> Result<T, ImapError> {
    tokio::time::timeout(limit, work)
        .await
        .map_err(|_| ImapError::Timeout)
}

async fn open(config: &ImapConfig) -> Result<(Session, Envelope), ImapError> {
    let address = (config.host.as_str(), config.port);
    let stream = within(config.timeout, TcpStream::connect(address)).await??;
    let peer = stream.peer_addr()?;
    let mut client = async_imap::Client::new(stream);
    within(config.timeout, client.read_response()).await??;
    let login = client.login(&config.user, &config.password);
    let mut session = within(config.timeout, login)
        .await?
        .map_err(|(error, _)| error)?;
    within(config.timeout, session.select(&config.folder)).await??;
    let envelope = Envelope {
        peer,
        helo: format!("imap:{}", config.host),
        mail_from: None,
        recipients: vec![config.address.clone()],
    };
    Ok((session, envelope))
}

async fn unseen(
    session: &mut Session,
    config: &ImapConfig,
) -> Result<Vec<(u32, Vec<u8>)>, ImapError> {
    let mut uids: Vec<u32> = within(config.timeout, session.uid_search("UNSEEN"))
        .await??
        .into_iter()
        .collect();
    uids.sort_unstable();
    uids.truncate(config.batch);
    if uids.is_empty() {
        return Ok(Vec::new());
    }
    let set: Vec<String> = uids.iter().map(u32::to_string).collect();
    let fetch = async {
        let fetches = session
            .uid_fetch(set.join(","), "(UID BODY.PEEK[])")
            .await?;
        fetches.try_collect::<Vec<_>>().await
    };
    let fetched = within(config.timeout, fetch).await??;
    Ok(fetched
        .iter()
        .filter_map(|fetch| Some((fetch.uid?, fetch.body()?.to_vec())))
        .collect())
}

async fn mark_seen(session: &mut Session, uid: u32, timeout: Duration) -> Result<(), ImapError> {
    let store = async {
        let updates = session
            .uid_store(uid.to_string(), "+FLAGS.SILENT (\\Seen)")
            .await?;
        updates.try_collect::<Vec<_>>().await
    };
    within(timeout, store).await??;
    Ok(())
}
