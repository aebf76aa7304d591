//! Configuration: queues, agents, contacts and the engine-wide policy.
//!
//! Specs are plain data with serde support so they can be stored alongside
//! the events they produced. The engine validates them when they are added.

use crate::ids::{QueueId, ReasonCode, SkillId};
use crate::time::Span;
use moked_domain::Channel;
use serde::{Deserialize, Serialize};

/// Most required skills one contact can carry.
pub const MAX_REQUIRED_SKILLS: usize = 4;
/// Lowest skill proficiency.
pub const MIN_PROFICIENCY: u8 = 1;
/// Highest skill proficiency.
pub const MAX_PROFICIENCY: u8 = 5;

/// A skill at a proficiency (for agents) or minimum proficiency (for contacts), 1–5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SkillLevel {
    /// The skill.
    pub skill: SkillId,
    /// Proficiency 1 (novice) to 5 (expert).
    pub level: u8,
}

/// The skills a contact needs, each with a minimum level; at most
/// [`MAX_REQUIRED_SKILLS`]. Stored inline (`Copy`) so a contact costs no allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(into = "Vec<SkillLevel>", try_from = "Vec<SkillLevel>")]
pub struct Requirements {
    levels: [SkillLevel; MAX_REQUIRED_SKILLS],
    len: u8,
}

impl Default for SkillLevel {
    fn default() -> Self {
        SkillLevel {
            skill: SkillId(0),
            level: MIN_PROFICIENCY,
        }
    }
}

/// A requirement list that cannot be stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequirementsError {
    /// More than [`MAX_REQUIRED_SKILLS`] skills.
    #[error("a contact can require at most {MAX_REQUIRED_SKILLS} skills, not {0}")]
    TooMany(usize),
    /// A level outside 1–5.
    #[error("{skill} has level {level}: levels run from 1 to 5")]
    BadLevel {
        /// The skill.
        skill: SkillId,
        /// The level given.
        level: u8,
    },
    /// The same skill listed twice.
    #[error("{0} is listed twice")]
    Duplicate(SkillId),
}

impl Requirements {
    /// No skills required.
    pub const NONE: Requirements = Requirements {
        levels: [SkillLevel {
            skill: SkillId(0),
            level: MIN_PROFICIENCY,
        }; MAX_REQUIRED_SKILLS],
        len: 0,
    };

    /// Builds a requirement list, sorted by skill so equal lists compare equal.
    pub fn new(levels: &[SkillLevel]) -> Result<Requirements, RequirementsError> {
        if levels.len() > MAX_REQUIRED_SKILLS {
            return Err(RequirementsError::TooMany(levels.len()));
        }
        let mut requirements = Requirements::NONE;
        for &level in levels {
            check_level(level)?;
            if requirements.get(level.skill).is_some() {
                return Err(RequirementsError::Duplicate(level.skill));
            }
            requirements.levels[usize::from(requirements.len)] = level;
            requirements.len += 1;
        }
        requirements.as_mut_slice().sort_unstable();
        Ok(requirements)
    }

    /// One skill at a minimum level.
    pub fn single(skill: SkillId, level: u8) -> Result<Requirements, RequirementsError> {
        Requirements::new(&[SkillLevel { skill, level }])
    }

    /// The required skills, sorted by skill id.
    pub fn as_slice(&self) -> &[SkillLevel] {
        &self.levels[..usize::from(self.len)]
    }

    fn as_mut_slice(&mut self) -> &mut [SkillLevel] {
        &mut self.levels[..usize::from(self.len)]
    }

    /// The minimum level required for `skill`, if it is required.
    pub fn get(&self, skill: SkillId) -> Option<u8> {
        self.as_slice()
            .iter()
            .find(|required| required.skill == skill)
            .map(|required| required.level)
    }

    /// A copy with `skill`'s minimum lowered to `level` (never raised).
    /// Returns `None` when nothing changes.
    pub fn widened(&self, skill: SkillId, level: u8) -> Option<Requirements> {
        let mut widened = *self;
        let required = widened
            .as_mut_slice()
            .iter_mut()
            .find(|required| required.skill == skill && required.level > level)?;
        required.level = level;
        Some(widened)
    }
}

fn check_level(level: SkillLevel) -> Result<(), RequirementsError> {
    if (MIN_PROFICIENCY..=MAX_PROFICIENCY).contains(&level.level) {
        Ok(())
    } else {
        Err(RequirementsError::BadLevel {
            skill: level.skill,
            level: level.level,
        })
    }
}

impl From<Requirements> for Vec<SkillLevel> {
    fn from(requirements: Requirements) -> Self {
        requirements.as_slice().to_vec()
    }
}

impl TryFrom<Vec<SkillLevel>> for Requirements {
    type Error = RequirementsError;
    fn try_from(levels: Vec<SkillLevel>) -> Result<Self, Self::Error> {
        Requirements::new(&levels)
    }
}

/// A service-level target: `fraction` of contacts answered within `within`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ServiceLevelTarget {
    /// Share of contacts to answer in time, e.g. 0.8.
    pub fraction: f64,
    /// The answer threshold, e.g. 20 s.
    pub within: Span,
}

/// After a contact has waited `after` in the queue, accept agents whose
/// proficiency in `skill` is at least `min_level` (e.g. 4 -> 2 after 60 s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WideningRule {
    /// Time in the queue before the rule applies.
    pub after: Span,
    /// The skill whose minimum is relaxed.
    pub skill: SkillId,
    /// The relaxed minimum level (1–5); a lower requirement is left alone.
    pub min_level: u8,
}

/// After a contact has waited `after` in the queue, move it to `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverflowRule {
    /// Time in the queue before the contact overflows.
    pub after: Span,
    /// The queue it moves to (must have been added before this one).
    pub to: QueueId,
}

