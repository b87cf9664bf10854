//! Which task a phrase points at: "task 3", "#3 and #4", "buy milk", "it", "all".

use std::collections::HashSet;

use super::kinds::Target;
use super::phrases::{after_any, before, each_word, unquote, words};
use crate::agent::providers::offline::matching;
use crate::tasks::TaskId;

/// What a phrase like "task 3", "#3 and #4" or "buy milk" points at.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Aim {
    Task(Target),
    /// "it", "that one", nothing: ask which.
    Vague,
    /// "all", "my tasks", "completed tasks": not one task.
    Many,
}

/// Task numbers in `text`, if that is all it holds: "task #3", "3, 4 and five".
pub(crate) fn task_numbers(text: &str) -> Option<Vec<TaskId>> {
    const FILLER: &[&str] = &[
        "task", "tasks", "number", "numbers", "no", "nr", "num", "item", "items", "the", "my", "and", "or", "id", "ids",
    ];
    const NUMBER_WORDS: &[&str] = &[
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    let mut numbers = Vec::new();
    let mut seen = HashSet::new();
    for token in text.split(|c: char| c.is_whitespace() || matches!(c, ',' | '&' | '+' | ';')) {
        let token = token
            .trim_matches(|c: char| matches!(c, '#' | '.' | '(' | ')' | '"' | '\'' | ':'))
            .to_lowercase();
        if token.is_empty() || FILLER.contains(&token.as_str()) {
            continue;
        }
        let number = token
            .parse::<TaskId>()
            .ok()
            .or_else(|| {
                NUMBER_WORDS
                    .iter()
                    .position(|w| *w == token)
                    .and_then(|n| TaskId::try_from(n).ok())
            })
            .filter(|n| *n > 0)?;
        if seen.insert(number) {
            numbers.push(number);
        }
    }
    (!numbers.is_empty()).then_some(numbers)
}

/// A title phrase without the words around it: "the task called 'buy milk'" → "buy milk".
fn title_phrase(text: &str) -> &str {
    const LEADING: &[&str] = &[
        "the task called",
        "the task named",
        "the task titled",
        "the task about",
        "the task to",
        "the task",
        "task called",
        "task named",
        "task titled",
        "task",
        "my task",
        "the one called",
        "the one about",
        "the one with",
        "the item",
        "item",
    ];
    let text = unquote(text);
    let text = after_any(text, LEADING).filter(|t| !t.is_empty()).unwrap_or(text);
    let text = before(text, "task").filter(|t| !t.is_empty()).unwrap_or(text);
    unquote(text).trim_end_matches(['.', ',', ';', ':'])
}

pub(super) fn aim(text: &str) -> Aim {
    const MANY: &[&str] = &[
        "all",
        "everything",
        "every",
        "entire",
        "whole",
        "of",
        "my",
        "the",
        "task",
        "tasks",
        "list",
        "items",
        "todos",
        "to-dos",
        "completed",
        "done",
        "finished",
        "old",
        "open",
        "pending",
        "remaining",
    ];
    let text = unquote(text.trim_matches(|c: char| c.is_whitespace() || matches!(c, ':' | ',' | '-')));
    if let Some(numbers) = task_numbers(text) {
        return Aim::Task(Target::Ids(numbers));
    }
    // Read word by word: a long phrase is seldom all of these.
    let mut words = each_word(text).peekable();
    if words.peek().is_none() {
        return Aim::Vague;
    }
    if words.all(|w| MANY.contains(&w.as_str())) {
        return Aim::Many;
    }
    let title = title_phrase(text);
    if !matching::has_key_words(title) {
        return Aim::Vague;
    }
    Aim::Task(Target::Title(title.to_owned()))
}

pub(super) fn mentions_all(text: &str) -> bool {
    words(text)
        .iter()
        .any(|w| matches!(w.as_str(), "all" | "everything" | "every" | "entire" | "whole"))
}
