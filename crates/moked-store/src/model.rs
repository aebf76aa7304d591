//! The persisted data of a contact center: what a backend stores and
//! returns. Every record belongs to one organization; the organization id
//! is not repeated inside records because every query is already scoped
//! to it.

use jiff::Timestamp;
use moked_domain::{Channel, EmailAddress, IsraeliId, PhoneE164};
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! record_id {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

record_id! {
    /// An organization (tenant).
    OrgId,
    /// A user of an organization.
    UserId,
    /// A team of agents.
    TeamId,
    /// A skill agents have and queues require.
    SkillId,
    /// A queue contacts wait in.
    QueueId,
    /// A wrap-up code.
    WrapUpCodeId,
    /// A weekly business-hours schedule.
    BusinessHoursId,
    /// A customer.
    CustomerId,
    /// An interaction (one contact, on any channel).
    InteractionId,
    /// A chat message.
    MessageId,
}

/// A tenant: one company served by the installation, strictly apart from
/// the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    /// Its id.
    pub id: OrgId,
    /// Short name used in URLs and logins, unique in the installation.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// IANA time zone for its reports and screens, e.g. `Asia/Jerusalem`.
    pub time_zone: String,
}

/// What is needed to create an organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOrganization {
    /// Short name, lowercase ASCII letters, digits and '-'.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// IANA time zone.
    pub time_zone: String,
}

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Configures the organization.
    Admin,
    /// Watches the floor and steps in.
    Supervisor,
    /// Serves customers.
    Agent,
}

impl Role {
    /// The name stored and used in APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Agent => "agent",
        }
    }

    /// The role with this stored name.
    pub fn from_name(name: &str) -> Option<Role> {
        [Role::Admin, Role::Supervisor, Role::Agent]
            .into_iter()
            .find(|role| role.as_str() == name)
    }
}

/// A person who logs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Its id.
    pub id: UserId,
    /// Login name, unique in the organization.
    pub login: String,
    /// Name shown to colleagues (and to customers, for agents).
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
    /// The argon2id PHC string computed by the caller; the store never sees
    /// a password.
    pub password_hash: String,
    /// The team the user belongs to, if any.
    pub team: Option<TeamId>,
    /// The language of the user's screens: `he` or `en`.
    pub lang: String,
}

/// What is needed to create a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUser {
    /// Login name.
    pub login: String,
    /// Name shown.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// argon2id PHC string (`$argon2id$v=19$...`).
    pub password_hash: String,
    /// Team, if any.
    pub team: Option<TeamId>,
    /// Screen language: `he` or `en`.
    pub lang: String,
}

/// A change to a user's details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserUpdate {
    /// Name shown.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Team, if any.
    pub team: Option<TeamId>,
    /// Screen language: `he` or `en`.
    pub lang: String,
    /// A new argon2id PHC string, or `None` to keep the password.
    pub password_hash: Option<String>,
}

/// The languages a user's screens can be in.
pub const LANGUAGES: [&str; 2] = ["he", "en"];

/// A named record: teams and skills.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named<Id> {
    /// Its id.
    pub id: Id,
    /// Its name, unique in the organization.
    pub name: String,
}

/// A team of agents.
pub type Team = Named<TeamId>;
/// A skill.
pub type Skill = Named<SkillId>;

/// A queue contacts wait in until an agent takes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queue {
    /// Its id.
    pub id: QueueId,
    /// Its definition.
    #[serde(flatten)]
    pub spec: NewQueue,
}

/// A queue's definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewQueue {
    /// Name, unique in the organization.
    pub name: String,
    /// The channel its contacts arrive on.
    pub channel: Channel,
    /// The skill an agent needs to take its contacts, if any.
    pub skill: Option<SkillId>,
    /// Service-level threshold: answered within this many seconds counts.
    pub service_level_seconds: u32,
    /// Whether offered contacts are accepted without the agent clicking.
    pub auto_accept: bool,
    /// Opening hours, if the queue does not run around the clock.
    pub business_hours: Option<BusinessHoursId>,
    /// Higher is served first when agents could take contacts of several
    /// queues; 0 is the default.
    pub priority: i32,
    /// After-contact work time an agent gets once a contact ends.
    pub wrap_up_seconds: u32,
    /// How long an offer rings before it goes to the next agent; 0 means
    /// the installation's default.
    pub offer_timeout_seconds: u32,
}

