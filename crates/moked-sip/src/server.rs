//! The SIP server: rsipstack's UDP and TCP transports and transaction
//! layer, with a rate limit per source in front, and the requests handed
//! to the registrar and the call handling.

use crate::calls::Calls;
use crate::config::SipConfig;
use crate::ratelimit::RateLimit;
use crate::registrar::Registrar;
use crate::stateless::Stateless;
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
use socket2::{Domain, Protocol, Socket, Type};
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
        let (udp, addr) = bind_udp_and_tcp_port(config.listen, &cancel).await?;
        transport.add_transport(udp.into());
        transport.add_transport(TcpListenerConnection::new(addr, None).await?.into());
        let stateless = Arc::new(Stateless::default());
        let endpoint = EndpointBuilder::new()
            .with_user_agent(concat!("moked/", env!("CARGO_PKG_VERSION")))
            .with_cancel_token(cancel.clone())
            .with_transport_layer(transport)
            .with_option(EndpointOption {
                // A proxy passes the 2xx on and the caller ACKs it (RFC 3261 §16.7).
                auto_ack_2xx: false,
                ..EndpointOption::default()
            })
            .with_transport_inspector(Box::new(Inspector {
                limit: RateLimit::new(config.requests_per_second),
                stateless: stateless.clone(),
            }))
            .build();
        stateless.attach(&endpoint.inner);
        let incoming = endpoint.incoming_transactions()?;
        let registrar = Arc::new(
            Registrar::new(store.clone(), live.clone(), config.realm)
                .map_err(|error| SipError::Random(error.to_string()))?,
        );
        let calls = Arc::new(Calls::new(
            live.clone(),
            store.clone(),
            registrar.clone(),
            endpoint.inner.clone(),
            config.max_calls,
            config.retry_after_seconds,
            cancel.clone(),
        ));
        end_orphaned_calls(store.as_ref(), &live).await;
        let refer = Arc::downgrade(&calls);
        live.set_call_transfers(move |org, agent, call| {
            let calls = refer.upgrade();
            Box::pin(async move {
                match calls {
                    Some(calls) => calls.refer(org, agent, call).await,
                    None => Err(crate::transfer::conflict("the phone server has stopped")),
                }
            })
        });
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

/// How many ports to try when any port will do: one the system gives for
/// UDP may be taken for TCP by another program's connection.
const ANY_PORT_ATTEMPTS: usize = 32;
/// The SIP UDP socket's receive buffer asked of the kernel (see [`udp_socket`]).
const UDP_RECEIVE_BUFFER: usize = 8 * 1024 * 1024;

/// Binds UDP on `listen` and checks its port is free for TCP too. The
/// stack binds TCP only once it serves and then just logs a failure, so a
/// taken port is found here; with port 0 another port is tried instead.
async fn bind_udp_and_tcp_port(
    listen: SocketAddr,
    cancel: &CancellationToken,
) -> Result<(UdpConnection, SocketAddr), SipError> {
    let attempts = if listen.port() == 0 {
        ANY_PORT_ATTEMPTS
    } else {
        1
    };
    let mut attempt = 1;
    loop {
        let socket = udp_socket(listen).map_err(|source| SipError::Bind {
            addr: listen,
            source,
        })?;
        let udp = UdpConnection::from_socket(Arc::new(socket), None, Some(cancel.clone())).await?;
        let addr = udp.get_addr().get_socketaddr()?;
        match std::net::TcpListener::bind(addr) {
            Ok(probe) => {
                drop(probe);
                return Ok((udp, addr));
            }
            Err(source) if attempt >= attempts => return Err(SipError::Bind { addr, source }),
            Err(_) => attempt += 1,
        }
    }
}

/// A UDP socket bound to `listen` with a receive buffer for bursts: the
/// system's default (about 200 KiB, a hundred datagrams) overflows within
/// milliseconds at a thousand calls a second, and a lost provisional
/// answer is never sent again. The kernel caps the size at
/// `net.core.rmem_max`.
fn udp_socket(listen: SocketAddr) -> std::io::Result<tokio::net::UdpSocket> {
    let socket = Socket::new(
        Domain::for_address(listen),
        Type::DGRAM,
        Some(Protocol::UDP),
    )?;
    socket.set_nonblocking(true)?;
    if let Err(error) = socket.set_recv_buffer_size(UDP_RECEIVE_BUFFER) {
        tracing::warn!(%error, "the SIP UDP receive buffer keeps the system's size");
    }
    socket.bind(&listen.into())?;
    tracing::debug!(
        bytes = socket.recv_buffer_size().unwrap_or_default(),
        "SIP UDP receive buffer"
    );
    tokio::net::UdpSocket::from_std(socket.into())
}

/// Drops requests over a source's rate before any transaction is made,
/// and passes on the messages that need no transaction (module `stateless`).
struct Inspector {
    limit: RateLimit,
    stateless: Arc<Stateless>,
}

#[async_trait]
impl TransportEventInspector for Inspector {
    async fn handle(&self, event: TransportEvent) -> Option<TransportEvent> {
        let TransportEvent::Incoming(message, _, from) = &event else {
            return Some(event);
        };
        if let SipMessage::Request(_) = message
            && let Ok(source) = from.get_socketaddr()
            && !self.limit.allow(source.ip(), Instant::now())
        {
            tracing::debug!(source = %source.ip(), "SIP request over the rate dropped");
            return None;
        }
        if self.stateless.pass(message).await {
            return None;
        }
        Some(event)
    }
}

/// Ends the calls a previous process left waiting or ringing: their
/// callers' INVITE transactions died with it, so nobody can answer them.
/// Answered calls stay; their BYE still finds them by the Record-Route's
/// mark.
async fn end_orphaned_calls(store: &dyn Store, live: &Live) {
    let orgs = match store.organizations().await {
        Ok(orgs) => orgs,
        Err(error) => {
            tracing::warn!(%error, "waiting calls of a previous run not checked");
            return;
        }
    };
    for org in orgs {
        let calls = match live.waiting_calls(org.id).await {
            Ok(calls) => calls,
            Err(error) => {
                tracing::warn!(org = %org.slug, %error, "waiting calls of a previous run not checked");
                continue;
            }
        };
        if !calls.is_empty() {
            tracing::info!(org = %org.slug, calls = calls.len(), "calls left waiting by a previous run ended");
        }
        for call in calls {
            if let Err(error) = live.customer_end(org.id, call).await {
                tracing::warn!(org = %org.slug, %error, "a call left waiting was not ended");
            }
        }
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
