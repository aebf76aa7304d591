//! Keeps the search index (`moked-search`, a tantivy index under
//! `DATA_DIR/search`) in step with the store and answers searches.
//!
//! - Tickets are indexed as `ticket` documents: the subject as title, the
//!   notes and every message of the ticket's conversations (emails, chats,
//!   calls' notes) as text, the customer's phones, emails and ID number.
//! - Conversations that belong to no ticket are indexed as `message`
//!   documents whose id is the interaction: a chat's messages (notes
//!   included: only staff search) with the customer's name as the title.
//!   A conversation linked to a ticket is found through its ticket, once.
//! - Live `message` and `chat_ended` events mark a conversation stale (or
//!   its tickets, once linked), `ticket` events mark a ticket; customers
//!   are marked by the API handlers that change them.
//! - A flusher re-reads what is stale from the store every
//!   [`FLUSH_EVERY`] and commits, so a saved record is found within about
//!   a second, and the index is only ever rebuilt from the store (the
//!   store is the truth; the index can be thrown away).
//! - A first start on an empty index fills it from the store in the
//!   background; [`rebuild`] does the same on demand (`moked reindex`),
//!   reading the store in large pages ([`moked_store::BulkStore`]) while
//!   an indexer thread indexes the page before.
//! - The index failing to open does not stop the server: chats go on and
//!   searches answer 503 naming the reason.

use moked_live::{Live, LiveEvent};
use moked_search::{
    CustomerDoc, DocKind, Hit, Identifiers, MessageDoc, Placement, SearchDoc, SearchError,
    SearchIndex, SearchQuery, TicketDoc,
};
use moked_store::{
    ConversationExport, Customer, CustomerId, Interaction, InteractionId, OrgId, Store, StoreError,
    TicketExport, TicketId, TimelineStep,
};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

mod rebuild;
pub use rebuild::{RebuildError, rebuild};

/// Where the index of an installation lives.
pub fn index_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("search")
}

/// How often stale documents are re-read and committed.
pub const FLUSH_EVERY: Duration = Duration::from_millis(500);
/// Records read from the store at once by a rebuild.
const REBUILD_PAGE: u32 = 5_000;

/// A document to re-read from the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Stale {
    Conversation(OrgId, InteractionId),
    Customer(OrgId, CustomerId),
    Ticket(OrgId, TicketId),
}

/// The search side of the server.
pub struct SearchService {
    index: Result<Arc<SearchIndex>, String>,
    stale: Mutex<HashSet<Stale>>,
}

impl SearchService {
    /// Opens the index in `dir` and starts keeping it in step with `store`
    /// and `live`'s events.
    pub fn start(dir: &Path, store: Arc<dyn Store>, live: Live) -> Arc<SearchService> {
        let index = SearchIndex::open(dir).map(Arc::new).map_err(|error| {
            tracing::error!(%error, "the search index does not open: searches are off");
            error.to_string()
        });
        let service = Arc::new(SearchService {
            index,
            stale: Mutex::new(HashSet::new()),
        });
        if let Ok(index) = &service.index {
            tokio::spawn(follow_store(service.clone(), index.clone(), store, live));
        }
        service
    }

    /// Searches `org`'s documents.
    pub async fn search(&self, org: OrgId, query: SearchQuery) -> Result<Vec<Hit>, SearchFailure> {
        let index = self.index()?;
        tokio::task::spawn_blocking(move || index.search(org.0, &query))
            .await
            .map_err(|join| SearchFailure::Unavailable(join.to_string()))?
            .map_err(SearchFailure::from)
    }

    /// Marks a customer for re-indexing (after it was created or changed).
    pub fn customer_changed(&self, org: OrgId, customer: CustomerId) {
        self.mark(Stale::Customer(org, customer));
    }

    fn index(&self) -> Result<Arc<SearchIndex>, SearchFailure> {
        self.index
            .clone()
            .map_err(|reason| SearchFailure::Unavailable(reason.clone()))
    }

    fn mark(&self, stale: Stale) {
        lock(&self.stale).insert(stale);
    }

    fn take_stale(&self) -> Vec<Stale> {
        lock(&self.stale).drain().collect()
    }
}

