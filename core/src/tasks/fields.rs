//! A task's fields as the rules see them: the text fields' limits, the
//! priority, and the due date or instant.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::{Error, Result};
use crate::calendar::YEARS;
use crate::timestamp::Timestamp;

pub const TITLE_MAX_CHARS: usize = 200;
pub const DESCRIPTION_MAX_CHARS: usize = 1000;

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

    pub(super) fn allowed(self) -> &'static str {
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

pub(super) fn validate_title(title: &str) -> Result<String> {
    let title = TextField::Title.check(title.trim())?;
    if (1..=TITLE_MAX_CHARS).contains(&title.chars().count()) {
        Ok(title.to_owned())
    } else {
        Err(Error::InvalidTitle)
    }
}

/// Trimmed; empty means none.
pub(super) fn validate_description(description: Option<&str>) -> Result<Option<String>> {
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

/// How much a task matters. Stored as 1 (low) to 3 (high), NULL for none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    #[default]
    None,
    Low,
    Medium,
    High,
}

impl Priority {
    pub const ALL: [Priority; 4] = [Priority::None, Priority::Low, Priority::Medium, Priority::High];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::None => "none",
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
        }
    }

    /// The stored value: 1 low, 2 medium, 3 high; `None` for none.
    pub fn level(self) -> Option<i16> {
        match self {
            Priority::None => None,
            Priority::Low => Some(1),
            Priority::Medium => Some(2),
            Priority::High => Some(3),
        }
    }
}

/// From the stored value; anything else another program wrote is none.
impl From<Option<i16>> for Priority {
    fn from(level: Option<i16>) -> Self {
        Priority::ALL
            .into_iter()
            .find(|p| p.level() == level)
            .unwrap_or_default()
    }
}

impl FromStr for Priority {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let word = s.trim().to_ascii_lowercase();
        Priority::ALL
            .into_iter()
            .find(|p| p.as_str() == word)
            .ok_or_else(|| Error::InvalidRequest(format!("Unknown priority {s:?}: use none, low, medium or high.")))
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When a task is due: a calendar date (the same day in every zone), or an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Due {
    Date(NaiveDate),
    At(Timestamp),
}

impl Due {
    /// As stored: the instant (a date at 00:00:00 UTC) and whether it is a date.
    /// Refuses years outside [`YEARS`].
    pub(super) fn stored(self) -> Result<(Timestamp, bool)> {
        let (at, all_day) = match self {
            Due::Date(date) => (Timestamp::from(date.and_time(NaiveTime::MIN).and_utc()), true),
            Due::At(at) => (at, false),
        };
        check_year(at, "A due date")?;
        Ok((at, all_day))
    }

    /// From the wire's `due_at` and `due_all_day` (HTTP, IPC), which are the
    /// stored columns: a date must be that date at 00:00:00 UTC.
    pub fn from_wire(at: Timestamp, all_day: bool) -> Result<Due> {
        let at_time = at.as_datetime();
        match all_day {
            false => Ok(Due::At(at)),
            true if at_time.time() == NaiveTime::MIN => Ok(Due::Date(at_time.date_naive())),
            true => Err(Error::InvalidRequest(
                "With due_all_day, due_at must be the date at 00:00:00Z, e.g. 2026-12-24T00:00:00Z.".into(),
            )),
        }
    }

    /// From the stored columns.
    pub(super) fn from_stored(at: Option<Timestamp>, all_day: bool) -> Option<Due> {
        at.map(|at| match all_day {
            true => Due::Date(at.as_datetime().date_naive()),
            false => Due::At(at),
        })
    }
}

/// `at`, if its year is in [`YEARS`].
pub(super) fn check_year(at: Timestamp, what: &str) -> Result<Timestamp> {
    if YEARS.contains(&at.as_datetime().year()) {
        Ok(at)
    } else {
        Err(Error::InvalidRequest(format!(
            "{what} must be in the years {}-{}.",
            YEARS.start(),
            YEARS.end()
        )))
    }
}
