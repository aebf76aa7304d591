//! One replication: the event calendar drives the real routing engine.
//!
//! The simulator owns what the engine does not: arrivals, handle times,
//! patience, trunk lines, redials and shifts. The engine owns every routing
//! decision, skill widening, overflow and wrap-up; the simulator learns what
//! it decided from its events and schedules the consequences.

use crate::calendar::Calendar;
use crate::distribution::Sampler;
use crate::scenario::{QueueModel, Scenario};
use moked_routing::{
    AgentId, AgentSpec, Capacity, ContactId, ContactSpec, EndedBy, Engine, EngineConfig, Event,
    EventKind, EventSink, OverflowRule, QueueId, QueueSpec, ReasonCode, Requirements, RoutingError,
    ServiceLevelTarget, SkillId, SkillLevel, Span, Time, WideningRule,
};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// How long after the end contacts still open may take to finish before the run stops.
const DRAIN_LIMIT_SECONDS: f64 = 7.0 * 86_400.0;
/// The not-ready reason of agents whose shift has ended but who still hold contacts.
const SHIFT_END: ReasonCode = ReasonCode(900);

/// What one replication counted for one queue (contacts are counted in the
/// queue they arrived at, even after an overflow).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueueCounts {
    /// Contacts that arrived in the counted window, blocked ones included.
    pub offered: u64,
    /// Of those, connected to an agent.
    pub answered: u64,
    /// Connected within the queue's service-level threshold.
    pub answered_in_time: u64,
    /// Hung up before being connected.
    pub abandoned: u64,
    /// Found every trunk line taken.
    pub blocked: u64,
    /// Not connected at the instant they arrived (blocked ones excluded).
    pub delayed: u64,
    /// Seconds waited by answered contacts, arrival to connection.
    pub answered_wait: f64,
    /// Seconds waited by abandoning contacts, arrival to hang-up.
    pub abandoned_wait: f64,
    /// Abandoned or blocked callers who called again (their new attempts are offered contacts too).
    pub redials: u64,
    /// Per reporting interval from the start of the run.
    pub intervals: Vec<IntervalCounts>,
}

/// One reporting interval of one queue.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct IntervalCounts {
    /// Contacts that arrived in the interval (warmup included).
    pub offered: u64,
    /// Of those, answered within the threshold.
    pub answered_in_time: u64,
    /// Contact-seconds spent waiting in the queue during the interval.
    pub waiting_area: f64,
}

/// What one replication measured for one agent group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupCounts {
    /// Agent-seconds holding at least one contact (ringing, talking or wrapping up), after the warmup.
    pub busy: f64,
    /// Agent-seconds logged in, after the warmup.
    pub staffed: f64,
    /// Per reporting interval from the start of the run (warmup included).
    pub intervals: Vec<GroupIntervalCounts>,
}

/// One reporting interval of one agent group.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GroupIntervalCounts {
    /// Agent-seconds holding at least one contact.
    pub busy: f64,
    /// Agent-seconds logged in.
    pub staffed: f64,
}

/// Adds `weight × seconds` of `[from, to)` to the intervals it overlaps; `add`
/// picks the field. Time past the last interval is dropped.
fn spread<T>(
    intervals: &mut [T],
    width: f64,
    from: f64,
    to: f64,
    weight: f64,
    add: impl Fn(&mut T, f64),
) {
    let mut start = from;
    while start < to {
        let index = (start / width) as usize;
        let Some(slot) = intervals.get_mut(index) else {
            break;
        };
        let until = to.min((index + 1) as f64 * width);
        add(slot, weight * (until - start));
        start = until;
    }
}

/// Everything one replication measured.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReplicationResult {
    /// Per queue, in scenario order.
    pub queues: Vec<QueueCounts>,
    /// Per agent group, in scenario order.
    pub groups: Vec<GroupCounts>,
    /// Every contact simulated, warmup and redials included.
    pub customers: u64,
}

