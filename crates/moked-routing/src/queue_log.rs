//! Asterisk `queue_log` lines from engine events, so existing queue-reporting
//! tools can read Moked's history.
//!
//! Each line is `epoch|callid|queue|agent|EVENT|data1|data2|data3`, with the
//! epoch in whole seconds of the engine's [`Time`](crate::Time) (pass times
//! since the Unix epoch to get real dates) and the call id being the
//! [`ContactId`] as `slot.generation`. Waits and talk times
//! are whole seconds, ring-no-answer in milliseconds, as Asterisk writes them.
//! Events with no `queue_log` counterpart (offers, wrap-up, widening) write nothing.

use crate::event::{AgentState, EndedBy, Event, EventKind};
use crate::ids::{AgentId, ContactId, QueueId, ReasonCode};
use crate::time::Span;
use std::fmt::Write;

/// Names for the ids in events.
pub trait Names {
    /// A queue's name.
    fn queue_name(&self, queue: QueueId) -> &str;
    /// An agent's name.
    fn agent_name(&self, agent: AgentId) -> &str;
    /// A not-ready reason's name; `None` writes the numeric code.
    fn reason_name(&self, _reason: ReasonCode) -> Option<&str> {
        None
    }
}

/// Appends the `queue_log` lines for one event (zero, one or two lines,
/// each ending in a newline) to `out`.
pub fn write_event(event: &Event, names: &impl Names, out: &mut String) {
    let line = Line {
        epoch: event.at.0 / 1_000_000,
        names,
    };
    match event.kind {
        EventKind::ContactQueued {
            contact,
            queue,
            position,
            ..
        } => line.call(
            out,
            contact,
            queue,
            None,
            "ENTERQUEUE",
            format_args!("||{position}"),
        ),
        EventKind::Connected {
            contact,
            agent,
            queue,
            waited,
            ring,
        } => line.call(
            out,
            contact,
            queue,
            Some(agent),
            "CONNECT",
            format_args!("{}|{contact}|{}", secs(waited), secs(ring)),
        ),
        EventKind::Abandoned {
            contact,
            queue,
            waited,
            position,
            orig_position,
            ..
        } => line.call(
            out,
            contact,
            queue,
            None,
            "ABANDON",
            format_args!("{position}|{orig_position}|{}", secs(waited)),
        ),
        EventKind::Completed {
            contact,
            agent,
            queue,
            waited,
            talk,
            orig_position,
            by,
        } => {
            let verb = match by {
                EndedBy::Customer => "COMPLETECALLER",
                EndedBy::Agent => "COMPLETEAGENT",
            };
            line.call(
                out,
                contact,
                queue,
                Some(agent),
                verb,
                format_args!("{}|{}|{orig_position}", secs(waited), secs(talk)),
            );
        }
        EventKind::RingNoAnswer {
            contact,
            agent,
            queue,
            ring,
        } => line.call(
            out,
            contact,
            queue,
            Some(agent),
            "RINGNOANSWER",
            format_args!("{}", ring.as_millis()),
        ),
        EventKind::Transferred {
            contact,
            from,
            to,
            agent,
            waited,
            talk,
        } => line.call(
            out,
            contact,
            from,
            agent,
            "TRANSFER",
            format_args!(
                "{}|moked|{}|{}",
                names.queue_name(to),
                secs(waited),
                secs(talk)
            ),
        ),
        EventKind::Overflowed {
            contact,
            from,
            waited,
            position,
            orig_position,
            ..
        } => line.call(
            out,
            contact,
            from,
            None,
            "EXITWITHTIMEOUT",
            format_args!("{position}|{orig_position}|{}", secs(waited)),
        ),
        EventKind::AgentStateChanged { agent, from, to } => {
            line.presence(out, agent, from, to);
        }
        EventKind::Offered { .. }
        | EventKind::Rejected { .. }
        | EventKind::WrapUpStarted { .. }
        | EventKind::WrapUpEnded { .. }
        | EventKind::SkillsWidened { .. }
        | EventKind::CallbackRequested { .. } => {}
    }
}

/// All `queue_log` lines for `events`, in order.
pub fn format_events<'a>(
    events: impl IntoIterator<Item = &'a Event>,
    names: &impl Names,
) -> String {
    let mut out = String::new();
    for event in events {
        write_event(event, names, &mut out);
    }
    out
}

struct Line<'n, N> {
    epoch: u64,
    names: &'n N,
}

impl<N: Names> Line<'_, N> {
    fn call(
        &self,
        out: &mut String,
        contact: ContactId,
        queue: QueueId,
        agent: Option<AgentId>,
        verb: &str,
        data: std::fmt::Arguments<'_>,
    ) {
        let agent = agent.map_or("NONE", |agent| self.names.agent_name(agent));
        let queue = self.names.queue_name(queue);
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "{}|{contact}|{queue}|{agent}|{verb}|{data}",
            self.epoch
        );
    }

    fn agent_line(&self, out: &mut String, agent: AgentId, verb: &str, data: &str) {
        let name = self.names.agent_name(agent);
        let _ = writeln!(out, "{}|NONE|NONE|{name}|{verb}|{data}", self.epoch);
    }

    /// Login, logoff, pause and unpause lines for a presence change; changes
    /// between available, reserved, busy and wrap-up write nothing.
    fn presence(&self, out: &mut String, agent: AgentId, from: AgentState, to: AgentState) {
        if from == AgentState::Offline {
            self.agent_line(out, agent, "AGENTLOGIN", "");
        }
        match (from, to) {
            (_, AgentState::Offline) => self.agent_line(out, agent, "AGENTLOGOFF", ""),
            (AgentState::NotReady(old), AgentState::NotReady(new)) if old == new => {}
            (_, AgentState::NotReady(reason)) => {
                let mut code = String::new();
                let name = match self.names.reason_name(reason) {
                    Some(name) => name,
                    None => {
                        let _ = write!(code, "{reason}");
                        code.as_str()
                    }
                };
                self.agent_line(out, agent, "PAUSE", name);
            }
            (AgentState::NotReady(_), _) => self.agent_line(out, agent, "UNPAUSE", ""),
            _ => {}
        }
    }
}

fn secs(span: Span) -> u64 {
    span.0 / 1_000_000
}
