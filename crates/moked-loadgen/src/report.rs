//! The run's figures as a table or JSON, and the server's resident memory
//! read from `/proc/PID/status`.

use crate::stats::{ErrorCounts, Metrics, Summary};
use serde::Serialize;
use std::fmt::Write as _;
use std::sync::atomic::Ordering;

/// How the run was set up.
#[derive(Debug, Clone, Serialize)]
pub struct Setup {
    /// The server.
    pub url: String,
    /// Customer chats opened.
    pub customers: usize,
    /// Agents logged in.
    pub agents: usize,
    /// Chats opened per second.
    pub rate_per_second: f64,
    /// Messages each customer exchanged.
    pub messages_per_chat: u32,
    /// Chats each agent could hold.
    pub agent_chat_capacity: u32,
    /// The server process measured, if any.
    pub server_pid: Option<u32>,
}

/// Everything a run found.
#[derive(Debug, Clone, Serialize)]
pub struct RunResult {
    /// How it was set up.
    pub setup: Setup,
    /// Chat POST → agent's offer event.
    pub contact_to_offer: Summary,
    /// Customer WebSocket send → agent's message event.
    pub relay_customer_to_agent: Summary,
    /// Agent POST → customer's message event.
    pub relay_agent_to_customer: Summary,
    /// Customer send → agent's answer on the customer's socket.
    pub round_trip: Summary,
    /// Chat POST answer time.
    pub chat_post: Summary,
    /// Chats the customers saw connected.
    pub chats_connected: u64,
    /// Seconds from the first chat to the last exchange.
    pub exchange_seconds: f64,
    /// Errors by kind.
    pub errors: ErrorCounts,
    /// Server RSS before the customers came, KiB.
    pub rss_before_kib: Option<u64>,
    /// Server RSS with every customer connected and idle, KiB.
    pub rss_idle_kib: Option<u64>,
    /// (idle − before) / customers, bytes: what one idle customer
    /// connection with its open chat costs the server.
    pub bytes_per_idle_connection: Option<f64>,
}

impl RunResult {
    /// Collects the figures.
    pub fn new(
        setup: &Setup,
        metrics: &Metrics,
        exchange_seconds: f64,
        rss_before_kib: Option<u64>,
        rss_idle_kib: Option<u64>,
    ) -> RunResult {
        let bytes_per_idle_connection = match (rss_before_kib, rss_idle_kib) {
            (Some(before), Some(idle)) if setup.customers > 0 => {
                Some((idle as f64 - before as f64) * 1_024.0 / setup.customers as f64)
            }
            _ => None,
        };
        RunResult {
            setup: setup.clone(),
            contact_to_offer: metrics.contact_to_offer.summary(),
            relay_customer_to_agent: metrics.customer_to_agent.summary(),
            relay_agent_to_customer: metrics.agent_to_customer.summary(),
            round_trip: metrics.round_trip.summary(),
            chat_post: metrics.chat_post.summary(),
            chats_connected: metrics.connected.load(Ordering::Relaxed),
            exchange_seconds,
            errors: metrics.errors.counts(),
            rss_before_kib,
            rss_idle_kib,
            bytes_per_idle_connection,
        }
    }
}

/// The result as pretty JSON.
pub fn json(result: &RunResult) -> String {
    serde_json::to_string_pretty(result)
        .unwrap_or_else(|error| format!("{{\"error\":\"{error}\"}}"))
}

/// The result as a plain-text table.
pub fn table(result: &RunResult) -> String {
    let setup = &result.setup;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} customers, {} agents (capacity {} chats), {:.0} chats/s, {} messages per chat, against {}",
        setup.customers,
        setup.agents,
        setup.agent_chat_capacity,
        setup.rate_per_second,
        setup.messages_per_chat,
        setup.url
    );
    let _ = writeln!(
        out,
        "{:<28} {:>7} {:>9} {:>9} {:>9} {:>9}",
        "latency (ms)", "count", "p50", "p90", "p99", "max"
    );
    let rows = [
        ("contact to offer", &result.contact_to_offer),
        ("relay customer → agent", &result.relay_customer_to_agent),
        ("relay agent → customer", &result.relay_agent_to_customer),
        ("round trip", &result.round_trip),
        ("chat POST", &result.chat_post),
    ];
    for (name, summary) in rows {
        let _ = writeln!(
            out,
            "{:<28} {:>7} {:>9.1} {:>9.1} {:>9.1} {:>9.1}",
            name, summary.count, summary.p50_ms, summary.p90_ms, summary.p99_ms, summary.max_ms
        );
    }
    let errors = &result.errors;
    let _ = writeln!(
        out,
        "chats connected {} of {}, in {:.1} s; errors {} (http {}, websocket {}, timeout {}, protocol {})",
        result.chats_connected,
        setup.customers,
        result.exchange_seconds,
        errors.total(),
        errors.http,
        errors.websocket,
        errors.timeout,
        errors.protocol
    );
    for message in &errors.first_messages {
        let _ = writeln!(out, "  {message}");
    }
    if let (Some(before), Some(idle), Some(per)) = (
        result.rss_before_kib,
        result.rss_idle_kib,
        result.bytes_per_idle_connection,
    ) {
        let _ = writeln!(
            out,
            "server RSS {:.1} MiB before, {:.1} MiB with all idle: {:.1} KiB per idle connection",
            before as f64 / 1_024.0,
            idle as f64 / 1_024.0,
            per / 1_024.0
        );
    }
    out
}

/// The `VmRSS` of a process in KiB, if it can be read.
pub fn rss_kib(pid: Option<u32>) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", pid?)).ok()?;
    parse_rss(&status)
}

fn parse_rss(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_is_read_from_proc_status_text() {
        let status = "Name:\tmoked\nVmPeak:\t  9000 kB\nVmRSS:\t   51234 kB\nThreads:\t3\n";
        assert_eq!(parse_rss(status), Some(51_234));
        assert_eq!(parse_rss("Name:\tx\n"), None);
    }

    #[test]
    fn this_process_has_a_resident_size() {
        let rss = rss_kib(Some(std::process::id())).expect("VmRSS of this process");
        assert!(rss > 0);
    }
}
