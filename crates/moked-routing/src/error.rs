//! Errors for calls the engine refuses; a refused call changes nothing
//! beyond firing the timers due by its `now`.

use crate::event::AgentState;
use crate::ids::{AgentId, ContactId, QueueId, SkillId};
use crate::spec::RequirementsError;
use crate::time::Time;

/// What a contact was doing when a call about it was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactPhase {
    /// Waiting in a queue.
    Waiting,
    /// Offered to an agent, ringing.
    Ringing,
    /// Connected to an agent.
    Connected,
    /// In the agent's wrap-up.
    WrapUp,
}

/// A call the engine refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RoutingError {
    /// `now` is earlier than a time the engine was already given.
    #[error("time went backwards: {now} is before {last}")]
    TimeWentBackwards {
        /// The time passed.
        now: Time,
        /// The latest time seen.
        last: Time,
    },
    /// No such queue.
    #[error("unknown {0}")]
    UnknownQueue(QueueId),
    /// No such agent.
    #[error("unknown {0}")]
    UnknownAgent(AgentId),
    /// No such contact, or it has already ended.
    #[error("unknown or ended contact {0}")]
    UnknownContact(ContactId),
    /// The contact is not in a state that allows the call.
    #[error("contact {contact} is {phase:?}: cannot {action}")]
    ContactWrongState {
        /// The contact.
        contact: ContactId,
        /// What it is doing.
        phase: ContactPhase,
        /// What was asked.
        action: &'static str,
    },
    /// The agent is not in a state that allows the call.
    #[error("{agent} is {state:?}: cannot {action}")]
    AgentWrongState {
        /// The agent.
        agent: AgentId,
        /// Its state.
        state: AgentState,
        /// What was asked.
        action: &'static str,
    },
    /// Only voice contacts can become callbacks.
    #[error("contact {0} is not a waiting voice call: only those can become callbacks")]
    NotVoice(ContactId),
    /// A callback has no caller on the line to hang up.
    #[error("contact {0} is a callback: no caller is waiting on the line")]
    CallbackCannotAbandon(ContactId),
    /// A skill level outside 1–5, a duplicate skill, or too many skills.
    #[error(transparent)]
    Requirements(#[from] RequirementsError),
    /// An agent lists a skill twice.
    #[error("agent {name:?} lists {skill} twice")]
    DuplicateSkill {
        /// The agent's name.
        name: String,
        /// The skill.
        skill: SkillId,
    },
    /// A number in a spec is out of range.
    #[error("{what} must be {expected}, not {value}")]
    OutOfRange {
        /// The field.
        what: &'static str,
        /// The allowed range, in words.
        expected: &'static str,
        /// The value given.
        value: f64,
    },
}
