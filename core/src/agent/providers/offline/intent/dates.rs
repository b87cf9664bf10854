//! Dates in requests: the due date a new task's words carry ("call mom
//! tomorrow at 5pm"), and changes of due dates and reminders ("move pay rent
//! to next monday", "pay rent is due friday", "remind me about pay rent at
//! 5pm" — which adds the task when there is none by that title — "remove the
//! due date from pay rent"). The dates themselves are `crate::when`'s grammar.

use chrono::NaiveDateTime;

use super::edit::edit_intent;
use super::kinds::{Change, Intent};
use super::phrases::{after, after_any, cuts_any};
use crate::when::{self, When};

pub(super) const ASK_WHEN: &str =
    "To when? Tell me a date, for example \"move pay rent to next monday\" or \"move 3 to tomorrow at 5pm\".";

const DUE_NOUNS: &[&str] = &["due date", "deadline", "date", "due time", "due"];
const REMINDER_NOUNS: &[&str] = &["reminder", "reminders", "alarm"];

/// When to remind of something due `when` ("remind me to call mom
/// tomorrow"), as the tools take it.
pub(crate) fn reminder(when: When) -> String {
    When::At(when.reminder_time()).iso()
}

/// `title` without the date it carries, and that date.
pub(super) fn take_due(title: &str, now: NaiveDateTime) -> (String, Option<When>) {
    let Some(found) = when::find(title, now) else {
        return (title.to_owned(), None);
    };
    let (head, tail) = (title[..found.start].trim_end(), title[found.end..].trim_start());
    // "book flights (next week)": the brackets go with the date.
    let (head, tail) = match (head.strip_suffix('('), tail.strip_prefix(')')) {
        (Some(head), Some(tail)) => (head.trim_end(), tail.trim_start()),
        _ => (head, tail),
    };
    let rest = if head.is_empty() || tail.is_empty() {
        format!("{head}{tail}")
    } else {
        format!("{head} {tail}")
    };
    let rest = rest.trim_end_matches(|c: char| matches!(c, ',' | ';' | ':' | '-') || c.is_whitespace());
    (rest.to_owned(), Some(found.when))
}

/// Changes of a due date or a reminder.
pub(super) fn reschedule(text: &str, now: NaiveDateTime) -> Option<Intent> {
    // "remove the due date from pay rent", "clear the reminder of 3"
    for verb in ["remove", "clear", "delete", "drop", "erase", "unset", "cancel"] {
        let Some(rest) = after(text, verb) else {
            continue;
        };
        let rest = after(rest, "the").unwrap_or(rest);
        let of = &["from", "of", "on", "for", "in"];
        if let Some(which) = after_any(rest, DUE_NOUNS).and_then(|r| after_any(r, of)) {
            return edit_intent(vec![(which, Change::Due(None))]);
        }
        if let Some(which) = after_any(rest, REMINDER_NOUNS).and_then(|r| after_any(r, of)) {
            return edit_intent(vec![(which, Change::NoReminder)]);
        }
    }
    // "set the due date of 3 to friday", "change the deadline for pay rent to the 1st"
    for verb in ["set", "change", "update", "move"] {
        let Some(rest) = after(text, verb) else {
            continue;
        };
        let rest = after(rest, "the").unwrap_or(rest);
        if let Some(rest) = after_any(rest, DUE_NOUNS).and_then(|r| after_any(r, &["of", "for", "on"])) {
            return due_readings(rest, &["to", "for"], now);
        }
    }
    // "move pay rent to next monday", "postpone 3 until friday"
    const MOVES: &[&str] = &[
        "move",
        "push",
        "push back",
        "postpone",
        "reschedule",
        "shift",
        "bump",
        "defer",
        "delay",
        "put off",
    ];
    if let Some(rest) = after_any(text, MOVES) {
        return due_readings(
            rest,
            &["to", "until", "till", "for", "back to", "off to", "off until"],
            now,
        );
    }
    // "make pay rent due friday"
    if let Some(rest) = after(text, "make") {
        let readings = dated_readings(rest, &["due"], now);
        if !readings.is_empty() {
            return edit_intent(readings);
        }
    }
    // "remind me about pay rent at 5pm", "remind me of 3 tomorrow"
    let rest = after(text, "remind me").and_then(|rest| after_any(rest, &["about", "of"]))?;
    let found = when::find(rest, now).filter(|found| rest[found.end..].trim().is_empty())?;
    let change = Change::Remind {
        at: reminder(found.when),
        due: found.when.iso(),
    };
    edit_intent(vec![(&rest[..found.start], change)])
}

/// "pay rent is due friday": a statement of a task's due date.
pub(super) fn due_statement(text: &str, now: NaiveDateTime) -> Option<Intent> {
    let mut readings = dated_readings(text, &["is due", "is now due", "now due", "due"], now);
    // "pay rent is due friday" is about "pay rent", not "pay rent is".
    readings.truncate(1);
    (!readings.is_empty()).then(|| edit_intent(readings)).flatten()
}

/// Readings of "X <separator> <date>" where the date is all that follows.
fn dated_readings<'a>(text: &'a str, separators: &[&str], now: NaiveDateTime) -> Vec<(&'a str, Change)> {
    cuts_any(text, separators)
        .into_iter()
        .filter_map(|(which, date)| Some((which, Change::Due(Some(when::parse(date, now)?.iso())))))
        .collect()
}

fn due_readings(text: &str, separators: &[&str], now: NaiveDateTime) -> Option<Intent> {
    let readings = dated_readings(text, separators, now);
    if readings.is_empty() {
        // "postpone pay rent friday", "move 3 tomorrow"
        if let Some(found) = when::find(text, now).filter(|found| text[found.end..].trim().is_empty())
            && found.start > 0
        {
            return edit_intent(vec![(&text[..found.start], Change::Due(Some(found.when.iso())))]);
        }
        return Some(Intent::Ask(ASK_WHEN));
    }
    edit_intent(readings)
}
