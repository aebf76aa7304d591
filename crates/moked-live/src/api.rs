//! The types of the live center's API: what the server sends in and gets
//! back, and the events it forwards. All serialize to JSON with snake_case
//! tags; durations go out as whole seconds in fields ending in `_s`.

use jiff::{SignedDuration, Timestamp};
use moked_domain::PhoneE164;
use moked_store::{
    ChatMessage, CustomerId, InteractionId, QueueId, SlaKind, SlaTarget, TicketId, TicketNumber,
    TicketView, UserId, WrapUpCodeId,
};
use serde::{Deserialize, Serialize, Serializer};

/// Settings of the live center.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LiveConfig {
    /// How long an offer rings when its queue sets no timeout of its own.
    pub offer_timeout: SignedDuration,
    /// After-contact work time when a queue sets none.
    pub default_wrap_up: SignedDuration,
    /// The share of chats to answer within a queue's service-level
    /// threshold (0.8: the customary 80/20), the wallboard's colour line.
    /// One for the installation: the store keeps no target per queue.
    pub service_level_target: f64,
}

impl Default for LiveConfig {
    fn default() -> Self {
        LiveConfig {
            offer_timeout: SignedDuration::from_secs(30),
            default_wrap_up: SignedDuration::from_secs(60),
            service_level_target: 0.8,
        }
    }
}

/// The language of a customer's chat (system messages are written in it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// Hebrew, the default.
    #[default]
    He,
    /// English.
    En,
}

/// What an agent asks to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PresenceRequest {
    /// Ready for contacts.
    Available,
    /// Logged in, taking no new contacts.
    NotReady {
        /// Why.
        reason: NotReadyReason,
    },
    /// Logged out (any ringing offers go back to the queue).
    Offline,
}

/// Why an agent is not ready. Labels live in the UI's locale files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotReadyReason {
    /// A short break.
    Break,
    /// A meal.
    Meal,
    /// Training.
    Training,
    /// A meeting.
    Meeting,
    /// Coaching with a supervisor.
    Coaching,
    /// Personal time.
    Personal,
    /// Set by Moked, not chosen: an offer rang out unanswered.
    NoAnswer,
}

impl NotReadyReason {
    /// Every reason, in the order of their routing-engine codes.
    pub const ALL: [NotReadyReason; 7] = [
        NotReadyReason::Break,
        NotReadyReason::Meal,
        NotReadyReason::Training,
        NotReadyReason::Meeting,
        NotReadyReason::Coaching,
        NotReadyReason::Personal,
        NotReadyReason::NoAnswer,
    ];

    /// The name stored and used in APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            NotReadyReason::Break => "break",
            NotReadyReason::Meal => "meal",
            NotReadyReason::Training => "training",
            NotReadyReason::Meeting => "meeting",
            NotReadyReason::Coaching => "coaching",
            NotReadyReason::Personal => "personal",
            NotReadyReason::NoAnswer => "no_answer",
        }
    }

    /// The reason with this stored name.
    pub fn from_name(name: &str) -> Option<NotReadyReason> {
        NotReadyReason::ALL
            .into_iter()
            .find(|reason| reason.as_str() == name)
    }

    pub(crate) fn code(self) -> u16 {
        NotReadyReason::ALL
            .iter()
            .position(|&reason| reason == self)
            .unwrap_or(0) as u16
    }

    pub(crate) fn from_code(code: u16) -> NotReadyReason {
        NotReadyReason::ALL
            .get(usize::from(code))
            .copied()
            .unwrap_or(NotReadyReason::Personal)
    }
}

/// Where a transferred chat goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferTarget {
    /// Into a queue, for whichever agent is next.
    Queue(QueueId),
    /// To one agent; it waits for that agent if the agent is busy or away.
    Agent(UserId),
}

