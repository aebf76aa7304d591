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
//!
//! Ids are allocated by the engine: queues and agents count from zero in the
//! order added, contacts get a [`ContactId`] whose [`ContactId::slot`] can
//! index a caller's own `Vec`. Time is [`Time`], microseconds since an epoch
//! of the caller's choice; the engine never reads a clock and refuses a `now`
//! earlier than one it has seen. A driver calls [`Engine::advance`] at
//! [`Engine::next_deadline`] to fire widening, overflow, ring-timeout and
//! wrap-up timers.
//!
//! ```
//! use moked_domain::Channel;
//! use moked_routing::*;
//!
//! let mut engine = Engine::new(EngineConfig::default());
//! let billing = engine.add_queue(QueueSpec {
//!     skills: Requirements::single(SkillId(0), 2)?,
//!     ..QueueSpec::new("חיובים", Channel::Voice)
//! })?;
//! let dana = engine.add_agent(AgentSpec {
//!     name: "דנה".into(),
//!     skills: vec![SkillLevel { skill: SkillId(0), level: 4 }],
//!     capacity: Capacity::TYPICAL,
//!     queues: vec![],
//! })?;
//! let mut events: Vec<Event> = Vec::new();
//! engine.login(Time::from_secs_f64(0.0), dana, &mut events)?;
//! let call = engine.arrive(Time::from_secs_f64(5.0), ContactSpec::new(billing), &mut events)?;
//! // The queue auto-accepts, so the call is connected at once.
//! assert!(events.iter().any(|e| matches!(e.kind,
//!     EventKind::Connected { contact, agent, .. } if contact == call && agent == dana)));
//! engine.complete(Time::from_secs_f64(185.0), call, EndedBy::Customer, &mut NoopSink)?;
//! assert_eq!(engine.agent_state(dana)?, AgentState::Available);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

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