/// A queue's configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueSpec {
    /// Display name, e.g. "חיובים".
    pub name: String,
    /// The channel of every contact in the queue.
    pub channel: Channel,
    /// The service-level target reported against.
    pub service_level: ServiceLevelTarget,
    /// Score every contact of this queue starts with.
    pub priority_weight: f64,
    /// Score a contact gains per second of waiting (accumulating priority).
    pub aging_per_second: f64,
    /// Skills required by contacts that do not state their own.
    pub skills: Requirements,
    /// Skill widening steps, applied in order of `after`.
    pub widening: Vec<WideningRule>,
    /// Where long-waiting contacts go.
    pub overflow: Option<OverflowRule>,
    /// Offers connect at once, without an accept call.
    pub auto_accept: bool,
    /// How long an offer rings before it counts as ring-no-answer; `None`:
    /// it rings until the caller accepts, rejects or times it out.
    pub offer_timeout: Option<Span>,
    /// Wrap-up after each contact; zero frees the agent's slot at completion.
    pub wrap_up: Span,
    /// Handle time assumed for the wait estimate before any contact completes.
    pub handle_time_hint: Span,
}

impl QueueSpec {
    /// A queue with neutral settings: 80% in 20 s, weight 0, aging 1 per
    /// second, no skills, no rules, auto-accept, no wrap-up, 180 s handle time hint.
    pub fn new(name: impl Into<String>, channel: Channel) -> QueueSpec {
        QueueSpec {
            name: name.into(),
            channel,
            service_level: ServiceLevelTarget {
                fraction: 0.8,
                within: Span::from_secs(20),
            },
            priority_weight: 0.0,
            aging_per_second: 1.0,
            skills: Requirements::NONE,
            widening: Vec::new(),
            overflow: None,
            auto_accept: true,
            offer_timeout: None,
            wrap_up: Span::ZERO,
            handle_time_hint: Span::from_secs(180),
        }
    }
}

/// How many contacts of each channel an agent handles at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Capacity(pub [u8; Channel::ALL.len()]);

impl Capacity {
    /// One voice call, three chats, five emails, one walk-in, one callback,
    /// one back-office task.
    pub const TYPICAL: Capacity = Capacity([1, 3, 5, 1, 1, 1]);

    /// No capacity on any channel.
    pub const NONE: Capacity = Capacity([0; Channel::ALL.len()]);

    /// A copy with `channel`'s capacity set to `slots`.
    pub fn with(mut self, channel: Channel, slots: u8) -> Capacity {
        self.0[channel.index()] = slots;
        self
    }

    /// The capacity on `channel`.
    pub fn on(&self, channel: Channel) -> u8 {
        self.0[channel.index()]
    }
}

/// An agent's configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentSpec {
    /// Display name, e.g. "דנה כהן".
    pub name: String,
    /// Skills with proficiency 1–5, each skill at most once.
    pub skills: Vec<SkillLevel>,
    /// Simultaneous contacts per channel.
    pub capacity: Capacity,
    /// The queues the agent serves. Empty: every queue whose contacts the
    /// agent's skills and capacity allow. Either way the agent still needs
    /// the skills each contact requires.
    pub queues: Vec<QueueId>,
}

/// A contact entering a queue.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ContactSpec {
    /// The queue it enters.
    pub queue: QueueId,
    /// Added to the queue's priority weight in the contact's score.
    pub priority: i32,
    /// Required skills; `None`: the queue's [`QueueSpec::skills`].
    pub skills: Option<Requirements>,
    /// Customer tier (0 = standard), carried into events for reporting.
    pub tier: u8,
}

impl ContactSpec {
    /// A standard contact for `queue` with the queue's own skills.
    pub fn new(queue: QueueId) -> ContactSpec {
        ContactSpec {
            queue,
            priority: 0,
            skills: None,
            tier: 0,
        }
    }
}

/// Which free agent gets a newly arrived contact when several qualify.
/// Ties on the policy's measure go to the agent idle longest, then to the lower id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentSelection {
    /// Fewest contacts in progress first, then the agent whose last slot
    /// freed earliest (became available longest ago).
    #[default]
    LongestIdle,
    /// Least handle time (connected to wrap-up end) accumulated since login.
    LeastOccupied,
    /// Highest sum of proficiencies over the contact's required skills.
    BestProficiency,
}

/// Engine-wide settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EngineConfig {
    /// Agent choice for arriving contacts.
    pub selection: AgentSelection,
    /// The not-ready reason given to an agent whose offer rang out.
    pub ring_no_answer_reason: ReasonCode,
    /// Weight of the newest handle time in each queue's moving average (0–1].
    pub handle_time_smoothing: f64,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            selection: AgentSelection::LongestIdle,
            ring_no_answer_reason: ReasonCode(1),
            handle_time_smoothing: 0.05,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_are_sorted_validated_and_widened() {
        let level = |skill, level| SkillLevel {
            skill: SkillId(skill),
            level,
        };
        let a = Requirements::new(&[level(7, 4), level(2, 1)]).unwrap();
        let b = Requirements::new(&[level(2, 1), level(7, 4)]).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.get(SkillId(7)), Some(4));
        assert_eq!(a.widened(SkillId(7), 2).unwrap().get(SkillId(7)), Some(2));
        assert_eq!(a.widened(SkillId(2), 3), None);
        assert_eq!(
            Requirements::new(&[level(1, 6)]),
            Err(RequirementsError::BadLevel {
                skill: SkillId(1),
                level: 6
            })
        );
        assert!(Requirements::new(&[level(1, 2), level(1, 3)]).is_err());
        assert!(Requirements::new(&[level(1, 1); 5]).is_err());
    }
}
