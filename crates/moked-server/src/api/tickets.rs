//! Tickets over HTTP (the "Tickets" section of `docs/server.md`): list,
//! open, read, change, notes, attachments, escalation and hand-back,
//! merge, canned responses, and the admin's SLA policies and escalation
//! rules. Agents and above read and work tickets; supervisors edit canned
//! responses; admins configure SLAs. Every write goes through
//! [`TicketService`](crate::tickets::TicketService), which announces it.

use crate::api::agent::check_body;
use crate::api::{ApiPath, NoContent};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use moked_domain::Channel;
use moked_store::{
    Attachment, CannedResponse, CustomerId, EscalationRule, MAX_ATTACHMENT_BYTES, MAX_PAGE,
    MessageId, NewAttachment, NewCannedResponse, NewEscalationRule, NewSlaPolicy, NewTicket, Role,
    Sender, SlaPolicy, TeamId, Ticket, TicketChange, TicketId, TicketNumber, TicketPriority,
    TicketQuery, TicketStatus, TicketView, UserId,
};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;

/// Tickets per page when `limit` is not given.
const DEFAULT_PAGE: u32 = 50;

/// `Some(None)` for an explicit `null`, `None` for a missing field.
fn nullable<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::deserialize(deserializer).map(Some)
}

/// `GET /tickets` query.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    assignee: Option<String>,
    #[serde(default)]
    team: Option<String>,
    #[serde(default)]
    back_office_team: Option<String>,
    #[serde(default)]
    customer: Option<String>,
    #[serde(default)]
    limit: Option<String>,
    #[serde(default)]
    before: Option<String>,
}

fn id_param(field: &str, text: Option<&str>) -> ApiResult<Option<i64>> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => text
            .parse()
            .map(Some)
            .map_err(|_| ApiError::invalid(field, "must be a whole number")),
    }
}

fn statuses(text: Option<&str>) -> ApiResult<Vec<TicketStatus>> {
    text.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse()
                .map_err(|_| ApiError::invalid("status", format!("unknown status {s:?}")))
        })
        .collect()
}

/// `GET /tickets` answer.
#[derive(Debug, Serialize)]
pub struct TicketPage {
    tickets: Vec<TicketView>,
    next: Option<TicketId>,
}

/// `GET /tickets`.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> ApiResult<Json<TicketPage>> {
    caller.require(Role::Agent)?;
    let Query(q) = query.map_err(|rejection| ApiError::invalid("query", rejection.body_text()))?;
    let limit = id_param("limit", q.limit.as_deref())?.unwrap_or(i64::from(DEFAULT_PAGE));
    let limit = u32::try_from(limit)
        .ok()
        .filter(|l| (1..=MAX_PAGE).contains(l))
        .ok_or_else(|| ApiError::invalid("limit", format!("must be 1 to {MAX_PAGE}")))?;
    let assignee = match q.assignee.as_deref() {
        Some("me") => Some(caller.agent()?),
        other => id_param("assignee", other)?.map(UserId),
    };
    let query = TicketQuery {
        statuses: statuses(q.status.as_deref())?,
        assignee,
        team: id_param("team", q.team.as_deref())?.map(TeamId),
        back_office_team: id_param("back_office_team", q.back_office_team.as_deref())?.map(TeamId),
        customer: id_param("customer", q.customer.as_deref())?.map(CustomerId),
        before: id_param("before", q.before.as_deref())?.map(TicketId),
        limit,
        ..TicketQuery::default()
    };
    let tickets = state.store.tickets(caller.org, &query).await?;
    let next = (tickets.len() == limit as usize)
        .then(|| tickets.iter().map(|t| t.id).min())
        .flatten();
    let tickets = state.tickets.views(caller.org, &tickets).await?;
    Ok(Json(TicketPage { tickets, next }))
}

/// `POST /tickets` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    subject: String,
    #[serde(default)]
    priority: Option<TicketPriority>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    customer: Option<CustomerId>,
    #[serde(default)]
    assignee: Option<UserId>,
    #[serde(default)]
    team: Option<TeamId>,
    #[serde(default)]
    tags: Vec<String>,
}

