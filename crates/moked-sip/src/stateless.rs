//! Messages this server passes on with no transaction of its own, looked
//! at as they arrive, before the SIP stack matches them to transactions:
//!
//! - every 2xx to an INVITE whose client transaction is gone (the phone
//!   repeating its answer after the caller's ACK, or after a restart) goes
//!   back up its Via path, as a proxy forwards every 2xx (RFC 3261 §16.7);
//! - every ACK of a 2xx (it is routed to this server by the dialog's
//!   Record-Route) goes on to the phone, end to end (§16.11, §13.2.2.4);
//!   the stack still sees it so the caller's INVITE transaction stops
//!   repeating the 2xx.

use crate::proxy::{self, Own};
use rsipstack::sip::prelude::HeadersExt;
use rsipstack::sip::typed::Via;
use rsipstack::sip::{HostWithPort, Method, Request, Response, SipMessage, StatusCodeKind};
use rsipstack::transaction::endpoint::EndpointInner;
use rsipstack::transaction::key::{TransactionKey, TransactionRole};
use rsipstack::transport::SipAddr;
use std::sync::{Arc, OnceLock, Weak};

/// The endpoint, known once it is built (it owns the inspector that uses
/// this, hence the weak reference).
#[derive(Default)]
pub(crate) struct Stateless {
    endpoint: OnceLock<(Weak<EndpointInner>, Own)>,
}

impl Stateless {
    pub(crate) fn attach(&self, endpoint: &Arc<EndpointInner>) {
        let own = Own::new(endpoint.get_addrs());
        let _ = self.endpoint.set((Arc::downgrade(endpoint), own));
    }

    /// Passes the message on if it is one of the above; `true` when the
    /// stack must not see it any more.
    pub(crate) async fn pass(&self, message: &SipMessage) -> bool {
        let Some((endpoint, own)) = self.endpoint.get() else {
            return false;
        };
        let Some(endpoint) = endpoint.upgrade() else {
            return false;
        };
        match message {
            SipMessage::Request(ack) if ack.method == Method::Ack => {
                if own.routes_here(ack) {
                    pass_ack(&endpoint, own, ack.clone()).await;
                }
                false
            }
            SipMessage::Response(response) if is_invite_2xx(response) => {
                let key = TransactionKey::from_response(response, TransactionRole::Client);
                if key.is_ok_and(|key| endpoint.transactions.contains_key(&key)) {
                    return false;
                }
                relay_2xx(&endpoint, own, response.clone()).await;
                true
            }
            _ => false,
        }
    }
}

fn is_invite_2xx(response: &Response) -> bool {
    response.status_code.kind() == StatusCodeKind::Successful
        && response
            .cseq_header()
            .and_then(|cseq| cseq.method())
            .is_ok_and(|method| method == Method::Invite)
}

/// Sends a 2xx ACK on to the phone.
pub(crate) async fn pass_ack(endpoint: &EndpointInner, own: &Own, mut ack: Request) {
    own.strip_route(&mut ack);
    let sent = match (proxy::forward(&ack, endpoint, None), proxy::next_hop(&ack)) {
        (Ok(forwarded), Ok(to)) => {
            proxy::send_stateless(endpoint, SipMessage::Request(forwarded), &to).await
        }
        (Err(error), _) | (_, Err(error)) => Err(error),
    };
    if let Err(error) = sent {
        tracing::debug!(%error, "ACK not passed on");
    }
}

/// Sends a 2xx whose transaction is gone back towards the caller.
pub(crate) async fn relay_2xx(endpoint: &EndpointInner, own: &Own, response: Response) {
    let ours = response
        .via_header()
        .ok()
        .and_then(|via| Via::parse(via.value().split(',').next()?).ok())
        .is_some_and(|via| own.is_own(via.sent_by()));
    if !ours {
        return;
    }
    let response = proxy::backward(response);
    let Some(to) = response
        .via_header()
        .ok()
        .and_then(|via| Via::parse(via.value().split(',').next()?).ok())
        .map(|via| reply_address(&via))
    else {
        return;
    };
    if let Err(error) = proxy::send_stateless(endpoint, SipMessage::Response(response), &to).await {
        tracing::debug!(%error, "repeated 2xx not passed on");
    }
}

/// Where a response goes for a Via (RFC 3261 §18.2.2, RFC 3581): the
/// address it was received from and its rport, else its sent-by.
fn reply_address(via: &Via) -> SipAddr {
    let mut addr = via.sent_by().clone();
    for param in &via.params {
        match param {
            rsipstack::sip::Param::Received(received) => {
                if let Ok(ip) = received.value().parse::<std::net::IpAddr>() {
                    addr.host = ip.into();
                }
            }
            rsipstack::sip::Param::Rport(Some(port)) => addr.port = Some((*port).into()),
            _ => {}
        }
    }
    SipAddr {
        r#type: Some(via.transport),
        addr: HostWithPort {
            host: addr.host,
            port: addr.port,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_response_goes_where_its_via_was_received_from() {
        let via = Via::parse(
            "SIP/2.0/UDP phone.example:5070;branch=z9hG4bKx;received=10.0.0.9;rport=6001",
        )
        .unwrap();
        let to = reply_address(&via);
        assert_eq!(to.addr.to_string(), "10.0.0.9:6001");
        let plain = Via::parse("SIP/2.0/UDP 10.0.0.7:5080;branch=z9hG4bKy").unwrap();
        assert_eq!(reply_address(&plain).addr.to_string(), "10.0.0.7:5080");
    }
}
