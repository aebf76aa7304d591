//! The JSON body extractor of every handler: like `axum::Json`, but a body
//! that does not fit the request type becomes a 422 problem naming the
//! field (its path, e.g. `phones[1]`), found by `serde_path_to_error`.
//! Request types use `#[serde(deny_unknown_fields)]`, so a misspelt field is
//! named too.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;

/// A JSON request body of type `T`.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("application/json"));
        if !is_json {
            return Err(ApiError::invalid(
                "Content-Type",
                "the body must be JSON (Content-Type: application/json)",
            ));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                let status = rejection.status();
                let mut error = ApiError::bad_request(rejection.body_text());
                error.status = status;
                error
            })?;
        parse(&bytes).map(ApiJson)
    }
}

/// Parses a JSON document as `T`, naming the failing field on error.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let field = field_name(&path, &inner.to_string());
        ApiError::invalid(field, inner.to_string())
    })
}

/// The field to blame: the path where parsing stopped, or for a missing or
/// unknown field (reported one level up) the name in serde's message.
fn field_name(path: &str, message: &str) -> String {
    let quoted = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split('`').next());
    match (quoted, path) {
        // An unknown field's path already ends with it.
        (Some(name), path) if path == name || path.ends_with(&format!(".{name}")) => {
            path.to_owned()
        }
        (Some(name), ".") => name.to_owned(),
        (Some(name), parent) => format!("{parent}.{name}"),
        (None, ".") => "body".to_owned(),
        (None, path) => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        name: String,
        phones: Vec<moked_domain::PhoneE164>,
    }

    #[test]
    fn errors_name_the_field() {
        let error = parse::<Sample>(br#"{"phones":[]}"#).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("name"));
        let error = parse::<Sample>(r#"{"name":"דנה","phones":["050-1234567","abc"]}"#.as_bytes())
            .unwrap_err();
        assert_eq!(error.field.as_deref(), Some("phones[1]"));
        let error =
            parse::<Sample>(r#"{"name":"דנה","phones":[],"nmae":1}"#.as_bytes()).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("nmae"));
        let error = parse::<Sample>(br#"{"name":"#).unwrap_err();
        assert_eq!(error.status.as_u16(), 422);
    }
}
