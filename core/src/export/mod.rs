//! One user's data out and back in: every task and every conversation with
//! all its items as one versioned JSON document, any conversation as
//! Markdown, and an import of such a document into any database for the
//! signed-in user.
//!
//! An import is all or nothing: the file is read, parsed and every field
//! checked by the app's own rules before anything is written, then written
//! in one transaction. Nothing in it is trusted to name a row or a user: ids
//! are made anew and everything belongs to the importing user. It adds only
//! what the account does not have yet, by a natural key that survives the
//! trip to another database: a task's (`created_at`, `title`), a
//! conversation's (`created_at`, the thread id it was first given). A second
//! import of the same file, or an export imported back into its own account,
//! adds nothing.

mod document;
mod import;
pub mod markdown;

use serde::Serialize;

pub use self::document::{Conversation, Document, FORMAT, VERSION};
use crate::chatkit::limits::MAX_ID_BYTES;
use crate::chatkit::store::Store;
use crate::db::{self, Database};
use crate::tasks::{self, Tasks};

/// The largest file an import reads (and so the largest an export writes).
pub const MAX_FILE_BYTES: usize = 128 * 1024 * 1024;
pub const MAX_TASKS: usize = 100_000;
pub const MAX_CONVERSATIONS: usize = 20_000;
/// Items in all conversations of one file together.
pub const MAX_ITEMS: usize = 1_000_000;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("The file is larger than {} MiB ({MAX_FILE_BYTES} bytes), the most an import reads.", MAX_FILE_BYTES / (1024 * 1024))]
    TooLarge,
    #[error("This is not a Tasktalk export that can be imported: {0}")]
    Invalid(String),
    #[error(
        "This export is in version {0} of the format; this Tasktalk reads version {VERSION}. Import it with a newer Tasktalk."
    )]
    UnknownVersion(String),
    #[error("This account's data is too large to export as one file: {0}")]
    ExportTooLarge(String),
    #[error("Conversation {0} was not found.")]
    ConversationNotFound(String),
    #[error("This account no longer exists.")]
    AccountNotFound,
    #[error("A stored conversation could not be read.")]
    Corrupt,
    #[error(transparent)]
    Database(#[from] db::Error),
}

/// The code of an [`Error`], as each transport reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    ImportTooLarge,
    ImportInvalid,
    ImportVersion,
    ExportTooLarge,
    ConversationNotFound,
    AccountNotFound,
    Corrupt,
    Database,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ImportTooLarge => "IMPORT_TOO_LARGE",
            ErrorCode::ImportInvalid => "IMPORT_INVALID",
            ErrorCode::ImportVersion => "IMPORT_VERSION",
            ErrorCode::ExportTooLarge => "EXPORT_TOO_LARGE",
            ErrorCode::ConversationNotFound => "CONVERSATION_NOT_FOUND",
            ErrorCode::AccountNotFound => "ACCOUNT_NOT_FOUND",
            ErrorCode::Corrupt => "CORRUPT",
            ErrorCode::Database => "DATABASE",
        }
    }
}

impl Error {
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Error::TooLarge => ErrorCode::ImportTooLarge,
            Error::Invalid(_) => ErrorCode::ImportInvalid,
            Error::UnknownVersion(_) => ErrorCode::ImportVersion,
            Error::ExportTooLarge(_) => ErrorCode::ExportTooLarge,
            Error::ConversationNotFound(_) => ErrorCode::ConversationNotFound,
            Error::AccountNotFound => ErrorCode::AccountNotFound,
            Error::Corrupt => ErrorCode::Corrupt,
            Error::Database(_) => ErrorCode::Database,
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        Error::Database(err.into())
    }
}

impl From<tasks::Error> for Error {
    fn from(err: tasks::Error) -> Self {
        match err {
            tasks::Error::Database(err) => Error::Database(err),
            other => Error::Invalid(other.to_string()),
        }
    }
}

impl From<crate::chatkit::Error> for Error {
    fn from(err: crate::chatkit::Error) -> Self {
        use crate::chatkit::Error as Chat;
        match err {
            Chat::Database(err) => Error::Database(err),
            Chat::ThreadNotFound(id) => Error::ConversationNotFound(id),
            _ => Error::Corrupt,
        }
    }
}

