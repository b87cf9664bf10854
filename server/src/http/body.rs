//! Request bodies: JSON that fails to parse, or is too large, gets a clear
//! JSON error instead of axum's plain-text rejection.

use axum::extract::rejection::{BytesRejection, JsonRejection};
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::rejection::shaped;

pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let path = req.uri().path().to_owned();
        let error = match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => return Ok(JsonBody(value)),
            Err(JsonRejection::BytesRejection(err)) => bytes_error(&err),
            Err(JsonRejection::MissingJsonContentType(_)) => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UNSUPPORTED_MEDIA_TYPE",
                "Send the body as JSON, with `Content-Type: application/json`.",
            ),
            Err(err) => ApiError::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", err.body_text()),
        };
        Err(shaped(error, &path))
    }
}

pub fn bytes_error(err: &BytesRejection) -> ApiError {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            "The request body is too large.",
        )
    } else {
        ApiError::new(err.status(), "BAD_REQUEST", err.body_text())
    }
}