/// An agent's level in a skill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentSkill {
    /// The skill.
    pub skill: SkillId,
    /// Proficiency from [`MIN_SKILL_LEVEL`] to [`MAX_SKILL_LEVEL`].
    pub level: u8,
}

/// Lowest skill level.
pub const MIN_SKILL_LEVEL: u8 = 1;
/// Highest skill level.
pub const MAX_SKILL_LEVEL: u8 = 10;

/// How many contacts of one channel an agent handles at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentCapacity {
    /// The channel.
    pub channel: Channel,
    /// Simultaneous contacts; 0 means the agent does not take this channel.
    pub max_concurrent: u16,
}

/// A code an agent picks when wrapping up a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrapUpCode {
    /// Its id.
    pub id: WrapUpCodeId,
    /// Its definition.
    #[serde(flatten)]
    pub spec: NewWrapUpCode,
}

/// A wrap-up code's definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewWrapUpCode {
    /// Short code, unique in the organization (e.g. `billing-refund`).
    pub code: String,
    /// Label shown to agents (e.g. "החזר כספי").
    pub label: String,
}

/// One weekly opening interval, in the schedule's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklyInterval {
    /// Day of the week, 0 = Sunday (the first working day in Israel).
    pub weekday: u8,
    /// Opening time in minutes after midnight.
    pub opens_minute: u16,
    /// Closing time in minutes after midnight, after the opening; 1440 is
    /// midnight at the end of the day.
    pub closes_minute: u16,
}

/// Minutes in a day: the latest closing time.
pub const MINUTES_PER_DAY: u16 = 1440;

/// A weekly business-hours schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessHours {
    /// Its id.
    pub id: BusinessHoursId,
    /// Its definition.
    #[serde(flatten)]
    pub spec: NewBusinessHours,
}

/// A business-hours schedule's definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewBusinessHours {
    /// Name, unique in the organization.
    pub name: String,
    /// IANA time zone of the intervals.
    pub time_zone: String,
    /// Opening intervals, sorted by day then opening time when read back.
    pub intervals: Vec<WeeklyInterval>,
}

/// A customer's service tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerTier {
    /// Most customers.
    Standard,
    /// Customers with a premium plan.
    Premium,
    /// Customers served first.
    Vip,
}

impl CustomerTier {
    /// The name stored and used in APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerTier::Standard => "standard",
            CustomerTier::Premium => "premium",
            CustomerTier::Vip => "vip",
        }
    }

    /// The tier with this stored name.
    pub fn from_name(name: &str) -> Option<CustomerTier> {
        [
            CustomerTier::Standard,
            CustomerTier::Premium,
            CustomerTier::Vip,
        ]
        .into_iter()
        .find(|tier| tier.as_str() == name)
    }
}

/// A customer and their contact details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// Its id.
    pub id: CustomerId,
    /// Its details.
    #[serde(flatten)]
    pub details: NewCustomer,
}

/// A customer's details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCustomer {
    /// Full name as the customer gave it.
    pub name: String,
    /// Phone numbers, in the order given.
    pub phones: Vec<PhoneE164>,
    /// Email addresses, in the order given.
    pub emails: Vec<EmailAddress>,
    /// Israeli identity number, when collected.
    pub israeli_id: Option<IsraeliId>,
    /// Service tier.
    pub tier: CustomerTier,
    /// Free-text notes by agents.
    pub notes: String,
}

/// One contact from a customer on one channel, from arrival to wrap-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interaction {
    /// Its id.
    pub id: InteractionId,
    /// The channel it arrived on.
    pub channel: Channel,
    /// The queue it first entered.
    pub queue: QueueId,
    /// The customer, once known.
    pub customer: Option<CustomerId>,
    /// When it arrived.
    pub created_at: Timestamp,
    /// When it ended, if it has.
    pub ended_at: Option<Timestamp>,
    /// What happened to it, in order.
    pub timeline: Vec<TimelineEntry>,
}

