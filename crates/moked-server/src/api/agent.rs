//! The agent desktop's actions: presence, the desk, and what an agent does
//! with a chat (accept, reject, message, note, transfer, end, wrap up).
//! Each needs a logged-in user (an API token has no agent to act as) and
//! goes to the live center with the caller's organization and user.

use crate::api::{ApiPath, NoContent};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::Timestamp;
use moked_live::{
    AgentActivity, AgentDesk, LiveError, NotReadyReason, PresenceRequest, TransferTarget,
};
use moked_store::{ChatMessage, InteractionId, QueueId, Role, UserId, WrapUpCodeId};
use serde::{Deserialize, Serialize};

/// Longest chat message or note, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4000;
/// Longest idempotency key, in characters.
pub const MAX_KEY_CHARS: usize = 200;

/// Checks a message body: not blank, at most [`MAX_MESSAGE_CHARS`].
pub fn check_body(body: &str) -> ApiResult<()> {
    if body.trim().is_empty() {
        return Err(ApiError::invalid("body", "must not be empty"));
    }
    if body.chars().count() > MAX_MESSAGE_CHARS {
        return Err(ApiError::invalid(
            "body",
            format!("must be at most {MAX_MESSAGE_CHARS} characters"),
        ));
    }
    Ok(())
}

/// Checks an idempotency key: 1 to [`MAX_KEY_CHARS`] characters.
pub fn check_key(key: &str) -> ApiResult<()> {
    let chars = key.chars().count();
    if (1..=MAX_KEY_CHARS).contains(&chars) {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "idempotency_key",
            format!("must be 1 to {MAX_KEY_CHARS} characters"),
        ))
    }
}

