//! A user's tasks. Every operation takes the acting user's id and touches only
//! their rows: another user's task behaves exactly like a missing one.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::db::{self, Database};
use crate::on_db;
use crate::timestamp::Timestamp;

pub type Result<T, E = Error> = std::result::Result<T, E>;
pub type TaskId = i32;

pub const TITLE_MAX_CHARS: usize = 200;
pub const DESCRIPTION_MAX_CHARS: usize = 1000;
pub const PAGE_MAX: u32 = 500;
pub const PAGE_DEFAULT: u32 = 100;

/// Errors carry the codes of the web version's task tools.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("A task title must be 1 to {TITLE_MAX_CHARS} characters long.")]
    InvalidTitle,
    /// NUL, escapes and the like: PostgreSQL cannot store NUL, and the rest
    /// would reach terminals, logs and other programs reading the database.
    #[error(
        "A task {field} cannot contain control characters{allowed} (found U+{code:04X}).",
        allowed = field.allowed(),
        code = u32::from(*.found)
    )]
    ControlCharacter { field: TextField, found: char },
    #[error("Task {0} was not found.")]
    NotFound(TaskId),
    #[error("{0}")]
    InvalidRequest(String),
    #[error(transparent)]
    Database(#[from] db::Error),
}

/// The code of an [`Error`], as tool results, HTTP and IPC errors carry it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    InvalidTitle,
    InvalidRequest,
    TaskNotFound,
    Database,
}

impl ErrorCode {
    /// The code as serialised, for a log field or a transport's error kind.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidTitle => "INVALID_TITLE",
            ErrorCode::InvalidRequest => "INVALID_REQUEST",
            ErrorCode::TaskNotFound => "TASK_NOT_FOUND",
            ErrorCode::Database => "DATABASE",
        }
    }
}

impl Error {
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Error::InvalidTitle
            | Error::ControlCharacter {
                field: TextField::Title,
                ..
            } => ErrorCode::InvalidTitle,
            Error::ControlCharacter { .. } | Error::InvalidRequest(_) => ErrorCode::InvalidRequest,
            Error::NotFound(_) => ErrorCode::TaskNotFound,
            Error::Database(_) => ErrorCode::Database,
        }
    }

    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }
}

/// A task's text fields, as named in error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextField {
    Title,
    Description,
}

impl TextField {
    /// Whether `c` may appear in this field: no control character in a
    /// title; tab and line break are text in a description.
    fn accepts(self, c: char) -> bool {
        !c.is_control() || (self == TextField::Description && matches!(c, '\t' | '\n'))
    }

    fn allowed(self) -> &'static str {
        match self {
            TextField::Title => "",
            TextField::Description => " other than tab and line break",
        }
    }

    /// `text`, or the error naming its first forbidden character.
    fn check(self, text: &str) -> Result<&str> {
        match text.chars().find(|&c| !self.accepts(c)) {
            Some(found) => Err(Error::ControlCharacter { field: self, found }),
            None => Ok(text),
        }
    }
}

impl fmt::Display for TextField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TextField::Title => "title",
            TextField::Description => "description",
        })
    }
}

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        Error::Database(err.into())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Task {
    pub id: TaskId,
    pub title: String,
    pub description: Option<String>,
    pub completed: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum StatusFilter {
    #[default]
    All,
    Pending,
    Completed,
}

impl FromStr for StatusFilter {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "all" => Ok(StatusFilter::All),
            "pending" | "open" => Ok(StatusFilter::Pending),
            "completed" | "done" => Ok(StatusFilter::Completed),
            other => Err(Error::InvalidRequest(format!(
                "Unknown status {other:?}: use all, pending or completed."
            ))),
        }
    }
}

/// Which slice of a list to return, newest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    pub limit: u32,
    pub offset: u32,
}

impl Default for Page {
    fn default() -> Self {
        Self {
            limit: PAGE_DEFAULT,
            offset: 0,
        }
    }
}

/// A change to a task: `None` leaves a field as it is; a description of
/// `Some(None)` (or an empty one) clears it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskUpdate {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
}

macro_rules! task_columns {
    () => {
        "id, title, description, completed, created_at, updated_at"
    };
}

macro_rules! list_query {
    ($filter:literal) => {
        concat!(
            "select ",
            task_columns!(),
            " from tasks_phaseiii where user_id = $1",
            $filter,
            " order by created_at desc, id desc limit $2 offset $3"
        )
    };
}

fn validate_title(title: &str) -> Result<String> {
    let title = TextField::Title.check(title.trim())?;
    if (1..=TITLE_MAX_CHARS).contains(&title.chars().count()) {
        Ok(title.to_owned())
    } else {
        Err(Error::InvalidTitle)
    }
}

/// Trimmed; empty means none.
fn validate_description(description: Option<&str>) -> Result<Option<String>> {
    let Some(text) = description.map(str::trim).filter(|d| !d.is_empty()) else {
        return Ok(None);
    };
    let text = TextField::Description.check(text)?;
    if text.chars().count() > DESCRIPTION_MAX_CHARS {
        return Err(Error::InvalidRequest(format!(
            "A task description must be at most {DESCRIPTION_MAX_CHARS} characters long."
        )));
    }
    Ok(Some(text.to_owned()))
}

#[derive(Clone, Debug)]
pub struct Tasks {
    db: Database,
}

impl Tasks {
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    #[tracing::instrument(name = "tasks.add", skip_all, fields(user_id = %user_id))]
    pub async fn add(&self, user_id: &str, title: &str, description: Option<&str>) -> Result<Task> {
        let title = validate_title(title)?;
        let description = validate_description(description)?;
        let now = Timestamp::now();
        let task = on_db!(&self.db, pool => sqlx::query_as(concat!(
            "insert into tasks_phaseiii (user_id, title, description, completed, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6) returning ", task_columns!()))
            .bind(user_id)
            .bind(&title)
            .bind(&description)
            .bind(false)
            .bind(now)
            .bind(now)
            .fetch_one(pool)
            .await)?;
        Ok(task)
    }

