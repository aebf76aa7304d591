//! Configuration of an organization: queues, skills, teams, users with
//! their skills and capacities, wrap-up codes, business hours. Reading
//! needs a supervisor (queues and wrap-up codes: any agent, who transfers
//! to queues and picks codes); writing needs an admin. Every write that changes routing reloads the
//! organization's live center.

use crate::api::ApiPath;
use crate::api::session::check_lang;
use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use moked_domain::Channel;
use moked_store::{
    AgentCapacity, AgentSkill, BusinessHours, BusinessHoursId, NewBusinessHours, NewQueue, NewUser,
    NewWrapUpCode, Queue, QueueId, Role, Skill, SkillId, Team, TeamId, User, UserId, UserUpdate,
    WeeklyInterval, WrapUpCode, WrapUpCodeId,
};
use serde::{Deserialize, Serialize};

/// Passwords shorter than this are refused.
pub const MIN_PASSWORD_CHARS: usize = 8;

async fn reload(state: &AppState, caller: &Caller) -> ApiResult<()> {
    state.live.reload(caller.org).await.map_err(ApiError::from)
}

// ---- queues ----

fn default_service_level() -> u32 {
    20
}

fn default_wrap_up() -> u32 {
    60
}

/// A queue as written by `POST /queues` and `PUT /queues/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueRequest {
    name: String,
    #[serde(default = "default_channel")]
    channel: Channel,
    #[serde(default)]
    skill: Option<SkillId>,
    #[serde(default = "default_service_level")]
    service_level_seconds: u32,
    #[serde(default)]
    auto_accept: bool,
    #[serde(default)]
    business_hours: Option<BusinessHoursId>,
    #[serde(default)]
    priority: i32,
    #[serde(default = "default_wrap_up")]
    wrap_up_seconds: u32,
    #[serde(default)]
    offer_timeout_seconds: u32,
}

fn default_channel() -> Channel {
    Channel::Chat
}

impl QueueRequest {
    fn into_spec(self) -> NewQueue {
        NewQueue {
            name: self.name,
            channel: self.channel,
            skill: self.skill,
            service_level_seconds: self.service_level_seconds,
            auto_accept: self.auto_accept,
            business_hours: self.business_hours,
            priority: self.priority,
            wrap_up_seconds: self.wrap_up_seconds,
            offer_timeout_seconds: self.offer_timeout_seconds,
        }
    }
}

/// `GET /queues`: agents read them too, to transfer chats.
pub async fn list_queues(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<Queue>>> {
    caller.require(Role::Agent)?;
    Ok(Json(state.store.queues(caller.org).await?))
}

/// `GET /queues/{id}`.
pub async fn get_queue(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Queue>> {
    caller.require(Role::Agent)?;
    Ok(Json(state.store.queue(caller.org, QueueId(id)).await?))
}

/// `POST /queues`.
pub async fn create_queue(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<QueueRequest>,
) -> ApiResult<(StatusCode, Json<Queue>)> {
    caller.require(Role::Admin)?;
    let queue = state
        .store
        .create_queue(caller.org, &request.into_spec())
        .await?;
    reload(&state, &caller).await?;
    Ok((StatusCode::CREATED, Json(queue)))
}

/// `PUT /queues/{id}`.
pub async fn update_queue(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<QueueRequest>,
) -> ApiResult<Json<Queue>> {
    caller.require(Role::Admin)?;
    let queue = state
        .store
        .update_queue(caller.org, QueueId(id), &request.into_spec())
        .await?;
    reload(&state, &caller).await?;
    Ok(Json(queue))
}

// ---- skills and teams ----

/// `{name}`: a skill or team as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameRequest {
    name: String,
}

/// `GET /skills`.
pub async fn list_skills(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<Skill>>> {
    caller.require(Role::Supervisor)?;
    Ok(Json(state.store.skills(caller.org).await?))
}

/// `POST /skills`.
pub async fn create_skill(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<NameRequest>,
) -> ApiResult<(StatusCode, Json<Skill>)> {
    caller.require(Role::Admin)?;
    let skill = state.store.create_skill(caller.org, &request.name).await?;
    Ok((StatusCode::CREATED, Json(skill)))
}

/// `PUT /skills/{id}`.
pub async fn rename_skill(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<NameRequest>,
) -> ApiResult<Json<Skill>> {
    caller.require(Role::Admin)?;
    let skill = state
        .store
        .rename_skill(caller.org, SkillId(id), &request.name)
        .await?;
    Ok(Json(skill))
}

/// `GET /teams`: agents read them too, to escalate tickets to a back-office
/// team and to find their own team's tickets.
pub async fn list_teams(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<Team>>> {
    caller.require(Role::Agent)?;
    Ok(Json(state.store.teams(caller.org).await?))
}

/// `POST /teams`.
pub async fn create_team(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<NameRequest>,
) -> ApiResult<(StatusCode, Json<Team>)> {
    caller.require(Role::Admin)?;
    let team = state.store.create_team(caller.org, &request.name).await?;
    Ok((StatusCode::CREATED, Json(team)))
}

/// `PUT /teams/{id}`.
pub async fn rename_team(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<NameRequest>,
) -> ApiResult<Json<Team>> {
    caller.require(Role::Admin)?;
    let team = state
        .store
        .rename_team(caller.org, TeamId(id), &request.name)
        .await?;
    Ok(Json(team))
}

// ---- users ----

/// A user as the API shows it: never the password hash.
#[derive(Debug, Serialize)]
pub struct UserView {
    id: UserId,
    login: String,
    display_name: String,
    role: Role,
    team: Option<TeamId>,
    lang: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    skills: Option<Vec<AgentSkill>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    capacities: Option<Vec<AgentCapacity>>,
}

impl From<User> for UserView {
    fn from(user: User) -> UserView {
        UserView {
            id: user.id,
            login: user.login,
            display_name: user.display_name,
            role: user.role,
            team: user.team,
            lang: user.lang,
            skills: None,
            capacities: None,
        }
    }
}

fn default_lang() -> String {
    "he".to_owned()
}

/// `POST /users` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    login: String,
    display_name: String,
    role: Role,
    #[serde(default)]
    team: Option<TeamId>,
    #[serde(default = "default_lang")]
    lang: String,
    password: String,
}

/// `PUT /users/{id}` body (the login cannot change; a missing password
/// keeps the current one).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserUpdateRequest {
    display_name: String,
    role: Role,
    #[serde(default)]
    team: Option<TeamId>,
    #[serde(default = "default_lang")]
    lang: String,
    #[serde(default)]
    password: Option<String>,
}

/// Checks a new password and hashes it off the async workers.
pub async fn hash_new_password(password: String) -> ApiResult<String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ApiError::invalid(
            "password",
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|error| ApiError::internal(&error))
}

