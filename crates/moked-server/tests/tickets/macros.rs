//! Macros, edited SLA configuration, the first answer that opens a ticket
//! and the email headers of a ticket's messages, against the real server
//! on both backends.

use crate::common::{Backend, Client, Org, event_of, seed_org, staff_socket, start};
use jiff::Timestamp;
use moked_domain::{Channel, EmailAddress};
use moked_store::{EmailLinks, NewEmail, NewInteraction, NewMessage, Sender, Store};
use reqwest::StatusCode;
use serde_json::{Value, json};

crate::both_backends! {
    macros_change_the_ticket => macros_change_the_ticket;
    sla_configuration_is_edited => sla_configuration_is_edited;
    an_answer_opens_and_emails_show_their_headers => an_answer_opens_and_emails_show_their_headers;
}

/// The history rows of a ticket for `field`, as `(actor kind, new)`.
fn history_of(detail: &Value, field: &str) -> Vec<(String, Value)> {
    detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["field"] == field)
        .map(|h| {
            (
                h["actor"]["kind"].as_str().unwrap().to_owned(),
                h["new"].clone(),
            )
        })
        .collect()
}

async fn customer(agent: &Client, name: &str) -> i64 {
    let made = agent
        .post(
            "/api/v1/customers",
            json!({"name": name, "phones": ["050-1234567"]}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    made.json["id"].as_i64().unwrap()
}

async fn macros_change_the_ticket(backend: Backend) {
    let server = start(backend, |_| {}).await;
    let org = seed_org(server.store.as_ref(), "acme", "אקמה").await;
    let other = seed_org(server.store.as_ref(), "other", "אחרת").await;
    let refunds = server.store.create_team(org.id, "החזרים").await.unwrap();
    let foreign = server.store.create_team(other.id, "החזרים").await.unwrap();
    let agent = Client::login(&server, "acme", "agent").await;
    let supervisor = Client::login(&server, "acme", "supervisor").await;
    let stranger = Client::login(&server, "other", "agent").await;

    let actions = json!({
        "status": "pending_internal", "priority": "high", "category": "החזרים",
        "add_tags": ["החזר"], "remove_tags": ["חדש"], "team": refunds.id,
        "note": "הלקוח ביקש החזר; הועבר לצוות ההחזרים",
    });
    let spec = json!({"name": "החזר כספי", "lang": "he",
        "body": "שלום {{customer.first_name}}, בקשת ההחזר {{ticket.number}} הועברה לטיפול.",
        "actions": actions});
    let mut bad = spec.clone();
    bad["actions"]["status"] = json!("בטיפול");
    let refused = supervisor.post("/api/v1/canned-responses", bad).await;
    assert_eq!(
        (refused.status, refused.json["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("actions.status")),
        "{}",
        refused.text
    );
    let mut elsewhere = spec.clone();
    elsewhere["actions"]["team"] = json!(foreign.id);
    let refused = supervisor.post("/api/v1/canned-responses", elsewhere).await;
    assert_eq!(
        (refused.status, refused.json["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("actions.team"))
    );
    let made = supervisor.post("/api/v1/canned-responses", spec).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    assert_eq!(made.json["actions"]["team"], refunds.id.0);
    let macro_id = made.json["id"].as_i64().unwrap();

    let customer = customer(&agent, "דנה לוי").await;
    let ticket = agent
        .post(
            "/api/v1/tickets",
            json!({"subject": "חיוב כפול", "customer": customer, "tags": ["חדש", "vip"], "assignee": org.agent}),
        )
        .await;
    let id = ticket.json["id"].as_i64().unwrap();
    let mut socket = staff_socket(&server, &agent).await;

    let path = format!("/api/v1/tickets/{id}/canned-responses/{macro_id}/apply");
    let applied = agent.post(&path, json!({})).await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.text);
    assert_eq!(
        applied.json["body"],
        "שלום דנה, בקשת ההחזר #1 הועברה לטיפול."
    );
    let view = &applied.json["ticket"];
    assert_eq!(view["status"], "pending_internal");
    assert_eq!(view["priority"], "high");
    assert_eq!(view["category"], "החזרים");
    assert_eq!(view["team"]["name"], "החזרים");
    assert_eq!(view["tags"], json!(["vip", "החזר"]));
    let event = event_of(&mut socket, "ticket").await;
    assert_eq!(event["ticket"]["id"], id, "the change is announced");

    let detail = agent.get(&format!("/api/v1/tickets/{id}")).await.json;
    for (field, new) in [
        ("priority", json!("high")),
        ("category", json!("החזרים")),
        ("team", json!(refunds.id.0)),
        ("tags", json!(["vip", "החזר"])),
        ("status", json!("pending_internal")),
    ] {
        assert_eq!(
            history_of(&detail, field),
            [("user".to_owned(), new)],
            "one history row by the agent for {field}"
        );
    }
    let notes = detail["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["body"], "הלקוח ביקש החזר; הועבר לצוות ההחזרים");
    assert_eq!(notes[0]["author"]["name"], "נציג דני");

    let again = agent.post(&path, json!({})).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    let detail = agent.get(&format!("/api/v1/tickets/{id}")).await.json;
    assert_eq!(
        history_of(&detail, "status").len(),
        1,
        "a macro used twice changes nothing the second time"
    );
    assert_eq!(
        stranger.post(&path, json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    let missing = agent
        .post(
            &format!("/api/v1/tickets/{id}/canned-responses/999999/apply"),
            json!({}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let solved = agent
        .post(
            "/api/v1/tickets",
            json!({"subject": "סגור", "customer": customer}),
        )
        .await
        .json["id"]
        .as_i64()
        .unwrap();
    for status in ["open", "solved", "closed"] {
        let moved = agent
            .send(
                reqwest::Method::PATCH,
                &format!("/api/v1/tickets/{solved}"),
                Some(json!({"status": status})),
            )
            .await;
        assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    }
    let forbidden = agent
        .post(
            &format!("/api/v1/tickets/{solved}/canned-responses/{macro_id}/apply"),
            json!({}),
        )
        .await;
    assert_eq!(
        (forbidden.status, forbidden.json["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("status"))
    );
    let closed = agent.get(&format!("/api/v1/tickets/{solved}")).await.json;
    assert_eq!(closed["ticket"]["priority"], "normal", "all or nothing");
    assert_eq!(closed["notes"], json!([]));
}

async fn sla_configuration_is_edited(backend: Backend) {
    let server = start(backend, |_| {}).await;
    let org = seed_org(server.store.as_ref(), "acme", "אקמה").await;
    let other = seed_org(server.store.as_ref(), "other", "אחרת").await;
    let team = server.store.create_team(org.id, "גבייה").await.unwrap();
    let foreign = server.store.create_team(other.id, "גבייה").await.unwrap();
    let admin = Client::login(&server, "acme", "admin").await;
    let supervisor = Client::login(&server, "acme", "supervisor").await;
    let stranger = Client::login(&server, "other", "admin").await;

    let policy = json!({"name": "רגיל", "priority": null, "category": null, "first_response_minutes": 240, "resolution_minutes": 2400});
    let made = admin.post("/api/v1/admin/sla-policies", policy).await;
    let path = format!("/api/v1/admin/sla-policies/{}", made.json["id"]);
    let edited = json!({"name": "חיובים", "priority": "high", "category": "חיובים", "first_response_minutes": 60, "resolution_minutes": 480});
    assert_eq!(
        supervisor.put(&path, edited.clone()).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        stranger.put(&path, edited.clone()).await.status,
        StatusCode::NOT_FOUND
    );
    let put = admin.put(&path, edited.clone()).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    let listed = admin.get("/api/v1/admin/sla-policies").await.json;
    assert_eq!(listed[0]["name"], "חיובים");
    assert_eq!(listed[0]["first_response_minutes"], 60);
    let mut backwards = edited;
    backwards["resolution_minutes"] = json!(10);
    let refused = admin.put(&path, backwards).await;
    assert_eq!(refused.json["field"], "resolution_minutes");

    let rule = json!({"name": "הפרה", "trigger": {"kind": "breach"}, "team": team.id});
    let made = admin.post("/api/v1/admin/escalation-rules", rule).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let path = format!("/api/v1/admin/escalation-rules/{}", made.json["id"]);
    let by_category = json!({"name": "החזרים", "trigger": {"kind": "category", "category": "החזר כספי"}, "team": team.id});
    let put = admin.put(&path, by_category).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    assert_eq!(put.json["trigger"]["category"], "החזר כספי");
    let elsewhere = json!({"name": "החזרים", "trigger": {"kind": "breach"}, "team": foreign.id});
    let refused = admin.put(&path, elsewhere).await;
    assert_eq!(
        (refused.status, refused.json["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("team"))
    );
    let second = admin
        .post(
            "/api/v1/admin/escalation-rules",
            json!({"name": "שני", "trigger": {"kind": "breach"}, "team": team.id}),
        )
        .await;
    let clash = admin
        .put(
            &format!("/api/v1/admin/escalation-rules/{}", second.json["id"]),
            json!({"name": "החזרים", "trigger": {"kind": "breach"}, "team": team.id}),
        )
        .await;
    assert_eq!(
        (clash.status, clash.json["field"].as_str()),
        (StatusCode::CONFLICT, Some("name"))
    );
    assert_eq!(
        supervisor
            .put(
                &path,
                json!({"name": "x", "trigger": {"kind": "breach"}, "team": team.id})
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

/// A ticket with one email from the customer, stored as the intake stores
/// it: the raw mail, its message in an email contact, both linked.
async fn emailed_ticket(store: &dyn Store, org: &Org, customer: i64, ticket: i64) -> (i64, i64) {
    let at = Timestamp::now();
    let interaction = store
        .create_interaction(
            org.id,
            &NewInteraction {
                channel: Channel::Email,
                queue: org.queue,
                customer: Some(moked_store::CustomerId(customer)),
                created_at: at,
            },
        )
        .await
        .unwrap();
    let message = store
        .insert_message(
            org.id,
            &NewMessage {
                interaction: interaction.id,
                sender: Sender::Customer,
                body: "חויבתי פעמיים החודש, מצורפת החשבונית.".into(),
                idempotency_key: "mail-1".into(),
                sent_at: at,
            },
        )
        .await
        .unwrap()
        .message()
        .clone();
    let raw = "From: Dana <dana@example.co.il>\r\nTo: service@demo.example\r\n\
        Subject: =?UTF-8?B?15fXmdeV15Eg15vXpNeV15w=?=\r\nMessage-ID: <bill-1@example.co.il>\r\n\
        MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
        --b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nחויבתי פעמיים\r\n\
        --b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"invoice-7.pdf\"\r\n\
        Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n";
    let email = store
        .insert_email(
            org.id,
            &NewEmail {
                received_by: EmailAddress::parse("service@demo.example").unwrap(),
                received_at: at,
                message_id: Some("bill-1@example.co.il".into()),
                in_reply_to: vec![],
                references: vec![],
                from: Some(EmailAddress::parse("dana@example.co.il").unwrap()),
                from_name: Some("Dana".into()),
                to: vec![EmailAddress::parse("service@demo.example").unwrap()],
                subject: "חיוב כפול".into(),
                flags: vec![],
                raw: raw.as_bytes().to_vec(),
            },
        )
        .await
        .unwrap();
    let ticket = moked_store::TicketId(ticket);
    let links = EmailLinks {
        message: Some(message.id),
        interaction: Some(interaction.id),
        ticket: Some(ticket),
        customer: Some(moked_store::CustomerId(customer)),
    };
    store.link_email(org.id, email.id, links).await.unwrap();
    let by = moked_store::TicketActor { user: None, at };
    store
        .link_interaction(org.id, ticket, interaction.id, by)
        .await
        .unwrap();
    (interaction.id.0, message.id.0)
}

async fn an_answer_opens_and_emails_show_their_headers(backend: Backend) {
    let server = start(backend, |_| {}).await;
    let org = seed_org(server.store.as_ref(), "acme", "אקמה").await;
    let agent = Client::login(&server, "acme", "agent").await;
    let customer = customer(&agent, "דנה לוי").await;
    let ticket = agent
        .post(
            "/api/v1/tickets",
            json!({"subject": "חיוב כפול", "customer": customer}),
        )
        .await
        .json["id"]
        .as_i64()
        .unwrap();
    let (contact, inbound) = emailed_ticket(server.store.as_ref(), &org, customer, ticket).await;
    let conversation = agent.get(&format!("/api/v1/interactions/{contact}")).await;
    assert_eq!(conversation.status, StatusCode::OK, "{}", conversation.text);
    assert_eq!(
        conversation.json["ticket"],
        json!({"id": ticket, "number": 1})
    );
    let desk = agent.get("/api/v1/agent/desk").await.json;
    assert_eq!(desk["phone"], false, "no phone registered: {desk}");
    let colleagues = agent.get("/api/v1/agents").await.json;
    assert!(!colleagues.as_array().unwrap().is_empty());
    assert!(
        colleagues
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["phone"] == false),
        "{colleagues}"
    );

    let reply = agent
        .post(
            &format!("/api/v1/tickets/{ticket}/reply"),
            json!({"body": "שלום דנה, ההחזר יצא היום."}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text);
    let detail = agent.get(&format!("/api/v1/tickets/{ticket}")).await.json;
    assert_eq!(
        detail["ticket"]["status"], "open",
        "the first answer opens it"
    );
    assert_eq!(
        history_of(&detail, "status"),
        [("user".to_owned(), json!("open"))]
    );
    assert!(detail["ticket"]["first_response_at"].is_string());

    let pending = agent
        .send(
            reqwest::Method::PATCH,
            &format!("/api/v1/tickets/{ticket}"),
            Some(json!({"status": "pending_customer"})),
        )
        .await;
    assert_eq!(pending.status, StatusCode::OK);
    let second = agent
        .post(
            &format!("/api/v1/tickets/{ticket}/reply"),
            json!({"body": "תזכורת: נשמח לאישור."}),
        )
        .await;
    assert_eq!(second.status, StatusCode::ACCEPTED, "{}", second.text);
    let detail = agent.get(&format!("/api/v1/tickets/{ticket}")).await.json;
    assert_eq!(
        detail["ticket"]["status"], "pending_customer",
        "a later answer moves nothing"
    );

    let messages = agent
        .get(&format!("/api/v1/tickets/{ticket}/messages"))
        .await
        .json;
    let messages = messages.as_array().unwrap();
    let mail = messages.iter().find(|m| m["id"] == inbound).unwrap();
    assert_eq!(mail["email"]["direction"], "inbound");
    assert_eq!(mail["email"]["from"], "dana@example.co.il");
    assert_eq!(mail["email"]["to"], json!(["service@demo.example"]));
    assert_eq!(mail["email"]["subject"], "חיוב כפול");
    assert_eq!(mail["email"]["message_id"], "bill-1@example.co.il");
    assert_eq!(mail["email"]["attachments"], json!(["invoice-7.pdf"]));
    let answers: Vec<&Value> = messages.iter().filter(|m| m["party"] == "agent").collect();
    assert_eq!(answers.len(), 2, "{messages:?}");
    assert_eq!(answers[0]["email"]["direction"], "outbound");
    assert_eq!(answers[0]["email"]["to"], json!(["dana@example.co.il"]));
    assert_eq!(answers[0]["email"]["from"], "service@demo.example");
}
