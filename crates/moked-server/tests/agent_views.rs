//! What agents see and may read: colleagues' names in a transferred chat
//! and the customer's history, the colleagues list for transfers, the
//! queues, the desk's capacity, the customer's ID number masked; the empty
//! desk and live events of a supervisor or admin who takes no chats; clean
//! 409s naming the field; the wallboard's service-level target; the
//! transfer notice in the chat's language.

mod common;

use common::{Backend, Client, TestServer, event_of, seed_org, staff_socket, start};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both_backends! {
    a_transferred_chat_names_both_agents => a_transferred_chat_names_both_agents;
    desks_queues_and_the_floor => desks_queues_and_the_floor;
    agents_see_the_id_number_masked => agents_see_the_id_number_masked;
    conflicts_name_the_field => conflicts_name_the_field;
}

const ID_NUMBER: &str = "123456782";

/// Adds an agent who takes two chats with the queue's skill; returns its id.
async fn second_agent(server: &TestServer, skill: i64) -> i64 {
    let admin = Client::login(server, "acme", "admin").await;
    let created = admin
        .post(
            "/api/v1/users",
            json!({"login": "ronit", "display_name": "נציגה רונית", "role": "agent", "password": common::PASSWORD}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.json["id"].as_i64().unwrap();
    let skills = admin
        .put(
            &format!("/api/v1/users/{id}/skills"),
            json!([{"skill": skill, "level": 6}]),
        )
        .await;
    assert_eq!(skills.status, StatusCode::OK, "{}", skills.text);
    let capacity = admin
        .put(
            &format!("/api/v1/users/{id}/capacities"),
            json!([{"channel": "chat", "max_concurrent": 2}]),
        )
        .await;
    assert_eq!(capacity.status, StatusCode::OK, "{}", capacity.text);
    id
}

async fn post_empty(client: &Client, path: &str) -> StatusCode {
    let answer = client.send(Method::POST, path, None).await;
    assert!(answer.status.is_success(), "{path}: {}", answer.text);
    answer.status
}

/// Waits (up to 5 s) until the agent's desk offers `chat`.
async fn offered(agent: &Client, chat: i64) {
    for _ in 0..50 {
        let desk = agent.get("/api/v1/agent/desk").await;
        let offers = desk.json["offers"].as_array().cloned().unwrap_or_default();
        if offers.iter().any(|offer| offer["chat"] == chat) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("chat {chat} was never offered");
}

fn names(list: &Value) -> Vec<(i64, String)> {
    list.as_array()
        .unwrap_or_else(|| panic!("a list of names: {list}"))
        .iter()
        .map(|a| {
            (
                a["id"].as_i64().unwrap(),
                a["name"].as_str().unwrap().into(),
            )
        })
        .collect()
}

async fn a_transferred_chat_names_both_agents(backend: Backend) {
    let server = start(backend, |_| {}).await;
    let org = seed_org(server.store.as_ref(), "acme", "אקמה").await;
    let ronit = second_agent(&server, org.skill.0).await;
    let dani = Client::login(&server, "acme", "agent").await;
    let b = Client::login(&server, "acme", "ronit").await;
    let ready = dani
        .put("/api/v1/agent/presence", json!({"state": "available"}))
        .await;
    assert_eq!(ready.status, StatusCode::NO_CONTENT, "{}", ready.text);
    let opened = Client::anonymous(&server)
        .post(
            "/api/v1/widget/acme/chats",
            json!({"name": "Miriam", "phone": "054-1112233", "lang": "en"}),
        )
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.text);
    let chat = opened.json["chat"].as_i64().unwrap();
    let token = opened.json["token"].as_str().unwrap().to_owned();
    offered(&dani, chat).await;
    post_empty(&dani, &format!("/api/v1/interactions/{chat}/accept")).await;
    let reply = dani
        .post(
            &format!("/api/v1/interactions/{chat}/messages"),
            json!({"body": "שלום, אני מעביר אותך לרונית", "idempotency_key": "d-1"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let note = dani
        .post(
            &format!("/api/v1/interactions/{chat}/notes"),
            json!({"body": "הלקוחה מבקשת החזר"}),
        )
        .await;
    assert_eq!(note.status, StatusCode::CREATED, "{}", note.text);

    // The colleagues list: both agents with their state, for an agent.
    let colleagues = dani.get("/api/v1/agents").await;
    assert_eq!(colleagues.status, StatusCode::OK, "{}", colleagues.text);
    let listed = names(&colleagues.json);
    assert!(
        listed.contains(&(ronit, "נציגה רונית".into())),
        "{listed:?}"
    );
    assert!(
        listed.contains(&(org.agent.0, "נציג דני".into())),
        "{listed:?}"
    );
    let ronit_now = colleagues
        .json
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == ronit)
        .unwrap();
    assert_eq!(ronit_now["state"], "offline");

    let moved = dani
        .post(
            &format!("/api/v1/interactions/{chat}/transfer"),
            json!({"agent": ronit}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::NO_CONTENT, "{}", moved.text);
    let ready = b
        .put("/api/v1/agent/presence", json!({"state": "available"}))
        .await;
    assert_eq!(ready.status, StatusCode::NO_CONTENT, "{}", ready.text);
    offered(&b, chat).await;
    post_empty(&b, &format!("/api/v1/interactions/{chat}/accept")).await;

    // Ronit, an agent who may not read /users, sees Dani's name on his
    // reply and note, and both names for the timeline.
    let seen = b.get(&format!("/api/v1/interactions/{chat}")).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.text);
    let messages = seen.json["messages"].as_array().unwrap();
    let by_dani: Vec<&Value> = messages
        .iter()
        .filter(|m| m["sender"]["user"] == org.agent.0)
        .collect();
    assert_eq!(by_dani.len(), 2, "reply and note: {messages:?}");
    assert!(by_dani.iter().all(|m| m["sender_name"] == "נציג דני"));
    let customer_line = messages
        .iter()
        .find(|m| m["sender"]["kind"] == "system")
        .expect("the transfer notice");
    assert!(customer_line.get("sender_name").is_none());
    let agents = names(&seen.json["agents"]);
    assert_eq!(
        agents,
        [
            (org.agent.0, "נציג דני".into()),
            (ronit, "נציגה רונית".into())
        ]
    );

    // The customer's history names the agents of each interaction.
    let customer = seen.json["customer"].as_i64().unwrap();
    let history = b
        .get(&format!("/api/v1/customers/{customer}/interactions"))
        .await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.text);
    let this = history
        .json
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == chat)
        .unwrap();
    assert_eq!(names(&this["agents"]), agents);
    assert!(this["timeline"].as_array().unwrap().len() >= 4);

    // The chat was opened in English: so is the transfer notice.
    let widget = Client::with_bearer(&server, &token)
        .get(&format!("/api/v1/widget/chats/{chat}"))
        .await;
    let notice = widget.json["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["sender"]["kind"] == "system")
        .unwrap()["body"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(notice.contains("another agent"), "{notice}");
}

async fn desks_queues_and_the_floor(backend: Backend) {
    let server = start(backend, |_| {}).await;
    let org = seed_org(server.store.as_ref(), "acme", "אקמה").await;
    let dani = Client::login(&server, "acme", "agent").await;
    let desk = dani.get("/api/v1/agent/desk").await;
    assert_eq!(desk.status, StatusCode::OK, "{}", desk.text);
    assert_eq!(desk.json["capacity"], 3);
    assert_eq!(desk.json["presence"], "offline");

    // Agents read the queues (to transfer), not change them.
    let queues = dani.get("/api/v1/queues").await;
    assert_eq!(queues.status, StatusCode::OK, "{}", queues.text);
    assert_eq!(queues.json[0]["name"], "שירות לקוחות");
    let one = dani.get(&format!("/api/v1/queues/{}", org.queue.0)).await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.text);
    let change = dani
        .put(
            &format!("/api/v1/queues/{}", org.queue.0),
            json!({"name": "שם אחר"}),
        )
        .await;
    assert_eq!(change.status, StatusCode::FORBIDDEN, "{}", change.text);

    // A supervisor and an admin take no chats: an empty desk, and their
    // sockets carry the floor's events.
    let supervisor = Client::login(&server, "acme", "supervisor").await;
    let admin = Client::login(&server, "acme", "admin").await;
    for boss in [&supervisor, &admin] {
        let desk = boss.get("/api/v1/agent/desk").await;
        assert_eq!(desk.status, StatusCode::OK, "{}", desk.text);
        assert_eq!(desk.json["presence"], "offline");
        assert_eq!(desk.json["capacity"], 0);
        assert_eq!(desk.json["offers"], json!([]));
        assert_eq!(desk.json["chats"], json!([]));
    }
    let mut floor = staff_socket(&server, &supervisor).await;
    let mut admin_floor = staff_socket(&server, &admin).await;
    let ready = dani
        .put("/api/v1/agent/presence", json!({"state": "available"}))
        .await;
    assert_eq!(ready.status, StatusCode::NO_CONTENT, "{}", ready.text);
    for socket in [&mut floor, &mut admin_floor] {
        let state = event_of(socket, "agent_state").await;
        assert_eq!(state["agent"], org.agent.0);
        assert_eq!(state["state"], "available");
    }
    Client::anonymous(&server)
        .post("/api/v1/widget/acme/chats", json!({"name": "גלית"}))
        .await;
    let changed = event_of(&mut floor, "wallboard_changed").await;
    assert_eq!(changed["queue"], org.queue.0);

    // The wallboard colours each queue against its target.
    let board = supervisor.get("/api/v1/wallboard").await;
    assert_eq!(board.status, StatusCode::OK, "{}", board.text);
    let queue = &board.json["queues"][0];
    assert_eq!(queue["service_level_seconds"], 20);
    assert_eq!(queue["service_level_target"], 0.8);
}

async fn agents_see_the_id_number_masked(backend: Backend) {
    let server = start(backend, |_| {}).await;
    seed_org(server.store.as_ref(), "acme", "אקמה").await;
    let dani = Client::login(&server, "acme", "agent").await;
    let supervisor = Client::login(&server, "acme", "supervisor").await;
    let created = dani
        .post(
            "/api/v1/customers",
            json!({"name": "רינה לוי", "israeli_id": ID_NUMBER, "phones": ["050-1234567"]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.json["israeli_id"], "*****6782");
    let id = created.json["id"].as_i64().unwrap();
    let path = format!("/api/v1/customers/{id}");

    let as_agent = dani.get(&path).await;
    assert_eq!(as_agent.json["israeli_id"], "*****6782");
    assert!(!as_agent.text.contains(ID_NUMBER));
    let found = dani
        .get("/api/v1/customers?q=%D7%A8%D7%99%D7%A0%D7%94")
        .await;
    assert_eq!(found.json[0]["israeli_id"], "*****6782");
    let as_supervisor = supervisor.get(&path).await;
    assert_eq!(as_supervisor.json["israeli_id"], ID_NUMBER);

    // The desktop saves notes by sending the customer back, masked number
    // and all: the stored number stays.
    let mut back = as_agent.json.clone();
    back.as_object_mut().unwrap().remove("id");
    back["notes"] = json!("מעדיפה שיחה בבוקר");
    let saved = dani.put(&path, back.clone()).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text);
    assert_eq!(saved.json["notes"], "מעדיפה שיחה בבוקר");
    let after = supervisor.get(&path).await;
    assert_eq!(after.json["israeli_id"], ID_NUMBER);

    // A masked number that is not the stored one is refused, by field.
    back["israeli_id"] = json!("*****1111");
    let wrong = dani.put(&path, back).await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.text
    );
    assert_eq!(wrong.json["field"], "israeli_id");
    let masked_new = dani
        .post(
            "/api/v1/customers",
            json!({"name": "דן", "israeli_id": "*****6782"}),
        )
        .await;
    assert_eq!(masked_new.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(masked_new.json["field"], "israeli_id");
}

async fn conflicts_name_the_field(backend: Backend) {
    let server = start(backend, |_| {}).await;
    seed_org(server.store.as_ref(), "acme", "אקמה").await;
    let admin = Client::login(&server, "acme", "admin").await;
    let cases = [
        ("/api/v1/skills", json!({"name": "חיובים"}), "name", "skill"),
        (
            "/api/v1/queues",
            json!({"name": "שירות לקוחות"}),
            "name",
            "queue",
        ),
        (
            "/api/v1/wrap-up-codes",
            json!({"code": "resolved", "label": "טופל שוב"}),
            "code",
            "wrap-up code",
        ),
        (
            "/api/v1/users",
            json!({"login": "agent", "display_name": "כפיל", "role": "agent", "password": common::PASSWORD}),
            "login",
            "user",
        ),
    ];
    for (path, body, field, entity) in cases {
        let clash = admin.post(path, body).await;
        assert_eq!(clash.status, StatusCode::CONFLICT, "{path}: {}", clash.text);
        assert_eq!(clash.json["field"], field, "{path}");
        assert_eq!(
            clash.json["detail"],
            format!("a {entity} with this {field} already exists"),
            "{path}"
        );
        let text = clash.text.to_lowercase();
        assert!(
            !text.contains("unique") && !text.contains("constraint") && !text.contains("org_id"),
            "{path} leaks the database: {}",
            clash.text
        );
    }
}
