//! The engine: state, commands, timers and queries.
//!
//! Every command takes `now`, first fires the timers due by then (so a caller
//! that forgets [`Engine::advance`] still sees rules applied in order), then
//! acts, emitting events to the sink. A refused command returns an error and
//! changes nothing beyond those due timers (a `now` earlier than a time
//! already seen changes nothing at all).
//!
//! Layout, for speed at scale: contacts of one queue that need the same
//! skills form a class (see `class.rs`) holding a heap of its waiting
//! contacts and a heap of its free agents; an agent keeps the list of classes
//! it is eligible for. A decision therefore touches only the heads of a few
//! heaps, never every agent or every contact, and nothing is allocated per
//! decision once the heaps have grown.

use crate::class::{AgentEntry, Class, ContactEntry};
use crate::error::{ContactPhase, RoutingError};
use crate::event::{AgentState, EndedBy, Event, EventKind, EventSink};
use crate::ids::{AgentId, ContactId, QueueId, ReasonCode};
use crate::queue_log::Names;
use crate::spec::{
    AgentSelection, AgentSpec, Capacity, ContactSpec, EngineConfig, MAX_PROFICIENCY,
    MIN_PROFICIENCY, QueueSpec, Requirements,
};
use crate::time::{Span, Time};
use moked_domain::Channel;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

const NO_AGENT: u32 = u32::MAX;

/// Where a contact is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// The slot holds no contact.
    Ended,
    Waiting,
    Ringing,
    Connected,
    WrapUp,
}

/// Whether an agent is logged in and willing to take new contacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Presence {
    Offline,
    Available,
    NotReady(ReasonCode),
}

#[derive(Debug, Clone)]
struct Queue {
    spec: QueueSpec,
    /// The class of contacts carrying the queue's own requirements.
    default_class: u32,
    classes: Vec<u32>,
    waiting: u32,
    /// Contacts that have left the waiting set so far, for position estimates.
    departures: u64,
    /// Moving average of handle time (connected to end of wrap-up), seconds.
    handle_secs: f64,
}

#[derive(Debug, Clone)]
struct Agent {
    /// Copied from the spec so the hot path never touches the spec.
    capacity: Capacity,
    /// Classes the agent is eligible for, with its proficiency sum over each class's skills.
    classes: Vec<(u32, u32)>,
    presence: Presence,
    /// Slots taken per channel: ringing, connected and wrapping contacts.
    active: [u8; Channel::ALL.len()],
    ringing: u16,
    connected: u16,
    wrapping: u16,
    idle_since: Time,
    busy_total: Span,
    /// Bumped at every change; free-agent heap entries of older versions are stale.
    version: u32,
    state: AgentState,
}

#[derive(Debug, Clone)]
struct Contact {
    generation: u32,
    phase: Phase,
    /// Bumped at every phase change; heap entries and timers of older stamps are stale.
    stamp: u32,
    queue: u32,
    class: u32,
    requirements: Requirements,
    priority: i32,
    tier: u8,
    callback: bool,
    /// Arrival in the current queue episode, for reported waits.
    arrival: Time,
    /// When aging began (kept across overflow and rejected offers).
    since: Time,
    /// Entry into the current queue, for its widening and overflow rules.
    entered: Time,
    seq: u64,
    /// The next widening rule of the queue to apply.
    next_rule: u8,
    agent: u32,
    offered_at: Time,
    connected_at: Time,
    orig_position: u32,
    departures_at_entry: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum TimerKind {
    Widen(u8),
    Overflow,
    RingTimeout,
    WrapUpEnd,
    /// The wrap-up of an agent who transferred a contact away: the timer's
    /// `slot` is the agent and its `stamp` the queue the contact left.
    TransferWrapUpEnd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Timer {
    at: Time,
    seq: u64,
    slot: u32,
    stamp: u32,
    kind: TimerKind,
}

/// A contact as the engine sees it now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContactView {
    /// Its queue.
    pub queue: QueueId,
    /// What it is doing.
    pub phase: ContactPhase,
    /// The agent holding it (ringing, connected or wrap-up).
    pub agent: Option<AgentId>,
    /// Its required skills now, after any widening.
    pub requirements: Requirements,
    /// Whether it has become a callback.
    pub callback: bool,
    /// Arrival in its current queue episode.
    pub arrival: Time,
    /// Its score now (meaningful while waiting).
    pub score: f64,
    /// Its arrival order number (ties on score and arrival go to the lower).
    pub seq: u64,
}

/// An agent as the engine sees it now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentView {
    /// Its derived state.
    pub state: AgentState,
    /// Whether it is logged in and not not-ready.
    pub ready: bool,
    /// Slots taken per channel ([`Channel::index`]).
    pub active: [u8; Channel::ALL.len()],
}

/// Waiting figures for one queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueStats {
    /// Contacts waiting now.
    pub waiting: u32,
    /// How long the longest-waiting one has waited.
    pub longest_wait: Span,
}

/// The routing engine. See the crate documentation for the decision rules.
/// Cloning gives an independent copy, e.g. a warmed-up center to branch from.
#[derive(Debug, Clone)]
pub struct Engine {
    config: EngineConfig,
    now: Time,
    queues: Vec<Queue>,
    agents: Vec<Agent>,
    /// Specs apart from the hot agent records, indexed alike.
    agent_specs: Vec<AgentSpec>,
    classes: Vec<Class>,
    contacts: Vec<Contact>,
    /// Per slot, the stamp of the contact's live waiting entry, or 0 when it
    /// is not waiting: a compact copy that heap heads are checked against
    /// without touching the contact records.
    waiting_stamps: Vec<u32>,
    free_slots: Vec<u32>,
    timers: BinaryHeap<Reverse<Timer>>,
    next_seq: u64,
}

impl Engine {
    /// An empty engine with no queues and no agents, at time zero.
    pub fn new(config: EngineConfig) -> Engine {
        Engine {
            config,
            now: Time::ZERO,
            queues: Vec::new(),
            agents: Vec::new(),
            agent_specs: Vec::new(),
            classes: Vec::new(),
            contacts: Vec::new(),
            waiting_stamps: Vec::new(),
            free_slots: Vec::new(),
            timers: BinaryHeap::new(),
            next_seq: 0,
        }
    }

    /// The engine's settings.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// The latest time the engine was given.
    pub fn now(&self) -> Time {
        self.now
    }

    /// Adds a queue. An overflow target must be an existing queue.
    pub fn add_queue(&mut self, mut spec: QueueSpec) -> Result<QueueId, RoutingError> {
        check_queue_spec(&spec)?;
        if let Some(rule) = spec.overflow
            && rule.to.index() >= self.queues.len()
        {
            return Err(RoutingError::UnknownQueue(rule.to));
        }
        spec.widening.sort_by_key(|rule| rule.after);
        let id = self.queues.len() as u32;
        let skills = spec.skills;
        self.queues.push(Queue {
            handle_secs: spec.handle_time_hint.as_secs_f64(),
            spec,
            default_class: 0,
            classes: Vec::new(),
            waiting: 0,
            departures: 0,
        });
        self.queues[id as usize].default_class = self.class_for(id, skills, NO_AGENT);
        Ok(QueueId(id))
    }

