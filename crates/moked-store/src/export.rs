//! Reading a whole organization in pages, in id order, for what is derived
//! from the store and rebuilt from it (the search index). Each page costs a
//! fixed handful of queries whatever its size — never one per record — so a
//! million tickets are read in a few thousand round trips.

use crate::{
    Customer, CustomerId, Interaction, InteractionId, OrgId, StoreResult, Ticket, TicketId,
};
use async_trait::async_trait;

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

/// Pages of an organization's records in id order: pass the last id of a
/// page as `after` to get the next; a page shorter than `limit` is the last.
#[async_trait]
pub trait ExportStore: Send + Sync {
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
    /// linked to no ticket (a ticket's conversations are part of the ticket).
    /// A page may hold fewer than `limit` records before the last page: the
    /// next `after` is then [`ConversationPage::last`].
    async fn export_conversations(
        &self,
        org: OrgId,
        after: Option<InteractionId>,
        limit: u32,
    ) -> StoreResult<ConversationPage>;
}

/// A page of conversations.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConversationPage {
    /// The conversations with messages and no ticket.
    pub conversations: Vec<ConversationExport>,
    /// The last interaction id the page looked at, `None` when there was
    /// none left: the `after` of the next page.
    pub last: Option<InteractionId>,
}
