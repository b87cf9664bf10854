//! Errors as HTTP responses: a status and `{"error": {"code", "message"}}`
//! (Better Auth's own `{"code", "message"}` on the auth routes).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tasktalk_core::{auth, db, tasks, token};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Better Auth's flat body shape, for the /api/auth routes.
    pub flat: bool,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            flat: false,
            retry_after: None,
        }
    }

    pub fn flat(mut self) -> Self {
        self.flat = true;
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = if self.flat {
            json!({"code": self.code, "message": self.message})
        } else {
            json!({"error": {"code": self.code, "message": self.message}})
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

fn database(err: &db::Error) -> ApiError {
    let status = match err {
        db::Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    ApiError::new(status, "DATABASE", err.to_string())
}

impl From<auth::Error> for ApiError {
    fn from(err: auth::Error) -> Self {
        let status = match &err {
            auth::Error::InvalidEmail | auth::Error::InvalidName | auth::Error::InvalidPassword => {
                StatusCode::BAD_REQUEST
            }
            auth::Error::EmailTaken => StatusCode::UNPROCESSABLE_ENTITY,
            auth::Error::InvalidCredentials | auth::Error::SessionInvalid => StatusCode::UNAUTHORIZED,
            auth::Error::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            auth::Error::UserNotFound => StatusCode::NOT_FOUND,
            auth::Error::Database(db) => return database(db).flat(),
            auth::Error::Hashing(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let retry_after = match err {
            auth::Error::Throttled { retry_after_secs } => Some(retry_after_secs),
            _ => None,
        };
        ApiError {
            retry_after,
            ..ApiError::new(status, err.code(), err.to_string()).flat()
        }
    }
}

impl From<token::Error> for ApiError {
    fn from(err: token::Error) -> Self {
        match err {
            token::Error::Session(auth) => auth.into(),
            token::Error::Database(db) => database(&db),
            token::Error::Invalid(_) | token::Error::MissingBearer => {
                ApiError::new(StatusCode::UNAUTHORIZED, err.code(), err.to_string())
            }
            other => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, other.code(), other.to_string()),
        }
    }
}

impl From<tasks::Error> for ApiError {
    fn from(err: tasks::Error) -> Self {
        let status = match &err {
            tasks::Error::InvalidTitle | tasks::Error::ControlCharacter { .. } | tasks::Error::InvalidRequest(_) => {
                StatusCode::BAD_REQUEST
            }
            tasks::Error::NotFound(_) => StatusCode::NOT_FOUND,
            tasks::Error::Database(db) => return database(db),
        };
        ApiError::new(status, err.code(), err.to_string())
    }
}
