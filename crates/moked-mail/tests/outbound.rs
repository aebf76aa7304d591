//! Replies sent with lettre through a real SMTP hop on loopback: our own
//! listener plays the relay and keeps what it receives.

mod common;

use common::start;
use moked_domain::EmailAddress;
use moked_mail::{Mailer, ParseLimits, RelayConfig, Reply, SmtpConfig, parse, thread_lookup};
use std::collections::HashSet;
use std::time::Duration;
use tokio::net::TcpListener;

fn reply() -> Reply {
    Reply {
        ticket: 1042,
        from: (
            EmailAddress::parse(common::SERVICE).unwrap(),
            "שירות לקוחות דמו".to_owned(),
        ),
        to: (
            EmailAddress::parse("moshe.cohen@outlook.example").unwrap(),
            Some("משה כהן".to_owned()),
        ),
        original_subject: "RE: החבילה לא הגיעה".to_owned(),
        in_reply_to: Some("AM0PR01MB1234ABCD@outlook.example".to_owned()),
        references: vec!["first@outlook.example".to_owned()],
        body: "שלום משה,\n\nהחבילה יצאה היום ותגיע תוך יומיים.\n\nבברכה,\nדנה".to_owned(),
    }
}

fn relay(port: u16) -> RelayConfig {
    RelayConfig {
        host: "127.0.0.1".to_owned(),
        port,
        hello_name: "moked.demo.example".to_owned(),
        credentials: None,
        timeout: Duration::from_secs(30),
    }
}

#[tokio::test]
async fn a_reply_arrives_threaded_with_a_hebrew_body() {
    // The relay here is our listener taking mail for the customer's address.
    let customer = EmailAddress::parse("moshe.cohen@outlook.example").unwrap();
    let sink = common::MemorySink::default();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let ours: HashSet<EmailAddress> = [customer].into();
    tokio::spawn(
        moked_mail::SmtpServer::new(SmtpConfig::default(), ours, sink.clone()).serve(listener),
    );

    let message_id = Mailer::new(&relay(port))
        .send(&reply())
        .await
        .expect("the relay takes the reply");

    let messages = sink.messages();
    let (envelope, raw) = &messages[0];
    assert_eq!(
        envelope.mail_from.as_ref().map(|a| a.as_str()),
        Some(common::SERVICE)
    );
    assert_eq!(envelope.helo, "moked.demo.example");
    let email = parse(raw, ParseLimits::default());
    assert_eq!(email.subject, "Re: החבילה לא הגיעה [#1042]");
    assert_eq!(
        email.from.as_ref().and_then(|f| f.name.as_deref()),
        Some("שירות לקוחות דמו")
    );
    assert_eq!(email.to[0].name.as_deref(), Some("משה כהן"));
    assert_eq!(email.in_reply_to, vec!["AM0PR01MB1234ABCD@outlook.example"]);
    assert_eq!(
        email.references,
        vec!["first@outlook.example", "AM0PR01MB1234ABCD@outlook.example"]
    );
    assert_eq!(email.message_id.as_deref(), Some(message_id.as_str()));
    assert!(message_id.starts_with("ticket-1042.") && message_id.ends_with("@demo.example"));
    assert_eq!(
        email.text,
        "שלום משה,\n\nהחבילה יצאה היום ותגיע תוך יומיים.\n\nבברכה,\nדנה"
    );
    assert!(email.flags.is_empty(), "{:?}", email.flags);
    // The customer's answer to this reply finds the ticket by our id.
    let answer = moked_mail::InboundEmail {
        in_reply_to: vec![message_id],
        ..Default::default()
    };
    assert_eq!(thread_lookup(&answer, "demo.example").ticket, Some(1042));
}

#[tokio::test]
async fn a_relay_that_refuses_the_recipient_is_an_error() {
    let (address, sink) = start(SmtpConfig::default()).await;
    let error = Mailer::new(&relay(address.port()))
        .send(&reply())
        .await
        .unwrap_err();
    assert!(error.to_string().contains("Relaying denied"), "{error}");
    assert!(sink.messages().is_empty());
}
