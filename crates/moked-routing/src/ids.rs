//! Identifiers: dense small integers usable as `Vec` indexes.
//!
//! The engine allocates every id. Queue and agent ids count up from zero in
//! the order they were added. A contact id packs a slot index (reused once the
//! contact's record ends) with a generation counter, so ids stay unique while
//! the storage stays as small as the number of contacts alive at once.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A queue, numbered from zero in the order queues were added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct QueueId(pub u32);

/// An agent, numbered from zero in the order agents were added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AgentId(pub u32);

/// A skill, numbered by the caller from zero (keep the numbers dense: the
/// engine sizes tables by the largest one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SkillId(pub u16);

/// Why an agent is not ready, as a code the caller defines (break, lunch, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReasonCode(pub u16);

/// A contact: unique for the engine's lifetime. The low 32 bits are a slot
/// index (see [`ContactId::slot`]), the high 32 bits a generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ContactId(pub u64);

impl QueueId {
    /// The id as a `Vec` index.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl AgentId {
    /// The id as a `Vec` index.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl SkillId {
    /// The id as a `Vec` index.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

impl ContactId {
    /// Packs a slot and a generation.
    pub fn new(slot: u32, generation: u32) -> ContactId {
        ContactId(u64::from(generation) << 32 | u64::from(slot))
    }

    /// The storage slot: smaller than the largest number of contacts ever
    /// alive at once, so a caller may index its own `Vec` with it. A slot is
    /// reused after its contact ends (abandoned, or completed and wrapped up).
    pub fn slot(self) -> usize {
        (self.0 & u64::from(u32::MAX)) as usize
    }

    /// How many earlier contacts used the same slot.
    pub fn generation(self) -> u32 {
        (self.0 >> 32) as u32
    }
}

impl fmt::Display for QueueId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "queue {}", self.0)
    }
}

impl fmt::Display for AgentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "agent {}", self.0)
    }
}

impl fmt::Display for SkillId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "skill {}", self.0)
    }
}

impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for ContactId {
    /// `slot.generation`, e.g. `17.3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.slot(), self.generation())
    }
}
