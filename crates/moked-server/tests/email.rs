//! The email channel end to end: swaks sends real mail to the server's SMTP
//! listener, an agent gets the email contact offered and answers from the
//! normal composer, the reply reaches a relay (moked-mail's own listener
//! with a recording sink) threaded and in UTF-8, the customer's answer
//! threads into the same ticket, an auto-reply opens nothing and gets no
//! answer, an unknown recipient is refused with 550, a windows-1255 mail
//! arrives readable, and a reply stored while no outbox ran (the server
//! died first) is sent once by the next server, and never again.

mod common;
mod mail_support;

use common::{Backend, Client, event_of, seed_org, staff_socket, start};
use mail_support::{database, email_address, serve};
use moked_domain::EmailAddress;
use moked_mail::{
    DeliveryError, Envelope, InboundSink, ParseLimits, SmtpConfig, SmtpServer, parse,
};
use moked_store::{NewMessage, OrgId, Sender, Store, TicketQuery};
use reqwest::StatusCode;
use serde_json::json;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::mpsc;

both_backends! {
    email_from_swaks_to_reply_and_back => email_from_swaks_to_reply_and_back;
    refused_and_hebrew_charset_mail => refused_and_hebrew_charset_mail;
    reply_stored_while_down_is_sent_once => reply_stored_while_down_is_sent_once;
}

const SERVICE: &str = "service@acme.example";
const CUSTOMER: &str = "dana@example.co.il";
const SUBJECT: &str = "החבילה לא הגיעה";
const BODY: &str = "שלום, הזמנתי לפני שבוע ועדיין לא קיבלתי את החבילה.";
const REPLY: &str = "שלום דנה, החבילה יצאה אתמול ותגיע מחר. סליחה על העיכוב!";

/// The relay: records every message it is handed.
#[derive(Clone)]
struct Recorder(mpsc::UnboundedSender<Vec<u8>>);

impl InboundSink for Recorder {
    async fn deliver(&self, _envelope: Envelope, raw: Vec<u8>) -> Result<(), DeliveryError> {
        self.0
            .send(raw)
            .map_err(|_| DeliveryError("the test ended".into()))
    }
}

async fn relay() -> (SocketAddr, mpsc::UnboundedReceiver<Vec<u8>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (sent, received) = mpsc::unbounded_channel();
    let customers: HashSet<EmailAddress> = [EmailAddress::parse(CUSTOMER).unwrap()].into();
    let server = SmtpServer::new(SmtpConfig::default(), customers, Recorder(sent));
    tokio::spawn(server.serve(listener));
    (addr, received)
}

fn free_port() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// An email queue and the organization's receiving address, through the API.
async fn email_queue(admin: &Client) -> i64 {
    let queue = admin
        .post(
            "/api/v1/queues",
            json!({"name": "דואר — שירות לקוחות", "channel": "email"}),
        )
        .await;
    assert_eq!(queue.status, StatusCode::CREATED, "{}", queue.text);
    let queue = queue.json["id"].as_i64().unwrap();
    let address = admin
        .post(
            "/api/v1/mail/addresses",
            json!({"address": SERVICE, "queue": queue, "display_name": "שירות אקמה"}),
        )
        .await;
    assert_eq!(address.status, StatusCode::OK, "{}", address.text);
    queue
}

