//! Contacts entering an organization's live center: each needs its
//! interaction and `queued` step stored before it is routed, and callers
//! arriving together share one transaction (one fsync) for them, the way
//! the actor's group commit shares one for routing. A task per
//! organization takes every entry waiting and stores them at once.

use crate::error::LiveError;
use moked_store::{Interaction, NewInteraction, OrgId, Store, StoreError, TimelineEntry};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Entries waiting before callers wait to hand theirs over.
const WAITING: usize = 1024;
/// At most this many entries share one transaction.
const TOGETHER: usize = 256;

/// A contact to record, and who waits for it.
struct Entry {
    new: NewInteraction,
    first: TimelineEntry,
    reply: oneshot::Sender<Result<Interaction, LiveError>>,
}

/// The handle of an organization's entry task.
#[derive(Clone)]
pub(crate) struct Entries {
    inbox: mpsc::Sender<Entry>,
}

impl Entries {
    /// Starts the organization's entry task; it ends with the last handle.
    pub(crate) fn start(store: Arc<dyn Store>, org: OrgId) -> Entries {
        let (inbox, waiting) = mpsc::channel(WAITING);
        tokio::spawn(run(store, org, waiting));
        Entries { inbox }
    }

    /// Records an interaction with its first step; returns once stored.
    pub(crate) async fn open(
        &self,
        new: NewInteraction,
        first: TimelineEntry,
    ) -> Result<Interaction, LiveError> {
        let (reply, answer) = oneshot::channel();
        let entry = Entry { new, first, reply };
        self.inbox
            .send(entry)
            .await
            .map_err(|_| LiveError::Stopped)?;
        answer.await.map_err(|_| LiveError::Stopped)?
    }
}

async fn run(store: Arc<dyn Store>, org: OrgId, mut waiting: mpsc::Receiver<Entry>) {
    while let Some(first) = waiting.recv().await {
        let mut entries = vec![first];
        while entries.len() < TOGETHER
            && let Ok(entry) = waiting.try_recv()
        {
            entries.push(entry);
        }
        store_entries(store.as_ref(), org, entries).await;
    }
}

/// Stores the entries in one transaction; if that fails, each alone, so
/// one refused entry (its queue just deleted) fails no other caller.
async fn store_entries(store: &dyn Store, org: OrgId, entries: Vec<Entry>) {
    let contacts: Vec<(NewInteraction, TimelineEntry)> = entries
        .iter()
        .map(|entry| (entry.new.clone(), entry.first.clone()))
        .collect();
    match store.create_interactions(org, &contacts).await {
        Ok(opened) => {
            for (entry, interaction) in entries.into_iter().zip(opened) {
                let _ = entry.reply.send(Ok(interaction));
            }
        }
        Err(error) if entries.len() == 1 => {
            if let Some(entry) = entries.into_iter().next() {
                let _ = entry.reply.send(Err(error.into()));
            }
        }
        Err(_) => {
            for (entry, contact) in entries.into_iter().zip(contacts) {
                let _ = entry.reply.send(store_alone(store, org, contact).await);
            }
        }
    }
}

async fn store_alone(
    store: &dyn Store,
    org: OrgId,
    contact: (NewInteraction, TimelineEntry),
) -> Result<Interaction, LiveError> {
    let mut opened = store
        .create_interactions(org, std::slice::from_ref(&contact))
        .await?;
    opened
        .pop()
        .ok_or_else(|| StoreError::corrupt("a stored contact came back empty").into())
}
