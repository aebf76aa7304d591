//! Which ticket a message belongs to.
//!
//! Replies carry the ticket in two ways: the tag `[#1042]` in the subject
//! (survives clients that drop threading headers, and people who type a
//! new mail about an old case) and our own Message-IDs in In-Reply-To and
//! References (survive people who edit the subject). Foreign ids are handed
//! to the caller to look up among the messages it stored.

use crate::parse::InboundEmail;

/// The subject tag of a ticket: `[#1042]`.
pub fn ticket_tag(ticket: u64) -> String {
    format!("[#{ticket}]")
}

/// The ticket number of the last well-formed tag in a subject; the last
/// one, because a forwarded subject keeps the older tags in front.
pub fn parse_ticket_tag(subject: &str) -> Option<u64> {
    subject
        .match_indices("[#")
        .filter_map(|(start, _)| {
            let rest = &subject[start + 2..];
            let (digits, _) = rest.split_once(']')?;
            let valid = !digits.is_empty() && digits.len() <= 18;
            valid.then(|| digits.parse().ok()).flatten()
        })
        .last()
}

/// The subject of our reply: one `Re:`, the original subject without its
/// old tags, and the ticket's tag at the end.
pub fn reply_subject(original: &str, ticket: u64) -> String {
    let mut base = original.trim();
    loop {
        let lower = base.get(..3).map(str::to_ascii_lowercase);
        let stripped = match lower.as_deref() {
            Some("re:" | "aw:" | "sv:") => &base[3..],
            _ => base.strip_prefix("השב:").unwrap_or(base),
        };
        if stripped.len() == base.len() {
            break;
        }
        base = stripped.trim_start();
    }
    let base = strip_tag(base, ticket);
    match base.is_empty() {
        true => format!("Re: {}", ticket_tag(ticket)),
        false => format!("Re: {base} {}", ticket_tag(ticket)),
    }
}

fn strip_tag(subject: &str, ticket: u64) -> String {
    subject
        .replace(&ticket_tag(ticket), "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The Message-ID of a message we send about a ticket: the ticket number
/// in it lets a reply find its ticket even with the subject rewritten.
pub fn our_message_id(ticket: u64, unique: &str, domain: &str) -> String {
    format!("ticket-{ticket}.{unique}@{domain}")
}

/// The ticket named by one of our own Message-IDs, if it is ours.
pub fn ticket_of_message_id(id: &str, our_domain: &str) -> Option<u64> {
    let id = id.trim().trim_matches(['<', '>']);
    let (local, domain) = id.rsplit_once('@')?;
    if !domain.eq_ignore_ascii_case(our_domain) {
        return None;
    }
    let (number, unique) = local.strip_prefix("ticket-")?.split_once('.')?;
    (!unique.is_empty()).then(|| number.parse().ok()).flatten()
}

/// What the caller looks up to thread a message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ThreadLookup {
    /// The ticket named by the subject tag or one of our Message-IDs.
    pub ticket: Option<u64>,
    /// Ids this message answers, nearest first (In-Reply-To, then
    /// References from the newest), to look up among stored messages.
    pub reply_to_ids: Vec<String>,
}

/// Threading keys of a message. A ticket named by our own Message-ID wins
/// over the subject tag: the ids are written by mail clients, the subject
/// by people.
pub fn thread_lookup(email: &InboundEmail, our_domain: &str) -> ThreadLookup {
    let mut ids: Vec<String> = Vec::new();
    for id in email
        .in_reply_to
        .iter()
        .chain(email.references.iter().rev())
    {
        if !ids.contains(id) {
            ids.push(id.clone());
        }
    }
    let ticket = ids
        .iter()
        .find_map(|id| ticket_of_message_id(id, our_domain))
        .or_else(|| parse_ticket_tag(&email.subject));
    ThreadLookup {
        ticket,
        reply_to_ids: ids,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip_and_the_last_one_counts() {
        assert_eq!(
            parse_ticket_tag(&format!("בעיה {}", ticket_tag(1042))),
            Some(1042)
        );
        assert_eq!(parse_ticket_tag("Fwd: [#7] Re: [#1042] חשבון"), Some(1042));
        assert_eq!(parse_ticket_tag("[#] [#abc] [#12"), None);
        assert_eq!(parse_ticket_tag("[#99999999999999999999]"), None);
    }

    #[test]
    fn reply_subjects_have_one_re_and_one_tag() {
        assert_eq!(
            reply_subject("החבילה לא הגיעה", 1042),
            "Re: החבילה לא הגיעה [#1042]"
        );
        assert_eq!(
            reply_subject("RE: Re: השב: החבילה [#1042]", 1042),
            "Re: החבילה [#1042]"
        );
        assert_eq!(reply_subject("", 5), "Re: [#5]");
    }

    #[test]
    fn our_message_ids_name_their_ticket() {
        let id = our_message_id(1042, "k3j4", "demo.example");
        assert_eq!(
            ticket_of_message_id(&format!("<{id}>"), "DEMO.example"),
            Some(1042)
        );
        assert_eq!(ticket_of_message_id(&id, "other.example"), None);
        assert_eq!(
            ticket_of_message_id("ticket-x.1@demo.example", "demo.example"),
            None
        );
        assert_eq!(
            ticket_of_message_id("CAB123@mail.gmail.com", "demo.example"),
            None
        );
    }

    #[test]
    fn lookup_prefers_our_ids_then_the_tag() {
        let email = InboundEmail {
            subject: "Re: שאלה [#7]".to_owned(),
            in_reply_to: vec!["CAB9@mail.gmail.example".to_owned()],
            references: vec![
                "ticket-1042.a@demo.example".to_owned(),
                "CAB9@mail.gmail.example".to_owned(),
            ],
            ..InboundEmail::default()
        };
        let lookup = thread_lookup(&email, "demo.example");
        assert_eq!(lookup.ticket, Some(1042));
        assert_eq!(
            lookup.reply_to_ids,
            vec!["CAB9@mail.gmail.example", "ticket-1042.a@demo.example"]
        );
        let tagged_only = InboundEmail {
            subject: "Re: שאלה [#7]".to_owned(),
            ..InboundEmail::default()
        };
        assert_eq!(thread_lookup(&tagged_only, "demo.example").ticket, Some(7));
    }
}
