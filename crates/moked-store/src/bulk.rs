//! Bulk work on an organization's records.
//!
//! - Export: reading a whole organization in pages, in id order, for what
//!   is derived from the store and rebuilt from it (the search index). Each
//!   page costs a fixed handful of queries whatever its size — never one per
//!   record — so a million tickets are read in a few thousand round trips.
//! - Import: writing customers and tickets with their finished
//!   conversations in one transaction per batch, for bringing history from
//!   another helpdesk (and for the search benchmark's million tickets).

use crate::{
    Customer, CustomerId, Interaction, InteractionId, NewCustomer, NewTicket, OrgId, QueueId,
    Sender, StoreResult, Ticket, TicketId, TicketStatus,
};
use async_trait::async_trait;
use jiff::Timestamp;
use moked_domain::Channel;

/// The largest page an export reads at once.
pub const MAX_EXPORT_PAGE: u32 = 10_000;

/// A ticket with every text that belongs to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketExport {
    /// The ticket, with its tags.
    pub ticket: Ticket,
    /// Its internal notes, then the messages of its linked interactions, in
    /// order.
    pub texts: Vec<String>,
}

/// A conversation that belongs to no ticket, with its messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationExport {
    /// The interaction, with its timeline.
    pub interaction: Interaction,
    /// Its messages' bodies (notes included), in order.
    pub messages: Vec<String>,
}

/// The most records one import call takes.
pub const MAX_IMPORT_BATCH: usize = 10_000;

/// A ticket from elsewhere, as it stands, with its conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedTicket {
    /// Subject, priority, category, customer, assignee, team and tags.
    pub ticket: NewTicket,
    /// Where it stands now (a solved or closed ticket is solved at
    /// `updated_at`).
    pub status: TicketStatus,
    /// When it was opened.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// The conversation it came from, stored as an ended interaction linked
    /// to the ticket.
    pub conversation: Option<ImportedConversation>,
}

/// A finished conversation of an imported ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedConversation {
    /// The channel it came on.
    pub channel: Channel,
    /// The queue it is counted in.
    pub queue: QueueId,
    /// Its messages, in order.
    pub messages: Vec<ImportedMessage>,
}

/// One message of an imported conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedMessage {
    /// Who wrote it.
    pub sender: Sender,
    /// Its text.
    pub body: String,
    /// When it was sent.
    pub sent_at: Timestamp,
}

/// Bulk reads and writes of an organization's records.
///
/// Export pages come in id order: pass the last id of a page as `after` to
/// get the next; a page shorter than `limit` is the last.
#[async_trait]
pub trait BulkStore: Send + Sync {
    /// Customers with an id above `after`, with their phones and emails.
    async fn export_customers(
        &self,
        org: OrgId,
        after: Option<CustomerId>,
        limit: u32,
    ) -> StoreResult<Vec<Customer>>;

    /// Tickets with an id above `after`, with their texts.
    async fn export_tickets(
        &self,
        org: OrgId,
        after: Option<TicketId>,
        limit: u32,
    ) -> StoreResult<Vec<TicketExport>>;

    /// Interactions with an id above `after` that have messages and are
    /// linked to no ticket (a ticket's conversations are part of the
    /// ticket); the others are skipped by the query, not read.
    async fn export_conversations(
        &self,
        org: OrgId,
        after: Option<InteractionId>,
        limit: u32,
    ) -> StoreResult<Vec<ConversationExport>>;

    /// Creates customers in one transaction (all or none); ids in order.
    async fn import_customers(
        &self,
        org: OrgId,
        customers: &[NewCustomer],
    ) -> StoreResult<Vec<CustomerId>>;

    /// Creates tickets with their conversations in one transaction (all or
    /// none), numbered in order after the organization's last ticket; each
    /// gets one `created` history row. Ids in order.
    async fn import_tickets(
        &self,
        org: OrgId,
        tickets: &[ImportedTicket],
    ) -> StoreResult<Vec<TicketId>>;
}
