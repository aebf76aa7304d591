//! The storage layer of the Moked server: one async trait, [`Store`], over
//! everything a contact center persists, implemented by `moked-store-sqlite`
//! (the default, a file under the data folder) and `moked-store-postgres`.
//!
//! Every method that reads or writes tenant data takes the organization id
//! and is scoped to it: a record of another organization is reported as
//! [`StoreError::NotFound`] and never changed. A write that returned `Ok`
//! is durable: it survives the process being killed.
//!
//! The trait uses `async-trait` rather than native `async fn` in traits:
//! the server chooses its backend at run time (`--database-url`) and keeps
//! an `Arc<dyn Store>`, which native async trait methods cannot offer; the
//! boxed future per call costs nothing next to a database round trip.
//!
//! With the `testsuite` feature, the `testsuite` module holds the checks
//! every backend must pass. With the `sqlx` feature, `sqlx_errors`,
//! `sqlx_rows` and the `impl_store_with_sqlx!` macro hold the implementation
//! both sqlx backends share: the SQL is written once.

pub mod bulk;
pub mod codec;
pub mod error;
pub mod live_batch;
pub mod mail;
pub mod model;
#[cfg(feature = "sqlx")]
pub mod sqlx_bulk;
#[cfg(feature = "sqlx")]
pub mod sqlx_errors;
#[cfg(feature = "sqlx")]
pub mod sqlx_mail;
#[cfg(feature = "sqlx")]
pub mod sqlx_rows;
#[cfg(feature = "sqlx")]
pub mod sqlx_store;
#[cfg(feature = "sqlx")]
pub mod sqlx_tickets;
#[cfg(feature = "testsuite")]
pub mod testsuite;
pub mod ticket;
pub mod validate;

pub use bulk::*;
pub use error::{StoreError, StoreResult};
pub use live_batch::*;
pub use mail::*;
pub use model::*;
pub use ticket::*;

use async_trait::async_trait;
use jiff::Timestamp;
use moked_domain::PhoneE164;

/// Everything the server persists, per organization. The ticket methods
/// are in the supertrait [`TicketStore`] (import it to call them, also on
/// an `Arc<dyn Store>`); the email channel's in [`MailStore`].
#[async_trait]
pub trait Store: TicketStore + MailStore + BulkStore + Send + Sync {
    /// Creates a tenant; its slug must be new.
    async fn create_organization(&self, new: &NewOrganization) -> StoreResult<Organization>;
    /// A tenant by id.
    async fn organization(&self, org: OrgId) -> StoreResult<Organization>;
    /// A tenant by slug (how logins and widget URLs name it).
    async fn organization_by_slug(&self, slug: &str) -> StoreResult<Organization>;
    /// Every tenant, by id (the server starts each one's live center).
    async fn organizations(&self) -> StoreResult<Vec<Organization>>;

    /// Creates a user; the login must be new in the organization.
    async fn create_user(&self, org: OrgId, new: &NewUser) -> StoreResult<User>;
    /// A user by id.
    async fn user(&self, org: OrgId, id: UserId) -> StoreResult<User>;
    /// A user by login name, with the password hash to verify.
    async fn user_by_login(&self, org: OrgId, login: &str) -> StoreResult<User>;
    /// All users, by id.
    async fn users(&self, org: OrgId) -> StoreResult<Vec<User>>;
    /// Replaces a user's details, and the password hash when one is given.
    async fn update_user(&self, org: OrgId, id: UserId, update: &UserUpdate) -> StoreResult<User>;
    /// Moves a user to a team, or out of any.
    async fn set_user_team(
        &self,
        org: OrgId,
        user: UserId,
        team: Option<TeamId>,
    ) -> StoreResult<()>;

