//! Adding tasks: "add buy milk", "remind me to call mom", "put eggs on my list",
//! with a due date and a priority ("remind me to call mom tomorrow at 5pm",
//! "add a high priority task to pay rent by the 1st"), several at once ("add
//! buy milk, call mom and water the plants").
//!
//! A new task's description: what follows the title after `: `, ` - `,
//! "with description", "with a note" or "with details", or in brackets at the
//! end ("add buy milk: 2 litres", "add buy milk (2 litres)"). A quoted title
//! may contain any of those ("add 'meeting: plan Q3'").

use chrono::NaiveDateTime;

use super::dates::take_due;
use super::kinds::{Intent, MAX_TASKS_PER_REQUEST, NewTask};
use super::phrases::{
    SET_A_REMINDER, TASK_NOUNS, after, after_any, before_any, cuts_any, each_word, leading_quoted, unquote,
};
use super::priority::{adjective, named_priority, take_priority};
use crate::when::{self, When};

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

/// The words of a new task that are not its title: a priority and a due
/// date, taken off its end or start ("call the bank tomorrow, urgent").
fn dated(words: &str, now: NaiveDateTime) -> (String, Option<When>, Option<&'static str>) {
    let (first, words) = take_priority(words);
    let (words, due) = take_due(words, now);
    let (second, words) = take_priority(&words);
    (words.to_owned(), due, first.or(second))
}

/// A new task from the text after "add": title, then an optional description.
/// `remind`: remind at its due time ("remind me to …").
pub(super) fn add_intent(text: &str, now: NaiveDateTime, remind: bool) -> Intent {
    match new_task(text, now) {
        Some(task) => Intent::Add(vec![NewTask {
            remind: remind && task.due.is_some(),
            ..task
        }]),
        None => Intent::Ask(ASK_WHAT_TO_ADD),
    }
}

fn new_task(text: &str, now: NaiveDateTime) -> Option<NewTask> {
    let text = without_list_mention(text);
    let (title, description, due, priority) = if let Some((quoted, rest)) = leading_quoted(&text) {
        // A quoted title is the person's own words, dates and all.
        let (rest, description) = match after_any(rest, &DESCRIPTION_OPENERS) {
            Some(description) => ("", clean_description(description)),
            None => (rest, None),
        };
        let (rest, due, priority) = dated(rest, now);
        let title = match rest.as_str() {
            "" => quoted.to_owned(),
            // "'call mom' soon": the quotes were for emphasis.
            rest => format!("{quoted} {rest}"),
        };
        (clean_title(&title), description, due, priority)
    } else {
        // "book flights (next week)", "call the bank (urgent)": no descriptions.
        let bracketed = text
            .strip_suffix(')')
            .and_then(|t| t.rsplit_once(" ("))
            .filter(|(_, note)| when::parse(note, now).is_none() && named_priority(note).is_none());
        let (title, description) = if let Some((title, description)) = cuts_any(&text, &DESCRIPTION_CUTS).first() {
            ((*title).to_owned(), clean_description(description))
        } else if let Some((title, note)) = bracketed {
            (title.to_owned(), clean_description(note))
        } else {
            (text.clone(), None)
        };
        match dated(&title, now) {
            // "add tomorrow": the date is all there is, so it is the title.
            (words, ..) if clean_title(&words).is_empty() => (clean_title(&title), description, None, None),
            (words, due, priority) => (clean_title(&words), description, due, priority),
        }
    };
    (!title.is_empty()).then_some(NewTask {
        title,
        description,
        due,
        remind: false,
        priority,
    })
}

/// Verbs that start a task: after "and" or a comma, one of them starts
/// another task ("buy milk and call mom"); anything else continues the one
/// before ("buy salt and pepper", "research flights and hotels").
const TASK_VERBS: &[&str] = &[
    "ask", "book", "bring", "buy", "call", "cancel", "change", "check", "clean", "cook", "do", "drop", "email", "feed",
    "fetch", "file", "find", "finish", "fix", "get", "give", "go", "hang", "install", "iron", "learn", "mail", "make",
    "meet", "mow", "order", "organize", "pack", "pay", "phone", "pick", "plan", "post", "prepare", "print", "read",
    "renew", "repair", "reply", "return", "review", "ring", "schedule", "send", "sell", "sign", "start", "study",
    "submit", "take", "text", "tidy", "update", "vacuum", "visit", "walk", "wash", "water", "write",
];

