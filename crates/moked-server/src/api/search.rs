//! `GET /search`: one search box over customers and conversations (and
//! tickets, as they are indexed), in Hebrew and English, for any staff
//! member of the organization.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::search::SearchFailure;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use moked_search::{Filters, Hit, MAX_LIMIT, SearchQuery};
use moked_store::Role;
use serde::{Deserialize, Serialize};

/// Hits when `limit` is not given.
const DEFAULT_LIMIT: usize = 20;

/// `GET /search` query.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    q: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    queue: Option<String>,
    #[serde(default)]
    team: Option<String>,
    #[serde(default)]
    agent: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    until: Option<String>,
    #[serde(default)]
    limit: Option<String>,
}

/// The answer.
#[derive(Debug, Serialize)]
pub struct SearchResults {
    /// Best first.
    pub results: Vec<SearchResult>,
}

/// One hit.
#[derive(Debug, Serialize)]
pub struct SearchResult {
    /// `customer`, `message` (a conversation: `id` is the interaction) or
    /// `ticket`.
    pub kind: &'static str,
    /// The record's id.
    pub id: i64,
    /// Customer name or subject, plain text.
    pub title: String,
    /// An excerpt, HTML-escaped, with the matched words in `<mark>`.
    pub snippet: String,
    /// Relevance; higher is better.
    pub score: f32,
}

impl From<Hit> for SearchResult {
    fn from(hit: Hit) -> Self {
        SearchResult {
            kind: hit.kind.as_str(),
            id: hit.id,
            title: hit.title,
            snippet: hit.snippet,
            score: hit.score,
        }
    }
}

/// `GET /search?q=&status=&queue=&team=&agent=&from=&until=&limit=`.
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> ApiResult<Json<SearchResults>> {
    caller.require(Role::Agent)?;
    let Query(params) =
        params.map_err(|rejection| ApiError::invalid("q", rejection.body_text()))?;
    let zone = org_zone(&state, &caller).await?;
    let query = SearchQuery {
        filters: Filters {
            status: non_empty(params.status),
            queue: non_empty(params.queue),
            team: non_empty(params.team),
            agent: non_empty(params.agent),
            created_from: instant("from", params.from.as_deref(), &zone)?,
            created_until: instant("until", params.until.as_deref(), &zone)?,
        },
        limit: limit(params.limit.as_deref())?,
        text: params.q,
    };
    let hits = state
        .search
        .search(caller.org, query)
        .await
        .map_err(|failure| match failure {
            SearchFailure::Invalid { field, reason } => ApiError::invalid(field, reason),
            SearchFailure::Unavailable(reason) => ApiError::unavailable(reason),
        })?;
    Ok(Json(SearchResults {
        results: hits.into_iter().map(SearchResult::from).collect(),
    }))
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|value| !value.trim().is_empty())
}

fn limit(text: Option<&str>) -> ApiResult<usize> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(DEFAULT_LIMIT);
    };
    match text.parse::<usize>() {
        Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => Ok(limit),
        _ => Err(ApiError::invalid(
            "limit",
            format!("must be a whole number from 1 to {MAX_LIMIT}"),
        )),
    }
}

async fn org_zone(state: &AppState, caller: &Caller) -> ApiResult<TimeZone> {
    let org = state.store.organization(caller.org).await?;
    TimeZone::get(&org.time_zone).map_err(|error| ApiError::internal(&error))
}

/// A filter bound: an RFC 3339 instant, or a date meaning its midnight in
/// the organization's time zone.
fn instant(field: &str, text: Option<&str>, zone: &TimeZone) -> ApiResult<Option<Timestamp>> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if let Ok(instant) = text.parse::<Timestamp>() {
        return Ok(Some(instant));
    }
    let invalid = || ApiError::invalid(field, "must be a date (2026-11-23) or an RFC 3339 time");
    let date: Date = text.parse().map_err(|_| invalid())?;
    let midnight = date.to_zoned(zone.clone()).map_err(|_| invalid())?;
    Ok(Some(midnight.timestamp()))
}
