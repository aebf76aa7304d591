//! Tickets' SLAs in the server: where each ticket's clocks stand
//! ([`OrgSla`], used by every ticket view) and the runner ([`SlaRunner`]),
//! one task per server that every 5 seconds of the live center's clock
//! reads the open tickets, announces the 80% warning and the breach of
//! each target once ([`LiveEvent::Sla`]), applies the breach escalation
//! rules, and keeps the wallboard's list of open warnings and breaches.
//!
//! An announcement is recorded in the ticket's history
//! ([`TicketChange::SlaReached`]) before it is published, and the runner
//! asks the history first: a restart neither repeats one nor loses one
//! reached while the server was down. The maths is `moked-sla`'s, in the
//! organization's business calendar: its first business-hours schedule
//! (weekly intervals and time zone) with the holidays of the Hebrew
//! calendar; without one, Sunday–Thursday 08:00–17:00 and Friday
//! 08:00–13:00 in the organization's zone.

use crate::error::{ApiError, ApiResult};
use crate::tickets::TicketService;
use jiff::civil::Time;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use moked_calendar::{BusinessCalendar, HolidaySet, OpeningHours, WorkWeek};
use moked_live::{Clock, LiveEvent};
use moked_sla::{PolicyScope, SlaStatus, TicketTimes, choose_policy, sla_status};
use moked_store::{
    BusinessHours, EscalationTrigger, MAX_PAGE, OrgId, SLA_HISTORY_FIELD, SlaKind, SlaPolicy,
    SlaState, SlaTarget, Store, Ticket, TicketChange, TicketHistoryEntry, TicketQuery, TicketSla,
    TicketStatus, status_changes,
};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// How often, on the live clock, the runner looks at the open tickets.
pub const TICK: SignedDuration = SignedDuration::from_secs(5);
/// How many warnings and breaches the wallboard lists.
const LATEST: usize = 20;
/// The statuses whose clocks may still run.
const OPEN: [TicketStatus; 4] = [
    TicketStatus::New,
    TicketStatus::Open,
    TicketStatus::PendingCustomer,
    TicketStatus::PendingInternal,
];

/// An organization's SLA settings: policies, business calendar and zone.
pub struct OrgSla {
    policies: Vec<SlaPolicy>,
    calendar: BusinessCalendar,
    zone: TimeZone,
}

/// A ticket's clocks under its policy, with the history they came from.
pub struct Clocks<'a> {
    /// The policy that applies.
    pub policy: &'a SlaPolicy,
    /// Both clocks now.
    pub status: SlaStatus,
    /// The ticket's history.
    pub history: Vec<TicketHistoryEntry>,
}

impl OrgSla {
    /// Reads the organization's policies and business hours.
    pub async fn load(store: &dyn Store, org: OrgId) -> ApiResult<OrgSla> {
        let policies = store.sla_policies(org).await?;
        let hours = store.business_hours_list(org).await?;
        let zone_name = match hours.first() {
            Some(hours) => hours.spec.time_zone.clone(),
            None => store.organization(org).await?.time_zone,
        };
        let zone = TimeZone::get(&zone_name).map_err(|error| ApiError::internal(&error))?;
        Ok(OrgSla {
            policies,
            calendar: calendar_of(hours.first()),
            zone,
        })
    }

    fn policy(&self, ticket: &Ticket) -> Option<&SlaPolicy> {
        choose_policy(
            &self.policies,
            |p| PolicyScope {
                priority: p.spec.priority,
                category: p.spec.category.as_deref(),
            },
            ticket.priority,
            ticket.category.as_deref(),
        )
    }

    /// A ticket's clocks now, or `None` when no policy covers it.
    pub async fn clocks(
        &self,
        store: &dyn Store,
        org: OrgId,
        ticket: &Ticket,
        now: Timestamp,
    ) -> ApiResult<Option<Clocks<'_>>> {
        let Some(policy) = self.policy(ticket) else {
            return Ok(None);
        };
        let history = store.ticket_history(org, ticket.id).await?;
        let changes = status_changes(&history)?;
        let times = TicketTimes {
            created_at: ticket.created_at,
            changes: &changes,
            first_response_at: ticket.first_response_at,
        };
        let status = sla_status(
            &self.calendar,
            &self.zone,
            policy.spec.first_response_minutes,
            policy.spec.resolution_minutes,
            &times,
            now.max(ticket.updated_at),
        )
        .map_err(|error| ApiError::internal(&error))?;
        Ok(Some(Clocks {
            policy,
            status,
            history,
        }))
    }

    /// Where a ticket's SLA stands, for its view.
    pub async fn summary(
        &self,
        store: &dyn Store,
        org: OrgId,
        ticket: &Ticket,
        now: Timestamp,
    ) -> ApiResult<Option<TicketSla>> {
        let Some(clocks) = self.clocks(store, org, ticket, now).await? else {
            return Ok(None);
        };
        let due = |clock: &moked_sla::Clock| match clock.stopped_at {
            Some(_) => None,
            None => clock.due_at,
        };
        Ok(Some(TicketSla {
            policy: clocks.policy.spec.name.clone(),
            first_response_due: due(&clocks.status.first_response),
            resolution_due: due(&clocks.status.resolution),
            state: state(ticket.status, &clocks.status),
        }))
    }
}

