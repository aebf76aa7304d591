//! Logging in and out, the current session and the user's language.

use crate::api::{ClientIp, NoContent};
use crate::auth::{self, Caller, Credential, SESSION_COOKIE};
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use moked_store::{LANGUAGES, Organization, Role, StoreError, User, UserId, UserUpdate};
use serde::{Deserialize, Serialize};

/// `POST /login` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    org: String,
    login: String,
    password: String,
}

/// The user as the session shows it.
#[derive(Debug, Serialize)]
pub struct SessionUser {
    id: UserId,
    login: String,
    display_name: String,
    role: Role,
}

/// The organization as the session shows it.
#[derive(Debug, Serialize)]
pub struct SessionOrg {
    id: moked_store::OrgId,
    slug: String,
    name: String,
    time_zone: String,
}

/// `GET /session`, and the answer to a login.
#[derive(Debug, Serialize)]
pub struct Session {
    /// The logged-in user (none for API tokens).
    user: Option<SessionUser>,
    org: SessionOrg,
    role: Role,
    /// Send it as `X-CSRF-Token` on writes (cookie sessions only).
    csrf_token: Option<String>,
    lang: String,
}

fn session(org: Organization, user: Option<User>, role: Role, csrf: Option<String>) -> Session {
    let lang = user
        .as_ref()
        .map_or_else(|| "he".to_owned(), |u| u.lang.clone());
    Session {
        user: user.map(|u| SessionUser {
            id: u.id,
            login: u.login,
            display_name: u.display_name,
            role: u.role,
        }),
        org: SessionOrg {
            id: org.id,
            slug: org.slug,
            name: org.name,
            time_zone: org.time_zone,
        },
        role,
        csrf_token: csrf,
        lang,
    }
}

/// `POST /login`.
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let key = format!("{ip}|{}|{}", request.org, request.login);
    state.limits.login.check(&key).map_err(ApiError::too_many)?;
    let found = find_user(&state, &request.org, &request.login).await?;
    let hash = found.as_ref().map(|(_, user)| user.password_hash.clone());
    let password = request.password;
    // argon2 takes tens of milliseconds of CPU: keep it off the async workers.
    let matches =
        tokio::task::spawn_blocking(move || auth::verify_password(hash.as_deref(), &password))
            .await
            .map_err(|error| ApiError::internal(&error))?;
    let Some((org, user)) = found.filter(|_| matches) else {
        tracing::info!(org = %request.org, "failed login");
        return Err(ApiError::unauthenticated(
            "wrong organization, login or password",
        ));
    };
    let token = auth::issue_session(
        state.store.as_ref(),
        org.id,
        user.id,
        user.role,
        state.config.session_hours,
    )
    .await?;
    tracing::info!(org = %org.slug, user = %user.id, "login");
    let cookie = session_cookie(
        &token,
        state.config.session_hours,
        state.config.tls_terminated,
    );
    let role = user.role;
    let body = session(org, Some(user), role, Some(auth::csrf_token(&token)));
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, cookie);
    Ok((headers, Json(body)).into_response())
}

async fn find_user(
    state: &AppState,
    slug: &str,
    login: &str,
) -> ApiResult<Option<(Organization, User)>> {
    let org = match state.store.organization_by_slug(slug).await {
        Ok(org) => org,
        Err(StoreError::NotFound { .. } | StoreError::Invalid { .. }) => return Ok(None),
        Err(other) => return Err(other.into()),
    };
    match state.store.user_by_login(org.id, login).await {
        Ok(user) => Ok(Some((org, user))),
        Err(StoreError::NotFound { .. } | StoreError::Invalid { .. }) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

fn session_cookie(token: &str, hours: u32, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let value = format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{secure}",
        u64::from(hours) * 3600
    );
    HeaderValue::from_str(&value).expect("a base64url token is a valid header value")
}

/// `POST /logout`: ends a cookie session (and deletes the cookie); an API
/// token is not revoked by this.
pub async fn logout(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    if let Credential::Cookie(token) | Credential::Bearer(token) = &caller.credential
        && caller.user.is_some()
    {
        state
            .store
            .delete_auth_token(&auth::token_hash(token))
            .await?;
    }
    let secure = if state.config.tls_terminated {
        "; Secure"
    } else {
        ""
    };
    let expired =
        format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{secure}");
    let mut response = NoContent.into_response();
    if let Ok(value) = HeaderValue::from_str(&expired) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// `GET /session`.
pub async fn current(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Session>> {
    let org = state.store.organization(caller.org).await?;
    let user = match caller.user {
        Some(id) => Some(state.store.user(caller.org, id).await?),
        None => None,
    };
    let csrf = match &caller.credential {
        Credential::Cookie(token) => Some(auth::csrf_token(token)),
        Credential::Bearer(_) => None,
    };
    Ok(Json(session(org, user, caller.role, csrf)))
}

/// `PUT /me/lang` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LangRequest {
    lang: String,
}

/// Checks a language code.
pub fn check_lang(field: &str, lang: &str) -> ApiResult<()> {
    if LANGUAGES.contains(&lang) {
        Ok(())
    } else {
        Err(ApiError::invalid(field, "must be \"he\" or \"en\""))
    }
}

/// `PUT /me/lang`.
pub async fn set_lang(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<LangRequest>,
) -> ApiResult<NoContent> {
    check_lang("lang", &request.lang)?;
    let id = caller
        .user
        .ok_or_else(|| ApiError::forbidden("an API token has no language to set"))?;
    let user = state.store.user(caller.org, id).await?;
    let update = UserUpdate {
        display_name: user.display_name,
        role: user.role,
        team: user.team,
        lang: request.lang,
        password_hash: None,
    };
    state.store.update_user(caller.org, id, &update).await?;
    Ok(NoContent)
}
