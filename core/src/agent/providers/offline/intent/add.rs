//! Adding tasks: "add buy milk", "remind me to call mom", "put eggs on my list".
//!
//! A new task's description: what follows the title after `: `, ` - `,
//! "with description", "with a note" or "with details", or in brackets at the
//! end ("add buy milk: 2 litres", "add buy milk (2 litres)"). A quoted title
//! may contain any of those ("add 'meeting: plan Q3'").

use super::kinds::Intent;
use super::phrases::{after, after_any, before_any, cuts_any, leading_quoted, unquote};

pub(super) const ASK_WHAT_TO_ADD: &str = "What should I add? For example: \"add buy milk\".";

/// Words that say where a new task goes, not what it is.
const LIST_MENTIONS: &[&str] = &[
    "to my list",
    "to the list",
    "on my list",
    "on the list",
    "in my list",
    "onto my list",
    "to my to-do list",
    "to my todo list",
    "to my to do list",
    "to the to-do list",
    "to the todo list",
    "on my to-do list",
    "on my todo list",
    "to my tasks",
    "to the tasks",
    "to my task list",
    "to my todos",
    "to my to-dos",
    "to list",
    "to tasks",
    "as a task",
    "as a new task",
    "as a todo",
    "as a to-do",
    "as a reminder",
];

/// "set a reminder to …" adds a task, though "set" also starts an edit.
pub(super) const SET_A_REMINDER: &[&str] = &["set a reminder", "set reminder", "set up a reminder"];

const TASK_NOUNS: &[&str] = &["task", "todo", "to-do", "to do", "item", "reminder", "entry"];

/// Words that start a new task's description after its title: "add buy
/// milk with a note 2 litres", "add 'call mom' notes: ask about Sunday".
const DESCRIPTION_WORDS: [&str; 13] = [
    "with description",
    "with the description",
    "with a description",
    "with note",
    "with a note",
    "with the note",
    "with notes",
    "with details",
    "with the details",
    "description:",
    "note:",
    "notes:",
    "details:",
];

/// [`DESCRIPTION_WORDS`] and punctuation between a title and its description,
/// in unquoted text: the punctuation only with spaces around it, as "buy
/// milk: 2 litres" has and "meeting at 10:30" has not.
const DESCRIPTION_CUTS: [&str; 17] = with_punctuation(&DESCRIPTION_WORDS, [": ", " - ", " \u{2013} ", " \u{2014} "]);

/// The same, at the start of what follows a quoted title, where nothing precedes the punctuation.
const DESCRIPTION_OPENERS: [&str; 17] = with_punctuation(&DESCRIPTION_WORDS, [":", "-", "\u{2013}", "\u{2014}"]);

const fn with_punctuation(words: &[&'static str; 13], punctuation: [&'static str; 4]) -> [&'static str; 17] {
    let mut all = [""; 17];
    let mut at = 0;
    while at < words.len() {
        all[at] = words[at];
        at += 1;
    }
    while at < all.len() {
        all[at] = punctuation[at - words.len()];
        at += 1;
    }
    all
}

/// `text` without a mention of the list ("buy milk to my list" → "buy milk").
fn without_list_mention(text: &str) -> String {
    if let Some(head) = before_any(text, LIST_MENTIONS) {
        return head.to_owned();
    }
    if let Some(rest) = after_any(text, LIST_MENTIONS) {
        return rest.trim_start_matches([':', ' ']).to_owned();
    }
    match cuts_any(text, LIST_MENTIONS).first() {
        // "'call mom' to my list: ask about Sunday" → "'call mom': ask about Sunday"
        Some((head, rest)) if rest.starts_with([':', '-', '(']) => format!("{head}{rest}"),
        Some((head, rest)) => format!("{head} {rest}"),
        None => text.to_owned(),
    }
}

fn clean_description(text: &str) -> Option<String> {
    let text = after_any(text, &["saying", "that says", "of"]).unwrap_or(text);
    let text = unquote(text.trim_start_matches([':', ' ']));
    (!text.is_empty()).then(|| text.to_owned())
}

