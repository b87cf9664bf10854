//! Why a ChatKit request was refused, with the status and code each transport
//! reports.

use serde_json::{Value, json};

use crate::{db, token};

/// Larger bodies are refused before parsing (413).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("The request body is larger than {MAX_BODY_BYTES} bytes.")]
    TooLarge,
    #[error("Thread {0} was not found.")]
    ThreadNotFound(String),
    #[error("Item {0} was not found in this thread.")]
    ItemNotFound(String),
    #[error("The page cursor does not name an item of this list.")]
    BadCursor,
    #[error("{0}")]
    Unsupported(&'static str),
    #[error("A stored conversation could not be read.")]
    Corrupt,
    #[error(transparent)]
    Database(#[from] db::Error),
}

/// A token refused, or the account lookup that could not run.
impl From<token::Error> for Error {
    fn from(err: token::Error) -> Self {
        match err {
            token::Error::Database(err) => Error::Database(err),
            err => Error::Unauthorized(err.to_string()),
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        Error::Database(err.into())
    }
}

impl Error {
    pub fn status(&self) -> u16 {
        match self {
            Error::Unauthorized(_) => 401,
            Error::BadRequest(_) | Error::BadCursor | Error::Unsupported(_) => 400,
            Error::TooLarge => 413,
            Error::ThreadNotFound(_) | Error::ItemNotFound(_) => 404,
            Error::Database(db::Error::Unavailable(_)) => 503,
            Error::Corrupt | Error::Database(_) => 500,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Error::Unauthorized(_) => "unauthorized",
            Error::BadRequest(_) => "bad_request",
            Error::TooLarge => "payload_too_large",
            Error::ThreadNotFound(_) | Error::ItemNotFound(_) => "not_found",
            Error::BadCursor => "bad_cursor",
            Error::Unsupported(_) => "unsupported",
            Error::Corrupt | Error::Database(_) => "server_error",
        }
    }

    /// `{"error": {"code", "message"}}`, the body of every refused request.
    pub fn body(&self) -> Value {
        json!({"error": {"code": self.code(), "message": self.to_string()}})
    }

    pub(super) fn allow_retry(&self) -> bool {
        matches!(self, Error::Database(_))
    }
}
