//! The phone channel's configuration: agents' SIP accounts (the digest
//! credentials their phones register with) and the SIP addresses that reach
//! voice queues. Admins write; supervisors read. The password is turned into
//! the digest HA1 for the server's realm here and never stored or echoed.

use crate::api::ApiPath;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use moked_domain::Channel;
use moked_store::{NewSipAccount, QueueId, Role, SipAccount, SipRoute, UserId};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Passwords of phones shorter than this are refused: the digest HA1 of a
/// short password falls to a dictionary in seconds.
pub const MIN_SIP_PASSWORD_CHARS: usize = 8;
/// Longer passwords are refused (no phone takes more).
pub const MAX_SIP_PASSWORD_CHARS: usize = 128;

/// An agent's SIP account as the API shows it: never the HA1.
#[derive(Debug, Serialize)]
pub struct SipAccountView {
    user: UserId,
    username: String,
    realm: String,
    /// Whether the agent's phone is registered right now.
    registered: bool,
}

/// `PUT /sip/accounts/{user}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SipAccountRequest {
    username: String,
    password: String,
}

/// `PUT /sip/routes/{address}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SipRouteRequest {
    queue: QueueId,
}

/// A SIP address and its queue.
#[derive(Debug, Serialize)]
pub struct SipRouteView {
    address: String,
    queue: QueueId,
}

impl From<SipRoute> for SipRouteView {
    fn from(route: SipRoute) -> SipRouteView {
        SipRouteView {
            address: route.address,
            queue: route.queue,
        }
    }
}

/// `GET /sip/accounts`: every agent's account with its phone's state.
pub async fn list_accounts(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<SipAccountView>>> {
    caller.require(Role::Supervisor)?;
    let registered = registered_phones(&state, &caller).await?;
    let accounts = state.store.sip_accounts(caller.org).await?;
    Ok(Json(
        accounts
            .into_iter()
            .map(|account| view(account, &registered))
            .collect(),
    ))
}

/// `PUT /sip/accounts/{user}`: gives the agent an account, replacing the
/// previous one (a phone still registered with the old one keeps its
/// binding until it expires or registers again).
pub async fn put_account(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(user): ApiPath<i64>,
    ApiJson(request): ApiJson<SipAccountRequest>,
) -> ApiResult<Json<SipAccountView>> {
    caller.require(Role::Admin)?;
    let user = state.store.user(caller.org, UserId(user)).await?;
    check_password(&request.password)?;
    let realm = state.config.sip_realm.clone();
    let account = NewSipAccount {
        user: user.id,
        ha1: moked_sip::ha1(&request.username, &realm, &request.password),
        username: request.username,
        realm,
    };
    let account = state.store.put_sip_account(caller.org, account).await?;
    let registered = registered_phones(&state, &caller).await?;
    Ok(Json(view(account, &registered)))
}

/// `DELETE /sip/accounts/{user}`.
pub async fn delete_account(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(user): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    caller.require(Role::Admin)?;
    let user = state.store.user(caller.org, UserId(user)).await?;
    state.store.delete_sip_account(caller.org, user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /sip/routes`.
pub async fn list_routes(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<SipRouteView>>> {
    caller.require(Role::Supervisor)?;
    let routes = state.store.sip_routes(caller.org).await?;
    Ok(Json(routes.into_iter().map(SipRouteView::from).collect()))
}

/// `PUT /sip/routes/{address}`: callers dialling `sip:{address}@host` wait
/// in the queue, which must take voice calls.
pub async fn put_route(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(address): ApiPath<String>,
    ApiJson(request): ApiJson<SipRouteRequest>,
) -> ApiResult<Json<SipRouteView>> {
    caller.require(Role::Admin)?;
    let queue = state
        .store
        .queue(caller.org, request.queue)
        .await
        .map_err(|_| ApiError::invalid("queue", "no such queue in this organization"))?;
    if queue.spec.channel != Channel::Voice {
        return Err(ApiError::invalid(
            "queue",
            "the queue does not take voice calls",
        ));
    }
    let route = state
        .store
        .put_sip_route(caller.org, &address, queue.id)
        .await?;
    Ok(Json(route.into()))
}

/// `DELETE /sip/routes/{address}`.
pub async fn delete_route(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(address): ApiPath<String>,
) -> ApiResult<StatusCode> {
    caller.require(Role::Admin)?;
    let route = state.store.sip_route(&address).await?;
    if route.is_none_or(|route| route.org != caller.org) {
        return Err(ApiError::not_found("sip route"));
    }
    state.store.delete_sip_route(caller.org, &address).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn check_password(password: &str) -> ApiResult<()> {
    let chars = password.chars().count();
    if !(MIN_SIP_PASSWORD_CHARS..=MAX_SIP_PASSWORD_CHARS).contains(&chars) {
        return Err(ApiError::invalid(
            "password",
            format!("must be {MIN_SIP_PASSWORD_CHARS} to {MAX_SIP_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(())
}

/// The agents whose phone is registered, as the live center knows them.
async fn registered_phones(state: &AppState, caller: &Caller) -> ApiResult<HashSet<UserId>> {
    let agents = state.live.agents(caller.org).await?;
    Ok(agents
        .into_iter()
        .filter(|agent| agent.phone)
        .map(|agent| agent.agent)
        .collect())
}

fn view(account: SipAccount, registered: &HashSet<UserId>) -> SipAccountView {
    SipAccountView {
        registered: registered.contains(&account.user),
        user: account.user,
        username: account.username,
        realm: account.realm,
    }
}
