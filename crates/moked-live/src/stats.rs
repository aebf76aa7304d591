//! Today's statistics of one organization, fed only by `routing.*` events
//! as they are stored (live) or read back from the log (after a restart),
//! so both paths count the same things once.

use crate::api::{AgentActivity, EndedBy, IntervalStats, NotReadyReason, StateTime};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use moked_store::{InteractionId, NewEvent, QueueId, UserId, WrapUpCodeId};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Length of a wallboard interval.
pub(crate) const INTERVAL: SignedDuration = SignedDuration::from_mins(30);

/// The payload of every `routing.*` event: store ids and measures. Fields
/// that do not apply to an event are left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Payload {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interaction: Option<InteractionId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<QueueId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<UserId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_queue: Option<QueueId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_user: Option<UserId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waited_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ring_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub talk_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<AgentActivity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<NotReadyReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<EndedBy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<WrapUpCodeId>,
}

/// A wrap-up under way, as the log tells it (a restart restores these).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OpenWrapUp {
    pub user: UserId,
    pub queue: QueueId,
    pub until: Timestamp,
}

/// Counts over some chats of some period.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Tally {
    pub offered: u32,
    pub answered: u32,
    pub abandoned: u32,
    answered_in_time: u32,
    abandoned_late: u32,
    answer_ms: u64,
}

impl Tally {
    /// Answered within the threshold ÷ (answered + abandoned after it).
    pub fn service_level(&self) -> Option<f64> {
        let base = self.answered + self.abandoned_late;
        (base > 0).then(|| f64::from(self.answered_in_time) / f64::from(base))
    }

    /// Average speed of answer in seconds.
    pub fn asa_s(&self) -> Option<f64> {
        (self.answered > 0).then(|| self.answer_ms as f64 / 1000.0 / f64::from(self.answered))
    }

    fn add(&mut self, other: &Tally) {
        self.offered += other.offered;
        self.answered += other.answered;
        self.abandoned += other.abandoned;
        self.answered_in_time += other.answered_in_time;
        self.abandoned_late += other.abandoned_late;
        self.answer_ms += other.answer_ms;
    }
}

#[derive(Debug, Clone, Copy)]
enum Outcome {
    Offered,
    /// Answered after this many milliseconds.
    Answered(u64),
    /// Abandoned after this many milliseconds.
    Abandoned(u64),
}

#[derive(Debug, Clone)]
struct AgentDay {
    state: AgentActivity,
    reason: Option<NotReadyReason>,
    since: Timestamp,
    /// Microseconds per state today, not counting the current stretch.
    time: HashMap<AgentActivity, i64>,
    handled: u32,
    handle_total: SignedDuration,
}

/// Today's figures.
#[derive(Debug, Clone)]
pub(crate) struct Stats {
    tz: TimeZone,
    day_start: Timestamp,
    day_end: Timestamp,
    queues: HashMap<QueueId, Vec<(Timestamp, Outcome)>>,
    agents: HashMap<UserId, AgentDay>,
    connected_at: HashMap<InteractionId, Timestamp>,
    wrapping: HashMap<InteractionId, OpenWrapUp>,
}

impl Stats {
    /// Empty figures for the day around `now` in `tz`.
    pub fn new(tz: TimeZone, now: Timestamp) -> Stats {
        let (day_start, day_end) = day_bounds(&tz, now);
        Stats {
            tz,
            day_start,
            day_end,
            queues: HashMap::new(),
            agents: HashMap::new(),
            connected_at: HashMap::new(),
            wrapping: HashMap::new(),
        }
    }

    /// The start of today.
    pub fn day_start(&self) -> Timestamp {
        self.day_start
    }

    /// Wrap-ups begun and not ended.
    pub fn open_wrap_ups(&self) -> &HashMap<InteractionId, OpenWrapUp> {
        &self.wrapping
    }

    /// Moves to the day of `at` if it is later than today.
    pub fn roll(&mut self, at: Timestamp) {
        if at < self.day_end {
            return;
        }
        let (start, end) = day_bounds(&self.tz, at);
        self.day_start = start;
        self.day_end = end;
        self.queues.clear();
        for agent in self.agents.values_mut() {
            agent.time.clear();
            agent.handled = 0;
            agent.handle_total = SignedDuration::ZERO;
            agent.since = agent.since.max(start);
        }
    }

    /// Counts one stored event; events of other kinds or earlier days are ignored.
    pub fn apply(&mut self, event: &NewEvent) {
        let Some(kind) = event.kind.strip_prefix("routing.") else {
            return;
        };
        let Ok(payload) = serde_json::from_value::<Payload>(event.payload.clone()) else {
            tracing::warn!(kind = %event.kind, "an event payload that does not parse was skipped");
            return;
        };
        self.apply_payload(event.at, kind, &payload);
    }

