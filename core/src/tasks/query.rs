//! Which tasks a list returns and in what order: status, due window,
//! priority and words, sorted by creation, due date or priority, one page
//! at a time. Built as one SQL text with bound values for both dialects.

use std::str::FromStr;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::fields::Priority;
use super::{Error, Result};
use crate::calendar::Calendar;
use crate::db::{self, Dialect};
use crate::timestamp::Timestamp;

pub const PAGE_MAX: u32 = 500;
pub const PAGE_DEFAULT: u32 = 100;
/// The longest text query, and the most words of it matched.
pub const QUERY_MAX_CHARS: usize = 200;
pub const QUERY_MAX_WORDS: usize = 8;

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

/// Tasks by when they are due, in the calendar's zone. `Week` is today and
/// the six days after it; `Overdue` is a timed due before now or a date
/// before today, on open tasks only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum DueFilter {
    Overdue,
    Today,
    Tomorrow,
    Week,
    None,
}

impl DueFilter {
    pub const ALL: [DueFilter; 5] = [
        DueFilter::Overdue,
        DueFilter::Today,
        DueFilter::Tomorrow,
        DueFilter::Week,
        DueFilter::None,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DueFilter::Overdue => "overdue",
            DueFilter::Today => "today",
            DueFilter::Tomorrow => "tomorrow",
            DueFilter::Week => "week",
            DueFilter::None => "none",
        }
    }
}

impl FromStr for DueFilter {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let word = s.trim().to_ascii_lowercase();
        DueFilter::ALL.into_iter().find(|f| f.as_str() == word).ok_or_else(|| {
            Error::InvalidRequest(format!(
                "Unknown due filter {s:?}: use overdue, today, tomorrow, week or none."
            ))
        })
    }
}

/// The order of a list. `Created` is newest first; `Due` soonest first, tasks
/// without a due last; `Priority` highest first, then by due.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Created,
    Due,
    Priority,
}

impl FromStr for Sort {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "created" => Ok(Sort::Created),
            "due" => Ok(Sort::Due),
            "priority" => Ok(Sort::Priority),
            _ => Err(Error::InvalidRequest(format!(
                "Unknown sort {s:?}: use due, priority or created."
            ))),
        }
    }
}

/// Which slice of a list to return. Offset paging: a list past [`PAGE_MAX`]
/// is read page by page; a task added meanwhile shifts the later pages by one.
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

/// What a list asks for; every part optional. `text` matches tasks whose
/// title or description contains each of its words, ignoring case (on
/// SQLite, the case of ASCII letters only).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskQuery {
    pub status: StatusFilter,
    pub due: Option<DueFilter>,
    pub priority: Option<Priority>,
    pub text: Option<String>,
    pub sort: Sort,
}

impl TaskQuery {
    pub fn status(status: StatusFilter) -> Self {
        Self {
            status,
            ..Self::default()
        }
    }
}

/// A value bound to a built statement.
#[derive(Debug)]
pub(super) enum Arg {
    Text(String),
    Time(Timestamp),
    Int(i64),
    Float(f64),
}

/// An SQL text with its bound values, numbered `$1`, `$2`… in order.
#[derive(Debug, Default)]
pub(super) struct Statement {
    pub(super) sql: String,
    pub(super) args: Vec<Arg>,
}

impl Statement {
    fn bind(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }
}

/// The instants bounding a due window, for timed dues and for dates.
struct Window {
    timed: (Option<DateTime<Utc>>, DateTime<Utc>),
    dates: (Option<DateTime<Utc>>, DateTime<Utc>),
}

fn midnight_utc(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(NaiveTime::MIN).and_utc()
}

fn window(filter: DueFilter, calendar: &Calendar) -> Option<Window> {
    let today = calendar.today();
    let days = |from: i64, count: i64| {
        let (first, end) = (today + Duration::days(from), today + Duration::days(from + count));
        Window {
            timed: (Some(calendar.start_of_day(first)), calendar.start_of_day(end)),
            dates: (Some(midnight_utc(first)), midnight_utc(end)),
        }
    };
    match filter {
        DueFilter::None => None,
        DueFilter::Overdue => Some(Window {
            timed: (None, calendar.now()),
            dates: (None, midnight_utc(today)),
        }),
        DueFilter::Today => Some(days(0, 1)),
        DueFilter::Tomorrow => Some(days(1, 1)),
        DueFilter::Week => Some(days(0, 7)),
    }
}

/// The text's words as `like` patterns; refuses a text longer than
/// [`QUERY_MAX_CHARS`] or of more than [`QUERY_MAX_WORDS`] words.
fn word_patterns(text: &str) -> Result<Vec<String>> {
    db::like_patterns(text, QUERY_MAX_CHARS, QUERY_MAX_WORDS).ok_or_else(|| {
        Error::InvalidRequest(format!(
            "A search is at most {QUERY_MAX_WORDS} words and {QUERY_MAX_CHARS} characters."
        ))
    })
}