/// `POST /tickets`.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<CreateBody>,
) -> ApiResult<(StatusCode, Json<TicketView>)> {
    caller.require(Role::Agent)?;
    let new = NewTicket {
        subject: body.subject,
        priority: body.priority.unwrap_or(TicketPriority::Normal),
        category: body.category.filter(|c| !c.trim().is_empty()),
        customer: body.customer,
        assignee: body.assignee,
        team: body.team,
        tags: body.tags,
    };
    let by = state.tickets.actor(caller.user);
    let ticket = state.tickets.create(caller.org, new, by).await?;
    let view = state.tickets.view(caller.org, &ticket).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// A person or the system in the history.
#[derive(Debug, Serialize)]
pub struct Actor {
    kind: &'static str,
    id: Option<UserId>,
    name: Option<String>,
}

/// One history row as the API shows it.
#[derive(Debug, Serialize)]
pub struct HistoryView {
    at: jiff::Timestamp,
    actor: Actor,
    field: String,
    old: Value,
    new: Value,
}

/// A link to an interaction.
#[derive(Debug, Serialize)]
pub struct LinkView {
    interaction: i64,
    channel: Channel,
    created_at: jiff::Timestamp,
}

/// A note with its author's name.
#[derive(Debug, Serialize)]
pub struct NoteView {
    id: i64,
    author: moked_store::Named<i64>,
    body: String,
    created_at: jiff::Timestamp,
}

/// An attachment's description.
#[derive(Debug, Serialize)]
pub struct AttachmentView {
    id: i64,
    file_name: String,
    content_type: String,
    size: u64,
    sha256: String,
}

impl From<Attachment> for AttachmentView {
    fn from(a: Attachment) -> AttachmentView {
        AttachmentView {
            id: a.id,
            file_name: a.file_name,
            content_type: a.content_type,
            size: a.size,
            sha256: a.sha256,
        }
    }
}

/// `GET /tickets/{id}` answer.
#[derive(Debug, Serialize)]
pub struct TicketDetail {
    ticket: TicketView,
    links: Vec<LinkView>,
    notes: Vec<NoteView>,
    attachments: Vec<AttachmentView>,
    history: Vec<HistoryView>,
}

async fn staff_names(state: &AppState, caller: &Caller) -> ApiResult<HashMap<UserId, String>> {
    let users = state.store.users(caller.org).await?;
    Ok(users.into_iter().map(|u| (u.id, u.display_name)).collect())
}

async fn detail(state: &AppState, caller: &Caller, ticket: Ticket) -> ApiResult<TicketDetail> {
    let org = caller.org;
    let names = staff_names(state, caller).await?;
    let name_of = |id: UserId| names.get(&id).cloned().unwrap_or_default();
    let mut links = Vec::new();
    for link in state.store.ticket_links(org, ticket.id).await? {
        let interaction = state.store.interaction(org, link.interaction).await?;
        links.push(LinkView {
            interaction: link.interaction.0,
            channel: interaction.channel,
            created_at: link.linked_at,
        });
    }
    let notes = state.store.ticket_notes(org, ticket.id).await?;
    let notes = notes
        .into_iter()
        .map(|n| NoteView {
            id: n.id,
            author: moked_store::Named {
                id: n.author.0,
                name: name_of(n.author),
            },
            body: n.body,
            created_at: n.created_at,
        })
        .collect();
    let attachments = state.store.attachments(org, ticket.id).await?;
    let history = state.store.ticket_history(org, ticket.id).await?;
    let history = history
        .into_iter()
        .map(|h| HistoryView {
            at: h.at,
            actor: Actor {
                kind: if h.actor.is_some() { "user" } else { "system" },
                id: h.actor,
                name: h.actor.map(name_of),
            },
            field: h.field,
            old: h.old,
            new: h.new,
        })
        .collect();
    Ok(TicketDetail {
        ticket: state.tickets.view(org, &ticket).await?,
        links,
        notes,
        attachments: attachments.into_iter().map(AttachmentView::from).collect(),
        history,
    })
}

/// `GET /tickets/{id}`.
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<TicketDetail>> {
    caller.require(Role::Agent)?;
    let ticket = state.store.ticket(caller.org, TicketId(id)).await?;
    Ok(Json(detail(&state, &caller, ticket).await?))
}

/// `GET /tickets/by-number/{n}`.
pub async fn by_number(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(number): ApiPath<u64>,
) -> ApiResult<Json<TicketDetail>> {
    caller.require(Role::Agent)?;
    let number = TicketNumber::new(number).map_err(|e| ApiError::invalid("id", e.to_string()))?;
    let ticket = state.store.ticket_by_number(caller.org, number).await?;
    Ok(Json(detail(&state, &caller, ticket).await?))
}

/// One message of the ticket's conversation.
#[derive(Debug, Serialize)]
pub struct ConversationMessage {
    id: i64,
    interaction: i64,
    channel: Channel,
    party: &'static str,
    author_name: Option<String>,
    body: String,
    at: jiff::Timestamp,
    email: Option<Value>,
}

/// `GET /tickets/{id}/messages`: every linked interaction's messages,
/// oldest first.
pub async fn messages(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<ConversationMessage>>> {
    caller.require(Role::Agent)?;
    let org = caller.org;
    state.store.ticket(org, TicketId(id)).await?;
    let names = staff_names(&state, &caller).await?;
    let mut emails = email_headers(&state, &caller, TicketId(id)).await?;
    let mut all = Vec::new();
    for link in state.store.ticket_links(org, TicketId(id)).await? {
        let channel = state
            .store
            .interaction(org, link.interaction)
            .await?
            .channel;
        for message in state.store.messages(org, link.interaction).await? {
            let (party, author) = match message.content.sender {
                Sender::Customer => ("customer", None),
                Sender::System => ("system", None),
                Sender::Agent(user) => ("agent", names.get(&user).cloned()),
                Sender::Note(user) => ("note", names.get(&user).cloned()),
            };
            all.push(ConversationMessage {
                id: message.id.0,
                interaction: link.interaction.0,
                channel,
                party,
                author_name: author,
                body: message.content.body,
                at: message.content.sent_at,
                email: emails.remove(&message.id),
            });
        }
    }
    all.sort_by_key(|m| (m.at, m.id));
    Ok(Json(all))
}

/// The email behind each message of a ticket that came or went by mail:
/// from, to, subject, Message-ID and attachment names (never the body,
/// which is the message's own text).
async fn email_headers(
    state: &AppState,
    caller: &Caller,
    ticket: TicketId,
) -> ApiResult<HashMap<MessageId, Value>> {
    let org = caller.org;
    let mut headers = HashMap::new();
    for email in state.store.ticket_emails(org, ticket).await? {
        let Some(message) = email.message else {
            continue;
        };
        let raw = state.store.email_raw(org, email.id).await?;
        let parsed = moked_mail::parse(&raw, moked_mail::ParseLimits::default());
        let attachments: Vec<String> = parsed
            .attachments
            .iter()
            .map(|a| a.file_name.clone().unwrap_or_default())
            .collect();
        let header = json!({
            "direction": "inbound",
            "from": email.from, "from_name": email.from_name, "to": email.to,
            "subject": email.subject, "message_id": email.message_id,
            "attachments": attachments, "flags": email.flags,
        });
        headers.insert(message, header);
    }
    for reply in state.store.ticket_outbound(org, ticket).await? {
        let Some(message) = reply.spec.message else {
            continue;
        };
        let header = json!({
            "direction": "outbound",
            "from": reply.spec.from.as_str(), "from_name": reply.spec.from_name,
            "to": [reply.spec.to.as_str()], "subject": reply.spec.subject,
            "message_id": reply.sent_message_id, "attachments": [], "flags": [],
            "sent_at": reply.sent_at,
        });
        headers.insert(message, header);
    }
    Ok(headers)
}

/// `PATCH /tickets/{id}` body: only the fields given change; `null`
/// clears the category, assignee or team.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchBody {
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    status: Option<TicketStatus>,
    #[serde(default)]
    priority: Option<TicketPriority>,
    #[serde(default, deserialize_with = "nullable")]
    category: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    assignee: Option<Option<UserId>>,
    #[serde(default, deserialize_with = "nullable")]
    team: Option<Option<TeamId>>,
    #[serde(default)]
    tags: Option<Vec<String>>,
}

impl PatchBody {
    fn changes(self) -> Vec<TicketChange> {
        let mut changes = Vec::new();
        changes.extend(self.subject.map(TicketChange::Subject));
        changes.extend(self.priority.map(TicketChange::Priority));
        changes.extend(self.category.map(TicketChange::Category));
        changes.extend(self.assignee.map(TicketChange::Assignee));
        changes.extend(self.team.map(TicketChange::Team));
        changes.extend(self.tags.map(TicketChange::Tags));
        // The status last, so a reassignment and a move come in that order.
        changes.extend(self.status.map(TicketChange::Status));
        changes
    }
}

/// `PATCH /tickets/{id}`.
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<PatchBody>,
) -> ApiResult<Json<TicketView>> {
    caller.require(Role::Agent)?;
    let by = state.tickets.actor(caller.user);
    let ticket = state
        .tickets
        .change(caller.org, TicketId(id), &body.changes(), by)
        .await?;
    Ok(Json(state.tickets.view(caller.org, &ticket).await?))
}

