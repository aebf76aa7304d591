//! The Moked HTTP server: the JSON API under `/api/v1` (the contract is
//! `docs/server.md`), WebSockets for staff and customers, authentication
//! (argon2id passwords, session cookies with CSRF tokens, bearer tokens,
//! chat tokens), rate limits, Prometheus metrics, the OpenAPI document and
//! the embedded web UI.
//!
//! The server does no routing itself: every contact-center action goes to
//! the [`moked_live::Live`] handle, and every persisted read to the
//! [`moked_store::Store`]; both are always called with the caller's
//! organization, never one taken from the request (except the public
//! widget's `{org}` slug, which names the organization a customer writes
//! to).
//!
//! Use: [`ServerConfig`] → [`build`] → [`Server::serve`]. Tests and the demo
//! use [`build_with_store`] and [`Server::serve_with_shutdown`].
//!
//! With `sip_listen` set, the same start-up runs the phone channel
//! ([`moked_sip::SipServer`], UDP and TCP) on the same store and live
//! center; it lives as long as the [`Server`] and stops with it.

// The OpenAPI document is one large `json!` literal.
#![recursion_limit = "512"]

pub mod api;
mod assets;
pub mod auth;
pub mod config;
pub mod demo;
pub mod email;
pub mod error;
pub mod json;
pub mod metrics;
pub mod openapi;
pub mod ratelimit;
pub mod search;
pub mod sla;
pub mod state;
pub mod tickets;

pub use auth::{hash_password, issue_api_token};
pub use config::{ConfigError, ConfigOverrides, ServerConfig};
pub use state::AppState;

use anyhow::Context;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use moked_live::{Live, LiveConfig, SystemClock};
use moked_sip::{SipConfig, SipError, SipServer};
use moked_store::Store;
use moked_store_postgres::PostgresStore;
use moked_store_sqlite::SqliteStore;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::set_header::SetResponseHeaderLayer;

/// Largest request body accepted (bigger ones get 413).
pub const BODY_LIMIT: usize = 64 * 1024;

/// Opens the configured store: PostgreSQL when a database URL is set,
/// otherwise the SQLite file in the data folder (created if needed).
pub async fn open_store(config: &ServerConfig) -> anyhow::Result<Arc<dyn Store>> {
    match &config.database_url {
        Some(url) => {
            let store = PostgresStore::connect(url)
                .await
                .context("connecting to PostgreSQL (--database-url)")?;
            Ok(Arc::new(store))
        }
        None => {
            let store = SqliteStore::open_in_dir(&config.data_dir)
                .await
                .with_context(|| {
                    format!("opening the database in {}", config.data_dir.display())
                })?;
            Ok(Arc::new(store))
        }
    }
}

/// Sets up logging to stderr with the configured filter (`MOKED_LOG`,
/// `RUST_LOG` or `log` in the file). Colours only on a terminal, so a log
/// written to a file stays plain text. A second call does nothing. The
/// search library's per-commit chatter and the SIP stack's per-datagram
/// lines show only at their `debug` unless the filter names them: the SIP
/// stack logs whole messages, callers' numbers and digest answers included.
pub fn init_logging(filter: &str) {
    use std::io::IsTerminal as _;
    let mut filter = filter.to_owned();
    for quiet in ["tantivy", "rsipstack"] {
        if !filter.contains(quiet) {
            filter.push_str(&format!(",{quiet}=warn"));
        }
    }
    let filter = tracing_subscriber::EnvFilter::try_new(&filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tantivy=warn,rsipstack=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}

/// A server bound to its address, ready to serve.
pub struct Server {
    listener: TcpListener,
    state: AppState,
    app: Router,
    sip: Option<SipServer>,
    email: email::EmailTasks,
}

/// Opens the store, starts the live center and binds the address.
pub async fn build(config: ServerConfig) -> anyhow::Result<Server> {
    let store = open_store(&config).await?;
    build_with_store(config, store).await
}

/// Starts the live center on `store` and binds the configured address.
pub async fn build_with_store(
    config: ServerConfig,
    store: Arc<dyn Store>,
) -> anyhow::Result<Server> {
    let live = Live::start(store.clone(), Arc::new(SystemClock), LiveConfig::default())
        .await
        .context("starting the live contact center")?;
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    let sip_listen = config.sip_listen;
    let mail = config.mail.clone();
    let state = AppState::new(store, live, config);
    let app = app(state.clone());
    let email = email::start(&state.email, &mail).await?;
    let mut server = Server {
        listener,
        state,
        app,
        sip: None,
        email,
    };
    if let Some(addr) = sip_listen {
        server.start_sip(addr).await?;
    }
    Ok(server)
}

/// The whole application: API, health, metrics and the web UI.
pub fn app(state: AppState) -> Router {
    let api = api::routes()
        .into_router()
        .route(
            "/api/v1/{*rest}",
            get(api_not_found)
                .post(api_not_found)
                .put(api_not_found)
                .delete(api_not_found),
        )
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::scrape))
        .layer(axum::middleware::from_fn(api::widget_cors))
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .with_state(state);
    api.merge(assets::router())
}