    /// Adds an agent, logged out. Every queue it lists must exist.
    pub fn add_agent(&mut self, spec: AgentSpec) -> Result<AgentId, RoutingError> {
        check_agent_spec(&spec)?;
        if let Some(&queue) = spec.queues.iter().find(|q| q.index() >= self.queues.len()) {
            return Err(RoutingError::UnknownQueue(queue));
        }
        let id = self.agents.len() as u32;
        self.agents.push(Agent {
            capacity: spec.capacity,
            classes: Vec::new(),
            presence: Presence::Offline,
            active: [0; Channel::ALL.len()],
            ringing: 0,
            connected: 0,
            wrapping: 0,
            idle_since: Time::ZERO,
            busy_total: Span::ZERO,
            version: 0,
            state: AgentState::Offline,
        });
        self.agent_specs.push(spec);
        for class in 0..self.classes.len() as u32 {
            if let Some(proficiency) = self.eligibility(id, class) {
                self.agents[id as usize].classes.push((class, proficiency));
                self.classes[class as usize].eligible.push(id);
            }
        }
        Ok(AgentId(id))
    }

    /// Logs an agent in: it becomes available and takes waiting work at once.
    pub fn login(
        &mut self,
        now: Time,
        agent: AgentId,
        out: &mut impl EventSink,
    ) -> Result<(), RoutingError> {
        self.begin(now, out)?;
        let a = self.agent_index(agent)?;
        if self.agents[a].presence != Presence::Offline {
            return Err(self.agent_error(a, "log in"));
        }
        self.set_staffed(a, true);
        let record = &mut self.agents[a];
        record.presence = Presence::Available;
        record.idle_since = now;
        record.busy_total = Span::ZERO;
        // Announce the login before any work it takes.
        self.agent_changed(a as u32, out);
        self.serve_waiting(a as u32, out);
        self.agent_changed(a as u32, out);
        self.settle_timers();
        Ok(())
    }

    /// Logs an agent out. Refused while it rings, talks or wraps up.
    pub fn logout(
        &mut self,
        now: Time,
        agent: AgentId,
        out: &mut impl EventSink,
    ) -> Result<(), RoutingError> {
        self.begin(now, out)?;
        let a = self.agent_index(agent)?;
        let record = &self.agents[a];
        if record.presence == Presence::Offline || record.active.iter().any(|&n| n > 0) {
            return Err(self.agent_error(a, "log out"));
        }
        self.set_staffed(a, false);
        self.agents[a].presence = Presence::Offline;
        self.agent_changed(a as u32, out);
        self.settle_timers();
        Ok(())
    }

    /// Makes a not-ready agent available; it takes waiting work at once.
    pub fn set_available(
        &mut self,
        now: Time,
        agent: AgentId,
        out: &mut impl EventSink,
    ) -> Result<(), RoutingError> {
        self.begin(now, out)?;
        let a = self.agent_index(agent)?;
        match self.agents[a].presence {
            Presence::Offline => return Err(self.agent_error(a, "become available")),
            Presence::Available => return Ok(()),
            Presence::NotReady(_) => {}
        }
        self.agents[a].presence = Presence::Available;
        self.agents[a].idle_since = now;
        self.agent_changed(a as u32, out);
        self.serve_waiting(a as u32, out);
        self.agent_changed(a as u32, out);
        self.settle_timers();
        Ok(())
    }

    /// Ends now the agent's wrap-ups after transfers (the agent is ready
    /// before the queue's wrap-up time is up); with none, nothing happens.
    pub fn end_transfer_wrap_up(
        &mut self,
        now: Time,
        agent: AgentId,
        out: &mut impl EventSink,
    ) -> Result<(), RoutingError> {
        self.begin(now, out)?;
        let a = self.agent_index(agent)? as u32;
        let mut ending = Vec::new();
        self.timers.retain(|Reverse(timer)| {
            let mine = timer.kind == TimerKind::TransferWrapUpEnd && timer.slot == a;
            if mine {
                ending.push((timer.stamp, timer.at));
            }
            !mine
        });
        for (queue, due) in ending {
            self.finish_transfer_wrap_up(a, queue, due, out);
        }
        self.settle_timers();
        Ok(())
    }

    /// Makes a logged-in agent not ready; contacts it holds continue.
    pub fn set_not_ready(
        &mut self,
        now: Time,
        agent: AgentId,
        reason: ReasonCode,
        out: &mut impl EventSink,
    ) -> Result<(), RoutingError> {
        self.begin(now, out)?;
        let a = self.agent_index(agent)?;
        if self.agents[a].presence == Presence::Offline {
            return Err(self.agent_error(a, "become not ready"));
        }
        self.agents[a].presence = Presence::NotReady(reason);
        self.agent_changed(a as u32, out);
        self.settle_timers();
        Ok(())
    }

    /// Changes how many contacts of `channel` the agent takes at once, up to
    /// its spec's capacity (for example a phone registering or going away:
    /// voice 1 or 0). Contacts it holds continue; with room again it takes
    /// waiting work at once. The spec's capacity stays what makes the agent
    /// eligible for a queue, so lowering to zero and back keeps its queues.
    pub fn set_capacity(
        &mut self,
        now: Time,
        agent: AgentId,
        channel: Channel,
        slots: u8,
        out: &mut impl EventSink,
    ) -> Result<(), RoutingError> {
        self.begin(now, out)?;
        let a = self.agent_index(agent)?;
        let most = self.agent_specs[a].capacity.on(channel);
        if slots > most {
            return Err(RoutingError::OutOfRange {
                what: "an agent's capacity",
                expected: "at most the capacity of its spec",
                value: f64::from(slots),
            });
        }
        let logged_in = self.agents[a].presence != Presence::Offline;
        // Staffing counts the slots: take the old ones out, put the new ones in.
        if logged_in {
            self.set_staffed(a, false);
        }
        self.agents[a].capacity = self.agents[a].capacity.with(channel, slots);
        if logged_in {
            self.set_staffed(a, true);
        }
        self.agent_changed(a as u32, out);
        self.serve_waiting(a as u32, out);
        self.agent_changed(a as u32, out);
        self.settle_timers();
        Ok(())
    }

    /// A contact arrives: it is offered to the best free eligible agent, or waits.
    pub fn arrive(
        &mut self,
        now: Time,
        spec: ContactSpec,
        out: &mut impl EventSink,
    ) -> Result<ContactId, RoutingError> {
        self.arrive_in_class(now, spec, NO_AGENT, out)
    }

    /// `to_agent`: the one agent the contact waits for, or `NO_AGENT`.
    fn arrive_in_class(
        &mut self,
        now: Time,
        spec: ContactSpec,
        to_agent: u32,
        out: &mut impl EventSink,
    ) -> Result<ContactId, RoutingError> {
        self.begin(now, out)?;
        let queue = self.queue_index(spec.queue)?;
        let requirements = spec.skills.unwrap_or(self.queues[queue].spec.skills);
        let class = self.class_for(queue as u32, requirements, to_agent);
        let slot = self.new_contact(queue as u32, class, requirements, &spec);
        let id = self.contact_id(slot);
        self.record_entry(slot, out);
        self.place(slot, out);
        self.settle_timers();
        Ok(id)
    }

    /// Allocates a slot for a contact arriving now in `queue`, not yet placed.
    fn new_contact(
        &mut self,
        queue: u32,
        class: u32,
        requirements: Requirements,
        spec: &ContactSpec,
    ) -> u32 {
        let now = self.now;
        let slot = self.allocate_slot();
        let seq = self.next_seq;
        self.next_seq += 1;
        let contact = &mut self.contacts[slot as usize];
        contact.phase = Phase::Waiting;
        contact.queue = queue;
        contact.class = class;
        contact.requirements = requirements;
        contact.priority = spec.priority;
        contact.tier = spec.tier;
        contact.callback = false;
        contact.arrival = now;
        contact.since = now;
        contact.entered = now;
        contact.seq = seq;
        contact.next_rule = 0;
        contact.agent = NO_AGENT;
        slot
    }