/// `{body}` of a note.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    body: String,
}

/// `POST /tickets/{id}/notes`.
pub async fn add_note(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(note): ApiJson<NoteBody>,
) -> ApiResult<(StatusCode, Json<NoteView>)> {
    let author = caller.agent()?;
    check_body(&note.body)?;
    let saved = state
        .tickets
        .note(caller.org, TicketId(id), &note.body, author)
        .await?;
    let names = staff_names(&state, &caller).await?;
    let view = NoteView {
        id: saved.id,
        author: moked_store::Named {
            id: author.0,
            name: names.get(&author).cloned().unwrap_or_default(),
        },
        body: saved.body,
        created_at: saved.created_at,
    };
    Ok((StatusCode::CREATED, Json(view)))
}

/// `?file_name=` of an upload.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    file_name: String,
}

/// Whether files of this type may be attached: images, PDF, text and
/// office documents (what customers and agents exchange), nothing a
/// browser would run.
fn allowed_type(content_type: &str) -> bool {
    const EXACT: [&str; 4] = [
        "application/pdf",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
    ];
    const PREFIXES: [&str; 4] = [
        "image/",
        "text/",
        "application/vnd.openxmlformats-officedocument.",
        "application/vnd.oasis.opendocument.",
    ];
    let risky = ["image/svg+xml", "text/html", "text/javascript"];
    !risky.contains(&content_type)
        && (EXACT.contains(&content_type) || PREFIXES.iter().any(|p| content_type.starts_with(p)))
}

