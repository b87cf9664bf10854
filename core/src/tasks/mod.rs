//! A user's tasks. Every operation takes the acting user's id and touches only
//! their rows: another user's task behaves exactly like a missing one.

mod fields;
mod query;
mod record;

use serde::{Deserialize, Serialize};

pub use self::fields::{DESCRIPTION_MAX_CHARS, Due, Priority, TITLE_MAX_CHARS, TextField};
use self::fields::{check_year, validate_description, validate_title};
use self::query::{Arg, Statement};
pub use self::query::{
    DueFilter, PAGE_DEFAULT, PAGE_MAX, Page, QUERY_MAX_CHARS, QUERY_MAX_WORDS, Sort, StatusFilter, TaskQuery,
};
pub use self::record::TaskRecord;
use crate::calendar::Calendar;
use crate::db::{self, Database};
use crate::on_db;
use crate::timestamp::Timestamp;

pub type Result<T, E = Error> = std::result::Result<T, E>;
pub type TaskId = i32;

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

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        Error::Database(err.into())
    }
}

/// A task as stored. A date-only due is `due_at` at 00:00:00 UTC with
/// `due_all_day` (see [`Task::due`]); `completed_at` is set only while completed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Task {
    pub id: TaskId,
    pub title: String,
    pub description: Option<String>,
    pub completed: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub due_at: Option<Timestamp>,
    pub due_all_day: bool,
    #[sqlx(try_from = "Option<i16>")]
    pub priority: Priority,
    pub remind_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
}

impl Task {
    pub fn due(&self) -> Option<Due> {
        Due::from_stored(self.due_at, self.due_all_day)
    }
}

/// A task to add: a title, the rest optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewTask {
    pub title: String,
    pub description: Option<String>,
    pub due: Option<Due>,
    pub remind_at: Option<Timestamp>,
    pub priority: Priority,
}

impl NewTask {
    pub fn titled(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            ..Self::default()
        }
    }
}

/// A change to a task: `None` leaves a field as it is; `Some(None)` clears
/// it (an empty description too). `completed: Some(false)` reopens; a new
/// `remind_at` shows its reminder again.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskUpdate {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub due: Option<Option<Due>>,
    pub remind_at: Option<Option<Timestamp>>,
    pub priority: Option<Priority>,
    pub completed: Option<bool>,
}

/// The columns of a [`Task`]. The web version completes and reopens tasks
/// without knowing `completed_at`, so it counts only while `completed` says so.
macro_rules! task_columns {
    () => {
        "id, title, description, completed, created_at, updated_at, due_at, \
         coalesce(due_all_day, false) as due_all_day, priority, remind_at, \
         case when completed = true then completed_at end as completed_at"
    };
}

/// Binds a built statement's values in order, to a `query_as` or a `query_scalar`.
macro_rules! bind {
    ($query:expr, $args:expr) => {{
        let mut bound = $query;
        for arg in $args {
            bound = match arg {
                Arg::Text(text) => bound.bind(text),
                Arg::Time(at) => bound.bind(at),
                Arg::Int(n) => bound.bind(n),
                Arg::Float(x) => bound.bind(x),
            };
        }
        bound
    }};
}

/// The most reminders one call returns.
const REMINDERS_MAX: i64 = 100;

#[derive(Clone, Debug)]
pub struct Tasks {
    db: Database,
    calendar: Calendar,
}

impl Tasks {
    /// On the machine's calendar.
    pub fn new(db: Database) -> Self {
        Self::with_calendar(db, Calendar::system())
    }

    /// `calendar` says what today, tomorrow and overdue mean.
    pub fn with_calendar(db: Database, calendar: Calendar) -> Self {
        Self { db, calendar }
    }

    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    pub async fn add(&self, user_id: &str, title: &str, description: Option<&str>) -> Result<Task> {
        let new = NewTask {
            description: description.map(str::to_owned),
            ..NewTask::titled(title)
        };
        self.create(user_id, new).await
    }

    #[tracing::instrument(name = "tasks.create", skip_all, fields(user_id = %user_id))]
    pub async fn create(&self, user_id: &str, new: NewTask) -> Result<Task> {
        let title = validate_title(&new.title)?;
        let description = validate_description(new.description.as_deref())?;
        let due = new.due.map(Due::stored).transpose()?;
        let remind_at = new.remind_at.map(|at| check_year(at, "A reminder time")).transpose()?;
        let now = Timestamp::from(self.calendar.now());
        let task = on_db!(&self.db, pool => sqlx::query_as(concat!(
            "insert into tasks_phaseiii (user_id, title, description, completed, created_at, updated_at,
                 due_at, due_all_day, priority, remind_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning ", task_columns!()))
            .bind(user_id)
            .bind(&title)
            .bind(&description)
            .bind(false)
            .bind(now)
            .bind(now)
            .bind(due.map(|(at, _)| at))
            .bind(due.map(|(_, all_day)| all_day))
            .bind(new.priority.level())
            .bind(remind_at)
            .fetch_one(pool)
            .await)?;
        Ok(task)
    }

    /// Newest first.
    pub async fn list(&self, user_id: &str, filter: StatusFilter, page: Page) -> Result<Vec<Task>> {
        self.query(user_id, &TaskQuery::status(filter), page).await
    }

    /// The tasks `query` selects, in its order. Its span names no search
    /// words: they are the user's text, kept out of the logs like titles.
    #[tracing::instrument(name = "tasks.query", skip_all, fields(user_id = %user_id, status = ?query.status, due = ?query.due))]
    pub async fn query(&self, user_id: &str, query: &TaskQuery, page: Page) -> Result<Vec<Task>> {
        let statement = query::select(task_columns!(), user_id, query, page, &self.calendar, self.db.dialect())?;
        self.fetch(statement).await
    }

    /// How many tasks `query` selects (its sort aside).
    #[tracing::instrument(name = "tasks.count", skip_all, fields(user_id = %user_id, status = ?query.status, due = ?query.due))]
    pub async fn count(&self, user_id: &str, query: &TaskQuery) -> Result<i64> {
        let Statement { sql, args } = query::count(user_id, query, &self.calendar)?;
        Ok(on_db!(&self.db, pool => bind!(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)), args).fetch_one(pool).await)?)
    }