/// The routing engine refused what the simulator asked of it: a defect in
/// the simulator or the engine, never a property of the scenario.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("the routing engine refused a simulated step: {0}")]
pub struct SimulationError(#[from] pub RoutingError);

/// Runs replication `index` of the scenario (seed `seed + index`).
pub fn run_replication(
    scenario: &Scenario,
    index: u32,
) -> Result<ReplicationResult, SimulationError> {
    Ok(run_recording(scenario, index, &mut moked_routing::NoopSink)?.0)
}

/// Runs replication `index`, passing every engine event to `record`; returns
/// the measurements and the engine, which names the queues and agents in events.
pub fn run_recording(
    scenario: &Scenario,
    index: u32,
    record: &mut impl EventSink,
) -> Result<(ReplicationResult, Engine), SimulationError> {
    let mut run = Run::new(scenario, index)?;
    run.execute(record)?;
    let result = run.finish();
    Ok((result, run.engine))
}

type Step = Result<(), RoutingError>;

#[derive(Debug, Clone, Copy)]
enum Happening {
    Arrival { queue: u32 },
    Redial { queue: u32 },
    Patience { contact: ContactId },
    Completion { contact: ContactId },
    ShiftChange { group: u32 },
}

/// What the simulator remembers of a live contact, indexed by its slot.
#[derive(Debug, Clone, Copy)]
struct ContactRecord {
    id: ContactId,
    queue: u32,
    arrival: f64,
    counted: bool,
    waiting: bool,
}

struct QueueRuntime {
    handle_time: Sampler,
    patience: Option<Sampler>,
    redial: Option<(f64, Sampler)>,
    sl_seconds: f64,
    wraps_up: bool,
    lines: u32,
    on_lines: u32,
    waiting: u32,
    waiting_since: f64,
}

struct AgentRuntime {
    group: u32,
    held: u32,
    busy_since: f64,
    logged_in_since: Option<f64>,
    leaving: bool,
}

struct Run<'s> {
    scenario: &'s Scenario,
    engine: Engine,
    rng: Xoshiro256PlusPlus,
    calendar: Calendar<Happening>,
    events: Vec<Event>,
    queue_ids: Vec<QueueId>,
    queue_of_id: Vec<u32>,
    queues: Vec<QueueRuntime>,
    agents: Vec<AgentRuntime>,
    group_agents: Vec<Vec<AgentId>>,
    contacts: Vec<Option<ContactRecord>>,
    counts: Vec<QueueCounts>,
    groups: Vec<GroupCounts>,
    customers: u64,
    open_counted: u64,
    now: f64,
    warmup: f64,
    end: f64,
    interval: f64,
}

fn time(seconds: f64) -> Time {
    Time::from_secs_f64(seconds)
}

/// Queues in an order where every overflow target comes before the queues overflowing to it
/// (the engine needs targets to exist); the scenario parser has refused cycles.
fn engine_order(scenario: &Scenario) -> Vec<usize> {
    let depth = |mut queue: usize| {
        let mut steps = 0;
        while let Some(rule) = &scenario.queues[queue].overflow {
            queue = rule.to;
            steps += 1;
        }
        steps
    };
    let mut order: Vec<usize> = (0..scenario.queues.len()).collect();
    order.sort_by_key(|&queue| depth(queue));
    order
}

fn skill_levels(levels: &[crate::scenario::SkillLevel]) -> Vec<SkillLevel> {
    levels
        .iter()
        .map(|level| SkillLevel {
            skill: SkillId(level.skill as u16),
            level: level.level,
        })
        .collect()
}

fn queue_spec(
    queue: &QueueModel,
    queue_ids: &[Option<QueueId>],
) -> Result<QueueSpec, RoutingError> {
    let mut spec = QueueSpec::new(queue.name.clone(), queue.channel);
    spec.service_level = ServiceLevelTarget {
        fraction: queue.sl_target,
        within: Span::from_secs_f64(queue.sl_seconds),
    };
    spec.priority_weight = f64::from(queue.priority);
    spec.aging_per_second = queue.aging;
    spec.skills = Requirements::new(&skill_levels(&queue.skills))?;
    spec.widening = queue
        .widening
        .iter()
        .flat_map(|rule| {
            rule.skills.iter().map(|level| WideningRule {
                after: Span::from_secs_f64(rule.after),
                skill: SkillId(level.skill as u16),
                min_level: level.level,
            })
        })
        .collect();
    spec.overflow = queue.overflow.as_ref().and_then(|rule| {
        queue_ids[rule.to].map(|to| OverflowRule {
            after: Span::from_secs_f64(rule.after),
            to,
        })
    });
    spec.wrap_up = Span::from_secs_f64(queue.wrap_up);
    spec.handle_time_hint = Span::from_secs_f64(queue.handle_time.mean());
    Ok(spec)
}

