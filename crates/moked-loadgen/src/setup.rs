//! Prepares the organization through the admin API (bearer token): a skill
//! and a chat queue for the load, and the agents with that skill and enough
//! chat capacity that every chat can be offered at once. Existing records
//! of an earlier run are reused, so a rerun against the same server works.

use crate::api::{Api, ApiError, Credentials, id_of, text_of};
use reqwest::Method;
use serde_json::{Value, json};

/// The skill and queue the load runs in.
pub const LOAD_NAME: &str = "עומס";

/// What the run uses.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The load queue's id.
    pub queue: i64,
    /// Agents' logins, in order.
    pub logins: Vec<String>,
    /// The wrap-up code agents close chats with.
    pub wrap_up_code: i64,
}

/// What to prepare.
#[derive(Debug, Clone)]
pub struct Plan<'a> {
    /// Admin bearer token.
    pub token: &'a str,
    /// Agents to have.
    pub agents: usize,
    /// Their login prefix (`load` gives `load0001`, …).
    pub prefix: &'a str,
    /// Their password.
    pub password: &'a str,
    /// Chats each may hold at once.
    pub chat_capacity: u32,
}

/// Finds or creates the skill, the queue and the agents.
pub async fn prepare(api: &Api, plan: &Plan<'_>) -> Result<Prepared, ApiError> {
    let admin = Credentials::Bearer(plan.token.to_owned());
    let skill =
        find_or_create(api, &admin, "/skills", "name", json!({ "name": LOAD_NAME })).await?;
    let queue_spec = json!({
        "name": LOAD_NAME,
        "channel": "chat",
        "skill": skill,
        "service_level_seconds": 20,
        "auto_accept": false,
        "business_hours": null,
        "priority": 0,
        "wrap_up_seconds": 0,
        "offer_timeout_seconds": 0,
    });
    let queue = find_or_create(api, &admin, "/queues", "name", queue_spec).await?;
    let code_spec = json!({ "code": "load-done", "label": "סיום בדיקת עומס" });
    let wrap_up_code = find_or_create(api, &admin, "/wrap-up-codes", "code", code_spec).await?;
    let existing = api.call(Method::GET, "/users", &admin, None::<&()>).await?;
    let mut logins = Vec::with_capacity(plan.agents);
    for index in 1..=plan.agents {
        let login = format!("{}{index:04}", plan.prefix);
        let user = agent(api, &admin, &existing, &login, plan).await?;
        let skills = json!([{ "skill": skill, "level": 5 }]);
        let path = format!("/users/{user}/skills");
        api.call(Method::PUT, &path, &admin, Some(&skills)).await?;
        let capacities = json!([{ "channel": "chat", "max_concurrent": plan.chat_capacity }]);
        let path = format!("/users/{user}/capacities");
        api.call(Method::PUT, &path, &admin, Some(&capacities))
            .await?;
        logins.push(login);
    }
    Ok(Prepared {
        queue,
        logins,
        wrap_up_code,
    })
}

/// The id of the record of `collection` whose `key` field equals the
/// spec's, created from `spec` when there is none.
async fn find_or_create(
    api: &Api,
    admin: &Credentials,
    collection: &str,
    key: &str,
    spec: Value,
) -> Result<i64, ApiError> {
    let list = api
        .call(Method::GET, collection, admin, None::<&()>)
        .await?;
    if let Some(found) = as_list(&list)
        .iter()
        .find(|record| record[key] == spec[key])
    {
        return id_of(found, "id");
    }
    let created = api
        .call(Method::POST, collection, admin, Some(&spec))
        .await?;
    id_of(&created, "id")
}

/// A list answer: a bare array, or an object with one array field.
fn as_list(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.clone(),
        Value::Object(fields) => fields
            .values()
            .find_map(|field| field.as_array().cloned())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The agent's id: created, or the existing one given this run's password.
async fn agent(
    api: &Api,
    admin: &Credentials,
    existing: &Value,
    login: &str,
    plan: &Plan<'_>,
) -> Result<i64, ApiError> {
    let spec = json!({
        "login": login,
        "display_name": format!("סוכן עומס {login}"),
        "role": "agent",
        "team": null,
        "lang": "he",
        "password": plan.password,
    });
    let found = as_list(existing)
        .into_iter()
        .find(|user| text_of(user, "login").is_ok_and(|name| name == login));
    match found {
        Some(user) => {
            let id = id_of(&user, "id")?;
            let mut update = spec;
            if let Some(fields) = update.as_object_mut() {
                fields.remove("login");
            }
            api.call(Method::PUT, &format!("/users/{id}"), admin, Some(&update))
                .await?;
            Ok(id)
        }
        None => {
            let created = api.call(Method::POST, "/users", admin, Some(&spec)).await?;
            id_of(&created, "id")
        }
    }
}