    async fn fetch(&self, Statement { sql, args }: Statement) -> Result<Vec<Task>> {
        Ok(on_db!(&self.db, pool => bind!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), args).fetch_all(pool).await)?)
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
        if update == TaskUpdate::default() {
            return Err(Error::InvalidRequest(
                "Give something to change: title, description, due, remind_at, priority or completed.".into(),
            ));
        }
        let title = update.title.as_deref().map(validate_title).transpose()?;
        let description = update
            .description
            .as_ref()
            .map(|d| validate_description(d.as_deref()))
            .transpose()?;
        let due = update.due.map(|due| due.map(Due::stored).transpose()).transpose()?;
        let remind_at = update
            .remind_at
            .map(|at| at.map(|at| check_year(at, "A reminder time")).transpose())
            .transpose()?;
        let now = Timestamp::from(self.calendar.now());
        let task: Option<Task> = on_db!(&self.db, pool => sqlx::query_as(concat!(
            "update tasks_phaseiii set title = coalesce($1, title),
                 description = case when $2 then $3 else description end,
                 due_at = case when $4 then $5 else due_at end,
                 due_all_day = case when $4 then $6 else due_all_day end,
                 priority = case when $7 then $8 else priority end,
                 remind_at = case when $9 then $10 else remind_at end,
                 reminded_at = case when $9 and remind_at is distinct from $10 then null else reminded_at end,
                 completed = coalesce($11, completed),
                 completed_at = case when $11 is null then completed_at
                     when $11 = false then null
                     when completed = true then completed_at else $12 end,
                 updated_at = $12
             where id = $13 and user_id = $14 returning ", task_columns!()))
            .bind(title)
            .bind(description.is_some())
            .bind(description.flatten())
            .bind(due.is_some())
            .bind(due.flatten().map(|(at, _)| at))
            .bind(due.flatten().map(|(_, all_day)| all_day))
            .bind(update.priority.is_some())
            .bind(update.priority.and_then(Priority::level))
            .bind(remind_at.is_some())
            .bind(remind_at.flatten())
            .bind(update.completed)
            .bind(now)
            .bind(id)
            .bind(user_id)
            .fetch_optional(pool)
            .await)?;
        task.ok_or(Error::NotFound(id))
    }

    /// Marks the task done (or, with `false`, open again).
    pub async fn set_completed(&self, user_id: &str, id: TaskId, completed: bool) -> Result<Task> {
        let update = TaskUpdate {
            completed: Some(completed),
            ..TaskUpdate::default()
        };
        self.update(user_id, id, update).await
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

    /// Every task of the user, oldest first, with the time its reminder was shown.
    #[tracing::instrument(name = "tasks.records", skip_all, fields(user_id = %user_id))]
    pub async fn records(&self, user_id: &str) -> Result<Vec<TaskRecord>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            task: Task,
            reminded_at: Option<Timestamp>,
        }
        let rows: Vec<Row> = on_db!(&self.db, pool => sqlx::query_as(concat!(
            "select ", task_columns!(), ", reminded_at from tasks_phaseiii where user_id = $1 order by id"))
            .bind(user_id)
            .fetch_all(pool)
            .await)?;
        Ok(rows
            .into_iter()
            .map(|r| TaskRecord::new(r.task, r.reminded_at))
            .collect())
    }

    /// The open tasks whose reminder time has come and whose reminder was not
    /// shown yet, the earliest first (at most 100 at a time).
    #[tracing::instrument(name = "tasks.due_reminders", skip_all, fields(user_id = %user_id))]
    pub async fn due_reminders(&self, user_id: &str, now: Timestamp) -> Result<Vec<Task>> {
        Ok(on_db!(&self.db, pool => sqlx::query_as(concat!(
            "select ", task_columns!(), " from tasks_phaseiii
             where user_id = $1 and reminded_at is null and remind_at <= $2 and completed = false
             order by remind_at, id limit $3"))
            .bind(user_id)
            .bind(now)
            .bind(REMINDERS_MAX)
            .fetch_all(pool)
            .await)?)
    }

    /// Records that the task's reminder was shown at `at`, so
    /// [`Tasks::due_reminders`] no longer returns it.
    #[tracing::instrument(name = "tasks.mark_reminded", skip_all, fields(user_id = %user_id, task_id = id))]
    pub async fn mark_reminded(&self, user_id: &str, id: TaskId, at: Timestamp) -> Result<Task> {
        let task: Option<Task> = on_db!(&self.db, pool => sqlx::query_as(concat!(
            "update tasks_phaseiii set reminded_at = $1 where id = $2 and user_id = $3 returning ", task_columns!()))
            .bind(at)
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