/// `GET /users`.
pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<UserView>>> {
    caller.require(Role::Supervisor)?;
    let users = state.store.users(caller.org).await?;
    Ok(Json(users.into_iter().map(UserView::from).collect()))
}

/// `GET /users/{id}`: with the agent's skills and capacities.
pub async fn get_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<UserView>> {
    caller.require(Role::Supervisor)?;
    let id = UserId(id);
    let mut view = UserView::from(state.store.user(caller.org, id).await?);
    view.skills = Some(state.store.agent_skills(caller.org, id).await?);
    view.capacities = Some(state.store.agent_capacities(caller.org, id).await?);
    Ok(Json(view))
}

/// `POST /users`.
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<NewUserRequest>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    caller.require(Role::Admin)?;
    check_lang("lang", &request.lang)?;
    let password_hash = hash_new_password(request.password).await?;
    let new = NewUser {
        login: request.login,
        display_name: request.display_name,
        role: request.role,
        password_hash,
        team: request.team,
        lang: request.lang,
    };
    let user = state.store.create_user(caller.org, &new).await?;
    reload(&state, &caller).await?;
    Ok((StatusCode::CREATED, Json(UserView::from(user))))
}

/// `PUT /users/{id}`.
pub async fn update_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<UserUpdateRequest>,
) -> ApiResult<Json<UserView>> {
    caller.require(Role::Admin)?;
    check_lang("lang", &request.lang)?;
    let password_hash = match request.password {
        Some(password) => Some(hash_new_password(password).await?),
        None => None,
    };
    let update = UserUpdate {
        display_name: request.display_name,
        role: request.role,
        team: request.team,
        lang: request.lang,
        password_hash,
    };
    let user = state
        .store
        .update_user(caller.org, UserId(id), &update)
        .await?;
    reload(&state, &caller).await?;
    Ok(Json(UserView::from(user)))
}

/// One entry of `PUT /users/{id}/skills`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkillLevel {
    skill: SkillId,
    level: u8,
}

/// `PUT /users/{id}/skills`: the agent's skills become exactly these.
pub async fn set_user_skills(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<Vec<SkillLevel>>,
) -> ApiResult<Json<Vec<AgentSkill>>> {
    caller.require(Role::Admin)?;
    let agent = UserId(id);
    // Answers 404 for another organization's user before anything changes.
    state.store.user(caller.org, agent).await?;
    let current = state.store.agent_skills(caller.org, agent).await?;
    for old in current
        .iter()
        .filter(|old| request.iter().all(|new| new.skill != old.skill))
    {
        state
            .store
            .remove_agent_skill(caller.org, agent, old.skill)
            .await?;
    }
    for new in &request {
        let skill = AgentSkill {
            skill: new.skill,
            level: new.level,
        };
        state
            .store
            .set_agent_skill(caller.org, agent, skill)
            .await?;
    }
    reload(&state, &caller).await?;
    Ok(Json(state.store.agent_skills(caller.org, agent).await?))
}