/// What is needed to record a new interaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewInteraction {
    /// The channel.
    pub channel: Channel,
    /// The queue it enters.
    pub queue: QueueId,
    /// The customer, if known.
    pub customer: Option<CustomerId>,
    /// When it arrived.
    pub created_at: Timestamp,
}

/// One step of an interaction's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// When it happened.
    pub at: Timestamp,
    /// What happened.
    pub step: TimelineStep,
}

/// What happened to an interaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TimelineStep {
    /// It entered a queue.
    Queued {
        /// The queue.
        queue: QueueId,
    },
    /// It was offered to an agent.
    Offered {
        /// The agent.
        agent: UserId,
    },
    /// The agent accepted it.
    Accepted {
        /// The agent.
        agent: UserId,
    },
    /// It was transferred to a queue or straight to an agent.
    Transferred {
        /// Target queue, if transferred to a queue.
        to_queue: Option<QueueId>,
        /// Target agent, if transferred to an agent.
        to_agent: Option<UserId>,
    },
    /// The conversation ended.
    Ended,
    /// The agent wrapped it up with a code.
    WrappedUp {
        /// The agent.
        agent: UserId,
        /// The code picked.
        code: WrapUpCodeId,
    },
    /// The customer answered the satisfaction question.
    Rated {
        /// From 1 (bad) to 5 (excellent).
        score: u8,
        /// Free text, possibly empty.
        comment: String,
    },
}

impl TimelineStep {
    /// The name stored for this kind of step.
    pub fn kind(&self) -> &'static str {
        match self {
            TimelineStep::Queued { .. } => "queued",
            TimelineStep::Offered { .. } => "offered",
            TimelineStep::Accepted { .. } => "accepted",
            TimelineStep::Transferred { .. } => "transferred",
            TimelineStep::Ended => "ended",
            TimelineStep::WrappedUp { .. } => "wrapped_up",
            TimelineStep::Rated { .. } => "rated",
        }
    }
}

/// Who wrote a chat message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "user", rename_all = "snake_case")]
pub enum Sender {
    /// The customer.
    Customer,
    /// An agent.
    Agent(UserId),
    /// Moked itself (queue position, transfer notices).
    System,
    /// An agent's internal note: never shown to the customer.
    Note(UserId),
}

/// A stored chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Its id.
    pub id: MessageId,
    /// Its content.
    #[serde(flatten)]
    pub content: NewMessage,
}

/// A chat message to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMessage {
    /// The conversation it belongs to.
    pub interaction: InteractionId,
    /// Who wrote it.
    pub sender: Sender,
    /// The text.
    pub body: String,
    /// Chosen by the sending client; a retried send with the same key in the
    /// same interaction is stored once.
    pub idempotency_key: String,
    /// When it was sent.
    pub sent_at: Timestamp,
}

/// The outcome of storing a chat message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageInsert {
    /// The message was new and is now stored.
    Stored(ChatMessage),
    /// A message with the same idempotency key was already stored: this is
    /// it, unchanged.
    AlreadyStored(ChatMessage),
}

impl MessageInsert {
    /// The stored message, whichever the outcome.
    pub fn message(&self) -> &ChatMessage {
        match self {
            MessageInsert::Stored(message) | MessageInsert::AlreadyStored(message) => message,
        }
    }
}

/// An entry of an organization's append-only event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the organization's log: 1, 2, 3… without gaps.
    pub seq: u64,
    /// Its content.
    #[serde(flatten)]
    pub content: NewEvent,
}

/// An event to append.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEvent {
    /// When it happened.
    pub at: Timestamp,
    /// What kind of event, e.g. `contact.queued`.
    pub kind: String,
    /// Its data.
    pub payload: serde_json::Value,
}

/// What an agent chose to be: restored when the server restarts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentPresence {
    /// Logged out, available or not ready.
    pub state: PresenceState,
    /// Why the agent is not ready (a reason code such as `break`).
    pub reason: Option<String>,
    /// When the agent chose it.
    pub since: Timestamp,
}

/// An agent's chosen presence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PresenceState {
    /// Logged out.
    Offline,
    /// Ready for contacts.
    Available,
    /// Logged in but taking no new contacts.
    NotReady,
}