/// The SLA in one word: a breach outweighs everything, then the pause,
/// then a warning of a clock still counting.
fn state(status: TicketStatus, clocks: &SlaStatus) -> SlaState {
    let both = [clocks.first_response, clocks.resolution];
    if both.iter().any(moked_sla::Clock::is_breached) {
        SlaState::Breached
    } else if status.is_resolved() {
        SlaState::Met
    } else if status == TicketStatus::PendingCustomer {
        SlaState::Paused
    } else if both
        .iter()
        .any(|c| c.stopped_at.is_none() && c.is_warning())
    {
        SlaState::Warning
    } else {
        SlaState::Ok
    }
}

/// The business calendar of a schedule's weekly intervals (each day from
/// its first opening to its last closing; Friday's hours are also those
/// of holiday eves), or the Israeli default week.
fn calendar_of(hours: Option<&BusinessHours>) -> BusinessCalendar {
    let at = |minute: u16| {
        let minute = minute.min(24 * 60 - 1);
        Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0).unwrap_or(Time::MIN)
    };
    let default_short = OpeningHours::new(at(8 * 60), at(13 * 60)).ok();
    let default_full = OpeningHours::new(at(8 * 60), at(17 * 60)).ok();
    let (Some(short), Some(full)) = (default_short, default_full) else {
        unreachable!("constant opening hours are valid")
    };
    let Some(hours) = hours.filter(|h| !h.spec.intervals.is_empty()) else {
        return BusinessCalendar::new(WorkWeek::israel(full, short), HolidaySet::Israel);
    };
    let mut days: [Option<OpeningHours>; 7] = [None; 7];
    for weekday in 0..7u8 {
        let of_day = hours.spec.intervals.iter().filter(|i| i.weekday == weekday);
        let opens = of_day.clone().map(|i| i.opens_minute).min();
        let closes = of_day.map(|i| i.closes_minute).max();
        if let (Some(opens), Some(closes)) = (opens, closes) {
            // Stored weekdays count from Sunday; the work week from Monday.
            days[usize::from((weekday + 6) % 7)] = OpeningHours::new(at(opens), at(closes)).ok();
        }
    }
    let friday_short = days[4].unwrap_or(short);
    BusinessCalendar::new(WorkWeek::new(days, friday_short), HolidaySet::Israel)
}

/// One open warning or breach on the wallboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlaAlert {
    /// The ticket.
    pub ticket: i64,
    /// Its number.
    pub number: u64,
    /// Its subject.
    pub subject: String,
    /// `warning` or `breach`.
    pub kind: SlaKind,
    /// The target at stake.
    pub target: SlaTarget,
    /// When it is (or was) due.
    pub due: Option<Timestamp>,
}

/// The wallboard's SLA figures of an organization's open tickets.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SlaBoard {
    /// Open tickets past 80% of a target but not past one.
    pub warnings: usize,
    /// Open tickets past a target.
    pub breaches: usize,
    /// The latest of them (the most recently due first), at most 20.
    pub latest: Vec<SlaAlert>,
}

/// The SLA runner of a server.
pub struct SlaRunner {
    store: Arc<dyn Store>,
    tickets: TicketService,
    clock: Arc<dyn Clock>,
    boards: Mutex<HashMap<OrgId, SlaBoard>>,
    /// One pass at a time: the "announced once" check and its record must
    /// not interleave.
    pass: tokio::sync::Mutex<()>,
}

impl SlaRunner {
    /// A runner over the store, announcing through the ticket service,
    /// counting on the live center's clock.
    pub fn new(store: Arc<dyn Store>, tickets: TicketService, clock: Arc<dyn Clock>) -> SlaRunner {
        SlaRunner {
            store,
            tickets,
            clock,
            boards: Mutex::new(HashMap::new()),
            pass: tokio::sync::Mutex::new(()),
        }
    }