/// One entry of `PUT /users/{id}/capacities`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapacityRequest {
    channel: Channel,
    max_concurrent: u16,
}

/// `PUT /users/{id}/capacities`: channels listed get these limits,
/// channels not listed drop to 0 (the agent does not take them).
pub async fn set_user_capacities(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<Vec<CapacityRequest>>,
) -> ApiResult<Json<Vec<AgentCapacity>>> {
    caller.require(Role::Admin)?;
    let agent = UserId(id);
    // Answers 404 for another organization's user before anything changes.
    state.store.user(caller.org, agent).await?;
    let current = state.store.agent_capacities(caller.org, agent).await?;
    for old in current
        .iter()
        .filter(|old| request.iter().all(|new| new.channel != old.channel))
    {
        let zero = AgentCapacity {
            channel: old.channel,
            max_concurrent: 0,
        };
        state
            .store
            .set_agent_capacity(caller.org, agent, zero)
            .await?;
    }
    for new in &request {
        let capacity = AgentCapacity {
            channel: new.channel,
            max_concurrent: new.max_concurrent,
        };
        state
            .store
            .set_agent_capacity(caller.org, agent, capacity)
            .await?;
    }
    reload(&state, &caller).await?;
    Ok(Json(state.store.agent_capacities(caller.org, agent).await?))
}

// ---- wrap-up codes ----

/// `{code, label}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WrapUpCodeRequest {
    code: String,
    label: String,
}

impl WrapUpCodeRequest {
    fn into_spec(self) -> NewWrapUpCode {
        NewWrapUpCode {
            code: self.code,
            label: self.label,
        }
    }
}

/// `GET /wrap-up-codes`: agents pick from them.
pub async fn list_wrap_up_codes(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<WrapUpCode>>> {
    caller.require(Role::Agent)?;
    Ok(Json(state.store.wrap_up_codes(caller.org).await?))
}

/// `POST /wrap-up-codes`.
pub async fn create_wrap_up_code(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<WrapUpCodeRequest>,
) -> ApiResult<(StatusCode, Json<WrapUpCode>)> {
    caller.require(Role::Admin)?;
    let code = state
        .store
        .create_wrap_up_code(caller.org, &request.into_spec())
        .await?;
    Ok((StatusCode::CREATED, Json(code)))
}

/// `PUT /wrap-up-codes/{id}`.
pub async fn update_wrap_up_code(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<WrapUpCodeRequest>,
) -> ApiResult<Json<WrapUpCode>> {
    caller.require(Role::Admin)?;
    let code = state
        .store
        .update_wrap_up_code(caller.org, WrapUpCodeId(id), &request.into_spec())
        .await?;
    Ok(Json(code))
}

// ---- business hours ----

/// One weekly interval as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntervalRequest {
    weekday: u8,
    opens_minute: u16,
    closes_minute: u16,
}

/// A business-hours schedule as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessHoursRequest {
    name: String,
    #[serde(default = "default_zone")]
    time_zone: String,
    intervals: Vec<IntervalRequest>,
}

fn default_zone() -> String {
    "Asia/Jerusalem".to_owned()
}

impl BusinessHoursRequest {
    fn into_spec(self) -> NewBusinessHours {
        NewBusinessHours {
            name: self.name,
            time_zone: self.time_zone,
            intervals: self
                .intervals
                .into_iter()
                .map(|i| WeeklyInterval {
                    weekday: i.weekday,
                    opens_minute: i.opens_minute,
                    closes_minute: i.closes_minute,
                })
                .collect(),
        }
    }
}

/// `GET /business-hours`.
pub async fn list_business_hours(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<BusinessHours>>> {
    caller.require(Role::Supervisor)?;
    Ok(Json(state.store.business_hours_list(caller.org).await?))
}

/// `GET /business-hours/{id}`.
pub async fn get_business_hours(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<BusinessHours>> {
    caller.require(Role::Supervisor)?;
    let hours = state
        .store
        .business_hours(caller.org, BusinessHoursId(id))
        .await?;
    Ok(Json(hours))
}

/// `POST /business-hours`.
pub async fn create_business_hours(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<BusinessHoursRequest>,
) -> ApiResult<(StatusCode, Json<BusinessHours>)> {
    caller.require(Role::Admin)?;
    let hours = state
        .store
        .create_business_hours(caller.org, &request.into_spec())
        .await?;
    Ok((StatusCode::CREATED, Json(hours)))
}

/// `PUT /business-hours/{id}`.
pub async fn update_business_hours(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<BusinessHoursRequest>,
) -> ApiResult<Json<BusinessHours>> {
    caller.require(Role::Admin)?;
    let hours = state
        .store
        .update_business_hours(caller.org, BusinessHoursId(id), &request.into_spec())
        .await?;
    reload(&state, &caller).await?;
    Ok(Json(hours))
}
