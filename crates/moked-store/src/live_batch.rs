//! What the live center writes at once: a [`LiveBatch`] holds everything
//! one or several turns of an organization's routing engine changed (log
//! events, timeline steps, agents' presences, system messages), which
//! [`Store::write_live_batch`](crate::Store::write_live_batch) stores in one
//! transaction. One commit (one fsync) per batch instead of one per row is
//! what lets a busy organization keep up: its actor commits one after the
//! other, so the commits' latency adds up per call.

use crate::{
    AgentPresence, Event, InteractionId, MessageInsert, NewEvent, NewMessage, TimelineEntry, UserId,
};

/// Changes of one organization's live center, stored all or none.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveBatch {
    /// Appended to the event log in this order, numbered consecutively.
    pub events: Vec<NewEvent>,
    /// Appended to each interaction's timeline in this order; an `Ended`
    /// step also sets the interaction's end time.
    pub timeline: Vec<(InteractionId, TimelineEntry)>,
    /// Each agent's new presence (a later one replaces an earlier one).
    pub presences: Vec<(UserId, AgentPresence)>,
    /// Messages stored once per idempotency key, as
    /// [`Store::insert_message`](crate::Store::insert_message) does.
    pub messages: Vec<NewMessage>,
}

impl LiveBatch {
    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
            && self.timeline.is_empty()
            && self.presences.is_empty()
            && self.messages.is_empty()
    }

    /// Appends `other`'s changes after this batch's.
    pub fn extend(&mut self, other: LiveBatch) {
        self.events.extend(other.events);
        self.timeline.extend(other.timeline);
        self.presences.extend(other.presences);
        self.messages.extend(other.messages);
    }
}

/// What a stored [`LiveBatch`] became.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveBatchStored {
    /// The events with their sequence numbers, in the batch's order.
    pub events: Vec<Event>,
    /// Each message's outcome, in the batch's order.
    pub messages: Vec<MessageInsert>,
}
