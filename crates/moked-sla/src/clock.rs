//! A ticket's SLA clocks: business time counted while the ticket runs,
//! paused while it waits for the customer, stopped when answered (first
//! response) or solved (resolution), and the instants of the 80% warning
//! and of the breach.
//!
//! Instants are [`Timestamp`]s; the business calendar speaks civil time,
//! so each instant is read in the organization's time zone. Business hours
//! never include a daylight-saving jump (those happen at night in Israel),
//! so counting in civil time loses nothing.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use moked_calendar::{BusinessCalendar, BusinessTimeError};
use moked_domain::TicketStatus;

/// Why an SLA could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlaError {
    /// The calendar cannot count business time (it never opens, or the
    /// result is out of range).
    #[error("business time: {0}")]
    Calendar(#[from] BusinessTimeError),
    /// A status change is earlier than the one before it, or than the
    /// ticket's creation.
    #[error("the status change at {0} is out of order")]
    OutOfOrder(Timestamp),
    /// A local time could not be turned back into an instant.
    #[error("a time is outside the supported range")]
    OutOfRange,
}

/// A ticket's move to a status, as its history records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusChange {
    /// When.
    pub at: Timestamp,
    /// The status it moved to.
    pub status: TicketStatus,
}

/// What the clocks need to know about a ticket: it starts `new` at
/// `created_at` and moves by `changes` (in time order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketTimes<'a> {
    /// When it was opened.
    pub created_at: Timestamp,
    /// Its status changes, oldest first.
    pub changes: &'a [StatusChange],
    /// When an agent first answered, if one has.
    pub first_response_at: Option<Timestamp>,
}

/// Which of a ticket's two clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockKind {
    /// Until the first answer.
    FirstResponse,
    /// Until the ticket is solved.
    Resolution,
}

/// One clock as of `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// The target, in business seconds.
    pub target_seconds: i64,
    /// Business seconds counted so far.
    pub elapsed_seconds: i64,
    /// Whether it is counting now.
    pub running: bool,
    /// When it stopped for good (answered, or solved while still solved).
    pub stopped_at: Option<Timestamp>,
    /// When it reaches 80% of the target (past or future); unknown while
    /// paused or stopped before getting there.
    pub warning_at: Option<Timestamp>,
    /// When it reaches the target: the breach (past or future); unknown
    /// while paused or stopped before getting there.
    pub due_at: Option<Timestamp>,
}

impl Clock {
    /// Whether the counted time has reached the target.
    pub fn is_breached(&self) -> bool {
        self.elapsed_seconds >= self.target_seconds
    }

    /// Whether the counted time has reached 80% of the target.
    pub fn is_warning(&self) -> bool {
        self.elapsed_seconds >= warning_seconds(self.target_seconds)
    }
}

/// Both clocks of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaStatus {
    /// Until the first answer.
    pub first_response: Clock,
    /// Until solved.
    pub resolution: Clock,
}

/// 80% of a target, rounded down to the second.
fn warning_seconds(target: i64) -> i64 {
    target * 4 / 5
}

/// Whether a clock counts while the ticket is in `status`.
fn runs_in(status: TicketStatus) -> bool {
    status != TicketStatus::PendingCustomer && !status.is_resolved()
}

/// A stretch of time in one status: from `start` until `end` (`None`: still
/// in it at `now`).
#[derive(Debug, Clone, Copy)]
struct Span {
    start: Timestamp,
    end: Option<Timestamp>,
    status: TicketStatus,
}

/// The ticket's life up to `now` as spans of one status each.
fn spans(times: &TicketTimes<'_>, now: Timestamp) -> Result<Vec<Span>, SlaError> {
    let mut spans = Vec::new();
    let mut current = Span {
        start: times.created_at,
        end: None,
        status: TicketStatus::New,
    };
    for change in times.changes.iter().filter(|c| c.at <= now) {
        if change.at < current.start {
            return Err(SlaError::OutOfOrder(change.at));
        }
        spans.push(Span {
            end: Some(change.at),
            ..current
        });
        current = Span {
            start: change.at,
            end: None,
            status: change.status,
        };
    }
    spans.push(current);
    Ok(spans)
}

