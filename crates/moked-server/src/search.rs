//! Keeps the search index (`moked-search`, a tantivy index under
//! `DATA_DIR/search`) in step with the store and answers searches.
//!
//! - Conversations are indexed as `message` documents whose id is the
//!   interaction: a chat's messages (notes included: only staff search)
//!   with the customer's name as the title. Live `message` and
//!   `chat_ended` events mark a conversation stale; customers are marked
//!   by the API handlers that change them.
//! - A flusher re-reads what is stale from the store every
//!   [`FLUSH_EVERY`] and commits, so a saved record is found within about
//!   a second, and the index is only ever rebuilt from the store (the
//!   store is the truth; the index can be thrown away).
//! - A first start on an empty index fills it from the store in the
//!   background; [`rebuild`] does the same on demand (`moked reindex`).
//! - The index failing to open does not stop the server: chats go on and
//!   searches answer 503 naming the reason.

use moked_live::{Live, LiveEvent};
use moked_search::{
    CustomerDoc, DocKind, Hit, Identifiers, MessageDoc, Placement, SearchDoc, SearchError,
    SearchIndex, SearchQuery,
};
use moked_store::{
    Customer, CustomerId, CustomerQuery, Interaction, InteractionId, MAX_PAGE, OrgId, Store,
    StoreError, TimelineStep,
};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// Where the index of an installation lives.
pub fn index_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("search")
}

/// How often stale documents are re-read and committed.
pub const FLUSH_EVERY: Duration = Duration::from_millis(500);

/// A document to re-read from the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Stale {
    Conversation(OrgId, InteractionId),
    Customer(OrgId, CustomerId),
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
    follow_new_orgs(&service, &store, &live, &mut followed).await;
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
        follow_new_orgs(&service, &store, &live, &mut followed).await;
        flush(&service, &index, store.as_ref()).await;
    }
}

/// Subscribes to the events of organizations not followed yet, and marks
/// their open conversations: messages may have come before the
/// subscription (at start, or in a new organization's first moments).
async fn follow_new_orgs(
    service: &Arc<SearchService>,
    store: &Arc<dyn Store>,
    live: &Live,
    followed: &mut HashSet<OrgId>,
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
            Stale::Conversation(org, chat) => conversation_doc(store, org, chat).await,
            Stale::Customer(org, id) => match store.customer(org, id).await {
                Ok(customer) => Ok(Some(customer_doc(org, &customer))),
                Err(StoreError::NotFound { .. }) => {
                    index.delete(DocKind::Customer, id.0);
                    Ok(None)
                }
                Err(error) => Err(error),
            },
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

/// Empties the index and fills it again from every organization's
/// customers and their conversations; `progress` gets the running count
/// of documents. Returns how many were indexed.
pub async fn rebuild(
    store: &dyn Store,
    index: &Arc<SearchIndex>,
    mut progress: impl FnMut(u64),
) -> Result<u64, RebuildError> {
    index.clear()?;
    let mut count = 0;
    for org in store.organizations().await? {
        let mut after = None;
        loop {
            let query = CustomerQuery {
                text: None,
                after,
                limit: MAX_PAGE,
            };
            let page = store.customers(org.id, &query).await?;
            for customer in &page {
                index.insert_new(&customer_doc(org.id, customer))?;
                count += 1;
                for interaction in store.customer_interactions(org.id, customer.id).await? {
                    let doc = conversation_of(store, org.id, &interaction, customer).await?;
                    if let Some(doc) = doc {
                        index.insert_new(&doc)?;
                        count += 1;
                    }
                }
                progress(count);
            }
            match page.last() {
                Some(last) if page.len() == MAX_PAGE as usize => after = Some(last.id),
                _ => break,
            }
        }
    }
    commit(index).await;
    Ok(count)
}

/// Why a rebuild stopped.
#[derive(Debug, thiserror::Error)]
pub enum RebuildError {
    /// Reading the store failed.
    #[error("reading the store: {0}")]
    Store(#[from] StoreError),
    /// Writing the index failed.
    #[error("writing the index: {0}")]
    Index(#[from] SearchError),
}

async fn conversation_doc(
    store: &dyn Store,
    org: OrgId,
    chat: InteractionId,
) -> Result<Option<SearchDoc>, StoreError> {
    let interaction = store.interaction(org, chat).await?;
    let Some(customer) = interaction.customer else {
        return Ok(None);
    };
    let customer = store.customer(org, customer).await?;
    conversation_of(store, org, &interaction, &customer).await
}

/// A conversation's document: its messages, titled with the customer's
/// name; `None` while it has no message.
async fn conversation_of(
    store: &dyn Store,
    org: OrgId,
    interaction: &Interaction,
    customer: &Customer,
) -> Result<Option<SearchDoc>, StoreError> {
    let messages = store.messages(org, interaction.id).await?;
    if messages.is_empty() {
        return Ok(None);
    }
    let body = messages
        .iter()
        .map(|message| message.content.body.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    Ok(Some(SearchDoc::Message(MessageDoc {
        org: org.0,
        id: interaction.id.0,
        subject: customer.details.name.clone(),
        body,
        placement: placement(interaction),
        created: interaction.created_at,
        sender: identifiers(customer),
    })))
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
