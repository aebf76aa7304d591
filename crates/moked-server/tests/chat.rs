//! A widget chat end to end over HTTP and WebSockets: a customer opens a
//! chat, the agent gets the offer on the staff socket and accepts, both
//! talk (a `<script>` message in Hebrew and English comes back verbatim as
//! JSON text), an internal note never reaches the customer, the agent ends
//! and wraps up, the customer rates. Also: widget rate limits, chat tokens
//! good for one chat only.

mod common;

use common::{
    Backend, Client, chat_socket, event_of, next_event, seed_org, send_frame, staff_socket, start,
};
use reqwest::StatusCode;
use serde_json::json;

both_backends! {
    chat_from_open_to_rating => chat_from_open_to_rating;
    widget_is_rate_limited => widget_is_rate_limited;
}

const SCRIPT_HE: &str = "<script>alert('שלום')</script> שלום, יש לי בעיה בחשבונית";
const SCRIPT_EN: &str = "<img src=x onerror=alert(1)> & <b>bold</b> \"quoted\"";

async fn chat_from_open_to_rating(backend: Backend) {
    let server = start(backend, |_| {}).await;
    let org = seed_org(server.store.as_ref(), "acme", "אקמה").await;
    let agent = Client::login(&server, "acme", "agent").await;
    let mut agent_socket = staff_socket(&server, &agent).await;
    let supervisor = Client::login(&server, "acme", "supervisor").await;
    let mut floor_socket = staff_socket(&server, &supervisor).await;
    let ready = agent
        .put("/api/v1/agent/presence", json!({"state": "available"}))
        .await;
    assert_eq!(ready.status, StatusCode::NO_CONTENT, "{}", ready.text);
    let state = event_of(&mut floor_socket, "agent_state").await;
    assert_eq!(state["agent"], org.agent.0);
    assert_eq!(state["state"], "available");

    let config = Client::anonymous(&server)
        .get("/api/v1/widget/acme/config")
        .await;
    assert_eq!(config.json["org_name"], "אקמה");
    assert_eq!(config.json["queues"][0]["name"], "שירות לקוחות");
    let opened = Client::anonymous(&server)
        .post(
            "/api/v1/widget/acme/chats",
            json!({"name": "מירב", "phone": "054-1112233", "queue": org.queue.0, "lang": "he"}),
        )
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.text);
    let chat = opened.json["chat"].as_i64().unwrap();
    let token = opened.json["token"].as_str().unwrap().to_owned();
    let customer = Client::with_bearer(&server, &token);
    let mut customer_socket = chat_socket(&server, chat, &token).await;

    let offer = event_of(&mut agent_socket, "offer").await;
    assert_eq!(offer["chat"], chat);
    assert_eq!(offer["agent"], org.agent.0);
    let accepted = agent
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/interactions/{chat}/accept"),
            None,
        )
        .await;
    assert_eq!(accepted.status, StatusCode::NO_CONTENT, "{}", accepted.text);
    let connected = event_of(&mut customer_socket, "chat_connected").await;
    assert_eq!(connected["agent_name"], "נציג דני");

    // The customer writes over the socket and gets an acknowledgement.
    send_frame(
        &mut customer_socket,
        json!({"type": "message", "body": SCRIPT_HE, "idempotency_key": "m-1"}),
    )
    .await;
    let ack = event_of(&mut customer_socket, "ack").await;
    assert_eq!(ack["idempotency_key"], "m-1");
    assert_eq!(ack["message"]["body"], SCRIPT_HE);
    let relayed = event_of(&mut agent_socket, "message").await;
    assert_eq!(
        relayed["message"]["body"], SCRIPT_HE,
        "verbatim, as JSON text"
    );
    // A retry with the same key is stored once.
    send_frame(
        &mut customer_socket,
        json!({"type": "message", "body": SCRIPT_HE, "idempotency_key": "m-1"}),
    )
    .await;
    let again = event_of(&mut customer_socket, "ack").await;
    assert_eq!(again["message"]["id"], ack["message"]["id"]);
    let over_http = customer
        .post(
            &format!("/api/v1/widget/chats/{chat}/messages"),
            json!({"body": SCRIPT_EN, "idempotency_key": "m-2"}),
        )
        .await;
    assert_eq!(over_http.status, StatusCode::CREATED, "{}", over_http.text);
    assert_eq!(over_http.headers["content-type"], "application/json");

    let note = agent
        .post(
            &format!("/api/v1/interactions/{chat}/notes"),
            json!({"body": "לקוחה רגישה למחיר"}),
        )
        .await;
    assert_eq!(note.status, StatusCode::CREATED, "{}", note.text);
    let reply = agent
        .post(
            &format!("/api/v1/interactions/{chat}/messages"),
            json!({"body": "שלום מירב, אני בודק", "idempotency_key": "a-1"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    // The next message the customer sees is the reply, never the note.
    loop {
        let event = next_event(&mut customer_socket).await;
        if event["type"] == "message" && event["message"]["sender"]["kind"] != "customer" {
            assert_eq!(event["message"]["body"], "שלום מירב, אני בודק");
            break;
        }
    }
    let too_long = customer
        .post(
            &format!("/api/v1/widget/chats/{chat}/messages"),
            json!({"body": "א".repeat(4001), "idempotency_key": "m-3"}),
        )
        .await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(too_long.json["field"], "body");

    let seen = customer.get(&format!("/api/v1/widget/chats/{chat}")).await;
    let bodies: Vec<&str> = seen.json["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["body"].as_str())
        .collect();
    assert!(
        bodies.contains(&SCRIPT_HE) && bodies.contains(&SCRIPT_EN),
        "{bodies:?}"
    );
    assert!(
        !bodies.contains(&"לקוחה רגישה למחיר"),
        "no notes for the customer"
    );

    let ended = agent
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/interactions/{chat}/end"),
            None,
        )
        .await;
    assert_eq!(ended.status, StatusCode::NO_CONTENT, "{}", ended.text);
    event_of(&mut customer_socket, "chat_ended").await;
    let wrapped = agent
        .post(
            &format!("/api/v1/interactions/{chat}/wrap-up"),
            json!({"code": org.code.0}),
        )
        .await;
    assert_eq!(wrapped.status, StatusCode::NO_CONTENT, "{}", wrapped.text);
    let rated = customer
        .post(
            &format!("/api/v1/widget/chats/{chat}/rating"),
            json!({"score": 5, "comment": "שירות מעולה <3"}),
        )
        .await;
    assert_eq!(rated.status, StatusCode::NO_CONTENT, "{}", rated.text);
    let bad_score = customer
        .post(
            &format!("/api/v1/widget/chats/{chat}/rating"),
            json!({"score": 9}),
        )
        .await;
    assert_eq!(bad_score.json["field"], "score");

    let record = agent.get(&format!("/api/v1/interactions/{chat}")).await;
    assert_eq!(record.status, StatusCode::OK);
    let kinds: Vec<&str> = record.json["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["step"]["kind"].as_str())
        .collect();
    for kind in [
        "queued",
        "offered",
        "accepted",
        "ended",
        "wrapped_up",
        "rated",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    let messages = record.json["messages"].as_array().unwrap();
    assert_eq!(
        messages.iter().filter(|m| m["body"] == SCRIPT_HE).count(),
        1,
        "stored once"
    );
    assert!(
        messages.iter().any(|m| m["body"] == "לקוחה רגישה למחיר"),
        "staff see notes"
    );

    // No HTML page reflects user text: they are static.
    for page in [
        "/",
        "/login",
        "/desktop",
        "/wallboard",
        "/admin",
        "/demo-site",
    ] {
        let answer = agent.get(page).await;
        assert!(
            !answer.text.contains("alert('שלום')"),
            "{page} reflects user text"
        );
    }
}

async fn widget_is_rate_limited(backend: Backend) {
    let server = start(backend, |config| {
        config.rate_limits.widget_chats_per_minute = 2;
        config.rate_limits.widget_messages_per_minute = 3;
    })
    .await;
    seed_org(server.store.as_ref(), "acme", "אקמה").await;
    // Pages of other sites embed the widget: CORS preflights are answered.
    let preflight = reqwest::Client::new()
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/v1/widget/acme/chats", server.base),
        )
        .header("Origin", "https://shop.example")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
    assert!(
        preflight.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("authorization")
    );
    let anonymous = Client::anonymous(&server);
    let first = anonymous
        .post("/api/v1/widget/acme/chats", json!({"name": "אבי"}))
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    assert_eq!(first.headers["access-control-allow-origin"], "*");
    let second = anonymous
        .post("/api/v1/widget/acme/chats", json!({"name": "בתיה"}))
        .await;
    assert_eq!(second.status, StatusCode::CREATED);
    let third = anonymous
        .post("/api/v1/widget/acme/chats", json!({"name": "גיל"}))
        .await;
    assert_eq!(third.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(third.headers.contains_key("retry-after"));

    let chat = first.json["chat"].as_i64().unwrap();
    let customer = Client::with_bearer(&server, first.json["token"].as_str().unwrap());
    for n in 0..3 {
        let sent = customer
            .post(
                &format!("/api/v1/widget/chats/{chat}/messages"),
                json!({"body": format!("הודעה {n}"), "idempotency_key": format!("k{n}")}),
            )
            .await;
        assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text);
    }
    let limited = customer
        .post(
            &format!("/api/v1/widget/chats/{chat}/messages"),
            json!({"body": "עוד אחת", "idempotency_key": "k9"}),
        )
        .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);

    // The token opens its own chat only.
    let other = second.json["chat"].as_i64().unwrap();
    let crossed = customer.get(&format!("/api/v1/widget/chats/{other}")).await;
    assert_eq!(crossed.status, StatusCode::FORBIDDEN);
    let forged = Client::with_bearer(&server, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert_eq!(
        forged
            .get(&format!("/api/v1/widget/chats/{chat}"))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

both_backends! {
    staff_socket_refuses_other_sites => staff_socket_refuses_other_sites;
}

async fn staff_socket_refuses_other_sites(backend: Backend) {
    use tokio_tungstenite::tungstenite::Error;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let server = start(backend, |_| {}).await;
    seed_org(server.store.as_ref(), "acme", "אקמה").await;
    let agent = Client::login(&server, "acme", "agent").await;
    let url = format!("{}/api/v1/ws", server.base.replace("http://", "ws://"));
    let mut request = url.as_str().into_client_request().unwrap();
    let cookie = format!("moked_session={}", agent.session.as_ref().unwrap());
    request
        .headers_mut()
        .insert("Cookie", cookie.parse().unwrap());
    request
        .headers_mut()
        .insert("Origin", "https://evil.example".parse().unwrap());
    match tokio_tungstenite::connect_async(request).await {
        Err(Error::Http(response)) => assert_eq!(response.status(), StatusCode::FORBIDDEN),
        other => panic!(
            "a cross-site handshake was not refused: {:?}",
            other.map(|_| ())
        ),
    }
    let anonymous = tokio_tungstenite::connect_async(url.as_str()).await;
    match anonymous {
        Err(Error::Http(response)) => assert_eq!(response.status(), StatusCode::UNAUTHORIZED),
        other => panic!(
            "an anonymous handshake was not refused: {:?}",
            other.map(|_| ())
        ),
    }
}