/// `POST /tickets/{id}/attachments?file_name=`: the raw body is the file.
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    query: Result<Query<UploadQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<(StatusCode, Json<AttachmentView>)> {
    caller.require(Role::Agent)?;
    // Another organization's ticket is a 404 whatever the file.
    state.store.ticket(caller.org, TicketId(id)).await?;
    let Query(upload) = query.map_err(|r| ApiError::invalid("file_name", r.body_text()))?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if !allowed_type(&content_type) {
        let mut error = ApiError::invalid(
            "content_type",
            "images, PDF, text and office documents only",
        );
        error.status = StatusCode::UNSUPPORTED_MEDIA_TYPE;
        return Err(error);
    }
    let bytes = body.map_err(|_| too_large())?;
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(too_large());
    }
    let file = NewAttachment {
        file_name: upload.file_name,
        content_type,
        content: bytes.to_vec(),
    };
    let by = state.tickets.actor(caller.user);
    let saved = state
        .tickets
        .attach(caller.org, TicketId(id), &file, by)
        .await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

fn too_large() -> ApiError {
    let mut error = ApiError::invalid("body", "an attachment is at most 10 MiB");
    error.status = StatusCode::PAYLOAD_TOO_LARGE;
    error
}

/// `GET /tickets/{id}/attachments/{aid}`: the bytes, as a download.
pub async fn download(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, aid)): ApiPath<(i64, i64)>,
) -> ApiResult<Response> {
    caller.require(Role::Agent)?;
    let (attachment, content) = state.store.attachment_content(caller.org, aid).await?;
    if attachment.ticket != TicketId(id) {
        return Err(ApiError::not_found("attachment"));
    }
    let mut response = content.into_response();
    let headers = response.headers_mut();
    let content_type = HeaderValue::from_str(&attachment.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition(&attachment.file_name))
            .unwrap_or(HeaderValue::from_static("attachment")),
    );
    Ok(response)
}