    /// Runs a pass every [`TICK`] of the clock until `closing` turns true.
    pub fn spawn(self: Arc<Self>, mut closing: watch::Receiver<bool>) {
        tokio::spawn(async move {
            loop {
                let next = self.clock.now() + TICK;
                tokio::select! {
                    () = self.clock.sleep_until(next) => {}
                    _ = closing.wait_for(|closed| *closed) => break,
                }
                self.run_once().await;
            }
        });
    }

    /// One pass over every organization; errors are logged, the next pass
    /// tries again.
    pub async fn run_once(&self) {
        let _pass = self.pass.lock().await;
        let orgs = match self.store.organizations().await {
            Ok(orgs) => orgs,
            Err(error) => {
                tracing::warn!(%error, "SLA pass: the store does not answer");
                return;
            }
        };
        for org in orgs {
            if let Err(error) = self.run_org(org.id).await {
                tracing::warn!(org = org.id.0, detail = %error.detail, "SLA pass failed");
            }
        }
    }

    /// The wallboard's SLA figures of an organization (empty before the
    /// first pass).
    pub fn board(&self, org: OrgId) -> SlaBoard {
        lock(&self.boards).get(&org).cloned().unwrap_or_default()
    }

    async fn run_org(&self, org: OrgId) -> ApiResult<()> {
        let sla = OrgSla::load(self.store.as_ref(), org).await?;
        if sla.policies.is_empty() {
            lock(&self.boards).remove(&org);
            return Ok(());
        }
        let now = self.clock.now();
        let mut alerts = Vec::new();
        for ticket in self.open_tickets(org).await? {
            if let Some(alert) = self.check_ticket(&sla, org, &ticket, now).await? {
                alerts.push(alert);
            }
        }
        lock(&self.boards).insert(org, board_of(alerts));
        Ok(())
    }

    async fn open_tickets(&self, org: OrgId) -> ApiResult<Vec<Ticket>> {
        let mut all = Vec::new();
        let mut query = TicketQuery {
            statuses: OPEN.to_vec(),
            limit: MAX_PAGE,
            ..TicketQuery::default()
        };
        loop {
            let page = self.store.tickets(org, &query).await?;
            let full = page.len() == MAX_PAGE as usize;
            query.before = page.iter().map(|t| t.id).min();
            all.extend(page);
            if !full {
                return Ok(all);
            }
        }
    }

    /// Announces what the ticket reached and not yet announced; its worst
    /// alert for the wallboard.
    async fn check_ticket(
        &self,
        sla: &OrgSla,
        org: OrgId,
        ticket: &Ticket,
        now: Timestamp,
    ) -> ApiResult<Option<SlaAlert>> {
        let Some(clocks) = sla.clocks(self.store.as_ref(), org, ticket, now).await? else {
            return Ok(None);
        };
        let announced = announced(&clocks.history);
        let mut breached = false;
        for (target, clock) in targets(&clocks.status) {
            for kind in reached(&clock) {
                breached |= kind == SlaKind::Breach;
                if !announced.contains(&(target, kind)) {
                    self.announce(org, ticket, target, kind, &clock).await?;
                }
            }
        }
        let newly_breached = breached && !announced.iter().any(|(_, k)| *k == SlaKind::Breach);
        if newly_breached {
            self.escalate_on_breach(org, ticket).await?;
        }
        Ok(alert_of(ticket, &clocks.status))
    }

    async fn announce(
        &self,
        org: OrgId,
        ticket: &Ticket,
        target: SlaTarget,
        kind: SlaKind,
        clock: &moked_sla::Clock,
    ) -> ApiResult<()> {
        let due = clock
            .due_at
            .or(clock.warning_at)
            .unwrap_or_else(|| self.clock.now());
        let record = TicketChange::SlaReached { target, kind, due };
        let by = self.tickets.actor(None);
        self.store
            .update_ticket(org, ticket.id, &[record], by)
            .await?;
        let agents = self.tickets.recipients(org, ticket).await?;
        self.tickets.live().announce(
            org,
            LiveEvent::Sla {
                ticket: ticket.id,
                number: ticket.number,
                kind,
                target,
                due,
                agents,
            },
        );
        Ok(())
    }

    /// A breach rule sends the ticket to its team, unless a back-office
    /// team already has it.
    async fn escalate_on_breach(&self, org: OrgId, ticket: &Ticket) -> ApiResult<()> {
        if ticket.back_office_team.is_some() {
            return Ok(());
        }
        let rules = self.store.escalation_rules(org).await?;
        let rule = rules
            .iter()
            .find(|r| r.spec.trigger == EscalationTrigger::Breach);
        if let Some(rule) = rule {
            self.tickets
                .escalate_by_rule(org, ticket, rule.spec.team)
                .await?;
        }
        Ok(())
    }
}

