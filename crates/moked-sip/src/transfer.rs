//! Blind transfer of an answered call (RFC 3515, RFC 5589), done by this
//! proxy on behalf of the agent's phone when the agent transfers the call
//! from the desktop ([`moked_live::Live::transfer`] asks here first):
//!
//! 1. A REFER goes to the caller inside the call's dialog, from the
//!    agent's end (its tag, the next CSeq after the highest the phone
//!    used), with `Refer-To: <sip:transfer-TOKEN@this-server>`.
//! 2. Refused (any final answer but 2xx) or unanswered: the call stays with
//!    the agent and the desktop gets the error. Accepted (202): this server
//!    sends BYE to the agent's phone itself (from the caller's end, the next
//!    CSeq after the caller's), so the phone never sends another request in
//!    the dialog and no CSeq of ours can clash with one of its own, and BYE
//!    to the caller (from the agent's end), as a transferor hangs up; the
//!    old dialog's later requests from the caller (its NOTIFYs, a BYE that
//!    crossed ours) are answered here and end nothing. Then the live center moves the call
//!    (queued in the target queue or reserved for the target agent).
//! 3. The caller's INVITE to the Refer-To address is the same interaction,
//!    not a new contact: 100, 182, and the INVITE is forwarded to the next
//!    agent when the call is offered, as for a new call. A caller who never
//!    calls the transfer address within [`TRANSFER_WAIT`] has abandoned.
//!
//! The hang-up of both ends in step 2 ([`Calls::hang_up_both`]) also ends
//! an answer the caller never acknowledged (module `calls`).

use crate::calls::{Calls, lock};
use crate::dialog::Ends;
use crate::proxy::{self, ForwardError};
use moked_live::LiveError;
use moked_store::{InteractionId, OrgId, UserId};
use rsipstack::sip::headers::untyped::{Event, ReferTo, ReferredBy};
use rsipstack::sip::prelude::HeadersExt;
use rsipstack::sip::{Header, Method, Request, SipMessage, StatusCode, StatusCodeKind, Version};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// How long a caller whose phone accepted a transfer has to call the
/// transfer address.
pub(crate) const TRANSFER_WAIT: Duration = Duration::from_secs(60);
/// How long a transfer waits for the caller's ACK of the answer (the 2xx
/// is repeated for about that long when its ACK is lost).
const CONFIRM_WAIT: Duration = Duration::from_secs(8);
/// How long a dialog this server hung up (a transferred call's old one,
/// an answer never acknowledged) is answered here.
const HUNG_UP_LIFETIME: Duration = Duration::from_secs(3600);
/// The user part of a transfer address, before its token.
pub(crate) const TRANSFER_PREFIX: &str = "transfer-";

/// A transfer the caller's phone accepted, waiting for its INVITE.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pending {
    pub org: OrgId,
    pub call: InteractionId,
}

/// Which way a request this server makes in a dialog goes.
#[derive(Clone, Copy)]
enum Towards {
    Caller,
    Phone,
}

impl Calls {
    /// Carries out the SIP side of a transfer of `call`, answered by
    /// `agent`'s phone; see the module doc.
    pub(crate) async fn refer(
        self: Arc<Self>,
        org: OrgId,
        agent: UserId,
        call: InteractionId,
    ) -> Result<(), LiveError> {
        let ends = self.confirmed_ends(org, agent, call).await?;
        let token = token().map_err(|_| conflict("no random numbers for a transfer"))?;
        let host = self
            .endpoint
            .get_addrs()
            .first()
            .map(|addr| addr.addr.to_string())
            .ok_or_else(|| conflict("the phone server has no address"))?;
        let mut ends = ends;
        let cseq = ends.agent_cseq + 1;
        ends.agent_cseq = cseq;
        if let Some(kept) = lock(&self.ends).get_mut(&ends.call_id) {
            kept.agent_cseq = cseq;
        }
        let extra = vec![
            ReferTo::new(format!("<sip:{TRANSFER_PREFIX}{token}@{host}>")).into(),
            ReferredBy::new(format!("<{}>", ends.agent_target)).into(),
            Header::Contact(format!("<{}>", ends.agent_target).into()),
        ];
        lock(&self.transfers).insert(token.clone(), Pending { org, call });
        let answer = self
            .request_in(&ends, Towards::Caller, Method::Refer, cseq, extra)
            .await;
        match answer {
            Ok(status) if status.kind() == StatusCodeKind::Successful => {}
            refused => {
                lock(&self.transfers).remove(&token);
                return Err(conflict(match refused {
                    Ok(status) => format!(
                        "the caller's phone refused the transfer (SIP {})",
                        u16::from(status)
                    ),
                    Err(_) => "the caller's phone did not answer the transfer".to_owned(),
                }));
            }
        }
        self.hang_up_both(ends);
        tokio::spawn(self.clone().expire_transfer(token));
        Ok(())
    }

