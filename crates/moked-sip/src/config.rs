//! The SIP server's settings, filled from `moked serve`'s configuration.

use std::net::SocketAddr;

/// Requests a second from one source address unless the environment says
/// otherwise.
pub const DEFAULT_REQUESTS_PER_SECOND: u32 = 200;

/// Environment variable setting [`SipConfig::requests_per_second`] for
/// `moked serve` and `moked demo`: a trunk, a session border controller or
/// a load generator sends every call from one address, and at 200 requests
/// a second (three per call: INVITE, ACK, BYE) it would be cut at about 66
/// calls a second.
pub const REQUESTS_PER_SECOND_VAR: &str = "MOKED_SIP_REQUESTS_PER_SECOND";

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
            requests_per_second: requests_per_second_from_env(),
            retry_after_seconds: 30,
        }
    }
}

/// The rate of [`REQUESTS_PER_SECOND_VAR`] when set; a value that is not a
/// whole number from 1 up is reported and the default kept, since the
/// server's settings are already checked by the time SIP starts.
fn requests_per_second_from_env() -> u32 {
    let Some(text) = std::env::var_os(REQUESTS_PER_SECOND_VAR) else {
        return DEFAULT_REQUESTS_PER_SECOND;
    };
    match parse_rate(&text.to_string_lossy()) {
        Ok(rate) => rate,
        Err(problem) => {
            tracing::error!(
                variable = REQUESTS_PER_SECOND_VAR,
                problem,
                default = DEFAULT_REQUESTS_PER_SECOND,
                "ignored; the default rate applies"
            );
            DEFAULT_REQUESTS_PER_SECOND
        }
    }
}

fn parse_rate(text: &str) -> Result<u32, &'static str> {
    match text.trim().parse::<u32>() {
        Ok(0) => Err("must be at least 1"),
        Ok(rate) => Ok(rate),
        Err(_) => Err("not a whole number of requests a second"),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_rate;

    #[test]
    fn a_rate_is_a_positive_whole_number() {
        assert_eq!(parse_rate("5000"), Ok(5000));
        assert_eq!(parse_rate(" 300\n"), Ok(300));
        assert!(parse_rate("0").is_err());
        assert!(parse_rate("אלף").is_err());
        assert!(parse_rate("-5").is_err());
        assert!(parse_rate("1.5").is_err());
    }
}