    fn apply_payload(&mut self, at: Timestamp, kind: &str, p: &Payload) {
        self.roll(at);
        let today = at >= self.day_start;
        let ms = |v: Option<u64>| v.unwrap_or(0);
        match (kind, p.queue) {
            ("contact_queued", Some(queue)) if today => self.record(queue, at, Outcome::Offered),
            ("connected", Some(queue)) => {
                if today {
                    let answer = ms(p.waited_ms) + ms(p.ring_ms);
                    self.record(queue, at, Outcome::Answered(answer));
                }
                if let Some(chat) = p.interaction {
                    self.connected_at.insert(chat, at);
                }
            }
            ("abandoned", Some(queue)) if today => {
                self.record(queue, at, Outcome::Abandoned(ms(p.waited_ms)))
            }
            ("transferred", _) => {
                if let Some(chat) = p.interaction {
                    self.connected_at.remove(&chat);
                }
            }
            ("wrap_up_started", Some(queue)) => self.wrap_up_started(p, queue),
            ("wrap_up_ended", _) => self.wrap_up_ended(at, p),
            ("agent_state", _) => self.agent_state(at, p),
            _ => {}
        }
    }

    fn record(&mut self, queue: QueueId, at: Timestamp, outcome: Outcome) {
        self.queues.entry(queue).or_default().push((at, outcome));
    }

    fn wrap_up_started(&mut self, p: &Payload, queue: QueueId) {
        if let (Some(chat), Some(user), Some(until)) = (p.interaction, p.user, p.until) {
            self.wrapping
                .insert(chat, OpenWrapUp { user, queue, until });
        }
    }

    fn wrap_up_ended(&mut self, at: Timestamp, p: &Payload) {
        let Some(chat) = p.interaction else { return };
        self.wrapping.remove(&chat);
        let connected = self.connected_at.remove(&chat);
        let Some(user) = p.user else { return };
        let agent = self.agent(user, at);
        agent.handled += 1;
        if let Some(connected) = connected {
            agent.handle_total += at.duration_since(connected);
        }
    }

    fn agent_state(&mut self, at: Timestamp, p: &Payload) {
        let (Some(user), Some(state)) = (p.user, p.state) else {
            return;
        };
        let day_start = self.day_start;
        let agent = self.agent(user, at);
        let from = agent.since.max(day_start);
        if at > from {
            *agent.time.entry(agent.state).or_default() +=
                at.duration_since(from).as_micros() as i64;
        }
        agent.state = state;
        agent.reason = p.reason;
        agent.since = at;
    }

    fn agent(&mut self, user: UserId, at: Timestamp) -> &mut AgentDay {
        self.agents.entry(user).or_insert_with(|| AgentDay {
            state: AgentActivity::Offline,
            reason: None,
            since: at,
            time: HashMap::new(),
            handled: 0,
            handle_total: SignedDuration::ZERO,
        })
    }

    /// Since when the agent is in its current state, as the log tells it.
    pub fn agent_since(&self, user: UserId) -> Option<Timestamp> {
        self.agents.get(&user).map(|agent| agent.since)
    }

    /// Sets an agent's state when the replayed log said nothing about it.
    pub fn seed_agent(
        &mut self,
        user: UserId,
        state: AgentActivity,
        reason: Option<NotReadyReason>,
        since: Timestamp,
    ) {
        self.agents.entry(user).or_insert_with(|| AgentDay {
            state,
            reason,
            since,
            time: HashMap::new(),
            handled: 0,
            handle_total: SignedDuration::ZERO,
        });
    }

    /// The agent's state as last logged.
    pub fn logged_state(&self, user: UserId) -> Option<(AgentActivity, Option<NotReadyReason>)> {
        self.agents
            .get(&user)
            .map(|agent| (agent.state, agent.reason))
    }

    /// Chats the agent finished today and their average handle time in seconds.
    pub fn handled(&self, user: UserId) -> (u32, Option<f64>) {
        let Some(agent) = self.agents.get(&user) else {
            return (0, None);
        };
        let average = (agent.handled > 0)
            .then(|| agent.handle_total.as_secs_f64() / f64::from(agent.handled));
        (agent.handled, average)
    }

    /// Time per state today up to `now`, in a fixed order, zeros left out.
    pub fn time_in_state(&self, user: UserId, now: Timestamp) -> Vec<StateTime> {
        let Some(agent) = self.agents.get(&user) else {
            return Vec::new();
        };
        let mut time = agent.time.clone();
        let from = agent.since.max(self.day_start);
        if now > from {
            *time.entry(agent.state).or_default() += now.duration_since(from).as_micros() as i64;
        }
        [
            AgentActivity::Available,
            AgentActivity::Offered,
            AgentActivity::Busy,
            AgentActivity::WrapUp,
            AgentActivity::NotReady,
            AgentActivity::Offline,
        ]
        .into_iter()
        .filter_map(|state| {
            let micros = *time.get(&state)?;
            (micros > 0).then(|| StateTime {
                state,
                seconds: micros as f64 / 1e6,
            })
        })
        .collect()
    }