    /// A contact arrives for one named agent (targeted routing): it is
    /// offered to that agent as soon as the agent is available with a free
    /// slot on the queue's channel, whatever its skills, and waits until then.
    pub fn arrive_for_agent(
        &mut self,
        now: Time,
        spec: ContactSpec,
        agent: AgentId,
        out: &mut impl EventSink,
    ) -> Result<ContactId, RoutingError> {
        self.agent_index(agent)?;
        self.arrive_in_class(now, spec, agent.0, out)
    }

    /// Puts a contact straight into connection with `agent`, without queueing
    /// or offering: for a driver rebuilding its state after a restart, where
    /// the contact was connected before. `arrived` (clamped to `now`) is its
    /// original arrival, kept for the reported wait. The agent's capacity is
    /// not checked: the contact was admitted under the capacity of its time.
    pub fn restore_connected(
        &mut self,
        now: Time,
        spec: ContactSpec,
        agent: AgentId,
        arrived: Time,
        out: &mut impl EventSink,
    ) -> Result<ContactId, RoutingError> {
        self.begin(now, out)?;
        let queue = self.queue_index(spec.queue)?;
        let a = self.agent_index(agent)?;
        let requirements = spec.skills.unwrap_or(self.queues[queue].spec.skills);
        let class = self.class_for(queue as u32, requirements, NO_AGENT);
        let slot = self.new_contact(queue as u32, class, requirements, &spec);
        let arrived = arrived.min(now);
        let departures = self.queues[queue].departures;
        let c = &mut self.contacts[slot as usize];
        c.phase = Phase::Connected;
        c.stamp = next_stamp(c.stamp);
        c.arrival = arrived;
        c.since = arrived;
        c.agent = agent.0;
        c.offered_at = now;
        c.connected_at = now;
        c.orig_position = 1;
        c.departures_at_entry = departures;
        let channel = self.queues[queue].spec.channel.index();
        let record = &mut self.agents[a];
        record.active[channel] = record.active[channel].saturating_add(1);
        record.connected += 1;
        let id = self.contact_id(slot);
        out.emit(self.event(EventKind::Connected {
            contact: id,
            agent,
            queue: QueueId(queue as u32),
            waited: now - arrived,
            ring: Span::ZERO,
        }));
        self.agent_changed(agent.0, out);
        self.settle_timers();
        Ok(id)
    }

    /// Logs an agent in as not ready with `reason`: it takes no work until
    /// made available (restoring an agent that was on a break, say).
    pub fn login_not_ready(
        &mut self,
        now: Time,
        agent: AgentId,
        reason: ReasonCode,
        out: &mut impl EventSink,
    ) -> Result<(), RoutingError> {
        self.begin(now, out)?;
        let a = self.agent_index(agent)?;
        if self.agents[a].presence != Presence::Offline {
            return Err(self.agent_error(a, "log in"));
        }
        self.set_staffed(a, true);
        let record = &mut self.agents[a];
        record.presence = Presence::NotReady(reason);
        record.idle_since = now;
        record.busy_total = Span::ZERO;
        self.agent_changed(a as u32, out);
        self.settle_timers();
        Ok(())
    }

    /// The agent accepts a ringing offer: the contact is connected.
    pub fn accept(
        &mut self,
        now: Time,
        contact: ContactId,
        out: &mut impl EventSink,
    ) -> Result<(), RoutingError> {
        self.begin(now, out)?;
        let slot = self.contact_in(contact, Phase::Ringing, "accept")?;
        self.connect(slot, out);
        let agent = self.contacts[slot as usize].agent;
        self.agent_changed(agent, out);
        self.settle_timers();
        Ok(())
    }

    /// The agent declines a ringing offer: the contact goes to another free
    /// eligible agent if there is one, or back to its place; then the agent,
    /// still available, takes the best waiting work (which may be the same
    /// contact again when nobody else can take it).
    pub fn reject(
        &mut self,
        now: Time,
        contact: ContactId,
        out: &mut impl EventSink,
    ) -> Result<(), RoutingError> {
        self.begin(now, out)?;
        let slot = self.contact_in(contact, Phase::Ringing, "reject")?;
        let agent = self.withdraw_offer(slot);
        let queue = QueueId(self.contacts[slot as usize].queue);
        out.emit(self.event(EventKind::Rejected {
            contact,
            agent: AgentId(agent),
            queue,
        }));
        let record = &mut self.agents[agent as usize];
        record.idle_since = now;
        // A new version makes the agent's free-agent entries stale, so the
        // contact is placed with anyone but the agent who declined it.
        record.version = record.version.wrapping_add(1);
        self.place(slot, out);
        self.agent_changed(agent, out);
        self.serve_waiting(agent, out);
        self.agent_changed(agent, out);
        self.settle_timers();
        Ok(())
    }

    /// A ringing offer went unanswered: the agent goes not-ready with the
    /// configured reason and the contact goes back to its place. The engine
    /// calls this itself when a queue's offer timeout expires.
    pub fn ring_no_answer(
        &mut self,
        now: Time,
        contact: ContactId,
        out: &mut impl EventSink,
    ) -> Result<(), RoutingError> {
        self.begin(now, out)?;
        let slot = self.contact_in(contact, Phase::Ringing, "time out")?;
        self.ring_out(slot, out);
        self.settle_timers();
        Ok(())
    }

    /// A connected contact ends: the agent wraps up for the queue's wrap-up
    /// time, or, with none, frees the slot and takes waiting work at once.
    pub fn complete(
        &mut self,
        now: Time,
        contact: ContactId,
        by: EndedBy,
        out: &mut impl EventSink,
    ) -> Result<(), RoutingError> {
        self.begin(now, out)?;
        let slot = self.contact_in(contact, Phase::Connected, "complete")?;
        let c = &self.contacts[slot as usize];
        let (agent, queue) = (c.agent, c.queue);
        out.emit(self.event(EventKind::Completed {
            contact,
            agent: AgentId(agent),
            queue: QueueId(queue),
            waited: c.offered_at - c.arrival,
            talk: now - c.connected_at,
            orig_position: c.orig_position,
            by,
        }));
        self.agents[agent as usize].connected -= 1;
        let wrap_up = self.queues[queue as usize].spec.wrap_up;
        if wrap_up == Span::ZERO {
            self.release(slot, out);
        } else {
            let until = now + wrap_up;
            let c = &mut self.contacts[slot as usize];
            c.phase = Phase::WrapUp;
            c.stamp = next_stamp(c.stamp);
            self.agents[agent as usize].wrapping += 1;
            self.schedule(until, slot, TimerKind::WrapUpEnd);
            out.emit(self.event(EventKind::WrapUpStarted {
                contact,
                agent: AgentId(agent),
                queue: QueueId(queue),
                until,
            }));
            self.agent_changed(agent, out);
        }
        self.settle_timers();
        Ok(())
    }

    /// Ends a contact's wrap-up before its timer: the slot frees and the agent
    /// takes waiting work at once.
    pub fn end_wrap_up(
        &mut self,
        now: Time,
        contact: ContactId,
        out: &mut impl EventSink,
    ) -> Result<(), RoutingError> {
        self.begin(now, out)?;
        let slot = self.contact_in(contact, Phase::WrapUp, "end wrap-up")?;
        self.finish_wrap_up(slot, out);
        self.settle_timers();
        Ok(())
    }

