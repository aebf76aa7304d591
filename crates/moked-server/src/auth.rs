//! Who is calling: passwords, tokens, CSRF and the [`Caller`] extractor.
//!
//! - Passwords are argon2id PHC strings (m=19456 KiB, t=2, p=1: the crate's
//!   defaults, OWASP's minimum). A login for an unknown organization or user
//!   still verifies against a fixed dummy hash, so the answer takes as long
//!   as for a wrong password and does not reveal which logins exist.
//! - Every token (session, API, chat) is 32 random bytes in base64url; the
//!   store only ever sees its SHA-256 in hex, so a leaked database holds no
//!   usable token.
//! - A session's CSRF token is derived, not stored: base64url of
//!   SHA-256(session token + "csrf"). Only someone holding the session token
//!   (the browser's own scripts, via `GET /session`) can know it; it is
//!   compared in constant time.

use crate::error::ApiError;
use crate::state::AppState;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::{SignedDuration, Timestamp};
use moked_store::{
    AuthToken, InteractionId, NewAuthToken, OrgId, Role, Store, StoreError, StoreResult, TokenKind,
    UserId,
};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "moked_session";
/// The header carrying the CSRF token on cookie-authenticated writes.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The argon2id PHC string of `password`, with a fresh random salt.
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the operating system's random source works");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt length");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2id with default parameters accepts any password")
        .to_string()
}

/// A fixed hash to verify against when there is no user, so that a login
/// for an unknown user costs the same time as one with a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_password("no user has this password"));

/// Whether `password` matches `hash`; with no hash, spends the same time
/// and answers no.
pub fn verify_password(hash: Option<&str>, password: &str) -> bool {
    let (phc, real) = match hash {
        Some(hash) => (hash, true),
        None => (DUMMY_HASH.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let matches = Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    matches && real
}

/// A new token: 32 random bytes, base64url without padding.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// How a token is stored and looked up: SHA-256 in lowercase hex.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The CSRF token of a session token.
pub fn csrf_token(session_token: &str) -> String {
    let digest = Sha256::digest(format!("{session_token}csrf").as_bytes());
    URL_SAFE_NO_PAD.encode(digest)
}

/// Equality that takes the same time wherever the first difference is.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Creates an API bearer token for an organization and role, valid for
/// `days` days (forever when `None`), and returns it; only its hash is
/// stored, so this is the one time it can be seen.
pub async fn issue_api_token(
    store: &dyn Store,
    org: OrgId,
    role: Role,
    label: &str,
    days: Option<u32>,
) -> StoreResult<String> {
    let now = Timestamp::now();
    let expires_at = match days {
        Some(days) => Some(add_hours(now, i64::from(days) * 24)?),
        None => None,
    };
    let token = new_token();
    store
        .create_auth_token(&NewAuthToken {
            org,
            kind: TokenKind::Api,
            token_hash: token_hash(&token),
            user: None,
            role: Some(role),
            interaction: None,
            label: label.to_owned(),
            created_at: now,
            expires_at,
        })
        .await?;
    Ok(token)
}

/// Creates a login session for a user and returns its token. The role is
/// recorded with it, but each request reads the user's current role.
pub async fn issue_session(
    store: &dyn Store,
    org: OrgId,
    user: UserId,
    role: Role,
    hours: u32,
) -> StoreResult<String> {
    let now = Timestamp::now();
    let token = new_token();
    store
        .create_auth_token(&NewAuthToken {
            org,
            kind: TokenKind::Session,
            token_hash: token_hash(&token),
            user: Some(user),
            role: Some(role),
            interaction: None,
            label: "login".to_owned(),
            created_at: now,
            expires_at: Some(add_hours(now, i64::from(hours))?),
        })
        .await?;
    Ok(token)
}

/// Creates a chat token good for one chat only and returns it.
pub async fn issue_chat_token(
    store: &dyn Store,
    org: OrgId,
    chat: InteractionId,
) -> StoreResult<String> {
    let now = Timestamp::now();
    let token = new_token();
    store
        .create_auth_token(&NewAuthToken {
            org,
            kind: TokenKind::Chat,
            token_hash: token_hash(&token),
            user: None,
            role: None,
            interaction: Some(chat),
            label: "widget chat".to_owned(),
            created_at: now,
            // A customer may come back to a conversation for a week.
            expires_at: Some(add_hours(now, 24 * 7)?),
        })
        .await?;
    Ok(token)
}

fn add_hours(now: Timestamp, hours: i64) -> StoreResult<Timestamp> {
    now.checked_add(SignedDuration::from_hours(hours))
        .map_err(|_| StoreError::invalid("days", "too far in the future"))
}

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A browser session cookie (its token, for the CSRF token and logout).
    Cookie(String),
    /// An `Authorization: Bearer` token.
    Bearer(String),
}

/// An authenticated staff member or API client, from a session cookie or a
/// bearer token. Handlers pass `org` to every store and live call.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The caller's organization.
    pub org: OrgId,
    /// The logged-in user (API tokens have none).
    pub user: Option<UserId>,
    /// What the caller may do.
    pub role: Role,
    /// The credential used.
    pub credential: Credential,
}

