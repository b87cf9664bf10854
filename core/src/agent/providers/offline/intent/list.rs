//! Questions about the list: "what's on my list?", "what is still open?", "what have I done?".

use super::kinds::Intent;
use super::phrases::{each_word, has_phrase, words};
use crate::tasks::StatusFilter;

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
    asks.then(|| Intent::List(status(&words)))
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
