//! One error type for every command, serialised as `{kind, message}` so the
//! UI can branch on `kind` and show `message` as it is.

use serde::ser::SerializeStruct;
use tasktalk_core::{auth, db, export, tasks, token};

use crate::dialogs::Confirmation;

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
    /// The system could not open a folder (no file manager, say).
    #[error("Tasktalk could not open {0}")]
    OpenFailed(String),
    #[error(transparent)]
    Transfer(export::Error),
    /// An export or import file could not be written or read.
    #[error("{0}")]
    File(String),
    /// Another export or import is running.
    #[error("An export or import is already running: wait for it to finish.")]
    Busy,
    /// The offline assistant failed to read a quick-add line.
    #[error("{0}")]
    Assistant(String),
}

impl From<export::Error> for Error {
    fn from(err: export::Error) -> Self {
        match err {
            export::Error::Database(err) => Error::Database(err),
            other => Error::Transfer(other),
        }
    }
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

/// What went wrong, for the UI to branch on: every kind a command can reject
/// with, in the core's SCREAMING_SNAKE_CASE codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorKind {
    InvalidEmail,
    InvalidName,
    InvalidPassword,
    UserAlreadyExists,
    InvalidEmailOrPassword,
    TooManyAttempts,
    UserNotFound,
    MissingSecret,
    SecretTooShort,
    InvalidToken,
    InvalidTitle,
    InvalidRequest,
    TaskNotFound,
    Internal,
    Database,
    SessionExpired,
    SignedOut,
    Settings,
    Secrets,
    Unavailable,
    Remote,
    ConfirmationDeclined,
    OpenFailed,
    ImportTooLarge,
    ImportInvalid,
    ImportVersion,
    ExportTooLarge,
    ConversationNotFound,
    FileFailed,
    Busy,
}

fn auth_kind(err: &auth::Error) -> ErrorKind {
    match err {
        auth::Error::InvalidEmail => ErrorKind::InvalidEmail,
        auth::Error::InvalidName => ErrorKind::InvalidName,
        auth::Error::InvalidPassword => ErrorKind::InvalidPassword,
        auth::Error::EmailTaken => ErrorKind::UserAlreadyExists,
        auth::Error::InvalidCredentials => ErrorKind::InvalidEmailOrPassword,
        auth::Error::Throttled { .. } => ErrorKind::TooManyAttempts,
        auth::Error::SessionInvalid => ErrorKind::SessionExpired,
        auth::Error::UserNotFound => ErrorKind::UserNotFound,
        auth::Error::Hashing(_) => ErrorKind::Internal,
        auth::Error::Database(_) => ErrorKind::Database,
    }
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Auth(e) => auth_kind(e),
            Error::Token(e) => match e {
                token::Error::MissingSecret => ErrorKind::MissingSecret,
                token::Error::SecretTooShort => ErrorKind::SecretTooShort,
                // A command's token comes from its own session, never from a
                // header: a missing one is a session that ended.
                token::Error::Invalid(_) => ErrorKind::InvalidToken,
                token::Error::MissingBearer => ErrorKind::SessionExpired,
                token::Error::KeyStore(_) | token::Error::Signing => ErrorKind::Internal,
                token::Error::Session(e) => auth_kind(e),
                token::Error::Database(_) => ErrorKind::Database,
            },
            Error::Tasks(e) => match e {
                tasks::Error::InvalidTitle
                | tasks::Error::ControlCharacter {
                    field: tasks::TextField::Title,
                    ..
                } => ErrorKind::InvalidTitle,
                tasks::Error::ControlCharacter { .. } | tasks::Error::InvalidRequest(_) => ErrorKind::InvalidRequest,
                tasks::Error::NotFound(_) => ErrorKind::TaskNotFound,
                tasks::Error::Database(_) => ErrorKind::Database,
            },
            Error::Database(_) => ErrorKind::Database,
            Error::SignedOut => ErrorKind::SignedOut,
            Error::SessionExpired => ErrorKind::SessionExpired,
            Error::Settings(_) => ErrorKind::Settings,
            Error::Secrets(_) => ErrorKind::Secrets,
            Error::Unavailable(_) => ErrorKind::Unavailable,
            Error::Remote(_) => ErrorKind::Remote,
            Error::ConfirmationDeclined(_) => ErrorKind::ConfirmationDeclined,
            Error::OpenFailed(_) => ErrorKind::OpenFailed,
            Error::Transfer(e) => match e.error_code() {
                export::ErrorCode::ImportTooLarge => ErrorKind::ImportTooLarge,
                export::ErrorCode::ImportInvalid => ErrorKind::ImportInvalid,
                export::ErrorCode::ImportVersion => ErrorKind::ImportVersion,
                export::ErrorCode::ExportTooLarge => ErrorKind::ExportTooLarge,
                export::ErrorCode::ConversationNotFound => ErrorKind::ConversationNotFound,
                export::ErrorCode::AccountNotFound => ErrorKind::UserNotFound,
                export::ErrorCode::Corrupt => ErrorKind::Internal,
                export::ErrorCode::Database => ErrorKind::Database,
            },
            Error::File(_) => ErrorKind::FileFailed,
            Error::Busy => ErrorKind::Busy,
            Error::Assistant(_) => ErrorKind::Internal,
        }
    }
}

impl serde::Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut object = serializer.serialize_struct("Error", 2)?;
        object.serialize_field("kind", &self.kind())?;
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
        assert_eq!(expired.unwrap_or_default()["kind"], "SESSION_EXPIRED");
    }
}
