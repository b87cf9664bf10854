//! Questions about the list: "what's on my list?", "what is still open?",
//! "what have I done?", "what's due this week?", "what is overdue?", "what is
//! high priority?", "find milk".

use super::kinds::{Intent, ListQuery};
use super::phrases::{after_any, before_any, each_word, has_phrase, unquote, words};
use crate::tasks::StatusFilter;

pub(super) const ASK_WHAT_TO_FIND: &str = "What should I look for? For example: \"find milk\".";

/// "find milk", "search for the dentist", "which tasks mention rent?"
pub(super) fn search(text: &str) -> Option<Intent> {
    const OPENERS: &[&str] = &[
        "find",
        "find tasks about",
        "find my tasks about",
        "search",
        "search for",
        "search my tasks for",
        "search my list for",
        "look for",
        "look up",
        "which tasks mention",
        "what tasks mention",
        "any tasks about",
        "tasks about",
        "tasks mentioning",
        "show tasks about",
        "show me tasks about",
    ];
    let rest = after_any(text, OPENERS)?;
    let rest = before_any(rest, &["in my list", "on my list", "in my tasks", "in the list"]).unwrap_or(rest);
    let words = unquote(rest);
    Some(if words.is_empty() {
        Intent::Ask(ASK_WHAT_TO_FIND)
    } else {
        Intent::List(ListQuery {
            words: Some(words.to_owned()),
            ..ListQuery::default()
        })
    })
}

pub(super) fn list(text: &str) -> Option<Intent> {
    const STARTS: &[&str] = &[
        "show",
        "list",
        "display",
        "view",
        "see",
        "what",
        "what's",
        "whats",
        "which",
        "give",
        "tell",
        "let",
        "read",
        "how",
        "do",
        "does",
        "have",
        "did",
        "is",
        "are",
        "any",
        "anything",
        "get",
        "print",
        "my",
        "all",
        "pending",
        "open",
        "completed",
        "complete",
        "finished",
        "unfinished",
        "incomplete",
        "check",
        "remaining",
        "outstanding",
        "current",
        "where",
        "know",
        "everything",
        "todo",
        "todos",
        "to-do",
        "to-dos",
        "tasks",
        "task",
        "remind",
    ];
    const TOPICS: &[&str] = &[
        "task",
        "tasks",
        "list",
        "lists",
        "todo",
        "todos",
        "to-do",
        "to-dos",
        "done",
        "open",
        "pending",
        "left",
        "remaining",
        "completed",
        "complete",
        "finished",
        "agenda",
        "plate",
        "everything",
        "items",
        "outstanding",
        "accomplished",
        "incomplete",
        "unfinished",
        "undone",
        "next",
        "still",
        "due",
        "overdue",
        "late",
        "priority",
        "urgent",
        "important",
    ];
    const TOPIC_PHRASES: &[&str] = &[
        "to do",
        "have to",
        "need to",
        "did i",
        "do i have",
        "should i",
        "got to",
    ];
    const ON_THEIR_OWN: &[&str] = &["show", "status", "ls", "all", "show all", "list all"];
    const AROUND_A_TOPIC: &[&str] = &["my", "the", "all", "show", "list"];
    // Only a question that starts like one may be longer than three words.
    let head: Vec<String> = each_word(text).take(4).collect();
    let words = match head.len() {
        // Fewer than four: these are all the words.
        0..=3 => head,
        _ if !head.first().is_some_and(|w| STARTS.contains(&w.as_str())) => return None,
        _ => words(text),
    };
    let first = words.first()?;
    let is_topic = |w: &String| TOPICS.contains(&w.as_str());
    let topic = words.iter().any(is_topic) || TOPIC_PHRASES.iter().any(|p| has_phrase(&words, p));
    // "pending", "my tasks", "open tasks"
    let short = words.len() <= 3
        && topic
        && words
            .iter()
            .all(|w| is_topic(w) || AROUND_A_TOPIC.contains(&w.as_str()));
    let asks = (STARTS.contains(&first.as_str()) && topic) || short || ON_THEIR_OWN.contains(&words.join(" ").as_str());
    asks.then(|| Intent::List(query(&words)))
}

/// The status, due date and priority a question asks about.
fn query(words: &[String]) -> ListQuery {
    const DUE: &[(&str, &str)] = &[
        ("overdue", "overdue"),
        ("late", "overdue"),
        ("past due", "overdue"),
        ("no due date", "none"),
        ("without a due date", "none"),
        ("no date", "none"),
        ("undated", "none"),
        ("today", "today"),
        ("tonight", "today"),
        ("tomorrow", "tomorrow"),
        ("this week", "week"),
        ("the week", "week"),
        ("next 7 days", "week"),
        ("coming week", "week"),
    ];
    const PRIORITY: &[(&str, &str)] = &[
        ("high priority", "high"),
        ("high-priority", "high"),
        ("urgent", "high"),
        ("important", "high"),
        ("medium priority", "medium"),
        ("low priority", "low"),
        ("low-priority", "low"),
    ];
    let find = |table: &[(&str, &'static str)]| {
        table
            .iter()
            .find(|(phrase, _)| has_phrase(words, phrase))
            .map(|(_, name)| *name)
    };
    let (due, priority) = (find(DUE), find(PRIORITY));
    let status = match status(words) {
        // Done tasks are no longer due, nor pressing.
        StatusFilter::All if due.is_some() || priority.is_some() => StatusFilter::Pending,
        status => status,
    };
    ListQuery {
        status,
        due,
        priority,
        words: None,
    }
}

fn status(words: &[String]) -> StatusFilter {
    const NOT_DONE: &[&str] = &[
        "not done",
        "not finished",
        "not completed",
        "not complete",
        "not yet",
        "undone",
        "incomplete",
        "unfinished",
        "outstanding",
        "haven't done",
        "have not done",
        "haven't finished",
        "didn't do",
        "didn't finish",
        "yet to do",
    ];
    const DONE: &[&str] = &[
        "done",
        "completed",
        "complete",
        "finished",
        "did i",
        "accomplished",
        "achieved",
        "checked off",
        "ticked off",
        "crossed off",
    ];
    const OPEN: &[&str] = &[
        "open",
        "pending",
        "left",
        "remaining",
        "still",
        "to do",
        "todo",
        "todos",
        "to-do",
        "to-dos",
        "next",
        "have to",
        "need to",
        "should i",
        "due",
        "active",
        "upcoming",
        "got to",
    ];
    const BOTH: &[&str] = &["including", "both", "as well", "and done", "and completed"];
    // "my to-do list" names the list; it says nothing about status.
    let mut words: Vec<String> = words.to_vec();
    for name in [["to-do", "list"], ["todo", "list"]] {
        if let Some(at) = words.windows(2).position(|w| w == name) {
            words.remove(at);
        }
    }
    if let Some(at) = words.windows(3).position(|w| w == ["to", "do", "list"]) {
        words.drain(at..at + 2);
    }
    let has = |phrases: &[&str]| phrases.iter().any(|p| has_phrase(&words, p));
    if has(NOT_DONE) {
        return StatusFilter::Pending;
    }
    match (has(DONE), has(OPEN)) {
        _ if has(BOTH) => StatusFilter::All,
        (true, false) => StatusFilter::Completed,
        (false, true) => StatusFilter::Pending,
        _ => StatusFilter::All,
    }
}
