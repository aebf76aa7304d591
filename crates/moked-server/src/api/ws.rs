//! WebSockets: `/api/v1/ws` streams live events to staff, each seeing only
//! what the table in `docs/server.md` allows (an agent: its offers, chats
//! and state; supervisors also every agent's state and wallboard changes);
//! `/api/v1/widget/chats/{id}/ws` streams one chat's events to its
//! customer (never internal notes) and takes the customer's messages and
//! typing.
//!
//! Events reach the sockets through [`crate::api::fanout`]. A subscriber
//! that falls behind gets `{"type":"resync"}`: it missed events and should
//! re-read its state over HTTP. The subscription is made before the
//! initial state is read, so no event falls between the two.

use crate::api::agent::MessageBody;
use crate::api::fanout::Subscription;
use crate::api::widget::{ChatCaller, send_customer_message};
use crate::auth::{Caller, Credential};
use crate::error::ApiError;
use crate::metrics::{SocketGuard, SocketKind};
use crate::state::AppState;
use axum::extract::State;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::http::header;
use axum::response::Response;
use moked_live::LiveError;
use moked_store::{InteractionId, Role};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashSet;

/// Largest frame a client may send (a 4,000-character message in JSON
/// fits with room to spare).
const MAX_CLIENT_MESSAGE: usize = 64 * 1024;
/// Read buffer per socket. tungstenite zero-fills up to this much on every
/// read attempt, and a socket is polled on every organization event it is
/// woken for: the 128 KiB default made memset the server's hottest
/// function under load. Longer frames still arrive (the buffer grows).
const READ_BUFFER: usize = 4 * 1024;

/// What one staff member may see, updated as chats come and go.
#[derive(Debug, Clone)]
pub struct StaffView {
    user: Option<i64>,
    supervisor: bool,
    chats: HashSet<i64>,
}

impl StaffView {
    /// A view for a caller, holding the chats it already has.
    pub fn new(user: Option<i64>, role: Role, chats: impl IntoIterator<Item = i64>) -> StaffView {
        StaffView {
            user,
            supervisor: matches!(role, Role::Supervisor | Role::Admin),
            chats: chats.into_iter().collect(),
        }
    }

    /// The staff member, when the caller is a user (not an API token).
    pub fn user(&self) -> Option<i64> {
        self.user
    }

    /// Whether floor-wide events (agents' states, the wallboard) concern it.
    pub fn is_supervisor(&self) -> bool {
        self.supervisor
    }

    /// The chats it follows.
    pub fn chats(&self) -> impl Iterator<Item = i64> + '_ {
        self.chats.iter().copied()
    }

    /// Whether it follows `chat`.
    pub fn follows(&self, chat: i64) -> bool {
        self.chats.contains(&chat)
    }

    /// Follows a chat it holds.
    pub fn follow(&mut self, chat: i64) {
        self.chats.insert(chat);
    }

    fn is_me(&self, event: &Value, field: &str) -> bool {
        self.user.is_some() && event[field].as_i64() == self.user
    }

    /// Whether a ticket event lists this user among its `agents`.
    fn is_named(&self, event: &Value) -> bool {
        let agents = event["agents"].as_array().map(Vec::as_slice);
        self.user.is_some_and(|me| {
            agents
                .unwrap_or_default()
                .iter()
                .any(|a| a.as_i64() == Some(me))
        })
    }

    fn has_chat(&self, event: &Value) -> bool {
        event["chat"]
            .as_i64()
            .is_some_and(|chat| self.chats.contains(&chat))
    }

    /// Whether the event goes to this viewer; updates the chats it follows.
    pub fn sees(&mut self, event: &Value) -> bool {
        let chat = event["chat"].as_i64();
        match event["type"].as_str().unwrap_or_default() {
            "offer" | "offer_withdrawn" => self.is_me(event, "agent"),
            "chat_connected" => {
                let mine = self.is_me(event, "agent");
                if let (true, Some(chat)) = (mine, chat) {
                    self.chats.insert(chat);
                }
                mine
            }
            // Chat events name the chat's agent; the followed set covers
            // the moment between a transfer and the next connect.
            "message" | "chat_ended" => self.is_me(event, "agent") || self.has_chat(event),
            "typing" => {
                (self.is_me(event, "agent") || self.has_chat(event)) && event["from"] == "customer"
            }
            "chat_transferred" => {
                let from_me = self.is_me(event, "from_agent");
                let to_me = self.is_me(event, "to_agent");
                if let Some(chat) = chat {
                    if from_me {
                        self.chats.remove(&chat);
                    }
                    if to_me {
                        self.chats.insert(chat);
                    }
                }
                from_me || to_me
            }
            "wrap_up_done" => {
                let mine = self.is_me(event, "agent");
                if let (true, Some(chat)) = (mine, chat) {
                    self.chats.remove(&chat);
                }
                mine
            }
            "agent_state" | "phone" => self.supervisor || self.is_me(event, "agent"),
            "wallboard_changed" => self.supervisor,
            "ticket" | "sla" => self.supervisor || self.is_named(event),
            _ => false,
        }
    }
}