    /// The customer hangs up while waiting or while the offer rings.
    pub fn abandon(
        &mut self,
        now: Time,
        contact: ContactId,
        out: &mut impl EventSink,
    ) -> Result<(), RoutingError> {
        self.begin(now, out)?;
        let slot = self.live_slot(contact)?;
        let c = &self.contacts[slot as usize];
        if c.callback {
            return Err(RoutingError::CallbackCannotAbandon(contact));
        }
        let ringing_agent = match c.phase {
            Phase::Waiting => None,
            Phase::Ringing => Some(c.agent),
            _ => return Err(self.contact_error(slot, "abandon")),
        };
        let (position, orig_position, queue, waited) = (
            self.position(slot),
            c.orig_position,
            c.queue,
            now - c.arrival,
        );
        match ringing_agent {
            None => self.unqueue(slot, true),
            Some(_) => {
                self.withdraw_offer(slot);
            }
        }
        out.emit(self.event(EventKind::Abandoned {
            contact,
            queue: QueueId(queue),
            waited,
            position,
            orig_position,
            ringing_agent: ringing_agent.map(AgentId),
        }));
        self.end_contact(slot);
        if let Some(agent) = ringing_agent {
            self.agents[agent as usize].idle_since = now;
            self.serve_waiting(agent, out);
            self.agent_changed(agent, out);
        }
        self.settle_timers();
        Ok(())
    }

    /// A waiting voice contact becomes a callback: it keeps its place and is
    /// offered as soon as an eligible agent frees up; it can no longer abandon.
    pub fn request_callback(
        &mut self,
        now: Time,
        contact: ContactId,
        out: &mut impl EventSink,
    ) -> Result<(), RoutingError> {
        self.begin(now, out)?;
        let slot = self.contact_in(contact, Phase::Waiting, "become a callback")?;
        let queue = self.contacts[slot as usize].queue;
        if self.queues[queue as usize].spec.channel != Channel::Voice
            || self.contacts[slot as usize].callback
        {
            return Err(RoutingError::NotVoice(contact));
        }
        self.contacts[slot as usize].callback = true;
        out.emit(self.event(EventKind::CallbackRequested {
            contact,
            queue: QueueId(queue),
        }));
        self.settle_timers();
        Ok(())
    }

    /// Moves a waiting or connected contact to another queue, where it takes
    /// that queue's required skills and rules. A waiting contact keeps its
    /// accumulated wait for scoring; a connected one starts a new wait, and
    /// its agent wraps up for the queue's wrap-up time (see
    /// [`Engine::complete`]) with no contact: the slot stays taken until the
    /// timer frees it.
    pub fn transfer(
        &mut self,
        now: Time,
        contact: ContactId,
        to: QueueId,
        out: &mut impl EventSink,
    ) -> Result<(), RoutingError> {
        self.transfer_to(now, contact, Some(to), NO_AGENT, out)
    }

    /// Moves a waiting or connected contact to one named agent (targeted
    /// routing), in the contact's current queue: it is offered to that agent
    /// as soon as the agent is available with a free slot on the channel,
    /// whatever the agent's skills, and waits for that agent until then
    /// (queue rules such as overflow still apply). Otherwise as [`Engine::transfer`].
    pub fn transfer_to_agent(
        &mut self,
        now: Time,
        contact: ContactId,
        agent: AgentId,
        out: &mut impl EventSink,
    ) -> Result<(), RoutingError> {
        self.agent_index(agent)?;
        self.transfer_to(now, contact, None, agent.0, out)
    }

    /// `to`: the target queue, or `None` for the contact's own.
    fn transfer_to(
        &mut self,
        now: Time,
        contact: ContactId,
        to: Option<QueueId>,
        to_agent: u32,
        out: &mut impl EventSink,
    ) -> Result<(), RoutingError> {
        self.begin(now, out)?;
        let slot = self.live_slot(contact)?;
        let to = to.unwrap_or(QueueId(self.contacts[slot as usize].queue));
        let target = self.queue_index(to)? as u32;
        let c = &self.contacts[slot as usize];
        let from = QueueId(c.queue);
        match c.phase {
            Phase::Waiting => {
                let waited = now - c.arrival;
                self.unqueue(slot, true);
                out.emit(self.event(EventKind::Transferred {
                    contact,
                    from,
                    to,
                    agent: None,
                    waited,
                    talk: Span::ZERO,
                }));
                self.move_to_queue(slot, target, to_agent, out);
            }
            Phase::Connected => {
                let agent = c.agent;
                let (waited, talk) = (c.offered_at - c.arrival, now - c.connected_at);
                out.emit(self.event(EventKind::Transferred {
                    contact,
                    from,
                    to,
                    agent: Some(AgentId(agent)),
                    waited,
                    talk,
                }));
                let (queue, channel) = (c.queue, self.classes[c.class as usize].channel);
                let record = &mut self.agents[agent as usize];
                record.connected -= 1;
                record.busy_total += talk;
                record.idle_since = now;
                self.wrap_up_after_transfer(agent, queue, channel);
                let c = &mut self.contacts[slot as usize];
                c.agent = NO_AGENT;
                c.arrival = now;
                c.since = now;
                // A new wait: a new place in arrival order.
                c.seq = self.next_seq;
                self.next_seq += 1;
                self.move_to_queue(slot, target, to_agent, out);
                self.serve_waiting(agent, out);
                self.agent_changed(agent, out);
            }
            _ => return Err(self.contact_error(slot, "transfer")),
        }
        self.settle_timers();
        Ok(())
    }

    /// Fires every timer due at or before `now`: skill widening, overflow,
    /// offer timeouts and wrap-up ends, in time order.
    pub fn advance(&mut self, now: Time, out: &mut impl EventSink) -> Result<(), RoutingError> {
        self.begin(now, out)?;
        self.settle_timers();
        Ok(())
    }

    /// When the next timer is due, so a driver knows when to call
    /// [`Engine::advance`]. Moot timers (an overflow for a contact already
    /// answered, say) are dropped after every call, so it names one that will act.
    pub fn next_deadline(&self) -> Option<Time> {
        self.timers.peek().map(|Reverse(timer)| timer.at)
    }

    /// Estimated wait for a contact arriving now in `queue` with the queue's
    /// own skills: zero if an eligible agent is free; otherwise
    /// (contacts waiting in the queue + 1) × the queue's moving-average handle
    /// time ÷ the channel slots of logged-in eligible agents. `None` when no
    /// logged-in agent can take it.
    pub fn estimated_wait(&self, queue: QueueId) -> Result<Option<Span>, RoutingError> {
        let q = &self.queues[self.queue_index(queue)?];
        let class = &self.classes[q.default_class as usize];
        if class
            .free_agents
            .iter()
            .any(|entry| self.agent_entry_live(entry))
        {
            return Ok(Some(Span::ZERO));
        }
        if class.staffed_slots == 0 {
            return Ok(None);
        }
        let seconds = f64::from(q.waiting + 1) * q.handle_secs / f64::from(class.staffed_slots);
        Ok(Some(Span::from_secs_f64(seconds)))
    }

    /// Waiting count and longest wait in `queue` at `now`; costs a pass over
    /// the queue's waiting contacts.
    pub fn queue_stats(&self, now: Time, queue: QueueId) -> Result<QueueStats, RoutingError> {
        let q = &self.queues[self.queue_index(queue)?];
        let earliest = q
            .classes
            .iter()
            .flat_map(|&class| self.classes[class as usize].contacts.iter())
            .filter(|entry| self.contact_entry_live(entry))
            .map(|entry| self.contacts[entry.slot as usize].arrival)
            .min();
        Ok(QueueStats {
            waiting: q.waiting,
            longest_wait: earliest.map_or(Span::ZERO, |arrival| now - arrival),
        })
    }

