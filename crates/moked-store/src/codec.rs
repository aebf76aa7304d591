//! Conversions between model values and the plain columns both backends
//! store (integers and text), so that SQLite and PostgreSQL encode every
//! value the same way.

use crate::error::{StoreError, StoreResult};
use crate::model::{CustomerTier, QueueId, Role, Sender, TimelineStep, UserId, WrapUpCodeId};
use jiff::Timestamp;
use moked_domain::Channel;

/// Stored form of a time: microseconds since the Unix epoch, UTC.
pub fn timestamp_to_column(at: Timestamp) -> i64 {
    at.as_microsecond()
}

/// Reads a stored time.
pub fn timestamp_from_column(micros: i64) -> StoreResult<Timestamp> {
    Timestamp::from_microsecond(micros).map_err(|e| StoreError::corrupt(format!("time: {e}")))
}

/// Reads a stored channel name.
pub fn channel_from_column(name: &str) -> StoreResult<Channel> {
    name.parse()
        .map_err(|_| StoreError::corrupt(format!("channel {name:?}")))
}

/// Reads a stored role name.
pub fn role_from_column(name: &str) -> StoreResult<Role> {
    Role::from_name(name).ok_or_else(|| StoreError::corrupt(format!("role {name:?}")))
}

/// Reads a stored tier name.
pub fn tier_from_column(name: &str) -> StoreResult<CustomerTier> {
    CustomerTier::from_name(name).ok_or_else(|| StoreError::corrupt(format!("tier {name:?}")))
}

/// Stored form of a sender: a kind and, for agents, the user id.
pub fn sender_to_columns(sender: Sender) -> (&'static str, Option<i64>, bool) {
    match sender {
        Sender::Customer => ("customer", None, false),
        Sender::Agent(user) => ("agent", Some(user.0), false),
        Sender::System => ("system", None, false),
        Sender::Note(user) => ("agent", Some(user.0), true),
    }
}

/// Reads a stored sender.
pub fn sender_from_columns(kind: &str, user: Option<i64>, internal: bool) -> StoreResult<Sender> {
    match (kind, user, internal) {
        ("customer", None, false) => Ok(Sender::Customer),
        ("agent", Some(id), false) => Ok(Sender::Agent(UserId(id))),
        ("agent", Some(id), true) => Ok(Sender::Note(UserId(id))),
        ("system", None, false) => Ok(Sender::System),
        _ => Err(StoreError::corrupt(format!("sender {kind:?}"))),
    }
}

/// Stored form of an event sequence number (databases have signed integers).
pub fn seq_to_column(seq: u64) -> StoreResult<i64> {
    i64::try_from(seq).map_err(|_| StoreError::invalid("seq", "is beyond the log's range"))
}

/// Reads a stored sequence number.
pub fn seq_from_column(seq: i64) -> StoreResult<u64> {
    u64::try_from(seq).map_err(|_| StoreError::corrupt(format!("sequence {seq}")))
}

/// Reads a stored small unsigned number (levels, capacities, seconds).
pub fn unsigned_from_column<T: TryFrom<i64>>(field: &str, value: i64) -> StoreResult<T> {
    T::try_from(value).map_err(|_| StoreError::corrupt(format!("{field} {value}")))
}

/// Reads a stored event payload.
pub fn payload_from_column(text: &str) -> StoreResult<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| StoreError::corrupt(format!("event payload: {e}")))
}

/// Stored form of a timeline step: its kind and the records it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineColumns<'a> {
    /// [`TimelineStep::kind`].
    pub kind: &'static str,
    /// The queue entered or transferred to.
    pub queue: Option<i64>,
    /// The agent offered, accepting, transferred to or wrapping up.
    pub agent: Option<i64>,
    /// The wrap-up code picked.
    pub wrap_up_code: Option<i64>,
    /// The satisfaction score given.
    pub score: Option<i64>,
    /// The satisfaction comment given.
    pub comment: Option<&'a str>,
}

