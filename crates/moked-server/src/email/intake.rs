//! Inbound mail to tickets: the [`InboundSink`] both the SMTP listener and
//! the IMAP poller deliver to, and the [`RecipientLookup`] that keeps the
//! listener from relaying.
//!
//! A message is stored raw first (so nothing accepted can be lost), once
//! per organization it was addressed to and once per Message-ID (an SMTP
//! client retrying after a lost `250` changes nothing). Then:
//! - automatic mail (auto-replies, bounces, a sender over the rate limit)
//!   is flagged and attached to the ticket it threads to, never more: no
//!   ticket, no contact, no answer, so no mail loop;
//! - a person's mail that threads to a ticket goes into the ticket's email
//!   contact while an agent still holds it, else into a new email contact
//!   of the same ticket (reopening it if it was solved);
//! - any other mail opens a ticket for the sender (found or created by
//!   address) and an email contact routed to the agents.
//!
//! The body becomes the contact's customer message, which the desktop and
//! the search index receive like a chat message (the subject is the
//! ticket's, and stays on the stored email). Only then is the mail
//! answered `250`; a failure answers `451` and the client retries, resuming
//! where the stored record says it stopped.

use crate::error::ApiError;
use crate::tickets::TicketService;
use jiff::SignedDuration;
use moked_domain::{Channel, EmailAddress};
use moked_live::{Live, LiveError, MAX_MESSAGE_CHARS};
use moked_mail::{
    DeliveryError, Envelope, Flag, InboundEmail, InboundSink, Kind, ParseLimits, RecipientLookup,
    SenderRateLimiter, Verdict, classify, parse, thread_lookup,
};
use moked_store::{
    CustomerId, CustomerTier, EmailLinks, InteractionId, MailAddress, NewCustomer, NewEmail,
    NewTicket, OrgId, Store, StoreError, StoredEmail, Ticket, TicketChange, TicketPriority,
    TicketStatus,
};
use std::collections::HashSet;
use std::sync::{Arc, Mutex, RwLock};

/// Mails one sender may send within [`RATE_WINDOW`] before further ones
/// are treated as automatic (a responder looping without saying so).
const RATE_LIMIT: usize = 20;
/// The window of [`RATE_LIMIT`].
const RATE_WINDOW: SignedDuration = SignedDuration::from_hours(1);
/// The subject of a ticket opened by a mail without one.
const NO_SUBJECT: &str = "(ללא נושא)";
/// The message of a mail without readable text.
const NO_TEXT: &str = "(הודעה ללא תוכן קריא)";

/// The addresses the SMTP listener accepts, kept in memory because the
/// listener asks synchronously; refreshed when an admin changes them.
#[derive(Clone, Default)]
pub struct Addresses {
    known: Arc<RwLock<HashSet<String>>>,
}

impl Addresses {
    /// Reloads every organization's addresses from the store.
    pub async fn refresh(&self, store: &dyn Store) -> Result<(), StoreError> {
        let all: HashSet<String> = store
            .all_mail_addresses()
            .await?
            .into_iter()
            .map(|address| address.address.as_str().to_lowercase())
            .collect();
        *self
            .known
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = all;
        Ok(())
    }
}

impl RecipientLookup for Addresses {
    fn is_ours(&self, address: &EmailAddress) -> bool {
        self.known
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .contains(&address.as_str().to_lowercase())
    }
}

/// Why a delivery did not complete (said to the client as `451`).
struct Failed(String);

impl From<StoreError> for Failed {
    fn from(error: StoreError) -> Failed {
        Failed(error.to_string())
    }
}

impl From<ApiError> for Failed {
    fn from(error: ApiError) -> Failed {
        Failed(error.detail)
    }
}

impl From<LiveError> for Failed {
    fn from(error: LiveError) -> Failed {
        Failed(error.to_string())
    }
}

type Step<T> = Result<T, Failed>;

