//! The customer's side: the public widget endpoints. Opening a chat is
//! public (rate-limited per client address) and answers a chat token that
//! is good for that one chat only; every other call needs it.

use crate::api::agent::{MAX_MESSAGE_CHARS, MessageBody, check_body, check_key};
use crate::api::{ClientIp, NoContent};
use crate::auth;
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use moked_domain::{Channel, PhoneE164};
use moked_live::{ChatStatus, Lang, OpenChat};
use moked_store::{ChatMessage, InteractionId, OrgId, QueueId, Sender, StoreError, TokenKind};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Longest customer name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// A customer holding the token of the chat in the path.
#[derive(Debug, Clone, Copy)]
pub struct ChatCaller {
    /// The chat's organization.
    pub org: OrgId,
    /// The chat.
    pub chat: InteractionId,
}

impl FromRequestParts<AppState> for ChatCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ApiError::invalid("id", rejection.body_text()))?;
        let chat = params
            .get("id")
            .and_then(|id| id.parse().ok())
            .map(InteractionId)
            .ok_or_else(|| ApiError::invalid("id", "must be a chat number"))?;
        let token = auth::bearer(parts)
            .or_else(|| query_token(parts))
            .ok_or_else(|| ApiError::unauthenticated("this needs the chat's token"))?;
        let found = auth::lookup(state.store.as_ref(), &token).await?;
        let spec = found.spec;
        if spec.kind != TokenKind::Chat {
            return Err(ApiError::unauthenticated("this is not a chat token"));
        }
        if spec.interaction != Some(chat) {
            return Err(ApiError::forbidden("the token is for another chat"));
        }
        Ok(ChatCaller {
            org: spec.org,
            chat,
        })
    }
}

fn query_token(parts: &Parts) -> Option<String> {
    let Query(query) = Query::<HashMap<String, String>>::try_from_uri(&parts.uri).ok()?;
    query.get("token").cloned()
}

/// A queue the customer may pick.
#[derive(Debug, Serialize)]
pub struct WidgetQueue {
    id: QueueId,
    name: String,
}

/// A field of the pre-chat form.
#[derive(Debug, Serialize)]
pub struct PrechatField {
    field: &'static str,
    required: bool,
}

/// `GET /widget/{org}/config`.
#[derive(Debug, Serialize)]
pub struct WidgetConfig {
    org_name: String,
    /// The organization's IANA time zone: the widget shows times in it, as
    /// every other screen does.
    time_zone: String,
    lang: &'static str,
    queues: Vec<WidgetQueue>,
    prechat: Vec<PrechatField>,
}

