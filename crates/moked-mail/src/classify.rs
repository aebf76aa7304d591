//! Is a message from a person, an auto-responder or a bounce?
//!
//! Answering an auto-reply with an auto-acknowledgement starts a mail loop,
//! and a bounce is news about our own reply, not a new case: both are told
//! apart here from headers alone (RFC 3834, RFC 2369, RFC 3464), so the
//! ticket layer can attach them without replying or opening a ticket.

use crate::parse::InboundEmail;
use moked_domain::EmailAddress;

/// What kind of sender produced a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A delivery failure report about a message we sent.
    Bounce(Bounce),
    /// An automatic message: never answer it automatically.
    Automatic(AutoReason),
    /// Written by a person.
    Human,
}

/// The header that gave an automatic message away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AutoReason {
    /// `Auto-Submitted` other than `no` (RFC 3834).
    AutoSubmitted(String),
    /// `Precedence: bulk`, `junk` or `list`.
    Precedence(String),
    /// `X-Autoreply`, `X-Autorespond` or `X-Auto-Response-Suppress`.
    AutoresponderHeader(String),
    /// `List-Id` or `List-Unsubscribe`: mail from a mailing list.
    MailingList,
}

/// What a bounce says about the failed delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounce {
    /// The address that could not be reached, if the report names one.
    pub recipient: Option<EmailAddress>,
    /// The enhanced status code, such as `5.1.1`.
    pub status: Option<String>,
    /// True for a permanent failure (status 5.x.x or action `failed`).
    pub permanent: bool,
}

/// Classifies a message; a bounce is recognised before an auto-reply
/// because bounces often carry `Auto-Submitted` too.
pub fn classify(email: &InboundEmail) -> Kind {
    if let Some(bounce) = bounce(email) {
        return Kind::Bounce(bounce);
    }
    match auto_reason(email) {
        Some(reason) => Kind::Automatic(reason),
        None => Kind::Human,
    }
}

fn auto_reason(email: &InboundEmail) -> Option<AutoReason> {
    let submitted = email.header("Auto-Submitted").map(str::trim);
    if let Some(value) = submitted.filter(|value| !value.eq_ignore_ascii_case("no")) {
        return Some(AutoReason::AutoSubmitted(value.to_owned()));
    }
    if let Some(value) = email.header("Precedence") {
        let value = value.trim().to_ascii_lowercase();
        if matches!(value.as_str(), "bulk" | "junk" | "list") {
            return Some(AutoReason::Precedence(value));
        }
    }
    for name in ["X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"] {
        if email.header(name).is_some() {
            return Some(AutoReason::AutoresponderHeader(name.to_owned()));
        }
    }
    ["List-Id", "List-Unsubscribe"]
        .iter()
        .any(|name| email.header(name).is_some())
        .then_some(AutoReason::MailingList)
}

fn bounce(email: &InboundEmail) -> Option<Bounce> {
    if let Some(report) = email.delivery_status.as_deref() {
        return Some(from_report(report));
    }
    if !from_mail_system(email) {
        return None;
    }
    let status = find_status(&email.text);
    Some(Bounce {
        recipient: first_bracketed_address(&email.text),
        permanent: status.as_deref().is_some_and(|code| code.starts_with('5')),
        status,
    })
}

/// A message from the mail system itself: a null return path (RFC 5321
/// §4.5.5) or a MAILER-DAEMON / postmaster sender.
fn from_mail_system(email: &InboundEmail) -> bool {
    let null_path = email
        .header("Return-Path")
        .is_some_and(|path| path.trim() == "<>");
    let daemon = email.from.as_ref().is_some_and(|from| {
        let local = from.address.as_str().split('@').next().unwrap_or_default();
        local.eq_ignore_ascii_case("mailer-daemon") || local.eq_ignore_ascii_case("postmaster")
    });
    null_path || daemon
}

