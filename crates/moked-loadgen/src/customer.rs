//! A simulated customer: opens a chat through the widget API, connects the
//! chat's WebSocket, waits for an agent, exchanges messages (timing each
//! round trip), then keeps the connection open and idle until told to go.

use crate::agent::{AGENT_TAG, CUSTOMER_TAG, tagged};
use crate::api::{Api, ApiError, Credentials, Socket, id_of, text_of};
use crate::stats::{ErrorKind, Metrics};
use futures_util::{SinkExt, StreamExt};
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

/// One customer's part of the run.
#[derive(Debug, Clone)]
pub struct Script {
    /// Organization slug.
    pub org: String,
    /// Queue id.
    pub queue: i64,
    /// The customer's number in the run.
    pub index: usize,
    /// Messages to exchange with the agent.
    pub messages: u32,
    /// The longest wait for any one expected event.
    pub timeout: Duration,
}

/// Runs a customer: chat, exchange, then idle until `release` turns true.
/// Reports on `done` once the exchange is over (whatever its outcome).
pub async fn run(
    api: Api,
    script: Script,
    metrics: Arc<Metrics>,
    done: tokio::sync::mpsc::Sender<()>,
    mut release: watch::Receiver<bool>,
) {
    let opened = exchange(&api, &script, &metrics).await;
    let _ = done.send(()).await;
    let Some(Opened {
        mut socket,
        chat,
        token,
    }) = opened
    else {
        return;
    };
    // Idle: read (answering pings) until released, so the connection is
    // one a real waiting customer would hold.
    loop {
        tokio::select! {
            frame = socket.next() => match frame {
                Some(Ok(Message::Close(_))) | None => {
                    metrics.errors.record(ErrorKind::WebSocket, "the server closed an idle customer socket");
                    return;
                }
                Some(Err(error)) => {
                    metrics.errors.record(ErrorKind::WebSocket, error.to_string());
                    return;
                }
                Some(Ok(_)) => {}
            },
            _ = release.wait_for(|go| *go) => break,
        }
    }
    let _ = socket.close(None).await;
    // Leave the server as found: the chat ends (after the measurements, so
    // a failure here is not counted).
    let end = format!("/widget/chats/{chat}/end");
    let _ = api
        .call(Method::POST, &end, &Credentials::Bearer(token), None::<&()>)
        .await;
}

/// An open chat and its connection.
struct Opened {
    socket: Socket,
    chat: i64,
    token: String,
}

/// Opens the chat and exchanges the messages; the socket when all went well
/// enough to keep it.
async fn exchange(api: &Api, script: &Script, metrics: &Metrics) -> Option<Opened> {
    let (chat, token) = match open_chat(api, script, metrics).await {
        Ok(opened) => opened,
        Err(error) => {
            metrics.errors.record(ErrorKind::Http, error.to_string());
            return None;
        }
    };
    let path = format!("/widget/chats/{chat}/ws?token={token}");
    let mut socket = match api.websocket(&path, None).await {
        Ok(socket) => socket,
        Err(error) => {
            metrics
                .errors
                .record(ErrorKind::WebSocket, error.to_string());
            return None;
        }
    };
    // The agent may have accepted before the socket subscribed: the
    // chat's status (read after subscribing) covers that case.
    let already = match connected_now(api, chat, &token).await {
        Ok(connected) => connected,
        Err(error) => {
            metrics.errors.record(ErrorKind::Http, error.to_string());
            return Some(Opened {
                socket,
                chat,
                token,
            });
        }
    };
    if !already
        && !wait_for(&mut socket, script.timeout, metrics, |event| {
            event["type"] == "chat_connected"
        })
        .await
    {
        metrics.errors.record(
            ErrorKind::Timeout,
            format!("chat {chat} was never connected"),
        );
        return Some(Opened {
            socket,
            chat,
            token,
        });
    }
    metrics.connected.fetch_add(1, Ordering::Relaxed);
    for round in 0..script.messages {
        let nonce = format!("{chat}-{round}");
        if !round_trip(&mut socket, &nonce, script.timeout, metrics).await {
            break;
        }
    }
    Some(Opened {
        socket,
        chat,
        token,
    })
}

