//! The registrar: agents' phones REGISTER with digest authentication
//! against the accounts in the store; bindings expire unless refreshed.
//! An agent's first binding gives it a voice slot in the live center, its
//! last one going away (unregistered or expired) takes it back.

use crate::digest::{self, Answer, NonceCheck, Nonces};
use moked_live::Live;
use moked_store::{OrgId, SipAccount, Store, UserId};
use rsipstack::sip::headers::auth::{Algorithm, AuthQop, Qop, Scheme};
use rsipstack::sip::prelude::HeadersExt;
use rsipstack::sip::{Header, Param, StatusCode, Uri, typed};
use rsipstack::transaction::transaction::Transaction;
use rsipstack::transport::SipAddr;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// Registration lifetime when the phone asks for none.
const DEFAULT_EXPIRES: u32 = 3600;
/// The longest registration granted.
const MAX_EXPIRES: u32 = 3600;
/// The shortest registration accepted (RFC 3261 §10.3: 423 below it).
pub(crate) const MIN_EXPIRES: u32 = 60;
/// How long a nonce stays fresh.
const NONCE_LIFETIME: Duration = Duration::from_secs(300);

/// Where one of an agent's phones can be reached.
#[derive(Debug, Clone)]
pub(crate) struct Binding {
    pub uri: Uri,
    pub target: SipAddr,
    expires: Instant,
}

/// An agent's registered phones.
#[derive(Debug)]
struct Registration {
    bindings: Vec<Binding>,
}

/// Why a REGISTER was refused, as the status it is answered with.
#[derive(Debug)]
enum Refusal {
    /// Challenge (again), stale or not.
    Challenge {
        stale: bool,
    },
    Status(StatusCode),
    TooBrief,
}

/// The registrar and its bindings.
pub(crate) struct Registrar {
    store: Arc<dyn Store>,
    live: Live,
    realm: String,
    nonces: Nonces,
    phones: Mutex<HashMap<(OrgId, UserId), Registration>>,
}