/// A customer opening a web chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenChat {
    /// The queue picked in the widget; `None`: the organization's first chat queue.
    pub queue: Option<QueueId>,
    /// The name from the pre-chat form.
    pub name: String,
    /// The phone from the pre-chat form; a known number finds the customer.
    pub phone: Option<PhoneE164>,
    /// The widget's language.
    pub lang: Lang,
}

/// A chat that was opened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChatOpened {
    /// The chat (its interaction).
    pub chat: InteractionId,
    /// The customer it belongs to (found by phone or new).
    pub customer: CustomerId,
    /// Where it stands.
    pub status: ChatStatus,
}

/// A phone call to route: the caller's number and name, the voice queue
/// its address is routed to.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenCall {
    /// The voice queue.
    pub queue: QueueId,
    /// The caller's number, when the signalling carried a valid one.
    pub caller: Option<PhoneE164>,
    /// A name for a caller not yet known (the display name, else the number).
    pub name: String,
}

/// Where a chat stands, as the customer's widget shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ChatStatus {
    /// Waiting for an agent.
    Queued {
        /// Place in line, 1 = next.
        position: u32,
        /// Estimated wait (JSON: `estimated_wait_s`, whole seconds); `None`
        /// when no agent who could take it is logged in.
        #[serde(rename = "estimated_wait_s", serialize_with = "seconds")]
        estimated_wait: Option<SignedDuration>,
    },
    /// An agent is being offered the chat.
    Offered,
    /// An agent is chatting.
    Connected {
        /// The agent's display name.
        agent_name: String,
    },
    /// The conversation is over.
    Ended {
        /// Whether the agent has wrapped it up.
        wrapped_up: bool,
    },
}

fn seconds<S: Serializer>(span: &Option<SignedDuration>, s: S) -> Result<S::Ok, S::Error> {
    span.map(|span| span.as_secs().max(0)).serialize(s)
}

/// Which side of a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    /// The customer.
    Customer,
    /// The agent.
    Agent,
}

/// Who ended a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndedBy {
    /// The customer (closing the widget's chat, or leaving the queue).
    Customer,
    /// The agent.
    Agent,
    /// Moked.
    System,
}

/// An agent's state as the floor sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentActivity {
    /// Logged out.
    Offline,
    /// Free for a chat.
    Available,
    /// An offer is ringing.
    Offered,
    /// Chatting.
    Busy,
    /// Finishing after-chat work.
    WrapUp,
    /// Logged in, taking no new chats.
    NotReady,
}

impl AgentActivity {
    /// The name used in APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentActivity::Offline => "offline",
            AgentActivity::Available => "available",
            AgentActivity::Offered => "offered",
            AgentActivity::Busy => "busy",
            AgentActivity::WrapUp => "wrap_up",
            AgentActivity::NotReady => "not_ready",
        }
    }

    /// The state with this name.
    pub fn from_name(name: &str) -> Option<AgentActivity> {
        [
            AgentActivity::Offline,
            AgentActivity::Available,
            AgentActivity::Offered,
            AgentActivity::Busy,
            AgentActivity::WrapUp,
            AgentActivity::NotReady,
        ]
        .into_iter()
        .find(|state| state.as_str() == name)
    }
}