fn rank(role: Role) -> u8 {
    match role {
        Role::Agent => 1,
        Role::Supervisor => 2,
        Role::Admin => 3,
    }
}

impl Caller {
    /// Ok when the caller's role is `role` or above (admin ⊃ supervisor ⊃ agent).
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if rank(self.role) >= rank(role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "this needs the {} role",
                role.as_str()
            )))
        }
    }

    /// The logged-in user, for actions an agent takes in person (API tokens
    /// have no user and cannot take chats).
    pub fn agent(&self) -> Result<UserId, ApiError> {
        self.require(Role::Agent)?;
        self.user
            .ok_or_else(|| ApiError::forbidden("this needs a logged-in user, not an API token"))
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// The bearer token of the `Authorization` header.
pub fn bearer(parts: &Parts) -> Option<String> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// Looks a token up, whatever its kind; 401 when absent or expired.
pub async fn lookup(store: &dyn Store, token: &str) -> Result<AuthToken, ApiError> {
    match store.auth_token(&token_hash(token), Timestamp::now()).await {
        Ok(found) => Ok(found),
        Err(StoreError::NotFound { .. }) => Err(ApiError::unauthenticated(
            "the session or token is unknown or expired; log in again",
        )),
        Err(other) => Err(other.into()),
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
        let credential = match (bearer(parts), cookie(parts, SESSION_COOKIE)) {
            (Some(token), _) => Credential::Bearer(token),
            (None, Some(token)) => Credential::Cookie(token),
            (None, None) => return Err(ApiError::unauthenticated("log in first")),
        };
        let token = match &credential {
            Credential::Cookie(token) | Credential::Bearer(token) => token.as_str(),
        };
        let found = lookup(state.store.as_ref(), token).await?;
        if let Credential::Cookie(token) = &credential
            && !is_safe(&parts.method)
        {
            check_csrf(parts, token)?;
        }
        caller_from_token(state.store.as_ref(), found, credential).await
    }
}

fn check_csrf(parts: &Parts, session_token: &str) -> Result<(), ApiError> {
    let sent = parts
        .headers
        .get(CSRF_HEADER)
        .map(|value| value.as_bytes())
        .unwrap_or_default();
    if constant_time_eq(sent, csrf_token(session_token).as_bytes()) {
        Ok(())
    } else {
        let mut error = ApiError::forbidden(
            "a change made with a session cookie needs the X-CSRF-Token header from GET /session",
        );
        error.field = Some("X-CSRF-Token".to_owned());
        Err(error)
    }
}

async fn caller_from_token(
    store: &dyn Store,
    found: AuthToken,
    credential: Credential,
) -> Result<Caller, ApiError> {
    let spec = found.spec;
    match (spec.kind, spec.user, spec.role) {
        (TokenKind::Session, Some(user_id), _) => {
            // The role is read fresh, so a demotion takes effect at once.
            let user = store
                .user(spec.org, user_id)
                .await
                .map_err(|error| match error {
                    StoreError::NotFound { .. } => ApiError::unauthenticated("the user is gone"),
                    other => other.into(),
                })?;
            Ok(Caller {
                org: spec.org,
                user: Some(user.id),
                role: user.role,
                credential,
            })
        }
        (TokenKind::Api, user, Some(role)) => Ok(Caller {
            org: spec.org,
            user,
            role,
            credential,
        }),
        _ => Err(ApiError::unauthenticated(
            "this token is not a staff session or API token",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_and_unknown_users_never_match() {
        let hash = hash_password("סיסמה-ארוכה");
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_password(Some(&hash), "סיסמה-ארוכה"));
        assert!(!verify_password(Some(&hash), "סיסמה"));
        assert!(!verify_password(None, "no user has this password"));
    }

    #[test]
    fn tokens_are_random_and_stored_as_hex_hashes() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43, "32 bytes in unpadded base64url");
        let hash = token_hash(&a);
        assert_eq!(hash.len(), 64);
        assert!(
            hash.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(csrf_token(&a), csrf_token(&b));
        assert!(constant_time_eq(
            csrf_token(&a).as_bytes(),
            csrf_token(&a).as_bytes()
        ));
        assert!(!constant_time_eq(b"abc", b"abd"));
    }
}
