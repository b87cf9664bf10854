//! What the router and the extractors refuse (an unknown route, a wrong
//! method, a bad query string) answered with the JSON every other refusal
//! carries, never axum's plain text or an empty body.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri};
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// Better Auth's flat `{code, message}` under its routes, ours elsewhere.
pub fn shaped(error: ApiError, path: &str) -> ApiError {
    if path.starts_with("/api/auth/") {
        error.flat()
    } else {
        error
    }
}

pub async fn not_found(uri: Uri) -> ApiError {
    shaped(
        ApiError::new(StatusCode::NOT_FOUND, "NOT_FOUND", "There is no such route."),
        uri.path(),
    )
}

/// axum adds the `Allow` header to this answer.
pub async fn method_not_allowed(uri: Uri) -> ApiError {
    shaped(
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "This route does not take that method; the Allow header lists those it takes.",
        ),
        uri.path(),
    )
}

/// A query string, or a 400 that says which parameter is wrong.
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(QueryParams(value)),
            Err(err) => Err(shaped(
                ApiError::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", err.body_text()),
                parts.uri.path(),
            )),
        }
    }
}
