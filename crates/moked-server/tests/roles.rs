//! The role matrix: every endpoint of the API called as anonymous, agent,
//! supervisor and admin of organization A, and as the admin of
//! organization B, with the answer checked against the table of
//! `docs/server.md`: 401 without credentials, 403 below the needed role,
//! 404 for another organization's records, and otherwise an answer that
//! is neither an auth refusal nor a server error. A test also checks the
//! matrix covers every route the router has.

mod common;

use common::{Backend, Client, TestServer, seed_org, start};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Who may call an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Need {
    Public,
    ChatToken,
    Staff,
    Agent,
    Supervisor,
    Admin,
}

struct Case {
    method: Method,
    path: &'static str,
    body: Option<Value>,
    need: Need,
}

fn case(method: Method, path: &'static str, body: Option<Value>, need: Need) -> Case {
    Case {
        method,
        path,
        body,
        need,
    }
}

/// Every endpoint except logout (which ends the session, so it runs last).
fn cases() -> Vec<Case> {
    use Method as M;
    use Need::*;
    let name = || Some(json!({"name": "שם חדש"}));
    vec![
        case(
            M::POST,
            "/login",
            Some(json!({"org": "acme", "login": "agent", "password": common::PASSWORD})),
            Public,
        ),
        case(M::GET, "/session", None, Staff),
        case(M::PUT, "/me/lang", Some(json!({"lang": "he"})), Staff),
        case(M::GET, "/openapi.json", None, Public),
        case(M::GET, "/queues", None, Agent),
        case(
            M::POST,
            "/queues",
            Some(json!({"name": "תור חדש", "channel": "chat"})),
            Admin,
        ),
        case(M::GET, "/queues/{queue}", None, Agent),
        case(
            M::PUT,
            "/queues/{queue}",
            Some(json!({"name": "שירות לקוחות", "channel": "chat", "skill": "{skill}"})),
            Admin,
        ),
        case(M::GET, "/skills", None, Supervisor),
        case(M::POST, "/skills", name(), Admin),
        case(
            M::PUT,
            "/skills/{skill}",
            Some(json!({"name": "חיובים"})),
            Admin,
        ),
        case(M::GET, "/teams", None, Agent),
        case(M::POST, "/teams", name(), Admin),
        case(
            M::PUT,
            "/teams/{team}",
            Some(json!({"name": "צוות א"})),
            Admin,
        ),
        case(M::GET, "/users", None, Supervisor),
        case(
            M::POST,
            "/users",
            Some(
                json!({"login": "new-user", "display_name": "חדש", "role": "agent", "password": "ארוכה-מספיק"}),
            ),
            Admin,
        ),
        case(M::GET, "/users/{target}", None, Supervisor),
        case(
            M::PUT,
            "/users/{target}",
            Some(json!({"display_name": "יעד", "role": "agent"})),
            Admin,
        ),
        case(
            M::PUT,
            "/users/{target}/skills",
            Some(json!([{"skill": "{skill}", "level": 5}])),
            Admin,
        ),
        case(
            M::PUT,
            "/users/{target}/capacities",
            Some(json!([{"channel": "chat", "max_concurrent": 2}])),
            Admin,
        ),
        case(M::GET, "/wrap-up-codes", None, Agent),
        case(
            M::POST,
            "/wrap-up-codes",
            Some(json!({"code": "new-code", "label": "קוד"})),
            Admin,
        ),
        case(
            M::PUT,
            "/wrap-up-codes/{code}",
            Some(json!({"code": "resolved", "label": "טופל"})),
            Admin,
        ),
        case(M::GET, "/business-hours", None, Supervisor),
        case(
            M::POST,
            "/business-hours",
            Some(json!({"name": "שעות", "intervals": []})),
            Admin,
        ),
        case(M::GET, "/business-hours/{hours}", None, Supervisor),
        case(
            M::PUT,
            "/business-hours/{hours}",
            Some(json!({"name": "שעות קיץ", "intervals": []})),
            Admin,
        ),
        case(M::GET, "/sip/accounts", None, Supervisor),
        case(
            M::PUT,
            "/sip/accounts/{target}",
            Some(json!({"username": "2001", "password": "סיסמה-ארוכה"})),
            Admin,
        ),
        case(M::DELETE, "/sip/accounts/{target}", None, Admin),
        case(M::GET, "/sip/routes", None, Supervisor),
        case(
            M::PUT,
            "/sip/routes/{address}",
            Some(json!({"queue": "{queue}"})),
            Admin,
        ),
        case(M::DELETE, "/sip/routes/{address}", None, Admin),
        case(M::GET, "/mail/addresses", None, Supervisor),
        case(
            M::POST,
            "/mail/addresses",
            Some(
                json!({"address": "service@acme.example", "queue": "{queue}", "display_name": "שירות לקוחות"}),
            ),
            Admin,
        ),
        case(
            M::DELETE,
            "/mail/addresses?address=service@acme.example",
            None,
            Admin,
        ),
        case(
            M::POST,
            "/tickets/{queue}/reply",
            Some(json!({"body": "תשובה ללקוחה"})),
            Agent,
        ),
        case(M::GET, "/customers?q=%D7%9C%D7%95%D7%99", None, Agent),
        case(
            M::POST,
            "/customers",
            Some(json!({"name": "לקוחה חדשה"})),
            Agent,
        ),
        case(M::GET, "/customers/{customer}", None, Agent),
        case(
            M::PUT,
            "/customers/{customer}",
            Some(json!({"name": "רינה לוי"})),
            Agent,
        ),
        case(M::GET, "/customers/{customer}/interactions", None, Agent),
        case(M::GET, "/interactions/{chat}", None, Agent),
        case(M::GET, "/search?q=%D7%9C%D7%95%D7%99", None, Agent),
        case(M::GET, "/agents", None, Agent),
        case(M::GET, "/agent/desk", None, Agent),
        case(
            M::PUT,
            "/agent/presence",
            Some(json!({"state": "not_ready", "reason": "meal"})),
            Agent,
        ),
        case(M::POST, "/interactions/{chat}/accept", None, Agent),
        case(M::POST, "/interactions/{chat}/reject", None, Agent),
        case(
            M::POST,
            "/interactions/{chat}/messages",
            Some(json!({"body": "שלום", "idempotency_key": "k1"})),
            Agent,
        ),
        case(M::POST, "/interactions/{chat}/typing", None, Agent),
        case(
            M::POST,
            "/interactions/{chat}/notes",
            Some(json!({"body": "הערה פנימית"})),
            Agent,
        ),
        case(
            M::POST,
            "/interactions/{chat}/transfer",
            Some(json!({"queue": "{queue}"})),
            Agent,
        ),
        case(M::POST, "/interactions/{chat}/end", None, Agent),
        case(
            M::POST,
            "/interactions/{chat}/wrap-up",
            Some(json!({"code": "{code}"})),
            Agent,
        ),
        case(M::GET, "/tickets?status=new,open&assignee=me", None, Agent),
        case(
            M::POST,
            "/tickets",
            Some(json!({"subject": "פנייה חדשה"})),
            Agent,
        ),
        case(M::GET, "/tickets/{ticket}", None, Agent),
        case(
            M::PATCH,
            "/tickets/{ticket}",
            Some(json!({"priority": "high"})),
            Agent,
        ),
        case(M::GET, "/tickets/by-number/{number}", None, Agent),
        case(M::GET, "/tickets/{ticket}/messages", None, Agent),
        case(
            M::POST,
            "/tickets/{ticket}/notes",
            Some(json!({"body": "הערה"})),
            Agent,
        ),
        case(
            M::POST,
            "/tickets/{ticket}/attachments?file_name=a.txt",
            Some(json!("טקסט")),
            Agent,
        ),
        case(
            M::GET,
            "/tickets/{ticket}/attachments/{attachment}",
            None,
            Agent,
        ),
        case(
            M::POST,
            "/tickets/{ticket}/escalate",
            Some(json!({"team": "{team}"})),
            Agent,
        ),
        case(
            M::POST,
            "/tickets/{ticket}/hand-back",
            Some(json!({})),
            Agent,
        ),
        case(
            M::GET,
            "/tickets/{ticket}/canned-responses/{canned}",
            None,
            Agent,
        ),
        case(
            M::POST,
            "/tickets/{ticket}/canned-responses/{canned}/apply",
            Some(json!({})),
            Agent,
        ),
        case(M::GET, "/canned-responses?lang=he", None, Agent),
        case(
            M::POST,
            "/canned-responses",
            Some(json!({"name": "תשובה", "lang": "he", "body": "שלום"})),
            Supervisor,
        ),
        case(
            M::PUT,
            "/canned-responses/{canned}",
            Some(json!({"name": "ברכה", "lang": "he", "body": "שלום רב"})),
            Supervisor,
        ),
        case(M::DELETE, "/canned-responses/{canned}", None, Supervisor),
        case(M::GET, "/admin/sla-policies", None, Admin),
        case(
            M::POST,
            "/admin/sla-policies",
            Some(json!({"name": "רגיל", "first_response_minutes": 60, "resolution_minutes": 480})),
            Admin,
        ),
        case(
            M::PUT,
            "/admin/sla-policies/{policy}",
            Some(
                json!({"name": "דחוף מאוד", "priority": "urgent", "first_response_minutes": 20, "resolution_minutes": 240}),
            ),
            Admin,
        ),
        case(M::DELETE, "/admin/sla-policies/{policy}", None, Admin),
        case(M::GET, "/admin/escalation-rules", None, Admin),
        case(
            M::POST,
            "/admin/escalation-rules",
            Some(json!({"name": "הפרה", "trigger": {"kind": "breach"}, "team": "{team}"})),
            Admin,
        ),
        case(
            M::PUT,
            "/admin/escalation-rules/{rule}",
            Some(json!({"name": "חיובים", "trigger": {"kind": "breach"}, "team": "{team}"})),
            Admin,
        ),
        case(M::DELETE, "/admin/escalation-rules/{rule}", None, Admin),
        case(
            M::POST,
            "/tickets/{merged}/merge",
            Some(json!({"into": "{ticket}"})),
            Agent,
        ),
        case(M::GET, "/wallboard", None, Supervisor),
        case(M::GET, "/wallboard/agents/{agent}", None, Supervisor),
        case(M::GET, "/ws", None, Staff),
        case(M::GET, "/widget/acme/config", None, Public),
        case(
            M::POST,
            "/widget/acme/chats",
            Some(json!({"name": "גלית"})),
            Public,
        ),
        case(M::GET, "/widget/chats/{chat}", None, ChatToken),
        case(
            M::POST,
            "/widget/chats/{chat}/messages",
            Some(json!({"body": "היי", "idempotency_key": "c1"})),
            ChatToken,
        ),
        case(M::POST, "/widget/chats/{chat}/typing", None, ChatToken),
        case(M::POST, "/widget/chats/{chat}/end", None, ChatToken),
        case(
            M::POST,
            "/widget/chats/{chat}/rating",
            Some(json!({"score": 5, "comment": "מצוין"})),
            ChatToken,
        ),
        case(M::GET, "/widget/chats/{chat}/ws", None, ChatToken),
    ]
}

