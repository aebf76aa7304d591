//! HTTP digest authentication of REGISTER (RFC 3261 §22, RFC 2617 with
//! MD5 and `qop=auth`). Nonces carry their own issue time and a keyed hash
//! of it, so they need no table: a nonce is ours when the hash matches,
//! and stale once older than its lifetime.

use md5::{Digest, Md5};
use std::time::Duration;
use tokio::time::Instant;

/// What a nonce a phone sent back turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NonceCheck {
    /// Ours and fresh.
    Fresh,
    /// Ours but too old: the phone should retry with a new one.
    Stale,
    /// Not one we issued.
    Forged,
}

/// Issues and checks nonces.
pub(crate) struct Nonces {
    secret: [u8; 16],
    start: Instant,
    lifetime: Duration,
}

impl Nonces {
    /// Nonces keyed by a random secret of this process.
    pub(crate) fn new(lifetime: Duration) -> Result<Nonces, getrandom::Error> {
        let mut secret = [0u8; 16];
        getrandom::fill(&mut secret)?;
        Ok(Nonces {
            secret,
            start: Instant::now(),
            lifetime,
        })
    }

    /// A fresh nonce: issue time in seconds since start, then its keyed hash.
    pub(crate) fn issue(&self, now: Instant) -> String {
        let issued = now.duration_since(self.start).as_secs();
        format!("{issued:x}.{}", self.mac(issued))
    }

    /// Whether `nonce` is one of ours, and still fresh at `now`.
    pub(crate) fn check(&self, nonce: &str, now: Instant) -> NonceCheck {
        let Some((issued, mac)) = nonce.split_once('.') else {
            return NonceCheck::Forged;
        };
        let Ok(issued) = u64::from_str_radix(issued, 16) else {
            return NonceCheck::Forged;
        };
        if !same(mac, &self.mac(issued)) {
            return NonceCheck::Forged;
        }
        let age = now
            .duration_since(self.start)
            .as_secs()
            .saturating_sub(issued);
        if age > self.lifetime.as_secs() {
            NonceCheck::Stale
        } else {
            NonceCheck::Fresh
        }
    }

    fn mac(&self, issued: u64) -> String {
        let mut hash = Md5::new();
        hash.update(self.secret);
        hash.update(issued.to_be_bytes());
        hex(&hash.finalize())
    }
}

/// The parts of an `Authorization` header the response is computed over.
pub(crate) struct Answer<'a> {
    pub method: &'a str,
    pub uri: &'a str,
    pub nonce: &'a str,
    /// `(nc, cnonce)` when the phone used `qop=auth`.
    pub qop: Option<(&'a str, &'a str)>,
    pub response: &'a str,
}

/// Whether the phone's response proves it knows the password behind `ha1`.
pub(crate) fn verify(ha1: &str, answer: &Answer<'_>) -> bool {
    let ha2 = md5_hex(&format!("{}:{}", answer.method, answer.uri));
    let expected = match answer.qop {
        Some((nc, cnonce)) => md5_hex(&format!("{ha1}:{}:{nc}:{cnonce}:auth:{ha2}", answer.nonce)),
        None => md5_hex(&format!("{ha1}:{}:{ha2}", answer.nonce)),
    };
    same(&expected, &answer.response.to_ascii_lowercase())
}

/// Lowercase hex MD5 of `username:realm:password`, as accounts store it.
pub fn ha1(username: &str, realm: &str, password: &str) -> String {
    md5_hex(&format!("{username}:{realm}:{password}"))
}

fn md5_hex(text: &str) -> String {
    hex(&Md5::digest(text.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares without stopping at the first difference, so the time taken
/// tells an attacker nothing about how much of a guess was right.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |diff, (x, y)| diff | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_2617_example_response() {
        // RFC 2617 §3.5, with the SIP method and the example's values.
        let ha1 = md5_hex("Mufasa:testrealm@host.com:Circle Of Life");
        let answer = Answer {
            method: "GET",
            uri: "/dir/index.html",
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
            qop: Some(("00000001", "0a4f113b")),
            response: "6629fae49393a05397450978507c4ef1",
        };
        assert!(verify(&ha1, &answer));
        let wrong = ha1_of_wrong_password();
        assert!(!verify(&wrong, &answer));
    }

    fn ha1_of_wrong_password() -> String {
        ha1("Mufasa", "testrealm@host.com", "סיסמה שגויה")
    }

    #[test]
    fn nonces_are_checked_and_go_stale() {
        let nonces = Nonces::new(Duration::from_secs(60)).unwrap();
        let start = Instant::now();
        let nonce = nonces.issue(start);
        assert_eq!(nonces.check(&nonce, start), NonceCheck::Fresh);
        assert_eq!(
            nonces.check(&nonce, start + Duration::from_secs(120)),
            NonceCheck::Stale
        );
        let last = if nonce.ends_with('0') { '1' } else { '0' };
        let forged = format!("{}{last}", &nonce[..nonce.len() - 1]);
        assert_eq!(nonces.check(&forged, start), NonceCheck::Forged);
        assert_eq!(nonces.check("לא-נונס", start), NonceCheck::Forged);
    }
}
