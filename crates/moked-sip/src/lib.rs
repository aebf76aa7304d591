//! The phone channel: a SIP registrar and queueing proxy inside Moked.
//!
//! - **Transport and transactions** are rsipstack's (UDP and TCP on one
//!   port, RFC 3261 timers and retransmissions); this crate adds the proxy
//!   logic on top and parses no SIP itself. A token bucket per source
//!   address drops floods before any transaction exists.
//! - **Registrar** (module `registrar`): agents' phones REGISTER with
//!   digest authentication (MD5, `qop=auth`) against the store's SIP
//!   accounts (`ha1` = MD5 of `username:realm:password`). Nonces carry
//!   their issue time and a keyed hash (module `digest`): a stale one gets
//!   a new challenge with `stale=true`, a wrong password 403. Bindings
//!   expire (60 s to 1 h); an agent's first binding gives it one voice slot
//!   in the live center ([`moked_live::Live::set_phone`]), its last one
//!   going away takes it back: no phone, no calls.
//! - **Calls** (module `calls`): an INVITE to an address routed to a voice
//!   queue (`sip_route`) gets 100 Trying, enters the queue
//!   ([`moked_live::Live::open_call`]: the caller's P-Asserted-Identity or
//!   From number normalized with `PhoneE164::parse` and matched to a
//!   customer), then 182 Queued with `Warning: 399 moked "position N,
//!   estimated wait S s"`. When the live center offers the call to an
//!   agent, the INVITE goes to the agent's phone (module `proxy`: Via,
//!   Record-Route, Max-Forwards, loop detection) and its 180/183/200 come
//!   back to the caller; the 200 connects the call. A ring-out (the
//!   queue's offer timeout) CANCELs the phone; a busy or declining phone
//!   or a failed INVITE makes the agent not ready; either way the call
//!   goes back to its place and on to the next agent. The caller's CANCEL
//!   while waiting or ringing is an abandonment. A BYE from either side is
//!   passed on and ends the call (the agent's wrap-up starts). The offers
//!   come from the organization's live events; when this server falls
//!   behind them (a flood of waiting callers' new places), it reads the
//!   offers ringing now ([`moked_live::Live::call_offers`]) so no offered
//!   call is left without its phone ringing.
//! - **Refusals**: an unknown address 404; more calls waiting or ringing
//!   than [`SipConfig::max_calls`] 503 with `Retry-After`; Max-Forwards at
//!   zero 483; a request that already passed here 482; unreadable headers
//!   400; unparseable datagrams are dropped by the stack. Every
//!   transaction ends by its timers; answered calls' dialogs are forgotten
//!   at their BYE or after 12 hours.
//! - **Dialogs** (module `dialog`): the Record-Route carries the call's
//!   organization, interaction, agent and a hash of the caller's tag, so a
//!   BYE is forwarded by loose routing and ends the right call without any
//!   memory of the dialog; at start, voice calls a previous process left
//!   waiting or ringing are ended. A phone's repeated 2xx and the caller's
//!   2xx ACKs are passed on statelessly (module `stateless`, RFC 3261 §16.7).
//! - **Transfer** (module `transfer`): a transfer from the desktop sends a
//!   REFER to the caller in the dialog on the agent's behalf, once the
//!   caller has acknowledged the answer; a refusal leaves the call with the
//!   agent and the desktop gets 409; on 202 both ends of the old dialog get
//!   BYE from here, the agent wraps up, and the caller's INVITE to
//!   `sip:transfer-TOKEN@…` is the same interaction, queued again.

mod calls;
mod config;
mod dialog;
mod digest;
mod proxy;
mod ratelimit;
mod registrar;
mod server;
mod stateless;
mod transfer;

pub use config::{DEFAULT_MAX_CALLS, DEFAULT_REQUESTS_PER_SECOND, SipConfig};
pub use digest::ha1;
pub use server::{SipError, SipServer};