/// `attachment; filename*=UTF-8''…` (RFC 6266), so Hebrew names survive.
fn disposition(file_name: &str) -> String {
    let encoded: String = file_name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect();
    format!("attachment; filename*=UTF-8''{encoded}")
}

/// `POST /tickets/{id}/escalate` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalateBody {
    team: TeamId,
    #[serde(default)]
    note: Option<String>,
}

/// `POST /tickets/{id}/escalate`.
pub async fn escalate(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<EscalateBody>,
) -> ApiResult<Json<TicketView>> {
    caller.require(Role::Agent)?;
    check_note(body.note.as_deref())?;
    let by = state.tickets.actor(caller.user);
    let ticket = state
        .tickets
        .escalate(
            caller.org,
            TicketId(id),
            body.team,
            body.note.as_deref(),
            by,
        )
        .await?;
    Ok(Json(state.tickets.view(caller.org, &ticket).await?))
}

/// `POST /tickets/{id}/hand-back` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandBackBody {
    #[serde(default)]
    note: Option<String>,
}

/// `POST /tickets/{id}/hand-back`.
pub async fn hand_back(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<HandBackBody>,
) -> ApiResult<Json<TicketView>> {
    caller.require(Role::Agent)?;
    check_note(body.note.as_deref())?;
    let by = state.tickets.actor(caller.user);
    let ticket = state
        .tickets
        .hand_back(caller.org, TicketId(id), body.note.as_deref(), by)
        .await?;
    Ok(Json(state.tickets.view(caller.org, &ticket).await?))
}

fn check_note(note: Option<&str>) -> ApiResult<()> {
    match note.filter(|n| !n.trim().is_empty()) {
        Some(note) => check_body(note).map_err(|e| ApiError::invalid("note", e.detail)),
        None => Ok(()),
    }
}

/// `POST /tickets/{id}/merge` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeBody {
    into: TicketId,
}

/// `POST /tickets/{id}/merge`: answers the target.
pub async fn merge(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<MergeBody>,
) -> ApiResult<Json<TicketView>> {
    caller.require(Role::Agent)?;
    let by = state.tickets.actor(caller.user);
    let target = state
        .tickets
        .merge(caller.org, TicketId(id), body.into, by)
        .await?;
    Ok(Json(state.tickets.view(caller.org, &target).await?))
}

/// A clash of names in the configuration is a 409 naming `name` (the one
/// unique value of canned responses, SLA policies and escalation rules).
fn name_clash(error: moked_store::StoreError) -> ApiError {
    match error {
        moked_store::StoreError::Conflict { entity, .. } => {
            let mut clash = ApiError::conflict(format!("a {entity} with this name already exists"));
            clash.field = Some("name".into());
            clash
        }
        other => other.into(),
    }
}

/// `GET /canned-responses?lang=` query.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CannedQuery {
    #[serde(default)]
    lang: Option<String>,
}