/// The spans a clock counts, and when it stopped for good.
fn counted(
    spans: &[Span],
    kind: ClockKind,
    times: &TicketTimes<'_>,
    now: Timestamp,
) -> (Vec<Span>, Option<Timestamp>) {
    let last = spans.last().copied();
    let mut stop = match last {
        Some(span) if span.status.is_resolved() => Some(span.start),
        _ => None,
    };
    let cutoff = match kind {
        ClockKind::FirstResponse => times.first_response_at.filter(|at| *at <= now),
        ClockKind::Resolution => None,
    };
    let mut running: Vec<Span> = spans
        .iter()
        .copied()
        .filter(|s| runs_in(s.status))
        .collect();
    if let Some(cutoff) = cutoff {
        stop = Some(stop.map_or(cutoff, |s| s.min(cutoff)));
        running.retain(|s| s.start < cutoff);
        for span in &mut running {
            span.end = Some(span.end.map_or(cutoff, |end| end.min(cutoff)));
        }
    }
    (running, stop)
}

/// Converts between instants and the calendar's civil times.
struct Local<'a> {
    calendar: &'a BusinessCalendar,
    zone: &'a TimeZone,
}

impl Local<'_> {
    fn civil(&self, at: Timestamp) -> DateTime {
        self.zone.to_datetime(at)
    }

    fn instant(&self, at: DateTime) -> Result<Timestamp, SlaError> {
        self.zone
            .to_ambiguous_timestamp(at)
            .compatible()
            .map_err(|_| SlaError::OutOfRange)
    }

    fn between(&self, start: Timestamp, end: Timestamp) -> i64 {
        self.calendar
            .business_seconds_between(self.civil(start), self.civil(end))
    }

    fn add(&self, start: Timestamp, seconds: i64) -> Result<Timestamp, SlaError> {
        let end = self
            .calendar
            .add_business_seconds(self.civil(start), seconds)?;
        // Business time starting at `start` can begin no earlier than it.
        Ok(self.instant(end)?.max(start))
    }

    /// The instant the counted spans reach `threshold` business seconds, if
    /// they do (a span still open at `now` counts on into the future).
    fn reached(&self, spans: &[Span], threshold: i64) -> Result<Option<Timestamp>, SlaError> {
        let mut remaining = threshold;
        for span in spans {
            let Some(end) = span.end else {
                return self.add(span.start, remaining).map(Some);
            };
            let length = self.between(span.start, end);
            if remaining <= length {
                return self.add(span.start, remaining).map(Some);
            }
            remaining -= length;
        }
        Ok(None)
    }
}

fn clock(
    local: &Local<'_>,
    spans: &[Span],
    kind: ClockKind,
    times: &TicketTimes<'_>,
    target_minutes: u32,
    now: Timestamp,
) -> Result<Clock, SlaError> {
    let (counted, stopped_at) = counted(spans, kind, times, now);
    let elapsed_seconds = counted
        .iter()
        .map(|s| local.between(s.start, s.end.unwrap_or(now).min(now)))
        .sum();
    let target_seconds = i64::from(target_minutes) * 60;
    Ok(Clock {
        target_seconds,
        elapsed_seconds,
        running: counted.last().is_some_and(|s| s.end.is_none()),
        stopped_at,
        warning_at: local.reached(&counted, warning_seconds(target_seconds))?,
        due_at: local.reached(&counted, target_seconds)?,
    })
}