/// A live event of one organization. The server forwards each to the
/// WebSockets whose holder may see it (see `docs/server.md`); `agent` fields
/// on chat events name the chat's agent, when it has one, for that filter.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    /// A chat is offered to an agent.
    Offer {
        /// The chat.
        chat: InteractionId,
        /// Its queue.
        queue: QueueId,
        /// Its customer.
        customer: Option<CustomerId>,
        /// The customer's name.
        customer_name: String,
        /// The agent.
        agent: UserId,
        /// When the offer rings out; `None` on auto-accept queues.
        expires_at: Option<Timestamp>,
    },
    /// An offer was taken back (rejected, rang out, the customer left).
    OfferWithdrawn {
        /// The chat.
        chat: InteractionId,
        /// The agent.
        agent: UserId,
    },
    /// An agent took the chat.
    ChatConnected {
        /// The chat.
        chat: InteractionId,
        /// The agent.
        agent: UserId,
        /// The agent's display name (shown to the customer).
        agent_name: String,
    },
    /// A message was stored.
    Message {
        /// The chat.
        chat: InteractionId,
        /// The chat's agent, if it has one.
        agent: Option<UserId>,
        /// The message (a `note` sender is for staff only).
        message: ChatMessage,
    },
    /// One side is typing.
    Typing {
        /// The chat.
        chat: InteractionId,
        /// The chat's agent, if it has one.
        agent: Option<UserId>,
        /// Who types.
        from: Party,
    },
    /// A waiting chat's place in line.
    QueuePosition {
        /// The chat.
        chat: InteractionId,
        /// Place, 1 = next.
        position: u32,
        /// Estimated wait in whole seconds, if any agent can take it.
        estimated_wait_s: Option<i64>,
    },
    /// A chat moved to another queue or agent.
    ChatTransferred {
        /// The chat.
        chat: InteractionId,
        /// The agent who had it.
        from_agent: Option<UserId>,
        /// The queue it went to.
        to_queue: Option<QueueId>,
        /// The agent it went to.
        to_agent: Option<UserId>,
    },
    /// The conversation ended.
    ChatEnded {
        /// The chat.
        chat: InteractionId,
        /// The chat's agent, if it had one.
        agent: Option<UserId>,
        /// Who ended it.
        by: EndedBy,
    },
    /// The agent finished the chat's after-work.
    WrapUpDone {
        /// The chat.
        chat: InteractionId,
        /// The agent.
        agent: UserId,
        /// The code picked; `None` when the wrap-up time ran out.
        code: Option<WrapUpCodeId>,
    },
    /// An agent's state changed.
    AgentState {
        /// The agent.
        agent: UserId,
        /// The new state.
        state: AgentActivity,
        /// Why not ready, when not ready.
        reason: Option<NotReadyReason>,
        /// Since when.
        since: Timestamp,
    },
    /// An agent's phone registered or went away.
    Phone {
        /// The agent.
        agent: UserId,
        /// Whether it is registered now.
        registered: bool,
    },
    /// A queue's wallboard figures changed.
    WallboardChanged {
        /// The queue.
        queue: QueueId,
    },
    /// A ticket was opened or changed (announced after it was saved, by
    /// the server's ticket service through [`Live::announce`](crate::Live::announce)).
    Ticket {
        /// The ticket as it is now.
        ticket: Box<TicketView>,
        /// The users it concerns: its assignee and owner and the members of
        /// its team and back-office team (supervisors see it too).
        agents: Vec<UserId>,
    },
    /// A ticket's SLA clock reached 80% of a target or the target itself;
    /// announced once per ticket, target and kind.
    Sla {
        /// The ticket.
        ticket: TicketId,
        /// Its number.
        number: TicketNumber,
        /// Warning or breach.
        kind: SlaKind,
        /// Which target.
        target: SlaTarget,
        /// When the target is (or was) due.
        due: Timestamp,
        /// The users it concerns, as for [`LiveEvent::Ticket`].
        agents: Vec<UserId>,
    },
}

/// An offer ringing at an agent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeskOffer {
    /// The chat.
    pub chat: InteractionId,
    /// Its queue.
    pub queue: QueueId,
    /// Its customer.
    pub customer: Option<CustomerId>,
    /// The customer's name.
    pub customer_name: String,
    /// When it rings out, if it does.
    pub expires_at: Option<Timestamp>,
}

/// A chat an agent holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeskChat {
    /// The chat.
    pub chat: InteractionId,
    /// Its queue.
    pub queue: QueueId,
    /// Its customer.
    pub customer: Option<CustomerId>,
    /// The customer's name.
    pub customer_name: String,
    /// `busy` (chatting) or `wrap_up`.
    pub state: AgentActivity,
    /// When the chat opened.
    pub created_at: Timestamp,
    /// When the wrap-up ends by itself, during wrap-up.
    pub wrap_up_until: Option<Timestamp>,
}