impl Registrar {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        live: Live,
        realm: String,
    ) -> Result<Registrar, getrandom::Error> {
        Ok(Registrar {
            store,
            live,
            realm,
            nonces: Nonces::new(NONCE_LIFETIME)?,
            phones: Mutex::new(HashMap::new()),
        })
    }

    /// The phone an offered call goes to: the agent's latest binding.
    pub(crate) fn phone_of(&self, org: OrgId, user: UserId) -> Option<Binding> {
        let phones = self.phones.lock().unwrap_or_else(|p| p.into_inner());
        phones.get(&(org, user))?.bindings.last().cloned()
    }

    /// Answers a REGISTER.
    pub(crate) async fn register(&self, tx: &mut Transaction) {
        let now = Instant::now();
        let answer = match self.authenticate(tx, now).await {
            Ok(account) => self.bind(tx, &account, now).await,
            Err(refusal) => Err(refusal),
        };
        let sent = match answer {
            Ok(contacts) => tx.reply_with(StatusCode::OK, contacts, None).await,
            Err(Refusal::Challenge { stale }) => {
                let challenge = self.challenge(stale, now);
                tx.reply_with(StatusCode::Unauthorized, vec![challenge], None)
                    .await
            }
            Err(Refusal::TooBrief) => {
                let min = Header::MinExpires(MIN_EXPIRES.to_string().into());
                tx.reply_with(StatusCode::IntervalTooBrief, vec![min], None)
                    .await
            }
            Err(Refusal::Status(status)) => tx.reply(status).await,
        };
        if let Err(error) = sent {
            tracing::debug!(%error, "REGISTER answer not sent");
        }
    }

    fn challenge(&self, stale: bool, now: Instant) -> Header {
        typed::WwwAuthenticate {
            scheme: Scheme::Digest,
            realm: self.realm.clone(),
            domain: None,
            nonce: self.nonces.issue(now),
            opaque: None,
            stale: stale.then(|| "true".to_owned()),
            algorithm: Some(Algorithm::Md5),
            qop: Some(Qop::Auth),
            charset: None,
        }
        .into()
    }

    /// The account the request proves it holds.
    async fn authenticate(&self, tx: &Transaction, now: Instant) -> Result<SipAccount, Refusal> {
        let request = &tx.original;
        let Some(header) = request.authorization_header() else {
            return Err(Refusal::Challenge { stale: false });
        };
        let raw = header.value();
        let auth = typed::Authorization::parse(raw)
            .map_err(|_| Refusal::Status(StatusCode::BadRequest))?;
        match self.nonces.check(&auth.nonce, now) {
            NonceCheck::Fresh => {}
            NonceCheck::Stale => return Err(Refusal::Challenge { stale: true }),
            NonceCheck::Forged => return Err(Refusal::Challenge { stale: false }),
        }
        let forbidden = Refusal::Status(StatusCode::Forbidden);
        let aor = request
            .to_header()
            .and_then(|to| to.uri())
            .map_err(|_| Refusal::Status(StatusCode::BadRequest))?;
        if aor.user() != Some(auth.username.as_str()) || auth.realm != self.realm {
            return Err(forbidden);
        }
        let account = match self.store.sip_account_by_username(&auth.username).await {
            Ok(Some(account)) => account,
            Ok(None) => return Err(forbidden),
            Err(error) => {
                tracing::warn!(%error, "SIP account lookup failed");
                return Err(Refusal::Status(StatusCode::ServerInternalError));
            }
        };
        let qop = match &auth.qop {
            Some(AuthQop::Auth { cnonce, nc }) => Some((format!("{nc:08x}"), cnonce.as_str())),
            Some(AuthQop::AuthInt { .. }) => return Err(forbidden),
            None => None,
        };
        // The digest covers the URI exactly as the phone wrote it.
        let uri = quoted_param(raw, "uri").unwrap_or_default();
        let answer = Answer {
            method: "REGISTER",
            uri: &uri,
            nonce: &auth.nonce,
            qop: qop.as_ref().map(|(nc, cnonce)| (nc.as_str(), *cnonce)),
            response: &auth.response,
        };
        if account.realm != self.realm || !digest::verify(&account.ha1, &answer) {
            tracing::info!(username = %auth.username, "SIP digest refused");
            return Err(forbidden);
        }
        Ok(account)
    }

    /// Applies the request's contacts and returns the bindings to answer with.
    async fn bind(
        &self,
        tx: &Transaction,
        account: &SipAccount,
        now: Instant,
    ) -> Result<Vec<Header>, Refusal> {
        let request = &tx.original;
        let default = match request.expires_header() {
            Some(expires) => expires
                .value()
                .trim()
                .parse::<u32>()
                .map_err(|_| Refusal::Status(StatusCode::BadRequest))?,
            None => DEFAULT_EXPIRES,
        };
        let wildcard = request
            .contact_headers()
            .iter()
            .any(|contact| contact.value().trim() == "*");
        let contacts = if wildcard {
            Vec::new()
        } else {
            request
                .typed_contact_headers()
                .map_err(|_| Refusal::Status(StatusCode::BadRequest))?
        };
        let mut changes = Vec::new();
        for contact in &contacts {
            let expires = contact.expires().unwrap_or(default).min(MAX_EXPIRES);
            if expires > 0 && expires < MIN_EXPIRES {
                return Err(Refusal::TooBrief);
            }
            let target = SipAddr::try_from(&contact.uri)
                .map_err(|_| Refusal::Status(StatusCode::BadRequest))?;
            changes.push((contact.uri.clone(), target, expires));
        }
        if wildcard && default != 0 {
            return Err(Refusal::Status(StatusCode::BadRequest));
        }
        let key = (account.org, account.user);
        let (before, after, listed) = {
            let mut phones = self.phones.lock().unwrap_or_else(|p| p.into_inner());
            let registration = phones.entry(key).or_insert_with(|| Registration {
                bindings: Vec::new(),
            });
            let before = !registration.bindings.is_empty();
            if wildcard {
                registration.bindings.clear();
            }
            for (uri, target, expires) in changes {
                registration.bindings.retain(|binding| binding.uri != uri);
                if expires > 0 {
                    let expires = now + Duration::from_secs(u64::from(expires));
                    registration.bindings.push(Binding {
                        uri,
                        target,
                        expires,
                    });
                }
            }
            let listed = contact_headers(&registration.bindings, now);
            let after = !registration.bindings.is_empty();
            if !after {
                phones.remove(&key);
            }
            (before, after, listed)
        };
        if before != after {
            self.tell_live(account.org, account.user, after).await;
        }
        Ok(listed)
    }

    async fn tell_live(&self, org: OrgId, user: UserId, registered: bool) {
        match self.live.set_phone(org, user, registered).await {
            Ok(()) => tracing::info!(%org, %user, registered, "agent phone"),
            Err(error) => {
                tracing::warn!(%org, %user, %error, "the live center did not take the phone change")
            }
        }
    }

    /// Drops expired bindings; agents left without a phone lose their
    /// voice slot.
    pub(crate) async fn expire(&self, now: Instant) {
        let gone: Vec<(OrgId, UserId)> = {
            let mut phones = self.phones.lock().unwrap_or_else(|p| p.into_inner());
            for registration in phones.values_mut() {
                registration
                    .bindings
                    .retain(|binding| binding.expires > now);
            }
            let gone = phones
                .iter()
                .filter(|(_, registration)| registration.bindings.is_empty())
                .map(|(key, _)| *key)
                .collect();
            phones.retain(|_, registration| !registration.bindings.is_empty());
            gone
        };
        for (org, user) in gone {
            self.tell_live(org, user, false).await;
        }
    }
}

/// The Contact headers of a 200: each binding with its time left.
fn contact_headers(bindings: &[Binding], now: Instant) -> Vec<Header> {
    bindings
        .iter()
        .map(|binding| {
            let left = binding.expires.saturating_duration_since(now).as_secs();
            typed::Contact {
                display_name: None,
                uri: binding.uri.clone(),
                params: vec![Param::Expires(left.to_string().into())],
            }
            .into()
        })
        .collect()
}

/// A quoted parameter's text, exactly as sent (`uri="sip:…"`).
fn quoted_param(header: &str, name: &str) -> Option<String> {
    let mut rest = header;
    while let Some(at) = rest.find(name) {
        let before = rest[..at].chars().last();
        let after = rest[at + name.len()..].trim_start();
        rest = &rest[at + name.len()..];
        if matches!(before, Some(' ' | ',' | '\t'))
            && let Some(value) = after.strip_prefix('=')
        {
            let value = value.trim_start().strip_prefix('"')?;
            return value.split_once('"').map(|(inner, _)| inner.to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::quoted_param;

    #[test]
    fn the_digest_uri_is_read_as_sent() {
        let header = r#"Digest username="1001", realm="moked", nonce="a.b", uri="sip:127.0.0.1:5060", response="00", algorithm=MD5"#;
        assert_eq!(
            quoted_param(header, "uri").as_deref(),
            Some("sip:127.0.0.1:5060")
        );
        assert_eq!(quoted_param(header, "opaque"), None);
        assert_eq!(quoted_param(r#"Digest uri=sip:x"#, "uri"), None);
    }
}