    /// An agent's state.
    pub fn agent_state(&self, agent: AgentId) -> Result<AgentState, RoutingError> {
        Ok(self.agents[self.agent_index(agent)?].state)
    }

    /// An agent's state and load.
    pub fn agent_view(&self, agent: AgentId) -> Result<AgentView, RoutingError> {
        let record = &self.agents[self.agent_index(agent)?];
        Ok(AgentView {
            state: record.state,
            ready: record.presence == Presence::Available,
            active: record.active,
        })
    }

    /// A live contact, or `None` once it has ended.
    pub fn contact(&self, contact: ContactId) -> Option<ContactView> {
        let slot = self.live_slot(contact).ok()?;
        Some(self.view(slot))
    }

    /// A waiting contact's estimated place in its queue (its place on entry
    /// minus the contacts that left the queue since, at least 1); `None`
    /// when it is not waiting.
    pub fn queue_position(&self, contact: ContactId) -> Option<u32> {
        let slot = self.live_slot(contact).ok()?;
        (self.contacts[slot as usize].phase == Phase::Waiting).then(|| self.position(slot))
    }

    /// Every live contact, in slot order.
    pub fn contacts(&self) -> impl Iterator<Item = (ContactId, ContactView)> + '_ {
        (0..self.contacts.len() as u32)
            .filter(|&slot| self.contacts[slot as usize].phase != Phase::Ended)
            .map(|slot| (self.contact_id(slot), self.view(slot)))
    }

    /// The queues' specs, indexed by [`QueueId`].
    pub fn queue_specs(&self) -> impl ExactSizeIterator<Item = &QueueSpec> {
        self.queues.iter().map(|q| &q.spec)
    }

    /// The agents' specs, indexed by [`AgentId`].
    pub fn agent_specs(&self) -> impl ExactSizeIterator<Item = &AgentSpec> {
        self.agent_specs.iter()
    }

    /// The moving-average handle time of a queue's contacts.
    pub fn average_handle_time(&self, queue: QueueId) -> Result<Span, RoutingError> {
        let q = &self.queues[self.queue_index(queue)?];
        Ok(Span::from_secs_f64(q.handle_secs))
    }

    // ----- decisions -------------------------------------------------------

    /// Offers a contact that is not waiting to the best free agent of its
    /// class, or puts it in the queue.
    fn place(&mut self, slot: u32, out: &mut impl EventSink) {
        let class = self.contacts[slot as usize].class as usize;
        let head = {
            let agents = &self.agents;
            self.classes[class].head_agent(|entry| agent_live(agents, entry))
        };
        match head {
            Some(entry) => {
                self.offer(slot, entry.agent, out);
                self.agent_changed(entry.agent, out);
            }
            None => self.enqueue(slot),
        }
    }

    /// Gives a freed agent the best waiting contacts of its classes while it
    /// has slots for them.
    fn serve_waiting(&mut self, agent: u32, out: &mut impl EventSink) {
        while self.agents[agent as usize].presence == Presence::Available {
            let Some(slot) = self.best_waiting_for(agent) else {
                return;
            };
            self.unqueue(slot, true);
            self.offer(slot, agent, out);
        }
    }

    /// The highest-scoring live head among the agent's classes with a free slot.
    fn best_waiting_for(&mut self, agent: u32) -> Option<u32> {
        let now_secs = self.now.as_secs_f64();
        let mut best: Option<(f64, u64, u32)> = None;
        for i in 0..self.agents[agent as usize].classes.len() {
            let record = &self.agents[agent as usize];
            let class = record.classes[i].0 as usize;
            let channel = self.classes[class].channel.index();
            if record.active[channel] >= record.capacity.0[channel] {
                continue;
            }
            let stamps = &self.waiting_stamps;
            let Some(head) = self.classes[class].head_contact(|e| contact_live(stamps, e)) else {
                continue;
            };
            let rate = self.queues[self.classes[class].queue as usize]
                .spec
                .aging_per_second;
            let candidate = (head.key + rate * now_secs, head.seq, head.slot);
            if best.is_none_or(|b| beats(&candidate, &b)) {
                best = Some(candidate);
            }
        }
        best.map(|(_, _, slot)| slot)
    }

    // ----- transitions -----------------------------------------------------

    /// Reserves `agent` for the contact; connects at once on auto-accept queues.
    fn offer(&mut self, slot: u32, agent: u32, out: &mut impl EventSink) {
        let now = self.now;
        let c = &mut self.contacts[slot as usize];
        c.phase = Phase::Ringing;
        c.stamp = next_stamp(c.stamp);
        c.agent = agent;
        c.offered_at = now;
        let (queue, channel) = (c.queue, self.classes[c.class as usize].channel);
        let record = &mut self.agents[agent as usize];
        record.active[channel.index()] += 1;
        record.ringing += 1;
        out.emit(self.event(EventKind::Offered {
            contact: self.contact_id(slot),
            agent: AgentId(agent),
            queue: QueueId(queue),
        }));
        let spec = &self.queues[queue as usize].spec;
        if spec.auto_accept {
            self.connect(slot, out);
        } else if let Some(timeout) = spec.offer_timeout {
            self.schedule(now + timeout, slot, TimerKind::RingTimeout);
        }
    }

    fn connect(&mut self, slot: u32, out: &mut impl EventSink) {
        let now = self.now;
        let c = &mut self.contacts[slot as usize];
        c.phase = Phase::Connected;
        c.stamp = next_stamp(c.stamp);
        c.connected_at = now;
        let (agent, queue) = (c.agent, c.queue);
        let (waited, ring) = (c.offered_at - c.arrival, now - c.offered_at);
        let record = &mut self.agents[agent as usize];
        record.ringing -= 1;
        record.connected += 1;
        out.emit(self.event(EventKind::Connected {
            contact: self.contact_id(slot),
            agent: AgentId(agent),
            queue: QueueId(queue),
            waited,
            ring,
        }));
    }

    /// Takes a ringing offer back from its agent; returns the agent.
    fn withdraw_offer(&mut self, slot: u32) -> u32 {
        let c = &mut self.contacts[slot as usize];
        let agent = c.agent;
        c.agent = NO_AGENT;
        let channel = self.classes[c.class as usize].channel.index();
        let record = &mut self.agents[agent as usize];
        record.ringing -= 1;
        record.active[channel] -= 1;
        agent
    }

    fn ring_out(&mut self, slot: u32, out: &mut impl EventSink) {
        let now = self.now;
        let c = &self.contacts[slot as usize];
        let (queue, ring) = (c.queue, now - c.offered_at);
        let agent = self.withdraw_offer(slot);
        out.emit(self.event(EventKind::RingNoAnswer {
            contact: self.contact_id(slot),
            agent: AgentId(agent),
            queue: QueueId(queue),
            ring,
        }));
        self.agents[agent as usize].presence =
            Presence::NotReady(self.config.ring_no_answer_reason);
        self.agent_changed(agent, out);
        self.place(slot, out);
    }

    /// A transferring agent's wrap-up: its slot on the channel stays taken
    /// for the wrap-up time of the queue the contact left, or frees at once
    /// when that queue has none.
    fn wrap_up_after_transfer(&mut self, agent: u32, queue: u32, channel: Channel) {
        let wrap_up = self.queues[queue as usize].spec.wrap_up;
        let record = &mut self.agents[agent as usize];
        if wrap_up == Span::ZERO {
            record.active[channel.index()] -= 1;
            return;
        }
        record.wrapping += 1;
        let until = self.now + wrap_up;
        self.schedule_stamped(until, agent, queue, TimerKind::TransferWrapUpEnd);
    }

    /// The end of [`Engine::wrap_up_after_transfer`], at its time (`due`) or
    /// earlier: the slot frees and the agent takes waiting work.
    fn finish_transfer_wrap_up(
        &mut self,
        agent: u32,
        queue: u32,
        due: Time,
        out: &mut impl EventSink,
    ) {
        let spec = &self.queues[queue as usize].spec;
        let (channel, wrap_up) = (spec.channel, spec.wrap_up);
        let spent = Span(wrap_up.0.saturating_sub((due - self.now).0));
        let record = &mut self.agents[agent as usize];
        record.wrapping -= 1;
        record.active[channel.index()] -= 1;
        record.busy_total += spent;
        record.idle_since = self.now;
        self.serve_waiting(agent, out);
        self.agent_changed(agent, out);
    }

    fn finish_wrap_up(&mut self, slot: u32, out: &mut impl EventSink) {
        let c = &self.contacts[slot as usize];
        let (agent, queue) = (c.agent, c.queue);
        out.emit(self.event(EventKind::WrapUpEnded {
            contact: self.contact_id(slot),
            agent: AgentId(agent),
            queue: QueueId(queue),
        }));
        self.agents[agent as usize].wrapping -= 1;
        self.release(slot, out);
    }

    /// Frees the agent's slot after completion or wrap-up, ends the contact,
    /// and lets the agent take waiting work.
    fn release(&mut self, slot: u32, out: &mut impl EventSink) {
        let now = self.now;
        let c = &self.contacts[slot as usize];
        let (agent, queue, channel) = (c.agent, c.queue, self.classes[c.class as usize].channel);
        let handle = now - c.connected_at;
        let smoothing = self.config.handle_time_smoothing;
        let q = &mut self.queues[queue as usize];
        q.handle_secs += smoothing * (handle.as_secs_f64() - q.handle_secs);
        let record = &mut self.agents[agent as usize];
        record.active[channel.index()] -= 1;
        record.busy_total += handle;
        record.idle_since = now;
        self.end_contact(slot);
        self.serve_waiting(agent, out);
        self.agent_changed(agent, out);
    }

    /// Puts a contact into its class's waiting heap and arms its queue's rules.
    fn enqueue(&mut self, slot: u32) {
        let c = &mut self.contacts[slot as usize];
        c.phase = Phase::Waiting;
        c.stamp = next_stamp(c.stamp);
        let q = &self.queues[c.queue as usize];
        let key = q.spec.priority_weight + f64::from(c.priority)
            - q.spec.aging_per_second * c.since.as_secs_f64();
        let entry = ContactEntry {
            key,
            seq: c.seq,
            slot,
            stamp: c.stamp,
        };
        let (queue, class, entered, next_rule, stamp) = (
            c.queue as usize,
            c.class as usize,
            c.entered,
            c.next_rule,
            c.stamp,
        );
        self.waiting_stamps[slot as usize] = stamp;
        let stamps = &self.waiting_stamps;
        self.classes[class].push_contact(entry, |e| contact_live(stamps, e));
        self.classes[class].waiting += 1;
        self.queues[queue].waiting += 1;
        let spec = &self.queues[queue].spec;
        let widen_at = spec
            .widening
            .get(usize::from(next_rule))
            .map(|rule| entered + rule.after);
        let overflow_at = spec.overflow.map(|rule| entered + rule.after);
        if let Some(at) = widen_at {
            self.schedule_stamped(at, slot, stamp, TimerKind::Widen(next_rule));
        }
        if let Some(at) = overflow_at {
            self.schedule_stamped(at, slot, stamp, TimerKind::Overflow);
        }
    }

    /// Takes a waiting contact out of the waiting counts (its heap entry goes
    /// stale with the next stamp change). `leaves_queue`: it will not wait in
    /// this queue any more, which moves everyone behind it up.
    fn unqueue(&mut self, slot: u32, leaves_queue: bool) {
        self.waiting_stamps[slot as usize] = 0;
        let c = &mut self.contacts[slot as usize];
        c.stamp = next_stamp(c.stamp);
        self.classes[c.class as usize].waiting -= 1;
        let q = &mut self.queues[c.queue as usize];
        q.waiting -= 1;
        if leaves_queue {
            q.departures += 1;
        }
    }

    /// Sends a contact that has left its queue into `target` with the target's skills.
    /// `to_agent`: the one agent it waits for, or `NO_AGENT`.
    fn move_to_queue(&mut self, slot: u32, target: u32, to_agent: u32, out: &mut impl EventSink) {
        let requirements = self.queues[target as usize].spec.skills;
        let class = self.class_for(target, requirements, to_agent);
        let now = self.now;
        let c = &mut self.contacts[slot as usize];
        c.queue = target;
        c.class = class;
        c.requirements = requirements;
        c.entered = now;
        c.next_rule = 0;
        self.record_entry(slot, out);
        self.place(slot, out);
    }

    /// Notes a contact's place on entering its queue and announces it.
    fn record_entry(&mut self, slot: u32, out: &mut impl EventSink) {
        let c = &mut self.contacts[slot as usize];
        let q = &self.queues[c.queue as usize];
        c.orig_position = q.waiting + 1;
        c.departures_at_entry = q.departures;
        let (queue, position, tier) = (c.queue, c.orig_position, c.tier);
        out.emit(self.event(EventKind::ContactQueued {
            contact: self.contact_id(slot),
            queue: QueueId(queue),
            position,
            tier,
        }));
    }

    fn widen(&mut self, slot: u32, rule_index: u8, out: &mut impl EventSink) {
        let c = &mut self.contacts[slot as usize];
        c.next_rule = rule_index + 1;
        let queue = c.queue;
        let rule = self.queues[queue as usize].spec.widening[usize::from(rule_index)];
        self.unqueue(slot, false);
        let c = &self.contacts[slot as usize];
        if let Some(widened) = c.requirements.widened(rule.skill, rule.min_level) {
            out.emit(self.event(EventKind::SkillsWidened {
                contact: self.contact_id(slot),
                queue: QueueId(queue),
                skill: rule.skill,
                min_level: rule.min_level,
            }));
            let target = self.classes[c.class as usize].target;
            let class = self.class_for(queue, widened, target);
            let c = &mut self.contacts[slot as usize];
            c.requirements = widened;
            c.class = class;
            self.place_after_widening(slot, out);
        } else {
            self.enqueue(slot);
        }
    }

    /// A widened contact may now reach a free agent; if it does, it leaves the queue.
    fn place_after_widening(&mut self, slot: u32, out: &mut impl EventSink) {
        self.place(slot, out);
        if self.contacts[slot as usize].phase != Phase::Waiting {
            let queue = self.contacts[slot as usize].queue as usize;
            self.queues[queue].departures += 1;
        }
    }

    fn overflow(&mut self, slot: u32, out: &mut impl EventSink) {
        let c = &self.contacts[slot as usize];
        let Some(rule) = self.queues[c.queue as usize].spec.overflow else {
            return;
        };
        let (from, waited, position, orig_position) = (
            c.queue,
            self.now - c.arrival,
            self.position(slot),
            c.orig_position,
        );
        self.unqueue(slot, true);
        out.emit(self.event(EventKind::Overflowed {
            contact: self.contact_id(slot),
            from: QueueId(from),
            to: rule.to,
            waited,
            position,
            orig_position,
        }));
        self.move_to_queue(slot, rule.to.0, NO_AGENT, out);
    }

    // ----- agents ----------------------------------------------------------

    /// Re-derives the agent's state (announcing a change) and re-files it in
    /// the free-agent heaps of the classes it can take work from now.
    fn agent_changed(&mut self, agent: u32, out: &mut impl EventSink) {
        let a = agent as usize;
        let record = &mut self.agents[a];
        record.version = record.version.wrapping_add(1);
        let state = derive_state(record);
        if state != record.state {
            let from = record.state;
            record.state = state;
            out.emit(self.event(EventKind::AgentStateChanged {
                agent: AgentId(agent),
                from,
                to: state,
            }));
        }
        let record = &self.agents[a];
        if record.presence != Presence::Available {
            return;
        }
        for &(class, proficiency) in &record.classes {
            let class = &mut self.classes[class as usize];
            let channel = class.channel.index();
            if record.active[channel] >= record.capacity.0[channel] {
                continue;
            }
            let entry = AgentEntry {
                measure: selection_measure(self.config.selection, record, proficiency),
                idle_since: record.idle_since,
                agent,
                version: record.version,
            };
            let agents = &self.agents;
            class.push_agent(entry, |e| agent_live(agents, e));
        }
    }

    /// Counts the agent's slots in (or out of) its classes' staffing on login (logout).
    fn set_staffed(&mut self, a: usize, logged_in: bool) {
        for &(class, _) in &self.agents[a].classes {
            let class = &mut self.classes[class as usize];
            let slots = u32::from(self.agents[a].capacity.on(class.channel));
            if logged_in {
                class.staffed_slots += slots;
            } else {
                class.staffed_slots -= slots;
            }
        }
    }

    /// Whether the agent can ever take the class's contacts; if so, its
    /// proficiency sum over the class's skills.
    fn eligibility(&self, agent: u32, class: u32) -> Option<u32> {
        let spec = &self.agent_specs[agent as usize];
        let class = &self.classes[class as usize];
        if class.target != NO_AGENT {
            // Whoever routed the contact to this agent chose it: skills and
            // the agent's queue list do not apply, only its channel capacity.
            return (class.target == agent && spec.capacity.on(class.channel) > 0).then_some(0);
        }
        let serves = spec.queues.is_empty() || spec.queues.contains(&QueueId(class.queue));
        if !serves || spec.capacity.on(class.channel) == 0 {
            return None;
        }
        class
            .requirements
            .as_slice()
            .iter()
            .try_fold(0, |sum, required| {
                let level = spec
                    .skills
                    .iter()
                    .find(|held| held.skill == required.skill)?
                    .level;
                (level >= required.level).then_some(sum + u32::from(level))
            })
    }

    /// The class of `queue` for `requirements`, created (and staffed) on first use.
    fn class_for(&mut self, queue: u32, requirements: Requirements, target: u32) -> u32 {
        let existing = self.queues[queue as usize]
            .classes
            .iter()
            .copied()
            .find(|&class| {
                let class = &self.classes[class as usize];
                class.requirements == requirements && class.target == target
            });
        if let Some(class) = existing {
            return class;
        }
        let id = self.classes.len() as u32;
        let channel = self.queues[queue as usize].spec.channel;
        self.classes
            .push(Class::new(queue, channel, requirements, target));
        self.queues[queue as usize].classes.push(id);
        for agent in 0..self.agents.len() as u32 {
            let Some(proficiency) = self.eligibility(agent, id) else {
                continue;
            };
            let record = &mut self.agents[agent as usize];
            record.classes.push((id, proficiency));
            let class = &mut self.classes[id as usize];
            class.eligible.push(agent);
            if record.presence != Presence::Offline {
                class.staffed_slots += u32::from(record.capacity.on(channel));
            }
            let fits = record.presence == Presence::Available
                && record.active[channel.index()] < record.capacity.on(channel);
            if fits {
                class.free_agents.push(AgentEntry {
                    measure: selection_measure(self.config.selection, record, proficiency),
                    idle_since: record.idle_since,
                    agent,
                    version: record.version,
                });
            }
        }
        id
    }

    // ----- timers ----------------------------------------------------------

    /// Checks the time, then fires due timers.
    fn begin(&mut self, now: Time, out: &mut impl EventSink) -> Result<(), RoutingError> {
        if now < self.now {
            return Err(RoutingError::TimeWentBackwards {
                now,
                last: self.now,
            });
        }
        while let Some(&Reverse(timer)) = self.timers.peek() {
            if timer.at > now {
                break;
            }
            self.timers.pop();
            self.now = timer.at;
            self.fire(timer, out);
        }
        self.now = now;
        self.settle_timers();
        Ok(())
    }

    fn fire(&mut self, timer: Timer, out: &mut impl EventSink) {
        if !self.timer_live(&timer) {
            return;
        }
        match timer.kind {
            TimerKind::Widen(rule) => self.widen(timer.slot, rule, out),
            TimerKind::Overflow => self.overflow(timer.slot, out),
            TimerKind::RingTimeout => self.ring_out(timer.slot, out),
            TimerKind::WrapUpEnd => self.finish_wrap_up(timer.slot, out),
            TimerKind::TransferWrapUpEnd => {
                self.finish_transfer_wrap_up(timer.slot, timer.stamp, timer.at, out)
            }
        }
    }

    /// Whether the timer still applies: its contact is in the phase (and, for
    /// widening, at the rule) it was set for.
    fn timer_live(&self, timer: &Timer) -> bool {
        // An agent's wrap-up after a transfer has no contact and always ends.
        if timer.kind == TimerKind::TransferWrapUpEnd {
            return true;
        }
        let c = &self.contacts[timer.slot as usize];
        c.stamp == timer.stamp
            && match timer.kind {
                TimerKind::Widen(rule) => c.phase == Phase::Waiting && rule == c.next_rule,
                TimerKind::Overflow => c.phase == Phase::Waiting,
                TimerKind::RingTimeout => c.phase == Phase::Ringing,
                TimerKind::WrapUpEnd => c.phase == Phase::WrapUp,
                TimerKind::TransferWrapUpEnd => true,
            }
    }

    /// Drops moot timers from the front so [`Engine::next_deadline`] names a
    /// timer that will act, sparing the driver a wasted call.
    fn settle_timers(&mut self) {
        while let Some(Reverse(timer)) = self.timers.peek() {
            if self.timer_live(timer) {
                return;
            }
            self.timers.pop();
        }
    }

    fn schedule(&mut self, at: Time, slot: u32, kind: TimerKind) {
        let stamp = self.contacts[slot as usize].stamp;
        self.schedule_stamped(at, slot, stamp, kind);
    }

    fn schedule_stamped(&mut self, at: Time, slot: u32, stamp: u32, kind: TimerKind) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.timers.push(Reverse(Timer {
            at,
            seq,
            slot,
            stamp,
            kind,
        }));
    }

    // ----- bookkeeping -----------------------------------------------------

    fn allocate_slot(&mut self) -> u32 {
        if let Some(slot) = self.free_slots.pop() {
            let c = &mut self.contacts[slot as usize];
            c.generation = c.generation.wrapping_add(1);
            return slot;
        }
        let slot = self.contacts.len() as u32;
        self.waiting_stamps.push(0);
        self.contacts.push(Contact {
            generation: 0,
            phase: Phase::Ended,
            stamp: 1,
            queue: 0,
            class: 0,
            requirements: Requirements::NONE,
            priority: 0,
            tier: 0,
            callback: false,
            arrival: Time::ZERO,
            since: Time::ZERO,
            entered: Time::ZERO,
            seq: 0,
            next_rule: 0,
            agent: NO_AGENT,
            offered_at: Time::ZERO,
            connected_at: Time::ZERO,
            orig_position: 0,
            departures_at_entry: 0,
        });
        slot
    }

    fn end_contact(&mut self, slot: u32) {
        let c = &mut self.contacts[slot as usize];
        c.phase = Phase::Ended;
        c.stamp = next_stamp(c.stamp);
        c.agent = NO_AGENT;
        self.free_slots.push(slot);
    }

    /// Estimated place in the queue: entry place minus departures since, at least 1.
    fn position(&self, slot: u32) -> u32 {
        let c = &self.contacts[slot as usize];
        let left = self.queues[c.queue as usize].departures - c.departures_at_entry;
        let left = u32::try_from(left).unwrap_or(u32::MAX);
        c.orig_position.saturating_sub(left).max(1)
    }

    fn event(&self, kind: EventKind) -> Event {
        Event { at: self.now, kind }
    }

    fn contact_id(&self, slot: u32) -> ContactId {
        ContactId::new(slot, self.contacts[slot as usize].generation)
    }

    fn live_slot(&self, contact: ContactId) -> Result<u32, RoutingError> {
        let slot = contact.slot();
        match self.contacts.get(slot) {
            Some(c) if c.generation == contact.generation() && c.phase != Phase::Ended => {
                Ok(slot as u32)
            }
            _ => Err(RoutingError::UnknownContact(contact)),
        }
    }

    fn contact_in(
        &self,
        contact: ContactId,
        phase: Phase,
        action: &'static str,
    ) -> Result<u32, RoutingError> {
        let slot = self.live_slot(contact)?;
        if self.contacts[slot as usize].phase == phase {
            Ok(slot)
        } else {
            Err(self.contact_error(slot, action))
        }
    }

    fn contact_error(&self, slot: u32, action: &'static str) -> RoutingError {
        RoutingError::ContactWrongState {
            contact: self.contact_id(slot),
            phase: public_phase(self.contacts[slot as usize].phase),
            action,
        }
    }

    fn agent_error(&self, a: usize, action: &'static str) -> RoutingError {
        RoutingError::AgentWrongState {
            agent: AgentId(a as u32),
            state: self.agents[a].state,
            action,
        }
    }

    fn agent_index(&self, agent: AgentId) -> Result<usize, RoutingError> {
        (agent.index() < self.agents.len())
            .then_some(agent.index())
            .ok_or(RoutingError::UnknownAgent(agent))
    }

    fn queue_index(&self, queue: QueueId) -> Result<usize, RoutingError> {
        (queue.index() < self.queues.len())
            .then_some(queue.index())
            .ok_or(RoutingError::UnknownQueue(queue))
    }

    fn contact_entry_live(&self, entry: &ContactEntry) -> bool {
        contact_live(&self.waiting_stamps, entry)
    }

    fn agent_entry_live(&self, entry: &AgentEntry) -> bool {
        agent_live(&self.agents, entry)
    }

    fn view(&self, slot: u32) -> ContactView {
        let c = &self.contacts[slot as usize];
        let q = &self.queues[c.queue as usize].spec;
        ContactView {
            queue: QueueId(c.queue),
            phase: public_phase(c.phase),
            agent: (c.agent != NO_AGENT).then_some(AgentId(c.agent)),
            requirements: c.requirements,
            callback: c.callback,
            arrival: c.arrival,
            score: q.priority_weight
                + f64::from(c.priority)
                + q.aging_per_second * (self.now - c.since).as_secs_f64(),
            seq: c.seq,
        }
    }
}