/// Splits a timeline step into its columns.
pub fn timeline_to_columns(step: &TimelineStep) -> TimelineColumns<'_> {
    let (queue, agent, wrap_up_code) = match *step {
        TimelineStep::Queued { queue } => (Some(queue.0), None, None),
        TimelineStep::Offered { agent } | TimelineStep::Accepted { agent } => {
            (None, Some(agent.0), None)
        }
        TimelineStep::Transferred { to_queue, to_agent } => {
            (to_queue.map(|q| q.0), to_agent.map(|a| a.0), None)
        }
        TimelineStep::Ended => (None, None, None),
        TimelineStep::WrappedUp { agent, code } => (None, Some(agent.0), Some(code.0)),
        TimelineStep::Rated { .. } => (None, None, None),
    };
    let (score, comment) = match step {
        TimelineStep::Rated { score, comment } => (Some(i64::from(*score)), Some(comment.as_str())),
        _ => (None, None),
    };
    TimelineColumns {
        kind: step.kind(),
        queue,
        agent,
        wrap_up_code,
        score,
        comment,
    }
}

/// The optional columns of a stored timeline row beyond its kind.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TimelineRow {
    /// `queue_id`.
    pub queue: Option<i64>,
    /// `agent_id`.
    pub agent: Option<i64>,
    /// `wrap_up_code_id`.
    pub wrap_up_code: Option<i64>,
    /// `score`.
    pub score: Option<i64>,
    /// `comment`.
    pub comment: Option<String>,
}

/// Reads a stored timeline step.
pub fn timeline_from_columns(kind: &str, row: TimelineRow) -> StoreResult<TimelineStep> {
    if kind == "rated" {
        return rated_from_columns(row);
    }
    let step = match (kind, row.queue, row.agent, row.wrap_up_code) {
        ("queued", Some(queue), None, None) => TimelineStep::Queued {
            queue: QueueId(queue),
        },
        ("offered", None, Some(agent), None) => TimelineStep::Offered {
            agent: UserId(agent),
        },
        ("accepted", None, Some(agent), None) => TimelineStep::Accepted {
            agent: UserId(agent),
        },
        ("transferred", queue, agent, None) if queue.is_some() || agent.is_some() => {
            TimelineStep::Transferred {
                to_queue: queue.map(QueueId),
                to_agent: agent.map(UserId),
            }
        }
        ("ended", None, None, None) => TimelineStep::Ended,
        ("wrapped_up", None, Some(agent), Some(code)) => TimelineStep::WrappedUp {
            agent: UserId(agent),
            code: WrapUpCodeId(code),
        },
        _ => return Err(StoreError::corrupt(format!("timeline step {kind:?}"))),
    };
    Ok(step)
}

fn rated_from_columns(row: TimelineRow) -> StoreResult<TimelineStep> {
    match (row.score, row.comment) {
        (Some(score), Some(comment)) => Ok(TimelineStep::Rated {
            score: unsigned_from_column("score", score)?,
            comment,
        }),
        _ => Err(StoreError::corrupt(
            "timeline step \"rated\" without its score",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_to_the_microsecond() {
        let at: Timestamp = "2026-11-22T08:30:15.123456Z".parse().unwrap();
        assert_eq!(timestamp_from_column(timestamp_to_column(at)).unwrap(), at);
    }

    #[test]
    fn senders_round_trip() {
        for sender in [
            Sender::Customer,
            Sender::Agent(UserId(7)),
            Sender::System,
            Sender::Note(UserId(7)),
        ] {
            let (kind, user, internal) = sender_to_columns(sender);
            assert_eq!(sender_from_columns(kind, user, internal).unwrap(), sender);
        }
        assert!(sender_from_columns("agent", None, false).is_err());
        assert!(sender_from_columns("customer", None, true).is_err());
    }

    #[test]
    fn timeline_steps_round_trip() {
        let steps = [
            TimelineStep::Queued { queue: QueueId(1) },
            TimelineStep::Offered { agent: UserId(2) },
            TimelineStep::Accepted { agent: UserId(2) },
            TimelineStep::Transferred {
                to_queue: Some(QueueId(3)),
                to_agent: None,
            },
            TimelineStep::Transferred {
                to_queue: None,
                to_agent: Some(UserId(4)),
            },
            TimelineStep::Ended,
            TimelineStep::WrappedUp {
                agent: UserId(4),
                code: WrapUpCodeId(5),
            },
            TimelineStep::Rated {
                score: 4,
                comment: "שירות מצוין".to_owned(),
            },
        ];
        for step in steps {
            let c = timeline_to_columns(&step);
            let row = TimelineRow {
                queue: c.queue,
                agent: c.agent,
                wrap_up_code: c.wrap_up_code,
                score: c.score,
                comment: c.comment.map(str::to_owned),
            };
            let back = timeline_from_columns(c.kind, row).unwrap();
            assert_eq!(back, step);
        }
    }
}
