//! `GET /api/v1/search` against the real server: customers are found by
//! name and by a phone written in any form, a chat's Hebrew words are found
//! behind their prefixes, another organization's records never show, and
//! bad queries get a 422 naming the field.

mod common;

use common::{Backend, Client, Org, event_of, seed_org, send_frame, staff_socket, start};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

both_backends! {
    customers_and_chats_are_found => customers_and_chats_are_found;
    bad_queries_name_the_field => bad_queries_name_the_field;
    tickets_are_found_by_subject_notes_and_customer => tickets_are_found_by_subject_notes_and_customer;
}

/// Searches until `wanted` holds (the index commits about twice a second),
/// at most 10 s.
async fn search_until(
    client: &Client,
    query: &str,
    wanted: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let path = format!("/api/v1/search?q={}", urlencode(query));
    for _ in 0..100 {
        let answer = client.get(&path).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        let results = answer.json["results"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if wanted(&results) {
            return results;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("search {query:?} never gave the expected results");
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

fn has(results: &[Value], kind: &str, id: i64) -> bool {
    results
        .iter()
        .any(|hit| hit["kind"] == kind && hit["id"] == id)
}

async fn customers_and_chats_are_found(backend: Backend) {
    let server = start(backend, |_| {}).await;
    let org = seed_org(server.store.as_ref(), "acme", "אקמה").await;
    seed_org(server.store.as_ref(), "other", "אחרת").await;
    let agent = Client::login(&server, "acme", "agent").await;
    let stranger = Client::login(&server, "other", "agent").await;

    let created = agent
        .post(
            "/api/v1/customers",
            json!({"name": "יוסף אברהמי", "phones": ["052-7654321"], "notes": "ביקש <script>alert(1)</script> החזר"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let customer = created.json["id"].as_i64().unwrap();
    for query in ["אברהמי", "+972527654321", "0527654321", "052 765 4321"] {
        search_until(&agent, query, |hits| has(hits, "customer", customer)).await;
    }
    let other = search_until(&stranger, "אברהמי", |_| true).await;
    assert!(
        !has(&other, "customer", customer),
        "another organization's customer"
    );

    let chat = chat_with_message(&server, &org, &agent, "וכשהלקוח ביקש החזר על החשבונית").await;
    let hits = search_until(&agent, "לקוח", |hits| has(hits, "message", chat)).await;
    let hit = hits.iter().find(|hit| hit["id"] == chat).unwrap();
    assert_eq!(hit["title"], "מירב");
    assert!(hit["snippet"].as_str().unwrap().contains("<mark>"), "{hit}");
    let notes = search_until(&agent, "החזר", |hits| has(hits, "customer", customer)).await;
    let snippet = notes.iter().find(|hit| hit["id"] == customer).unwrap()["snippet"].to_string();
    assert!(!snippet.contains("<script>"), "escaped: {snippet}");
    let other = search_until(&stranger, "לקוח", |_| true).await;
    assert!(!has(&other, "message", chat));
}

/// Opens a widget chat, lets the agent take it, and sends `body` as the
/// customer; returns the chat.
async fn chat_with_message(
    server: &common::TestServer,
    org: &Org,
    agent: &Client,
    body: &str,
) -> i64 {
    let mut agent_socket = staff_socket(server, agent).await;
    let ready = agent
        .put("/api/v1/agent/presence", json!({"state": "available"}))
        .await;
    assert_eq!(ready.status, StatusCode::NO_CONTENT, "{}", ready.text);
    let opened = Client::anonymous(server)
        .post(
            "/api/v1/widget/acme/chats",
            json!({"name": "מירב", "phone": "054-1112233", "queue": org.queue.0, "lang": "he"}),
        )
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.text);
    let chat = opened.json["chat"].as_i64().unwrap();
    let token = opened.json["token"].as_str().unwrap().to_owned();
    event_of(&mut agent_socket, "offer").await;
    let mut customer_socket = common::chat_socket(server, chat, &token).await;
    send_frame(
        &mut customer_socket,
        json!({"type": "message", "body": body, "idempotency_key": "m-1"}),
    )
    .await;
    event_of(&mut customer_socket, "ack").await;
    chat
}

async fn bad_queries_name_the_field(backend: Backend) {
    let server = start(backend, |_| {}).await;
    seed_org(server.store.as_ref(), "acme", "אקמה").await;
    let agent = Client::login(&server, "acme", "agent").await;
    for (path, field) in [
        ("/api/v1/search?q=x&limit=0", "limit"),
        ("/api/v1/search?q=x&limit=many", "limit"),
        ("/api/v1/search?q=x&from=yesterday", "from"),
        ("/api/v1/search?q=x&until=2026-13-40", "until"),
        ("/api/v1/search", "q"),
    ] {
        let answer = agent.get(path).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {}",
            answer.text
        );
        assert_eq!(answer.json["field"], field, "{path}: {}", answer.text);
    }
    let dated = agent
        .get("/api/v1/search?q=x&from=2026-11-01&until=2026-11-23T10:00:00Z")
        .await;
    assert_eq!(dated.status, StatusCode::OK, "{}", dated.text);
}

async fn tickets_are_found_by_subject_notes_and_customer(backend: Backend) {
    let server = start(backend, |_| {}).await;
    seed_org(server.store.as_ref(), "acme", "אקמה").await;
    let agent = Client::login(&server, "acme", "agent").await;
    let customer = agent
        .post(
            "/api/v1/customers",
            json!({"name": "יעל כהן", "phones": ["054-3216547"]}),
        )
        .await;
    let customer = customer.json["id"].as_i64().unwrap();
    let ticket = agent
        .post(
            "/api/v1/tickets",
            json!({"subject": "הראוטר מתנתק כל ערב", "customer": customer}),
        )
        .await;
    assert_eq!(ticket.status, StatusCode::CREATED, "{}", ticket.text);
    let ticket = ticket.json["id"].as_i64().unwrap();
    let found = search_until(&agent, "ראוטר", |hits| has(hits, "ticket", ticket)).await;
    assert!(
        found
            .iter()
            .any(|hit| hit["title"] == "הראוטר מתנתק כל ערב")
    );
    search_until(&agent, "+972543216547", |hits| has(hits, "ticket", ticket)).await;

    let note = agent
        .post(
            &format!("/api/v1/tickets/{ticket}/notes"),
            json!({"body": "החלפנו את המודם והבעיה נפתרה"}),
        )
        .await;
    assert_eq!(note.status, StatusCode::CREATED, "{}", note.text);
    // The note's word behind its prefix ו, found in the ticket.
    search_until(&agent, "בעיה", |hits| has(hits, "ticket", ticket)).await;
}
