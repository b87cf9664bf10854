//! Reading messages, one module per family of request.

mod add;
mod complete;
mod dates;
mod delete;
mod edit;
mod list;
mod phrases;
mod small_talk;

use chrono::{NaiveDate, NaiveDateTime};

use super::*;
use crate::tasks::TaskId;
use crate::when::When;

/// Wednesday 2 December 2026, 10:00: what dates in the tests are read against.
fn now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 12, 2)
        .and_then(|d| d.and_hms_opt(10, 0, 0))
        .unwrap_or_default()
}

fn task(title: &str) -> NewTask {
    NewTask {
        title: title.into(),
        description: None,
        due: None,
        remind: false,
        priority: None,
    }
}

fn add(title: &str) -> Intent {
    Intent::Add(vec![task(title)])
}

fn add_with(title: &str, description: &str) -> Intent {
    Intent::Add(vec![NewTask {
        description: Some(description.into()),
        ..task(title)
    }])
}

/// A day of December 2026.
fn day(day: u32) -> When {
    When::Date(NaiveDate::from_ymd_opt(2026, 12, day).unwrap_or_default())
}

/// A time on a day of December 2026.
fn at(day: u32, hour: u32, minute: u32) -> When {
    let date = NaiveDate::from_ymd_opt(2026, 12, day).unwrap_or_default();
    When::At(date.and_hms_opt(hour, minute, 0).unwrap_or_default())
}

fn due(title: &str, when: When) -> Intent {
    Intent::Add(vec![NewTask {
        due: Some(when),
        ..task(title)
    }])
}

fn by_title(title: &str) -> Target {
    Target::Title(title.into())
}

fn by_ids(ids: &[TaskId]) -> Target {
    Target::Ids(ids.to_vec())
}

fn rename(target: Target, title: &str) -> Intent {
    Intent::Edit(vec![Edit {
        target,
        change: Change::Title(title.into()),
    }])
}

fn describe(target: Target, description: &str) -> Intent {
    Intent::Edit(vec![Edit {
        target,
        change: Change::Description(description.into()),
    }])
}

fn check(cases: &[(&str, Intent)]) {
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|(message, expected)| {
            let got = parse(message, now());
            (got != *expected).then(|| format!("{message:?}: expected {expected:?}, got {got:?}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