impl Names for Engine {
    fn queue_name(&self, queue: QueueId) -> &str {
        self.queues
            .get(queue.index())
            .map_or("NONE", |q| q.spec.name.as_str())
    }

    fn agent_name(&self, agent: AgentId) -> &str {
        self.agent_specs
            .get(agent.index())
            .map_or("NONE", |spec| spec.name.as_str())
    }
}

fn contact_live(waiting_stamps: &[u32], entry: &ContactEntry) -> bool {
    waiting_stamps[entry.slot as usize] == entry.stamp
}

/// The stamp after `stamp`, skipping 0, which marks "not waiting".
fn next_stamp(stamp: u32) -> u32 {
    stamp.checked_add(1).unwrap_or(1)
}

fn agent_live(agents: &[Agent], entry: &AgentEntry) -> bool {
    agents[entry.agent as usize].version == entry.version
}

/// Whether candidate `a` (score, seq, slot) is served before `b`: the
/// higher score, then the earlier arrival (the lower sequence number).
fn beats(a: &(f64, u64, u32), b: &(f64, u64, u32)) -> bool {
    a.0.total_cmp(&b.0).then_with(|| b.1.cmp(&a.1)).is_gt()
}

fn derive_state(agent: &Agent) -> AgentState {
    match agent.presence {
        Presence::Offline => AgentState::Offline,
        Presence::NotReady(reason) => AgentState::NotReady(reason),
        Presence::Available if agent.ringing > 0 => AgentState::Reserved,
        Presence::Available if agent.connected > 0 => AgentState::Busy,
        Presence::Available if agent.wrapping > 0 => AgentState::WrapUp,
        Presence::Available => AgentState::Available,
    }
}

