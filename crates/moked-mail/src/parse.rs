//! Raw RFC 5322 bytes to an [`InboundEmail`]: addresses, threading ids,
//! readable text, attachments and what was wrong with the input.
//!
//! Parsing never fails and never panics: whatever arrives becomes a ticket
//! message. What could not be read properly is said in [`Flag`]s so that an
//! agent sees "this mail was damaged" next to the best text we could get,
//! while the caller keeps the raw bytes it was handed.

use crate::charset;
use crate::html::html_to_text;
use crate::sniff::sniff;
use crate::visual::visual_to_logical;
use jiff::Timestamp;
use mail_parser::{
    Address, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType,
};
use moked_domain::EmailAddress;

/// RFC 5322's limit on a line, without its CRLF.
const RFC_LINE_LIMIT: usize = 998;

/// How much of a message is worth parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseLimits {
    /// Bytes parsed; the rest of a longer message is kept raw only.
    pub max_message_bytes: usize,
}

impl Default for ParseLimits {
    fn default() -> Self {
        ParseLimits {
            max_message_bytes: 25 * 1024 * 1024,
        }
    }
}

/// Something wrong with a message that was nevertheless accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flag {
    /// The structure is broken; the reason says where.
    Malformed(String),
    /// A multipart body ends before its closing boundary.
    Truncated,
    /// A body part declares a charset we cannot decode (read as UTF-8).
    UnknownCharset(String),
    /// The message is larger than the limit; only its start was parsed.
    Oversized {
        /// Size of the message in bytes.
        size: usize,
        /// Bytes that were parsed.
        limit: usize,
    },
    /// A line is longer than RFC 5322 allows.
    LongLine {
        /// Length of the longest line in bytes.
        longest: usize,
    },
}

/// A display name and a validated address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    /// The display name, decoded.
    pub name: Option<String>,
    /// The address.
    pub address: EmailAddress,
}

/// A file sent with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The file name the sender gave, if any.
    pub file_name: Option<String>,
    /// The content type the sender declared, `type/subtype`, lowercase.
    pub declared_type: String,
    /// The content type its first bytes prove, if recognised.
    pub sniffed_type: Option<&'static str>,
    /// Size of the decoded content in bytes.
    pub size: usize,
    /// The decoded content.
    pub bytes: Vec<u8>,
}

/// A parsed inbound message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InboundEmail {
    /// Message-ID without angle brackets.
    pub message_id: Option<String>,
    /// In-Reply-To ids without angle brackets.
    pub in_reply_to: Vec<String>,
    /// References ids without angle brackets, oldest first.
    pub references: Vec<String>,
    /// The subject, decoded to logical order.
    pub subject: String,
    /// The first valid From mailbox.
    pub from: Option<Mailbox>,
    /// Valid To mailboxes.
    pub to: Vec<Mailbox>,
    /// Valid Cc mailboxes.
    pub cc: Vec<Mailbox>,
    /// The Date header.
    pub date: Option<Timestamp>,
    /// The readable text: plain parts, or HTML turned into text.
    pub text: String,
    /// Files, including forwarded or bounced messages.
    pub attachments: Vec<Attachment>,
    /// Top-level headers, names as written and values unfolded.
    pub headers: Vec<(String, String)>,
    /// The text of a `message/delivery-status` part (bounces).
    pub delivery_status: Option<String>,
    /// The main content type, `type/subtype`, lowercase.
    pub content_type: String,
    /// What was wrong with the input.
    pub flags: Vec<Flag>,
}

impl InboundEmail {
    /// The first header with this name (case-insensitive), unfolded.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// Parses a raw message.
pub fn parse(raw: &[u8], limits: ParseLimits) -> InboundEmail {
    let mut flags = Vec::new();
    let parsed_bytes = if raw.len() > limits.max_message_bytes {
        flags.push(Flag::Oversized {
            size: raw.len(),
            limit: limits.max_message_bytes,
        });
        &raw[..limits.max_message_bytes]
    } else {
        raw
    };
    let longest = longest_line(parsed_bytes);
    if longest > RFC_LINE_LIMIT {
        flags.push(Flag::LongLine { longest });
    }
    let message = MessageParser::default()
        .parse(parsed_bytes)
        .filter(|message| {
            message
                .headers()
                .iter()
                .any(|header| is_field_name(header.name()))
        });
    let mut email = match message {
        Some(message) => from_message(&message, &mut flags),
        None => unparsed(parsed_bytes, &mut flags),
    };
    email.flags = flags;
    email
}

/// RFC 5322 field names are printable ASCII without spaces or colons; text
/// that is not mail at all reaches the parser as one long bogus name.
fn is_field_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':')
}

fn unparsed(bytes: &[u8], flags: &mut Vec<Flag>) -> InboundEmail {
    flags.push(Flag::Malformed("no header section".to_owned()));
    InboundEmail {
        text: String::from_utf8_lossy(bytes).into_owned(),
        content_type: "text/plain".to_owned(),
        ..InboundEmail::default()
    }
}

fn longest_line(bytes: &[u8]) -> usize {
    bytes
        .split(|b| *b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line).len())
        .max()
        .unwrap_or(0)
}