fn targets(status: &SlaStatus) -> [(SlaTarget, moked_sla::Clock); 2] {
    [
        (SlaTarget::FirstResponse, status.first_response),
        (SlaTarget::Resolution, status.resolution),
    ]
}

/// What a clock has reached: the warning, and the breach.
fn reached(clock: &moked_sla::Clock) -> Vec<SlaKind> {
    let mut kinds = Vec::new();
    if clock.is_warning() {
        kinds.push(SlaKind::Warning);
    }
    if clock.is_breached() {
        kinds.push(SlaKind::Breach);
    }
    kinds
}

/// The (target, kind) pairs already announced, from the history.
fn announced(history: &[TicketHistoryEntry]) -> Vec<(SlaTarget, SlaKind)> {
    history
        .iter()
        .filter(|entry| entry.field == SLA_HISTORY_FIELD)
        .filter_map(|entry| {
            let target = serde_json::from_value(entry.new["target"].clone()).ok()?;
            let kind = serde_json::from_value(entry.new["kind"].clone()).ok()?;
            Some((target, kind))
        })
        .collect()
}

/// The worst thing the ticket's clocks show, if anything: a breach before
/// a warning, the first response before the resolution.
fn alert_of(ticket: &Ticket, status: &SlaStatus) -> Option<SlaAlert> {
    let alert = |target, kind, clock: &moked_sla::Clock| SlaAlert {
        ticket: ticket.id.0,
        number: ticket.number.get(),
        subject: ticket.subject.clone(),
        kind,
        target,
        due: clock.due_at,
    };
    let clocks = targets(status);
    let breach = clocks.iter().find(|(_, c)| c.is_breached());
    if let Some((target, clock)) = breach {
        return Some(alert(*target, SlaKind::Breach, clock));
    }
    clocks
        .iter()
        .find(|(_, c)| c.stopped_at.is_none() && c.is_warning())
        .map(|(target, clock)| alert(*target, SlaKind::Warning, clock))
}

fn board_of(mut alerts: Vec<SlaAlert>) -> SlaBoard {
    let breaches = alerts.iter().filter(|a| a.kind == SlaKind::Breach).count();
    let warnings = alerts.len() - breaches;
    alerts.sort_by_key(|a| std::cmp::Reverse(a.due));
    alerts.truncate(LATEST);
    SlaBoard {
        warnings,
        breaches,
        latest: alerts,
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use moked_store::{BusinessHoursId, NewBusinessHours, WeeklyInterval};

    #[test]
    fn a_schedule_becomes_the_work_week_with_hebrew_holidays() {
        let interval = |weekday, opens_minute, closes_minute| WeeklyInterval {
            weekday,
            opens_minute,
            closes_minute,
        };
        let hours = BusinessHours {
            id: BusinessHoursId(1),
            spec: NewBusinessHours {
                name: "מוקד ראשי".into(),
                time_zone: "Asia/Jerusalem".into(),
                intervals: vec![interval(0, 9 * 60, 18 * 60), interval(5, 9 * 60, 12 * 60)],
            },
        };
        let calendar = calendar_of(Some(&hours));
        // Sunday 2026-11-22 is open 09–18, Friday 2026-11-27 09–12, Monday closed.
        let sunday = calendar.opening_hours(date(2026, 11, 22)).expect("open");
        assert_eq!(sunday.seconds(), 9 * 3600);
        let friday = calendar.opening_hours(date(2026, 11, 27)).expect("open");
        assert_eq!(friday.seconds(), 3 * 3600);
        assert!(!calendar.is_open(date(2026, 11, 23)));
        let default = calendar_of(None);
        assert!(!default.is_open(date(2027, 4, 22)), "first day of Pesach");
        assert!(default.is_open(date(2026, 11, 22)), "an ordinary Sunday");
        assert!(!default.is_open(date(2026, 11, 28)), "Saturday");
    }

    #[test]
    fn the_wallboard_counts_breaches_and_warnings_and_keeps_the_latest() {
        let alert = |ticket, kind, due: i64| SlaAlert {
            ticket,
            number: ticket as u64,
            subject: "חשבונית".into(),
            kind,
            target: SlaTarget::Resolution,
            due: Timestamp::from_second(due).ok(),
        };
        let mut alerts = vec![alert(1, SlaKind::Warning, 100)];
        alerts.extend((2..30).map(|t| alert(t, SlaKind::Breach, t * 10)));
        let board = board_of(alerts);
        assert_eq!((board.warnings, board.breaches), (1, 28));
        assert_eq!(board.latest.len(), LATEST);
        assert_eq!(board.latest[0].ticket, 29, "the most recently due first");
    }
}
