//! Rules every backend enforces before writing, so both reject the same
//! input with the same error whatever their SQL constraints can express.

use crate::error::{StoreError, StoreResult};
use crate::model::{
    LANGUAGES, MAX_PAGE, MAX_SKILL_LEVEL, MIN_SKILL_LEVEL, MINUTES_PER_DAY, NewAuthToken,
    NewBusinessHours, NewCustomer, NewEvent, NewMessage, NewOrganization, NewQueue, NewSipAccount,
    NewUser, TimelineStep, TokenKind, UserUpdate, WeeklyInterval,
};
use crate::ticket::{
    CANNED_LANGUAGES, EscalationTrigger, MAX_ATTACHMENT_BYTES, MacroActions, NewAttachment,
    NewCannedResponse, NewEscalationRule, NewSlaPolicy, NewTicket, TicketChange,
};

/// Longest name of anything (queue, team, customer...), in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest chat message, in bytes of UTF-8 (Hebrew letters take two).
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;
/// Longest customer notes, in bytes.
pub const MAX_NOTES_BYTES: usize = 64 * 1024;
/// Longest idempotency key, in characters.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 128;
/// Longest slug, login, code or event kind, in characters.
pub const MAX_KEY_CHARS: usize = 100;
/// The PHC prefix of an argon2id hash.
const ARGON2ID_PREFIX: &str = "$argon2id$";

/// A display name: not blank, not too long.
pub fn name(field: &'static str, value: &str) -> StoreResult<()> {
    if value.trim().is_empty() {
        return Err(StoreError::invalid(field, "must not be blank"));
    }
    if value.chars().count() > MAX_NAME_CHARS {
        return Err(StoreError::invalid(
            field,
            format!("has more than {MAX_NAME_CHARS} characters"),
        ));
    }
    Ok(())
}

/// A machine key (login, code, event kind): printable, without spaces.
pub fn key(field: &'static str, value: &str) -> StoreResult<()> {
    if value.is_empty() || value.chars().count() > MAX_KEY_CHARS {
        return Err(StoreError::invalid(
            field,
            format!("must have 1 to {MAX_KEY_CHARS} characters"),
        ));
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(StoreError::invalid(field, "must not contain spaces"));
    }
    Ok(())
}

/// An organization: URL-safe slug, display name and time zone.
pub fn organization(new: &NewOrganization) -> StoreResult<()> {
    key("slug", &new.slug)?;
    let url_safe = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    if !new.slug.chars().all(url_safe) || new.slug.starts_with('-') {
        return Err(StoreError::invalid(
            "slug",
            "use lowercase letters, digits and '-'",
        ));
    }
    name("name", &new.name)?;
    time_zone(&new.time_zone)
}

/// An IANA time-zone name such as `Asia/Jerusalem` (its existence is checked
/// by whoever converts times with it).
pub fn time_zone(value: &str) -> StoreResult<()> {
    key("time_zone", value)?;
    if !value.is_ascii() {
        return Err(StoreError::invalid("time_zone", "must be an IANA name"));
    }
    Ok(())
}

/// A user; the password must arrive already hashed with argon2id.
pub fn user(new: &NewUser) -> StoreResult<()> {
    key("login", &new.login)?;
    name("display_name", &new.display_name)?;
    language(&new.lang)?;
    password_hash(&new.password_hash)
}

/// A change to a user.
pub fn user_update(update: &UserUpdate) -> StoreResult<()> {
    name("display_name", &update.display_name)?;
    language(&update.lang)?;
    update
        .password_hash
        .as_deref()
        .map_or(Ok(()), password_hash)
}

fn password_hash(hash: &str) -> StoreResult<()> {
    if !hash.starts_with(ARGON2ID_PREFIX) {
        return Err(StoreError::invalid(
            "password_hash",
            "must be an argon2id PHC string",
        ));
    }
    Ok(())
}

/// A screen language.
pub fn language(lang: &str) -> StoreResult<()> {
    if !LANGUAGES.contains(&lang) {
        return Err(StoreError::invalid("lang", "must be \"he\" or \"en\""));
    }
    Ok(())
}