/// The bytes of an export from `source`. Reading stops one byte past
/// [`MAX_FILE_BYTES`]: a larger source fails with
/// `io::ErrorKind::FileTooLarge` (an import's [`Error::TooLarge`]) without
/// being read whole.
pub fn read_bounded(source: impl std::io::Read) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    source.take(MAX_FILE_BYTES as u64 + 1).read_to_end(&mut bytes)?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(std::io::ErrorKind::FileTooLarge.into());
    }
    Ok(bytes)
}

/// How far a long export or import is: `done` of `total` units (tasks and
/// conversations for an export, tasks and items for an import).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Progress {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub done: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total: u64,
}

/// Receives [`Progress`]: about a hundred reports a run, the last with `done == total`.
pub type OnProgress<'a> = &'a (dyn Fn(Progress) + Send + Sync);

/// Counts units and reports every hundredth of the total.
struct Meter<'a> {
    done: u64,
    total: u64,
    step: u64,
    report: OnProgress<'a>,
}

impl<'a> Meter<'a> {
    fn new(total: usize, report: OnProgress<'a>) -> Self {
        let total = total as u64;
        report(Progress { done: 0, total });
        Self {
            done: 0,
            total,
            step: total.div_ceil(100).max(1),
            report,
        }
    }

    fn add(&mut self, units: usize) {
        let before = self.done / self.step;
        self.done = (self.done + units as u64).min(self.total);
        if self.done / self.step != before || self.done == self.total {
            (self.report)(Progress {
                done: self.done,
                total: self.total,
            });
        }
    }
}

/// What an import added and what it found already there.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Summary {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub tasks_added: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub tasks_skipped: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub conversations_added: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub conversations_skipped: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub items_added: u64,
}

/// Exports and imports over one database.
#[derive(Clone, Debug)]
pub struct Transfer {
    db: Database,
    tasks: Tasks,
    store: Store,
}

impl Transfer {
    pub fn new(db: Database) -> Self {
        Self {
            tasks: Tasks::new(db.clone()),
            store: Store::new(db.clone()),
            db,
        }
    }

    /// Everything of the user's: tasks oldest first, conversations oldest
    /// first with all their items. Refused when the file would be one an
    /// import refuses.
    #[tracing::instrument(name = "export.export", skip_all, fields(user_id = %user_id))]
    pub async fn export(&self, user_id: &str, progress: OnProgress<'_>) -> Result<Document> {
        let tasks = self.tasks.records(user_id).await?;
        let threads = self.store.thread_records(user_id).await?;
        let mut meter = Meter::new(tasks.len() + threads.len(), progress);
        meter.add(tasks.len());
        let mut conversations = Vec::with_capacity(threads.len());
        for thread in threads {
            let items = self.store.all_items(&thread.row).await?;
            conversations.push(Conversation::new(thread, items));
            meter.add(1);
        }
        let document = Document::new(tasks, conversations);
        document.check_limits().map_err(Error::ExportTooLarge)?;
        tracing::info!(
            tasks = document.tasks.len(),
            conversations = document.conversations.len(),
            "exported"
        );
        Ok(document)
    }

    /// One conversation of the user's with all its items.
    pub async fn export_conversation(&self, user_id: &str, thread_id: &str) -> Result<Conversation> {
        // No thread has a longer id: refused unread, and not echoed whole.
        if thread_id.len() > MAX_ID_BYTES {
            let shown: String = thread_id.chars().take(32).collect();
            return Err(Error::ConversationNotFound(format!("{shown}…")));
        }
        let thread = self.store.thread(user_id, thread_id).await?;
        let records = self.store.thread_records(user_id).await?;
        let record = records
            .into_iter()
            .find(|r| r.row.pk == thread.pk)
            .ok_or_else(|| Error::ConversationNotFound(thread_id.to_owned()))?;
        let items = self.store.all_items(&record.row).await?;
        Ok(Conversation::new(record, items))
    }

    /// Reads an export (the bytes of the file) into the user's account: all
    /// of it, or, refused with the reason, none of it.
    #[tracing::instrument(name = "export.import", skip_all, fields(user_id = %user_id, bytes = file.len()))]
    pub async fn import(&self, user_id: &str, file: &[u8], progress: OnProgress<'_>) -> Result<Summary> {
        let document = Document::parse(file)?;
        let plan = import::Plan::check(document)?;
        let summary = import::write(&self.db, user_id, plan, progress).await?;
        tracing::info!(?summary, "imported");
        Ok(summary)
    }
}