/// `GET /widget/{org}/config`.
pub async fn config(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> ApiResult<Json<WidgetConfig>> {
    let org = organization(&state, &slug).await?;
    let queues = state
        .store
        .queues(org.id)
        .await?
        .into_iter()
        .filter(|queue| queue.spec.channel == Channel::Chat)
        .map(|queue| WidgetQueue {
            id: queue.id,
            name: queue.spec.name,
        })
        .collect();
    Ok(Json(WidgetConfig {
        org_name: org.name,
        time_zone: org.time_zone,
        lang: "he",
        queues,
        prechat: vec![
            PrechatField {
                field: "name",
                required: true,
            },
            PrechatField {
                field: "phone",
                required: state.config.widget.require_phone,
            },
        ],
    }))
}

async fn organization(state: &AppState, slug: &str) -> ApiResult<moked_store::Organization> {
    match state.store.organization_by_slug(slug).await {
        Ok(org) => Ok(org),
        Err(StoreError::NotFound { .. } | StoreError::Invalid { .. }) => {
            Err(ApiError::not_found("organization"))
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /widget/{org}/chats` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenChatBody {
    name: String,
    #[serde(default)]
    phone: Option<PhoneE164>,
    #[serde(default)]
    queue: Option<QueueId>,
    #[serde(default)]
    lang: Option<Lang>,
}

/// `POST /widget/{org}/chats` answer.
#[derive(Debug, Serialize)]
pub struct ChatCreated {
    chat: InteractionId,
    /// Shown once: the customer's key to this chat.
    token: String,
    status: ChatStatus,
}

/// `POST /widget/{org}/chats`.
pub async fn open(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<OpenChatBody>,
) -> ApiResult<(StatusCode, Json<ChatCreated>)> {
    state
        .limits
        .widget_chats
        .check(&ip.to_string())
        .map_err(ApiError::too_many)?;
    let org = organization(&state, &slug).await?;
    let name = body.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::invalid(
            "name",
            format!("must be 1 to {MAX_NAME_CHARS} characters"),
        ));
    }
    if state.config.widget.require_phone && body.phone.is_none() {
        return Err(ApiError::invalid("phone", "a phone number is required"));
    }
    let open = OpenChat {
        queue: body.queue,
        name,
        phone: body.phone,
        lang: body.lang.unwrap_or_default(),
    };
    let opened = state.live.open_chat(org.id, open).await?;
    let token = auth::issue_chat_token(state.store.as_ref(), org.id, opened.chat).await?;
    tracing::info!(org = %org.slug, chat = %opened.chat, "widget chat opened");
    Ok((
        StatusCode::CREATED,
        Json(ChatCreated {
            chat: opened.chat,
            token,
            status: opened.status,
        }),
    ))
}

/// `GET /widget/chats/{id}` answer.
#[derive(Debug, Serialize)]
pub struct ChatView {
    status: ChatStatus,
    messages: Vec<ChatMessage>,
}

/// What the customer may see of a chat's messages: no internal notes.
pub fn customer_visible(message: &ChatMessage) -> bool {
    !matches!(message.content.sender, Sender::Note(_))
}

/// `GET /widget/chats/{id}`.
pub async fn status(
    State(state): State<AppState>,
    caller: ChatCaller,
) -> ApiResult<Json<ChatView>> {
    let status = state.live.chat_status(caller.org, caller.chat).await?;
    let messages = state
        .store
        .messages(caller.org, caller.chat)
        .await?
        .into_iter()
        .filter(customer_visible)
        .collect();
    Ok(Json(ChatView { status, messages }))
}

/// Sends a customer message after the per-chat rate limit and checks.
pub async fn send_customer_message(
    state: &AppState,
    caller: ChatCaller,
    body: MessageBody,
) -> ApiResult<ChatMessage> {
    state
        .limits
        .widget_messages
        .check(&caller.chat.to_string())
        .map_err(ApiError::too_many)?;
    check_body(&body.body)?;
    check_key(&body.idempotency_key)?;
    let message = state
        .live
        .customer_message(caller.org, caller.chat, body.body, body.idempotency_key)
        .await?;
    Ok(message)
}

/// `POST /widget/chats/{id}/messages`.
pub async fn message(
    State(state): State<AppState>,
    caller: ChatCaller,
    ApiJson(body): ApiJson<MessageBody>,
) -> ApiResult<(StatusCode, Json<ChatMessage>)> {
    let message = send_customer_message(&state, caller, body).await?;
    Ok((StatusCode::CREATED, Json(message)))
}

/// `POST /widget/chats/{id}/typing`.
pub async fn typing(State(state): State<AppState>, caller: ChatCaller) -> ApiResult<NoContent> {
    state.live.customer_typing(caller.org, caller.chat).await?;
    Ok(NoContent)
}

/// `POST /widget/chats/{id}/end`.
pub async fn end(State(state): State<AppState>, caller: ChatCaller) -> ApiResult<NoContent> {
    state.live.customer_end(caller.org, caller.chat).await?;
    Ok(NoContent)
}

/// `POST /widget/chats/{id}/rating` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingBody {
    score: u8,
    #[serde(default)]
    comment: String,
}

/// `POST /widget/chats/{id}/rating`.
pub async fn rating(
    State(state): State<AppState>,
    caller: ChatCaller,
    ApiJson(body): ApiJson<RatingBody>,
) -> ApiResult<NoContent> {
    if !(1..=5).contains(&body.score) {
        return Err(ApiError::invalid("score", "must be 1 to 5"));
    }
    if body.comment.chars().count() > MAX_MESSAGE_CHARS {
        return Err(ApiError::invalid(
            "comment",
            format!("must be at most {MAX_MESSAGE_CHARS} characters"),
        ));
    }
    state
        .live
        .rate(caller.org, caller.chat, body.score, body.comment)
        .await?;
    Ok(NoContent)
}