/// The policy's measure for an agent in a class: lower is picked first.
fn selection_measure(selection: AgentSelection, agent: &Agent, proficiency: u32) -> i64 {
    match selection {
        AgentSelection::LongestIdle => agent.active.iter().map(|&n| i64::from(n)).sum(),
        AgentSelection::LeastOccupied => agent.busy_total.0.min(i64::MAX as u64) as i64,
        AgentSelection::BestProficiency => -i64::from(proficiency),
    }
}

fn public_phase(phase: Phase) -> ContactPhase {
    match phase {
        Phase::Waiting | Phase::Ended => ContactPhase::Waiting,
        Phase::Ringing => ContactPhase::Ringing,
        Phase::Connected => ContactPhase::Connected,
        Phase::WrapUp => ContactPhase::WrapUp,
    }
}

fn check_queue_spec(spec: &QueueSpec) -> Result<(), RoutingError> {
    let checks = [
        (
            "priority_weight",
            spec.priority_weight,
            spec.priority_weight.is_finite(),
            "finite",
        ),
        (
            "aging_per_second",
            spec.aging_per_second,
            spec.aging_per_second.is_finite() && spec.aging_per_second >= 0.0,
            "finite and not negative",
        ),
        (
            "service_level.fraction",
            spec.service_level.fraction,
            (0.0..=1.0).contains(&spec.service_level.fraction),
            "between 0 and 1",
        ),
        (
            "widening rules",
            spec.widening.len() as f64,
            spec.widening.len() < usize::from(u8::MAX),
            "fewer than 255",
        ),
    ];
    for (what, value, ok, expected) in checks {
        if !ok {
            return Err(RoutingError::OutOfRange {
                what,
                expected,
                value,
            });
        }
    }
    for rule in &spec.widening {
        Requirements::single(rule.skill, rule.min_level)?;
    }
    Ok(())
}

fn check_agent_spec(spec: &AgentSpec) -> Result<(), RoutingError> {
    for (i, held) in spec.skills.iter().enumerate() {
        if !(MIN_PROFICIENCY..=MAX_PROFICIENCY).contains(&held.level) {
            return Err(crate::spec::RequirementsError::BadLevel {
                skill: held.skill,
                level: held.level,
            }
            .into());
        }
        if spec.skills[..i]
            .iter()
            .any(|other| other.skill == held.skill)
        {
            return Err(RoutingError::DuplicateSkill {
                name: spec.name.clone(),
                skill: held.skill,
            });
        }
    }
    Ok(())
}