/// `GET /canned-responses`.
pub async fn list_canned(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<CannedQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<CannedResponse>>> {
    caller.require(Role::Agent)?;
    let Query(q) = query.map_err(|r| ApiError::invalid("lang", r.body_text()))?;
    let all = state.store.canned_responses(caller.org).await?;
    Ok(Json(
        all.into_iter()
            .filter(|c| q.lang.as_deref().is_none_or(|lang| c.spec.lang == lang))
            .collect(),
    ))
}

/// A canned response's placeholders, and the team and agent its macro
/// assigns to, which must be the organization's (another organization's
/// team is as unknown as a made-up one).
async fn check_canned(
    state: &AppState,
    caller: &Caller,
    spec: &NewCannedResponse,
) -> ApiResult<()> {
    moked_sla::check_template(&spec.body)
        .map(|_| ())
        .map_err(|error| ApiError::invalid("body", error.to_string()))?;
    if let Some(team) = spec.actions.team {
        let teams = state.store.teams(caller.org).await?;
        if !teams.iter().any(|t| t.id == team) {
            return Err(ApiError::invalid("actions.team", "no such team"));
        }
    }
    if let Some(agent) = spec.actions.assignee {
        state
            .store
            .user(caller.org, agent)
            .await
            .map_err(|_| ApiError::invalid("actions.assignee", "no such user"))?;
    }
    Ok(())
}

/// `POST /canned-responses`.
pub async fn create_canned(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(spec): ApiJson<NewCannedResponse>,
) -> ApiResult<(StatusCode, Json<CannedResponse>)> {
    caller.require(Role::Supervisor)?;
    check_canned(&state, &caller, &spec).await?;
    let saved = state
        .store
        .create_canned_response(caller.org, &spec)
        .await
        .map_err(name_clash)?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// `PUT /canned-responses/{id}`.
pub async fn update_canned(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(spec): ApiJson<NewCannedResponse>,
) -> ApiResult<Json<CannedResponse>> {
    caller.require(Role::Supervisor)?;
    check_canned(&state, &caller, &spec).await?;
    let saved = state
        .store
        .update_canned_response(caller.org, id, &spec)
        .await
        .map_err(name_clash)?;
    Ok(Json(saved))
}

/// `DELETE /canned-responses/{id}`.
pub async fn delete_canned(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<NoContent> {
    caller.require(Role::Supervisor)?;
    state.store.delete_canned_response(caller.org, id).await?;
    Ok(NoContent)
}

/// A rendered canned response.
#[derive(Debug, Serialize)]
pub struct Rendered {
    body: String,
}

/// `GET /tickets/{id}/canned-responses/{cid}`: the text with the ticket's
/// customer's first name, the caller's name and the ticket's number.
pub async fn render_canned(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, cid)): ApiPath<(i64, i64)>,
) -> ApiResult<Json<Rendered>> {
    caller.require(Role::Agent)?;
    let ticket = state.store.ticket(caller.org, TicketId(id)).await?;
    let canned = canned_by_id(&state, &caller, cid).await?;
    let body = render(&state, &caller, &ticket, &canned).await?;
    Ok(Json(Rendered { body }))
}

/// A macro used on a ticket: the text for the composer, and the ticket as
/// its actions left it.
#[derive(Debug, Serialize)]
pub struct Applied {
    body: String,
    ticket: TicketView,
}

/// `POST /tickets/{id}/canned-responses/{cid}/apply`: renders the text
/// and applies the macro's actions to the ticket (each change a history
/// row; the ticket is announced). The text is not sent: the agent reads
/// and sends it from the composer.
pub async fn apply_canned(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, cid)): ApiPath<(i64, i64)>,
) -> ApiResult<Json<Applied>> {
    let agent = caller.agent()?;
    let ticket = state.store.ticket(caller.org, TicketId(id)).await?;
    let canned = canned_by_id(&state, &caller, cid).await?;
    let body = render(&state, &caller, &ticket, &canned).await?;
    let ticket = state
        .tickets
        .apply_macro(caller.org, ticket.id, &canned.spec.actions, agent)
        .await?;
    let ticket = state.tickets.view(caller.org, &ticket).await?;
    Ok(Json(Applied { body, ticket }))
}