    /// Newest first.
    #[tracing::instrument(name = "tasks.list", skip_all, fields(user_id = %user_id, ?filter))]
    pub async fn list(&self, user_id: &str, filter: StatusFilter, page: Page) -> Result<Vec<Task>> {
        if page.limit == 0 || page.limit > PAGE_MAX {
            return Err(Error::InvalidRequest(format!("A page holds 1 to {PAGE_MAX} tasks.")));
        }
        let sql = match filter {
            StatusFilter::All => list_query!(""),
            StatusFilter::Pending => list_query!(" and completed = false"),
            StatusFilter::Completed => list_query!(" and completed = true"),
        };
        let (limit, offset) = (i64::from(page.limit), i64::from(page.offset));
        Ok(on_db!(&self.db, pool => sqlx::query_as(sql)
            .bind(user_id)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await)?)
    }

    pub async fn get(&self, user_id: &str, id: TaskId) -> Result<Task> {
        let task: Option<Task> = on_db!(&self.db, pool => sqlx::query_as(concat!(
            "select ", task_columns!(), " from tasks_phaseiii where id = $1 and user_id = $2"))
            .bind(id)
            .bind(user_id)
            .fetch_optional(pool)
            .await)?;
        task.ok_or(Error::NotFound(id))
    }

    #[tracing::instrument(name = "tasks.update", skip_all, fields(user_id = %user_id, task_id = id))]
    pub async fn update(&self, user_id: &str, id: TaskId, update: TaskUpdate) -> Result<Task> {
        if update.title.is_none() && update.description.is_none() {
            return Err(Error::InvalidRequest("Give a new title or description.".into()));
        }
        let title = update.title.as_deref().map(validate_title).transpose()?;
        let description = update
            .description
            .as_ref()
            .map(|d| validate_description(d.as_deref()))
            .transpose()?;
        let task: Option<Task> = on_db!(&self.db, pool => sqlx::query_as(concat!(
            "update tasks_phaseiii set title = coalesce($1, title),
                 description = case when $2 then $3 else description end, updated_at = $4
             where id = $5 and user_id = $6 returning ", task_columns!()))
            .bind(title)
            .bind(description.is_some())
            .bind(description.flatten())
            .bind(Timestamp::now())
            .bind(id)
            .bind(user_id)
            .fetch_optional(pool)
            .await)?;
        task.ok_or(Error::NotFound(id))
    }

    /// Marks the task done (or, with `false`, open again).
    #[tracing::instrument(name = "tasks.set_completed", skip_all, fields(user_id = %user_id, task_id = id))]
    pub async fn set_completed(&self, user_id: &str, id: TaskId, completed: bool) -> Result<Task> {
        let task: Option<Task> = on_db!(&self.db, pool => sqlx::query_as(concat!(
            "update tasks_phaseiii set completed = $1, updated_at = $2
             where id = $3 and user_id = $4 returning ", task_columns!()))
            .bind(completed)
            .bind(Timestamp::now())
            .bind(id)
            .bind(user_id)
            .fetch_optional(pool)
            .await)?;
        task.ok_or(Error::NotFound(id))
    }

    pub async fn complete(&self, user_id: &str, id: TaskId) -> Result<Task> {
        self.set_completed(user_id, id, true).await
    }

    /// Deletes the task and returns it as it was.
    #[tracing::instrument(name = "tasks.delete", skip_all, fields(user_id = %user_id, task_id = id))]
    pub async fn delete(&self, user_id: &str, id: TaskId) -> Result<Task> {
        let task: Option<Task> = on_db!(&self.db, pool => sqlx::query_as(concat!(
            "delete from tasks_phaseiii where id = $1 and user_id = $2 returning ", task_columns!()))
            .bind(id)
            .bind(user_id)
            .fetch_optional(pool)
            .await)?;
        task.ok_or(Error::NotFound(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_1_to_200_characters() {
        assert_eq!(validate_title("  buy milk ").ok().as_deref(), Some("buy milk"));
        assert!(matches!(validate_title("   "), Err(Error::InvalidTitle)));
        assert!(validate_title(&"é".repeat(200)).is_ok());
        assert!(matches!(validate_title(&"é".repeat(201)), Err(Error::InvalidTitle)));
        assert!(matches!(
            validate_title("a\nb"),
            Err(Error::ControlCharacter {
                field: TextField::Title,
                found: '\n'
            })
        ));
    }

    #[test]
    fn status_filters_parse_everyday_words() {
        assert_eq!("Pending".parse::<StatusFilter>().ok(), Some(StatusFilter::Pending));
        assert_eq!("done".parse::<StatusFilter>().ok(), Some(StatusFilter::Completed));
        assert!(matches!("later".parse::<StatusFilter>(), Err(Error::InvalidRequest(_))));
    }

    #[test]
    fn empty_descriptions_are_none_and_long_ones_are_refused() {
        assert_eq!(validate_description(Some("  ")).ok(), Some(None));
        assert!(validate_description(Some(&"d".repeat(1001))).is_err());
        assert_eq!(
            validate_description(Some(" 2 litres ")).ok(),
            Some(Some("2 litres".into()))
        );
    }

    #[test]
    fn error_codes_serialise_as_their_strings() {
        for code in [
            ErrorCode::InvalidTitle,
            ErrorCode::InvalidRequest,
            ErrorCode::TaskNotFound,
            ErrorCode::Database,
        ] {
            assert_eq!(serde_json::to_value(code).ok(), Some(code.as_str().into()));
        }
    }
}
