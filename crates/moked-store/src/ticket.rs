//! Tickets (cases) as the store keeps them: the ticket, the changes that
//! can be made to it, its history, notes, attachments and links to
//! interactions; and the configuration around tickets (canned responses,
//! SLA policies, escalation rules).
//!
//! How a change turns into new field values and history rows is decided
//! here, once, by [`apply_change`]: the backends only load the ticket,
//! apply the changes and write the result with its history rows in one
//! transaction.

use crate::error::{StoreError, StoreResult};
use crate::model::{CustomerId, InteractionId, Named, TeamId, UserId};
use jiff::Timestamp;
pub use moked_domain::{TicketId, TicketNumber, TicketPriority, TicketStatus};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// A ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    /// Its id.
    pub id: TicketId,
    /// Its number in the organization, shown as `#1042`.
    pub number: TicketNumber,
    /// What it is about.
    pub subject: String,
    /// Where it stands.
    pub status: TicketStatus,
    /// How urgent it is.
    pub priority: TicketPriority,
    /// A free category such as "חיובים" (SLA policies and escalation rules
    /// match on it).
    pub category: Option<String>,
    /// Whose case it is.
    pub customer: Option<CustomerId>,
    /// The agent working on it.
    pub assignee: Option<UserId>,
    /// The team working on it.
    pub team: Option<TeamId>,
    /// The back-office team it was escalated to, while it is there.
    pub back_office_team: Option<TeamId>,
    /// The front-line agent a back-office team hands it back to.
    pub owner: Option<UserId>,
    /// Tags, sorted.
    pub tags: Vec<String>,
    /// When it was opened.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// When an agent first answered the customer.
    pub first_response_at: Option<Timestamp>,
    /// When it was solved, while it is solved or closed.
    pub solved_at: Option<Timestamp>,
    /// The ticket it was merged into (it is then closed).
    pub merged_into: Option<TicketId>,
}

/// What is needed to open a ticket; it starts as `new`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTicket {
    /// What it is about.
    pub subject: String,
    /// How urgent it is.
    pub priority: TicketPriority,
    /// Its category, if known.
    pub category: Option<String>,
    /// Whose case it is, if known.
    pub customer: Option<CustomerId>,
    /// The agent working on it, if any yet.
    pub assignee: Option<UserId>,
    /// The team working on it, if any yet.
    pub team: Option<TeamId>,
    /// Tags (kept sorted, without repeats).
    pub tags: Vec<String>,
}

/// One change to a ticket. Each writes one history row, and only when it
/// really changes something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum TicketChange {
    /// A new subject.
    Subject(String),
    /// A move to another status (only the moves
    /// [`TicketStatus::can_become`] allows).
    Status(TicketStatus),
    /// Another priority.
    Priority(TicketPriority),
    /// Another category, or none.
    Category(Option<String>),
    /// Another customer, or none.
    Customer(Option<CustomerId>),
    /// Another agent, or none.
    Assignee(Option<UserId>),
    /// Another team, or none.
    Team(Option<TeamId>),
    /// Escalated to a back-office team, or handed back (`None`).
    BackOfficeTeam(Option<TeamId>),
    /// Another front-line owner, or none.
    Owner(Option<UserId>),
    /// The whole set of tags.
    Tags(Vec<String>),
    /// An agent answered the customer: sets the first-response time once
    /// (later answers change nothing).
    Responded,
    /// The SLA runner announced a warning or breach: recorded in the
    /// history (always a row; the runner asks the history first) so a
    /// restart neither repeats nor loses the announcement. Changes no field.
    SlaReached {
        /// Which target.
        target: SlaTarget,
        /// Warning or breach.
        kind: SlaKind,
        /// When the target is (or was) due.
        due: Timestamp,
    },
}