/// Reads the first recipient block of an RFC 3464 delivery-status report.
fn from_report(report: &str) -> Bounce {
    let field = |name: &str| {
        report.lines().find_map(|line| {
            let (field, value) = line.split_once(':')?;
            field
                .trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    };
    let recipient = field("Final-Recipient")
        .or_else(|| field("Original-Recipient"))
        .and_then(|value| {
            let address = value.split_once(';').map_or(value.as_str(), |(_, a)| a);
            EmailAddress::parse(address.trim().trim_matches(['<', '>'])).ok()
        });
    let status = field("Status").and_then(|value| find_status(&value));
    let failed = field("Action").is_some_and(|action| action.eq_ignore_ascii_case("failed"));
    Bounce {
        recipient,
        permanent: failed || status.as_deref().is_some_and(|code| code.starts_with('5')),
        status,
    }
}

/// The first enhanced status code (RFC 3463: `class.subject.detail`).
fn find_status(text: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ',' | ';'))
        .find(|word| is_status_code(word))
        .map(str::to_owned)
}

fn is_status_code(word: &str) -> bool {
    let parts: Vec<&str> = word.split('.').collect();
    matches!(parts.as_slice(), [class, subject, detail]
        if matches!(*class, "2" | "4" | "5")
            && (1..=3).contains(&subject.len())
            && (1..=3).contains(&detail.len())
            && subject.bytes().chain(detail.bytes()).all(|b| b.is_ascii_digit()))
}

fn first_bracketed_address(text: &str) -> Option<EmailAddress> {
    text.split('<')
        .skip(1)
        .filter_map(|rest| rest.split_once('>').map(|(inside, _)| inside))
        .find_map(|inside| EmailAddress::parse(inside).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{ParseLimits, parse};

    fn email(headers: &str, body: &str) -> InboundEmail {
        let raw = format!("{headers}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}");
        parse(raw.as_bytes(), ParseLimits::default())
    }

    #[test]
    fn a_person_is_human_and_auto_submitted_no_is_a_person_too() {
        let plain = email("From: דנה <dana@x.example>\r\nSubject: שאלה", "שלום");
        assert_eq!(classify(&plain), Kind::Human);
        let explicit = email("From: dana@x.example\r\nAuto-Submitted: no", "שלום");
        assert_eq!(classify(&explicit), Kind::Human);
    }

    #[test]
    fn automatic_headers_are_recognised() {
        let cases = [
            (
                "Auto-Submitted: auto-generated",
                AutoReason::AutoSubmitted("auto-generated".into()),
            ),
            ("Precedence: Junk", AutoReason::Precedence("junk".into())),
            (
                "X-Autorespond: yes",
                AutoReason::AutoresponderHeader("X-Autorespond".into()),
            ),
            (
                "X-Auto-Response-Suppress: All",
                AutoReason::AutoresponderHeader("X-Auto-Response-Suppress".into()),
            ),
            ("List-Id: <news.shop.example>", AutoReason::MailingList),
        ];
        for (header, reason) in cases {
            let message = email(&format!("From: a@x.example\r\n{header}"), "מבצע!");
            assert_eq!(classify(&message), Kind::Automatic(reason), "{header}");
        }
        let precedence_first_class = email("From: a@x.example\r\nPrecedence: first-class", "x");
        assert_eq!(classify(&precedence_first_class), Kind::Human);
    }

    #[test]
    fn a_bounce_without_a_report_is_read_from_its_text() {
        let message = email(
            "From: MAILER-DAEMON@mx.example\r\nSubject: failure notice",
            "Sorry. <yael@gone.example>: 550 5.1.1 mailbox unavailable (חסום)\r\n",
        );
        let Kind::Bounce(bounce) = classify(&message) else {
            panic!("not a bounce")
        };
        assert_eq!(
            bounce.recipient.map(String::from).as_deref(),
            Some("yael@gone.example")
        );
        assert_eq!(bounce.status.as_deref(), Some("5.1.1"));
        assert!(bounce.permanent);
    }

    #[test]
    fn status_codes_are_checked() {
        assert!(is_status_code("4.7.0") && is_status_code("5.1.10"));
        assert!(!is_status_code("1.2.3") && !is_status_code("5.1") && !is_status_code("v5.a.1"));
    }
}