/// What an agent's desktop shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentDesk {
    /// The agent's state.
    pub presence: AgentActivity,
    /// Why not ready.
    pub reason: Option<NotReadyReason>,
    /// In that state since.
    pub since: Timestamp,
    /// Chats the agent takes at once (chat slots); 0 for a user who takes
    /// no chats.
    pub capacity: u16,
    /// Offers ringing.
    pub offers: Vec<DeskOffer>,
    /// Chats held (connected or in wrap-up).
    pub chats: Vec<DeskChat>,
}

/// One 30-minute interval of today.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntervalStats {
    /// Its start.
    pub start: Timestamp,
    /// Chats that entered the queue(s).
    pub offered: u32,
    /// Chats an agent took.
    pub answered: u32,
    /// Chats the customer left before an agent took them.
    pub abandoned: u32,
    /// Service level (see the crate doc), `None` without answered or late-abandoned chats.
    pub service_level: Option<f64>,
}

/// One queue on the wallboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueBoard {
    /// The queue.
    pub queue: QueueId,
    /// Its name.
    pub name: String,
    /// Its service-level threshold in seconds.
    pub service_level_seconds: u32,
    /// The share of chats to answer within the threshold, e.g. 0.8
    /// ([`LiveConfig::service_level_target`]).
    pub service_level_target: f64,
    /// Chats waiting now.
    pub waiting: u32,
    /// How long the longest-waiting one has waited, seconds.
    pub longest_wait_s: i64,
    /// Chats that entered the queue today.
    pub offered: u32,
    /// Chats answered today.
    pub answered: u32,
    /// Chats abandoned today.
    pub abandoned: u32,
    /// Service level today.
    pub service_level: Option<f64>,
    /// Service level over the last 30 minutes.
    pub service_level_30m: Option<f64>,
    /// Average speed of answer today, seconds.
    pub asa_s: Option<f64>,
    /// Today's 30-minute intervals, from midnight to now.
    pub intervals: Vec<IntervalStats>,
}

/// One agent on the wallboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentBoard {
    /// The agent.
    pub agent: UserId,
    /// The display name.
    pub name: String,
    /// The state.
    pub state: AgentActivity,
    /// Why not ready.
    pub reason: Option<NotReadyReason>,
    /// In that state since.
    pub since: Timestamp,
    /// Chats held now (connected or in wrap-up).
    pub active_chats: u32,
    /// Whether a phone is registered for the agent (no phone: no calls).
    pub phone: bool,
}

/// The supervisor's wallboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Wallboard {
    /// When the figures were taken.
    pub at: Timestamp,
    /// The organization's time zone, which "today" is in.
    pub time_zone: String,
    /// Per queue.
    pub queues: Vec<QueueBoard>,
    /// Per agent.
    pub agents: Vec<AgentBoard>,
    /// Today's intervals over all queues.
    pub intervals: Vec<IntervalStats>,
}

/// Time an agent spent in one state today.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StateTime {
    /// The state.
    pub state: AgentActivity,
    /// Seconds today.
    pub seconds: f64,
}

/// A supervisor's drill-down into one agent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentDetail {
    /// The agent.
    pub agent: UserId,
    /// The display name.
    pub name: String,
    /// The state.
    pub state: AgentActivity,
    /// Why not ready.
    pub reason: Option<NotReadyReason>,
    /// In that state since.
    pub since: Timestamp,
    /// Chats finished (wrapped up) today.
    pub handled_today: u32,
    /// Average handle time today (connected to end of wrap-up), seconds.
    pub average_handle_s: Option<f64>,
    /// Time per state today.
    pub time_in_state: Vec<StateTime>,
    /// Chats held now.
    pub chats: Vec<DeskChat>,
}