    /// The dialog of `agent`'s call once the caller has acknowledged the
    /// answer: a REFER must not reach the caller before the 2xx (the desktop
    /// can transfer as soon as the call shows connected).
    async fn confirmed_ends(
        &self,
        org: OrgId,
        agent: UserId,
        call: InteractionId,
    ) -> Result<Ends, LiveError> {
        let deadline = Instant::now() + CONFIRM_WAIT;
        loop {
            let acknowledged = self.confirmations.notified();
            tokio::pin!(acknowledged);
            // Registered before the check, so an ACK in between wakes it.
            acknowledged.as_mut().enable();
            let ends = lock(&self.ends)
                .values()
                .find(|e| e.mark.org == org && e.mark.call == call && e.mark.agent == agent)
                .cloned()
                .ok_or_else(|| {
                    conflict(
                        "the call's SIP dialog is not known here (answered before the phone server restarted)",
                    )
                })?;
            if ends.confirmed {
                return Ok(ends);
            }
            if tokio::time::timeout_at(deadline, acknowledged)
                .await
                .is_err()
            {
                return Err(conflict(
                    "the caller's phone has not acknowledged the answer",
                ));
            }
        }
    }

    /// Hangs up a dialog for both of its ends: each gets BYE, and its
    /// requests are answered here from now on. A transferor hangs up so
    /// once the transfer is accepted (RFC 5589 §6.1).
    pub(crate) fn hang_up_both(self: &Arc<Self>, ends: Ends) {
        lock(&self.ends).remove(&ends.call_id);
        let now = Instant::now();
        {
            let mut hung_up = lock(&self.hung_up);
            hung_up.retain(|_, since| now.duration_since(*since) < HUNG_UP_LIFETIME);
            hung_up.insert(ends.call_id.clone(), now);
        }
        let calls = self.clone();
        tokio::spawn(async move {
            let to_phone = calls.request_in(
                &ends,
                Towards::Phone,
                Method::Bye,
                ends.caller_cseq + 1,
                Vec::new(),
            );
            let to_caller = calls.request_in(
                &ends,
                Towards::Caller,
                Method::Bye,
                ends.agent_cseq + 1,
                Vec::new(),
            );
            let (phone, caller) = tokio::join!(to_phone, to_caller);
            tracing::debug!(?phone, ?caller, "a dialog hung up by this server");
        });
    }

    /// Ends a transfer whose caller never called back: an abandonment.
    async fn expire_transfer(self: Arc<Self>, token: String) {
        tokio::time::sleep(TRANSFER_WAIT).await;
        let Some(pending) = lock(&self.transfers).remove(&token) else {
            return;
        };
        tracing::info!(org = %pending.org, "a transferred caller never called back");
        if let Err(error) = self.live.customer_end(pending.org, pending.call).await {
            tracing::debug!(%error, "the unclaimed transfer was already over");
        }
    }

    /// The transfer an INVITE to a transfer address claims.
    pub(crate) fn claim_transfer(&self, user: &str) -> Option<Pending> {
        let token = user.strip_prefix(TRANSFER_PREFIX)?;
        lock(&self.transfers).remove(token)
    }

    /// Whether the request belongs to a dialog this server hung up (see
    /// [`Calls::hang_up_both`]); it is then answered here (its BYE forgets
    /// the dialog).
    pub(crate) fn hung_up_here(&self, request: &Request) -> bool {
        let Ok(call_id) = request.call_id_header() else {
            return false;
        };
        let mut hung_up = lock(&self.hung_up);
        if request.method == Method::Bye {
            hung_up.remove(call_id.value()).is_some()
        } else {
            hung_up.contains_key(call_id.value())
        }
    }

    /// Sends a request of this server's own in the dialog and returns the
    /// final status it got.
    async fn request_in(
        &self,
        ends: &Ends,
        towards: Towards,
        method: Method,
        cseq: u32,
        extra: Vec<Header>,
    ) -> Result<StatusCode, ForwardError> {
        let (target, routes, from, to) = match towards {
            Towards::Caller => (
                &ends.caller_target,
                &ends.caller_routes,
                &ends.agent,
                &ends.caller,
            ),
            Towards::Phone => (
                &ends.agent_target,
                &ends.agent_routes,
                &ends.caller,
                &ends.agent,
            ),
        };
        let mut headers: Vec<Header> = vec![
            self.endpoint.get_via(None, None)?.into(),
            Header::MaxForwards(70.into()),
            Header::From(from.clone().into()),
            Header::To(to.clone().into()),
            Header::CallId(ends.call_id.clone().into()),
            Header::CSeq(format!("{cseq} {method}").into()),
        ];
        if !routes.is_empty() {
            headers.push(Header::Route(routes.join(", ").into()));
        }
        if matches!(method, Method::Refer) {
            headers.push(Event::new("refer").into());
        }
        headers.extend(extra);
        headers.push(Header::ContentLength(0.into()));
        let request = Request {
            method,
            uri: target.clone(),
            version: Version::V2,
            headers: headers.into(),
            body: Vec::new(),
        };
        let to = proxy::next_hop(&request)?;
        let mut tx = self.send(request, to).await?;
        while let Some(message) = tx.receive().await {
            if let SipMessage::Response(response) = message
                && response.status_code.kind() != StatusCodeKind::Provisional
            {
                return Ok(response.status_code);
            }
        }
        Ok(StatusCode::RequestTimeout)
    }
}

/// The desktop's error for a transfer that could not happen (HTTP 409).
pub(crate) fn conflict(detail: impl Into<String>) -> LiveError {
    LiveError::Conflict {
        detail: detail.into(),
    }
}

/// 128 random bits, hex: the transfer address cannot be guessed.
fn token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_differ_and_are_hex() {
        let (a, b) = (super::token().unwrap(), super::token().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
