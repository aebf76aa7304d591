//! API errors as RFC 9457 problem details (`application/problem+json`),
//! each naming the offending field when there is one. Store and live
//! errors map to statuses here, in one place: `Invalid` → 422, `NotFound`
//! → 404, `Conflict` → 409, anything the caller cannot fix → 500 (logged,
//! never detailed to the client).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use moked_live::LiveError;
use moked_store::StoreError;
use serde::Serialize;

/// An error answered to an API client.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The last part of the problem type URI, e.g. `invalid-field`.
    pub kind: &'static str,
    /// What went wrong, for a person.
    pub detail: String,
    /// The request field at fault, when there is one.
    pub field: Option<String>,
    /// Seconds to wait before retrying (rate limits).
    pub retry_after: Option<u64>,
}

/// The result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    problem_type: String,
    title: &'a str,
    status: u16,
    detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

impl ApiError {
    fn new(status: StatusCode, kind: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            kind,
            detail: detail.into(),
            field: None,
            retry_after: None,
        }
    }

    /// 422: a field of the request is not acceptable.
    pub fn invalid(field: impl Into<String>, detail: impl Into<String>) -> ApiError {
        let mut error = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-field", detail);
        error.field = Some(field.into());
        error
    }

    /// 400: the request is malformed in a way no field explains.
    pub fn bad_request(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad-request", detail)
    }

    /// 401: no valid credentials.
    pub fn unauthenticated(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", detail)
    }

    /// 403: valid credentials without the right.
    pub fn forbidden(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    /// 404: nothing of that kind with that id in the caller's organization.
    pub fn not_found(entity: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("{entity} not found"),
        )
    }

    /// 409: the request clashes with the current state.
    pub fn conflict(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, "conflict", detail)
    }

    /// 429: too many requests; retry after this many seconds.
    pub fn too_many(retry_after: u64) -> ApiError {
        let mut error = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            format!("too many requests; retry in {retry_after} s"),
        );
        error.retry_after = Some(retry_after);
        error
    }

    /// 500: our fault; the cause is logged, not sent.
    pub fn internal(cause: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(%cause, "request failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed; the error is logged",
        )
    }

    /// 503: the live center is stopping or stopped.
    pub fn unavailable(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", detail)
    }

    fn title(&self) -> &'static str {
        match self.status.as_u16() {
            400 => "Bad request",
            401 => "Not logged in",
            403 => "Not allowed",
            404 => "Not found",
            409 => "Conflict",
            413 => "Request too large",
            422 => "Invalid field",
            429 => "Too many requests",
            503 => "Unavailable",
            _ => "Server error",
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        match error {
            StoreError::NotFound { entity } => ApiError::not_found(entity),
            StoreError::Conflict { entity, detail } => conflict(entity, &detail),
            StoreError::Invalid { field, reason } => ApiError::invalid(field, reason),
            StoreError::Backend(source) => {
                crate::metrics::store_error();
                ApiError::internal(&source)
            }
        }
    }
}

/// The unique field of each kind of record the store reports a clash for
/// (each table has exactly one unique value a person chooses), with the
/// record's name as the message says it.
const UNIQUE_FIELDS: [(&str, &str, &str); 7] = [
    ("skill", "name", "a skill"),
    ("team", "name", "a team"),
    ("queue", "name", "a queue"),
    ("business hours", "name", "a business-hours schedule"),
    ("user", "login", "a user"),
    ("wrap-up code", "code", "a wrap-up code"),
    ("organization", "slug", "an organization"),
];

/// 409 for a unique clash, naming the field. The backend's own words (SQL
/// constraint names, column lists) are logged at debug level, never sent.
fn conflict(entity: &str, backend_detail: &str) -> ApiError {
    tracing::debug!(entity, detail = backend_detail, "unique value clash");
    let known = UNIQUE_FIELDS.iter().find(|(kind, _, _)| *kind == entity);
    let (detail, field) = match (entity, known) {
        (_, Some((_, field, noun))) => (
            format!("{noun} with this {field} already exists"),
            Some(*field),
        ),
        ("chat message", None) => (
            "this idempotency_key was already used for another message".to_owned(),
            Some("idempotency_key"),
        ),
        (_, None) => (format!("this {entity} already exists"), None),
    };
    let mut error = ApiError::conflict(detail);
    error.field = field.map(str::to_owned);
    error
}

impl From<LiveError> for ApiError {
    fn from(error: LiveError) -> ApiError {
        match error {
            LiveError::NotFound { entity } => ApiError::not_found(entity),
            LiveError::Invalid { field, reason } => ApiError::invalid(field, reason),
            LiveError::Conflict { detail } => ApiError::conflict(detail),
            LiveError::Store(store) => ApiError::from(store),
            LiveError::Stopped => ApiError::unavailable("the live center is stopping"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = Problem {
            problem_type: format!("https://moked.dev/problems/{}", self.kind),
            title: self.title(),
            status: self.status.as_u16(),
            detail: &self.detail,
            field: self.field.as_deref(),
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_clashes_name_the_field_and_hide_the_sql() {
        let sql = "UNIQUE constraint failed: skills.org_id, skills.name";
        let error = ApiError::from(StoreError::Conflict {
            entity: "skill",
            detail: sql.into(),
        });
        assert_eq!(error.status, StatusCode::CONFLICT);
        assert_eq!(error.detail, "a skill with this name already exists");
        assert_eq!(error.field.as_deref(), Some("name"));
        let user = ApiError::from(StoreError::Conflict {
            entity: "user",
            detail: sql.into(),
        });
        assert_eq!(user.detail, "a user with this login already exists");
        assert_eq!(user.field.as_deref(), Some("login"));
        let other = ApiError::from(StoreError::Conflict {
            entity: "token",
            detail: sql.into(),
        });
        assert!(!other.detail.contains("UNIQUE"), "{}", other.detail);
        assert_eq!(other.field, None);
    }
}