/// Turns delivered mail into stored emails, tickets and contacts.
#[derive(Clone)]
pub struct Intake {
    store: Arc<dyn Store>,
    live: Live,
    tickets: TicketService,
    rate: Arc<Mutex<SenderRateLimiter>>,
}

/// One mail for one organization, as parsed and stored.
struct Arrival<'a> {
    org: OrgId,
    to: &'a MailAddress,
    email: &'a InboundEmail,
    stored: StoredEmail,
}

impl Intake {
    /// An intake over the server's store, live center and ticket service.
    pub fn new(store: Arc<dyn Store>, live: Live, tickets: TicketService) -> Intake {
        Intake {
            store,
            live,
            tickets,
            rate: Arc::new(Mutex::new(SenderRateLimiter::new(RATE_LIMIT, RATE_WINDOW))),
        }
    }

    async fn receive(&self, envelope: &Envelope, raw: &[u8]) -> Step<()> {
        let email = parse(raw, ParseLimits::default());
        let flags = self.flags(&email);
        for recipient in &envelope.recipients {
            let Some(to) = self.store.mail_address(recipient).await? else {
                // Removed since the listener accepted it: nobody to give it to.
                tracing::warn!("mail for an address no longer configured, dropped");
                continue;
            };
            let new = new_email(&to, &email, &flags, raw, self.tickets.now());
            let stored = self.store.insert_email(to.org, &new).await?;
            if stored.processed {
                continue;
            }
            let arrival = Arrival {
                org: to.org,
                to: &to,
                email: &email,
                stored,
            };
            self.handle(arrival).await?;
        }
        Ok(())
    }

    /// The stored flags: what parsing found and what kind of sender it is.
    fn flags(&self, email: &InboundEmail) -> Vec<String> {
        let mut flags: Vec<String> = email.flags.iter().map(flag_name).collect();
        match classify(email) {
            Kind::Bounce(_) => flags.push("bounce".to_owned()),
            Kind::Automatic(_) => flags.push("auto_reply".to_owned()),
            Kind::Human => {}
        }
        if let Some(from) = &email.from {
            let verdict = self
                .rate
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .record(&from.address, self.tickets.now());
            if verdict == Verdict::Limited {
                flags.push("rate_limited".to_owned());
            }
        }
        flags.sort();
        flags.dedup();
        flags
    }

    async fn handle(&self, arrival: Arrival<'_>) -> Step<()> {
        let thread = self.thread(&arrival).await?;
        let automatic = arrival
            .stored
            .flags
            .iter()
            .any(|flag| matches!(flag.as_str(), "bounce" | "auto_reply" | "rate_limited"));
        if automatic {
            let links = EmailLinks {
                ticket: thread.as_ref().map(|ticket| ticket.id),
                ..EmailLinks::default()
            };
            self.store
                .link_email(arrival.org, arrival.stored.id, links)
                .await?;
            return Ok(());
        }
        let links = match thread {
            Some(ticket) if ticket.status != TicketStatus::Closed => {
                self.continue_ticket(&arrival, ticket).await?
            }
            _ => self.open_ticket(&arrival).await?,
        };
        self.store
            .link_email(arrival.org, arrival.stored.id, links)
            .await?;
        Ok(())
    }

    /// The ticket this mail answers: by our tag or Message-ID, else by a
    /// stored email it refers to. A merged ticket leads to its target.
    async fn thread(&self, arrival: &Arrival<'_>) -> Step<Option<Ticket>> {
        let lookup = thread_lookup(arrival.email, arrival.to.address.domain());
        let mut found = None;
        if let Some(number) = lookup
            .ticket
            .and_then(|n| moked_store::TicketNumber::new(n).ok())
        {
            found = match self.store.ticket_by_number(arrival.org, number).await {
                Ok(ticket) => Some(ticket),
                Err(StoreError::NotFound { .. }) => None,
                Err(error) => return Err(error.into()),
            };
        }
        if found.is_none() {
            for id in &lookup.reply_to_ids {
                let earlier = self.store.email_by_message_id(arrival.org, id).await?;
                if let Some(ticket) = earlier.and_then(|email| email.ticket) {
                    found = Some(self.store.ticket(arrival.org, ticket).await?);
                    break;
                }
            }
        }
        match found {
            Some(ticket) => match ticket.merged_into {
                Some(target) => Ok(Some(self.store.ticket(arrival.org, target).await?)),
                None => Ok(Some(ticket)),
            },
            None => Ok(None),
        }
    }

