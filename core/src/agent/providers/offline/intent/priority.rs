//! Priorities: the words that give a new task one ("urgent: call the bank",
//! "add a high priority task to pay rent", "learn guitar someday"), and
//! changes of it ("make 3 high priority", "mark pay rent as urgent",
//! "prioritize 3").

use super::edit::edit_intent;
use super::kinds::{Change, Intent};
use super::phrases::{after, after_any, before_any, cuts_any, opens_new_task};

/// Words that give a priority, each with the tools' name of it.
const LEVELS: &[(&str, &str)] = &[
    ("high priority", "high"),
    ("high-priority", "high"),
    ("top priority", "high"),
    ("urgent", "high"),
    ("urgently", "high"),
    ("asap", "high"),
    ("important", "high"),
    ("medium priority", "medium"),
    ("medium-priority", "medium"),
    ("normal priority", "medium"),
    ("low priority", "low"),
    ("low-priority", "low"),
    ("someday", "low"),
    ("some day", "low"),
    ("no rush", "low"),
];

/// "important" and "medium" read as a priority only where nothing else fits:
/// "important documents" is a title.
const AT_THE_START: &[(&str, &str)] = &[
    ("urgent:", "high"),
    ("urgent", "high"),
    ("asap:", "high"),
    ("asap", "high"),
    ("important:", "high"),
    ("high priority:", "high"),
    ("high priority", "high"),
    ("low priority:", "low"),
    ("low priority", "low"),
    ("someday", "low"),
];

const AT_THE_END: &[(&str, &str)] = &[
    ("urgent", "high"),
    ("(urgent)", "high"),
    ("urgently", "high"),
    ("asap", "high"),
    ("(asap)", "high"),
    ("it's urgent", "high"),
    ("it is urgent", "high"),
    ("it's important", "high"),
    ("it is important", "high"),
    ("high priority", "high"),
    ("(high priority)", "high"),
    ("with high priority", "high"),
    ("as high priority", "high"),
    ("medium priority", "medium"),
    ("(medium priority)", "medium"),
    ("low priority", "low"),
    ("(low priority)", "low"),
    ("with low priority", "low"),
    ("as low priority", "low"),
    ("someday", "low"),
    ("no rush", "low"),
];

fn names(table: &[(&'static str, &'static str)]) -> Vec<&'static str> {
    table.iter().map(|(words, _)| *words).collect()
}

fn level(table: &[(&str, &'static str)], words: &str) -> Option<&'static str> {
    let words = words.to_lowercase();
    table.iter().find(|(w, _)| *w == words).map(|(_, level)| *level)
}

/// A new task's words without the priority they give, and that priority.
pub(super) fn take_priority(title: &str) -> (Option<&'static str>, &str) {
    fn tidy<'a>(level: &'static str, rest: &'a str) -> Option<(Option<&'static str>, &'a str)> {
        let rest = rest.trim_matches(|c: char| matches!(c, ',' | ';' | ':' | '-' | '!') || c.is_whitespace());
        (!rest.is_empty()).then_some((Some(level), rest))
    }
    for (words, level) in AT_THE_START {
        if let Some(found) = after(title, words).and_then(|rest| tidy(level, rest)) {
            return found;
        }
    }
    let trimmed = title.trim_end_matches(|c: char| matches!(c, '!' | '.') || c.is_whitespace());
    // The longest ending: "it's urgent" rather than "urgent".
    AT_THE_END
        .iter()
        .filter_map(|(words, level)| Some((words.len(), tidy(level, before_any(trimmed, &[words])?)?)))
        .max_by_key(|(len, _)| *len)
        .map_or((None, title), |(_, found)| found)
}

/// The priority `words` name on their own: "urgent", "(low priority)".
pub(super) fn named_priority(words: &str) -> Option<&'static str> {
    level(LEVELS, words.trim_matches(['(', ')', ' ']))
}

/// "a high priority task", "an urgent reminder": the priority before the noun.
pub(super) fn adjective(text: &str) -> (Option<&'static str>, &str) {
    let rest = after_any(text, &["a", "an"]).unwrap_or(text);
    match after_any(rest, &names(LEVELS)) {
        Some(after_level) => {
            let said = &rest[..rest.len() - after_level.len()];
            (level(LEVELS, said.trim()), after_level)
        }
        None => (None, text),
    }
}

/// Changes of a task's priority.
pub(super) fn reprioritize(text: &str) -> Option<Intent> {
    let change = |level: &str| Change::Priority(level.to_owned());
    if let Some(which) = after_any(text, &["prioritize", "prioritise"]) {
        return edit_intent(vec![(which, change("high"))]);
    }
    if let Some(which) = after_any(text, &["deprioritize", "deprioritise"]) {
        return edit_intent(vec![(which, change("low"))]);
    }
    for verb in ["make", "mark", "set", "flag", "change", "give"] {
        // "make an urgent task to …", "set a reminder to call mom asap" add a task.
        let Some(rest) = after(text, verb).filter(|rest| !opens_new_task(rest)) else {
            continue;
        };
        // "set the priority of 3 to high"
        let rest_after_the = after(rest, "the").unwrap_or(rest);
        if let Some(rest) = after(rest_after_the, "priority").and_then(|r| after_any(r, &["of", "for", "on"])) {
            let readings: Vec<_> = cuts_any(rest, &["to"])
                .into_iter()
                .filter_map(|(which, said)| {
                    let said = said.trim_end_matches(" priority");
                    let level = level(&[("high", "high"), ("medium", "medium"), ("low", "low")], said)
                        .or_else(|| level(LEVELS, said))?;
                    Some((which, change(level)))
                })
                .collect();
            return edit_intent(readings);
        }
        // "make 3 high priority", "mark pay rent as urgent", "flag 3 important"
        for (words, level) in LEVELS {
            if let Some(which) = before_any(rest, &[words]) {
                let which = before_any(which, &["as", "to", "a", "as a", "an", "as an"]).unwrap_or(which);
                return edit_intent(vec![(which, change(level))]);
            }
        }
    }
    None
}

/// "pay rent is urgent": a statement, so read after the questions ("what is urgent?").
pub(super) fn priority_statement(text: &str) -> Option<Intent> {
    let change = |level: &str| Change::Priority(level.to_owned());
    let which = before_any(
        text,
        &["is urgent", "is high priority", "is important", "is low priority"],
    )?;
    let level = if text.to_lowercase().ends_with("low priority") {
        "low"
    } else {
        "high"
    };
    edit_intent(vec![(which, change(level))])
}