impl TicketChange {
    /// The field name written in the history.
    pub fn field(&self) -> &'static str {
        match self {
            TicketChange::Subject(_) => "subject",
            TicketChange::Status(_) => "status",
            TicketChange::Priority(_) => "priority",
            TicketChange::Category(_) => "category",
            TicketChange::Customer(_) => "customer",
            TicketChange::Assignee(_) => "assignee",
            TicketChange::Team(_) => "team",
            TicketChange::BackOfficeTeam(_) => "back_office_team",
            TicketChange::Owner(_) => "owner",
            TicketChange::Tags(_) => "tags",
            TicketChange::Responded => "first_response_at",
            TicketChange::SlaReached { .. } => SLA_HISTORY_FIELD,
        }
    }
}

/// The history field of [`TicketChange::SlaReached`] rows, whose `new`
/// value is `{"target", "kind", "due"}`.
pub const SLA_HISTORY_FIELD: &str = "sla";

/// One row of a ticket's append-only history: who changed what, when,
/// from which value to which (as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketHistoryEntry {
    /// When.
    pub at: Timestamp,
    /// Who; `None` for the system (mail intake, SLA escalation).
    pub actor: Option<UserId>,
    /// What: a field name (`status`, `assignee`, …) or an event (`created`,
    /// `note`, `attachment`, `interaction`, `merged_into`, `merged_from`).
    pub field: String,
    /// The value before (`null` when there was none).
    pub old: Value,
    /// The value after.
    pub new: Value,
}

/// Who made a change and when: every ticket write takes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketActor {
    /// The user, or `None` for the system.
    pub user: Option<UserId>,
    /// When (supplied by the caller: the store reads no clock).
    pub at: Timestamp,
}

/// An internal note on a ticket (never shown to the customer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketNote {
    /// Its id.
    pub id: i64,
    /// Who wrote it.
    pub author: UserId,
    /// The text.
    pub body: String,
    /// When.
    pub created_at: Timestamp,
}

/// A file to attach to a ticket. Its content type must already be checked
/// by the caller (against the bytes, not only the name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment {
    /// The file's name as the customer or agent sent it.
    pub file_name: String,
    /// Its MIME type, such as `application/pdf`.
    pub content_type: String,
    /// Its content, at most [`MAX_ATTACHMENT_BYTES`].
    pub content: Vec<u8>,
}

/// An attachment's description; the bytes are read on their own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// Its id.
    pub id: i64,
    /// The ticket it belongs to.
    pub ticket: TicketId,
    /// The file's name.
    pub file_name: String,
    /// Its MIME type.
    pub content_type: String,
    /// Its size in bytes.
    pub size: u64,
    /// Lowercase hex SHA-256 of its content.
    pub sha256: String,
    /// Who attached it (`None`: arrived with an email).
    pub uploaded_by: Option<UserId>,
    /// When.
    pub created_at: Timestamp,
}

/// The largest attachment the store keeps: 10 MiB.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

/// A page of tickets: every filter given must match; newest first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TicketQuery {
    /// Any of these statuses (empty: every status).
    pub statuses: Vec<TicketStatus>,
    /// This priority.
    pub priority: Option<TicketPriority>,
    /// This agent.
    pub assignee: Option<UserId>,
    /// This team.
    pub team: Option<TeamId>,
    /// Escalated to this back-office team (its own view).
    pub back_office_team: Option<TeamId>,
    /// This customer.
    pub customer: Option<CustomerId>,
    /// Changed at or after this time.
    pub updated_since: Option<Timestamp>,
    /// Only tickets with a smaller id (the last id of the previous page).
    pub before: Option<TicketId>,
    /// Page size, 1 to [`MAX_PAGE`](crate::MAX_PAGE).
    pub limit: u32,
}

/// A language of canned responses.
pub const CANNED_LANGUAGES: [&str; 2] = ["he", "en"];

/// A prepared answer agents insert, with placeholders such as
/// `{{customer.first_name}}` filled in when used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedResponse {
    /// Its id.
    pub id: i64,
    /// Its definition.
    #[serde(flatten)]
    pub spec: NewCannedResponse,
}

/// A canned response's definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCannedResponse {
    /// Name agents pick it by; unique per language in the organization.
    pub name: String,
    /// `he` or `en`.
    pub lang: String,
    /// The text with its placeholders.
    pub body: String,
    /// What using it does to the ticket: a macro. Empty for a plain canned
    /// response.
    #[serde(default)]
    pub actions: MacroActions,
}