/// Why a search was not answered.
#[derive(Debug, thiserror::Error)]
pub enum SearchFailure {
    /// The query is wrong (a limit out of range, a bad filter).
    #[error("{reason}")]
    Invalid {
        /// The query field at fault.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The index cannot answer.
    #[error("search is unavailable: {0}")]
    Unavailable(String),
}

impl From<SearchError> for SearchFailure {
    fn from(error: SearchError) -> Self {
        match error {
            SearchError::InvalidQuery { field, reason } => SearchFailure::Invalid {
                field,
                reason: reason.to_string(),
            },
            other => SearchFailure::Unavailable(other.to_string()),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Follows every organization's events, fills an empty index, and flushes
/// stale documents until the server stops.
async fn follow_store(
    service: Arc<SearchService>,
    index: Arc<SearchIndex>,
    store: Arc<dyn Store>,
    live: Live,
) {
    let mut followed = HashSet::new();
    follow_new_orgs(&service, &store, &live, &mut followed, Arrival::AtStart).await;
    if index.num_docs() == 0 {
        match rebuild(store.as_ref(), &index, |_| {}).await {
            Ok(count) if count > 0 => tracing::info!(count, "search: index filled from the store"),
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "search: filling the index failed"),
        }
    }
    let mut ticks = tokio::time::interval(FLUSH_EVERY);
    loop {
        ticks.tick().await;
        // Organizations added while the server runs (`moked admin org add`).
        follow_new_orgs(&service, &store, &live, &mut followed, Arrival::Later).await;
        flush(&service, &index, store.as_ref()).await;
    }
}

/// When an organization was first seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arrival {
    /// When the server started.
    AtStart,
    /// While the server runs: it is new, and its first records may have
    /// been saved before the subscription.
    Later,
}

/// Subscribes to the events of organizations not followed yet, and marks
/// their open conversations: messages may have come before the
/// subscription (at start, or in a new organization's first moments). A
/// new organization's tickets (a handful) are marked too.
async fn follow_new_orgs(
    service: &Arc<SearchService>,
    store: &Arc<dyn Store>,
    live: &Live,
    followed: &mut HashSet<OrgId>,
    arrival: Arrival,
) {
    let orgs = match store.organizations().await {
        Ok(orgs) => orgs,
        Err(error) => {
            tracing::warn!(%error, "search: cannot list the organizations");
            return;
        }
    };
    for org in orgs {
        if !followed.insert(org.id) {
            continue;
        }
        let events = live.subscribe(org.id);
        tokio::spawn(follow_events(
            service.clone(),
            store.clone(),
            events,
            org.id,
        ));
        mark_open_conversations(service, store.as_ref(), org.id).await;
        if arrival == Arrival::Later {
            mark_tickets(service, store.as_ref(), org.id).await;
        }
    }
}

async fn mark_tickets(service: &SearchService, store: &dyn Store, org: OrgId) {
    let mut after = None;
    loop {
        match store.export_tickets(org, after, REBUILD_PAGE).await {
            Ok(page) => {
                for export in &page {
                    service.mark(Stale::Ticket(org, export.ticket.id));
                }
                after = page.last().map(|export| export.ticket.id);
                if page.len() < REBUILD_PAGE as usize {
                    return;
                }
            }
            Err(error) => {
                tracing::warn!(%error, "search: listing a new organization's tickets failed");
                return;
            }
        }
    }
}

async fn mark_open_conversations(service: &SearchService, store: &dyn Store, org: OrgId) {
    match store.open_interactions(org).await {
        Ok(open) => {
            for interaction in open {
                service.mark(Stale::Conversation(org, interaction.id));
            }
        }
        Err(error) => tracing::warn!(%error, "search: listing open chats failed"),
    }
}

async fn follow_events(
    service: Arc<SearchService>,
    store: Arc<dyn Store>,
    mut events: tokio::sync::broadcast::Receiver<LiveEvent>,
    org: OrgId,
) {
    loop {
        match events.recv().await {
            Ok(LiveEvent::Message { chat, .. } | LiveEvent::ChatEnded { chat, .. }) => {
                service.mark(Stale::Conversation(org, chat));
            }
            Ok(LiveEvent::Ticket { ticket, .. }) => service.mark(Stale::Ticket(org, ticket.id)),
            // A widget's chat finds or creates its customer: index it once
            // it is offered.
            Ok(LiveEvent::Offer {
                customer: Some(customer),
                ..
            }) => service.mark(Stale::Customer(org, customer)),
            Ok(_) => {}
            Err(RecvError::Lagged(missed)) => {
                // The missed messages went to conversations still open.
                tracing::warn!(missed, "search: fell behind the live events");
                mark_open_conversations(&service, store.as_ref(), org).await;
            }
            Err(RecvError::Closed) => break,
        }
    }
}

/// Re-reads the stale documents and commits them.
async fn flush(service: &SearchService, index: &Arc<SearchIndex>, store: &dyn Store) {
    let stale = service.take_stale();
    if stale.is_empty() {
        return;
    }
    for item in stale {
        let doc = match item {
            Stale::Conversation(org, chat) => {
                conversation_doc(service, index, store, org, chat).await
            }
            Stale::Customer(org, id) => match store.customer(org, id).await {
                Ok(customer) => Ok(Some(customer_doc(org, &customer))),
                Err(StoreError::NotFound { .. }) => {
                    index.delete(DocKind::Customer, id.0);
                    Ok(None)
                }
                Err(error) => Err(error),
            },
            Stale::Ticket(org, id) => ticket_doc(index, store, org, id).await,
        };
        match doc {
            Ok(Some(doc)) => {
                if let Err(error) = index.upsert(&doc) {
                    tracing::warn!(%error, "search: a document was not indexed");
                }
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(%error, "search: reading a document failed; it is tried again");
                service.mark(item);
            }
        }
    }
    commit(index).await;
}

async fn commit(index: &Arc<SearchIndex>) {
    let index = index.clone();
    match tokio::task::spawn_blocking(move || index.commit()).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::warn!(%error, "search: commit failed"),
        Err(error) => tracing::warn!(%error, "search: commit task failed"),
    }
}

/// A conversation's document, or `None` when it has no message or no
/// customer. A conversation linked to tickets is part of their documents:
/// its own is removed and the tickets are marked instead.
async fn conversation_doc(
    service: &SearchService,
    index: &SearchIndex,
    store: &dyn Store,
    org: OrgId,
    chat: InteractionId,
) -> Result<Option<SearchDoc>, StoreError> {
    let tickets = store.interaction_tickets(org, chat).await?;
    if !tickets.is_empty() {
        index.delete(DocKind::Message, chat.0);
        for ticket in tickets {
            service.mark(Stale::Ticket(org, ticket));
        }
        return Ok(None);
    }
    let interaction = store.interaction(org, chat).await?;
    let Some(customer) = interaction.customer else {
        return Ok(None);
    };
    let customer = store.customer(org, customer).await?;
    let messages: Vec<String> = store
        .messages(org, chat)
        .await?
        .into_iter()
        .map(|message| message.content.body)
        .collect();
    if messages.is_empty() {
        return Ok(None);
    }
    let conversation = ConversationExport {
        interaction,
        messages,
    };
    Ok(Some(conversation_of(org, &conversation, &customer)))
}

/// A ticket's document, read with the export's one-page query; a ticket
/// that is gone is taken out of the index.
async fn ticket_doc(
    index: &SearchIndex,
    store: &dyn Store,
    org: OrgId,
    id: TicketId,
) -> Result<Option<SearchDoc>, StoreError> {
    let page = store
        .export_tickets(org, Some(TicketId(id.0 - 1)), 1)
        .await?;
    let Some(export) = page.into_iter().find(|export| export.ticket.id == id) else {
        index.delete(DocKind::Ticket, id.0);
        return Ok(None);
    };
    let customer = match export.ticket.customer {
        Some(customer) => Some(store.customer(org, customer).await?),
        None => None,
    };
    Ok(Some(ticket_of(org, &export, customer.as_ref())))
}

/// A conversation's document: its messages, titled with the customer's
/// name.
fn conversation_of(
    org: OrgId,
    conversation: &ConversationExport,
    customer: &Customer,
) -> SearchDoc {
    let interaction = &conversation.interaction;
    SearchDoc::Message(MessageDoc {
        org: org.0,
        id: interaction.id.0,
        subject: customer.details.name.clone(),
        body: conversation.messages.join("\n"),
        placement: placement(interaction),
        created: interaction.created_at,
        sender: identifiers(customer),
    })
}

/// A ticket's document: where it stands (status, its team — the back-office
/// team while escalated — and its agent) for the filters.
fn ticket_of(org: OrgId, export: &TicketExport, customer: Option<&Customer>) -> SearchDoc {
    let ticket = &export.ticket;
    SearchDoc::Ticket(TicketDoc {
        org: org.0,
        id: ticket.id.0,
        subject: ticket.subject.clone(),
        body: export.texts.join("\n"),
        placement: Placement {
            status: Some(ticket.status.to_string()),
            queue: None,
            team: ticket
                .back_office_team
                .or(ticket.team)
                .map(|team| team.0.to_string()),
            agent: ticket.assignee.map(|agent| agent.0.to_string()),
        },
        created: ticket.created_at,
        customer: customer.map(identifiers).unwrap_or_default(),
    })
}

/// Status, queue and last agent of a conversation, for the filters.
fn placement(interaction: &Interaction) -> Placement {
    let mut queue = interaction.queue;
    let mut agent = None;
    for entry in &interaction.timeline {
        match &entry.step {
            TimelineStep::Queued { queue: to } => queue = *to,
            TimelineStep::Transferred {
                to_queue: Some(to), ..
            } => queue = *to,
            TimelineStep::Accepted { agent: by } => agent = Some(*by),
            _ => {}
        }
    }
    let status = if interaction.ended_at.is_some() {
        "ended"
    } else {
        "open"
    };
    Placement {
        status: Some(status.to_owned()),
        queue: Some(queue.0.to_string()),
        team: None,
        agent: agent.map(|agent| agent.0.to_string()),
    }
}

fn customer_doc(org: OrgId, customer: &Customer) -> SearchDoc {
    SearchDoc::Customer(CustomerDoc {
        org: org.0,
        id: customer.id.0,
        name: customer.details.name.clone(),
        notes: customer.details.notes.clone(),
        // The store keeps no creation time for customers: a date filter,
        // meant for conversations and tickets, leaves them out.
        created: jiff::Timestamp::UNIX_EPOCH,
        identifiers: identifiers(customer),
    })
}

fn identifiers(customer: &Customer) -> Identifiers {
    Identifiers {
        phones: customer.details.phones.clone(),
        emails: customer.details.emails.clone(),
        id_numbers: customer.details.israeli_id.iter().cloned().collect(),
    }
}