/// `GET /agent/desk`. A user who takes no chats (a supervisor or admin
/// without a chat capacity) is no agent of the live center: an empty,
/// offline desk with no chat slots.
pub async fn desk(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<DeskView>> {
    let user = caller.agent()?;
    let desk = own_desk(&state, &caller, user).await?;
    // The desktop shows whether the agent's phone is registered (no phone:
    // no calls are offered).
    let phone = state
        .live
        .agents(caller.org)
        .await?
        .iter()
        .any(|agent| agent.agent == user && agent.phone);
    Ok(Json(DeskView { desk, phone }))
}

/// `GET /agent/desk` answer: the live center's desk and the phone.
#[derive(Debug, Serialize)]
pub struct DeskView {
    #[serde(flatten)]
    desk: AgentDesk,
    phone: bool,
}

async fn own_desk(state: &AppState, caller: &Caller, user: UserId) -> ApiResult<AgentDesk> {
    match state.live.agent_desk(caller.org, user).await {
        Ok(desk) => Ok(desk),
        Err(LiveError::NotFound { entity: "agent" }) => Ok(AgentDesk {
            presence: AgentActivity::Offline,
            reason: None,
            since: Timestamp::now(),
            capacity: 0,
            offers: Vec::new(),
            chats: Vec::new(),
        }),
        Err(other) => Err(other.into()),
    }
}

/// A colleague as `GET /agents` lists them.
#[derive(Debug, Serialize)]
pub struct Colleague {
    id: UserId,
    name: String,
    state: AgentActivity,
    reason: Option<NotReadyReason>,
    since: Timestamp,
    /// Whether the colleague's phone is registered.
    phone: bool,
}

/// `GET /agents`: every agent who takes chats, with their state now, so an
/// agent can pick a colleague to transfer to (agents may not read the
/// users list or the wallboard).
pub async fn colleagues(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<Colleague>>> {
    caller.require(Role::Agent)?;
    let agents = state.live.agents(caller.org).await?;
    Ok(Json(
        agents
            .into_iter()
            .map(|agent| Colleague {
                id: agent.agent,
                name: agent.name,
                state: agent.state,
                reason: agent.reason,
                since: agent.since,
                phone: agent.phone,
            })
            .collect(),
    ))
}

/// `PUT /agent/presence` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresenceBody {
    state: String,
    #[serde(default)]
    reason: Option<NotReadyReason>,
}

/// `PUT /agent/presence`.
pub async fn presence(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<PresenceBody>,
) -> ApiResult<NoContent> {
    let user = caller.agent()?;
    let request = match (body.state.as_str(), body.reason) {
        ("available", None) => PresenceRequest::Available,
        ("offline", None) => PresenceRequest::Offline,
        ("not_ready", Some(NotReadyReason::NoAnswer)) => {
            return Err(ApiError::invalid(
                "reason",
                "no_answer is set by Moked, not chosen",
            ));
        }
        ("not_ready", Some(reason)) => PresenceRequest::NotReady { reason },
        ("not_ready", None) => {
            return Err(ApiError::invalid("reason", "not_ready needs a reason"));
        }
        ("available" | "offline", Some(_)) => {
            return Err(ApiError::invalid("reason", "only not_ready takes a reason"));
        }
        _ => {
            return Err(ApiError::invalid(
                "state",
                "must be available, not_ready or offline",
            ));
        }
    };
    state.live.set_presence(caller.org, user, request).await?;
    Ok(NoContent)
}

/// `POST /interactions/{id}/accept`.
pub async fn accept(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<NoContent> {
    let user = caller.agent()?;
    state
        .live
        .accept(caller.org, user, InteractionId(id))
        .await?;
    Ok(NoContent)
}

/// `POST /interactions/{id}/reject`.
pub async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<NoContent> {
    let user = caller.agent()?;
    state
        .live
        .reject(caller.org, user, InteractionId(id))
        .await?;
    Ok(NoContent)
}

/// `POST /interactions/{id}/end`.
pub async fn end(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<NoContent> {
    let user = caller.agent()?;
    state.live.end(caller.org, user, InteractionId(id)).await?;
    Ok(NoContent)
}

/// `{body, idempotency_key}`: a chat message.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageBody {
    /// The text.
    pub body: String,
    /// Chosen by the client; a retry with the same key is stored once.
    pub idempotency_key: String,
}

/// `POST /interactions/{id}/messages`.
pub async fn message(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<MessageBody>,
) -> ApiResult<(StatusCode, Json<ChatMessage>)> {
    let user = caller.agent()?;
    check_body(&body.body)?;
    check_key(&body.idempotency_key)?;
    let message = state
        .live
        .agent_message(
            caller.org,
            user,
            InteractionId(id),
            body.body,
            body.idempotency_key,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(message)))
}

/// `POST /interactions/{id}/typing`.
pub async fn typing(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<NoContent> {
    let user = caller.agent()?;
    state
        .live
        .agent_typing(caller.org, user, InteractionId(id))
        .await?;
    Ok(NoContent)
}

/// `{body}`: an internal note.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    body: String,
}

/// `POST /interactions/{id}/notes`.
pub async fn note(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<NoteBody>,
) -> ApiResult<(StatusCode, Json<ChatMessage>)> {
    let user = caller.agent()?;
    check_body(&body.body)?;
    let note = state
        .live
        .note(caller.org, user, InteractionId(id), body.body)
        .await?;
    Ok((StatusCode::CREATED, Json(note)))
}

/// `{queue}` or `{agent}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferBody {
    #[serde(default)]
    queue: Option<QueueId>,
    #[serde(default)]
    agent: Option<UserId>,
}

/// `POST /interactions/{id}/transfer`.
pub async fn transfer(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<TransferBody>,
) -> ApiResult<NoContent> {
    let user = caller.agent()?;
    let target = match (body.queue, body.agent) {
        (Some(queue), None) => TransferTarget::Queue(queue),
        (None, Some(agent)) => TransferTarget::Agent(agent),
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "agent",
                "give either queue or agent, not both",
            ));
        }
        (None, None) => return Err(ApiError::invalid("queue", "give a queue or an agent")),
    };
    state
        .live
        .transfer(caller.org, user, InteractionId(id), target)
        .await?;
    Ok(NoContent)
}

/// `{code}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WrapUpBody {
    code: WrapUpCodeId,
}

/// `POST /interactions/{id}/wrap-up`.
pub async fn wrap_up(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<WrapUpBody>,
) -> ApiResult<NoContent> {
    let user = caller.agent()?;
    state
        .live
        .wrap_up(caller.org, user, InteractionId(id), body.code)
        .await?;
    Ok(NoContent)
}
