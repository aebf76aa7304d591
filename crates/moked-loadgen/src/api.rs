//! The server's HTTP and WebSocket API as the generator uses it: JSON
//! requests with a bearer token, a session cookie and CSRF header, or a
//! chat token; WebSocket connections with the same credentials.

use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A WebSocket to the server.
pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request did not complete.
    #[error("{method} {path}: {source}")]
    Transport {
        /// The method.
        method: Method,
        /// The path.
        path: String,
        /// What failed.
        source: reqwest::Error,
    },
    /// The server answered outside 2xx.
    #[error("{method} {path}: {status} {body}")]
    Status {
        /// The method.
        method: Method,
        /// The path.
        path: String,
        /// The answer's status.
        status: StatusCode,
        /// The start of its body (problem details).
        body: String,
    },
    /// The WebSocket handshake failed.
    #[error("WebSocket {path}: {detail}")]
    WebSocket {
        /// The path.
        path: String,
        /// What failed.
        detail: String,
    },
    /// An answer lacked what was expected.
    #[error("{0}")]
    Unexpected(String),
}

/// How a request proves who sends it.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// `Authorization: Bearer` (API tokens, chat tokens).
    Bearer(String),
    /// A logged-in user's session cookie and its CSRF token.
    Session {
        /// `moked_session=...`.
        cookie: String,
        /// The session's `csrf_token`.
        csrf: String,
    },
    /// Public endpoints.
    None,
}

/// The server's address and a shared connection pool.
#[derive(Debug, Clone)]
pub struct Api {
    http: reqwest::Client,
    /// `http://host:port`, no trailing slash.
    base: String,
}

impl Api {
    /// An API client for a server at `base` (`http://127.0.0.1:8080`).
    pub fn new(base: &str) -> Result<Api, ApiError> {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(1_024)
            .build()
            .map_err(|error| ApiError::Unexpected(format!("HTTP client: {error}")))?;
        Ok(Api {
            http,
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    /// Sends `body` (if any) as JSON to `/api/v1{path}` and returns the
    /// answer's JSON (`null` for an empty answer).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        credentials: &Credentials,
        body: Option<&impl Serialize>,
    ) -> Result<Value, ApiError> {
        let (text, _) = self.call_raw(method, path, credentials, body).await?;
        if text.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text)
            .map_err(|error| ApiError::Unexpected(format!("{path}: answer is not JSON: {error}")))
    }

    /// Like [`Api::call`], also returning the `Set-Cookie` headers.
    pub async fn call_raw(
        &self,
        method: Method,
        path: &str,
        credentials: &Credentials,
        body: Option<&impl Serialize>,
    ) -> Result<(String, Vec<String>), ApiError> {
        let url = format!("{}/api/v1{path}", self.base);
        let mut request = self.http.request(method.clone(), &url);
        request = match credentials {
            Credentials::Bearer(token) => request.bearer_auth(token),
            Credentials::Session { cookie, csrf } => request
                .header("cookie", cookie)
                .header("x-csrf-token", csrf),
            Credentials::None => request,
        };
        if let Some(body) = body {
            request = request.json(body);
        }
        let fail = |source| ApiError::Transport {
            method: method.clone(),
            path: path.to_owned(),
            source,
        };
        let response = request.send().await.map_err(fail)?;
        let status = response.status();
        let cookies = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|value| value.to_str().ok().map(str::to_owned))
            .collect();
        let text = response.text().await.map_err(fail)?;
        if !status.is_success() {
            return Err(ApiError::Status {
                method,
                path: path.to_owned(),
                status,
                body: text.chars().take(300).collect(),
            });
        }
        Ok((text, cookies))
    }

    /// Opens a WebSocket to `/api/v1{path_and_query}`, sending the session
    /// cookie if given and an `Origin` of the server itself.
    pub async fn websocket(
        &self,
        path_and_query: &str,
        cookie: Option<&str>,
    ) -> Result<Socket, ApiError> {
        let ws_base = self.base.replacen("http", "ws", 1);
        let url = format!("{ws_base}/api/v1{path_and_query}");
        let fail = |detail: String| ApiError::WebSocket {
            path: path_and_query
                .split('?')
                .next()
                .unwrap_or_default()
                .to_owned(),
            detail,
        };
        let mut request = url
            .as_str()
            .into_client_request()
            .map_err(|error| fail(error.to_string()))?;
        let header = |value: &str| HeaderValue::from_str(value).map_err(|e| fail(e.to_string()));
        request.headers_mut().insert("origin", header(&self.base)?);
        if let Some(cookie) = cookie {
            request.headers_mut().insert("cookie", header(cookie)?);
        }
        // Nagle off, as a browser has it: small frames go out at once.
        let (socket, _) = tokio_tungstenite::connect_async_with_config(request, None, true)
            .await
            .map_err(|error| fail(error.to_string()))?;
        Ok(socket)
    }
}

/// A JSON field as an integer id.
pub fn id_of(value: &Value, field: &str) -> Result<i64, ApiError> {
    value[field]
        .as_i64()
        .ok_or_else(|| ApiError::Unexpected(format!("no integer {field:?} in {value}")))
}

/// A JSON field as a string.
pub fn text_of<'a>(value: &'a Value, field: &str) -> Result<&'a str, ApiError> {
    value[field]
        .as_str()
        .ok_or_else(|| ApiError::Unexpected(format!("no string {field:?} in {value}")))
}