    /// A new ticket and email contact for the sender.
    async fn open_ticket(&self, arrival: &Arrival<'_>) -> Step<EmailLinks> {
        let customer = self.customer(arrival).await?;
        let opened = self
            .live
            .open_email(arrival.org, arrival.to.queue, customer)
            .await?;
        let subject = match arrival.email.subject.trim() {
            "" => NO_SUBJECT.to_owned(),
            subject => subject.chars().take(200).collect(),
        };
        let new = NewTicket {
            subject,
            priority: TicketPriority::Normal,
            category: None,
            customer: Some(customer),
            assignee: None,
            team: None,
            tags: vec!["email".to_owned()],
        };
        let by = self.tickets.actor(None);
        let ticket = self
            .tickets
            .open_for_contact(arrival.org, new, opened.chat, by)
            .await?;
        self.message(arrival, opened.chat, Some(customer), ticket.id)
            .await
    }

    /// Into the ticket's held email contact, else a new one of the ticket.
    async fn continue_ticket(&self, arrival: &Arrival<'_>, ticket: Ticket) -> Step<EmailLinks> {
        if ticket.status == TicketStatus::Solved {
            let by = self.tickets.actor(None);
            self.tickets
                .change(
                    arrival.org,
                    ticket.id,
                    &[TicketChange::Status(TicketStatus::Open)],
                    by,
                )
                .await?;
        }
        let customer = match ticket.customer {
            Some(customer) => customer,
            None => self.customer(arrival).await?,
        };
        if let Some(open) = self.open_contact(arrival.org, &ticket).await? {
            match self.message(arrival, open, Some(customer), ticket.id).await {
                Ok(links) => return Ok(links),
                // Ended since we looked: a new contact takes the mail.
                Err(Failed(reason)) => {
                    tracing::debug!(%reason, "the ticket's email contact ended meanwhile");
                }
            }
        }
        let opened = self
            .live
            .open_email(arrival.org, arrival.to.queue, customer)
            .await?;
        let by = self.tickets.actor(None);
        self.tickets
            .link(arrival.org, ticket.id, opened.chat, by)
            .await?;
        self.message(arrival, opened.chat, Some(customer), ticket.id)
            .await
    }

    /// The ticket's newest email contact that has not ended.
    async fn open_contact(&self, org: OrgId, ticket: &Ticket) -> Step<Option<InteractionId>> {
        let links = self.store.ticket_links(org, ticket.id).await?;
        for link in links.iter().rev() {
            let interaction = self.store.interaction(org, link.interaction).await?;
            if interaction.channel == Channel::Email && interaction.ended_at.is_none() {
                return Ok(Some(interaction.id));
            }
        }
        Ok(None)
    }

    /// The mail's text as the contact's customer message.
    async fn message(
        &self,
        arrival: &Arrival<'_>,
        chat: InteractionId,
        customer: Option<CustomerId>,
        ticket: moked_store::TicketId,
    ) -> Step<EmailLinks> {
        let key = format!("email-{}", arrival.stored.id);
        let message = self
            .live
            .customer_message(arrival.org, chat, message_text(arrival.email), key)
            .await?;
        Ok(EmailLinks {
            message: Some(message.id),
            interaction: Some(chat),
            ticket: Some(ticket),
            customer,
        })
    }

