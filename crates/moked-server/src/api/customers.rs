//! Customers (search, create, edit, their interactions on every channel)
//! and one interaction with its timeline and messages: the agent's
//! customer-360 panel. Any staff member may use them.
//!
//! - Agents see a customer's Israeli ID number masked (`*****6789`);
//!   supervisors and admins see it whole. A masked number sent back
//!   unchanged in `PUT /customers/{id}` keeps the stored one, so an agent
//!   can save notes without knowing the number.
//! - Agents may not read the users list, so interactions carry the names
//!   of the staff in them: `sender_name` on each staff message and
//!   `agents: [{id, name}]` for every agent the timeline or messages name.

use crate::api::ApiPath;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use moked_domain::{EmailAddress, IsraeliId, PhoneE164};
use moked_store::{
    ChatMessage, Customer, CustomerId, CustomerQuery, CustomerTier, Interaction, InteractionId,
    MAX_PAGE, NewCustomer, OrgId, Role, Sender, TimelineStep, UserId,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// Page size when `limit` is not given.
pub const DEFAULT_PAGE: u32 = 50;

/// `GET /customers` query.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerSearch {
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    limit: Option<String>,
    #[serde(default)]
    after: Option<String>,
}

fn parse_number<T: std::str::FromStr>(field: &str, text: Option<&str>) -> ApiResult<Option<T>> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => text
            .parse()
            .map(Some)
            .map_err(|_| ApiError::invalid(field, "must be a whole number")),
    }
}

/// `GET /customers?q=&limit=&after=`.
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<CustomerSearch>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Vec<CustomerView>>> {
    caller.require(Role::Agent)?;
    let Query(search) =
        query.map_err(|rejection| ApiError::invalid("query", rejection.body_text()))?;
    let limit = parse_number::<u32>("limit", search.limit.as_deref())?.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            format!("must be 1 to {MAX_PAGE}"),
        ));
    }
    let after = parse_number::<i64>("after", search.after.as_deref())?.map(CustomerId);
    let text = search.q.filter(|q| !q.trim().is_empty());
    let query = CustomerQuery { text, after, limit };
    let found = state.store.customers(caller.org, &query).await?;
    Ok(Json(
        found
            .into_iter()
            .map(|customer| CustomerView::for_caller(customer, &caller))
            .collect(),
    ))
}

fn default_tier() -> CustomerTier {
    CustomerTier::Standard
}

/// A customer as written: phones in any Israeli or E.164 form (stored
/// normalized), emails, an Israeli ID checked by its check digit.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerRequest {
    name: String,
    #[serde(default)]
    phones: Vec<PhoneE164>,
    #[serde(default)]
    emails: Vec<EmailAddress>,
    /// Checked in [`CustomerRequest::into_details`]: a masked number may
    /// stand for the stored one.
    #[serde(default)]
    israeli_id: Option<String>,
    #[serde(default = "default_tier")]
    tier: CustomerTier,
    #[serde(default)]
    notes: String,
}

impl CustomerRequest {
    /// The details to store; `stored`: the customer's current ID number,
    /// which a matching masked number keeps.
    fn into_details(self, stored: Option<&IsraeliId>) -> ApiResult<NewCustomer> {
        let israeli_id = match self.israeli_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(masked) if masked.contains('*') => match stored {
                Some(id) if id.masked() == masked => Some(id.clone()),
                _ => {
                    return Err(ApiError::invalid(
                        "israeli_id",
                        "a masked number must be the stored one as shown; give the full number to change it",
                    ));
                }
            },
            Some(full) => Some(
                IsraeliId::parse(full)
                    .map_err(|error| ApiError::invalid("israeli_id", error.to_string()))?,
            ),
        };
        Ok(NewCustomer {
            name: self.name,
            phones: self.phones,
            emails: self.emails,
            israeli_id,
            tier: self.tier,
            notes: self.notes,
        })
    }
}

/// A customer as a caller may see it: the ID number masked for agents.
#[derive(Debug, Serialize)]
pub struct CustomerView {
    id: CustomerId,
    name: String,
    phones: Vec<PhoneE164>,
    emails: Vec<EmailAddress>,
    israeli_id: Option<String>,
    tier: CustomerTier,
    notes: String,
}

impl CustomerView {
    /// Supervisors and admins see the full ID number; agents its last
    /// four digits.
    pub fn for_caller(customer: Customer, caller: &Caller) -> CustomerView {
        let full = caller.require(Role::Supervisor).is_ok();
        let details = customer.details;
        CustomerView {
            id: customer.id,
            name: details.name,
            phones: details.phones,
            emails: details.emails,
            israeli_id: details
                .israeli_id
                .map(|id| if full { id.to_string() } else { id.masked() }),
            tier: details.tier,
            notes: details.notes,
        }
    }
}

/// `POST /customers`.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<CustomerRequest>,
) -> ApiResult<(StatusCode, Json<CustomerView>)> {
    caller.require(Role::Agent)?;
    let customer = state
        .store
        .create_customer(caller.org, &request.into_details(None)?)
        .await?;
    state.search.customer_changed(caller.org, customer.id);
    Ok((
        StatusCode::CREATED,
        Json(CustomerView::for_caller(customer, &caller)),
    ))
}