/// The changes a macro makes to the ticket it is used on. Every field is
/// optional; each change writes its own history row.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MacroActions {
    /// The status the ticket moves to.
    pub status: Option<TicketStatus>,
    /// The priority it gets.
    pub priority: Option<TicketPriority>,
    /// The category it gets.
    pub category: Option<String>,
    /// Tags added.
    pub add_tags: Vec<String>,
    /// Tags removed.
    pub remove_tags: Vec<String>,
    /// The team it is assigned to.
    pub team: Option<TeamId>,
    /// The agent it is assigned to.
    pub assignee: Option<UserId>,
    /// An internal note added by the agent who uses the macro.
    pub note: Option<String>,
}

impl MacroActions {
    /// Whether using it changes nothing (a plain canned response).
    pub fn is_empty(&self) -> bool {
        self == &MacroActions::default()
    }

    /// The changes these actions make to `ticket`, in the order a person
    /// would make them: fields, then tags, then the status last (so a
    /// reassignment comes before the move, as in a `PATCH`). The note is
    /// not a change: the caller adds it.
    pub fn changes(&self, ticket: &Ticket) -> Vec<TicketChange> {
        let mut changes = Vec::new();
        changes.extend(self.priority.map(TicketChange::Priority));
        changes.extend(
            self.category
                .clone()
                .map(|c| TicketChange::Category(Some(c))),
        );
        changes.extend(self.team.map(|t| TicketChange::Team(Some(t))));
        changes.extend(self.assignee.map(|u| TicketChange::Assignee(Some(u))));
        if !self.add_tags.is_empty() || !self.remove_tags.is_empty() {
            let tags = ticket
                .tags
                .iter()
                .chain(&self.add_tags)
                .filter(|tag| !self.remove_tags.contains(tag))
                .cloned()
                .collect::<Vec<_>>();
            changes.push(TicketChange::Tags(tags));
        }
        changes.extend(self.status.map(TicketChange::Status));
        changes
    }
}

/// Response and resolution targets for the tickets a policy matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaPolicy {
    /// Its id.
    pub id: i64,
    /// Its definition.
    #[serde(flatten)]
    pub spec: NewSlaPolicy,
}

/// An SLA policy's definition. A policy with neither priority nor category
/// is the default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSlaPolicy {
    /// Name, unique in the organization.
    pub name: String,
    /// The priority it covers, or any.
    pub priority: Option<TicketPriority>,
    /// The category it covers, or any.
    pub category: Option<String>,
    /// First response within this many business minutes.
    pub first_response_minutes: u32,
    /// Solved within this many business minutes.
    pub resolution_minutes: u32,
}

/// When an escalation rule sends a ticket to a back-office team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "category", rename_all = "snake_case")]
pub enum EscalationTrigger {
    /// When a ticket breaches its SLA.
    Breach,
    /// When a ticket gets this category.
    Category(String),
}

/// A rule moving tickets to a back-office team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationRule {
    /// Its id.
    pub id: i64,
    /// Its definition.
    #[serde(flatten)]
    pub spec: NewEscalationRule,
}

/// An escalation rule's definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEscalationRule {
    /// Name, unique in the organization.
    pub name: String,
    /// When it applies.
    pub trigger: EscalationTrigger,
    /// The back-office team tickets go to.
    pub team: TeamId,
}

/// A ticket's link to an interaction on any channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketLink {
    /// The interaction.
    pub interaction: InteractionId,
    /// When it was linked.
    pub linked_at: Timestamp,
}