fn from_message(message: &Message<'_>, flags: &mut Vec<Flag>) -> InboundEmail {
    check_parts(message, flags);
    let from = mailboxes(message.from(), message.header_raw("From"), flags)
        .into_iter()
        .next();
    if from.is_none() {
        flags.push(Flag::Malformed("no valid From address".to_owned()));
    }
    InboundEmail {
        message_id: message.message_id().map(str::to_owned),
        in_reply_to: ids(message.in_reply_to()),
        references: ids(message.references()),
        subject: subject(message),
        from,
        to: mailboxes(message.to(), message.header_raw("To"), flags),
        cc: mailboxes(message.cc(), message.header_raw("Cc"), flags),
        date: message
            .date()
            .and_then(|date| Timestamp::from_second(date.to_timestamp()).ok()),
        text: body_text(message),
        attachments: attachments(message),
        headers: message
            .headers_raw()
            .map(|(name, value)| (name.to_owned(), unfold(value)))
            .collect(),
        delivery_status: delivery_status(message),
        content_type: mime_type(message.root_part()),
        flags: Vec::new(),
    }
}

fn unfold(value: &str) -> String {
    value
        .replace("\r\n", "")
        .replace('\n', "")
        .trim()
        .to_owned()
}

fn subject(message: &Message<'_>) -> String {
    match message.header_raw("Subject") {
        Some(raw) if charset::has_visual_word(raw) => charset::decode_header_words(raw),
        _ => message.subject().unwrap_or_default().trim().to_owned(),
    }
}

fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(id) => vec![id.to_string()],
        HeaderValue::TextList(list) => list.iter().map(|id| id.to_string()).collect(),
        _ => Vec::new(),
    }
}

fn mailboxes(
    address: Option<&Address<'_>>,
    raw: Option<&str>,
    flags: &mut Vec<Flag>,
) -> Vec<Mailbox> {
    let visual = raw.is_some_and(charset::has_visual_word);
    let mut found = Vec::new();
    for addr in address.into_iter().flat_map(|address| address.iter()) {
        let Some(text) = addr.address() else { continue };
        match EmailAddress::parse(text) {
            Ok(address) => {
                let name = addr.name().map(|name| match visual {
                    true => visual_to_logical(name),
                    false => name.to_owned(),
                });
                found.push(Mailbox { name, address });
            }
            Err(error) => flags.push(Flag::Malformed(format!("an address is not valid: {error}"))),
        }
    }
    found
}

fn check_parts(message: &Message<'_>, flags: &mut Vec<Flag>) {
    let raw = message.raw_message();
    for part in &message.parts {
        if part.is_encoding_problem {
            flags.push(Flag::Malformed(
                "a body part could not be decoded as declared".to_owned(),
            ));
        }
        let charset = part.content_type().and_then(|ct| ct.attribute("charset"));
        if let Some(name) = charset.filter(|name| !charset::is_known(name)) {
            let flag = Flag::UnknownCharset(name.to_owned());
            if !flags.contains(&flag) {
                flags.push(flag);
            }
        }
        let boundary = part.content_type().and_then(|ct| ct.attribute("boundary"));
        if let Some(boundary) = boundary.filter(|_| part.is_multipart()) {
            let closing = format!("--{boundary}--");
            if !contains(raw, closing.as_bytes()) && !flags.contains(&Flag::Truncated) {
                flags.push(Flag::Truncated);
            }
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

fn body_text(message: &Message<'_>) -> String {
    // A text part cut short or badly encoded is filed as an attachment by
    // mail-parser; it is still what the customer wrote.
    let damaged = message
        .parts
        .iter()
        .enumerate()
        .filter(|(_, part)| part.is_encoding_problem)
        .map(|(id, _)| id as u32);
    let mut ids: Vec<u32> = message.text_body.iter().copied().chain(damaged).collect();
    ids.sort_unstable();
    ids.dedup();
    let texts: Vec<String> = ids
        .iter()
        .filter_map(|id| message.parts.get(*id as usize))
        .filter_map(part_text)
        .filter(|text| !text.trim().is_empty())
        .collect();
    texts.join("\n\n")
}

fn part_text(part: &MessagePart<'_>) -> Option<String> {
    let text = match &part.body {
        PartType::Text(text) => text.replace("\r\n", "\n").trim_end().to_owned(),
        PartType::Html(html) => html_to_text(html),
        _ => return None,
    };
    let visual = part
        .content_type()
        .and_then(|ct| ct.attribute("charset"))
        .is_some_and(charset::is_visual);
    Some(if visual {
        visual_to_logical(&text)
    } else {
        text
    })
}

fn attachments(message: &Message<'_>) -> Vec<Attachment> {
    message
        .attachments
        .iter()
        .filter_map(|id| message.parts.get(*id as usize))
        .filter(|part| mime_type(part) != "message/delivery-status")
        .map(|part| attachment(message, part))
        .collect()
}

fn attachment(message: &Message<'_>, part: &MessagePart<'_>) -> Attachment {
    let bytes = match &part.body {
        // A forwarded or bounced message is kept as it was sent.
        PartType::Message(_) => message
            .raw_message()
            .get(part.raw_body_offset() as usize..part.raw_end_offset() as usize)
            .unwrap_or_default()
            .to_vec(),
        _ => part.contents().to_vec(),
    };
    Attachment {
        file_name: part.attachment_name().map(str::to_owned),
        declared_type: mime_type(part),
        sniffed_type: sniff(&bytes),
        size: bytes.len(),
        bytes,
    }
}

fn delivery_status(message: &Message<'_>) -> Option<String> {
    message
        .parts
        .iter()
        .find(|part| mime_type(part) == "message/delivery-status")
        .map(|part| String::from_utf8_lossy(part.contents()).into_owned())
}

fn mime_type(part: &MessagePart<'_>) -> String {
    match part.content_type() {
        Some(ct) => match ct.subtype() {
            Some(subtype) => format!("{}/{}", ct.ctype(), subtype).to_ascii_lowercase(),
            None => ct.ctype().to_ascii_lowercase(),
        },
        None => "text/plain".to_owned(),
    }
}
