//! The email channel's endpoints: an agent's reply to a ticket by email,
//! and the admin's receiving addresses (which email queue an address
//! feeds, and the name replies are signed with). Admins write addresses;
//! supervisors read them; agents, supervisors and admins reply.

use crate::api::ApiPath;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use moked_domain::{Channel, EmailAddress};
use moked_live::MAX_MESSAGE_CHARS;
use moked_store::{
    ChatMessage, InteractionId, MailAddress, MessageInsert, NewMessage, QueueId, Role, Sender,
    TicketId, UserId,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A receiving address as the API shows it.
#[derive(Debug, Serialize)]
pub struct MailAddressView {
    address: String,
    queue: QueueId,
    display_name: String,
}

impl From<MailAddress> for MailAddressView {
    fn from(address: MailAddress) -> MailAddressView {
        MailAddressView {
            address: address.address.as_str().to_owned(),
            queue: address.queue,
            display_name: address.display_name,
        }
    }
}

/// The body of `POST /mail/addresses`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailAddressRequest {
    address: String,
    queue: QueueId,
    display_name: String,
}

/// The body of `POST /tickets/{id}/reply`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    body: String,
}

/// `GET /mail/addresses`.
pub async fn list_addresses(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<MailAddressView>>> {
    caller.require(Role::Supervisor)?;
    let addresses = state.store.mail_addresses(caller.org).await?;
    Ok(Json(addresses.into_iter().map(Into::into).collect()))
}

fn parse_address(text: &str) -> ApiResult<EmailAddress> {
    EmailAddress::parse(text).map_err(|error| ApiError::invalid("address", error.to_string()))
}

/// `POST /mail/addresses`: mail to the address opens tickets in the email
/// queue (a second call changes the queue or name); an address of another
/// organization is a 409.
pub async fn put_address(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<MailAddressRequest>,
) -> ApiResult<Json<MailAddressView>> {
    caller.require(Role::Admin)?;
    let address = parse_address(&request.address)?;
    let queue = state
        .store
        .queue(caller.org, request.queue)
        .await
        .map_err(|_| ApiError::invalid("queue", "no such queue in this organization"))?;
    if queue.spec.channel != Channel::Email {
        return Err(ApiError::invalid("queue", "the queue does not take email"));
    }
    let name = request.display_name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::invalid(
            "display_name",
            "must be 1 to 200 characters",
        ));
    }
    let stored = state
        .store
        .put_mail_address(caller.org, &address, queue.id, name)
        .await?;
    state.email.addresses_changed(caller.org).await?;
    Ok(Json(stored.into()))
}

/// `DELETE /mail/addresses?address=…`.
pub async fn delete_address(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<StatusCode> {
    caller.require(Role::Admin)?;
    let given = query.get("address").map(String::as_str).unwrap_or("");
    let address = parse_address(given)?;
    state
        .store
        .delete_mail_address(caller.org, &address)
        .await?;
    state.email.addresses_changed(caller.org).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /tickets/{id}/reply`: the text goes to the customer by email,
/// threaded under their last email, and is stored as the agent's message
/// in the ticket's email contact (through the live center when the agent
/// holds that contact, so the desktop shows it at once). 202: sending is
/// the outbox's job.
pub async fn reply(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<ReplyRequest>,
) -> ApiResult<(StatusCode, Json<ChatMessage>)> {
    let user = caller.agent()?;
    let body = request.body.trim();
    if body.is_empty() || body.chars().count() > MAX_MESSAGE_CHARS {
        return Err(ApiError::invalid(
            "body",
            format!("must be 1 to {MAX_MESSAGE_CHARS} characters"),
        ));
    }
    let ticket = state.store.ticket(caller.org, TicketId(id)).await?;
    let emails = state.store.ticket_emails(caller.org, ticket.id).await?;
    let Some(contact) = emails
        .iter()
        .rev()
        .filter(|email| email.from.is_some())
        .find_map(|email| email.interaction)
    else {
        return Err(ApiError::conflict(
            "the ticket has no customer email to answer",
        ));
    };
    let message = agent_message(&state, &caller, user, contact, body).await?;
    let queued = state
        .email
        .outbox
        .queue_reply(caller.org, ticket.id, Some(contact), &message, user)
        .await?;
    if queued.is_none() {
        return Err(ApiError::conflict(
            "the ticket has no customer email to answer",
        ));
    }
    Ok((StatusCode::ACCEPTED, Json(message)))
}

/// Stores the agent's text in the contact: live when the agent holds it,
/// else straight into the store (the contact may have ended long ago).
async fn agent_message(
    state: &AppState,
    caller: &Caller,
    user: UserId,
    contact: InteractionId,
    body: &str,
) -> ApiResult<ChatMessage> {
    let key = format!("reply-{}", unique_key()?);
    let live = state
        .live
        .agent_message(caller.org, user, contact, body.to_owned(), key.clone())
        .await;
    if let Ok(message) = live {
        return Ok(message);
    }
    let new = NewMessage {
        interaction: contact,
        sender: Sender::Agent(user),
        body: body.to_owned(),
        idempotency_key: key,
        sent_at: state.email.outbox.now(),
    };
    match state.store.insert_message(caller.org, &new).await? {
        MessageInsert::Stored(message) | MessageInsert::AlreadyStored(message) => Ok(message),
    }
}

fn unique_key() -> ApiResult<String> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|error| ApiError::internal(&error))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