async fn api_not_found() -> error::ApiError {
    error::ApiError::not_found("route")
}

/// `GET /healthz`: 200 `ok` once the store answers.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.organizations().await {
        Ok(_) => (StatusCode::OK, "ok"),
        Err(error) => {
            metrics::store_error();
            tracing::warn!(%error, "health check: the store does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "store unavailable")
        }
    }
}

impl Server {
    /// The address actually bound (port 0 is replaced by the chosen port).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The URL to open in a browser.
    pub fn url(&self) -> String {
        format!("http://{}", self.local_addr())
    }

    /// The shared state (store, live center), for the demo traffic.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Starts the SIP server on `listen` (UDP and TCP) with the configured
    /// realm and limits, for as long as this server lives; returns the
    /// bound address.
    /// The demo calls it itself so that a taken port only turns SIP off.
    pub async fn start_sip(&mut self, listen: SocketAddr) -> Result<SocketAddr, SipError> {
        let config = SipConfig {
            listen,
            realm: self.state.config.sip_realm.clone(),
            max_calls: self.state.config.sip_max_calls,
            requests_per_second: self.state.config.sip_requests_per_second,
            ..SipConfig::default()
        };
        let sip =
            SipServer::start(config, self.state.store.clone(), self.state.live.clone()).await?;
        let addr = sip.local_addr();
        self.sip = Some(sip);
        Ok(addr)
    }

    /// Where SIP listens, when it runs.
    pub fn sip_addr(&self) -> Option<SocketAddr> {
        self.sip.as_ref().map(SipServer::local_addr)
    }

    /// Where the SMTP listener is bound, when it runs.
    pub fn smtp_addr(&self) -> Option<SocketAddr> {
        self.email.smtp_addr()
    }

    /// Serves until Ctrl-C or SIGTERM, then finishes the requests in
    /// progress and closes the WebSockets.
    pub async fn serve(self) -> anyhow::Result<()> {
        self.serve_with_shutdown(shutdown_signal()).await
    }

    /// Serves until `shutdown` completes.
    pub async fn serve_with_shutdown(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let closing = self.state.closing.clone();
        let signal = async move {
            shutdown.await;
            tracing::info!("shutting down");
            let _ = closing.send(true);
        };
        // TCP_NODELAY: a WebSocket event sent right after another small
        // frame (an ack) would otherwise wait for the client's delayed ACK,
        // about 40 ms on Linux.
        let listener = axum::serve::ListenerExt::tap_io(self.listener, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(
            listener,
            self.app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(signal)
        .await
        .context("serving HTTP")?;
        if let Some(sip) = self.sip {
            tracing::info!(addr = %sip.local_addr(), "SIP stopped");
            drop(sip);
        }
        drop(self.email);
        Ok(())
    }
}

/// Completes on Ctrl-C, or on SIGTERM (how service managers stop us).
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