/// The engine loaded with a scenario's queues and agents.
struct Built {
    engine: Engine,
    /// The engine's id of each scenario queue.
    queue_ids: Vec<QueueId>,
    /// The engine's ids of each agent group's agents.
    group_agents: Vec<Vec<AgentId>>,
}

/// Builds the engine's queues and agents; a scenario that passed validation always fits.
fn build_engine(scenario: &Scenario, config: EngineConfig) -> Result<Built, RoutingError> {
    let mut engine = Engine::new(config);
    let mut queue_ids = vec![None; scenario.queues.len()];
    for index in engine_order(scenario) {
        let spec = queue_spec(&scenario.queues[index], &queue_ids)?;
        queue_ids[index] = Some(engine.add_queue(spec)?);
    }
    let queue_ids: Vec<QueueId> = queue_ids.into_iter().flatten().collect();
    let mut group_agents = Vec::with_capacity(scenario.agent_groups.len());
    for group in &scenario.agent_groups {
        let skills = skill_levels(&group.skills);
        let capacity = Capacity(group.capacity);
        let mut ids = Vec::with_capacity(group.count as usize);
        for number in 1..=group.count {
            ids.push(engine.add_agent(AgentSpec {
                name: format!("{} {number}", group.name),
                skills: skills.clone(),
                capacity,
                queues: Vec::new(),
            })?);
        }
        group_agents.push(ids);
    }
    Ok(Built {
        engine,
        queue_ids,
        group_agents,
    })
}

