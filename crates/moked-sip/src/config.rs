//! The SIP server's settings, filled from `moked serve`'s configuration.

use std::net::SocketAddr;

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
            max_calls: 10_000,
            requests_per_second: 200,
            retry_after_seconds: 30,
        }
    }
}