/// A ticket as the API and the live events show it: names instead of bare
/// ids, and where its SLA stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketView {
    /// Its id.
    pub id: TicketId,
    /// Its number, such as 1042.
    pub number: TicketNumber,
    /// The number as people write it, `#1042`.
    pub display: String,
    /// What it is about.
    pub subject: String,
    /// Where it stands.
    pub status: TicketStatus,
    /// How urgent it is.
    pub priority: TicketPriority,
    /// Its category.
    pub category: Option<String>,
    /// Whose case it is.
    pub customer: Option<Named<i64>>,
    /// The agent working on it.
    pub assignee: Option<Named<i64>>,
    /// The team working on it.
    pub team: Option<Named<i64>>,
    /// The back-office team it is escalated to.
    pub back_office_team: Option<Named<i64>>,
    /// The front-line agent it goes back to.
    pub owner: Option<Named<i64>>,
    /// Tags, sorted.
    pub tags: Vec<String>,
    /// When it was opened.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// When an agent first answered.
    pub first_response_at: Option<Timestamp>,
    /// When it was solved.
    pub solved_at: Option<Timestamp>,
    /// The ticket it was merged into.
    pub merged_into: Option<TicketId>,
    /// Its SLA, when a policy covers it.
    pub sla: Option<TicketSla>,
}

/// Where a ticket's SLA stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketSla {
    /// The policy's name.
    pub policy: String,
    /// When the first response is due; `None` while that clock is paused
    /// or stopped.
    pub first_response_due: Option<Timestamp>,
    /// When the resolution is due; `None` while that clock is paused or
    /// stopped.
    pub resolution_due: Option<Timestamp>,
    /// The state of the clock closest to its target.
    pub state: SlaState,
}

/// A ticket's SLA in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    /// Running, below 80% of every target.
    Ok,
    /// A running clock passed 80% of its target.
    Warning,
    /// A clock passed its target.
    Breached,
    /// Waiting for the customer: the clocks stand still.
    Paused,
    /// Every target was met.
    Met,
}

/// Which SLA event a ticket reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaKind {
    /// 80% of the target.
    Warning,
    /// The target itself.
    Breach,
}

/// Which of a ticket's SLA targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaTarget {
    /// The first answer to the customer.
    FirstResponse,
    /// Solving the ticket.
    Resolution,
}

/// Applies one change to `ticket` at `at`: the history row it writes
/// (field, old, new), or `None` when nothing changes. A status move the
/// state machine forbids is [`StoreError::Invalid`] on `status`.
pub fn apply_change(
    ticket: &mut Ticket,
    change: &TicketChange,
    at: Timestamp,
) -> StoreResult<Option<(Value, Value)>> {
    let swap = |old: Value, new: Value| (old != new).then_some((old, new));
    let entry = match change {
        TicketChange::Subject(subject) => swap(
            json!(std::mem::replace(&mut ticket.subject, subject.clone())),
            json!(subject),
        ),
        TicketChange::Status(status) => change_status(ticket, *status, at)?,
        TicketChange::Priority(p) => {
            swap(json!(std::mem::replace(&mut ticket.priority, *p)), json!(p))
        }
        TicketChange::Category(c) => swap(
            json!(std::mem::replace(&mut ticket.category, c.clone())),
            json!(c),
        ),
        TicketChange::Customer(c) => {
            swap(json!(std::mem::replace(&mut ticket.customer, *c)), json!(c))
        }
        TicketChange::Assignee(u) => {
            swap(json!(std::mem::replace(&mut ticket.assignee, *u)), json!(u))
        }
        TicketChange::Team(t) => swap(json!(std::mem::replace(&mut ticket.team, *t)), json!(t)),
        TicketChange::BackOfficeTeam(t) => swap(
            json!(std::mem::replace(&mut ticket.back_office_team, *t)),
            json!(t),
        ),
        TicketChange::Owner(u) => swap(json!(std::mem::replace(&mut ticket.owner, *u)), json!(u)),
        TicketChange::Tags(tags) => {
            let tags = normalized_tags(tags);
            swap(
                json!(std::mem::replace(&mut ticket.tags, tags.clone())),
                json!(tags),
            )
        }
        TicketChange::Responded => match ticket.first_response_at {
            Some(_) => None,
            None => {
                ticket.first_response_at = Some(at);
                Some((Value::Null, json!(at)))
            }
        },
        TicketChange::SlaReached { target, kind, due } => {
            // A record of the clock, not a change by anyone: the ticket's
            // place in the newest-updated list stays.
            let reached = json!({"target": target, "kind": kind, "due": due});
            return Ok(Some((Value::Null, reached)));
        }
    };
    if entry.is_some() {
        ticket.updated_at = at;
    }
    Ok(entry)
}