/// Sends a raw message with swaks; its output (the SMTP dialogue) and
/// whether it succeeded.
async fn swaks(smtp: SocketAddr, to: &str, raw: &[u8]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mail.eml");
    std::fs::write(&file, raw).unwrap();
    let output = tokio::process::Command::new("swaks")
        .args([
            "--server",
            &smtp.ip().to_string(),
            "--port",
            &smtp.port().to_string(),
        ])
        .args(["--from", CUSTOMER, "--to", to, "--data"])
        .arg(&file)
        .output()
        .await
        .expect("swaks (Debian package swaks, scripts/install-packages) runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

fn encoded_subject(subject: &str) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(subject);
    format!("=?UTF-8?B?{b64}?=")
}

fn mail(message_id: &str, extra_headers: &str, subject: &str, body: &str) -> Vec<u8> {
    format!(
        "From: Dana Levi <{CUSTOMER}>\r\nTo: {SERVICE}\r\nSubject: {}\r\n\
         Message-ID: <{message_id}>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\
         {extra_headers}\r\n{body}\r\n",
        encoded_subject(subject)
    )
    .into_bytes()
}

async fn tickets(store: &dyn Store, org: OrgId) -> Vec<moked_store::Ticket> {
    let query = TicketQuery {
        limit: 50,
        ..TicketQuery::default()
    };
    store.tickets(org, &query).await.unwrap()
}

async fn wait_for<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    for _ in 0..100 {
        if let Some(found) = check().await {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

async fn email_from_swaks_to_reply_and_back(backend: Backend) {
    let smtp = free_port();
    let (relay_addr, mut relayed) = relay().await;
    let server = start(backend, |config| {
        config.mail.smtp_listen = Some(smtp);
        config.mail.smtp_relay = Some(relay_addr);
    })
    .await;
    let org = seed_org(server.store.as_ref(), "acme", "אקמה").await;
    let admin = Client::login(&server, "acme", "admin").await;
    email_queue(&admin).await;
    let agent = Client::login(&server, "acme", "agent").await;
    let mut desk = staff_socket(&server, &agent).await;
    let ready = agent
        .put("/api/v1/agent/presence", json!({"state": "available"}))
        .await;
    assert_eq!(ready.status, StatusCode::NO_CONTENT, "{}", ready.text);

    let (ok, dialogue) = swaks(
        smtp,
        SERVICE,
        &mail("first@mail.example", "", SUBJECT, BODY),
    )
    .await;
    assert!(ok, "{dialogue}");
    assert!(dialogue.contains("250"), "{dialogue}");
    // Acknowledged means stored: the ticket exists as soon as swaks is done.
    let opened = tickets(server.store.as_ref(), org.id).await;
    assert_eq!(opened.len(), 1);
    let ticket = opened[0].clone();
    assert_eq!(ticket.subject, SUBJECT);
    let customer = server
        .store
        .customer(org.id, ticket.customer.expect("a customer"))
        .await
        .unwrap();
    assert_eq!(customer.details.name, "Dana Levi");
    assert_eq!(customer.details.emails[0].as_str(), CUSTOMER);

    let offer = event_of(&mut desk, "offer").await;
    let chat = offer["chat"].as_i64().unwrap();
    let accepted = agent
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/interactions/{chat}/accept"),
            None,
        )
        .await;
    assert_eq!(accepted.status, StatusCode::NO_CONTENT, "{}", accepted.text);
    let messages = server
        .store
        .messages(org.id, moked_store::InteractionId(chat))
        .await
        .unwrap();
    // The body, without the subject (the ticket's).
    assert_eq!(messages[0].content.body, BODY);

    // The agent answers from the desktop's composer.
    let sent = agent
        .post(
            &format!("/api/v1/interactions/{chat}/messages"),
            json!({"body": REPLY, "idempotency_key": "r-1"}),
        )
        .await;
    assert!(sent.status.is_success(), "{}", sent.text);
    let raw = tokio::time::timeout(Duration::from_secs(20), relayed.recv())
        .await
        .expect("the relay gets the reply")
        .unwrap();
    let reply = parse(&raw, ParseLimits::default());
    let number = ticket.number.get();
    assert_eq!(reply.subject, format!("Re: {SUBJECT} [#{number}]"));
    assert_eq!(reply.from.as_ref().unwrap().address.as_str(), SERVICE);
    assert_eq!(
        reply.from.as_ref().unwrap().name.as_deref(),
        Some("שירות אקמה")
    );
    assert_eq!(reply.to[0].address.as_str(), CUSTOMER);
    assert_eq!(reply.in_reply_to, vec!["first@mail.example"]);
    assert_eq!(reply.references, vec!["first@mail.example"]);
    assert!(reply.text.contains(REPLY), "{}", reply.text);
    let ours = reply.message_id.clone().expect("our Message-ID");
    assert!(ours.starts_with(&format!("ticket-{number}.")), "{ours}");
    let responded = server.store.ticket(org.id, ticket.id).await.unwrap();
    assert!(responded.first_response_at.is_some());

    // The customer answers our reply, the subject rewritten by their client.
    let answer = mail(
        "second@mail.example",
        &format!("In-Reply-To: <{ours}>\r\nReferences: <first@mail.example> <{ours}>\r\n"),
        "תודה",
        "תודה רבה, אחכה למחר.",
    );
    let (ok, dialogue) = swaks(smtp, SERVICE, &answer).await;
    assert!(ok, "{dialogue}");
    // The desk first hears of the agent's own reply, then of the answer.
    let mut relayed_message = event_of(&mut desk, "message").await;
    while relayed_message["message"]["body"] == REPLY {
        relayed_message = event_of(&mut desk, "message").await;
    }
    assert_eq!(
        relayed_message["chat"], chat,
        "into the contact the agent holds"
    );
    assert!(
        relayed_message["message"]["body"]
            .as_str()
            .unwrap()
            .contains("אחכה למחר")
    );
    assert_eq!(tickets(server.store.as_ref(), org.id).await.len(), 1);
    let emails = server.store.ticket_emails(org.id, ticket.id).await.unwrap();
    assert_eq!(emails.len(), 2);

    // An out-of-office answer to our reply: stored and flagged, nothing more.
    let away = mail(
        "away@mail.example",
        &format!("Auto-Submitted: auto-replied\r\nIn-Reply-To: <{ours}>\r\n"),
        "מחוץ למשרד",
        "אני בחופשה עד יום ראשון.",
    );
    let (ok, dialogue) = swaks(smtp, SERVICE, &away).await;
    assert!(ok, "{dialogue}");
    let flagged = server
        .store
        .email_by_message_id(org.id, "away@mail.example")
        .await
        .unwrap()
        .expect("stored");
    assert!(
        flagged.flags.contains(&"auto_reply".to_owned()),
        "{flagged:?}"
    );
    assert_eq!(flagged.ticket, Some(ticket.id));
    assert_eq!(flagged.message, None, "no message for the agent");
    assert_eq!(tickets(server.store.as_ref(), org.id).await.len(), 1);
    let outbox = wait_for("the outbox to settle", async || {
        let outbox = server
            .store
            .ticket_outbound(org.id, ticket.id)
            .await
            .unwrap();
        outbox.iter().all(|r| r.sent_at.is_some()).then_some(outbox)
    })
    .await;
    assert_eq!(outbox.len(), 1, "no answer to the auto-reply");
    assert!(
        tokio::time::timeout(Duration::from_millis(500), relayed.recv())
            .await
            .is_err(),
        "nothing more reached the relay"
    );
}

/// Hebrew letters in windows-1255 (U+05D0… are 0xE0…).
fn windows_1255(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            'א'..='ת' => 0xE0 + (u32::from(c) - 0x05D0) as u8,
            _ => c as u8,
        })
        .collect()
}

