//! One error type for every command, serialised as `{kind, message}` so the
//! UI can branch on `kind` and show `message` as it is.

use serde::ser::SerializeStruct;
use tasktalk_core::{auth, db, tasks, token};

use crate::confirm::Confirmation;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] auth::Error),
    #[error(transparent)]
    Token(token::Error),
    #[error(transparent)]
    Tasks(#[from] tasks::Error),
    #[error(transparent)]
    Database(#[from] db::Error),
    #[error("You are not signed in.")]
    SignedOut,
    #[error("Your session has expired. Please sign in again.")]
    SessionExpired,
    #[error("{0}")]
    Settings(String),
    #[error("The secret store failed: {0}")]
    Secrets(String),
    #[error("Tasktalk could not start: {0} Open the settings to fix it.")]
    Unavailable(String),
    #[error("The chat back end could not be reached: {0}")]
    Remote(String),
    #[error("Nothing was changed: sending {} to {} was not allowed.", .0.credential, .0.destination)]
    ConfirmationDeclined(Confirmation),
}

impl From<token::Error> for Error {
    fn from(err: token::Error) -> Self {
        match err {
            token::Error::Session(auth::Error::SessionInvalid) => Error::SessionExpired,
            token::Error::Session(auth) => Error::Auth(auth),
            other => Error::Token(other),
        }
    }
}

impl Error {
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Auth(auth::Error::SessionInvalid) | Error::SessionExpired => "session_expired",
            Error::Auth(e) => e.code(),
            Error::Token(e) => e.code(),
            Error::Tasks(e) => e.code(),
            Error::Database(_) => "database",
            Error::SignedOut => "signed_out",
            Error::Settings(_) => "settings",
            Error::Secrets(_) => "secrets",
            Error::Unavailable(_) => "unavailable",
            Error::Remote(_) => "remote",
            Error::ConfirmationDeclined(_) => "CONFIRMATION_DECLINED",
        }
    }
}

impl serde::Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut object = serializer.serialize_struct("Error", 2)?;
        object.serialize_field("kind", self.kind())?;
        object.serialize_field("message", &self.to_string())?;
        object.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_serialise_as_kind_and_message() {
        let json = serde_json::to_value(Error::from(tasks::Error::NotFound(7))).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({"kind": "TASK_NOT_FOUND", "message": "Task 7 was not found."})
        );
        let expired = serde_json::to_value(Error::from(token::Error::Session(auth::Error::SessionInvalid)));
        assert_eq!(expired.unwrap_or_default()["kind"], "session_expired");
    }
}
