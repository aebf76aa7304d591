//! Requirement classes: the contacts of one queue that need the same skills,
//! and the agents able to take them.
//!
//! Within a class every contact shares the queue's weight and aging rate, so
//! the score order never changes with time (score = key + rate × now): a heap
//! keyed once on entry keeps the best contact on top, and only the heads of
//! an agent's classes need comparing when it frees up. Free agents sit in a
//! second heap ordered by the selection policy. Both heaps delete lazily:
//! an entry is live only while its stamp or version matches the record.

use crate::heap::QuadHeap;
use crate::spec::Requirements;
use crate::time::Time;
use moked_domain::Channel;
use std::cmp::Ordering;

/// Entries beyond this many plus twice the live ones trigger a sweep of stale entries.
const STALE_SLACK: usize = 64;

/// A waiting contact's place in its class.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ContactEntry {
    /// Priority weight + contact priority − aging rate × seconds since aging began.
    pub key: f64,
    /// Arrival order, which is also the order of the times aging began (a
    /// contact that starts a new wait takes a new number): ties on key go to the lower.
    pub seq: u64,
    pub slot: u32,
    pub stamp: u32,
}

impl ContactEntry {
    /// Higher is served first.
    fn rank(&self, other: &Self) -> Ordering {
        self.key
            .total_cmp(&other.key)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

impl PartialEq for ContactEntry {
    fn eq(&self, other: &Self) -> bool {
        self.rank(other) == Ordering::Equal
    }
}
impl Eq for ContactEntry {}
impl PartialOrd for ContactEntry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for ContactEntry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank(other)
    }
}

/// A free agent's place in a class: lower `(measure, idle_since, agent)` is picked first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AgentEntry {
    /// The selection policy's measure (see `AgentSelection`).
    pub measure: i64,
    pub idle_since: Time,
    pub agent: u32,
    pub version: u32,
}

impl PartialOrd for AgentEntry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for AgentEntry {
    /// Reversed so that the max-heap yields the lowest first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.measure, other.idle_since, other.agent).cmp(&(
            self.measure,
            self.idle_since,
            self.agent,
        ))
    }
}

/// The contacts of one queue sharing one requirement list (and, for contacts
/// routed to one named agent, that agent), and their agents.
#[derive(Debug, Clone)]
pub(crate) struct Class {
    pub queue: u32,
    pub channel: Channel,
    pub requirements: Requirements,
    /// The one agent these contacts wait for (targeted routing), or `u32::MAX`
    /// for any eligible agent.
    pub target: u32,
    pub contacts: QuadHeap<ContactEntry>,
    pub free_agents: QuadHeap<AgentEntry>,
    /// Every agent that serves the queue with the skills and a slot on the channel.
    pub eligible: Vec<u32>,
    /// Contacts waiting in this class now.
    pub waiting: u32,
    /// Slots on the channel over eligible agents that are logged in.
    pub staffed_slots: u32,
}

impl Class {
    pub fn new(queue: u32, channel: Channel, requirements: Requirements, target: u32) -> Class {
        Class {
            queue,
            channel,
            requirements,
            target,
            contacts: QuadHeap::new(),
            free_agents: QuadHeap::new(),
            eligible: Vec::new(),
            waiting: 0,
            staffed_slots: 0,
        }
    }

    /// The best live contact, dropping stale entries above it.
    pub fn head_contact(
        &mut self,
        is_live: impl Fn(&ContactEntry) -> bool,
    ) -> Option<ContactEntry> {
        while let Some(top) = self.contacts.peek() {
            if is_live(top) {
                return Some(*top);
            }
            self.contacts.pop();
        }
        None
    }

    /// The best live free agent, dropping stale entries above it.
    pub fn head_agent(&mut self, is_live: impl Fn(&AgentEntry) -> bool) -> Option<AgentEntry> {
        while let Some(top) = self.free_agents.peek() {
            if is_live(top) {
                return Some(*top);
            }
            self.free_agents.pop();
        }
        None
    }

    pub fn push_contact(
        &mut self,
        entry: ContactEntry,
        is_live: impl FnMut(&ContactEntry) -> bool,
    ) {
        if self.contacts.len() > 2 * self.waiting as usize + STALE_SLACK {
            self.contacts.retain(is_live);
        }
        self.contacts.push(entry);
    }

    pub fn push_agent(&mut self, entry: AgentEntry, is_live: impl FnMut(&AgentEntry) -> bool) {
        if self.free_agents.len() > 2 * self.eligible.len() + STALE_SLACK {
            self.free_agents.retain(is_live);
        }
        self.free_agents.push(entry);
    }
}