/// A queue's definition.
pub fn queue(new: &NewQueue) -> StoreResult<()> {
    name("name", &new.name)?;
    if new.wrap_up_seconds > MAX_QUEUE_SECONDS {
        return Err(StoreError::invalid(
            "wrap_up_seconds",
            format!("must be at most {MAX_QUEUE_SECONDS}"),
        ));
    }
    if new.offer_timeout_seconds > MAX_QUEUE_SECONDS {
        return Err(StoreError::invalid(
            "offer_timeout_seconds",
            format!("must be at most {MAX_QUEUE_SECONDS}"),
        ));
    }
    Ok(())
}

/// Longest wrap-up time or offer timeout a queue may set: one hour.
const MAX_QUEUE_SECONDS: u32 = 3600;

/// A token: its hash is lowercase hex SHA-256, and what it grants fits its
/// kind.
pub fn auth_token(new: &NewAuthToken) -> StoreResult<()> {
    let is_sha256_hex = new.token_hash.len() == 64
        && new
            .token_hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !is_sha256_hex {
        return Err(StoreError::invalid(
            "token_hash",
            "must be a lowercase hex SHA-256",
        ));
    }
    let fits = match new.kind {
        TokenKind::Session => new.user.is_some() && new.role.is_some(),
        TokenKind::Api => new.role.is_some(),
        TokenKind::Chat => new.interaction.is_some() && new.role.is_none(),
    };
    if !fits {
        return Err(StoreError::invalid(
            "kind",
            "a session needs a user and a role, an API token a role, a chat token its chat",
        ));
    }
    if new.label.chars().count() > MAX_NAME_CHARS {
        return Err(StoreError::invalid("label", "is too long"));
    }
    Ok(())
}

/// A page size.
pub fn page_limit(limit: u32) -> StoreResult<()> {
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(StoreError::invalid(
            "limit",
            format!("must be from 1 to {MAX_PAGE}"),
        ));
    }
    Ok(())
}

/// A skill level.
pub fn skill_level(level: u8) -> StoreResult<()> {
    if !(MIN_SKILL_LEVEL..=MAX_SKILL_LEVEL).contains(&level) {
        return Err(StoreError::invalid(
            "level",
            format!("must be from {MIN_SKILL_LEVEL} to {MAX_SKILL_LEVEL}"),
        ));
    }
    Ok(())
}

/// A business-hours schedule: each interval within one day, opening first.
pub fn business_hours(new: &NewBusinessHours) -> StoreResult<()> {
    name("name", &new.name)?;
    time_zone(&new.time_zone)?;
    new.intervals.iter().try_for_each(weekly_interval)
}

fn weekly_interval(interval: &WeeklyInterval) -> StoreResult<()> {
    if interval.weekday > 6 {
        return Err(StoreError::invalid("weekday", "must be 0 (Sunday) to 6"));
    }
    if interval.opens_minute >= interval.closes_minute || interval.closes_minute > MINUTES_PER_DAY {
        return Err(StoreError::invalid(
            "intervals",
            "opening must come before closing, within the day",
        ));
    }
    Ok(())
}