    /// Creates a team with a new name.
    async fn create_team(&self, org: OrgId, name: &str) -> StoreResult<Team>;
    /// All teams, by id.
    async fn teams(&self, org: OrgId) -> StoreResult<Vec<Team>>;
    /// Renames a team; the new name must be free.
    async fn rename_team(&self, org: OrgId, id: TeamId, name: &str) -> StoreResult<Team>;
    /// Creates a skill with a new name.
    async fn create_skill(&self, org: OrgId, name: &str) -> StoreResult<Skill>;
    /// All skills, by id.
    async fn skills(&self, org: OrgId) -> StoreResult<Vec<Skill>>;
    /// Renames a skill; the new name must be free.
    async fn rename_skill(&self, org: OrgId, id: SkillId, name: &str) -> StoreResult<Skill>;

    /// Creates a queue with a new name.
    async fn create_queue(&self, org: OrgId, new: &NewQueue) -> StoreResult<Queue>;
    /// A queue by id.
    async fn queue(&self, org: OrgId, id: QueueId) -> StoreResult<Queue>;
    /// All queues, by id.
    async fn queues(&self, org: OrgId) -> StoreResult<Vec<Queue>>;
    /// Replaces a queue's definition.
    async fn update_queue(&self, org: OrgId, id: QueueId, spec: &NewQueue) -> StoreResult<Queue>;

    /// Gives an agent a skill at a level, or changes the level.
    async fn set_agent_skill(
        &self,
        org: OrgId,
        agent: UserId,
        skill: AgentSkill,
    ) -> StoreResult<()>;
    /// Takes a skill away from an agent (nothing happens if it had none).
    async fn remove_agent_skill(
        &self,
        org: OrgId,
        agent: UserId,
        skill: SkillId,
    ) -> StoreResult<()>;
    /// An agent's skills, by skill id.
    async fn agent_skills(&self, org: OrgId, agent: UserId) -> StoreResult<Vec<AgentSkill>>;
    /// Sets how many contacts of a channel an agent handles at once.
    async fn set_agent_capacity(
        &self,
        org: OrgId,
        agent: UserId,
        capacity: AgentCapacity,
    ) -> StoreResult<()>;
    /// An agent's capacities, for the channels that have one.
    async fn agent_capacities(&self, org: OrgId, agent: UserId) -> StoreResult<Vec<AgentCapacity>>;

    /// Creates a wrap-up code with a new code.
    async fn create_wrap_up_code(&self, org: OrgId, new: &NewWrapUpCode)
    -> StoreResult<WrapUpCode>;
    /// All wrap-up codes, by id.
    async fn wrap_up_codes(&self, org: OrgId) -> StoreResult<Vec<WrapUpCode>>;
    /// Replaces a wrap-up code's code and label.
    async fn update_wrap_up_code(
        &self,
        org: OrgId,
        id: WrapUpCodeId,
        spec: &NewWrapUpCode,
    ) -> StoreResult<WrapUpCode>;

    /// Creates a business-hours schedule with a new name.
    async fn create_business_hours(
        &self,
        org: OrgId,
        new: &NewBusinessHours,
    ) -> StoreResult<BusinessHours>;
    /// A business-hours schedule by id.
    async fn business_hours(&self, org: OrgId, id: BusinessHoursId) -> StoreResult<BusinessHours>;
    /// All business-hours schedules, by id.
    async fn business_hours_list(&self, org: OrgId) -> StoreResult<Vec<BusinessHours>>;
    /// Replaces a business-hours schedule (name, zone and every interval).
    async fn update_business_hours(
        &self,
        org: OrgId,
        id: BusinessHoursId,
        spec: &NewBusinessHours,
    ) -> StoreResult<BusinessHours>;

    /// Creates a customer.
    async fn create_customer(&self, org: OrgId, new: &NewCustomer) -> StoreResult<Customer>;
    /// Replaces a customer's details.
    async fn update_customer(
        &self,
        org: OrgId,
        id: CustomerId,
        details: &NewCustomer,
    ) -> StoreResult<Customer>;
    /// A customer by id.
    async fn customer(&self, org: OrgId, id: CustomerId) -> StoreResult<Customer>;
    /// A page of customers matching a search, by id.
    async fn customers(&self, org: OrgId, query: &CustomerQuery) -> StoreResult<Vec<Customer>>;
    /// The customers who gave this phone number, by id.
    async fn customers_by_phone(&self, org: OrgId, phone: &PhoneE164)
    -> StoreResult<Vec<Customer>>;