async fn refused_and_hebrew_charset_mail(backend: Backend) {
    let smtp = free_port();
    let server = start(backend, |config| config.mail.smtp_listen = Some(smtp)).await;
    let org = seed_org(server.store.as_ref(), "acme", "אקמה").await;
    let admin = Client::login(&server, "acme", "admin").await;
    email_queue(&admin).await;

    let (ok, dialogue) = swaks(
        smtp,
        "nobody@acme.example",
        &mail("lost@mail.example", "", SUBJECT, BODY),
    )
    .await;
    assert!(!ok, "{dialogue}");
    assert!(dialogue.contains("550"), "no open relay: {dialogue}");
    assert!(tickets(server.store.as_ref(), org.id).await.is_empty());

    let mut raw = format!(
        "From: {CUSTOMER}\r\nTo: {SERVICE}\r\nSubject: =?windows-1255?B?{}?=\r\n\
         Message-ID: <legacy@mail.example>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=windows-1255\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n",
        {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode(windows_1255("חשבונית שגויה"))
        }
    )
    .into_bytes();
    raw.extend(windows_1255("שלום, קיבלתי חשבונית כפולה"));
    raw.extend(b"\r\n");
    let (ok, dialogue) = swaks(smtp, SERVICE, &raw).await;
    assert!(ok, "{dialogue}");
    let opened = tickets(server.store.as_ref(), org.id).await;
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0].subject, "חשבונית שגויה");
    let stored = server
        .store
        .email_by_message_id(org.id, "legacy@mail.example")
        .await
        .unwrap()
        .unwrap();
    // Kept byte for byte, behind the Received line the listener adds.
    let kept = server.store.email_raw(org.id, stored.id).await.unwrap();
    assert!(
        kept.windows(raw.len())
            .any(|window| window == raw.as_slice())
    );
    let messages = server
        .store
        .messages(org.id, stored.interaction.unwrap())
        .await
        .unwrap();
    assert!(
        messages[0].content.body.contains("קיבלתי חשבונית כפולה"),
        "{messages:?}"
    );
}

