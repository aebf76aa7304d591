//! Customers (search, create, edit, their interactions on every channel)
//! and one interaction with its timeline and messages: the agent's
//! customer-360 panel. Any staff member may use them.

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
    MAX_PAGE, NewCustomer, Role,
};
use serde::{Deserialize, Serialize};

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
) -> ApiResult<Json<Vec<Customer>>> {
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
    Ok(Json(state.store.customers(caller.org, &query).await?))
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
    #[serde(default)]
    israeli_id: Option<IsraeliId>,
    #[serde(default = "default_tier")]
    tier: CustomerTier,
    #[serde(default)]
    notes: String,
}

impl CustomerRequest {
    fn into_details(self) -> NewCustomer {
        NewCustomer {
            name: self.name,
            phones: self.phones,
            emails: self.emails,
            israeli_id: self.israeli_id,
            tier: self.tier,
            notes: self.notes,
        }
    }
}

/// `POST /customers`.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<CustomerRequest>,
) -> ApiResult<(StatusCode, Json<Customer>)> {
    caller.require(Role::Agent)?;
    let customer = state
        .store
        .create_customer(caller.org, &request.into_details())
        .await?;
    Ok((StatusCode::CREATED, Json(customer)))
}

/// `GET /customers/{id}`.
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Customer>> {
    caller.require(Role::Agent)?;
    Ok(Json(
        state.store.customer(caller.org, CustomerId(id)).await?,
    ))
}

/// `PUT /customers/{id}`.
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<CustomerRequest>,
) -> ApiResult<Json<Customer>> {
    caller.require(Role::Agent)?;
    let customer = state
        .store
        .update_customer(caller.org, CustomerId(id), &request.into_details())
        .await?;
    Ok(Json(customer))
}

/// `GET /customers/{id}/interactions`: every channel, oldest first.
pub async fn interactions(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<Interaction>>> {
    caller.require(Role::Agent)?;
    let id = CustomerId(id);
    state.store.customer(caller.org, id).await?;
    Ok(Json(
        state.store.customer_interactions(caller.org, id).await?,
    ))
}

/// An interaction with everything said in it (internal notes included).
#[derive(Debug, Serialize)]
pub struct InteractionView {
    #[serde(flatten)]
    interaction: Interaction,
    messages: Vec<ChatMessage>,
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
    Ok(Json(InteractionView {
        interaction,
        messages,
    }))
}
