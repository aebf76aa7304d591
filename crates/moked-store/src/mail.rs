//! The email channel as the store keeps it: the addresses organizations
//! receive mail at, every inbound email with its raw bytes and what it was
//! linked to, and the durable outbox of agents' replies.
//!
//! An inbound email is stored before anything else is done with it (the
//! SMTP `250` promises it is kept), then linked to the customer message,
//! interaction and ticket it became. The outbox holds a reply until the
//! relay took it: a restart resumes sending, each failure is recorded with
//! the time of the next attempt.

use crate::error::StoreResult;
use crate::model::{ChatMessage, CustomerId, InteractionId, MessageId, OrgId, QueueId};
use crate::ticket::TicketId;
use async_trait::async_trait;
use jiff::Timestamp;
pub use moked_domain::EmailAddress;
use serde::{Deserialize, Serialize};

/// The longest subject, flag list or header value the store keeps, in
/// characters (longer ones are cut by the caller; RFC 5322 lines are 998).
pub const MAX_MAIL_TEXT_CHARS: usize = 4000;

/// An address an organization receives mail at, and the queue that mail
/// enters. Unique in the installation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailAddress {
    /// The organization.
    pub org: OrgId,
    /// The address, lowercase.
    pub address: EmailAddress,
    /// The email queue new mail enters.
    pub queue: QueueId,
    /// The name replies are sent under, such as "שירות לקוחות".
    pub display_name: String,
}

/// An inbound email to store, as parsed (the raw bytes kept as received).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEmail {
    /// The organization address it was received at.
    pub received_by: EmailAddress,
    /// When it arrived.
    pub received_at: Timestamp,
    /// Message-ID without angle brackets.
    pub message_id: Option<String>,
    /// In-Reply-To ids.
    pub in_reply_to: Vec<String>,
    /// References ids, oldest first.
    pub references: Vec<String>,
    /// The sender's address, if it had a valid one.
    pub from: Option<EmailAddress>,
    /// The sender's display name.
    pub from_name: Option<String>,
    /// The To addresses.
    pub to: Vec<EmailAddress>,
    /// The decoded subject.
    pub subject: String,
    /// What is special about it: `damaged`, `auto_reply`, `bounce`, …
    pub flags: Vec<String>,
    /// The message exactly as received.
    pub raw: Vec<u8>,
}

/// A stored inbound email (without its raw bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEmail {
    /// Its id.
    pub id: i64,
    /// The organization address it was received at.
    pub received_by: String,
    /// When it arrived.
    pub received_at: Timestamp,
    /// Message-ID without angle brackets.
    pub message_id: Option<String>,
    /// In-Reply-To ids.
    pub in_reply_to: Vec<String>,
    /// References ids, oldest first.
    pub references: Vec<String>,
    /// The sender's address.
    pub from: Option<String>,
    /// The sender's display name.
    pub from_name: Option<String>,
    /// The To addresses.
    pub to: Vec<String>,
    /// The decoded subject.
    pub subject: String,
    /// Flags, see [`NewEmail::flags`].
    pub flags: Vec<String>,
    /// Size of the raw message in bytes.
    pub size: u64,
    /// The customer message it became.
    pub message: Option<MessageId>,
    /// The interaction that message is in.
    pub interaction: Option<InteractionId>,
    /// The ticket it belongs to.
    pub ticket: Option<TicketId>,
    /// The customer who sent it.
    pub customer: Option<CustomerId>,
    /// Whether its handling is complete (a retried delivery of a processed
    /// email changes nothing).
    pub processed: bool,
}

/// What an inbound email became, set once it is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EmailLinks {
    /// The customer message.
    pub message: Option<MessageId>,
    /// The interaction.
    pub interaction: Option<InteractionId>,
    /// The ticket.
    pub ticket: Option<TicketId>,
    /// The customer.
    pub customer: Option<CustomerId>,
}

/// A reply to put in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOutboundEmail {
    /// The ticket answered.
    pub ticket: TicketId,
    /// The interaction the reply was written in, if any.
    pub interaction: Option<InteractionId>,
    /// The agent message it sends; a second reply for the same message is
    /// the first one (idempotent).
    pub message: Option<MessageId>,
    /// The organization's address.
    pub from: EmailAddress,
    /// The organization's display name.
    pub from_name: String,
    /// The customer.
    pub to: EmailAddress,
    /// The customer's name.
    pub to_name: Option<String>,
    /// The subject of the message answered.
    pub subject: String,
    /// The Message-ID answered.
    pub in_reply_to: Option<String>,
    /// The thread's ids, oldest first.
    pub references: Vec<String>,
    /// The text.
    pub body: String,
    /// When it was queued (and first due).
    pub created_at: Timestamp,
}

