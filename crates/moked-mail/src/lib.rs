//! The email channel's edge: everything between a mail server and a ticket.
//!
//! - [`parse`] turns raw bytes into an [`InboundEmail`] (MIME, HTML to text,
//!   attachments, the Hebrew charsets including visual-order ISO-8859-8) and
//!   never fails: damaged input is flagged, not dropped.
//! - [`classify`] tells people from auto-responders and bounces,
//!   [`SenderRateLimiter`] stops loops with responders that do not say so,
//!   and [`thread_lookup`] finds the ticket a reply belongs to (pure: time is
//!   passed in).
//! - [`SmtpServer`] receives mail for the organizations' addresses only.
//! - [`Mailer`] sends agents' replies through a relay, threaded.
//! - [`poll_once`] and [`poll_forever`] fetch unseen mail from an IMAP
//!   mailbox into the same sink.
//!
//! Inbound mail reaches the caller through [`InboundSink`]: the caller stores
//! the raw bytes durably and only then is the mail acknowledged, so a crash
//! can lose no accepted message.

mod charset;
mod classify;
mod html;
mod imap;
mod outbound;
mod parse;
mod rate;
mod smtp;
mod sniff;
mod thread;
mod visual;

pub use classify::{AutoReason, Bounce, Kind, classify};
pub use html::html_to_text;
pub use imap::{ImapConfig, ImapError, PollReport, poll_forever, poll_once};
pub use outbound::{Mailer, OutboundError, RelayConfig, Reply, build};
pub use parse::{Attachment, Flag, InboundEmail, Mailbox, ParseLimits, parse};
pub use rate::{SenderRateLimiter, Verdict};
pub use smtp::{DeliveryError, Envelope, InboundSink, RecipientLookup, SmtpConfig, SmtpServer};
pub use sniff::sniff;
pub use thread::{
    ThreadLookup, our_message_id, parse_ticket_tag, reply_subject, thread_lookup,
    ticket_of_message_id, ticket_tag,
};
pub use visual::visual_to_logical;
