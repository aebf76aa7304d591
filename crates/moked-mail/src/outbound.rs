//! Agents' replies, sent through the organization's SMTP relay.
//!
//! A reply must land in the customer's existing conversation and come back
//! to the right ticket: it carries In-Reply-To and References (RFC 5322
//! §3.6.4), a Message-ID of our own domain with the ticket number in it and
//! the ticket tag in its subject. Message building and the SMTP client are
//! lettre's; the relay is reached without TLS, so it must be local or on a
//! trusted network.

use crate::thread::{our_message_id, reply_subject};
use lettre::message::Mailbox as LettreMailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use moked_domain::EmailAddress;
use std::time::Duration;

/// Where replies are sent and as whom.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// The relay's host name or address.
    pub host: String,
    /// The relay's port.
    pub port: u16,
    /// Our name in EHLO.
    pub hello_name: String,
    /// User name and password, if the relay asks for them.
    pub credentials: Option<(String, String)>,
    /// Longest wait for any reply of the relay.
    pub timeout: Duration,
}

/// An agent's answer on a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The ticket number, for the subject tag and the Message-ID.
    pub ticket: u64,
    /// The organization's address and display name.
    pub from: (EmailAddress, String),
    /// The customer.
    pub to: (EmailAddress, Option<String>),
    /// The subject of the message answered (it is reworded as a reply).
    pub original_subject: String,
    /// The Message-ID answered, without angle brackets.
    pub in_reply_to: Option<String>,
    /// The thread's ids so far, oldest first, without angle brackets.
    pub references: Vec<String>,
    /// The text, UTF-8.
    pub body: String,
}

/// Why a reply could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    /// The message could not be built (an address lettre refuses).
    #[error("the reply could not be built: {0}")]
    Build(String),
    /// The relay refused the reply or could not be reached.
    #[error("the relay did not take the reply: {0}")]
    Relay(#[from] lettre::transport::smtp::Error),
    /// No random bytes for a Message-ID.
    #[error("no randomness for a Message-ID: {0}")]
    Random(String),
}

/// Sends replies through one relay.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl Mailer {
    /// A mailer for this relay (connections are opened when sending).
    pub fn new(relay: &RelayConfig) -> Mailer {
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&relay.host)
            .port(relay.port)
            .hello_name(ClientId::Domain(relay.hello_name.clone()))
            .timeout(Some(relay.timeout));
        if let Some((user, password)) = &relay.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Mailer {
            transport: builder.build(),
        }
    }

    /// Sends a reply and returns the Message-ID it was given (without
    /// angle brackets), for the caller to store for threading.
    pub async fn send(&self, reply: &Reply) -> Result<String, OutboundError> {
        let message_id = our_message_id(reply.ticket, &unique_token()?, reply.from.0.domain());
        let message = build(reply, &message_id)?;
        self.transport.send(message).await?;
        Ok(message_id)
    }
}

/// The reply as a MIME message with this Message-ID.
pub fn build(reply: &Reply, message_id: &str) -> Result<Message, OutboundError> {
    let mut builder = Message::builder()
        .from(mailbox(&reply.from.0, Some(&reply.from.1))?)
        .to(mailbox(&reply.to.0, reply.to.1.as_deref())?)
        .subject(reply_subject(&reply.original_subject, reply.ticket))
        .message_id(Some(format!("<{message_id}>")));
    if let Some(answered) = &reply.in_reply_to {
        builder = builder.in_reply_to(format!("<{answered}>"));
    }
    let mut references: Vec<&str> = reply.references.iter().map(String::as_str).collect();
    if let Some(answered) = reply
        .in_reply_to
        .as_deref()
        .filter(|id| !references.contains(id))
    {
        references.push(answered);
    }
    if !references.is_empty() {
        let joined: Vec<String> = references.iter().map(|id| format!("<{id}>")).collect();
        builder = builder.references(joined.join(" "));
    }
    builder
        .header(ContentType::TEXT_PLAIN)
        .body(reply.body.clone())
        .map_err(|error| OutboundError::Build(error.to_string()))
}

fn mailbox(address: &EmailAddress, name: Option<&str>) -> Result<LettreMailbox, OutboundError> {
    let parsed = address
        .as_str()
        .parse()
        .map_err(|error: lettre::address::AddressError| OutboundError::Build(error.to_string()))?;
    Ok(LettreMailbox::new(name.map(str::to_owned), parsed))
}

/// 96 random bits in hex: unique among every Message-ID we ever send.
fn unique_token() -> Result<String, OutboundError> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|error| OutboundError::Random(error.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
