//! The email channel's edge: everything between a mail server and a ticket.
//!
//! - [`parse`] turns raw bytes into an [`InboundEmail`] (MIME, HTML to text,
//!   attachments, the Hebrew charsets including visual-order ISO-8859-8) and
//!   never fails: damaged input is flagged, not dropped.
//!
//! Inbound mail reaches the caller through [`InboundSink`]: the caller stores
//! the raw bytes durably and only then is the mail acknowledged, so a crash
//! can lose no accepted message.

mod charset;
mod html;
mod parse;
mod sniff;
mod visual;

pub use html::html_to_text;
pub use parse::{Attachment, Flag, InboundEmail, Mailbox, ParseLimits, parse};
pub use sniff::sniff;
pub use visual::visual_to_logical;