/// Whether an agent already holds the chat.
async fn connected_now(api: &Api, chat: i64, token: &str) -> Result<bool, ApiError> {
    let credentials = Credentials::Bearer(token.to_owned());
    let path = format!("/widget/chats/{chat}");
    let answer = api
        .call(Method::GET, &path, &credentials, None::<&()>)
        .await?;
    Ok(answer["status"]["state"] == "connected")
}

/// POSTs the chat; its id and token. The POST's start is handed to the
/// offer clock.
async fn open_chat(
    api: &Api,
    script: &Script,
    metrics: &Metrics,
) -> Result<(i64, String), ApiError> {
    let body = json!({ "name": format!("לקוח בדיקה {}", script.index), "queue": script.queue });
    let path = format!("/widget/{}/chats", script.org);
    let started = Instant::now();
    let answer = api
        .call(Method::POST, &path, &Credentials::None, Some(&body))
        .await?;
    metrics.chat_post.record_since(started);
    let chat = id_of(&answer, "chat")?;
    metrics
        .offers
        .posted(chat, started, &metrics.contact_to_offer);
    Ok((chat, text_of(&answer, "token")?.to_owned()))
}

/// Sends one tagged message and waits for the agent's tagged answer.
async fn round_trip(
    socket: &mut Socket,
    nonce: &str,
    timeout: Duration,
    metrics: &Metrics,
) -> bool {
    let body = format!("{CUSTOMER_TAG} {nonce} שלום, יש לי שאלה על החשבון");
    let frame = json!({ "type": "message", "body": body, "idempotency_key": format!("c-{nonce}") });
    let sent = Instant::now();
    metrics.to_agents.sending(nonce.to_owned());
    if let Err(error) = socket.send(Message::text(frame.to_string())).await {
        metrics
            .errors
            .record(ErrorKind::WebSocket, error.to_string());
        return false;
    }
    let answered = wait_for(socket, timeout, metrics, |event| {
        let body = event["message"]["body"].as_str().unwrap_or_default();
        event["type"] == "message" && tagged(body, AGENT_TAG).as_deref() == Some(nonce)
    })
    .await;
    if answered {
        metrics
            .to_customers
            .arrived(nonce, &metrics.agent_to_customer);
        metrics.round_trip.record_since(sent);
    } else {
        metrics
            .errors
            .record(ErrorKind::Timeout, format!("no answer to message {nonce}"));
    }
    answered
}

/// Reads events until one matches (true) or `timeout` passes or the socket
/// fails (false).
async fn wait_for(
    socket: &mut Socket,
    timeout: Duration,
    metrics: &Metrics,
    wanted: impl Fn(&Value) -> bool,
) -> bool {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let frame = match tokio::time::timeout_at(deadline, socket.next()).await {
            Err(_) => return false,
            Ok(frame) => frame,
        };
        match frame {
            Some(Ok(Message::Text(text))) => match serde_json::from_str::<Value>(text.as_str()) {
                Ok(event) if wanted(&event) => return true,
                Ok(_) => {}
                Err(_) => metrics.errors.record(
                    ErrorKind::Protocol,
                    format!("customer frame is not JSON: {text:.80}"),
                ),
            },
            Some(Ok(Message::Close(_))) | None => {
                metrics
                    .errors
                    .record(ErrorKind::WebSocket, "the server closed a customer socket");
                return false;
            }
            Some(Ok(_)) => {}
            Some(Err(error)) => {
                metrics
                    .errors
                    .record(ErrorKind::WebSocket, error.to_string());
                return false;
            }
        }
    }
}
