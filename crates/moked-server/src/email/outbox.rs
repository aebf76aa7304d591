//! Agents' replies out: what an agent writes on an email contact (the
//! desktop's composer, or `POST /tickets/{id}/reply`) is put in the
//! store's outbox with the customer's last email's threading ids, and a
//! sender task hands the outbox to the relay.
//!
//! The work is read from the store, not from live events: [`Outbox::queue_forever`]
//! queues every stored agent message on an email contact that has no
//! outbox row yet, at start-up, whenever an agent's message is announced
//! and every few seconds. A reply stored just before a crash, or announced
//! while this task lagged behind the live events, is still queued, and
//! only once (the store keeps one outbox row per message).
//!
//! The outbox is durable: a reply queued before a restart is sent after
//! it. A failed attempt waits 10 s, then twice as long each time, at most
//! an hour. The reply counts as the ticket's first response from the time
//! the agent wrote it, whatever the relay does.

use crate::error::ApiError;
use crate::tickets::TicketService;
use jiff::SignedDuration;
use moked_domain::Channel;
use moked_live::LiveEvent;
use moked_mail::{Mailer, RelayConfig, Reply};
use moked_store::{
    ChatMessage, InteractionId, NewOutboundEmail, OrgId, OutboundEmail, Sender, Store, StoreError,
    TicketActor, TicketChange, TicketId, TicketStatus, UserId,
};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, broadcast};

/// Replies handed out, or messages queued, per look at the store.
const BATCH: u32 = 20;
/// How often the outbox is looked at without being woken.
const IDLE_LOOK: Duration = Duration::from_secs(5);
/// How long after its email contact ended an agent's message is still
/// looked for: a reply lost to a crash is caught up by a restart within
/// a week, and the look stays within a week of contacts.
const REPLY_HORIZON: SignedDuration = SignedDuration::from_hours(7 * 24);
/// The first retry delay, doubled per failure.
const FIRST_RETRY_SECONDS: i64 = 10;
/// The longest retry delay.
const MAX_RETRY_SECONDS: i64 = 3600;

/// Queues replies and wakes the sender.
#[derive(Clone)]
pub struct Outbox {
    store: Arc<dyn Store>,
    tickets: TicketService,
    /// Wakes the sender: a reply was queued.
    wake: Arc<Notify>,
    /// Wakes the queuer: an agent wrote, or live events were missed.
    written: Arc<Notify>,
}

impl Outbox {
    /// An outbox over the store; ticket changes go through `tickets`.
    pub fn new(store: Arc<dyn Store>, tickets: TicketService) -> Outbox {
        Outbox {
            store,
            tickets,
            wake: Arc::new(Notify::new()),
            written: Arc::new(Notify::new()),
        }
    }

    /// Now, on the live center's clock.
    pub fn now(&self) -> jiff::Timestamp {
        self.tickets.now()
    }

    /// Queues `message` (an agent's, on `interaction`) as the reply to the
    /// ticket's last customer email and marks the first response. `None`
    /// when the ticket has no email to answer.
    pub async fn queue_reply(
        &self,
        org: OrgId,
        ticket: TicketId,
        interaction: Option<InteractionId>,
        message: &ChatMessage,
        agent: UserId,
    ) -> Result<Option<OutboundEmail>, StoreError> {
        let Some(new) = self
            .reply_to_last(org, ticket, interaction, message)
            .await?
        else {
            return Ok(None);
        };
        let queued = self.store.enqueue_outbound(org, &new).await?;
        let by = TicketActor {
            user: Some(agent),
            at: message.content.sent_at,
        };
        if let Err(error) = self
            .tickets
            .change(org, ticket, &[TicketChange::Responded], by)
            .await
        {
            tracing::warn!(detail = %error.detail, "the first response of a ticket was not recorded");
        }
        self.wake.notify_one();
        Ok(Some(queued))
    }

    /// The reply to the ticket's last email from a customer, if it has one.
    async fn reply_to_last(
        &self,
        org: OrgId,
        ticket: TicketId,
        interaction: Option<InteractionId>,
        message: &ChatMessage,
    ) -> Result<Option<NewOutboundEmail>, StoreError> {
        let emails = self.store.ticket_emails(org, ticket).await?;
        let Some(last) = emails.iter().rev().find(|email| email.from.is_some()) else {
            return Ok(None);
        };
        let (Some(to), Ok(received_by)) = (
            last.from
                .as_deref()
                .and_then(|a| moked_domain::EmailAddress::parse(a).ok()),
            moked_domain::EmailAddress::parse(&last.received_by),
        ) else {
            return Ok(None);
        };
        let display_name = match self.store.mail_address(&received_by).await? {
            Some(address) => address.display_name,
            None => self.store.organization(org).await?.name,
        };
        let mut references = last.references.clone();
        references.extend(last.message_id.iter().cloned());
        Ok(Some(NewOutboundEmail {
            ticket,
            interaction,
            message: Some(message.id),
            from: received_by,
            from_name: display_name,
            to,
            to_name: last.from_name.clone(),
            subject: last.subject.clone(),
            in_reply_to: last.message_id.clone(),
            references,
            body: message.content.body.clone(),
            created_at: self.now(),
        }))
    }

    /// Queues every stored agent's message on an email contact that has
    /// no outbox row yet, now and then whenever woken or every
    /// [`IDLE_LOOK`], until the task is dropped.
    pub async fn queue_forever(self) {
        loop {
            self.queue_unqueued().await;
            let _ = tokio::time::timeout(IDLE_LOOK, self.written.notified()).await;
        }
    }