/// Both SLA clocks of a ticket as of `now`, with targets in business
/// minutes of `calendar`, read in `zone`. Status changes after `now` are
/// not counted yet.
pub fn sla_status(
    calendar: &BusinessCalendar,
    zone: &TimeZone,
    first_response_minutes: u32,
    resolution_minutes: u32,
    times: &TicketTimes<'_>,
    now: Timestamp,
) -> Result<SlaStatus, SlaError> {
    let local = Local { calendar, zone };
    let spans = spans(times, now)?;
    Ok(SlaStatus {
        first_response: clock(
            &local,
            &spans,
            ClockKind::FirstResponse,
            times,
            first_response_minutes,
            now,
        )?,
        resolution: clock(
            &local,
            &spans,
            ClockKind::Resolution,
            times,
            resolution_minutes,
            now,
        )?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketStatus::*;
    use jiff::civil::{date, time};
    use jiff::tz;
    use moked_calendar::WorkWeek;
    use moked_calendar::{HolidaySet, OpeningHours};
    use proptest::prelude::*;

    /// Sunday to Thursday 08:00–17:00, Friday and holiday eves 08:00–13:00,
    /// closed on Saturday and on the holidays.
    fn calendar() -> BusinessCalendar {
        let hours = |open, close| OpeningHours::new(time(open, 0, 0, 0), time(close, 0, 0, 0));
        BusinessCalendar::new(
            WorkWeek::israel(hours(8, 17).expect("valid"), hours(8, 13).expect("valid")),
            HolidaySet::Israel,
        )
    }

    /// Israel in autumn 2025 before the clocks go back: UTC+3.
    fn zone() -> TimeZone {
        TimeZone::fixed(tz::offset(3))
    }

    fn local(y: i16, m: i8, d: i8, h: i8, min: i8) -> Timestamp {
        date(y, m, d)
            .at(h, min, 0, 0)
            .to_zoned(zone())
            .expect("valid")
            .timestamp()
    }

    fn status(times: &TicketTimes<'_>, fr: u32, res: u32, now: Timestamp) -> SlaStatus {
        sla_status(&calendar(), &zone(), fr, res, times, now).expect("computable")
    }

    #[test]
    fn yom_kippur_and_its_short_eve_do_not_count() {
        // "הראוטר לא עובד", opened on Erev Yom Kippur (short day) at 10:00:
        // 3 hours that day, Yom Kippur closed, 1 hour on Friday morning.
        let times = TicketTimes {
            created_at: local(2025, 10, 1, 10, 0),
            changes: &[],
            first_response_at: None,
        };
        let now = local(2025, 10, 1, 12, 0);
        let sla = status(&times, 240, 600, now);
        assert_eq!(sla.first_response.elapsed_seconds, 2 * 3600);
        assert!(sla.first_response.running);
        assert_eq!(sla.first_response.due_at, Some(local(2025, 10, 3, 9, 0)));
        assert_eq!(
            sla.first_response.warning_at,
            Some(local(2025, 10, 3, 8, 12))
        );
        assert!(!sla.first_response.is_warning());
        let later = status(&times, 240, 600, local(2025, 10, 3, 8, 30));
        assert!(later.first_response.is_warning() && !later.first_response.is_breached());
    }

    fn paused_history() -> [StatusChange; 3] {
        [
            StatusChange {
                at: local(2025, 10, 12, 9, 30),
                status: Open,
            },
            StatusChange {
                at: local(2025, 10, 12, 11, 0),
                status: PendingCustomer,
            },
            StatusChange {
                at: local(2025, 10, 13, 10, 0),
                status: Open,
            },
        ]
    }

    #[test]
    fn waiting_for_the_customer_pauses_the_clock() {
        // Sunday 12 October 2025 is Hol HaMoed Sukkot: open as usual.
        let history = paused_history();
        let times = TicketTimes {
            created_at: local(2025, 10, 12, 9, 0),
            changes: &history,
            first_response_at: None,
        };
        let paused = status(&times, 60, 600, local(2025, 10, 12, 15, 0));
        assert_eq!(paused.resolution.elapsed_seconds, 2 * 3600);
        assert!(!paused.resolution.running);
        assert_eq!(paused.resolution.due_at, None, "unknown while paused");
        assert_eq!(
            paused.first_response.due_at,
            Some(local(2025, 10, 12, 10, 0)),
            "reached before the pause"
        );
        assert!(paused.first_response.is_breached());

        let resumed = status(&times, 60, 600, local(2025, 10, 13, 12, 0));
        // 8 hours left from Monday 10:00. Monday is Hoshana Rabbah, a holiday
        // eve (short day, until 13:00): 3 hours; Tuesday is Shemini Atzeret,
        // closed; the last 5 hours run on Wednesday from 08:00.
        assert_eq!(resumed.resolution.due_at, Some(local(2025, 10, 15, 13, 0)));
        assert_eq!(resumed.resolution.elapsed_seconds, 4 * 3600);
    }

    #[test]
    fn the_first_answer_and_the_solution_stop_their_clocks() {
        let history = [
            StatusChange {
                at: local(2025, 10, 12, 9, 30),
                status: Open,
            },
            StatusChange {
                at: local(2025, 10, 12, 12, 0),
                status: Solved,
            },
        ];
        let times = TicketTimes {
            created_at: local(2025, 10, 12, 9, 0),
            changes: &history,
            first_response_at: Some(local(2025, 10, 12, 9, 45)),
        };
        let sla = status(&times, 60, 600, local(2025, 10, 20, 9, 0));
        assert_eq!(sla.first_response.elapsed_seconds, 45 * 60);
        assert_eq!(
            sla.first_response.stopped_at,
            Some(local(2025, 10, 12, 9, 45))
        );
        assert_eq!(
            sla.first_response.due_at, None,
            "answered in time: never due"
        );
        assert_eq!(sla.resolution.elapsed_seconds, 3 * 3600);
        assert_eq!(sla.resolution.stopped_at, Some(local(2025, 10, 12, 12, 0)));
        assert!(!sla.resolution.running && !sla.resolution.is_breached());

        let reopened = [
            history[0],
            history[1],
            StatusChange {
                at: local(2025, 10, 13, 8, 0),
                status: Open,
            },
        ];
        let times = TicketTimes {
            changes: &reopened,
            ..times
        };
        let sla = status(&times, 60, 600, local(2025, 10, 13, 9, 0));
        assert_eq!(sla.resolution.elapsed_seconds, 4 * 3600, "counting goes on");
        assert_eq!(sla.resolution.stopped_at, None);
    }

    #[test]
    fn out_of_order_history_is_an_error() {
        let history = [StatusChange {
            at: local(2025, 10, 12, 8, 0),
            status: Open,
        }];
        let times = TicketTimes {
            created_at: local(2025, 10, 12, 9, 0),
            changes: &history,
            first_response_at: None,
        };
        assert_eq!(
            sla_status(
                &calendar(),
                &zone(),
                60,
                60,
                &times,
                local(2025, 10, 12, 10, 0)
            ),
            Err(SlaError::OutOfOrder(local(2025, 10, 12, 8, 0)))
        );
    }

    fn minutes_after_base(minutes: i64) -> Timestamp {
        local(2025, 11, 2, 7, 0) + jiff::SignedDuration::from_mins(minutes)
    }

    proptest! {
        #[test]
        fn pausing_never_moves_a_due_time_earlier(
            open in 0i64..3000,
            pause in 0i64..3000,
            length in 0i64..6000,
            target in 1u32..3000,
        ) {
            let opened = StatusChange { at: minutes_after_base(open), status: Open };
            let plain = [opened];
            let paused = [
                opened,
                StatusChange { at: minutes_after_base(open + pause), status: PendingCustomer },
                StatusChange { at: minutes_after_base(open + pause + length), status: Open },
            ];
            let now = minutes_after_base(20_000);
            let due = |changes: &[StatusChange]| {
                let times = TicketTimes { created_at: minutes_after_base(0), changes, first_response_at: None };
                status(&times, target, target, now).resolution.due_at
            };
            let (without, with) = (due(&plain), due(&paused));
            prop_assert!(without.is_some() && with.is_some());
            prop_assert!(with >= without, "{with:?} before {without:?}");
        }

        #[test]
        fn counted_time_only_grows_and_the_warning_comes_first(
            a in 0i64..5000,
            b in 0i64..5000,
            pause_at in 0i64..5000,
            target in 1u32..3000,
        ) {
            let history = [StatusChange { at: minutes_after_base(pause_at), status: PendingCustomer }];
            let times = TicketTimes { created_at: minutes_after_base(0), changes: &history, first_response_at: None };
            let (early, late) = (a.min(b), a.max(b));
            let first = status(&times, target, target, minutes_after_base(early)).resolution;
            let second = status(&times, target, target, minutes_after_base(late)).resolution;
            prop_assert!(first.elapsed_seconds <= second.elapsed_seconds);
            if let (Some(warning), Some(due)) = (second.warning_at, second.due_at) {
                prop_assert!(warning <= due);
            }
            prop_assert_eq!(second.due_at.is_some(), second.is_breached() || second.running);
        }
    }
}