/// Whether a chat's customer sees the event.
pub fn customer_sees(chat: InteractionId, event: &Value) -> bool {
    if event["chat"].as_i64() != Some(chat.0) {
        return false;
    }
    match event["type"].as_str().unwrap_or_default() {
        "chat_connected" | "queue_position" | "chat_ended" | "chat_transferred" => true,
        "message" => event["message"]["sender"]["kind"] != "note",
        "typing" => event["from"] == "agent",
        _ => false,
    }
}

/// Strips what a customer need not know (staff ids) from an event.
pub fn for_customer(mut event: Value) -> Value {
    if let Some(fields) = event.as_object_mut() {
        for staff_only in ["agent", "from_agent", "to_agent", "to_queue", "customer"] {
            fields.remove(staff_only);
        }
    }
    event
}

/// Refuses a browser handshake from another site: the cookie would be
/// sent along (cross-site WebSocket hijacking).
fn check_origin(headers: &HeaderMap, caller: &Caller) -> Result<(), ApiError> {
    if !matches!(caller.credential, Credential::Cookie(_)) {
        return Ok(());
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    if origin_host == host {
        Ok(())
    } else {
        Err(ApiError::forbidden("a WebSocket from another site"))
    }
}

/// `GET /api/v1/ws`.
pub async fn staff(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    check_origin(&headers, &caller)?;
    let view = StaffView::new(caller.user.map(|u| u.0), caller.role, []);
    let events = state.fanout.staff(caller.org, view);
    if let Some(user) = caller.user {
        match state.live.agent_desk(caller.org, user).await {
            Ok(desk) => events.follow(desk.chats.iter().map(|chat| chat.chat.0)),
            // Supervisors and admins who take no chats are not agents of
            // the live center: they hold none.
            Err(LiveError::NotFound { .. }) => {}
            Err(other) => return Err(other.into()),
        }
    }
    Ok(upgrade
        .max_message_size(MAX_CLIENT_MESSAGE)
        .read_buffer_size(READ_BUFFER)
        .on_upgrade(move |socket| staff_loop(state, socket, events)))
}

async fn staff_loop(state: AppState, mut socket: WebSocket, mut events: Subscription) {
    let _counted = SocketGuard::open(SocketKind::Staff);
    let mut closing = state.closing.subscribe();
    loop {
        let outgoing = tokio::select! {
            frame = events.next() => match frame {
                Some(frame) => frame,
                None => break,
            },
            incoming = socket.recv() => match incoming {
                // Staff send nothing but pings (answered by the library).
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => continue,
            },
            _ = closing.changed() => break,
        };
        if send_with_resync(&mut socket, &mut events, outgoing)
            .await
            .is_err()
        {
            break;
        }
    }
    let _ = socket.send(Message::Close(None)).await;
}

/// Sends a frame, then `resync` if the subscriber missed events and has
/// nothing older left to send.
async fn send_with_resync(
    socket: &mut WebSocket,
    events: &mut Subscription,
    frame: Utf8Bytes,
) -> Result<(), axum::Error> {
    socket.send(Message::Text(frame)).await?;
    if events.take_lag() {
        socket
            .send(Message::text(json!({"type": "resync"}).to_string()))
            .await?;
    }
    Ok(())
}

/// `GET /api/v1/widget/chats/{id}/ws?token=`.
pub async fn customer(
    State(state): State<AppState>,
    caller: ChatCaller,
    upgrade: WebSocketUpgrade,
) -> Response {
    let events = state.fanout.customer(caller.org, caller.chat);
    upgrade
        .max_message_size(MAX_CLIENT_MESSAGE)
        .read_buffer_size(READ_BUFFER)
        .on_upgrade(move |socket| customer_loop(state, socket, events, caller))
}

/// What a customer may send.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum CustomerFrame {
    Message {
        body: String,
        idempotency_key: String,
    },
    Typing,
}