    /// The first customer (by id) who gave `phone`, or else `new` (which
    /// must list `phone`) created; atomic, so callers racing with the same
    /// new number make one customer. A known number writes nothing.
    async fn find_or_create_customer_by_phone(
        &self,
        org: OrgId,
        phone: &PhoneE164,
        new: &NewCustomer,
    ) -> StoreResult<Customer>;

    /// Records new interactions, each with its first timeline step (a
    /// contact's `queued`), in one transaction: all or none, in order.
    async fn create_interactions(
        &self,
        org: OrgId,
        contacts: &[(NewInteraction, TimelineEntry)],
    ) -> StoreResult<Vec<Interaction>>;
    /// Stores what the live center changed (events, timeline steps,
    /// presences, messages) in one transaction: all or none.
    async fn write_live_batch(&self, org: OrgId, batch: &LiveBatch)
    -> StoreResult<LiveBatchStored>;

    /// Records a new interaction (its timeline starts empty).
    async fn create_interaction(
        &self,
        org: OrgId,
        new: &NewInteraction,
    ) -> StoreResult<Interaction>;
    /// Appends a step to an interaction's timeline; an `Ended` step also
    /// sets its end time.
    async fn append_timeline(
        &self,
        org: OrgId,
        id: InteractionId,
        entry: &TimelineEntry,
    ) -> StoreResult<()>;
    /// Names the customer of an interaction (once the pre-chat form or the
    /// caller's number tells who it is).
    async fn set_interaction_customer(
        &self,
        org: OrgId,
        id: InteractionId,
        customer: CustomerId,
    ) -> StoreResult<()>;
    /// An interaction with its timeline.
    async fn interaction(&self, org: OrgId, id: InteractionId) -> StoreResult<Interaction>;
    /// A customer's interactions on every channel, oldest first.
    async fn customer_interactions(
        &self,
        org: OrgId,
        customer: CustomerId,
    ) -> StoreResult<Vec<Interaction>>;
    /// Interactions that have not ended, oldest first: what a restarted
    /// server puts back into routing.
    async fn open_interactions(&self, org: OrgId) -> StoreResult<Vec<Interaction>>;

    /// Stores a chat message once per idempotency key and interaction; a
    /// retry with the same key returns the stored message, and a different
    /// message under a used key is a [`StoreError::Conflict`].
    async fn insert_message(&self, org: OrgId, new: &NewMessage) -> StoreResult<MessageInsert>;
    /// An interaction's messages in the order they were stored.
    async fn messages(
        &self,
        org: OrgId,
        interaction: InteractionId,
    ) -> StoreResult<Vec<ChatMessage>>;

    /// Records what an agent chose to be (replacing the previous choice).
    async fn set_agent_presence(
        &self,
        org: OrgId,
        user: UserId,
        presence: &AgentPresence,
    ) -> StoreResult<()>;
    /// Every agent's last recorded presence, by user id.
    async fn agent_presences(&self, org: OrgId) -> StoreResult<Vec<(UserId, AgentPresence)>>;

    /// Stores a token's hash with what it grants.
    async fn create_auth_token(&self, new: &NewAuthToken) -> StoreResult<AuthToken>;
    /// The token with this SHA-256 (lowercase hex), if it exists and has
    /// not expired at `now`; otherwise [`StoreError::NotFound`]. Not scoped
    /// to an organization: the token is what names it.
    async fn auth_token(&self, token_hash: &str, now: Timestamp) -> StoreResult<AuthToken>;
    /// Revokes a token (nothing happens if it is unknown).
    async fn delete_auth_token(&self, token_hash: &str) -> StoreResult<()>;