/// `GET /customers/{id}`.
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<CustomerView>> {
    caller.require(Role::Agent)?;
    let customer = state.store.customer(caller.org, CustomerId(id)).await?;
    Ok(Json(CustomerView::for_caller(customer, &caller)))
}

/// `PUT /customers/{id}`.
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<CustomerRequest>,
) -> ApiResult<Json<CustomerView>> {
    caller.require(Role::Agent)?;
    let id = CustomerId(id);
    let stored = state.store.customer(caller.org, id).await?;
    let details = request.into_details(stored.details.israeli_id.as_ref())?;
    let customer = state
        .store
        .update_customer(caller.org, id, &details)
        .await?;
    state.search.customer_changed(caller.org, id);
    Ok(Json(CustomerView::for_caller(customer, &caller)))
}

/// `GET /customers/{id}/interactions`: every channel, oldest first.
pub async fn interactions(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<HistoryItem>>> {
    caller.require(Role::Agent)?;
    let id = CustomerId(id);
    state.store.customer(caller.org, id).await?;
    let list = state.store.customer_interactions(caller.org, id).await?;
    let names = staff_names(&state, caller.org).await?;
    Ok(Json(
        list.into_iter()
            .map(|interaction| HistoryItem {
                agents: named(timeline_staff(&interaction), &names),
                interaction,
            })
            .collect(),
    ))
}

/// An interaction in a customer's history, with the names of its agents.
#[derive(Debug, Serialize)]
pub struct HistoryItem {
    #[serde(flatten)]
    interaction: Interaction,
    agents: Vec<StaffName>,
}

/// A staff member named in an interaction.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct StaffName {
    id: UserId,
    name: String,
}

/// A message with its writer's name when staff wrote it.
#[derive(Debug, Serialize)]
pub struct MessageView {
    #[serde(flatten)]
    message: ChatMessage,
    #[serde(skip_serializing_if = "Option::is_none")]
    sender_name: Option<String>,
}

/// An interaction with everything said in it (internal notes included).
#[derive(Debug, Serialize)]
pub struct InteractionView {
    #[serde(flatten)]
    interaction: Interaction,
    messages: Vec<MessageView>,
    agents: Vec<StaffName>,
    /// The ticket the conversation belongs to, if any.
    ticket: Option<TicketRef>,
}

/// A ticket named by id and number.
#[derive(Debug, Serialize)]
pub struct TicketRef {
    id: moked_store::TicketId,
    number: moked_store::TicketNumber,
}

/// The first ticket an interaction is linked to (a merge links it to the
/// target too; the first is the one it was opened for).
async fn ticket_of(
    state: &AppState,
    org: OrgId,
    id: InteractionId,
) -> ApiResult<Option<TicketRef>> {
    let Some(&ticket) = state.store.interaction_tickets(org, id).await?.first() else {
        return Ok(None);
    };
    let number = state.store.ticket(org, ticket).await?.number;
    Ok(Some(TicketRef { id: ticket, number }))
}

/// Every user's display name in the organization (a few hundred at most).
async fn staff_names(state: &AppState, org: OrgId) -> ApiResult<HashMap<UserId, String>> {
    let users = state.store.users(org).await?;
    Ok(users
        .into_iter()
        .map(|user| (user.id, user.display_name))
        .collect())
}

/// The staff an interaction's timeline names.
fn timeline_staff(interaction: &Interaction) -> BTreeSet<UserId> {
    interaction
        .timeline
        .iter()
        .filter_map(|entry| match entry.step {
            TimelineStep::Offered { agent }
            | TimelineStep::Accepted { agent }
            | TimelineStep::WrappedUp { agent, .. } => Some(agent),
            TimelineStep::Transferred { to_agent, .. } => to_agent,
            TimelineStep::Queued { .. } | TimelineStep::Ended | TimelineStep::Rated { .. } => None,
        })
        .collect()
}

fn staff_sender(message: &ChatMessage) -> Option<UserId> {
    match message.content.sender {
        Sender::Agent(user) | Sender::Note(user) => Some(user),
        Sender::Customer | Sender::System => None,
    }
}

/// Ids with their names, in id order; a deleted user is left out.
fn named(ids: BTreeSet<UserId>, names: &HashMap<UserId, String>) -> Vec<StaffName> {
    ids.into_iter()
        .filter_map(|id| {
            names.get(&id).map(|name| StaffName {
                id,
                name: name.clone(),
            })
        })
        .collect()
}

/// `GET /interactions/{id}`.
pub async fn interaction(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<InteractionView>> {
    caller.require(Role::Agent)?;
    let id = InteractionId(id);
    let interaction = state.store.interaction(caller.org, id).await?;
    let messages = state.store.messages(caller.org, id).await?;
    let names = staff_names(&state, caller.org).await?;
    let mut staff = timeline_staff(&interaction);
    staff.extend(messages.iter().filter_map(staff_sender));
    let messages = messages
        .into_iter()
        .map(|message| MessageView {
            sender_name: staff_sender(&message).and_then(|user| names.get(&user).cloned()),
            message,
        })
        .collect();
    Ok(Json(InteractionView {
        agents: named(staff, &names),
        ticket: ticket_of(&state, caller.org, id).await?,
        interaction,
        messages,
    }))
}