    /// A queue's figures between `from` and `to` against a threshold in seconds.
    pub fn tally(&self, queue: QueueId, threshold_s: u32, from: Timestamp, to: Timestamp) -> Tally {
        let mut tally = Tally::default();
        for (at, outcome) in self.queues.get(&queue).into_iter().flatten() {
            if *at >= from && *at <= to {
                count(&mut tally, *outcome, threshold_s);
            }
        }
        tally
    }

    /// A queue's 30-minute intervals from the start of today to `now`.
    pub fn intervals(&self, queue: QueueId, threshold_s: u32, now: Timestamp) -> Vec<Tally> {
        let mut buckets = vec![Tally::default(); self.interval_count(now)];
        for (at, outcome) in self.queues.get(&queue).into_iter().flatten() {
            let index = at.duration_since(self.day_start).as_secs() / INTERVAL.as_secs();
            if let Some(bucket) = usize::try_from(index).ok().and_then(|i| buckets.get_mut(i)) {
                count(bucket, *outcome, threshold_s);
            }
        }
        buckets
    }

    /// Intervals as the API shows them.
    pub fn interval_stats(&self, tallies: &[Tally]) -> Vec<IntervalStats> {
        let mut start = self.day_start;
        tallies
            .iter()
            .map(|tally| {
                let stats = IntervalStats {
                    start,
                    offered: tally.offered,
                    answered: tally.answered,
                    abandoned: tally.abandoned,
                    service_level: tally.service_level(),
                };
                start += INTERVAL;
                stats
            })
            .collect()
    }

    fn interval_count(&self, now: Timestamp) -> usize {
        let elapsed = now.duration_since(self.day_start).as_secs().max(0);
        (elapsed / INTERVAL.as_secs() + 1) as usize
    }
}

/// Adds each interval of `other` to `sum`'s (lengths are equal: same day, same now).
pub(crate) fn add_intervals(sum: &mut Vec<Tally>, other: &[Tally]) {
    if sum.len() < other.len() {
        sum.resize(other.len(), Tally::default());
    }
    for (total, tally) in sum.iter_mut().zip(other) {
        total.add(tally);
    }
}

fn count(tally: &mut Tally, outcome: Outcome, threshold_s: u32) {
    let threshold_ms = u64::from(threshold_s) * 1000;
    match outcome {
        Outcome::Offered => tally.offered += 1,
        Outcome::Answered(ms) => {
            tally.answered += 1;
            tally.answer_ms += ms;
            if ms <= threshold_ms {
                tally.answered_in_time += 1;
            }
        }
        Outcome::Abandoned(ms) => {
            tally.abandoned += 1;
            if ms > threshold_ms {
                tally.abandoned_late += 1;
            }
        }
    }
}

/// The start of the local day around `at`, and the start of the next.
fn day_bounds(tz: &TimeZone, at: Timestamp) -> (Timestamp, Timestamp) {
    let zoned = at.to_zoned(tz.clone());
    let start = zoned
        .start_of_day()
        .map(|day| day.timestamp())
        .unwrap_or(at);
    let end = zoned
        .tomorrow()
        .and_then(|next| next.start_of_day())
        .map(|day| day.timestamp())
        .unwrap_or_else(|_| start + SignedDuration::from_hours(24));
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(at: Timestamp, kind: &str, payload: Payload) -> NewEvent {
        NewEvent {
            at,
            kind: format!("routing.{kind}"),
            payload: serde_json::to_value(payload).unwrap(),
        }
    }

    #[test]
    fn service_level_counts_late_abandons_only_and_days_roll_at_local_midnight() {
        let tz = TimeZone::get("Asia/Jerusalem").unwrap();
        // 2026-11-22 21:50 UTC is 23:50 in Jerusalem.
        let late = "2026-11-22T21:50:00Z".parse::<Timestamp>().unwrap();
        let mut stats = Stats::new(tz, late);
        let queue = QueueId(7);
        let p = |waited_ms| Payload {
            queue: Some(queue),
            waited_ms: Some(waited_ms),
            ..Payload::default()
        };
        stats.apply(&event(late, "connected", p(5_000)));
        stats.apply(&event(late, "connected", p(25_000)));
        stats.apply(&event(late, "abandoned", p(3_000)));
        stats.apply(&event(late, "abandoned", p(40_000)));
        let tally = stats.tally(queue, 20, stats.day_start(), late);
        assert_eq!((tally.answered, tally.abandoned), (2, 2));
        // One answered in time out of two answered plus one late abandon.
        assert_eq!(tally.service_level(), Some(1.0 / 3.0));
        assert_eq!(tally.asa_s(), Some(15.0));

        let after_midnight = late + SignedDuration::from_mins(15);
        stats.apply(&event(after_midnight, "contact_queued", p(0)));
        let today = stats.tally(queue, 20, stats.day_start(), after_midnight);
        assert_eq!((today.offered, today.answered), (1, 0));
        assert_eq!(
            stats.day_start(),
            "2026-11-22T22:00:00Z".parse::<Timestamp>().unwrap()
        );
    }
}
