//! Prometheus metrics at `/metrics`, in the text exposition format, kept by
//! hand (a few counters and one histogram do not need a metrics crate):
//!
//! - `moked_http_requests_total{route,method,status}`
//! - `moked_http_request_duration_seconds{route}` (histogram)
//! - `moked_websocket_connections{kind="staff"|"customer"}` (gauge)
//! - `moked_store_errors_total`
//! - `moked_chats_waiting{org}`, `moked_chats_active{org}` (read from the
//!   live center at scrape time)
//!
//! Routes are the router's patterns (`/api/v1/queues/{id}`), never raw
//! paths, so ids do not explode the label space.

use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::Instant;

/// Upper bounds of the duration histogram's buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    durations: Mutex<BTreeMap<String, Histogram>>,
    staff_sockets: AtomicI64,
    customer_sockets: AtomicI64,
    store_errors: AtomicU64,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::default);

/// Counts a failed store call.
pub fn store_error() {
    METRICS.store_errors.fetch_add(1, Ordering::Relaxed);
}

/// Which kind of WebSocket a connection is.
#[derive(Debug, Clone, Copy)]
pub enum SocketKind {
    /// A staff member's live events.
    Staff,
    /// A customer's chat.
    Customer,
}

/// Counts an open WebSocket until dropped.
pub struct SocketGuard(SocketKind);

impl SocketGuard {
    /// Counts one more open socket of this kind.
    pub fn open(kind: SocketKind) -> SocketGuard {
        gauge(kind).fetch_add(1, Ordering::Relaxed);
        SocketGuard(kind)
    }
}

impl Drop for SocketGuard {
    fn drop(&mut self) {
        gauge(self.0).fetch_sub(1, Ordering::Relaxed);
    }
}

fn gauge(kind: SocketKind) -> &'static AtomicI64 {
    match kind {
        SocketKind::Staff => &METRICS.staff_sockets,
        SocketKind::Customer => &METRICS.customer_sockets,
    }
}

/// Middleware: counts and times every request by route pattern.
pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    // The route pattern, never the raw URI: a query may hold a chat token.
    tracing::debug!(%method, %route, status, ms = seconds * 1000.0, "request");
    {
        let mut requests = lock(&METRICS.requests);
        *requests.entry((route.clone(), method, status)).or_default() += 1;
    }
    let mut durations = lock(&METRICS.durations);
    let histogram = durations.entry(route).or_default();
    for (count, bound) in histogram.counts.iter_mut().zip(BUCKETS) {
        if seconds <= bound {
            *count += 1;
        }
    }
    histogram.sum += seconds;
    histogram.count += 1;
    response
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}

/// `GET /metrics`.
pub async fn scrape(State(state): State<AppState>) -> Response {
    let mut text = String::new();
    write_requests(&mut text);
    write_durations(&mut text);
    write_gauges(&mut text);
    write_live(&mut text, &state).await;
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

fn write_requests(text: &mut String) {
    text.push_str("# HELP moked_http_requests_total HTTP requests by route, method and status.\n");
    text.push_str("# TYPE moked_http_requests_total counter\n");
    for ((route, method, status), count) in lock(&METRICS.requests).iter() {
        let _ = writeln!(
            text,
            "moked_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {count}",
            escape(route)
        );
    }
}

fn write_durations(text: &mut String) {
    text.push_str("# HELP moked_http_request_duration_seconds Time to answer, by route.\n");
    text.push_str("# TYPE moked_http_request_duration_seconds histogram\n");
    for (route, histogram) in lock(&METRICS.durations).iter() {
        let route = escape(route);
        for (count, bound) in histogram.counts.iter().zip(BUCKETS) {
            let _ = writeln!(
                text,
                "moked_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {count}"
            );
        }
        let _ = writeln!(
            text,
            "moked_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}\n\
             moked_http_request_duration_seconds_sum{{route=\"{route}\"}} {}\n\
             moked_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
            histogram.count, histogram.sum, histogram.count
        );
    }
}

fn write_gauges(text: &mut String) {
    let _ = writeln!(
        text,
        "# HELP moked_websocket_connections Open WebSocket connections.\n\
         # TYPE moked_websocket_connections gauge\n\
         moked_websocket_connections{{kind=\"staff\"}} {}\n\
         moked_websocket_connections{{kind=\"customer\"}} {}\n\
         # HELP moked_store_errors_total Store calls that failed in the backend.\n\
         # TYPE moked_store_errors_total counter\n\
         moked_store_errors_total {}",
        METRICS.staff_sockets.load(Ordering::Relaxed),
        METRICS.customer_sockets.load(Ordering::Relaxed),
        METRICS.store_errors.load(Ordering::Relaxed),
    );
}

async fn write_live(text: &mut String, state: &AppState) {
    let Ok(organizations) = state.store.organizations().await else {
        store_error();
        return;
    };
    text.push_str("# HELP moked_chats_waiting Chats waiting in a queue now.\n");
    text.push_str("# TYPE moked_chats_waiting gauge\n");
    let mut active = String::from(
        "# HELP moked_chats_active Chats connected to an agent now.\n# TYPE moked_chats_active gauge\n",
    );
    for org in organizations {
        let Ok(board) = state.live.wallboard(org.id).await else {
            continue;
        };
        let (waiting, connected) = crate::api::wallboard::chat_counts(&board);
        let slug = escape(&org.slug);
        let _ = writeln!(text, "moked_chats_waiting{{org=\"{slug}\"}} {waiting}");
        let _ = writeln!(active, "moked_chats_active{{org=\"{slug}\"}} {connected}");
    }
    text.push_str(&active);
}

/// Escapes a label value (backslash, quote, newline).
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
