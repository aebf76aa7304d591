//! Events: every state change the engine makes, as a small `Copy` value.
//!
//! Events carry what a listener needs to rebuild state and reports without
//! asking the engine (ids, times, queue, waits). They go to an [`EventSink`]
//! the caller passes to each command: a `Vec<Event>` records them, a
//! [`NoopSink`] drops them at no cost, and [`FnSink`] calls a closure.

use crate::ids::{AgentId, ContactId, QueueId, ReasonCode, SkillId};
use crate::time::{Span, Time};
use serde::{Deserialize, Serialize};

/// One state change at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// When it happened.
    pub at: Time,
    /// What happened.
    pub kind: EventKind,
}

/// An agent's state as seen from outside; derived from its presence and the
/// contacts it holds, in this order of precedence: offline and not-ready
/// (presence), then reserved (an offer rings), busy (connected), wrap-up, available.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentState {
    /// Not logged in.
    Offline,
    /// Logged in and free for at least one channel.
    Available,
    /// An offer is ringing at the agent.
    Reserved,
    /// Handling at least one contact.
    Busy,
    /// Finishing after-contact work.
    WrapUp,
    /// Logged in but not taking new contacts, with a reason.
    NotReady(ReasonCode),
}

/// Who ended a connected contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndedBy {
    /// The customer hung up or closed the conversation.
    Customer,
    /// The agent ended it.
    Agent,
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// An agent's derived state changed.
    AgentStateChanged {
        /// The agent.
        agent: AgentId,
        /// The state before.
        from: AgentState,
        /// The state after.
        to: AgentState,
    },
    /// A contact entered a queue (on arrival, overflow or transfer).
    ContactQueued {
        /// The contact.
        contact: ContactId,
        /// The queue it entered.
        queue: QueueId,
        /// Its place on entry: contacts already waiting in the queue, plus one.
        position: u32,
        /// The customer tier from the contact's spec.
        tier: u8,
    },
    /// The engine reserved an agent for a contact and rings it.
    Offered {
        /// The contact.
        contact: ContactId,
        /// The reserved agent.
        agent: AgentId,
        /// The contact's queue.
        queue: QueueId,
    },
    /// The agent took the contact (accepted, or auto-accepted).
    Connected {
        /// The contact.
        contact: ContactId,
        /// The agent.
        agent: AgentId,
        /// The contact's queue.
        queue: QueueId,
        /// From first arrival to the offer.
        waited: Span,
        /// From the offer to the connection.
        ring: Span,
    },
    /// The agent declined the offer; the contact is back in its place.
    Rejected {
        /// The contact.
        contact: ContactId,
        /// The agent.
        agent: AgentId,
        /// The contact's queue.
        queue: QueueId,
    },
    /// The offer rang out; the agent went not-ready and the contact is back in its place.
    RingNoAnswer {
        /// The contact.
        contact: ContactId,
        /// The agent.
        agent: AgentId,
        /// The contact's queue.
        queue: QueueId,
        /// How long it rang.
        ring: Span,
    },
    /// The customer hung up before being connected.
    Abandoned {
        /// The contact.
        contact: ContactId,
        /// The queue it left.
        queue: QueueId,
        /// From first arrival to the hang-up.
        waited: Span,
        /// Estimated place when it left (entry place minus those who left ahead since).
        position: u32,
        /// Place on entry to the queue.
        orig_position: u32,
        /// The agent whose offer was ringing, if any.
        ringing_agent: Option<AgentId>,
    },
    /// A connected contact ended.
    Completed {
        /// The contact.
        contact: ContactId,
        /// The agent.
        agent: AgentId,
        /// The contact's queue.
        queue: QueueId,
        /// From first arrival to the offer.
        waited: Span,
        /// From connection to completion.
        talk: Span,
        /// Place on entry to the queue.
        orig_position: u32,
        /// Who ended it.
        by: EndedBy,
    },
    /// After-contact work began; the agent's slot stays taken until it ends.
    WrapUpStarted {
        /// The contact.
        contact: ContactId,
        /// The agent.
        agent: AgentId,
        /// The contact's queue.
        queue: QueueId,
        /// When the wrap-up timer ends it.
        until: Time,
    },
    /// After-contact work ended; the contact's record is closed.
    WrapUpEnded {
        /// The contact.
        contact: ContactId,
        /// The agent.
        agent: AgentId,
        /// The contact's queue.
        queue: QueueId,
    },
    /// A widening rule lowered one of the contact's required levels.
    SkillsWidened {
        /// The contact.
        contact: ContactId,
        /// The contact's queue.
        queue: QueueId,
        /// The relaxed skill.
        skill: SkillId,
        /// The new minimum level.
        min_level: u8,
    },
    /// An overflow rule moved a waiting contact to another queue
    /// (followed by a `ContactQueued` for the new queue).
    Overflowed {
        /// The contact.
        contact: ContactId,
        /// The queue it left.
        from: QueueId,
        /// The queue it enters.
        to: QueueId,
        /// From first arrival to the move.
        waited: Span,
        /// Estimated place when it left.
        position: u32,
        /// Place on entry to the queue it left.
        orig_position: u32,
    },
    /// A waiting voice contact became a callback, keeping its place.
    CallbackRequested {
        /// The contact.
        contact: ContactId,
        /// The contact's queue.
        queue: QueueId,
    },
    /// A contact was moved to another queue by a transfer (followed by a
    /// `ContactQueued` for the new queue).
    Transferred {
        /// The contact.
        contact: ContactId,
        /// The queue it left.
        from: QueueId,
        /// The queue it enters.
        to: QueueId,
        /// The agent who transferred it, if it was connected.
        agent: Option<AgentId>,
        /// From first arrival to the offer (or to now, if it was waiting).
        waited: Span,
        /// Connected time with the transferring agent (zero if waiting).
        talk: Span,
    },
}

/// Receives the engine's events.
pub trait EventSink {
    /// Takes one event.
    fn emit(&mut self, event: Event);
}

/// Drops every event: for callers that only need the engine's state.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoopSink;

impl EventSink for NoopSink {
    #[inline(always)]
    fn emit(&mut self, _event: Event) {}
}

impl EventSink for Vec<Event> {
    #[inline]
    fn emit(&mut self, event: Event) {
        self.push(event);
    }
}

impl<S: EventSink + ?Sized> EventSink for &mut S {
    #[inline]
    fn emit(&mut self, event: Event) {
        (**self).emit(event);
    }
}

/// Calls a closure for each event, e.g. to catch only `Connected` decisions.
#[derive(Debug, Clone, Copy)]
pub struct FnSink<F>(pub F);

impl<F: FnMut(Event)> EventSink for FnSink<F> {
    #[inline]
    fn emit(&mut self, event: Event) {
        (self.0)(event);
    }
}