/// A customer's details.
pub fn customer(new: &NewCustomer) -> StoreResult<()> {
    name("name", &new.name)?;
    if new.notes.len() > MAX_NOTES_BYTES {
        return Err(StoreError::invalid(
            "notes",
            format!("are longer than {MAX_NOTES_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// A timeline step: a transfer names where it goes; a rating is 1 to 5 with
/// a comment of reasonable length.
pub fn timeline_step(step: &TimelineStep) -> StoreResult<()> {
    if let TimelineStep::Rated { score, comment } = step {
        if !(1..=5).contains(score) {
            return Err(StoreError::invalid("score", "must be from 1 to 5"));
        }
        if comment.len() > MAX_MESSAGE_BYTES {
            return Err(StoreError::invalid(
                "comment",
                format!("is longer than {MAX_MESSAGE_BYTES} bytes"),
            ));
        }
    }
    if let TimelineStep::Transferred {
        to_queue: None,
        to_agent: None,
    } = step
    {
        return Err(StoreError::invalid(
            "step",
            "a transfer needs a target queue or agent",
        ));
    }
    Ok(())
}

/// A chat message: not empty, not oversized, with a usable key.
pub fn message(new: &NewMessage) -> StoreResult<()> {
    if new.body.trim().is_empty() {
        return Err(StoreError::invalid("body", "must not be blank"));
    }
    if new.body.len() > MAX_MESSAGE_BYTES {
        return Err(StoreError::invalid(
            "body",
            format!("is longer than {MAX_MESSAGE_BYTES} bytes"),
        ));
    }
    let key_chars = new.idempotency_key.chars().count();
    if key_chars == 0 || key_chars > MAX_IDEMPOTENCY_KEY_CHARS {
        return Err(StoreError::invalid(
            "idempotency_key",
            format!("must have 1 to {MAX_IDEMPOTENCY_KEY_CHARS} characters"),
        ));
    }
    Ok(())
}

/// An event: a kind and a JSON payload.
pub fn event(new: &NewEvent) -> StoreResult<()> {
    key("kind", &new.kind)
}

/// Longest SIP user name or address, in characters.
pub const MAX_SIP_NAME_CHARS: usize = 64;
/// Longest SIP digest realm, in characters (a host name's limit).
pub const MAX_SIP_REALM_CHARS: usize = 253;

/// A SIP account: a user name a phone can send, a realm, and an HA1 that
/// is an MD5 in lowercase hex.
pub fn sip_account(new: &NewSipAccount) -> StoreResult<()> {
    sip_name("username", &new.username, |c| {
        c.is_ascii_alphanumeric() || "._-".contains(c)
    })?;
    sip_realm(&new.realm)?;
    let is_md5_hex = new.ha1.len() == 32
        && new
            .ha1
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !is_md5_hex {
        return Err(StoreError::invalid(
            "ha1",
            "must be 32 lowercase hex digits (MD5 of username:realm:password)",
        ));
    }
    Ok(())
}

/// A SIP address: the user part of a queue's Request-URI.
pub fn sip_address(address: &str) -> StoreResult<()> {
    sip_name("address", address, |c| {
        c.is_ascii_alphanumeric() || "._+-".contains(c)
    })
}

fn sip_name(field: &'static str, value: &str, allowed: fn(char) -> bool) -> StoreResult<()> {
    if value.is_empty() || value.chars().count() > MAX_SIP_NAME_CHARS {
        return Err(StoreError::invalid(
            field,
            format!("must have 1 to {MAX_SIP_NAME_CHARS} characters"),
        ));
    }
    if let Some(bad) = value.chars().find(|&c| !allowed(c)) {
        return Err(StoreError::invalid(
            field,
            format!("must not contain {bad:?}"),
        ));
    }
    Ok(())
}

/// A digest realm is sent inside a quoted string: printable ASCII without
/// quotes or backslashes keeps it free of escaping.
fn sip_realm(realm: &str) -> StoreResult<()> {
    let printable = |c: char| c.is_ascii_graphic() && c != '"' && c != '\\';
    if realm.is_empty() || realm.len() > MAX_SIP_REALM_CHARS || !realm.chars().all(printable) {
        return Err(StoreError::invalid(
            "realm",
            format!(
                "must have 1 to {MAX_SIP_REALM_CHARS} printable ASCII characters, \
                 without spaces, quotes or backslashes"
            ),
        ));
    }
    Ok(())
}

/// Longest ticket tag or category, in characters.
pub const MAX_TAG_CHARS: usize = 50;
/// Most tags on one ticket.
pub const MAX_TAGS: usize = 30;
/// Longest ticket note or canned response, in bytes.
pub const MAX_TICKET_TEXT_BYTES: usize = 64 * 1024;
/// Longest SLA target: a year of business minutes is beyond any contract.
pub const MAX_SLA_MINUTES: u32 = 365 * 24 * 60;

/// A new ticket's fields.
pub fn new_ticket(new: &NewTicket) -> StoreResult<()> {
    name("subject", &new.subject)?;
    new.category.as_deref().map_or(Ok(()), category)?;
    tags(&new.tags)
}

/// A change to a ticket's fields (the status move itself is checked
/// against the ticket's current status when it is applied).
pub fn ticket_change(change: &TicketChange) -> StoreResult<()> {
    match change {
        TicketChange::Subject(subject) => name("subject", subject),
        TicketChange::Category(Some(c)) => category(c),
        TicketChange::Tags(t) => tags(t),
        _ => Ok(()),
    }
}

fn category(value: &str) -> StoreResult<()> {
    short_label("category", value)
}

fn tags(values: &[String]) -> StoreResult<()> {
    tag_list("tags", values)
}

fn tag_list(field: &'static str, values: &[String]) -> StoreResult<()> {
    if values.len() > MAX_TAGS {
        return Err(StoreError::invalid(
            field,
            format!("at most {MAX_TAGS} tags"),
        ));
    }
    values.iter().try_for_each(|tag| {
        short_label(field, tag)?;
        if tag.chars().any(char::is_whitespace) {
            return Err(StoreError::invalid(field, "a tag has no spaces"));
        }
        Ok(())
    })
}

/// A macro's actions: a category, tags and a note a ticket could take
/// (the team and agent are checked against the organization by the
/// server, which knows them).
fn macro_actions(actions: &MacroActions) -> StoreResult<()> {
    actions
        .category
        .as_deref()
        .map_or(Ok(()), |c| short_label("actions.category", c))?;
    tag_list("actions.add_tags", &actions.add_tags)?;
    tag_list("actions.remove_tags", &actions.remove_tags)?;
    actions
        .note
        .as_deref()
        .map_or(Ok(()), |note| ticket_text("actions.note", note))
}

fn short_label(field: &'static str, value: &str) -> StoreResult<()> {
    if value.trim().is_empty() || value.chars().count() > MAX_TAG_CHARS {
        return Err(StoreError::invalid(
            field,
            format!("must have 1 to {MAX_TAG_CHARS} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(StoreError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    Ok(())
}

/// A note's or canned response's text: not blank, not oversized.
pub fn ticket_text(field: &'static str, body: &str) -> StoreResult<()> {
    if body.trim().is_empty() {
        return Err(StoreError::invalid(field, "must not be blank"));
    }
    if body.len() > MAX_TICKET_TEXT_BYTES {
        return Err(StoreError::invalid(
            field,
            format!("is longer than {MAX_TICKET_TEXT_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// An attachment: a name, a MIME type of the form `type/subtype`, and at
/// most [`MAX_ATTACHMENT_BYTES`] of content.
pub fn attachment(new: &NewAttachment) -> StoreResult<()> {
    name("file_name", &new.file_name)?;
    if new.file_name.contains(['/', '\\']) || new.file_name.chars().any(char::is_control) {
        return Err(StoreError::invalid(
            "file_name",
            "must not contain a path or control characters",
        ));
    }
    let mime_char = |c: char| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c);
    let well_formed = new.content_type.len() <= MAX_KEY_CHARS
        && new.content_type.split_once('/').is_some_and(|(kind, sub)| {
            !kind.is_empty() && !sub.is_empty() && kind.chars().chain(sub.chars()).all(mime_char)
        });
    if !well_formed {
        return Err(StoreError::invalid(
            "content_type",
            "must be a MIME type such as application/pdf",
        ));
    }
    if new.content.len() > MAX_ATTACHMENT_BYTES {
        return Err(StoreError::invalid(
            "content",
            format!("is larger than {MAX_ATTACHMENT_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// A canned response: its placeholders must be ones `moked_sla` fills in,
/// so an agent never sends a customer a raw `{{...}}`.
pub fn canned_response(new: &NewCannedResponse) -> StoreResult<()> {
    name("name", &new.name)?;
    if !CANNED_LANGUAGES.contains(&new.lang.as_str()) {
        return Err(StoreError::invalid("lang", "must be \"he\" or \"en\""));
    }
    ticket_text("body", &new.body)?;
    moked_sla::check_template(&new.body)
        .map(drop)
        .map_err(|e| StoreError::invalid("body", e.to_string()))?;
    macro_actions(&new.actions)
}

/// An SLA policy: positive targets, resolution no sooner than the first
/// response.
pub fn sla_policy(new: &NewSlaPolicy) -> StoreResult<()> {
    name("name", &new.name)?;
    new.category.as_deref().map_or(Ok(()), category)?;
    for (field, minutes) in [
        ("first_response_minutes", new.first_response_minutes),
        ("resolution_minutes", new.resolution_minutes),
    ] {
        if !(1..=MAX_SLA_MINUTES).contains(&minutes) {
            return Err(StoreError::invalid(
                field,
                format!("must be from 1 to {MAX_SLA_MINUTES}"),
            ));
        }
    }
    if new.resolution_minutes < new.first_response_minutes {
        return Err(StoreError::invalid(
            "resolution_minutes",
            "must not be shorter than the first-response target",
        ));
    }
    Ok(())
}

/// An escalation rule.
pub fn escalation_rule(new: &NewEscalationRule) -> StoreResult<()> {
    name("name", &new.name)?;
    match &new.trigger {
        EscalationTrigger::Breach => Ok(()),
        EscalationTrigger::Category(c) => category(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Role;

    #[test]
    fn refuses_anything_but_an_argon2id_hash() {
        let mut new = NewUser {
            login: "dana".into(),
            display_name: "דנה לוי".into(),
            role: Role::Agent,
            password_hash: "hunter2".into(),
            team: None,
            lang: "he".into(),
        };
        assert!(matches!(
            user(&new),
            Err(StoreError::Invalid {
                field: "password_hash",
                ..
            })
        ));
        new.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into();
        assert!(user(&new).is_ok());
    }

    #[test]
    fn slugs_are_url_safe() {
        let org = |slug: &str| NewOrganization {
            slug: slug.into(),
            name: "סלקום".into(),
            time_zone: "Asia/Jerusalem".into(),
        };
        assert!(organization(&org("cellcom-il")).is_ok());
        assert!(organization(&org("סלקום")).is_err());
        assert!(organization(&org("Cellcom")).is_err());
        assert!(organization(&org("-x")).is_err());
    }

    #[test]
    fn names_are_counted_in_characters() {
        assert!(name("name", &"א".repeat(MAX_NAME_CHARS)).is_ok());
        assert!(name("name", &"א".repeat(MAX_NAME_CHARS + 1)).is_err());
        assert!(name("name", "  ").is_err());
    }
    #[test]
    fn sip_names_keep_to_their_alphabets() {
        let account = |username: &str, ha1: &str| NewSipAccount {
            user: crate::model::UserId(1),
            username: username.into(),
            realm: "moked.example".into(),
            ha1: ha1.into(),
        };
        let ha1 = "0123456789abcdef0123456789abcdef";
        assert!(sip_account(&account("1001", ha1)).is_ok());
        assert!(sip_account(&account("dana.levi_2-x", ha1)).is_ok());
        for bad in ["", "דנה", "a b", "a@b", "a+b", &"x".repeat(65)] {
            assert!(matches!(
                sip_account(&account(bad, ha1)),
                Err(StoreError::Invalid {
                    field: "username",
                    ..
                })
            ));
        }
        for bad in [
            "0123456789ABCDEF0123456789ABCDEF",
            "abc",
            "g123456789abcdef0123456789abcdef",
        ] {
            assert!(matches!(
                sip_account(&account("1001", bad)),
                Err(StoreError::Invalid { field: "ha1", .. })
            ));
        }
        let quoted = NewSipAccount {
            realm: "a\"b".into(),
            ..account("1001", ha1)
        };
        assert!(matches!(
            sip_account(&quoted),
            Err(StoreError::Invalid { field: "realm", .. })
        ));
        assert!(sip_address("+97235551234").is_ok());
        assert!(sip_address("billing").is_ok());
        assert!(matches!(
            sip_address("חיובים"),
            Err(StoreError::Invalid {
                field: "address",
                ..
            })
        ));
        assert!(sip_address("").is_err());
        assert!(sip_address("bill ing").is_err());
    }
}
