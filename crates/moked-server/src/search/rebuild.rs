//! Rebuilding the search index from the store ([`rebuild`]: `moked reindex`,
//! and a first start on an empty index).
//!
//! Reading and indexing overlap: the store is read in keyset pages on the
//! caller's task while a blocking indexer thread turns the page before into
//! documents and hands them to the index's writer threads. A rebuild is
//! bound by whichever side is slower instead of by their sum; a bounded
//! channel keeps at most [`PAGES_AHEAD`] pages waiting, so memory stays at
//! a few pages whatever the store's size.

use super::{REBUILD_PAGE, conversation_of, customer_doc, ticket_of};
use moked_search::{SearchError, SearchIndex};
use moked_store::{
    ConversationExport, Customer, CustomerId, OrgId, Store, StoreError, StoreResult, TicketExport,
};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::mpsc;

/// Pages read ahead of the one being indexed: one is enough to keep the
/// indexer busy while the next is read.
const PAGES_AHEAD: usize = 1;

/// Empties the index and fills it again from every organization's
/// customers, tickets and conversations, read from the store in pages;
/// `progress` gets the running count of documents. Returns how many were
/// indexed. The index is committed only when the whole store was read.
pub async fn rebuild(
    store: &dyn Store,
    index: &Arc<SearchIndex>,
    mut progress: impl FnMut(u64),
) -> Result<u64, RebuildError> {
    index.clear()?;
    let (pages, received) = mpsc::channel(PAGES_AHEAD);
    let indexed = Arc::new(AtomicU64::new(0));
    let indexer = tokio::task::spawn_blocking({
        let index = index.clone();
        let indexed = indexed.clone();
        move || index_pages(&index, received, &indexed)
    });
    let read = read_pages(store, &pages, || progress(indexed.load(Ordering::Relaxed))).await;
    // The indexer ends once it has the last page.
    drop(pages);
    let count = indexer
        .await
        .map_err(|join| RebuildError::Indexer(join.to_string()))??;
    read?;
    let index = index.clone();
    tokio::task::spawn_blocking(move || index.commit())
        .await
        .map_err(|join| RebuildError::Indexer(join.to_string()))??;
    progress(count);
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
    /// The indexer thread stopped without an answer (it panicked).
    #[error("the indexer stopped: {0}")]
    Indexer(String),
}

/// A page of one organization's records, in the order they are read:
/// customers first, as tickets and conversations name them.
enum Page {
    Customers(OrgId, Vec<Customer>),
    Tickets(OrgId, Vec<TicketExport>),
    Conversations(OrgId, Vec<ConversationExport>),
}

/// Whether the indexer still takes pages (it stops on an error, which it
/// returns itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Continue,
    Stop,
}

/// Reads every organization's pages into `pages`; `sent` runs after each.
async fn read_pages(
    store: &dyn Store,
    pages: &mpsc::Sender<Page>,
    mut sent: impl FnMut(),
) -> Result<(), StoreError> {
    for org in store.organizations().await? {
        let org = org.id;
        let customers = read_kind(
            pages,
            &mut sent,
            move |after| store.export_customers(org, after, REBUILD_PAGE),
            |customer| customer.id,
            |page| Page::Customers(org, page),
        );
        if customers.await? == Flow::Stop {
            return Ok(());
        }
        let tickets = read_kind(
            pages,
            &mut sent,
            move |after| store.export_tickets(org, after, REBUILD_PAGE),
            |export| export.ticket.id,
            |page| Page::Tickets(org, page),
        );
        if tickets.await? == Flow::Stop {
            return Ok(());
        }
        let conversations = read_kind(
            pages,
            &mut sent,
            move |after| store.export_conversations(org, after, REBUILD_PAGE),
            |conversation| conversation.interaction.id,
            |page| Page::Conversations(org, page),
        );
        if conversations.await? == Flow::Stop {
            return Ok(());
        }
    }
    Ok(())
}

/// Reads one kind of record page after page (`fetch` with the last key of
/// the page before) until a page is short, sending each.
async fn read_kind<T, K, F, Fut>(
    pages: &mpsc::Sender<Page>,
    sent: &mut impl FnMut(),
    mut fetch: F,
    key: impl Fn(&T) -> K,
    page_of: impl Fn(Vec<T>) -> Page,
) -> StoreResult<Flow>
where
    F: FnMut(Option<K>) -> Fut,
    Fut: Future<Output = StoreResult<Vec<T>>>,
{
    let mut after = None;
    loop {
        let page = fetch(after).await?;
        let last = page.len() < REBUILD_PAGE as usize;
        after = page.last().map(&key);
        if pages.send(page_of(page)).await.is_err() {
            return Ok(Flow::Stop);
        }
        sent();
        if last {
            return Ok(Flow::Continue);
        }
    }
}

/// The indexer thread: indexes the pages as they come, keeping the
/// current organization's customers for the documents that name them;
/// `indexed` follows the count. Returns the count.
fn index_pages(
    index: &SearchIndex,
    mut pages: mpsc::Receiver<Page>,
    indexed: &AtomicU64,
) -> Result<u64, SearchError> {
    let mut customers = Customers::default();
    let mut count = 0;
    while let Some(page) = pages.blocking_recv() {
        count += match page {
            Page::Customers(org, page) => customers.index(index, org, page)?,
            Page::Tickets(org, page) => {
                let known = customers.of(org);
                for export in &page {
                    let customer = export.ticket.customer.and_then(|id| known.get(&id));
                    index.insert_new(&ticket_of(org, export, customer))?;
                }
                page.len() as u64
            }
            Page::Conversations(org, page) => {
                index_conversations(index, org, customers.of(org), &page)?
            }
        };
        indexed.store(count, Ordering::Relaxed);
    }
    Ok(count)
}

/// Indexes the conversations whose customer is known (a conversation's
/// document is titled with its customer's name); returns how many.
fn index_conversations(
    index: &SearchIndex,
    org: OrgId,
    customers: &HashMap<CustomerId, Customer>,
    page: &[ConversationExport],
) -> Result<u64, SearchError> {
    let mut count = 0;
    for conversation in page {
        let customer = conversation
            .interaction
            .customer
            .and_then(|id| customers.get(&id));
        if let Some(customer) = customer {
            index.insert_new(&conversation_of(org, conversation, customer))?;
            count += 1;
        }
    }
    Ok(count)
}

/// The customers of the organization being indexed, by id.
#[derive(Default)]
struct Customers {
    org: Option<OrgId>,
    by_id: HashMap<CustomerId, Customer>,
}

impl Customers {
    /// Indexes a page of `org`'s customers and keeps them; returns how
    /// many.
    fn index(
        &mut self,
        index: &SearchIndex,
        org: OrgId,
        page: Vec<Customer>,
    ) -> Result<u64, SearchError> {
        for customer in &page {
            index.insert_new(&customer_doc(org, customer))?;
        }
        let count = page.len() as u64;
        self.of(org);
        self.by_id
            .extend(page.into_iter().map(|customer| (customer.id, customer)));
        Ok(count)
    }

    /// `org`'s customers; those of the organization before are dropped.
    fn of(&mut self, org: OrgId) -> &HashMap<CustomerId, Customer> {
        if self.org != Some(org) {
            self.org = Some(org);
            self.by_id.clear();
        }
        &self.by_id
    }
}
