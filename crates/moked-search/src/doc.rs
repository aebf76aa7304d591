//! The documents the index takes: plain structs the server fills from the
//! store (tickets, their messages, customers), independent of how the store
//! models them.

use jiff::Timestamp;
use moked_domain::{EmailAddress, IsraeliId, PhoneE164};
use std::fmt;
use std::str::FromStr;

/// What a document or a hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    /// A ticket (case).
    Ticket,
    /// One message of a conversation (email, chat, note).
    Message,
    /// A customer.
    Customer,
}

impl DocKind {
    /// The name stored in the index and shown in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Ticket => "ticket",
            DocKind::Message => "message",
            DocKind::Customer => "customer",
        }
    }
}

impl fmt::Display for DocKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A kind name that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown document kind {0:?} (ticket, message or customer)")]
pub struct UnknownKind(pub String);

impl FromStr for DocKind {
    type Err = UnknownKind;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "ticket" => Ok(DocKind::Ticket),
            "message" => Ok(DocKind::Message),
            "customer" => Ok(DocKind::Customer),
            other => Err(UnknownKind(other.to_owned())),
        }
    }
}

/// How a customer can be found by an exact identifier.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identifiers {
    /// Phone numbers, indexed in E.164 and, for Israeli numbers, the local
    /// 0-form.
    pub phones: Vec<PhoneE164>,
    /// Email addresses, indexed lowercased.
    pub emails: Vec<EmailAddress>,
    /// Israeli identity numbers (nine digits).
    pub id_numbers: Vec<IsraeliId>,
}

/// Where a ticket (or a message of it) sits in the center; every field is
/// a filter of [`crate::SearchQuery`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placement {
    /// Status name (new, open, pending_customer, ..., solved, closed).
    pub status: Option<String>,
    /// Queue id.
    pub queue: Option<String>,
    /// Team id.
    pub team: Option<String>,
    /// Assigned agent id.
    pub agent: Option<String>,
}

/// A ticket: its subject is the hit's title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketDoc {
    /// Organization the ticket belongs to.
    pub org: i64,
    /// Ticket id.
    pub id: i64,
    /// Subject.
    pub subject: String,
    /// Description and any other text of the ticket itself.
    pub body: String,
    /// Status, queue, team, agent.
    pub placement: Placement,
    /// When the ticket was opened.
    pub created: Timestamp,
    /// The customer's identifiers, so a ticket is found by phone or email.
    pub customer: Identifiers,
}

/// A message: found by its text, shown with its ticket's subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageDoc {
    /// Organization.
    pub org: i64,
    /// Message id.
    pub id: i64,
    /// Subject of the ticket or conversation the message belongs to.
    pub subject: String,
    /// Text of the message (already converted from HTML).
    pub body: String,
    /// Status, queue, team, agent of its ticket.
    pub placement: Placement,
    /// When the message was sent.
    pub created: Timestamp,
    /// The sender's identifiers when the sender is a customer.
    pub sender: Identifiers,
}

/// A customer: the name is the title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerDoc {
    /// Organization.
    pub org: i64,
    /// Customer id.
    pub id: i64,
    /// Full name.
    pub name: String,
    /// Free notes about the customer.
    pub notes: String,
    /// When the customer was created.
    pub created: Timestamp,
    /// Phones, emails, identity numbers.
    pub identifiers: Identifiers,
}

/// Any document the index takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchDoc {
    /// A ticket.
    Ticket(TicketDoc),
    /// A message.
    Message(MessageDoc),
    /// A customer.
    Customer(CustomerDoc),
}

/// The fields of any document, as the index stores them.
pub(crate) struct DocView<'a> {
    pub kind: DocKind,
    pub org: i64,
    pub id: i64,
    pub title: &'a str,
    pub body: &'a str,
    pub placement: Option<&'a Placement>,
    pub created: Timestamp,
    pub identifiers: &'a Identifiers,
}

impl SearchDoc {
    /// The kind of document.
    pub fn kind(&self) -> DocKind {
        self.view().kind
    }

    /// The document's id within its kind.
    pub fn id(&self) -> i64 {
        self.view().id
    }

    pub(crate) fn view(&self) -> DocView<'_> {
        match self {
            SearchDoc::Ticket(t) => DocView {
                kind: DocKind::Ticket,
                org: t.org,
                id: t.id,
                title: &t.subject,
                body: &t.body,
                placement: Some(&t.placement),
                created: t.created,
                identifiers: &t.customer,
            },
            SearchDoc::Message(m) => DocView {
                kind: DocKind::Message,
                org: m.org,
                id: m.id,
                title: &m.subject,
                body: &m.body,
                placement: Some(&m.placement),
                created: m.created,
                identifiers: &m.sender,
            },
            SearchDoc::Customer(c) => DocView {
                kind: DocKind::Customer,
                org: c.org,
                id: c.id,
                title: &c.name,
                body: &c.notes,
                placement: None,
                created: c.created,
                identifiers: &c.identifiers,
            },
        }
    }
}

impl From<TicketDoc> for SearchDoc {
    fn from(doc: TicketDoc) -> Self {
        SearchDoc::Ticket(doc)
    }
}

impl From<MessageDoc> for SearchDoc {
    fn from(doc: MessageDoc) -> Self {
        SearchDoc::Message(doc)
    }
}

impl From<CustomerDoc> for SearchDoc {
    fn from(doc: CustomerDoc) -> Self {
        SearchDoc::Customer(doc)
    }
}
