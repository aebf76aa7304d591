//! A simulated agent: logs in, becomes available, listens on the live
//! WebSocket, accepts every offer at once and answers every customer
//! message, timing offers and customer messages as they arrive.

use crate::api::{Api, ApiError, Credentials, Socket, text_of};
use crate::stats::{ErrorKind, Metrics};
use futures_util::StreamExt;
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::Arc;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

/// What a customer's message starts with: `lg-c CHAT-N`.
pub const CUSTOMER_TAG: &str = "lg-c";
/// What an agent's answer starts with: `lg-a CHAT-N`.
pub const AGENT_TAG: &str = "lg-a";

/// A logged-in agent.
pub struct Agent {
    credentials: Credentials,
    cookie: String,
    wrap_up_code: i64,
}

impl Agent {
    /// Logs in and returns the session.
    pub async fn login(
        api: &Api,
        org: &str,
        login: &str,
        password: &str,
        wrap_up_code: i64,
    ) -> Result<Agent, ApiError> {
        let body = json!({ "org": org, "login": login, "password": password });
        let (text, cookies) = api
            .call_raw(Method::POST, "/login", &Credentials::None, Some(&body))
            .await?;
        let session: Value = serde_json::from_str(&text)
            .map_err(|error| ApiError::Unexpected(format!("login answer: {error}")))?;
        let csrf = text_of(&session, "csrf_token")?.to_owned();
        let cookie = cookies
            .iter()
            .filter_map(|header| header.split(';').next())
            .find(|pair| pair.starts_with("moked_session="))
            .ok_or_else(|| ApiError::Unexpected("login set no moked_session cookie".to_owned()))?
            .to_owned();
        Ok(Agent {
            credentials: Credentials::Session {
                cookie: cookie.clone(),
                csrf,
            },
            cookie,
            wrap_up_code,
        })
    }

    /// Opens the live WebSocket and becomes available.
    pub async fn go_live(&self, api: &Api) -> Result<Socket, ApiError> {
        let socket = api.websocket("/ws", Some(&self.cookie)).await?;
        let presence = json!({ "state": "available" });
        api.call(
            Method::PUT,
            "/agent/presence",
            &self.credentials,
            Some(&presence),
        )
        .await?;
        Ok(socket)
    }

    /// Serves offers and messages until `stop` turns true or the socket closes.
    pub async fn serve(
        self,
        api: Api,
        mut socket: Socket,
        metrics: Arc<Metrics>,
        mut stop: watch::Receiver<bool>,
    ) {
        let me = Arc::new(self);
        loop {
            let frame = tokio::select! {
                frame = socket.next() => frame,
                _ = stop.wait_for(|stopped| *stopped) => break,
            };
            match frame {
                Some(Ok(Message::Text(text))) => me.handle(&api, &metrics, text.as_str()),
                Some(Ok(Message::Close(_))) | None => {
                    if !*stop.borrow() {
                        metrics
                            .errors
                            .record(ErrorKind::WebSocket, "the server closed an agent socket");
                    }
                    break;
                }
                Some(Ok(_)) => {}
                Some(Err(error)) => {
                    metrics
                        .errors
                        .record(ErrorKind::WebSocket, error.to_string());
                    break;
                }
            }
        }
        let _ = socket.close(None).await;
    }

    /// Reacts to one live event; requests run in their own tasks so the
    /// socket is read on without waiting for them.
    fn handle(self: &Arc<Self>, api: &Api, metrics: &Arc<Metrics>, text: &str) {
        let Ok(event) = serde_json::from_str::<Value>(text) else {
            metrics.errors.record(
                ErrorKind::Protocol,
                format!("agent frame is not JSON: {text:.80}"),
            );
            return;
        };
        let Some(chat) = event["chat"].as_i64() else {
            return;
        };
        match event["type"].as_str() {
            Some("offer") => {
                metrics.offers.offered(chat, &metrics.contact_to_offer);
                let path = format!("/interactions/{chat}/accept");
                self.spawn_call(api, metrics, path, None);
            }
            Some("message") => {
                let body = event["message"]["body"].as_str().unwrap_or_default();
                if let Some(nonce) = tagged(body, CUSTOMER_TAG) {
                    metrics
                        .to_agents
                        .arrived(&nonce, &metrics.customer_to_agent);
                    let answer = format!("{AGENT_TAG} {nonce} תודה, אני בודק את זה עבורך");
                    metrics.to_customers.sending(nonce.clone());
                    let body = json!({ "body": answer, "idempotency_key": format!("a-{nonce}") });
                    let path = format!("/interactions/{chat}/messages");
                    self.spawn_call(api, metrics, path, Some(body));
                }
            }
            Some("chat_ended") => {
                // Wrap up at once: an agent in wrap-up takes no new chats.
                let body = json!({ "code": self.wrap_up_code });
                let path = format!("/interactions/{chat}/wrap-up");
                self.spawn_call(api, metrics, path, Some(body));
            }
            _ => {}
        }
    }

    fn spawn_call(
        self: &Arc<Self>,
        api: &Api,
        metrics: &Arc<Metrics>,
        path: String,
        body: Option<Value>,
    ) {
        let (me, api, metrics) = (Arc::clone(self), api.clone(), Arc::clone(metrics));
        tokio::spawn(async move {
            let body = body.unwrap_or(Value::Null);
            let body = (!body.is_null()).then_some(&body);
            if let Err(error) = api.call(Method::POST, &path, &me.credentials, body).await {
                metrics.errors.record(ErrorKind::Http, error.to_string());
            }
        });
    }
}

/// The nonce (`CHAT-N`) of a body starting with `tag`.
pub fn tagged(body: &str, tag: &str) -> Option<String> {
    let rest = body.strip_prefix(tag)?.strip_prefix(' ')?;
    rest.split(' ').next().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_read_from_tagged_hebrew_bodies_only() {
        assert_eq!(
            tagged("lg-c 12-0 שלום", CUSTOMER_TAG).as_deref(),
            Some("12-0")
        );
        assert_eq!(tagged("lg-a 12-0 תודה", CUSTOMER_TAG), None);
        assert_eq!(tagged("שלום lg-c 1-1", CUSTOMER_TAG), None);
    }
}
