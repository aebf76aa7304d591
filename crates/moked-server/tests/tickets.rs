//! Tickets against the real server and store: the HTTP API (open, change,
//! notes, attachments, escalation and hand-back, merge, canned responses,
//! admin SLA configuration; roles, organization scoping and problems naming
//! the field), the live `ticket` event on the staff WebSocket, and the SLA
//! runner driven by a manual clock: a ticket opened Thursday 15:00 with a
//! 4-business-hour first-response target is due on Sunday, warned at 80%,
//! breached after, escalated by a breach rule with its owner kept, and a
//! ticket waiting for the customer does not count.

mod common;
#[path = "tickets/macros.rs"]
mod macros;

use common::{Backend, Client, Org, event_of, seed_org, staff_socket, start};
use jiff::Timestamp;
use jiff::civil::date;
use jiff::tz::TimeZone;
use moked_live::{Live, LiveConfig, LiveEvent, ManualClock};
use moked_server::sla::SlaRunner;
use moked_server::tickets::TicketService;
use moked_store::{
    EscalationTrigger, NewBusinessHours, NewEscalationRule, NewSlaPolicy, NewTicket, SlaKind,
    SlaState, SlaTarget, Store, TicketChange, TicketPriority, TicketStatus, WeeklyInterval,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;

both_backends! {
    tickets_are_worked_over_http => tickets_are_worked_over_http;
    configuration_is_checked => configuration_is_checked;
    sla_runner_counts_business_hours => sla_runner_counts_business_hours;
}

async fn patch(client: &Client, path: &str, body: Value) -> common::Answer {
    client.send(Method::PATCH, path, Some(body)).await
}

async fn upload(
    client: &Client,
    ticket: i64,
    name: &str,
    kind: &str,
    bytes: Vec<u8>,
) -> StatusCode {
    client
        .http
        .post(format!(
            "{}/api/v1/tickets/{ticket}/attachments?file_name={name}",
            client.base
        ))
        .header("X-CSRF-Token", client.csrf.clone().unwrap())
        .header("Content-Type", kind)
        .body(bytes)
        .send()
        .await
        .unwrap()
        .status()
}

async fn tickets_are_worked_over_http(backend: Backend) {
    let server = start(backend, |_| {}).await;
    let org = seed_org(server.store.as_ref(), "acme", "אקמה").await;
    seed_org(server.store.as_ref(), "other", "אחרת").await;
    let back_office = server
        .store
        .create_team(org.id, "מחלקת גבייה")
        .await
        .unwrap();
    let agent = Client::login(&server, "acme", "agent").await;
    let stranger = Client::login(&server, "other", "agent").await;
    let mut socket = staff_socket(&server, &agent).await;

    let created = agent
        .post(
            "/api/v1/tickets",
            json!({"subject": "החשבונית גבוהה מדי", "category": "חיובים", "tags": ["דחוף", "vip"], "assignee": org.agent}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.json["id"].as_i64().unwrap();
    assert_eq!(created.json["display"], "#1");
    assert_eq!(created.json["status"], "new");
    assert_eq!(created.json["assignee"]["name"], "נציג דני");
    assert_eq!(created.json["tags"], json!(["vip", "דחוף"]));
    let event = event_of(&mut socket, "ticket").await;
    assert_eq!(event["ticket"]["id"], id, "the assignee hears of it");

    let blank = agent
        .post("/api/v1/tickets", json!({"subject": "  "}))
        .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(blank.json["field"], "subject");
    let priority = agent
        .post(
            "/api/v1/tickets",
            json!({"subject": "שאלה", "priority": "מיידי"}),
        )
        .await;
    assert_eq!(priority.json["field"], "priority");
    let nobody = agent
        .post(
            "/api/v1/tickets",
            json!({"subject": "שאלה", "assignee": 999_999}),
        )
        .await;
    assert_eq!(nobody.json["field"], "assignee");

    let opened = patch(
        &agent,
        &format!("/api/v1/tickets/{id}"),
        json!({"status": "open", "priority": "high"}),
    )
    .await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.text);
    assert_eq!(opened.json["priority"], "high");
    let back_to_new = patch(
        &agent,
        &format!("/api/v1/tickets/{id}"),
        json!({"status": "new"}),
    )
    .await;
    assert_eq!(back_to_new.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(back_to_new.json["field"], "status");

    assert_eq!(
        stranger.get(&format!("/api/v1/tickets/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let foreign = patch(
        &stranger,
        &format!("/api/v1/tickets/{id}"),
        json!({"subject": "x"}),
    )
    .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);

    let note = agent
        .post(
            &format!("/api/v1/tickets/{id}/notes"),
            json!({"body": "הלקוח ביקש החזר"}),
        )
        .await;
    assert_eq!(note.status, StatusCode::CREATED, "{}", note.text);
    assert_eq!(note.json["author"]["name"], "נציג דני");

    let pdf = b"%PDF-1.4 \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d".to_vec();
    assert_eq!(
        upload(&agent, id, "invoice.pdf", "application/pdf", pdf.clone()).await,
        StatusCode::CREATED
    );
    let exe = upload(
        &agent,
        id,
        "run.exe",
        "application/x-msdownload",
        vec![0x4d, 0x5a],
    )
    .await;
    assert_eq!(exe, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = upload(
        &agent,
        id,
        "big.txt",
        "text/plain",
        vec![b'a'; 10 * 1024 * 1024 + 1],
    )
    .await;
    assert_eq!(huge, StatusCode::PAYLOAD_TOO_LARGE);

    let detail = agent.get(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.text);
    assert_eq!(detail.json["notes"][0]["body"], "הלקוח ביקש החזר");
    let attachment = &detail.json["attachments"][0];
    assert_eq!(attachment["size"], pdf.len());
    let fields: Vec<&str> = detail.json["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["field"].as_str())
        .collect();
    assert!(
        fields.contains(&"status") && fields.contains(&"priority"),
        "{fields:?}"
    );
    let download = agent
        .get(&format!(
            "/api/v1/tickets/{id}/attachments/{}",
            attachment["id"]
        ))
        .await;
    assert_eq!(download.text.as_bytes(), pdf.as_slice());
    assert!(
        download.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let by_number = agent.get("/api/v1/tickets/by-number/1").await;
    assert_eq!(by_number.json["ticket"]["id"], id);

    let escalated = agent
        .post(
            &format!("/api/v1/tickets/{id}/escalate"),
            json!({"team": back_office.id, "note": "נא לבדוק חיוב כפול"}),
        )
        .await;
    assert_eq!(escalated.status, StatusCode::OK, "{}", escalated.text);
    assert_eq!(escalated.json["status"], "pending_internal");
    assert_eq!(escalated.json["owner"]["id"], org.agent.0);
    assert_eq!(escalated.json["assignee"], Value::Null);
    assert_eq!(escalated.json["back_office_team"]["name"], "מחלקת גבייה");
    let queue = agent
        .get(&format!(
            "/api/v1/tickets?back_office_team={}",
            back_office.id
        ))
        .await;
    assert_eq!(
        queue.json["tickets"][0]["id"], id,
        "the back office's own view"
    );
    let handed = agent
        .post(&format!("/api/v1/tickets/{id}/hand-back"), json!({}))
        .await;
    assert_eq!(handed.json["status"], "open");
    assert_eq!(handed.json["assignee"]["id"], org.agent.0);
    assert_eq!(handed.json["back_office_team"], Value::Null);

    let mine = agent
        .get("/api/v1/tickets?assignee=me&status=open,new")
        .await;
    assert_eq!(mine.json["tickets"][0]["id"], id);
    let bad = agent.get("/api/v1/tickets?status=פתוח").await;
    assert_eq!(bad.json["field"], "status");

    let second = agent
        .post("/api/v1/tickets", json!({"subject": "שוב החשבונית"}))
        .await;
    let second = second.json["id"].as_i64().unwrap();
    let merged = agent
        .post(
            &format!("/api/v1/tickets/{second}/merge"),
            json!({"into": id}),
        )
        .await;
    assert_eq!(merged.json["id"], id, "{}", merged.text);
    let source = agent.get(&format!("/api/v1/tickets/{second}")).await;
    assert_eq!(source.json["ticket"]["merged_into"], id);
    assert_eq!(source.json["ticket"]["status"], "closed");
}

async fn configuration_is_checked(backend: Backend) {
    let server = start(backend, |_| {}).await;
    seed_org(server.store.as_ref(), "acme", "אקמה").await;
    let agent = Client::login(&server, "acme", "agent").await;
    let supervisor = Client::login(&server, "acme", "supervisor").await;
    let admin = Client::login(&server, "acme", "admin").await;
    let customer = agent
        .post(
            "/api/v1/customers",
            json!({"name": "דנה לוי", "phones": ["050-1234567"]}),
        )
        .await;
    let customer = customer.json["id"].as_i64().unwrap();
    let ticket = agent
        .post(
            "/api/v1/tickets",
            json!({"subject": "ביטול מנוי", "customer": customer}),
        )
        .await;
    assert_eq!(ticket.json["customer"]["name"], "דנה לוי");
    let ticket = ticket.json["id"].as_i64().unwrap();

    let canned = json!({"name": "פתיחה", "lang": "he", "body": "שלום {{customer.first_name}}, פנייתך {{ticket.number}} בטיפול. {{agent.name}}"});
    let refused = agent.post("/api/v1/canned-responses", canned.clone()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let made = supervisor
        .post("/api/v1/canned-responses", canned.clone())
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let again = supervisor.post("/api/v1/canned-responses", canned).await;
    assert_eq!(
        (again.status, again.json["field"].as_str()),
        (StatusCode::CONFLICT, Some("name"))
    );
    let unknown = supervisor
        .post(
            "/api/v1/canned-responses",
            json!({"name": "x", "lang": "he", "body": "{{customer.phone}}"}),
        )
        .await;
    assert_eq!(unknown.json["field"], "body");
    let rendered = agent
        .get(&format!(
            "/api/v1/tickets/{ticket}/canned-responses/{}",
            made.json["id"]
        ))
        .await;
    assert_eq!(
        rendered.json["body"],
        "שלום דנה, פנייתך #1 בטיפול. נציג דני"
    );
    let listed = agent.get("/api/v1/canned-responses?lang=en").await;
    assert_eq!(listed.json, json!([]));

    let policy = json!({"name": "רגיל", "priority": null, "category": null, "first_response_minutes": 240, "resolution_minutes": 2400});
    assert_eq!(
        agent.get("/api/v1/admin/sla-policies").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        supervisor
            .post("/api/v1/admin/sla-policies", policy.clone())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let made = admin.post("/api/v1/admin/sla-policies", policy).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let view = agent.get(&format!("/api/v1/tickets/{ticket}")).await;
    assert_eq!(view.json["ticket"]["sla"]["policy"], "רגיל");
    let rule = admin
        .post(
            "/api/v1/admin/escalation-rules",
            json!({"name": "הפרה", "trigger": {"kind": "breach"}, "team": 999_999}),
        )
        .await;
    assert_eq!(rule.json["field"], "team");
}

/// A fresh store of the backend (no server: the test drives the runner).
async fn fresh_store(backend: Backend, dir: &std::path::Path) -> Arc<dyn Store> {
    use sqlx::{ConnectOptions, Executor};
    match backend {
        Backend::Sqlite => Arc::new(
            moked_store_sqlite::SqliteStore::open_in_dir(dir)
                .await
                .unwrap(),
        ),
        Backend::Postgres => {
            let url = common::postgres_url().unwrap();
            let server: sqlx::postgres::PgConnectOptions = url.parse().unwrap();
            let name = format!(
                "moked_tickets_test_{}_{}",
                std::process::id(),
                Timestamp::now().as_microsecond()
            );
            let mut admin = server.connect().await.unwrap();
            admin
                .execute(format!("CREATE DATABASE {name}").as_str())
                .await
                .unwrap();
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(4)
                .connect_with(server.database(&name))
                .await
                .unwrap();
            Arc::new(
                moked_store_postgres::PostgresStore::with_pool(pool)
                    .await
                    .unwrap(),
            )
        }
    }
}

fn jerusalem(y: i16, m: i8, d: i8, hour: i8, minute: i8) -> Timestamp {
    date(y, m, d)
        .at(hour, minute, 0, 0)
        .to_zoned(TimeZone::get("Asia/Jerusalem").unwrap())
        .unwrap()
        .timestamp()
}

/// The next SLA event within 10 s.
async fn sla_event(events: &mut broadcast::Receiver<LiveEvent>) -> (SlaTarget, SlaKind, Timestamp) {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(10), events.recv())
            .await
            .expect("an SLA event within 10 s")
            .unwrap();
        if let LiveEvent::Sla {
            target, kind, due, ..
        } = event
        {
            return (target, kind, due);
        }
    }
}

fn no_sla_event(events: &mut broadcast::Receiver<LiveEvent>) {
    while let Ok(event) = events.try_recv() {
        assert!(
            !matches!(event, LiveEvent::Sla { .. }),
            "unexpected {event:?}"
        );
    }
}

async fn configure_sla(store: &dyn Store, org: &Org) -> moked_store::Team {
    // Sunday to Thursday 09:00–17:00, no Friday.
    let intervals = (0..5)
        .map(|weekday| WeeklyInterval {
            weekday,
            opens_minute: 9 * 60,
            closes_minute: 17 * 60,
        })
        .collect();
    let hours = NewBusinessHours {
        name: "שעות המוקד".into(),
        time_zone: "Asia/Jerusalem".into(),
        intervals,
    };
    store.create_business_hours(org.id, &hours).await.unwrap();
    let policy = NewSlaPolicy {
        name: "רגיל".into(),
        priority: None,
        category: None,
        first_response_minutes: 240,
        resolution_minutes: 2400,
    };
    store.create_sla_policy(org.id, &policy).await.unwrap();
    let team = store.create_team(org.id, "מחלקת גבייה").await.unwrap();
    let rule = NewEscalationRule {
        name: "הפרה".into(),
        trigger: EscalationTrigger::Breach,
        team: team.id,
    };
    store.create_escalation_rule(org.id, &rule).await.unwrap();
    team
}

async fn sla_runner_counts_business_hours(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let store = fresh_store(backend, dir.path()).await;
    let org = seed_org(store.as_ref(), "acme", "אקמה").await;
    let team = configure_sla(store.as_ref(), &org).await;
    // Thursday 19 November 2026, 15:00 in Jerusalem.
    let clock = Arc::new(ManualClock::new(jerusalem(2026, 11, 19, 15, 0)));
    let live = Live::start(store.clone(), clock.clone(), LiveConfig::default())
        .await
        .unwrap();
    let service = TicketService::new(store.clone(), live.clone());
    let runner = Arc::new(SlaRunner::new(
        store.clone(),
        service.clone(),
        clock.clone(),
    ));
    let (closing, closed) = tokio::sync::watch::channel(false);
    runner.clone().spawn(closed);
    let mut events = live.subscribe(org.id);

    let new = NewTicket {
        subject: "לא מצליח להתחבר לאזור האישי".into(),
        priority: TicketPriority::Normal,
        category: None,
        customer: None,
        assignee: Some(org.agent),
        team: None,
        tags: vec![],
    };
    let ticket = service
        .create(org.id, new.clone(), service.actor(Some(org.agent)))
        .await
        .unwrap();
    let view = service.view(org.id, &ticket).await.unwrap();
    let sla = view.sla.expect("the default policy covers it");
    let sunday_11 = jerusalem(2026, 11, 22, 11, 0);
    assert_eq!(
        sla.first_response_due,
        Some(sunday_11),
        "2 h on Thursday, 2 h on Sunday"
    );

    clock.set(jerusalem(2026, 11, 21, 23, 0));
    runner.run_once().await;
    no_sla_event(&mut events);

    // 80% of 4 h is 3 h 12 min: Sunday 10:12. The runner's own task wakes
    // on the manual clock.
    clock.set(jerusalem(2026, 11, 22, 10, 15));
    let warning = sla_event(&mut events).await;
    assert_eq!(
        warning,
        (SlaTarget::FirstResponse, SlaKind::Warning, sunday_11)
    );
    // The event goes out mid-pass; the board is whole once a pass ends.
    runner.run_once().await;
    let board = runner.board(org.id);
    assert_eq!((board.warnings, board.breaches), (1, 0));

    clock.set(jerusalem(2026, 11, 22, 11, 1));
    runner.run_once().await;
    let breach = sla_event(&mut events).await;
    assert_eq!(
        breach,
        (SlaTarget::FirstResponse, SlaKind::Breach, sunday_11)
    );
    let escalated = store.ticket(org.id, ticket.id).await.unwrap();
    assert_eq!(escalated.back_office_team, Some(team.id), "the breach rule");
    assert_eq!(escalated.owner, Some(org.agent), "the owner is kept");
    assert_eq!(escalated.assignee, None);
    assert_eq!(escalated.status, TicketStatus::PendingInternal);
    assert_eq!(runner.board(org.id).breaches, 1);

    // Another runner (a restart) announces nothing again.
    let restarted = SlaRunner::new(store.clone(), service.clone(), clock.clone());
    restarted.run_once().await;
    runner.run_once().await;
    no_sla_event(&mut events);

    let back = service
        .hand_back(org.id, ticket.id, None, service.actor(Some(org.agent)))
        .await
        .unwrap();
    assert_eq!(
        (back.assignee, back.back_office_team, back.status),
        (Some(org.agent), None, TicketStatus::Open)
    );

    // Waiting for the customer stops the clocks: days later, no warning.
    let waiting = service
        .create(org.id, new, service.actor(Some(org.agent)))
        .await
        .unwrap();
    let pending = [TicketChange::Status(TicketStatus::PendingCustomer)];
    service
        .change(org.id, waiting.id, &pending, service.actor(Some(org.agent)))
        .await
        .unwrap();
    clock.set(jerusalem(2026, 11, 24, 16, 0));
    runner.run_once().await;
    while let Ok(event) = events.try_recv() {
        if let LiveEvent::Sla { ticket, .. } = event {
            assert_ne!(ticket, waiting.id, "a paused ticket is not warned");
        }
    }
    let paused = service
        .view(org.id, &store.ticket(org.id, waiting.id).await.unwrap())
        .await
        .unwrap();
    assert_eq!(paused.sla.unwrap().state, SlaState::Paused);
    let _ = closing.send(true);
}