/// A status move: solving stamps the time, reopening clears it.
fn change_status(
    ticket: &mut Ticket,
    status: TicketStatus,
    at: Timestamp,
) -> StoreResult<Option<(Value, Value)>> {
    if status == ticket.status {
        return Ok(None);
    }
    if !ticket.status.can_become(status) {
        return Err(StoreError::invalid(
            "status",
            format!("a {} ticket cannot become {status}", ticket.status),
        ));
    }
    if status == TicketStatus::Solved {
        ticket.solved_at = Some(at);
    } else if !status.is_resolved() {
        ticket.solved_at = None;
    }
    let old = std::mem::replace(&mut ticket.status, status);
    Ok(Some((json!(old), json!(status))))
}

/// The status moves a ticket's history records, oldest first: what
/// [`moked_sla::sla_status`] counts the SLA clocks from. A row whose value
/// is not a status is reported as corrupt data.
pub fn status_changes(history: &[TicketHistoryEntry]) -> StoreResult<Vec<moked_sla::StatusChange>> {
    history
        .iter()
        .filter(|entry| entry.field == "status")
        .map(|entry| {
            let status = entry
                .new
                .as_str()
                .and_then(|name| name.parse::<TicketStatus>().ok())
                .ok_or_else(|| StoreError::corrupt(format!("history status {}", entry.new)))?;
            Ok(moked_sla::StatusChange {
                at: entry.at,
                status,
            })
        })
        .collect()
}

