//! What a run measures: latency samples (kept whole and sorted at the end,
//! so percentiles are exact), error counts by kind with the first messages,
//! and the meeting points where two tasks' clocks are compared (the
//! customer's chat POST and the agent's offer; a message's send and its
//! arrival on the other side).

use serde::Serialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Error messages kept per run: enough to see what went wrong, bounded.
const KEPT_ERROR_MESSAGES: usize = 10;

/// Latency samples in milliseconds.
#[derive(Debug, Default)]
pub struct Samples(Mutex<Vec<f64>>);

impl Samples {
    /// Adds one sample: the time from `since` to now.
    pub fn record_since(&self, since: Instant) {
        let millis = since.elapsed().as_secs_f64() * 1_000.0;
        lock(&self.0).push(millis);
    }

    /// Their percentiles.
    pub fn summary(&self) -> Summary {
        let mut values = lock(&self.0).clone();
        values.sort_by(f64::total_cmp);
        Summary::of_sorted(&values)
    }
}

/// Percentiles of one latency, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    /// Samples taken.
    pub count: usize,
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Largest.
    pub max_ms: f64,
    /// Arithmetic mean.
    pub mean_ms: f64,
}

impl Summary {
    /// Nearest-rank percentiles of ascending values (all zero when empty).
    pub fn of_sorted(values: &[f64]) -> Summary {
        let rank = |p: f64| -> f64 {
            if values.is_empty() {
                return 0.0;
            }
            let index = ((p * values.len() as f64).ceil() as usize).clamp(1, values.len()) - 1;
            values[index]
        };
        let mean = if values.is_empty() {
            0.0
        } else {
            values.iter().sum::<f64>() / values.len() as f64
        };
        Summary {
            count: values.len(),
            p50_ms: rank(0.50),
            p90_ms: rank(0.90),
            p99_ms: rank(0.99),
            max_ms: values.last().copied().unwrap_or(0.0),
            mean_ms: mean,
        }
    }
}

/// What went wrong, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// An HTTP request failed or answered outside 2xx.
    Http,
    /// A WebSocket could not connect or broke.
    WebSocket,
    /// Something expected did not come in time.
    Timeout,
    /// The server sent something the generator could not read.
    Protocol,
}

impl ErrorKind {
    fn name(self) -> &'static str {
        match self {
            ErrorKind::Http => "http",
            ErrorKind::WebSocket => "websocket",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Protocol => "protocol",
        }
    }
}

/// Error counts and the first messages.
#[derive(Debug, Default)]
pub struct Errors {
    http: AtomicU64,
    websocket: AtomicU64,
    timeout: AtomicU64,
    protocol: AtomicU64,
    messages: Mutex<Vec<String>>,
}

impl Errors {
    /// Counts an error and keeps its message if few are kept yet.
    pub fn record(&self, kind: ErrorKind, message: impl Into<String>) {
        let counter = match kind {
            ErrorKind::Http => &self.http,
            ErrorKind::WebSocket => &self.websocket,
            ErrorKind::Timeout => &self.timeout,
            ErrorKind::Protocol => &self.protocol,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        let mut messages = lock(&self.messages);
        if messages.len() < KEPT_ERROR_MESSAGES {
            messages.push(format!("{}: {}", kind.name(), message.into()));
        }
    }

    /// The counts so far.
    pub fn counts(&self) -> ErrorCounts {
        ErrorCounts {
            http: self.http.load(Ordering::Relaxed),
            websocket: self.websocket.load(Ordering::Relaxed),
            timeout: self.timeout.load(Ordering::Relaxed),
            protocol: self.protocol.load(Ordering::Relaxed),
            first_messages: lock(&self.messages).clone(),
        }
    }
}

/// Error counts of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorCounts {
    /// Failed HTTP requests.
    pub http: u64,
    /// Failed or broken WebSockets.
    pub websocket: u64,
    /// Expected events that did not come.
    pub timeout: u64,
    /// Unreadable frames or answers.
    pub protocol: u64,
    /// The first few messages.
    pub first_messages: Vec<String>,
}

impl ErrorCounts {
    /// All errors together.
    pub fn total(&self) -> u64 {
        self.http + self.websocket + self.timeout + self.protocol
    }
}

/// Where the customer's chat POST and the agent's offer meet: whichever
/// side reports second gets the contact-to-offer latency. The offer can
/// reach the agent before the POST's answer reaches the customer, so
/// either order happens.
#[derive(Debug, Default)]
pub struct OfferClock(Mutex<HashMap<i64, Mark>>);