    /// Gives an agent its SIP account, replacing the one it had (one per
    /// user). A user name held by another user, of any organization, is a
    /// [`StoreError::Conflict`] on `sip_account`.
    async fn put_sip_account(&self, org: OrgId, account: NewSipAccount) -> StoreResult<SipAccount>;
    /// The account with this user name, in any organization: a REGISTER
    /// names no organization, the account tells which one it is.
    async fn sip_account_by_username(&self, username: &str) -> StoreResult<Option<SipAccount>>;
    /// The organization's SIP accounts, by user id.
    async fn sip_accounts(&self, org: OrgId) -> StoreResult<Vec<SipAccount>>;
    /// Removes an agent's SIP account (nothing happens if it had none).
    async fn delete_sip_account(&self, org: OrgId, user: UserId) -> StoreResult<()>;
    /// Makes a SIP address reach a queue, or moves it to another queue of
    /// the same organization. An address held by another organization is a
    /// [`StoreError::Conflict`] on `sip_route`.
    async fn put_sip_route(
        &self,
        org: OrgId,
        address: &str,
        queue: QueueId,
    ) -> StoreResult<SipRoute>;
    /// The route of an address, in any organization: an INVITE names no
    /// organization, the address tells which one it is.
    async fn sip_route(&self, address: &str) -> StoreResult<Option<SipRoute>>;
    /// The organization's SIP routes, by address.
    async fn sip_routes(&self, org: OrgId) -> StoreResult<Vec<SipRoute>>;
    /// Removes an address of the organization (nothing happens if it has
    /// no such address).
    async fn delete_sip_route(&self, org: OrgId, address: &str) -> StoreResult<()>;

    /// Appends an event to the organization's log and returns it with its
    /// sequence number (the previous one plus one).
    async fn append_event(&self, org: OrgId, new: &NewEvent) -> StoreResult<Event> {
        let mut appended = self.append_events(org, std::slice::from_ref(new)).await?;
        appended
            .pop()
            .ok_or_else(|| StoreError::corrupt("an append of one event returned none"))
    }
    /// Appends several events in one transaction (one commit, one fsync:
    /// how a busy server amortizes durability), numbered consecutively in
    /// the order given; all are stored or none.
    async fn append_events(&self, org: OrgId, batch: &[NewEvent]) -> StoreResult<Vec<Event>>;
    /// Up to `limit` events with a sequence number of `from_seq` or more, in
    /// order.
    async fn events_from(&self, org: OrgId, from_seq: u64, limit: u32) -> StoreResult<Vec<Event>>;
}

