//! Classification and threading of the fixture messages.

use moked_mail::{AutoReason, Kind, ParseLimits, classify, parse, thread_lookup};

fn parsed(name: &str) -> moked_mail::InboundEmail {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    parse(
        &std::fs::read(&path).expect("fixture"),
        ParseLimits::default(),
    )
}

#[test]
fn the_bounce_names_the_failed_recipient_and_status() {
    let Kind::Bounce(bounce) = classify(&parsed("bounce.eml")) else {
        panic!("the bounce fixture is not a bounce");
    };
    assert_eq!(
        bounce.recipient.map(String::from).as_deref(),
        Some("no.such.user@customer.example")
    );
    assert_eq!(bounce.status.as_deref(), Some("5.1.1"));
    assert!(bounce.permanent);
}

#[test]
fn the_out_of_office_reply_is_automatic_and_threads_into_its_ticket() {
    let email = parsed("autoreply.eml");
    assert_eq!(
        classify(&email),
        Kind::Automatic(AutoReason::AutoSubmitted("auto-replied".to_owned()))
    );
    assert_eq!(thread_lookup(&email, "demo.example").ticket, Some(1042));
}

#[test]
fn customers_are_human_and_replies_find_their_ticket() {
    for name in [
        "outlook_windows1255.eml",
        "gmail_utf8_alternative.eml",
        "old_visual_iso88598.eml",
        "attachment.eml",
    ] {
        assert_eq!(classify(&parsed(name)), Kind::Human, "{name}");
    }
    assert_eq!(
        thread_lookup(&parsed("outlook_windows1255.eml"), "demo.example").ticket,
        None
    );
    let reply = thread_lookup(&parsed("gmail_utf8_alternative.eml"), "demo.example");
    assert_eq!(reply.ticket, Some(1042));
    assert_eq!(reply.reply_to_ids[0], "ticket-1042.abc@demo.example");
}