impl<'s> Run<'s> {
    fn new(scenario: &'s Scenario, index: u32) -> Result<Run<'s>, RoutingError> {
        let settings = &scenario.simulation;
        let Built {
            engine,
            queue_ids,
            group_agents,
        } = build_engine(scenario, scenario.routing)?;
        let mut queue_of_id = vec![0; queue_ids.len()];
        for (index, id) in queue_ids.iter().enumerate() {
            queue_of_id[id.index()] = index as u32;
        }
        let interval_count = (settings.duration / settings.interval).ceil() as usize;
        let queues = scenario
            .queues
            .iter()
            .map(|queue| QueueRuntime {
                handle_time: queue.handle_time.sampler(),
                patience: queue.patience.as_ref().map(|patience| patience.sampler()),
                redial: queue
                    .redial
                    .as_ref()
                    .map(|redial| (redial.probability, redial.delay.sampler())),
                sl_seconds: queue.sl_seconds,
                wraps_up: queue.wrap_up > 0.0,
                lines: queue.lines.unwrap_or(u32::MAX),
                on_lines: 0,
                waiting: 0,
                waiting_since: 0.0,
            })
            .collect();
        let agents = group_agents
            .iter()
            .enumerate()
            .flat_map(|(group, ids)| {
                ids.iter().map(move |_| AgentRuntime {
                    group: group as u32,
                    held: 0,
                    busy_since: 0.0,
                    logged_in_since: None,
                    leaving: false,
                })
            })
            .collect();
        Ok(Run {
            scenario,
            engine,
            rng: Xoshiro256PlusPlus::seed_from_u64(settings.seed.wrapping_add(u64::from(index))),
            calendar: Calendar::new(),
            events: Vec::with_capacity(64),
            queue_ids,
            queue_of_id,
            queues,
            agents,
            group_agents,
            contacts: Vec::new(),
            counts: vec![
                QueueCounts {
                    intervals: vec![IntervalCounts::default(); interval_count],
                    ..QueueCounts::default()
                };
                scenario.queues.len()
            ],
            groups: vec![
                GroupCounts {
                    intervals: vec![GroupIntervalCounts::default(); interval_count],
                    ..GroupCounts::default()
                };
                scenario.agent_groups.len()
            ],
            customers: 0,
            open_counted: 0,
            now: 0.0,
            warmup: settings.warmup,
            end: settings.duration,
            interval: settings.interval,
        })
    }

    fn execute(&mut self, record: &mut impl EventSink) -> Step {
        for group in 0..self.scenario.agent_groups.len() {
            self.apply_shift(group as u32, record)?;
        }
        for queue in 0..self.scenario.queues.len() {
            self.schedule_arrival(queue as u32, 0.0);
        }
        let stop = self.end + DRAIN_LIMIT_SECONDS;
        loop {
            let next_timer = self.engine.next_deadline().map(|at| at.as_secs_f64());
            let next_event = self.calendar.peek_time().map(|at| Time(at).as_secs_f64());
            let next = match (next_timer, next_event) {
                (None, None) => break,
                (Some(timer), Some(event)) => timer.min(event),
                (Some(only), None) | (None, Some(only)) => only,
            };
            if next > stop || (next >= self.end && self.open_counted == 0) {
                break;
            }
            if next_timer.is_some_and(|timer| timer <= next) {
                self.now = self.now.max(next);
                let result = self.engine.advance(time(self.now), &mut self.events);
                self.settle(result, record)?;
            } else if let Some((at, happening)) = self.calendar.pop() {
                self.now = self.now.max(Time(at).as_secs_f64());
                self.handle(happening, record)?;
            }
        }
        self.now = self.now.max(self.end);
        Ok(())
    }

    fn handle(&mut self, happening: Happening, record: &mut impl EventSink) -> Step {
        match happening {
            Happening::Arrival { queue } => {
                self.schedule_arrival(queue, self.now);
                self.arrive(queue, record)
            }
            Happening::Redial { queue } if self.now < self.end => {
                self.counts[queue as usize].redials += u64::from(self.now >= self.warmup);
                self.arrive(queue, record)
            }
            Happening::Redial { .. } => Ok(()),
            Happening::Patience { contact } => {
                let still_waiting = self.record_of(contact).is_some_and(|entry| entry.waiting);
                if !still_waiting {
                    return Ok(());
                }
                let result = self
                    .engine
                    .abandon(time(self.now), contact, &mut self.events);
                self.settle(result, record)
            }
            Happening::Completion { contact } => {
                let result =
                    self.engine
                        .complete(time(self.now), contact, EndedBy::Agent, &mut self.events);
                self.settle(result, record)
            }
            Happening::ShiftChange { group } => self.apply_shift(group, record),
        }
    }

    fn schedule_arrival(&mut self, queue: u32, after: f64) {
        let profile = &self.scenario.queues[queue as usize].arrivals;
        if let Some(next) = profile.next_after(after, &mut self.rng)
            && next < self.end
        {
            self.calendar
                .schedule(time(next).0, Happening::Arrival { queue });
        }
    }

    fn record_of(&self, contact: ContactId) -> Option<&ContactRecord> {
        self.contacts
            .get(contact.slot())
            .and_then(Option::as_ref)
            .filter(|entry| entry.id == contact)
    }

    fn interval_of(&self, seconds: f64) -> Option<usize> {
        let index = (seconds / self.interval) as usize;
        (seconds < self.end).then_some(index)
    }

    fn arrive(&mut self, queue: u32, record: &mut impl EventSink) -> Step {
        self.customers += 1;
        let counted = self.now >= self.warmup && self.now < self.end;
        let index = queue as usize;
        if counted {
            self.counts[index].offered += 1;
        }
        if let Some(interval) = self.interval_of(self.now) {
            self.counts[index].intervals[interval].offered += 1;
        }
        let runtime = &mut self.queues[index];
        if runtime.on_lines >= runtime.lines {
            if counted {
                self.counts[index].blocked += 1;
            }
            self.maybe_redial(queue);
            return Ok(());
        }
        runtime.on_lines += 1;
        let spec = ContactSpec::new(self.queue_ids[index]);
        let contact = self.engine.arrive(time(self.now), spec, &mut self.events)?;
        let slot = contact.slot();
        if self.contacts.len() <= slot {
            self.contacts.resize(slot + 1, None);
        }
        self.contacts[slot] = Some(ContactRecord {
            id: contact,
            queue,
            arrival: self.now,
            counted,
            waiting: true,
        });
        self.open_counted += u64::from(counted);
        self.settle(Ok(()), record)?;
        let still_waiting = self.record_of(contact).is_some_and(|entry| entry.waiting);
        if still_waiting {
            if counted {
                self.counts[index].delayed += 1;
            }
            if let Some(patience) = &self.queues[index].patience {
                let hang_up = self.now + patience.sample(&mut self.rng);
                self.calendar
                    .schedule(time(hang_up).0, Happening::Patience { contact });
            }
        }
        Ok(())
    }

    fn maybe_redial(&mut self, queue: u32) {
        if let Some((probability, delay)) = &self.queues[queue as usize].redial
            && self.rng.random_bool(*probability)
        {
            let again = self.now + delay.sample(&mut self.rng);
            self.calendar
                .schedule(time(again).0, Happening::Redial { queue });
        }
    }

    /// Reacts to the events of the last engine command.
    fn settle(&mut self, result: Step, record: &mut impl EventSink) -> Step {
        result?;
        let mut events = std::mem::take(&mut self.events);
        let mut outcome = Ok(());
        for event in events.drain(..) {
            record.emit(event);
            if outcome.is_ok() {
                outcome = self.observe(event.kind);
            }
        }
        // Log-outs made while observing emitted into the emptied buffer; they trigger nothing.
        let logouts = std::mem::replace(&mut self.events, events);
        for event in logouts {
            record.emit(event);
        }
        outcome
    }

    fn observe(&mut self, kind: EventKind) -> Step {
        match kind {
            EventKind::ContactQueued { queue, .. } => self.change_waiting(queue, 1),
            EventKind::Overflowed { from, .. } => self.change_waiting(from, -1),
            EventKind::Offered { agent, queue, .. } => {
                self.change_waiting(queue, -1);
                self.hold(agent, 1);
            }
            EventKind::Rejected { agent, queue, .. }
            | EventKind::RingNoAnswer { agent, queue, .. } => {
                self.change_waiting(queue, 1);
                self.hold(agent, -1);
            }
            EventKind::Connected { contact, .. } => self.connected(contact),
            EventKind::Abandoned {
                contact,
                queue,
                ringing_agent,
                ..
            } => {
                match ringing_agent {
                    Some(agent) => self.hold(agent, -1),
                    None => self.change_waiting(queue, -1),
                }
                self.abandoned(contact);
            }
            EventKind::Completed { contact, agent, .. } => return self.completed(contact, agent),
            EventKind::WrapUpEnded { agent, .. } => {
                self.hold(agent, -1);
                return self.try_logout(agent);
            }
            _ => {}
        }
        Ok(())
    }

    fn connected(&mut self, contact: ContactId) {
        let Some(entry) = self.contacts[contact.slot()].as_mut() else {
            return;
        };
        entry.waiting = false;
        let (queue, arrival, counted) = (entry.queue as usize, entry.arrival, entry.counted);
        let wait = self.now - arrival;
        let in_time = wait <= self.queues[queue].sl_seconds;
        if counted {
            let counts = &mut self.counts[queue];
            counts.answered += 1;
            counts.answered_wait += wait;
            counts.answered_in_time += u64::from(in_time);
        }
        if in_time && let Some(interval) = self.interval_of(arrival) {
            self.counts[queue].intervals[interval].answered_in_time += 1;
        }
        let talk = self.queues[queue].handle_time.sample(&mut self.rng);
        self.calendar
            .schedule(time(self.now + talk).0, Happening::Completion { contact });
    }

    fn abandoned(&mut self, contact: ContactId) {
        let Some(entry) = self.contacts[contact.slot()].take() else {
            return;
        };
        let queue = entry.queue as usize;
        self.queues[queue].on_lines -= 1;
        if entry.counted {
            self.open_counted -= 1;
            self.counts[queue].abandoned += 1;
            self.counts[queue].abandoned_wait += self.now - entry.arrival;
        }
        self.maybe_redial(entry.queue);
    }

    fn completed(&mut self, contact: ContactId, agent: AgentId) -> Step {
        let Some(entry) = self.contacts[contact.slot()].take() else {
            return Ok(());
        };
        let queue = entry.queue as usize;
        self.queues[queue].on_lines -= 1;
        self.open_counted -= u64::from(entry.counted);
        if self.queues[queue].wraps_up {
            return Ok(());
        }
        self.hold(agent, -1);
        self.try_logout(agent)
    }

    /// Tracks the time-weighted number waiting in an engine queue.
    fn change_waiting(&mut self, queue: QueueId, delta: i32) {
        let index = self.queue_of_id[queue.index()] as usize;
        let now = self.now;
        let runtime = &mut self.queues[index];
        let waiting = f64::from(runtime.waiting);
        let from = runtime.waiting_since;
        runtime.waiting = runtime.waiting.saturating_add_signed(delta);
        runtime.waiting_since = now;
        if waiting > 0.0 {
            spread(
                &mut self.counts[index].intervals,
                self.interval,
                from,
                now,
                waiting,
                |slot, area| slot.waiting_area += area,
            );
        }
    }

    /// Counts an agent's contacts; the time it holds any is busy time.
    fn hold(&mut self, agent: AgentId, delta: i32) {
        let now = self.now;
        let runtime = &mut self.agents[agent.index()];
        let before = runtime.held;
        runtime.held = runtime.held.saturating_add_signed(delta);
        if before == 0 && runtime.held > 0 {
            runtime.busy_since = now;
        } else if before > 0 && runtime.held == 0 {
            let (since, group) = (runtime.busy_since, runtime.group as usize);
            self.add_busy(group, since, now);
        }
    }

    fn add_busy(&mut self, group: usize, from: f64, to: f64) {
        let counted = self.window(from, to);
        let counts = &mut self.groups[group];
        counts.busy += counted;
        spread(
            &mut counts.intervals,
            self.interval,
            from,
            to,
            1.0,
            |slot, busy| slot.busy += busy,
        );
    }

    fn add_staffed(&mut self, group: usize, from: f64, to: f64) {
        let counted = self.window(from, to);
        let counts = &mut self.groups[group];
        counts.staffed += counted;
        spread(
            &mut counts.intervals,
            self.interval,
            from,
            to,
            1.0,
            |slot, staffed| slot.staffed += staffed,
        );
    }

    /// The part of `[from, to]` inside the counted window, in seconds.
    fn window(&self, from: f64, to: f64) -> f64 {
        (to.min(self.end) - from.max(self.warmup)).max(0.0)
    }

    fn apply_shift(&mut self, group: u32, record: &mut impl EventSink) -> Step {
        let model = &self.scenario.agent_groups[group as usize];
        let on = model.on_shift(self.now);
        for position in 0..self.group_agents[group as usize].len() {
            let agent = self.group_agents[group as usize][position];
            let runtime = &mut self.agents[agent.index()];
            if on && runtime.logged_in_since.is_none() {
                runtime.logged_in_since = Some(self.now);
                runtime.leaving = false;
                let result = self.engine.login(time(self.now), agent, &mut self.events);
                self.settle(result, record)?;
            } else if on && runtime.leaving {
                runtime.leaving = false;
                let result = self
                    .engine
                    .set_available(time(self.now), agent, &mut self.events);
                self.settle(result, record)?;
            } else if !on && runtime.logged_in_since.is_some() && !runtime.leaving {
                runtime.leaving = true;
                let result =
                    self.engine
                        .set_not_ready(time(self.now), agent, SHIFT_END, &mut self.events);
                self.settle(result, record)?;
                let result = self.try_logout(agent);
                self.settle(result, record)?;
            }
        }
        if let Some(next) = next_shift_change(&model.shifts, self.now) {
            self.calendar
                .schedule(time(next).0, Happening::ShiftChange { group });
        }
        Ok(())
    }

    /// Logs out an agent whose shift has ended once it holds no contact.
    fn try_logout(&mut self, agent: AgentId) -> Step {
        let runtime = &self.agents[agent.index()];
        if !runtime.leaving || runtime.held > 0 {
            return Ok(());
        }
        if let Some(since) = runtime.logged_in_since {
            let group = runtime.group as usize;
            self.add_staffed(group, since, self.now);
            let runtime = &mut self.agents[agent.index()];
            runtime.logged_in_since = None;
            runtime.leaving = false;
            self.engine
                .logout(time(self.now), agent, &mut self.events)?;
        }
        Ok(())
    }

    fn finish(&mut self) -> ReplicationResult {
        let end = self.now;
        for agent in 0..self.agents.len() {
            let runtime = &self.agents[agent];
            let group = runtime.group as usize;
            let (logged_in, busy_since) = (
                runtime.logged_in_since,
                (runtime.held > 0).then_some(runtime.busy_since),
            );
            if let Some(since) = logged_in {
                self.add_staffed(group, since, end);
            }
            if let Some(since) = busy_since {
                self.add_busy(group, since, end);
            }
        }
        for queue in 0..self.queues.len() {
            let id = self.queue_ids[queue];
            self.change_waiting(id, 0);
        }
        ReplicationResult {
            queues: std::mem::take(&mut self.counts),
            groups: std::mem::take(&mut self.groups),
            customers: self.customers,
        }
    }
}

/// The first shift start or end after `now`; `None` for a group always on.
fn next_shift_change(shifts: &[(f64, f64)], now: f64) -> Option<f64> {
    const DAY: f64 = 86_400.0;
    let day_start = (now / DAY).floor() * DAY;
    shifts
        .iter()
        .flat_map(|&(start, end)| [start, end])
        .flat_map(|offset| [-1.0, 0.0, 1.0, 2.0].map(|day| day_start + day * DAY + offset))
        .filter(|&at| at > now)
        .min_by(f64::total_cmp)
}