    /// One pass over the store's unqueued replies, batch by batch while
    /// full batches make progress (a message that cannot be queued now is
    /// tried again at the next pass, not in a loop).
    async fn queue_unqueued(&self) {
        loop {
            let since = self.now() - REPLY_HORIZON;
            let found = match self.store.unqueued_replies(since, BATCH).await {
                Ok(found) => found,
                Err(error) => {
                    tracing::warn!(%error, "the replies to queue could not be read");
                    return;
                }
            };
            let mut queued = 0;
            for (org, message) in &found {
                match self.queue_message(*org, message).await {
                    Ok(()) => queued += 1,
                    Err(error) => {
                        tracing::warn!(%error, message = message.id.0, "an agent's email reply was not queued");
                    }
                }
            }
            if found.len() < BATCH as usize || queued == 0 {
                return;
            }
        }
    }

    /// Queues an agent's message as the reply of each ticket of its contact.
    async fn queue_message(&self, org: OrgId, message: &ChatMessage) -> Result<(), StoreError> {
        let Sender::Agent(agent) = message.content.sender else {
            return Ok(());
        };
        let chat = message.content.interaction;
        for ticket in self.store.interaction_tickets(org, chat).await? {
            self.queue_reply(org, ticket, Some(chat), message, agent)
                .await?;
        }
        Ok(())
    }

    /// Follows an organization's live events: an agent's message wakes
    /// the queuer (which reads the store), an accepted email assigns its
    /// tickets. Runs until the live center stops.
    pub async fn follow(self, org: OrgId, mut events: broadcast::Receiver<LiveEvent>) {
        loop {
            match events.recv().await {
                Ok(LiveEvent::Message { message, .. }) => {
                    if matches!(message.content.sender, Sender::Agent(_)) {
                        self.written.notify_one();
                    }
                }
                Ok(LiveEvent::ChatConnected { chat, agent, .. }) => {
                    if let Err(error) = self.agent_took(org, chat, agent).await {
                        tracing::warn!(detail = %error.detail, chat = %chat, "an email's ticket was not assigned");
                    }
                }
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    // The replies among them are in the store: look there now.
                    tracing::warn!(missed, "the email outbox missed live events");
                    self.written.notify_one();
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    }

    /// An agent accepted an email: its tickets nobody works on become the
    /// agent's, and open (the owner a back-office team hands back to).
    async fn agent_took(
        &self,
        org: OrgId,
        chat: InteractionId,
        agent: UserId,
    ) -> Result<(), ApiError> {
        if self.store.interaction(org, chat).await?.channel != Channel::Email {
            return Ok(());
        }
        for id in self.store.interaction_tickets(org, chat).await? {
            let ticket = self.store.ticket(org, id).await?;
            if ticket.assignee.is_some() || ticket.back_office_team.is_some() {
                continue;
            }
            let mut changes = vec![TicketChange::Assignee(Some(agent))];
            if ticket.status == TicketStatus::New {
                changes.push(TicketChange::Status(TicketStatus::Open));
            }
            let by = self.tickets.actor(Some(agent));
            self.tickets.change(org, id, &changes, by).await?;
        }
        Ok(())
    }

    /// Sends due replies through the relay until the task is dropped.
    pub async fn send_forever(self, relay: SocketAddr, hello_name: String) {
        let config = RelayConfig {
            host: relay.ip().to_string(),
            port: relay.port(),
            hello_name,
            credentials: None,
            timeout: Duration::from_secs(30),
        };
        let mailer = Mailer::new(&config);
        loop {
            match self.send_due(&mailer).await {
                Ok(sent) if sent == BATCH as usize => continue,
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "the email outbox could not be read"),
            }
            let _ = tokio::time::timeout(IDLE_LOOK, self.wake.notified()).await;
        }
    }

    async fn send_due(&self, mailer: &Mailer) -> Result<usize, StoreError> {
        let due = self.store.due_outbound(self.tickets.now(), BATCH).await?;
        let count = due.len();
        for reply in due {
            self.send_one(mailer, reply).await?;
        }
        Ok(count)
    }

    async fn send_one(&self, mailer: &Mailer, queued: OutboundEmail) -> Result<(), StoreError> {
        let ticket = self.store.ticket(queued.org, queued.spec.ticket).await?;
        let spec = &queued.spec;
        let reply = Reply {
            ticket: ticket.number.get(),
            from: (spec.from.clone(), spec.from_name.clone()),
            to: (spec.to.clone(), spec.to_name.clone()),
            original_subject: spec.subject.clone(),
            in_reply_to: spec.in_reply_to.clone(),
            references: spec.references.clone(),
            body: spec.body.clone(),
        };
        match mailer.send(&reply).await {
            Ok(message_id) => {
                let now = self.tickets.now();
                self.store
                    .outbound_sent(queued.org, queued.id, &message_id, now)
                    .await
            }
            Err(error) => {
                let wait = retry_delay(queued.attempts);
                tracing::warn!(%error, attempts = queued.attempts + 1, "a reply was not sent, retrying later");
                let retry_at = self.tickets.now() + jiff::SignedDuration::from_secs(wait);
                self.store
                    .outbound_failed(queued.org, queued.id, &error.to_string(), retry_at)
                    .await
            }
        }
    }
}

/// Seconds before the next attempt after `attempts` failed ones.
fn retry_delay(attempts: u32) -> i64 {
    let doubled = FIRST_RETRY_SECONDS.saturating_mul(1_i64 << attempts.min(20));
    doubled.min(MAX_RETRY_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(retry_delay(0), 10);
        assert_eq!(retry_delay(1), 20);
        assert_eq!(retry_delay(5), 320);
        assert_eq!(retry_delay(9), 3600);
        assert_eq!(retry_delay(u32::MAX), 3600);
    }
}