impl PresenceState {
    /// The name stored and used in APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            PresenceState::Offline => "offline",
            PresenceState::Available => "available",
            PresenceState::NotReady => "not_ready",
        }
    }

    /// The state with this stored name.
    pub fn from_name(name: &str) -> Option<PresenceState> {
        [
            PresenceState::Offline,
            PresenceState::Available,
            PresenceState::NotReady,
        ]
        .into_iter()
        .find(|state| state.as_str() == name)
    }
}

/// What a bearer of a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// A staff member's browser session.
    Session,
    /// An API token for integrations and scripts.
    Api,
    /// A customer's token for one web chat.
    Chat,
}

impl TokenKind {
    /// The name stored.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Session => "session",
            TokenKind::Api => "api",
            TokenKind::Chat => "chat",
        }
    }

    /// The kind with this stored name.
    pub fn from_name(name: &str) -> Option<TokenKind> {
        [TokenKind::Session, TokenKind::Api, TokenKind::Chat]
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }
}

/// A token to store. Only its SHA-256 is kept: a stolen database does not
/// give working tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAuthToken {
    /// The organization it opens.
    pub org: OrgId,
    /// Session, API or chat.
    pub kind: TokenKind,
    /// Lowercase hex SHA-256 of the token, 64 characters.
    pub token_hash: String,
    /// The user it acts as (sessions; API tokens may have none).
    pub user: Option<UserId>,
    /// The role it grants (sessions and API tokens).
    pub role: Option<Role>,
    /// The one chat it opens (chat tokens).
    pub interaction: Option<InteractionId>,
    /// What it is for, shown to admins.
    pub label: String,
    /// When it was issued.
    pub created_at: Timestamp,
    /// When it stops working, if ever.
    pub expires_at: Option<Timestamp>,
}

/// A stored token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthToken {
    /// Its id.
    pub id: i64,
    /// What it is.
    #[serde(flatten)]
    pub spec: NewAuthToken,
}

/// A page of a customer search.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CustomerQuery {
    /// Matches names and emails (case-insensitive substring), phones (any
    /// written form, or digits contained) and Israeli ID numbers; `None`
    /// lists every customer.
    pub text: Option<String>,
    /// Only customers with a larger id (the last id of the previous page).
    pub after: Option<CustomerId>,
    /// Page size, 1 to [`MAX_PAGE`].
    pub limit: u32,
}

/// The largest page a list query returns.
pub const MAX_PAGE: u32 = 500;

/// A SIP account of an agent: what the agent's phone registers with.
/// `username` is unique in the whole installation, because a phone
/// registers to a host that does not name the organization.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SipAccount {
    /// The organization of the agent.
    pub org: OrgId,
    /// The agent.
    pub user: UserId,
    /// Digest user name, 1 to 64 of `[A-Za-z0-9._-]`.
    pub username: String,
    /// Digest realm the HA1 was computed for.
    pub realm: String,
    /// Lowercase hex MD5 of `username:realm:password`, computed by the
    /// caller: the store never sees the password.
    pub ha1: String,
}

/// A SIP account to store for an agent (replacing the agent's previous one).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSipAccount {
    /// The agent.
    pub user: UserId,
    /// Digest user name, unique in the installation.
    pub username: String,
    /// Digest realm.
    pub realm: String,
    /// Lowercase hex MD5 of `username:realm:password`.
    pub ha1: String,
}

// The HA1 opens the account as well as the password does: keep it out of
// logs and panic messages.
macro_rules! debug_without_ha1 {
    ($name:ident { $($field:ident),* }) => {
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    $(.field(stringify!($field), &self.$field))*
                    .field("ha1", &"<redacted>")
                    .finish()
            }
        }
    };
}

debug_without_ha1!(SipAccount {
    org,
    user,
    username,
    realm
});
debug_without_ha1!(NewSipAccount {
    user,
    username,
    realm
});

/// A SIP address (the user part of a Request-URI, such as `billing` or a
/// number such as `035551234`) that reaches a queue. Unique in the
/// installation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SipRoute {
    /// The organization of the queue.
    pub org: OrgId,
    /// The user part callers dial, 1 to 64 of `[A-Za-z0-9._+-]`.
    pub address: String,
    /// The queue the call waits in.
    pub queue: QueueId,
}