/// `select <columns> from tasks_phaseiii where … order by … limit … offset …`.
pub(super) fn select(
    columns: &str,
    user_id: &str,
    query: &TaskQuery,
    page: Page,
    calendar: &Calendar,
    dialect: Dialect,
) -> Result<Statement> {
    if page.limit == 0 || page.limit > PAGE_MAX {
        return Err(Error::InvalidRequest(format!("A page holds 1 to {PAGE_MAX} tasks.")));
    }
    let mut statement = filtered(columns, user_id, query, calendar)?;
    let due_order = due_order(&mut statement, calendar, dialect);
    let order = match query.sort {
        Sort::Created => "created_at desc, id desc".to_owned(),
        Sort::Due => format!("due_at is null, {due_order}, coalesce(priority, 0) desc, id desc"),
        Sort::Priority => format!("coalesce(priority, 0) desc, due_at is null, {due_order}, created_at desc, id desc"),
    };
    let limit = statement.bind(Arg::Int(i64::from(page.limit)));
    let offset = statement.bind(Arg::Int(i64::from(page.offset)));
    statement
        .sql
        .push_str(&format!(" order by {order} limit {limit} offset {offset}"));
    Ok(statement)
}

/// `select count(*) from tasks_phaseiii where …`.
pub(super) fn count(user_id: &str, query: &TaskQuery, calendar: &Calendar) -> Result<Statement> {
    filtered("count(*)", user_id, query, calendar)
}

/// `select <columns> from tasks_phaseiii where …`: the user's tasks `query` selects.
fn filtered(columns: &str, user_id: &str, query: &TaskQuery, calendar: &Calendar) -> Result<Statement> {
    let mut statement = Statement::default();
    let user = statement.bind(Arg::Text(user_id.to_owned()));
    let mut sql = format!("select {columns} from tasks_phaseiii where user_id = {user}");
    sql.push_str(match query.status {
        StatusFilter::All => "",
        StatusFilter::Pending => " and completed = false",
        StatusFilter::Completed => " and completed = true",
    });
    if let Some(filter) = query.due {
        due_condition(&mut statement, &mut sql, filter, calendar);
    }
    if let Some(priority) = query.priority {
        let level = statement.bind(Arg::Int(priority.level().map_or(0, i64::from)));
        sql.push_str(&format!(" and coalesce(priority, 0) = {level}"));
    }
    for pattern in word_patterns(query.text.as_deref().unwrap_or_default())? {
        let pattern = statement.bind(Arg::Text(pattern));
        sql.push_str(&format!(
            " and lower(title || ' ' || coalesce(description, '')) like {pattern} escape '\\'"
        ));
    }
    statement.sql = sql;
    Ok(statement)
}

/// The due window as a range of `due_at` (which its index serves) narrowed
/// to timed dues in one range and dates in the other.
fn due_condition(statement: &mut Statement, sql: &mut String, filter: DueFilter, calendar: &Calendar) {
    let Some(window) = window(filter, calendar) else {
        sql.push_str(" and due_at is null");
        return;
    };
    if filter == DueFilter::Overdue {
        sql.push_str(" and completed = false");
    }
    let mut range = |(from, to): (Option<DateTime<Utc>>, DateTime<Utc>)| {
        let to = statement.bind(Arg::Time(to.into()));
        match from {
            Some(from) => format!("due_at >= {} and due_at < {to}", statement.bind(Arg::Time(from.into()))),
            None => format!("due_at < {to}"),
        }
    };
    let outer = range((window.timed.0.min(window.dates.0), window.timed.1.max(window.dates.1)));
    let timed = range(window.timed);
    let dates = range(window.dates);
    sql.push_str(&format!(
        " and {outer} and ((coalesce(due_all_day, false) = false and {timed}) or (due_all_day = true and {dates}))"
    ));
}

/// `due_at` as a sort key: a date counts from its midnight in the calendar's
/// zone (at today's offset), so it sorts among the timed dues of its day.
fn due_order(statement: &mut Statement, calendar: &Calendar, dialect: Dialect) -> String {
    let now = calendar.now();
    let offset = (calendar.to_local(now) - now.naive_utc()).num_seconds();
    match dialect {
        Dialect::Sqlite => {
            let shift = statement.bind(Arg::Text(format!("{} seconds", -offset)));
            format!("case when due_all_day = true then strftime('%Y-%m-%dT%H:%M:%fZ', due_at, {shift}) else due_at end")
        }
        Dialect::Postgres => {
            let shift = statement.bind(Arg::Float(offset as f64));
            format!("case when due_all_day = true then due_at - make_interval(secs => {shift}) else due_at end")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_and_sorts_parse_their_words_and_name_them_when_refused() {
        assert_eq!("Week".parse::<DueFilter>().ok(), Some(DueFilter::Week));
        assert_eq!(" due ".parse::<Sort>().ok(), Some(Sort::Due));
        assert_eq!("Pending".parse::<StatusFilter>().ok(), Some(StatusFilter::Pending));
        assert_eq!("done".parse::<StatusFilter>().ok(), Some(StatusFilter::Completed));
        let refused = "later"
            .parse::<DueFilter>()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(refused.contains("overdue, today, tomorrow, week or none"), "{refused}");
        assert!(matches!("later".parse::<StatusFilter>(), Err(Error::InvalidRequest(_))));
        assert!("size".parse::<Sort>().is_err());
    }

    #[test]
    fn search_words_are_lowercased_escaped_and_bounded() {
        assert_eq!(
            word_patterns(" Milk  100%_\\ ").ok(),
            Some(vec!["%milk%".to_owned(), "%100\\%\\_\\\\%".to_owned()])
        );
        assert_eq!(word_patterns("").ok(), Some(vec![]));
        assert!(word_patterns(&"a ".repeat(QUERY_MAX_WORDS + 1)).is_err());
        assert!(word_patterns(&"a".repeat(QUERY_MAX_CHARS + 1)).is_err());
    }
}
