//! How a command fails: exit 2 for a wrong invocation, 1 for a refused
//! operation, always with one clear line on stderr.

use std::process::ExitCode;

use tasktalk_core::{auth, db, export, tasks, token};

#[derive(Debug)]
pub enum Failure {
    /// The invocation itself is wrong (missing secret, bad database URL).
    Usage(String),
    /// The operation was refused (wrong password, unknown user, invalid token).
    Refused(String),
}

impl Failure {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Failure::Usage(_) => ExitCode::from(2),
            Failure::Refused(_) => ExitCode::from(1),
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Failure::Usage(m) | Failure::Refused(m) => m,
        }
    }
}

impl From<db::Error> for Failure {
    fn from(err: db::Error) -> Self {
        match err {
            db::Error::InvalidLocation(_) => Failure::Usage(err.to_string()),
            other => Failure::Refused(other.to_string()),
        }
    }
}

impl From<auth::Error> for Failure {
    fn from(err: auth::Error) -> Self {
        match err {
            auth::Error::Database(db) => db.into(),
            other => Failure::Refused(other.to_string()),
        }
    }
}

impl From<token::Error> for Failure {
    fn from(err: token::Error) -> Self {
        match err {
            token::Error::MissingSecret | token::Error::SecretTooShort => Failure::Usage(err.to_string()),
            token::Error::Session(auth) => auth.into(),
            token::Error::Database(db) => db.into(),
            other => Failure::Refused(other.to_string()),
        }
    }
}

impl From<tasks::Error> for Failure {
    fn from(err: tasks::Error) -> Self {
        match err {
            tasks::Error::Database(db) => db.into(),
            other => Failure::Refused(other.to_string()),
        }
    }
}

impl From<export::Error> for Failure {
    fn from(err: export::Error) -> Self {
        match err {
            export::Error::Database(db) => db.into(),
            other => Failure::Refused(other.to_string()),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(err: std::io::Error) -> Self {
        Failure::Refused(format!("could not read the input: {err}"))
    }
}
