//! The HTTP API against the real server: login, logout and CSRF; admin
//! round trips with Hebrew names; problem answers naming the field; body
//! and message limits; rate limits; health, metrics and the OpenAPI
//! document.

mod common;

use common::{Backend, Client, PASSWORD, TestServer, seed_org, start};
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends! {
    login_logout_and_csrf => login_logout_and_csrf;
    admin_round_trips_in_hebrew => admin_round_trips_in_hebrew;
    sip_accounts_and_routes_are_managed_by_admins => sip_accounts_and_routes_are_managed_by_admins;
    bad_input_gets_problems_naming_the_field => bad_input_gets_problems_naming_the_field;
    login_is_rate_limited => login_is_rate_limited;
    forwarded_for_is_trusted_only_when_configured => forwarded_for_is_trusted_only_when_configured;
    health_metrics_and_openapi => health_metrics_and_openapi;
}

async fn server_with_org(backend: Backend) -> (TestServer, common::Org) {
    let server = start(backend, |_| {}).await;
    let org = seed_org(server.store.as_ref(), "acme", "אקמה בע\"מ").await;
    (server, org)
}

async fn login_logout_and_csrf(backend: Backend) {
    let (server, _org) = server_with_org(backend).await;
    let anonymous = Client::anonymous(&server);
    let wrong = anonymous
        .post(
            "/api/v1/login",
            json!({"org": "acme", "login": "admin", "password": "לא נכון"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.headers["content-type"], "application/problem+json");
    let unknown = anonymous
        .post(
            "/api/v1/login",
            json!({"org": "acme", "login": "nobody", "password": PASSWORD}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        unknown.json["detail"], wrong.json["detail"],
        "no user enumeration"
    );

    let raw = reqwest::Client::new()
        .post(format!("{}/api/v1/login", server.base))
        .json(&json!({"org": "acme", "login": "admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = raw.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("moked_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert!(!cookie.contains("Secure"), "no Secure without TLS");

    let mut admin = Client::login(&server, "acme", "admin").await;
    let session = admin.get("/api/v1/session").await;
    assert_eq!(session.status, StatusCode::OK);
    assert_eq!(session.json["user"]["display_name"], "מנהלת המערכת");
    assert_eq!(session.json["role"], "admin");
    assert_eq!(session.json["org"]["slug"], "acme");
    assert_eq!(session.json["csrf_token"].as_str(), admin.csrf.as_deref());

    // A write with the cookie but without the CSRF token is refused.
    let csrf = admin.csrf.take();
    let refused = admin
        .post("/api/v1/skills", json!({"name": "מכירות"}))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.json["field"], "X-CSRF-Token");
    admin.csrf = Some("a-forged-token".into());
    let forged = admin
        .post("/api/v1/skills", json!({"name": "מכירות"}))
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    admin.csrf = csrf;
    let created = admin
        .post("/api/v1/skills", json!({"name": "מכירות"}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);

    let lang = admin.put("/api/v1/me/lang", json!({"lang": "en"})).await;
    assert_eq!(lang.status, StatusCode::NO_CONTENT);
    assert_eq!(admin.get("/api/v1/session").await.json["lang"], "en");

    let out = admin.send(Method::POST, "/api/v1/logout", None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(
        admin.get("/api/v1/session").await.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn admin_round_trips_in_hebrew(backend: Backend) {
    let (server, org) = server_with_org(backend).await;
    let admin = Client::login(&server, "acme", "admin").await;

    let skill = admin
        .post("/api/v1/skills", json!({"name": "תמיכה טכנית"}))
        .await;
    assert_eq!(skill.status, StatusCode::CREATED);
    let skill_id = skill.json["id"].as_i64().unwrap();
    let renamed = admin
        .put(
            &format!("/api/v1/skills/{skill_id}"),
            json!({"name": "תמיכה טכנית מתקדמת"}),
        )
        .await;
    assert_eq!(renamed.json["name"], "תמיכה טכנית מתקדמת");
    let skills = admin.get("/api/v1/skills").await;
    assert!(
        skills
            .json
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "תמיכה טכנית מתקדמת")
    );

    let team = admin
        .post("/api/v1/teams", json!({"name": "צוות צפון"}))
        .await;
    assert_eq!(team.status, StatusCode::CREATED);
    let team_id = team.json["id"].as_i64().unwrap();
    let team = admin
        .put(
            &format!("/api/v1/teams/{team_id}"),
            json!({"name": "צוות דרום"}),
        )
        .await;
    assert_eq!(team.json["name"], "צוות דרום");
    assert_eq!(
        admin.get("/api/v1/teams").await.json[0]["name"],
        "צוות דרום"
    );

    let queue = admin
        .post(
            "/api/v1/queues",
            json!({"name": "שימור", "channel": "chat", "skill": skill_id, "service_level_seconds": 30, "priority": 2}),
        )
        .await;
    assert_eq!(queue.status, StatusCode::CREATED, "{}", queue.text);
    let queue_id = queue.json["id"].as_i64().unwrap();
    let queue = admin
        .put(
            &format!("/api/v1/queues/{queue_id}"),
            json!({"name": "שימור לקוחות", "channel": "chat", "auto_accept": true, "wrap_up_seconds": 30}),
        )
        .await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.text);
    let queue = admin.get(&format!("/api/v1/queues/{queue_id}")).await;
    assert_eq!(queue.json["name"], "שימור לקוחות");
    assert_eq!(queue.json["auto_accept"], true);
    assert_eq!(queue.json["wrap_up_seconds"], 30);

    let user = admin
        .post(
            "/api/v1/users",
            json!({"login": "yael", "display_name": "יעל כהן", "role": "agent", "team": team_id, "password": "סוד-ארוך-מאוד"}),
        )
        .await;
    assert_eq!(user.status, StatusCode::CREATED, "{}", user.text);
    assert!(user.json.get("password").is_none() && user.json.get("password_hash").is_none());
    let user_id = user.json["id"].as_i64().unwrap();
    let skills = admin
        .put(
            &format!("/api/v1/users/{user_id}/skills"),
            json!([{"skill": skill_id, "level": 7}, {"skill": org.skill.0, "level": 3}]),
        )
        .await;
    assert_eq!(skills.status, StatusCode::OK, "{}", skills.text);
    let skills = admin
        .put(
            &format!("/api/v1/users/{user_id}/skills"),
            json!([{"skill": skill_id, "level": 9}]),
        )
        .await;
    assert_eq!(
        skills.json,
        json!([{"skill": skill_id, "level": 9}]),
        "replaced, not merged"
    );
    let capacities = admin
        .put(
            &format!("/api/v1/users/{user_id}/capacities"),
            json!([{"channel": "chat", "max_concurrent": 4}]),
        )
        .await;
    assert_eq!(capacities.status, StatusCode::OK, "{}", capacities.text);
    let updated = admin
        .put(
            &format!("/api/v1/users/{user_id}"),
            json!({"display_name": "יעל לוי", "role": "supervisor", "lang": "en", "password": "סיסמה-חדשה-ארוכה"}),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.text);
    let read = admin.get(&format!("/api/v1/users/{user_id}")).await;
    assert_eq!(read.json["display_name"], "יעל לוי");
    assert_eq!(read.json["role"], "supervisor");
    assert_eq!(
        read.json["skills"],
        json!([{"skill": skill_id, "level": 9}])
    );
    assert_eq!(read.json["capacities"][0]["max_concurrent"], 4);
    let relogin = Client::anonymous(&server)
        .post(
            "/api/v1/login",
            json!({"org": "acme", "login": "yael", "password": "סיסמה-חדשה-ארוכה"}),
        )
        .await;
    assert_eq!(relogin.status, StatusCode::OK, "the new password works");

    let code = admin
        .post(
            "/api/v1/wrap-up-codes",
            json!({"code": "refund", "label": "החזר כספי"}),
        )
        .await;
    assert_eq!(code.status, StatusCode::CREATED);
    let code_id = code.json["id"].as_i64().unwrap();
    let code = admin
        .put(
            &format!("/api/v1/wrap-up-codes/{code_id}"),
            json!({"code": "refund", "label": "זיכוי"}),
        )
        .await;
    assert_eq!(code.json["label"], "זיכוי");

    let hours = admin
        .post(
            "/api/v1/business-hours",
            json!({"name": "שעות פעילות", "intervals": [{"weekday": 0, "opens_minute": 480, "closes_minute": 1200}]}),
        )
        .await;
    assert_eq!(hours.status, StatusCode::CREATED, "{}", hours.text);
    let hours_id = hours.json["id"].as_i64().unwrap();
    let hours = admin
        .put(
            &format!("/api/v1/business-hours/{hours_id}"),
            json!({"name": "שעות חורף", "time_zone": "Asia/Jerusalem", "intervals": [
                {"weekday": 5, "opens_minute": 480, "closes_minute": 780},
                {"weekday": 0, "opens_minute": 480, "closes_minute": 1200}]}),
        )
        .await;
    assert_eq!(hours.status, StatusCode::OK, "{}", hours.text);
    let hours = admin
        .get(&format!("/api/v1/business-hours/{hours_id}"))
        .await;
    assert_eq!(hours.json["name"], "שעות חורף");
    assert_eq!(hours.json["intervals"].as_array().unwrap().len(), 2);
    assert_eq!(
        admin
            .get("/api/v1/business-hours")
            .await
            .json
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let customer = admin
        .post(
            "/api/v1/customers",
            json!({"name": "משה לוי", "phones": ["050-123-4567"], "emails": ["Moshe@Example.co.il"], "israeli_id": "123456782", "tier": "vip", "notes": "לקוח ותיק"}),
        )
        .await;
    assert_eq!(customer.status, StatusCode::CREATED, "{}", customer.text);
    assert_eq!(customer.json["phones"][0], "+972501234567");
    let customer_id = customer.json["id"].as_i64().unwrap();
    let found = admin.get("/api/v1/customers?q=%D7%9E%D7%A9%D7%94").await;
    assert_eq!(found.status, StatusCode::OK);
    assert_eq!(found.json[0]["id"], customer_id, "found by a Hebrew name");
    let found = admin.get("/api/v1/customers?q=0501234567&limit=5").await;
    assert_eq!(
        found.json[0]["id"], customer_id,
        "found by a national phone form"
    );
    let changed = admin
        .put(
            &format!("/api/v1/customers/{customer_id}"),
            json!({"name": "משה לוי-כהן", "phones": ["+972501234567"], "tier": "premium"}),
        )
        .await;
    assert_eq!(changed.json["name"], "משה לוי-כהן");
    let history = admin
        .get(&format!("/api/v1/customers/{customer_id}/interactions"))
        .await;
    assert_eq!(history.status, StatusCode::OK);
    assert_eq!(history.json, json!([]));
}

async fn bad_input_gets_problems_naming_the_field(backend: Backend) {
    let (server, _org) = server_with_org(backend).await;
    let admin = Client::login(&server, "acme", "admin").await;
    let cases = [
        ("/api/v1/skills", json!({"nmae": "x"}), "nmae"),
        ("/api/v1/skills", json!({}), "name"),
        (
            "/api/v1/queues",
            json!({"name": "תור", "channel": "pigeon"}),
            "channel",
        ),
        (
            "/api/v1/customers",
            json!({"name": "דנה", "phones": ["050-1234567", "not a phone"]}),
            "phones[1]",
        ),
        (
            "/api/v1/customers",
            json!({"name": "דנה", "israeli_id": "123456789"}),
            "israeli_id",
        ),
        (
            "/api/v1/users",
            json!({"login": "x", "display_name": "x", "role": "agent", "password": "short"}),
            "password",
        ),
        (
            "/api/v1/users",
            json!({"login": "x", "display_name": "x", "role": "boss", "password": "long enough"}),
            "role",
        ),
    ];
    for (path, body, field) in cases {
        let answer = admin.post(path, body.clone()).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path} {body}: {}",
            answer.text
        );
        assert_eq!(answer.headers["content-type"], "application/problem+json");
        assert_eq!(
            answer.json["field"], field,
            "{path} {body}: {}",
            answer.text
        );
        assert_eq!(answer.json["status"], 422);
    }
    let not_json = admin
        .http
        .post(format!("{}/api/v1/skills", server.base))
        .header("X-CSRF-Token", admin.csrf.clone().unwrap())
        .header("Content-Type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let huge = admin
        .post("/api/v1/skills", json!({"name": "א".repeat(70 * 1024)}))
        .await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    let duplicate = admin
        .post("/api/v1/skills", json!({"name": "חיובים"}))
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    let missing = admin.get("/api/v1/queues/999999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let bad_id = admin.get("/api/v1/queues/abc").await;
    assert_eq!(bad_id.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_id.json["field"], "id");
    let bad_limit = admin.get("/api/v1/customers?limit=100000").await;
    assert_eq!(bad_limit.json["field"], "limit");
    let no_route = admin.get("/api/v1/nothing-here").await;
    assert_eq!(no_route.status, StatusCode::NOT_FOUND);
    assert_eq!(no_route.headers["content-type"], "application/problem+json");
}

async fn login_is_rate_limited(backend: Backend) {
    let server = start(backend, |config| {
        config.rate_limits.login_per_minute = 3;
        config.tls_terminated = true;
    })
    .await;
    seed_org(server.store.as_ref(), "acme", "אקמה").await;
    let client = Client::anonymous(&server);
    let attempt = json!({"org": "acme", "login": "admin", "password": "ניחוש"});
    for _ in 0..3 {
        assert_eq!(
            client.post("/api/v1/login", attempt.clone()).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = client.post("/api/v1/login", attempt).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        limited.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    assert_eq!(limited.json["status"], 429);
    let other_login = client
        .post(
            "/api/v1/login",
            json!({"org": "acme", "login": "agent", "password": PASSWORD}),
        )
        .await;
    assert_eq!(other_login.status, StatusCode::OK, "the limit is per login");
    let cookie = other_login.headers["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("; Secure"), "Secure behind TLS: {cookie}");
}

async fn chats_from(server: &TestServer, forwarded: &str) -> StatusCode {
    reqwest::Client::new()
        .post(format!("{}/api/v1/widget/acme/chats", server.base))
        .header("X-Forwarded-For", forwarded)
        .json(&json!({"name": "נועה"}))
        .send()
        .await
        .unwrap()
        .status()
}

async fn forwarded_for_is_trusted_only_when_configured(backend: Backend) {
    for trust in [false, true] {
        let server = start(backend, |config| {
            config.rate_limits.widget_chats_per_minute = 1;
            config.trust_proxy = trust;
        })
        .await;
        seed_org(server.store.as_ref(), "acme", "אקמה").await;
        assert_eq!(chats_from(&server, "10.0.0.1").await, StatusCode::CREATED);
        // A client-chosen first entry is ignored; the proxy's own (last) counts.
        let second = chats_from(&server, "10.9.9.9, 10.0.0.2").await;
        let expected = if trust {
            StatusCode::CREATED
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(second, expected, "trust_proxy = {trust}");
        assert_eq!(
            chats_from(&server, "10.7.7.7, 10.0.0.1").await,
            StatusCode::TOO_MANY_REQUESTS
        );
    }
}

async fn health_metrics_and_openapi(backend: Backend) {
    let (server, _org) = server_with_org(backend).await;
    let client = Client::anonymous(&server);
    let health = client.get("/healthz").await;
    assert_eq!(
        (health.status, health.text.as_str()),
        (StatusCode::OK, "ok")
    );
    client.get("/api/v1/queues").await;
    let metrics = client.get("/metrics").await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(
        metrics.text.contains(
            "moked_http_requests_total{route=\"/api/v1/queues\",method=\"GET\",status=\"401\"}"
        ),
        "{}",
        metrics.text
    );
    assert!(
        metrics
            .text
            .contains("moked_http_request_duration_seconds_bucket{route=\"/healthz\"")
    );
    assert!(
        metrics
            .text
            .contains("moked_websocket_connections{kind=\"staff\"}")
    );
    assert!(
        metrics.text.contains("moked_chats_waiting{org=\"acme\"} 0"),
        "{}",
        metrics.text
    );
    let document = client.get("/api/v1/openapi.json").await;
    assert_eq!(document.status, StatusCode::OK);
    assert_eq!(document.json["openapi"], "3.1.0");
    assert!(document.json["paths"]["/widget/{org}/chats"]["post"].is_object());
}

async fn sip_accounts_and_routes_are_managed_by_admins(backend: Backend) {
    let (server, org) = server_with_org(backend).await;
    let admin = Client::login(&server, "acme", "admin").await;
    let account =
        |username: &str, password: &str| json!({"username": username, "password": password});
    let path = format!("/api/v1/sip/accounts/{}", org.agent.0);

    let created = admin.put(&path, account("1001", "סיסמת-טלפון-1")).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text);
    assert_eq!(created.json["username"], "1001");
    assert_eq!(created.json["registered"], false);
    let listed = admin.get("/api/v1/sip/accounts").await;
    assert_eq!(listed.json.as_array().unwrap().len(), 1);
    assert!(
        !listed.text.contains("ha1") && !listed.text.contains("סיסמת"),
        "no secret is shown: {}",
        listed.text
    );
    let stored = server
        .store
        .sip_account_by_username("1001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.ha1, moked_sip::ha1("1001", "moked", "סיסמת-טלפון-1"));

    let short = admin.put(&path, account("1001", "קצרה")).await;
    assert_problem(&short, StatusCode::UNPROCESSABLE_ENTITY, "password");
    let bad_name = admin.put(&path, account("דנה לוי", "סיסמת-טלפון-1")).await;
    assert_problem(&bad_name, StatusCode::UNPROCESSABLE_ENTITY, "username");
    let taken = admin
        .put(
            &format!("/api/v1/sip/accounts/{}", org.supervisor.0),
            account("1001", "סיסמת-טלפון-2"),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.text);

    let voice = admin
        .post(
            "/api/v1/queues",
            json!({"name": "חיובים — טלפון", "channel": "voice"}),
        )
        .await;
    let voice = voice.json["id"].as_i64().unwrap();
    let routed = admin
        .put("/api/v1/sip/routes/billing", json!({"queue": voice}))
        .await;
    assert_eq!(routed.status, StatusCode::OK, "{}", routed.text);
    let chat_queue = admin
        .put("/api/v1/sip/routes/sales", json!({"queue": org.queue.0}))
        .await;
    assert_problem(&chat_queue, StatusCode::UNPROCESSABLE_ENTITY, "queue");
    let bad_address = admin
        .put("/api/v1/sip/routes/bil%20ling", json!({"queue": voice}))
        .await;
    assert_problem(&bad_address, StatusCode::UNPROCESSABLE_ENTITY, "address");
    let routes = admin.get("/api/v1/sip/routes").await;
    assert_eq!(routes.json, json!([{"address": "billing", "queue": voice}]));

    let removed = admin
        .send(Method::DELETE, "/api/v1/sip/routes/billing", None)
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    let again = admin
        .send(Method::DELETE, "/api/v1/sip/routes/billing", None)
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let removed = admin.send(Method::DELETE, &path, None).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    assert_eq!(admin.get("/api/v1/sip/accounts").await.json, json!([]));
    let supervisor = Client::login(&server, "acme", "supervisor").await;
    let refused = supervisor
        .put(&path, account("1002", "סיסמת-טלפון-3"))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

fn assert_problem(answer: &common::Answer, status: StatusCode, field: &str) {
    assert_eq!(answer.status, status, "{}", answer.text);
    assert_eq!(answer.json["field"], field, "{}", answer.text);
}