/// A reply in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundEmail {
    /// Its id.
    pub id: i64,
    /// The organization.
    pub org: OrgId,
    /// What was queued.
    pub spec: NewOutboundEmail,
    /// Attempts made so far.
    pub attempts: u32,
    /// When the next attempt is due.
    pub next_attempt_at: Timestamp,
    /// When the relay took it.
    pub sent_at: Option<Timestamp>,
    /// The Message-ID it was sent with.
    pub sent_message_id: Option<String>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

/// Receiving addresses, inbound emails and the reply outbox.
#[async_trait]
pub trait MailStore: Send + Sync {
    /// Makes an address receive mail into a queue of the organization, or
    /// changes its queue and name. An address of another organization is a
    /// [`StoreError::Conflict`](crate::StoreError) on `mail_address`.
    async fn put_mail_address(
        &self,
        org: OrgId,
        address: &EmailAddress,
        queue: QueueId,
        display_name: &str,
    ) -> StoreResult<MailAddress>;
    /// The owner of an address, in any organization: an SMTP recipient
    /// names no organization, the address tells which one it is.
    async fn mail_address(&self, address: &EmailAddress) -> StoreResult<Option<MailAddress>>;
    /// The organization's addresses, by address.
    async fn mail_addresses(&self, org: OrgId) -> StoreResult<Vec<MailAddress>>;
    /// Every organization's addresses (what the SMTP listener accepts).
    async fn all_mail_addresses(&self) -> StoreResult<Vec<MailAddress>>;
    /// Removes an address (nothing happens if the organization has none such).
    async fn delete_mail_address(&self, org: OrgId, address: &EmailAddress) -> StoreResult<()>;

    /// The first customer with this email address, if any.
    async fn customer_by_email(
        &self,
        org: OrgId,
        email: &EmailAddress,
    ) -> StoreResult<Option<CustomerId>>;

    /// Stores an inbound email. One with a Message-ID already stored is not
    /// stored again: the stored one is returned (an SMTP client retrying).
    async fn insert_email(&self, org: OrgId, new: &NewEmail) -> StoreResult<StoredEmail>;
    /// Records what an email became and marks it processed.
    async fn link_email(&self, org: OrgId, id: i64, links: EmailLinks) -> StoreResult<()>;
    /// An email by id.
    async fn email(&self, org: OrgId, id: i64) -> StoreResult<StoredEmail>;
    /// An email's raw bytes.
    async fn email_raw(&self, org: OrgId, id: i64) -> StoreResult<Vec<u8>>;
    /// The email with this Message-ID, if stored.
    async fn email_by_message_id(
        &self,
        org: OrgId,
        message_id: &str,
    ) -> StoreResult<Option<StoredEmail>>;
    /// The emails of a ticket, oldest first.
    async fn ticket_emails(&self, org: OrgId, ticket: TicketId) -> StoreResult<Vec<StoredEmail>>;

    /// Queues a reply (or returns the one queued for the same message).
    async fn enqueue_outbound(
        &self,
        org: OrgId,
        new: &NewOutboundEmail,
    ) -> StoreResult<OutboundEmail>;
    /// Replies of every organization due at `now`, oldest due first.
    async fn due_outbound(&self, now: Timestamp, limit: u32) -> StoreResult<Vec<OutboundEmail>>;
    /// The relay took a reply, sent with this Message-ID.
    async fn outbound_sent(
        &self,
        org: OrgId,
        id: i64,
        message_id: &str,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// An attempt failed; the next one is due at `retry_at`.
    async fn outbound_failed(
        &self,
        org: OrgId,
        id: i64,
        error: &str,
        retry_at: Timestamp,
    ) -> StoreResult<()>;
    /// Agents' messages the outbox has yet to queue, of every organization,
    /// oldest first: not internal notes, in an email interaction that is
    /// open or ended at `ended_since` or later, linked to a ticket with a
    /// customer's email to answer, and with no outbox row. The outbox reads
    /// its work from here (not from live events, which a crash or a lag
    /// loses), so every stored reply is queued once.
    async fn unqueued_replies(
        &self,
        ended_since: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<(OrgId, ChatMessage)>>;
    /// A ticket's replies, oldest first.
    async fn ticket_outbound(
        &self,
        org: OrgId,
        ticket: TicketId,
    ) -> StoreResult<Vec<OutboundEmail>>;
}