/// Lowercase hex SHA-256 of an attachment's content.
pub fn sha256_hex(content: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(content)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Tags sorted and without repeats: the stored form.
pub fn normalized_tags(tags: &[String]) -> Vec<String> {
    let mut tags = tags.to_vec();
    tags.sort();
    tags.dedup();
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket() -> Ticket {
        let at = Timestamp::from_second(1_795_000_000).expect("valid");
        Ticket {
            id: TicketId(1),
            number: TicketNumber::FIRST,
            subject: "החשבונית גבוהה מדי".into(),
            status: TicketStatus::New,
            priority: TicketPriority::Normal,
            category: Some("חיובים".into()),
            customer: None,
            assignee: None,
            team: None,
            back_office_team: None,
            owner: None,
            tags: vec![],
            created_at: at,
            updated_at: at,
            first_response_at: None,
            solved_at: None,
            merged_into: None,
        }
    }

    fn later(minutes: i64) -> Timestamp {
        ticket().created_at + jiff::SignedDuration::from_mins(minutes)
    }

    #[test]
    fn a_change_records_old_and_new_and_touches_the_ticket() {
        let mut t = ticket();
        let entry = apply_change(&mut t, &TicketChange::Assignee(Some(UserId(7))), later(5));
        assert_eq!(entry.expect("valid"), Some((Value::Null, json!(7))));
        assert_eq!(t.assignee, Some(UserId(7)));
        assert_eq!(t.updated_at, later(5));
        let same = apply_change(&mut t, &TicketChange::Assignee(Some(UserId(7))), later(6));
        assert_eq!(same.expect("valid"), None, "no change, no history row");
        assert_eq!(t.updated_at, later(5));
    }

    #[test]
    fn solving_stamps_and_reopening_clears_the_time() {
        let mut t = ticket();
        apply_change(
            &mut t,
            &TicketChange::Status(TicketStatus::Solved),
            later(30),
        )
        .expect("ok");
        assert_eq!(t.solved_at, Some(later(30)));
        apply_change(&mut t, &TicketChange::Status(TicketStatus::Open), later(40)).expect("ok");
        assert_eq!(t.solved_at, None);
        apply_change(
            &mut t,
            &TicketChange::Status(TicketStatus::Closed),
            later(50),
        )
        .expect("ok");
        let reopen = apply_change(&mut t, &TicketChange::Status(TicketStatus::Open), later(60));
        assert!(matches!(
            reopen,
            Err(StoreError::Invalid {
                field: "status",
                ..
            })
        ));
        assert_eq!(t.status, TicketStatus::Closed);
    }

    #[test]
    fn the_first_response_is_kept() {
        let mut t = ticket();
        apply_change(&mut t, &TicketChange::Responded, later(3)).expect("ok");
        let again = apply_change(&mut t, &TicketChange::Responded, later(9)).expect("ok");
        assert_eq!(again, None);
        assert_eq!(t.first_response_at, Some(later(3)));
    }

    #[test]
    fn the_history_gives_the_status_moves_in_order() {
        let mut t = ticket();
        let mut history = Vec::new();
        let changes = [
            TicketChange::Assignee(Some(UserId(3))),
            TicketChange::Status(TicketStatus::Open),
            TicketChange::Status(TicketStatus::PendingCustomer),
        ];
        for (minute, change) in (1..).zip(&changes) {
            let (old, new) = apply_change(&mut t, change, later(minute))
                .expect("valid")
                .expect("a change");
            history.push(TicketHistoryEntry {
                at: later(minute),
                actor: None,
                field: change.field().into(),
                old,
                new,
            });
        }
        let moves = status_changes(&history).expect("valid history");
        assert_eq!(
            moves,
            [
                moked_sla::StatusChange {
                    at: later(2),
                    status: TicketStatus::Open
                },
                moked_sla::StatusChange {
                    at: later(3),
                    status: TicketStatus::PendingCustomer
                },
            ]
        );
        history[1].new = json!("בטיפול");
        assert!(matches!(
            status_changes(&history),
            Err(StoreError::Backend(_))
        ));
    }

    #[test]
    fn an_sla_record_is_history_only() {
        let mut t = ticket();
        let reached = TicketChange::SlaReached {
            target: SlaTarget::FirstResponse,
            kind: SlaKind::Warning,
            due: later(240),
        };
        let entry = apply_change(&mut t, &reached, later(200)).expect("valid");
        let expected = json!({"target": "first_response", "kind": "warning", "due": later(240)});
        assert_eq!(entry, Some((Value::Null, expected)));
        assert_eq!(reached.field(), SLA_HISTORY_FIELD);
        assert_eq!(t, ticket(), "no field changes, not even updated_at");
    }

    #[test]
    fn attachments_are_hashed_with_sha256() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_macro_changes_fields_then_tags_then_the_status() {
        let mut t = ticket();
        t.tags = vec!["חדש".into(), "vip".into()];
        let actions = MacroActions {
            status: Some(TicketStatus::PendingCustomer),
            priority: Some(TicketPriority::High),
            add_tags: vec!["החזר".into(), "vip".into()],
            remove_tags: vec!["חדש".into()],
            team: Some(TeamId(4)),
            note: Some("נשלח טופס החזר".into()),
            ..MacroActions::default()
        };
        let changes = actions.changes(&t);
        let tags = match &changes[2] {
            TicketChange::Tags(tags) => normalized_tags(tags),
            other => panic!("tags third, got {other:?}"),
        };
        assert_eq!(tags, ["vip", "החזר"]);
        assert_eq!(
            [&changes[0], &changes[1], &changes[3]],
            [
                &TicketChange::Priority(TicketPriority::High),
                &TicketChange::Team(Some(TeamId(4))),
                &TicketChange::Status(TicketStatus::PendingCustomer),
            ]
        );
        assert!(MacroActions::default().changes(&t).is_empty());
        assert!(!actions.is_empty());
    }

    #[test]
    fn tags_are_a_sorted_set() {
        let mut t = ticket();
        let tags = vec!["דחוף".to_string(), "vip".into(), "דחוף".into()];
        let entry = apply_change(&mut t, &TicketChange::Tags(tags), later(1)).expect("ok");
        assert_eq!(entry, Some((json!([]), json!(["vip", "דחוף"]))));
    }
}