async fn reply_stored_while_down_is_sent_once(backend: Backend) {
    let db = database(backend).await;
    let store = db.store.as_ref();
    let org = seed_org(store, "acme", "אקמה").await;
    email_address(store, org.id, SERVICE).await;
    let smtp = free_port();
    let first = serve(&db, |config| config.mail.smtp_listen = Some(smtp)).await;
    let (ok, dialogue) = swaks(smtp, SERVICE, &mail("down@mail.example", "", SUBJECT, BODY)).await;
    assert!(ok, "{dialogue}");
    let email = store
        .email_by_message_id(org.id, "down@mail.example")
        .await
        .unwrap()
        .expect("stored");
    let (contact, ticket) = (email.interaction.unwrap(), email.ticket.unwrap());
    first.stop().await;

    // The agent's reply was stored, and the process died before anything
    // queued it: no outbox row, no live event left to follow.
    let written =
        jiff::Timestamp::from_microsecond(jiff::Timestamp::now().as_microsecond()).unwrap();
    let reply = NewMessage {
        interaction: contact,
        sender: Sender::Agent(org.agent),
        body: REPLY.into(),
        idempotency_key: "composer-1".into(),
        sent_at: written,
    };
    store.insert_message(org.id, &reply).await.unwrap();
    assert!(
        store
            .ticket_outbound(org.id, ticket)
            .await
            .unwrap()
            .is_empty()
    );

    let (relay_addr, mut relayed) = relay().await;
    let second = serve(&db, |config| config.mail.smtp_relay = Some(relay_addr)).await;
    let raw = tokio::time::timeout(Duration::from_secs(20), relayed.recv())
        .await
        .expect("the restarted server sends the reply")
        .unwrap();
    let sent = parse(&raw, ParseLimits::default());
    let number = store.ticket(org.id, ticket).await.unwrap().number.get();
    assert_eq!(sent.subject, format!("Re: {SUBJECT} [#{number}]"));
    assert_eq!(sent.in_reply_to, vec!["down@mail.example"]);
    assert!(sent.text.contains(REPLY), "{}", sent.text);
    wait_for("the reply marked sent", async || {
        let outbox = store.ticket_outbound(org.id, ticket).await.unwrap();
        outbox.iter().all(|r| r.sent_at.is_some()).then_some(())
    })
    .await;
    let answered = store.ticket(org.id, ticket).await.unwrap();
    assert_eq!(
        answered.first_response_at,
        Some(written),
        "answered when the agent wrote"
    );
    second.stop().await;

    // Another restart finds the reply queued and sent: nothing goes out.
    let third = serve(&db, |config| config.mail.smtp_relay = Some(relay_addr)).await;
    assert!(
        tokio::time::timeout(Duration::from_secs(3), relayed.recv())
            .await
            .is_err(),
        "the reply went out once"
    );
    assert_eq!(
        store.ticket_outbound(org.id, ticket).await.unwrap().len(),
        1
    );
    third.stop().await;
}