async fn customer_loop(
    state: AppState,
    mut socket: WebSocket,
    mut events: Subscription,
    caller: ChatCaller,
) {
    let _counted = SocketGuard::open(SocketKind::Customer);
    let mut closing = state.closing.subscribe();
    loop {
        let outgoing = tokio::select! {
            frame = events.next() => match frame {
                Some(frame) => frame,
                None => break,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    match customer_frame(&state, caller, text.as_str()).await {
                        Some(answer) => answer.to_string().into(),
                        None => continue,
                    }
                }
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => continue,
            },
            _ = closing.changed() => break,
        };
        if send_with_resync(&mut socket, &mut events, outgoing)
            .await
            .is_err()
        {
            break;
        }
    }
    let _ = socket.send(Message::Close(None)).await;
}

/// Handles one frame from the customer; returns the answer to send, if any.
async fn customer_frame(state: &AppState, caller: ChatCaller, text: &str) -> Option<Value> {
    let frame = match crate::json::parse::<CustomerFrame>(text.as_bytes()) {
        Ok(frame) => frame,
        Err(error) => return Some(error_frame(&error, None)),
    };
    match frame {
        CustomerFrame::Message {
            body,
            idempotency_key,
        } => {
            let key = idempotency_key.clone();
            let sent = send_customer_message(
                state,
                caller,
                MessageBody {
                    body,
                    idempotency_key,
                },
            )
            .await;
            Some(match sent {
                Ok(message) => json!({"type": "ack", "idempotency_key": key, "message": message}),
                Err(error) => error_frame(&error, Some(&key)),
            })
        }
        CustomerFrame::Typing => match state.live.customer_typing(caller.org, caller.chat).await {
            Ok(()) => None,
            Err(error) => Some(error_frame(&ApiError::from(error), None)),
        },
    }
}

fn error_frame(error: &ApiError, key: Option<&str>) -> Value {
    json!({
        "type": "error",
        "status": error.status.as_u16(),
        "detail": error.detail,
        "field": error.field,
        "idempotency_key": key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_agent_sees_its_own_chats_and_state_only() {
        let mut agent = StaffView::new(Some(7), Role::Agent, []);
        assert!(!agent.sees(&json!({"type": "offer", "chat": 1, "agent": 8})));
        assert!(agent.sees(&json!({"type": "offer", "chat": 1, "agent": 7})));
        assert!(!agent.sees(&json!({"type": "message", "chat": 1})));
        assert!(agent.sees(&json!({"type": "chat_connected", "chat": 1, "agent": 7})));
        assert!(agent.sees(&json!({"type": "message", "chat": 1})));
        assert!(agent.sees(&json!({"type": "typing", "chat": 1, "from": "customer"})));
        assert!(!agent.sees(&json!({"type": "typing", "chat": 1, "from": "agent"})));
        assert!(!agent.sees(&json!({"type": "agent_state", "agent": 8})));
        assert!(agent.sees(&json!({"type": "agent_state", "agent": 7})));
        assert!(agent.sees(&json!({"type": "phone", "agent": 7, "registered": true})));
        assert!(!agent.sees(&json!({"type": "phone", "agent": 8, "registered": true})));
        assert!(!agent.sees(&json!({"type": "wallboard_changed", "queue": 1})));
        assert!(
            agent.sees(
                &json!({"type": "chat_transferred", "chat": 1, "from_agent": 7, "to_queue": 2})
            )
        );
        assert!(
            !agent.sees(&json!({"type": "message", "chat": 1, "agent": null})),
            "gone after transfer"
        );
        assert!(
            agent.sees(&json!({"type": "message", "chat": 9, "agent": 7})),
            "named as the chat's agent"
        );
    }

    #[test]
    fn supervisors_see_the_floor() {
        let mut supervisor = StaffView::new(Some(1), Role::Supervisor, []);
        assert!(supervisor.sees(&json!({"type": "agent_state", "agent": 8})));
        assert!(supervisor.sees(&json!({"type": "wallboard_changed", "queue": 1})));
        assert!(supervisor.sees(&json!({"type": "phone", "agent": 8, "registered": true})));
        assert!(!supervisor.sees(&json!({"type": "offer", "chat": 1, "agent": 8})));
    }

    #[test]
    fn customers_never_see_notes_or_other_chats() {
        let chat = InteractionId(5);
        let note = json!({"type": "message", "chat": 5, "message": {"sender": {"kind": "note", "user": 7}}});
        let reply = json!({"type": "message", "chat": 5, "message": {"sender": {"kind": "agent", "user": 7}}});
        assert!(!customer_sees(chat, &note));
        assert!(customer_sees(chat, &reply));
        assert!(!customer_sees(InteractionId(6), &reply));
        assert!(!customer_sees(
            chat,
            &json!({"type": "typing", "chat": 5, "from": "customer"})
        ));
        assert!(customer_sees(
            chat,
            &json!({"type": "queue_position", "chat": 5, "position": 2})
        ));
    }
}
