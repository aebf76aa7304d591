//! Moked's routing engine (ACD): queues, skills, agents and contacts, and the
//! decisions that connect them.
//!
//! The engine is pure: no IO, no clock (every call takes `now`), no threads,
//! deterministic. Every state change is reported as an [`Event`] through the
//! [`EventSink`] passed to each command; [`queue_log`] turns events into
//! Asterisk `queue_log` lines.
//!
//! Decisions:
//! - a contact arrives: the best free eligible agent by [`AgentSelection`];
//! - an agent frees up: the waiting contact with the highest score across every
//!   queue it serves, score = queue priority weight + contact priority +
//!   seconds waited × queue aging rate; ties go to the earlier arrival, then
//!   to the earlier sequence number.
//!
//! An agent is eligible for a contact when it is available (not offline, not
//! not-ready), serves the contact's queue, has every required skill at or
//! above the contact's current minimum level, and has a free slot on the
//! queue's channel.

pub mod engine;
pub mod error;
pub mod event;
pub mod ids;
pub mod queue_log;
pub mod spec;
pub mod time;

mod class;
mod heap;

pub use engine::{AgentView, ContactView, Engine, QueueStats};
pub use error::{ContactPhase, RoutingError};
pub use event::{AgentState, EndedBy, Event, EventKind, EventSink, FnSink, NoopSink};
pub use ids::{AgentId, ContactId, QueueId, ReasonCode, SkillId};
pub use spec::{
    AgentSelection, AgentSpec, Capacity, ContactSpec, EngineConfig, OverflowRule, QueueSpec,
    Requirements, ServiceLevelTarget, SkillLevel, WideningRule,
};
pub use time::{Span, Time};