/// Several tasks in one message, "buy milk, call mom and water the plants":
/// split where a task verb follows "and", "then", a comma or a semicolon.
fn several(text: &str, now: NaiveDateTime) -> Option<Intent> {
    if leading_quoted(text).is_some() || !cuts_any(text, &DESCRIPTION_CUTS).is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    let mut rest = text;
    let separators = [", and then", ", and", ",", "and then", "and", ";", "then"];
    while let Some((part, next)) = cuts_any(rest, &separators).into_iter().find(|(_, next)| {
        each_word(next)
            .next()
            .is_some_and(|verb| TASK_VERBS.contains(&verb.as_str()))
    }) {
        parts.push(part);
        rest = next;
        if parts.len() >= MAX_TASKS_PER_REQUEST {
            return None;
        }
    }
    parts.push(rest);
    if parts.len() < 2 || parts.iter().any(|part| each_word(part).nth(1).is_none()) {
        return None;
    }
    let tasks: Option<Vec<NewTask>> = parts.iter().map(|part| new_task(part, now)).collect();
    tasks.map(Intent::Add)
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

/// [`after_task_noun`] with a priority before the noun: "a high priority task to X".
fn after_task_words(text: &str) -> (bool, Option<&'static str>, &str) {
    if let (Some(level), rest) = adjective(text)
        && let (true, rest) = after_task_noun(rest)
    {
        return (true, Some(level), rest);
    }
    let (had_noun, rest) = after_task_noun(text);
    (had_noun, None, rest)
}

/// The task of `rest` with the priority its noun had, if any.
fn with_priority(intent: Intent, level: Option<&'static str>) -> Intent {
    match (intent, level) {
        (Intent::Add(tasks), Some(level)) => Intent::Add(
            tasks
                .into_iter()
                .map(|task| NewTask {
                    priority: Some(level),
                    ..task
                })
                .collect(),
        ),
        (intent, _) => intent,
    }
}

pub(super) fn add(text: &str, now: NaiveDateTime) -> Option<Intent> {
    if let Some(rest) = after_any(
        text,
        &["add", "create", "note down", "jot down", "write down", "insert"],
    ) {
        let (_, level, rest) = after_task_words(rest);
        let rest = after(rest, ":").unwrap_or(rest);
        let intent = several(rest, now).unwrap_or_else(|| add_intent(rest, now, false));
        return Some(with_priority(intent, level));
    }
    // "make a task to …", "new task: …"; but "make dinner" is a task's title.
    let noun_next = after_any(text, &["make", "start"]).or_else(|| after(text, "new").map(|_| text));
    if let Some(rest) = noun_next {
        let (had_noun, level, rest) = after_task_words(rest);
        return had_noun.then(|| with_priority(add_intent(rest, now, false), level));
    }
    // "put buy milk on my list"
    if let Some(rest) = after(text, "put") {
        let mentions_list = before_any(rest, LIST_MENTIONS).is_some() || !cuts_any(rest, LIST_MENTIONS).is_empty();
        return mentions_list.then(|| add_intent(rest, now, false));
    }
    // "set a reminder to call mom"
    if let Some(rest) = after_any(text, SET_A_REMINDER) {
        return Some(reminder_intent(rest, &["to", "for", "about", "that"], now));
    }
    // "urgent: call the bank"
    if after_any(text, &["urgent", "important", "asap", "high priority", "low priority"])
        .is_some_and(|rest| rest.starts_with(':'))
    {
        let (level, rest) = take_priority(text);
        return Some(with_priority(add_intent(rest, now, false), level));
    }
    // "task: water the plants", "todo - call mom"
    if let Some(rest) = after_any(text, &["task", "todo", "to-do", "to do", "reminder", "note to self"]) {
        let rest = after_any(rest, &[":", "-"])?;
        return Some(add_intent(rest, now, false));
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
    Some(reminder_intent(rest, &connectors, now))
}

/// A task to be reminded of, from what follows "remind me": the date may
/// come first ("remind me at 5pm to call mom"), before the connector.
fn reminder_intent(rest: &str, connectors: &[&str], now: NaiveDateTime) -> Intent {
    let Some(first) = when::find(rest, now).filter(|found| found.start == 0) else {
        return add_intent(after_any(rest, connectors).unwrap_or(rest), now, true);
    };
    let tail = &rest[first.end..];
    match add_intent(after_any(tail, connectors).unwrap_or(tail), now, false) {
        Intent::Add(tasks) => Intent::Add(
            tasks
                .into_iter()
                .map(|task| NewTask {
                    due: task.due.or(Some(first.when)),
                    remind: true,
                    ..task
                })
                .collect(),
        ),
        other => other,
    }
}