fn clean_title(text: &str) -> String {
    unquote(text)
        .trim_end_matches(|c: char| matches!(c, '.' | ',' | ';' | ':') || c.is_whitespace())
        .to_owned()
}

/// A new task from the text after "add": title, then an optional description.
pub(super) fn add_intent(text: &str) -> Intent {
    let text = without_list_mention(text);
    let (title, description) = if let Some((quoted, rest)) = leading_quoted(&text) {
        match after_any(rest, &DESCRIPTION_OPENERS) {
            Some(description) => (quoted.to_owned(), clean_description(description)),
            None if rest.is_empty() => (quoted.to_owned(), None),
            // "'call mom' tomorrow": the quotes were for emphasis.
            None => (format!("{quoted} {rest}"), None),
        }
    } else if let Some((title, description)) = cuts_any(&text, &DESCRIPTION_CUTS).first() {
        ((*title).to_owned(), clean_description(description))
    } else if let Some((title, note)) = text.strip_suffix(')').and_then(|t| t.rsplit_once(" (")) {
        (title.to_owned(), clean_description(note))
    } else {
        (text.clone(), None)
    };
    let title = clean_title(&title);
    if title.is_empty() {
        return Intent::Ask(ASK_WHAT_TO_ADD);
    }
    Intent::Add { title, description }
}

/// "a new task called X" → (true, "X"); "buy milk" → (false, "buy milk").
fn after_task_noun(text: &str) -> (bool, &str) {
    let rest = after_any(text, &["a new", "another", "one more", "a", "an", "new", "the"]).unwrap_or(text);
    let Some(rest) = after_any(rest, TASK_NOUNS) else {
        return (false, after_any(text, LIST_MENTIONS).unwrap_or(text));
    };
    let rest = after_any(rest, LIST_MENTIONS).unwrap_or(rest);
    let connectors = [
        "called",
        "named",
        "titled",
        "saying",
        "that says",
        "to",
        "for",
        "about",
        "of",
        "that",
        ":",
        "-",
    ];
    (true, after_any(rest, &connectors).unwrap_or(rest))
}

pub(super) fn add(text: &str) -> Option<Intent> {
    if let Some(rest) = after_any(
        text,
        &["add", "create", "note down", "jot down", "write down", "insert"],
    ) {
        let (_, rest) = after_task_noun(rest);
        let rest = after(rest, ":").unwrap_or(rest);
        return Some(add_intent(rest));
    }
    // "make a task to …", "new task: …"; but "make dinner" is a task's title.
    let noun_next = after_any(text, &["make", "start"]).or_else(|| after(text, "new").map(|_| text));
    if let Some(rest) = noun_next {
        let (had_noun, rest) = after_task_noun(rest);
        return had_noun.then(|| add_intent(rest));
    }
    // "put buy milk on my list"
    if let Some(rest) = after(text, "put") {
        let mentions_list = before_any(rest, LIST_MENTIONS).is_some() || !cuts_any(rest, LIST_MENTIONS).is_empty();
        return mentions_list.then(|| add_intent(rest));
    }
    // "set a reminder to call mom"
    if let Some(rest) = after_any(text, SET_A_REMINDER) {
        return Some(add_intent(
            after_any(rest, &["to", "for", "about", "that"]).unwrap_or(rest),
        ));
    }
    // "task: water the plants", "todo - call mom"
    if let Some(rest) = after_any(text, &["task", "todo", "to-do", "to do", "reminder", "note to self"]) {
        let rest = after_any(rest, &[":", "-"])?;
        return Some(add_intent(rest));
    }
    // "remind me to call mom"; "remind me what's left" is a question.
    let rest = after(text, "remind me")?;
    if after_any(rest, &["what", "what's", "whats", "which", "how", "of my", "about my"]).is_some() {
        return None;
    }
    let connectors = [
        "to",
        "about",
        "that",
        "that i need to",
        "that i have to",
        "i need to",
        "i have to",
    ];
    Some(add_intent(after_any(rest, &connectors).unwrap_or(rest)))
}