    /// The sender as a customer: the first with the address, else a new one.
    async fn customer(&self, arrival: &Arrival<'_>) -> Step<CustomerId> {
        let from = arrival.email.from.as_ref();
        if let Some(from) = from
            && let Some(known) = self
                .store
                .customer_by_email(arrival.org, &from.address)
                .await?
        {
            return Ok(known);
        }
        let name = from
            .and_then(|from| from.name.clone())
            .filter(|name| !name.trim().is_empty())
            .or_else(|| from.map(|from| from.address.as_str().to_owned()))
            .unwrap_or_else(|| "?".to_owned());
        let details = NewCustomer {
            name: name.chars().take(200).collect(),
            phones: Vec::new(),
            emails: from.map(|from| from.address.clone()).into_iter().collect(),
            israeli_id: None,
            tier: CustomerTier::Standard,
            notes: String::new(),
        };
        Ok(self.store.create_customer(arrival.org, &details).await?.id)
    }
}

impl InboundSink for Intake {
    async fn deliver(&self, envelope: Envelope, raw: Vec<u8>) -> Result<(), DeliveryError> {
        self.receive(&envelope, &raw)
            .await
            .map_err(|Failed(reason)| {
                tracing::warn!(%reason, "inbound mail not handled, the sender will retry");
                DeliveryError(reason)
            })
    }
}

fn new_email(
    to: &MailAddress,
    email: &InboundEmail,
    flags: &[String],
    raw: &[u8],
    now: jiff::Timestamp,
) -> NewEmail {
    NewEmail {
        received_by: to.address.clone(),
        received_at: now,
        message_id: email.message_id.clone(),
        in_reply_to: email.in_reply_to.clone(),
        references: email.references.clone(),
        from: email.from.as_ref().map(|from| from.address.clone()),
        from_name: email.from.as_ref().and_then(|from| from.name.clone()),
        to: email.to.iter().map(|to| to.address.clone()).collect(),
        subject: email.subject.clone(),
        flags: flags.to_vec(),
        raw: raw.to_vec(),
    }
}

fn flag_name(flag: &Flag) -> String {
    match flag {
        Flag::Malformed(_) => "damaged",
        Flag::Truncated => "truncated",
        Flag::UnknownCharset(_) => "unknown_charset",
        Flag::Oversized { .. } => "oversized",
        Flag::LongLine { .. } => "long_line",
    }
    .to_owned()
}

/// The text an agent reads: the body, cut to a message's length. The
/// subject is the ticket's and stays with the stored email; only a mail
/// with nothing but a subject shows it, rather than an empty message.
fn message_text(email: &InboundEmail) -> String {
    let text = match (email.text.trim(), email.subject.trim()) {
        ("", "") => NO_TEXT,
        ("", subject) => subject,
        (body, _) => body,
    };
    if text.chars().count() <= MAX_MESSAGE_CHARS {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(MAX_MESSAGE_CHARS - 2).collect();
    cut.push_str(" …");
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_is_the_body_without_the_subject() {
        let mail = InboundEmail {
            subject: "חשבונית".into(),
            text: "\nשלום, קיבלתי חשבונית כפולה.\n".into(),
            ..InboundEmail::default()
        };
        assert_eq!(message_text(&mail), "שלום, קיבלתי חשבונית כפולה.");
        let only_subject = InboundEmail {
            subject: " נא להתקשר אליי ".into(),
            ..InboundEmail::default()
        };
        assert_eq!(message_text(&only_subject), "נא להתקשר אליי");
    }

    #[test]
    fn long_mail_is_cut_to_one_message_and_empty_mail_still_says_something() {
        let long = InboundEmail {
            subject: "חשבונית".into(),
            text: "א".repeat(MAX_MESSAGE_CHARS * 2),
            ..InboundEmail::default()
        };
        let text = message_text(&long);
        assert_eq!(text.chars().count(), MAX_MESSAGE_CHARS);
        assert!(text.starts_with("אאא"));
        assert!(text.ends_with(" …"));
        assert_eq!(message_text(&InboundEmail::default()), NO_TEXT);
    }
}