async fn canned_by_id(state: &AppState, caller: &Caller, id: i64) -> ApiResult<CannedResponse> {
    let all = state.store.canned_responses(caller.org).await?;
    all.into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| ApiError::not_found("canned response"))
}

/// A canned response's text with its placeholders filled for a ticket.
async fn render(
    state: &AppState,
    caller: &Caller,
    ticket: &Ticket,
    canned: &CannedResponse,
) -> ApiResult<String> {
    let org = caller.org;
    let customer_first_name = match ticket.customer {
        Some(customer) => {
            let name = state.store.customer(org, customer).await?.details.name;
            moked_sla::first_name(&name).map(str::to_owned)
        }
        None => None,
    };
    let agent_name = match caller.user {
        Some(user) => Some(state.store.user(org, user).await?.display_name),
        None => None,
    };
    let values = moked_sla::Values {
        customer_first_name,
        agent_name,
        ticket_number: Some(ticket.number),
    };
    moked_sla::render(&canned.spec.body, &values)
        .map_err(|error| ApiError::invalid("body", error.to_string()))
}

/// `GET /admin/sla-policies`.
pub async fn list_policies(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<SlaPolicy>>> {
    caller.require(Role::Admin)?;
    Ok(Json(state.store.sla_policies(caller.org).await?))
}

/// `POST /admin/sla-policies`.
pub async fn create_policy(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(spec): ApiJson<NewSlaPolicy>,
) -> ApiResult<(StatusCode, Json<SlaPolicy>)> {
    caller.require(Role::Admin)?;
    let saved = state
        .store
        .create_sla_policy(caller.org, &spec)
        .await
        .map_err(name_clash)?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// `PUT /admin/sla-policies/{id}`.
pub async fn update_policy(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(spec): ApiJson<NewSlaPolicy>,
) -> ApiResult<Json<SlaPolicy>> {
    caller.require(Role::Admin)?;
    let saved = state
        .store
        .update_sla_policy(caller.org, id, &spec)
        .await
        .map_err(name_clash)?;
    Ok(Json(saved))
}

/// `DELETE /admin/sla-policies/{id}`.
pub async fn delete_policy(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<NoContent> {
    caller.require(Role::Admin)?;
    state.store.delete_sla_policy(caller.org, id).await?;
    Ok(NoContent)
}

/// `GET /admin/escalation-rules`.
pub async fn list_rules(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<EscalationRule>>> {
    caller.require(Role::Admin)?;
    Ok(Json(state.store.escalation_rules(caller.org).await?))
}

async fn check_rule_team(state: &AppState, caller: &Caller, team: TeamId) -> ApiResult<()> {
    let teams = state.store.teams(caller.org).await?;
    if teams.iter().any(|t| t.id == team) {
        Ok(())
    } else {
        Err(ApiError::invalid("team", "no such team"))
    }
}

/// `POST /admin/escalation-rules`: the team must be the organization's.
pub async fn create_rule(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(spec): ApiJson<NewEscalationRule>,
) -> ApiResult<(StatusCode, Json<EscalationRule>)> {
    caller.require(Role::Admin)?;
    check_rule_team(&state, &caller, spec.team).await?;
    let saved = state
        .store
        .create_escalation_rule(caller.org, &spec)
        .await
        .map_err(name_clash)?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// `PUT /admin/escalation-rules/{id}`: the team must be the
/// organization's.
pub async fn update_rule(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(spec): ApiJson<NewEscalationRule>,
) -> ApiResult<Json<EscalationRule>> {
    caller.require(Role::Admin)?;
    check_rule_team(&state, &caller, spec.team).await?;
    let saved = state
        .store
        .update_escalation_rule(caller.org, id, &spec)
        .await
        .map_err(name_clash)?;
    Ok(Json(saved))
}

/// `DELETE /admin/escalation-rules/{id}`.
pub async fn delete_rule(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<NoContent> {
    caller.require(Role::Admin)?;
    state.store.delete_escalation_rule(caller.org, id).await?;
    Ok(NoContent)
}