/// Organization A's record ids, by placeholder.
struct Ids(Vec<(&'static str, i64)>);

impl Ids {
    fn fill(&self, text: &str) -> String {
        self.0.iter().fold(text.to_owned(), |text, (name, id)| {
            text.replace(&format!("{{{name}}}"), &id.to_string())
        })
    }

    fn fill_body(&self, body: &Value) -> Value {
        // Placeholders in bodies are strings standing for numbers.
        let text = body.to_string();
        let text = self.0.iter().fold(text, |text, (name, id)| {
            text.replace(&format!("\"{{{name}}}\""), &id.to_string())
        });
        serde_json::from_str(&text).unwrap()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Anonymous,
    Agent,
    Supervisor,
    Admin,
    OtherOrgAdmin,
    OtherChatToken,
    OwnChatToken,
}

/// Whether the case's body names organization A's records too.
fn body_has_id(case: &Case) -> bool {
    case.body
        .as_ref()
        .is_some_and(|body| body.to_string().contains("\"{"))
}

fn expect(need: Need, who: Who, path_has_id: bool, status: StatusCode) -> Result<(), String> {
    let allowed = |status: StatusCode| {
        if status == StatusCode::UNAUTHORIZED
            || status == StatusCode::FORBIDDEN
            || status.is_server_error()
        {
            Err(format!("expected access, got {status}"))
        } else {
            Ok(())
        }
    };
    let exactly = |wanted: StatusCode| {
        if status == wanted {
            Ok(())
        } else {
            Err(format!("expected {wanted}, got {status}"))
        }
    };
    let rank = |who: Who| match who {
        Who::Agent => Need::Agent,
        Who::Supervisor => Need::Supervisor,
        _ => Need::Admin,
    };
    match (need, who) {
        (Need::Public, _) => allowed(status),
        (Need::ChatToken, Who::OwnChatToken) => allowed(status),
        (Need::ChatToken, Who::OtherChatToken) => exactly(StatusCode::FORBIDDEN),
        (Need::ChatToken, _) => exactly(StatusCode::UNAUTHORIZED),
        (_, Who::Anonymous | Who::OtherChatToken | Who::OwnChatToken) => {
            exactly(StatusCode::UNAUTHORIZED)
        }
        (_, Who::OtherOrgAdmin) if path_has_id => exactly(StatusCode::NOT_FOUND),
        (_, Who::OtherOrgAdmin) => allowed(status),
        (need, who) if need > rank(who) && need != Need::Staff => exactly(StatusCode::FORBIDDEN),
        _ => allowed(status),
    }
}

both_backends! {
    every_endpoint_as_every_role => every_endpoint_as_every_role;
}

async fn widget_chat(server: &TestServer, name: &str) -> (i64, String) {
    let answer = Client::anonymous(server)
        .post(
            "/api/v1/widget/acme/chats",
            json!({"name": name, "phone": "052-7654321"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    (
        answer.json["chat"].as_i64().unwrap(),
        answer.json["token"].as_str().unwrap().to_owned(),
    )
}

/// A ticket with an attachment, one to merge into it, a canned response,
/// an SLA policy and an escalation rule of organization A.
async fn ticket_records(
    server: &TestServer,
    admin: &Client,
    org: moked_store::OrgId,
) -> Vec<(&'static str, i64)> {
    use moked_store::{NewAttachment, TicketActor, TicketId};
    let open = |subject: &'static str| async move {
        let answer = admin
            .post("/api/v1/tickets", json!({"subject": subject}))
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
        (
            answer.json["id"].as_i64().unwrap(),
            answer.json["number"].as_i64().unwrap(),
        )
    };
    // Organization B opens its ticket #1 during the matrix: A's is #2.
    let (merged, _) = open("חשבונית שגויה שוב").await;
    let (ticket, number) = open("חשבונית שגויה").await;
    let file = NewAttachment {
        file_name: "חשבונית.txt".into(),
        content_type: "text/plain".into(),
        content: "סכום".as_bytes().to_vec(),
    };
    let by = TicketActor {
        user: None,
        at: jiff::Timestamp::now(),
    };
    let attachment = server
        .store
        .add_attachment(org, TicketId(ticket), &file, by)
        .await
        .unwrap();
    let created = |path: &'static str, body: Value| async move {
        let answer = admin.post(path, body).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
        answer.json["id"].as_i64().unwrap()
    };
    let canned = created(
        "/api/v1/canned-responses",
        json!({"name": "פתיחה", "lang": "he", "body": "שלום {{agent.name}}"}),
    )
    .await;
    let policy = created("/api/v1/admin/sla-policies", json!({"name": "דחוף", "priority": "urgent", "first_response_minutes": 30, "resolution_minutes": 240})).await;
    let team = created("/api/v1/teams", json!({"name": "מחלקת גבייה"})).await;
    let rule = created("/api/v1/admin/escalation-rules", json!({"name": "חיובים", "trigger": {"kind": "category", "category": "חיובים"}, "team": team})).await;
    vec![
        ("ticket", ticket),
        ("number", number),
        ("merged", merged),
        ("attachment", attachment.id),
        ("canned", canned),
        ("policy", policy),
        ("rule", rule),
    ]
}

async fn every_endpoint_as_every_role(backend: Backend) {
    let server = start(backend, |config| {
        config.rate_limits.widget_chats_per_minute = 100
    })
    .await;
    let a = seed_org(server.store.as_ref(), "acme", "אקמה").await;
    seed_org(server.store.as_ref(), "other", "ארגון אחר").await;
    let admin = Client::login(&server, "acme", "admin").await;
    let team = admin
        .post("/api/v1/teams", json!({"name": "צוות א"}))
        .await
        .json["id"]
        .as_i64()
        .unwrap();
    let hours = admin
        .post(
            "/api/v1/business-hours",
            json!({"name": "שעות", "intervals": []}),
        )
        .await
        .json["id"]
        .as_i64()
        .unwrap();
    let customer = admin
        .post("/api/v1/customers", json!({"name": "רינה לוי"}))
        .await
        .json["id"]
        .as_i64()
        .unwrap();
    let target = admin
        .post("/api/v1/users", json!({"login": "target", "display_name": "יעד", "role": "agent", "password": "ארוכה-מספיק"}))
        .await
        .json["id"]
        .as_i64()
        .unwrap();
    let tickets = ticket_records(&server, &admin, a.id).await;
    let (chat, own_token) = widget_chat(&server, "שרה").await;
    let (_other_chat, other_token) = widget_chat(&server, "רון").await;
    let ids = Ids(vec![
        ("queue", a.queue.0),
        ("skill", a.skill.0),
        ("team", team),
        ("hours", hours),
        ("customer", customer),
        ("target", target),
        ("chat", chat),
        ("code", a.code.0),
        ("agent", a.agent.0),
        // A SIP address may be a number callers dial.
        ("address", 35_551_234),
    ]);
    let ids = Ids(ids.0.into_iter().chain(tickets).collect());
    let callers = [
        (Who::Anonymous, Client::anonymous(&server)),
        (Who::Agent, Client::login(&server, "acme", "agent").await),
        (
            Who::Supervisor,
            Client::login(&server, "acme", "supervisor").await,
        ),
        (Who::Admin, admin.clone()),
        (
            Who::OtherOrgAdmin,
            Client::login(&server, "other", "admin").await,
        ),
        (
            Who::OtherChatToken,
            Client::with_bearer(&server, &other_token),
        ),
        (Who::OwnChatToken, Client::with_bearer(&server, &own_token)),
    ];
    let mut failures = Vec::new();
    for case in cases() {
        let path = format!("/api/v1{}", ids.fill(case.path));
        let has_id = case.path.contains('{');
        for (who, client) in &callers {
            let body = case.body.as_ref().map(|body| ids.fill_body(body));
            // Logging in replaces a client's cookie: use a fresh one.
            let fresh;
            let client = if case.path == "/login" {
                fresh = Client::anonymous(&server);
                &fresh
            } else {
                client
            };
            let answer = client.send(case.method.clone(), &path, body).await;
            // Another organization's ids in a body are refused as unknown
            // values of that field (422), whichever check comes first.
            let status = if *who == Who::OtherOrgAdmin
                && has_id
                && body_has_id(&case)
                && answer.status == StatusCode::UNPROCESSABLE_ENTITY
            {
                StatusCode::NOT_FOUND
            } else {
                answer.status
            };
            if let Err(why) = expect(case.need, *who, has_id, status) {
                failures.push(format!(
                    "{} {} as {who:?}: {why} ({})",
                    case.method, path, answer.text
                ));
            }
        }
    }
    for (who, client) in &callers {
        let answer = client.send(Method::POST, "/api/v1/logout", None).await;
        if let Err(why) = expect(Need::Staff, *who, false, answer.status) {
            failures.push(format!("POST /api/v1/logout as {who:?}: {why}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_matrix_covers_every_route() {
    let routed: BTreeSet<(String, String)> = moked_server::api::routes()
        .table()
        .iter()
        .map(|(method, path)| (method.to_string(), one_id_name(path)))
        .collect();
    let generic = |path: &str| {
        let path = path.split('?').next().unwrap().replace("/acme/", "/{org}/");
        let mut out = Vec::new();
        for part in path.split('/') {
            out.push(if part.starts_with('{') && part != "{org}" {
                "{id}".to_owned()
            } else {
                part.to_owned()
            });
        }
        format!("/api/v1{}", out.join("/"))
    };
    let mut tested: BTreeSet<(String, String)> = cases()
        .iter()
        .map(|case| (case.method.to_string(), generic(case.path)))
        .collect();
    tested.insert(("POST".into(), "/api/v1/logout".into()));
    assert_eq!(routed, tested);
}

/// A route's path with every parameter but `{org}` called `{id}` (routes
/// with two ids name them apart, as axum needs).
fn one_id_name(path: &str) -> String {
    path.split('/')
        .map(|part| {
            if part.starts_with('{') && part != "{org}" {
                "{id}"
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}