#[derive(Debug, Clone, Copy)]
enum Mark {
    Posted(Instant),
    Offered(Instant),
}

impl OfferClock {
    /// The customer started the POST that created `chat` at `at`.
    pub fn posted(&self, chat: i64, at: Instant, samples: &Samples) {
        self.meet(chat, Mark::Posted(at), samples);
    }

    /// An agent received the offer of `chat` now.
    pub fn offered(&self, chat: i64, samples: &Samples) {
        self.meet(chat, Mark::Offered(Instant::now()), samples);
    }

    fn meet(&self, chat: i64, mark: Mark, samples: &Samples) {
        let mut marks = lock(&self.0);
        match (marks.get(&chat).copied(), mark) {
            (Some(Mark::Posted(posted)), Mark::Offered(offered))
            | (Some(Mark::Offered(offered)), Mark::Posted(posted)) => {
                marks.remove(&chat);
                let millis = offered.saturating_duration_since(posted).as_secs_f64() * 1_000.0;
                lock(&samples.0).push(millis);
            }
            // A second offer of the same chat (after a timeout) is not a
            // new contact: the first one counted.
            (Some(Mark::Offered(_)), Mark::Offered(_)) => {}
            _ => {
                marks.insert(chat, mark);
            }
        }
    }
}

/// Messages in flight: the send time of each, by the nonce its body starts with.
#[derive(Debug, Default)]
pub struct InFlight(Mutex<HashMap<String, Instant>>);

impl InFlight {
    /// A message with this nonce is being sent now.
    pub fn sending(&self, nonce: String) {
        lock(&self.0).insert(nonce, Instant::now());
    }

    /// The message arrived: its latency goes to `samples`. Unknown nonces
    /// (a duplicate delivery) are ignored.
    pub fn arrived(&self, nonce: &str, samples: &Samples) {
        if let Some(sent) = lock(&self.0).remove(nonce) {
            samples.record_since(sent);
        }
    }
}

/// Everything a run measures.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Chat POST started → the agent's `offer` event.
    pub contact_to_offer: Samples,
    /// Customer WebSocket send → the agent's `message` event.
    pub customer_to_agent: Samples,
    /// Agent message POST started → the customer's `message` event.
    pub agent_to_customer: Samples,
    /// Customer send → the agent's answer back on the customer's socket.
    pub round_trip: Samples,
    /// Chat POST answers.
    pub chat_post: Samples,
    /// What went wrong.
    pub errors: Errors,
    /// Meeting point of POSTs and offers.
    pub offers: OfferClock,
    /// Customer messages on their way to agents.
    pub to_agents: InFlight,
    /// Agent messages on their way to customers.
    pub to_customers: InFlight,
    /// Chats that reached `chat_connected` on the customer's side.
    pub connected: AtomicU64,
}

/// Locks a mutex, going on with the data if a panicking holder poisoned it
/// (the samples are still valid numbers).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn nearest_rank_percentiles() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        let summary = Summary::of_sorted(&values);
        assert_eq!(summary.count, 100);
        assert_eq!(summary.p50_ms, 50.0);
        assert_eq!(summary.p99_ms, 99.0);
        assert_eq!(summary.max_ms, 100.0);
        assert_eq!(Summary::of_sorted(&[]).p99_ms, 0.0);
    }

    #[test]
    fn an_offer_before_the_post_answer_still_counts_once() {
        let samples = Samples::default();
        let clock = OfferClock::default();
        let posted = Instant::now();
        std::thread::sleep(Duration::from_millis(2));
        clock.offered(7, &samples);
        clock.posted(7, posted, &samples);
        clock.offered(7, &samples);
        let summary = samples.summary();
        assert_eq!(summary.count, 1);
        assert!(summary.max_ms >= 2.0, "{summary:?}");
    }

    #[test]
    fn errors_are_counted_by_kind_and_the_first_messages_kept() {
        let errors = Errors::default();
        for n in 0..15 {
            errors.record(ErrorKind::Http, format!("שגיאה {n}"));
        }
        errors.record(ErrorKind::Timeout, "no offer");
        let counts = errors.counts();
        assert_eq!((counts.http, counts.timeout, counts.total()), (15, 1, 16));
        assert_eq!(counts.first_messages.len(), KEPT_ERROR_MESSAGES);
        assert_eq!(counts.first_messages[0], "http: שגיאה 0");
    }
}