/// Tickets and their configuration, per organization. Every write that
/// changes a ticket also writes its history rows, in the same transaction,
/// and takes a [`TicketActor`]: who, and when (the store reads no clock).
#[async_trait]
pub trait TicketStore: Send + Sync {
    /// Opens a ticket as `new` with the organization's next number.
    async fn create_ticket(
        &self,
        org: OrgId,
        new: &NewTicket,
        by: TicketActor,
    ) -> StoreResult<Ticket>;
    /// A ticket by id.
    async fn ticket(&self, org: OrgId, id: TicketId) -> StoreResult<Ticket>;
    /// A ticket by the number people see.
    async fn ticket_by_number(&self, org: OrgId, number: TicketNumber) -> StoreResult<Ticket>;
    /// A page of tickets matching every filter given, newest first.
    async fn tickets(&self, org: OrgId, query: &TicketQuery) -> StoreResult<Vec<Ticket>>;
    /// Applies changes in order, all or none, with one history row per
    /// change that changes something. A forbidden status move is
    /// [`StoreError::Invalid`] on `status`; a merged ticket cannot change.
    async fn update_ticket(
        &self,
        org: OrgId,
        id: TicketId,
        changes: &[TicketChange],
        by: TicketActor,
    ) -> StoreResult<Ticket>;
    /// A ticket's history, oldest first.
    async fn ticket_history(
        &self,
        org: OrgId,
        id: TicketId,
    ) -> StoreResult<Vec<TicketHistoryEntry>>;
    /// Links an interaction (any channel) to a ticket; linking it again
    /// changes nothing.
    async fn link_interaction(
        &self,
        org: OrgId,
        ticket: TicketId,
        interaction: InteractionId,
        by: TicketActor,
    ) -> StoreResult<()>;
    /// A ticket's interactions, in the order they were linked.
    async fn ticket_links(&self, org: OrgId, ticket: TicketId) -> StoreResult<Vec<TicketLink>>;
    /// The tickets an interaction is linked to, by id.
    async fn interaction_tickets(
        &self,
        org: OrgId,
        interaction: InteractionId,
    ) -> StoreResult<Vec<TicketId>>;
    /// Adds an internal note by `author` at `at`.
    async fn add_ticket_note(
        &self,
        org: OrgId,
        ticket: TicketId,
        body: &str,
        author: UserId,
        at: Timestamp,
    ) -> StoreResult<TicketNote>;
    /// A ticket's notes, oldest first.
    async fn ticket_notes(&self, org: OrgId, ticket: TicketId) -> StoreResult<Vec<TicketNote>>;
    /// Stores a file on a ticket with its size and SHA-256.
    async fn add_attachment(
        &self,
        org: OrgId,
        ticket: TicketId,
        file: &NewAttachment,
        by: TicketActor,
    ) -> StoreResult<Attachment>;
    /// A ticket's attachments (without their bytes), oldest first.
    async fn attachments(&self, org: OrgId, ticket: TicketId) -> StoreResult<Vec<Attachment>>;
    /// An attachment with its bytes.
    async fn attachment_content(&self, org: OrgId, id: i64) -> StoreResult<(Attachment, Vec<u8>)>;
    /// Merges `source` into `target`: the source is closed and points at the
    /// target, its interactions are linked to the target too, and both
    /// histories tell. Returns the target.
    async fn merge_tickets(
        &self,
        org: OrgId,
        source: TicketId,
        target: TicketId,
        by: TicketActor,
    ) -> StoreResult<Ticket>;

    /// Creates a canned response; its name must be new in its language.
    async fn create_canned_response(
        &self,
        org: OrgId,
        new: &NewCannedResponse,
    ) -> StoreResult<CannedResponse>;
    /// Replaces a canned response.
    async fn update_canned_response(
        &self,
        org: OrgId,
        id: i64,
        spec: &NewCannedResponse,
    ) -> StoreResult<CannedResponse>;
    /// All canned responses, by id.
    async fn canned_responses(&self, org: OrgId) -> StoreResult<Vec<CannedResponse>>;
    /// Deletes a canned response.
    async fn delete_canned_response(&self, org: OrgId, id: i64) -> StoreResult<()>;

    /// Creates an SLA policy with a new name.
    async fn create_sla_policy(&self, org: OrgId, new: &NewSlaPolicy) -> StoreResult<SlaPolicy>;
    /// All SLA policies, by id.
    async fn sla_policies(&self, org: OrgId) -> StoreResult<Vec<SlaPolicy>>;
    /// Replaces an SLA policy.
    async fn update_sla_policy(
        &self,
        org: OrgId,
        id: i64,
        spec: &NewSlaPolicy,
    ) -> StoreResult<SlaPolicy>;
    /// Deletes an SLA policy.
    async fn delete_sla_policy(&self, org: OrgId, id: i64) -> StoreResult<()>;

    /// Creates an escalation rule with a new name.
    async fn create_escalation_rule(
        &self,
        org: OrgId,
        new: &NewEscalationRule,
    ) -> StoreResult<EscalationRule>;
    /// All escalation rules, by id.
    async fn escalation_rules(&self, org: OrgId) -> StoreResult<Vec<EscalationRule>>;
    /// Replaces an escalation rule (its team must be the organization's).
    async fn update_escalation_rule(
        &self,
        org: OrgId,
        id: i64,
        spec: &NewEscalationRule,
    ) -> StoreResult<EscalationRule>;
    /// Deletes an escalation rule.
    async fn delete_escalation_rule(&self, org: OrgId, id: i64) -> StoreResult<()>;
}
