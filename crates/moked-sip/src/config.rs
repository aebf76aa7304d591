//! The SIP server's settings, filled from `moked serve`'s configuration
//! (`--sip-listen`, `--sip-realm`, `--sip-max-calls`,
//! `--sip-requests-per-second`).

use std::net::SocketAddr;

/// Requests a second from one source address unless configured otherwise.
/// A trunk, a session border controller or a load generator sends every
/// call from one address: at 200 requests a second (three per call: INVITE,
/// ACK, BYE) it is cut at about 66 calls a second, so such a setup raises it.
pub const DEFAULT_REQUESTS_PER_SECOND: u32 = 200;

/// Calls in progress at once unless configured otherwise.
pub const DEFAULT_MAX_CALLS: usize = 10_000;

/// How the SIP server listens and what it allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipConfig {
    /// Address and port for both UDP and TCP (port 0: any free port).
    pub listen: SocketAddr,
    /// Digest realm of the agents' accounts.
    pub realm: String,
    /// Calls in progress at once (waiting, ringing or talking); more get 503.
    pub max_calls: usize,
    /// Requests a second from one source address; more are dropped.
    pub requests_per_second: u32,
    /// Seconds a caller refused for capacity is told to wait (`Retry-After`).
    pub retry_after_seconds: u32,
}

impl Default for SipConfig {
    fn default() -> Self {
        SipConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 5060)),
            realm: "moked".to_owned(),
            max_calls: DEFAULT_MAX_CALLS,
            requests_per_second: DEFAULT_REQUESTS_PER_SECOND,
            retry_after_seconds: 30,
        }
    }
}
