//! The SIP server: rsipstack's UDP and TCP transports and transaction
//! layer, with a rate limit per source in front, and the requests handed
//! to the registrar and the call handling.

use crate::calls::Calls;
use crate::config::SipConfig;
use crate::ratelimit::RateLimit;
use crate::registrar::Registrar;
use async_trait::async_trait;
use moked_live::Live;
use moked_store::Store;
use rsipstack::EndpointBuilder;
use rsipstack::sip::prelude::HeadersExt;
use rsipstack::sip::{Method, SipMessage, StatusCode};
use rsipstack::transaction::TransactionReceiver;
use rsipstack::transaction::endpoint::{EndpointOption, TransportEventInspector};
use rsipstack::transaction::transaction::Transaction;
use rsipstack::transport::udp::UdpConnection;
use rsipstack::transport::{TcpListenerConnection, TransportEvent, TransportLayer};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Why the SIP server did not start.
#[derive(Debug, thiserror::Error)]
pub enum SipError {
    /// The address could not be bound (in use, not local, no permission).
    #[error("cannot listen for SIP on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The SIP stack refused to start.
    #[error("SIP stack: {0}")]
    Stack(#[from] rsipstack::Error),
    /// No randomness for nonces.
    #[error("no random numbers for digest nonces: {0}")]
    Random(String),
}

/// A running SIP server; stops when dropped.
#[derive(Debug)]
pub struct SipServer {
    addr: SocketAddr,
    cancel: CancellationToken,
}

impl SipServer {
    /// Listens on `config.listen` (UDP and TCP, same port) and serves
    /// registrations and calls until dropped.
    pub async fn start(
        config: SipConfig,
        store: Arc<dyn Store>,
        live: Live,
    ) -> Result<SipServer, SipError> {
        let cancel = CancellationToken::new();
        let transport = TransportLayer::new(cancel.clone());
        let udp = UdpConnection::create_connection(config.listen, None, Some(cancel.clone()))
            .await
            .map_err(|error| bind_error(config.listen, error))?;
        let addr = udp.get_addr().get_socketaddr()?;
        // The stack binds TCP only once it serves and then just logs a
        // failure: try the port first, so a taken one is reported here.
        drop(std::net::TcpListener::bind(addr).map_err(|source| SipError::Bind { addr, source })?);
        transport.add_transport(udp.into());
        transport.add_transport(TcpListenerConnection::new(addr, None).await?.into());
        let endpoint = EndpointBuilder::new()
            .with_user_agent(concat!("moked/", env!("CARGO_PKG_VERSION")))
            .with_cancel_token(cancel.clone())
            .with_transport_layer(transport)
            .with_option(EndpointOption {
                // A proxy passes the 2xx on and the caller ACKs it (RFC 3261 §16.7).
                auto_ack_2xx: false,
                ..EndpointOption::default()
            })
            .with_transport_inspector(Box::new(Limiter(RateLimit::new(
                config.requests_per_second,
            ))))
            .build();
        let incoming = endpoint.incoming_transactions()?;
        let registrar = Arc::new(
            Registrar::new(store.clone(), live.clone(), config.realm)
                .map_err(|error| SipError::Random(error.to_string()))?,
        );
        let calls = Arc::new(Calls::new(
            live,
            store,
            registrar.clone(),
            endpoint.inner.clone(),
            config.max_calls,
            config.retry_after_seconds,
        ));
        tokio::spawn(async move { endpoint.serve().await });
        tokio::spawn(serve(incoming, registrar.clone(), calls, cancel.clone()));
        tokio::spawn(expire(registrar, cancel.clone()));
        tracing::info!(%addr, "SIP listening (UDP and TCP)");
        Ok(SipServer { addr, cancel })
    }

    /// The address it listens on (UDP and TCP).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for SipServer {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

fn bind_error(addr: SocketAddr, error: rsipstack::Error) -> SipError {
    match error {
        rsipstack::Error::IoError(source) => SipError::Bind { addr, source },
        other => SipError::Stack(other),
    }
}

/// Drops requests over a source's rate before any transaction is made.
struct Limiter(RateLimit);

#[async_trait]
impl TransportEventInspector for Limiter {
    async fn handle(&self, event: TransportEvent) -> Option<TransportEvent> {
        if let TransportEvent::Incoming(SipMessage::Request(_), _, from) = &event
            && let Ok(source) = from.get_socketaddr()
            && !self.0.allow(source.ip(), Instant::now())
        {
            tracing::debug!(source = %source.ip(), "SIP request over the rate dropped");
            return None;
        }
        Some(event)
    }
}

/// Hands each new server transaction to its handler, in its own task.
async fn serve(
    mut incoming: TransactionReceiver,
    registrar: Arc<Registrar>,
    calls: Arc<Calls>,
    cancel: CancellationToken,
) {
    loop {
        let mut tx = tokio::select! {
            _ = cancel.cancelled() => return,
            tx = incoming.recv() => match tx {
                Some(tx) => tx,
                None => return,
            },
        };
        let in_dialog = tx
            .original
            .to_header()
            .ok()
            .and_then(|to| to.tag().ok().flatten())
            .is_some();
        match tx.original.method {
            Method::Register => {
                let registrar = registrar.clone();
                tokio::spawn(async move { registrar.register(&mut tx).await });
            }
            Method::Invite if !in_dialog => {
                tokio::spawn(calls.clone().invite(tx));
            }
            _ if in_dialog => {
                tokio::spawn(calls.clone().in_dialog(tx));
            }
            Method::Options => {
                tokio::spawn(async move { reply(&mut tx, StatusCode::OK).await });
            }
            _ => {
                tokio::spawn(async move { reply(&mut tx, StatusCode::MethodNotAllowed).await });
            }
        }
    }
}

async fn reply(tx: &mut Transaction, status: StatusCode) {
    if let Err(error) = tx.reply(status).await {
        tracing::debug!(%error, "answer not sent");
    }
}

/// Sweeps expired registrations once a second.
async fn expire(registrar: Arc<Registrar>, cancel: CancellationToken) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => registrar.expire(Instant::now()).await,
        }
    }
}
