//! Reading what a person asks for in one chat message, in everyday English.
//!
//! Words match case-insensitively and whole ("add" never matches "address");
//! curly apostrophes count as straight ones. Titles and descriptions keep the
//! person's own spelling.
//!
//! A new task's description: what follows the title after `: `, ` - `,
//! "with description", "with a note" or "with details", or in brackets at the
//! end ("add buy milk: 2 litres", "add buy milk (2 litres)"). A quoted title
//! may contain any of those ("add 'meeting: plan Q3'").

use std::collections::HashSet;

use super::matching;
use crate::tasks::{StatusFilter, TaskId};

pub(super) const ASK_WHAT_TO_ADD: &str = "What should I add? For example: \"add buy milk\".";
pub(super) const ASK_WHICH_TO_COMPLETE: &str = "Which task should I mark as done? Tell me its number or title, for \
                                                example \"mark 3 done\" or \"mark buy milk as done\".";
pub(super) const ASK_WHICH_TO_DELETE: &str =
    "Which task should I delete? Tell me its number or title, for example \"delete 3\" or \"delete buy milk\".";
pub(super) const ASK_WHICH_TO_EDIT: &str =
    "Which task do you mean? Tell me its number or title, for example \"rename 3 to buy oat milk\".";
pub(super) const ASK_NEW_TITLE: &str = "What should the new title be? For example: \"rename 3 to buy oat milk\".";
pub(super) const ASK_DESCRIPTION: &str =
    "What should the description say? For example: \"add a note to 3: 2 litres\" or \"describe 3 as 2 litres\".";
pub(super) const ONE_EDIT_AT_A_TIME: &str = "I change one task at a time — for example \"rename 3 to buy oat milk\".";
pub(super) const NO_BULK_COMPLETE: &str =
    "I mark tasks done one by one — tell me their numbers or titles, for example \"mark 3 and 4 done\".";
pub(super) const NO_BULK_DELETE: &str = "To be safe I delete tasks one by one — tell me their numbers or titles, for \
                                         example \"delete 3\" or \"delete 3 and 4\".";
pub(super) const NO_REOPEN: &str =
    "I can't reopen a finished task yet — you could add it again instead, for example \"add buy milk\".";

/// Readings of one edit at most: a title with more than a few "to"s in it
/// is rare, and each reading is a search of the list.
pub(super) const MAX_READINGS: usize = 8;

/// Which task a request is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Target {
    /// By number, as list replies show them: "mark 3 and 4 done".
    Ids(Vec<TaskId>),
    /// By (part of) the title, looked up in the list first.
    Title(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Change {
    Title(String),
    /// Empty clears it.
    Description(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Edit {
    pub target: Target,
    pub change: Change,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Intent {
    Add {
        title: String,
        description: Option<String>,
    },
    List(StatusFilter),
    Complete(Target),
    Delete(Target),
    /// The readings of an edit, in order of preference: a title may contain
    /// "to" itself, so "rename go to gym to go swimming" has two, and the list
    /// settles which names a task.
    Edit(Vec<Edit>),
    Help,
    Greeting,
    Thanks,
    Goodbye,
    Acknowledgement,
    /// Understood, but something is missing or not supported: reply this.
    Ask(&'static str),
    Unknown,
}

impl Intent {
    /// For logs, which never carry what the person wrote.
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Intent::Add { .. } => "add",
            Intent::List(_) => "list",
            Intent::Complete(_) => "complete",
            Intent::Delete(_) => "delete",
            Intent::Edit(_) => "edit",
            Intent::Help => "help",
            Intent::Greeting => "greeting",
            Intent::Thanks => "thanks",
            Intent::Goodbye => "goodbye",
            Intent::Acknowledgement => "acknowledgement",
            Intent::Ask(_) => "ask",
            Intent::Unknown => "unknown",
        }
    }
}

pub(super) fn parse(message: &str) -> Intent {
    if let Some(intent) = small_talk(message) {
        return intent;
    }
    let text = tidy(message);
    let command = strip_fillers(&text);
    if let Some(intent) = small_talk(command) {
        return intent;
    }
    command_intent(command).unwrap_or(Intent::Unknown)
}

fn command_intent(text: &str) -> Option<Intent> {
    // Edits first: "add a note to 3: …" is not an add, "remove the description
    // of 3" not a delete. Lists before statements: "what have I done" is a
    // question, "buy milk done" a statement.
    edit(text)
        .or_else(|| complete(text))
        .or_else(|| delete(text))
        .or_else(|| add(text))
        .or_else(|| numbered_done(text))
        .or_else(|| list(text))
        .or_else(|| wish(text))
        .or_else(|| done_statement(text))
}

// --- Text helpers --------------------------------------------------------

fn fold(c: char) -> char {
    match c {
        '\u{2019}' | '\u{2018}' | '`' => '\'',
        _ => c.to_ascii_lowercase(),
    }
}

/// Characters that continue a word: "i" is not the start of "i'm", nor "to" of "to-do".
fn is_word_char(c: char) -> bool {
    // The cheap test first: outside ASCII, `is_alphanumeric` is a table search.
    matches!(c, '\'' | '\u{2019}' | '-' | '_') || c.is_alphanumeric()
}

fn ends_alphanumeric(s: &str) -> bool {
    s.chars().next_back().is_some_and(char::is_alphanumeric)
}

fn starts_alphanumeric(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_alphanumeric)
}

/// The rest of `text` after `prefix` (whole words), trimmed at the start.
fn after<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let mut chars = text.char_indices();
    let mut end = 0;
    for expected in prefix.chars() {
        let (i, c) = chars.next()?;
        if fold(c) != fold(expected) {
            return None;
        }
        end = i + c.len_utf8();
    }
    let rest = &text[end..];
    if ends_alphanumeric(prefix) && rest.starts_with(is_word_char) {
        return None;
    }
    Some(rest.trim_start())
}

/// `cut` with the longest of `affixes` that matches.
fn longest<'a>(affixes: &[&str], cut: impl Fn(&str) -> Option<&'a str>) -> Option<&'a str> {
    affixes
        .iter()
        .filter_map(|affix| cut(affix).map(|rest| (affix.len(), rest)))
        .max_by_key(|(len, _)| *len)
        .map(|(_, rest)| rest)
}

/// `after` for the longest of `prefixes` that matches.
fn after_any<'a>(text: &'a str, prefixes: &[&str]) -> Option<&'a str> {
    longest(prefixes, |prefix| after(text, prefix))
}

/// `text` without `suffix` (whole words) at its end, trimmed at the end.
fn before<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let count = suffix.chars().count();
    let start = match count {
        0 => text.len(),
        _ => text.char_indices().rev().nth(count - 1)?.0,
    };
    let (head, tail) = text.split_at(start);
    if !tail.chars().map(fold).eq(suffix.chars().map(fold)) {
        return None;
    }
    if starts_alphanumeric(suffix) && head.ends_with(is_word_char) {
        return None;
    }
    Some(head.trim_end())
}

/// `before` for the longest of `suffixes` that matches.
fn before_any<'a>(text: &'a str, suffixes: &[&str]) -> Option<&'a str> {
    longest(suffixes, |suffix| before(text, suffix))
}

/// The cut of `text` at `separator` (whole words) at byte `at`, with
/// something on both sides: (before, after), trimmed.
fn cut_at<'a>(text: &'a str, at: usize, separator: &str) -> Option<(&'a str, &'a str)> {
    if starts_alphanumeric(separator) && text[..at].ends_with(is_word_char) {
        return None;
    }
    let rest = after(&text[at..], separator)?;
    let head = text[..at].trim_end();
    (!head.is_empty() && !rest.is_empty()).then_some((head, rest))
}

/// The [`MAX_READINGS`] leftmost cuts at any of `separators`, leftmost first,
/// in one scan of `text`. Each cut is read further (as a title, a task, a
/// change), so a message full of separators must not make one per word.
fn cuts_any<'a>(text: &'a str, separators: &[&str]) -> Vec<(&'a str, &'a str)> {
    let firsts: Vec<Option<char>> = separators.iter().map(|s| s.chars().next().map(fold)).collect();
    let mut found = Vec::new();
    for (at, c) in text.char_indices() {
        // Most places start no separator: one comparison each rules them out.
        let c = Some(fold(c));
        for (separator, first) in separators.iter().zip(&firsts) {
            if *first == c
                && let Some(cut) = cut_at(text, at, separator)
            {
                found.push(cut);
            }
        }
        if found.len() >= MAX_READINGS {
            break;
        }
    }
    found.truncate(MAX_READINGS);
    found
}

const QUOTES: [(char, char); 6] = [
    ('"', '"'),
    ('\'', '\''),
    ('\u{201c}', '\u{201d}'),
    ('\u{2018}', '\u{2019}'),
    ('`', '`'),
    ('\u{ab}', '\u{bb}'),
];

/// `text` without the quotes around all of it.
fn unquote(text: &str) -> &str {
    let text = text.trim();
    QUOTES
        .iter()
        .find_map(|&(open, close)| {
            let inner = text.strip_prefix(open)?.strip_suffix(close)?;
            (!inner.is_empty() && !inner.contains(close)).then(|| inner.trim())
        })
        .unwrap_or(text)
}

/// A quoted part at the start of `text`, and what follows it.
fn leading_quoted(text: &str) -> Option<(&str, &str)> {
    QUOTES.iter().find_map(|&(open, close)| {
        let rest = text.strip_prefix(open)?;
        let end = rest.find(close)?;
        let inner = rest[..end].trim();
        (!inner.is_empty()).then(|| (inner, rest[end + close.len_utf8()..].trim()))
    })
}

/// Lower-case words with apostrophes straightened: "What’s up?" → [what's, up].
fn words(text: &str) -> Vec<String> {
    each_word(text).collect()
}

/// [`words`], one at a time: a caller that needs only the first few stops there.
fn each_word(text: &str) -> impl Iterator<Item = String> {
    text.split(|c: char| !is_word_char(c))
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().map(fold).collect::<String>().to_lowercase())
}

/// Whether `phrase` (lower-case words separated by single spaces) occurs in `words`.
fn has_phrase(words: &[String], phrase: &str) -> bool {
    let wanted: Vec<&str> = phrase.split(' ').collect();
    words
        .windows(wanted.len())
        .any(|window| window.iter().zip(&wanted).all(|(w, p)| w == p))
}

/// Whitespace collapsed; closing punctuation and politeness ("…, please!") gone.
fn tidy(message: &str) -> String {
    const ENDINGS: &[&str] = &[
        "please",
        "pls",
        "plz",
        "thanks",
        "thank you",
        "thx",
        "for me",
        "if you can",
        "if you could",
        "if possible",
    ];
    let text = message.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut rest = text.as_str();
    loop {
        let trimmed =
            rest.trim_end_matches(|c: char| matches!(c, '.' | '!' | '?' | '…' | ',' | ';') || c.is_whitespace());
        let trimmed = before_any(trimmed, ENDINGS)
            .filter(|t| !t.is_empty())
            .unwrap_or(trimmed);
        if trimmed.len() == rest.len() {
            return rest.to_owned();
        }
        rest = trimmed;
    }
}

/// `text` without openers like "please", "can you", "ok so".
fn strip_fillers(text: &str) -> &str {
    const FILLERS: &[&str] = &[
        "actually",
        "alright",
        "also",
        "and",
        "assistant",
        "can u",
        "can you",
        "can you please",
        "could u",
        "could you",
        "could you please",
        "go ahead and",
        "great",
        "hello",
        "help me",
        "hey",
        "hi",
        "i need you to",
        "i want you to",
        "i would like you to",
        "i'd like you to",
        "just",
        "kindly",
        "let's",
        "lets",
        "now",
        "oh",
        "ok",
        "okay",
        "please",
        "pls",
        "plz",
        "quickly",
        "so",
        "thank you",
        "thanks",
        "then",
        "um",
        "well",
        "will you",
        "would you",
        "would you please",
        "yes",
    ];
    let mut text = text;
    while let Some(rest) = after_any(text, FILLERS) {
        let rest = rest.trim_start_matches(|c: char| matches!(c, ',' | ':' | '-' | '!' | '.') || c.is_whitespace());
        if rest.is_empty() {
            break;
        }
        text = rest;
    }
    text
}

// --- Small talk ----------------------------------------------------------

fn small_talk(text: &str) -> Option<Intent> {
    const HELP: &[&str] = &[
        "help",
        "help me",
        "commands",
        "what are the commands",
        "what can you do",
        "what can i do",
        "what can i say",
        "what should i say",
        "what do you do",
        "what can you help with",
        "what can you help me with",
        "how can you help",
        "how can you help me",
        "how does this work",
        "how does it work",
        "how do you work",
        "how do i use this",
        "how do i use you",
        "who are you",
        "what are you",
        "what is this",
        "instructions",
        "usage",
        "options",
        "menu",
    ];
    const GREETINGS: &[&str] = &[
        "hi",
        "hello",
        "hey",
        "hiya",
        "howdy",
        "yo",
        "greetings",
        "hi there",
        "hello there",
        "hey there",
        "good morning",
        "good afternoon",
        "good evening",
        "morning",
        "sup",
        "what's up",
        "whats up",
        "how are you",
        "how are you doing",
        "how's it going",
        "hows it going",
    ];
    const THANKS: &[&str] = &[
        "thanks",
        "thank you",
        "thanks a lot",
        "thanks so much",
        "thank you so much",
        "thank you very much",
        "thanks again",
        "many thanks",
        "thx",
        "ty",
        "cheers",
        "much appreciated",
        "appreciate it",
        "ok thanks",
        "ok thank you",
        "great thanks",
        "perfect thanks",
    ];
    const GOODBYES: &[&str] = &[
        "bye",
        "bye bye",
        "goodbye",
        "good bye",
        "see you",
        "see ya",
        "see you later",
        "later",
        "cya",
        "good night",
        "goodnight",
    ];
    const ACKNOWLEDGEMENTS: &[&str] = &[
        "ok",
        "okay",
        "k",
        "great",
        "cool",
        "nice",
        "perfect",
        "awesome",
        "good",
        "fine",
        "got it",
        "alright",
        "all right",
        "sounds good",
        "sure",
        "yes",
        "yep",
        "yeah",
        "no",
        "nope",
        "no thanks",
        "done",
        "all done",
        "i'm done",
        "im done",
        "that's all",
        "thats all",
        "that's it",
        "thats it",
        "nothing",
        "never mind",
        "nevermind",
        "forget it",
        "cancel",
        "cancel that",
        "wow",
        "lol",
        "good job",
        "well done",
    ];
    // Every phrase above has at most this many words: a longer message is
    // none of them, and only its first words are read.
    const MOST_WORDS: usize = 6;
    let words: Vec<String> = each_word(text).take(MOST_WORDS + 1).collect();
    if words.is_empty() {
        return Some(Intent::Help);
    }
    let joined = words.join(" ");
    let is = |set: &[&str]| set.contains(&joined.as_str());
    let how_to = ["how do i", "how can i", "how to", "how should i"]
        .iter()
        .any(|p| joined.starts_with(&format!("{p} ")));
    if is(HELP) || how_to {
        Some(Intent::Help)
    } else if is(GREETINGS) {
        Some(Intent::Greeting)
    } else if is(THANKS) {
        Some(Intent::Thanks)
    } else if is(GOODBYES) {
        Some(Intent::Goodbye)
    } else if is(ACKNOWLEDGEMENTS) {
        Some(Intent::Acknowledgement)
    } else {
        None
    }
}

// --- Which task ----------------------------------------------------------

/// What a phrase like "task 3", "#3 and #4" or "buy milk" points at.
#[derive(Debug, PartialEq, Eq)]
enum Aim {
    Task(Target),
    /// "it", "that one", nothing: ask which.
    Vague,
    /// "all", "my tasks", "completed tasks": not one task.
    Many,
}

/// Task numbers in `text`, if that is all it holds: "task #3", "3, 4 and five".
pub(super) fn task_numbers(text: &str) -> Option<Vec<TaskId>> {
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

fn aim(text: &str) -> Aim {
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

fn mentions_all(text: &str) -> bool {
    words(text)
        .iter()
        .any(|w| matches!(w.as_str(), "all" | "everything" | "every" | "entire" | "whole"))
}

// --- Complete ------------------------------------------------------------

const DONE: &[&str] = &[
    "as done",
    "done",
    "as complete",
    "complete",
    "as completed",
    "completed",
    "as finished",
    "finished",
    "as checked",
    "checked",
    "as checked off",
    "checked off",
    "off",
];

const NOT_DONE: &[&str] = &[
    "as not done",
    "not done",
    "as undone",
    "undone",
    "as incomplete",
    "incomplete",
    "as not completed",
    "not completed",
    "as unfinished",
    "unfinished",
    "as open",
    "open",
    "as pending",
    "pending",
    "as todo",
    "as to do",
    "as to-do",
];

fn complete_target(text: &str, text_for_all: &str) -> Option<Intent> {
    match aim(text) {
        Aim::Task(target) => Some(Intent::Complete(target)),
        Aim::Vague => Some(Intent::Ask(ASK_WHICH_TO_COMPLETE)),
        Aim::Many if mentions_all(text_for_all) => Some(Intent::Ask(NO_BULK_COMPLETE)),
        // "completed tasks" asks for a list.
        Aim::Many => None,
    }
}

fn complete(text: &str) -> Option<Intent> {
    // "mark 3 done", "mark buy milk as complete", "mark off 3", "set 3 as done"
    for verb in ["mark", "set", "flag"] {
        let Some(rest) = after(text, verb) else {
            continue;
        };
        if before_any(rest, NOT_DONE).is_some() || after_any(rest, NOT_DONE).is_some() {
            return Some(Intent::Ask(NO_REOPEN));
        }
        if let Some(which) = before_any(rest, DONE) {
            return complete_target(which, text);
        }
        if let Some(which) = after_any(rest, DONE) {
            return complete_target(which, text);
        }
        if verb == "mark" {
            return complete_target(rest, text);
        }
    }
    const VERBS: &[&str] = &[
        "check off",
        "tick off",
        "cross off",
        "cross out",
        "strike off",
        "strike out",
        "complete",
        "completed",
        "finish",
        "finished",
        "done with",
        "finished with",
        "i'm done with",
        "im done with",
        "i am done with",
        "i'm finished with",
        "i'm through with",
        "i finished",
        "i've finished",
        "i have finished",
        "i just finished",
        "i completed",
        "i've completed",
        "i have completed",
        "i just completed",
        "i did",
        "i've done",
        "i have done",
        "i just did",
    ];
    if let Some(rest) = after_any(text, VERBS) {
        let which = before_any(rest, DONE).unwrap_or(rest);
        return complete_target(which, text);
    }
    // "check 3 off", "tick buy milk off my list"
    for verb in ["check", "tick", "cross"] {
        if let Some(which) =
            after(text, verb).and_then(|rest| before_any(rest, &["off", "off my list", "off the list"]))
        {
            return complete_target(which, text);
        }
    }
    None
}

const STATEMENT_ENDINGS: &[&str] = &[
    "is done",
    "is finished",
    "is complete",
    "is completed",
    "is checked off",
    "is ticked off",
    "are done",
    "done",
    "finished",
    "completed",
    "checked off",
    "ticked off",
    "\u{2713}",
    "\u{2714}",
];

/// "task 3 is finished": a statement, though it reads like "task … finished?".
fn numbered_done(text: &str) -> Option<Intent> {
    let numbers = task_numbers(before_any(text, STATEMENT_ENDINGS)?)?;
    Some(Intent::Complete(Target::Ids(numbers)))
}

/// "buy milk is done", "done: buy milk", "I bought milk", "just called mom".
fn done_statement(text: &str) -> Option<Intent> {
    if let Some(which) = before_any(text, STATEMENT_ENDINGS).filter(|w| !w.is_empty()) {
        return complete_target(which, text);
    }
    if let Some(which) = after_any(text, &["done:", "done -", "done"]).filter(|w| !w.is_empty()) {
        return complete_target(which, text);
    }
    const SUBJECTS: &[&str] = &[
        "i",
        "i've",
        "i have",
        "i just",
        "i've just",
        "i have just",
        "i already",
        "i've already",
        "i finally",
        "just",
        "already",
        "finally",
    ];
    let rest = after_any(text, SUBJECTS).unwrap_or(text);
    let (verb, object) = rest.split_once(' ')?;
    let base = matching::completed_verb(verb)?;
    complete_target(&format!("{base} {object}"), text)
}

// --- Delete --------------------------------------------------------------

const FROM_LIST: &[&str] = &[
    "from my list",
    "from the list",
    "from my tasks",
    "from the tasks",
    "from my to-do list",
    "from my todo list",
    "from my to do list",
    "from the to-do list",
    "from my task list",
    "from my todos",
    "from my to-dos",
    "from list",
    "off my list",
    "off the list",
    "off my to-do list",
    "off my todo list",
];

fn delete_target(text: &str) -> Intent {
    match aim(text) {
        Aim::Task(target) => Intent::Delete(target),
        Aim::Vague => Intent::Ask(ASK_WHICH_TO_DELETE),
        Aim::Many => Intent::Ask(NO_BULK_DELETE),
    }
}

fn delete(text: &str) -> Option<Intent> {
    const VERBS: &[&str] = &[
        "delete",
        "remove",
        "get rid of",
        "erase",
        "trash",
        "scrap",
        "discard",
        "throw away",
        "throw out",
        "forget about",
        "cancel",
        "ditch",
        "clear",
        "wipe",
    ];
    if let Some(rest) = after_any(text, VERBS) {
        return Some(delete_target(before_any(rest, FROM_LIST).unwrap_or(rest)));
    }
    // "take buy milk off my list"
    let rest = after(text, "take")?;
    Some(delete_target(before_any(rest, FROM_LIST)?))
}

// --- Edit ----------------------------------------------------------------

const DESCRIPTION_NOUNS: &[&str] = &["description", "note", "notes", "details", "comment"];

fn is_done_word(text: &str) -> bool {
    matches!(
        unquote(text).to_lowercase().as_str(),
        "done" | "complete" | "completed" | "finished" | "checked off"
    )
}

fn edit_intent(readings: Vec<(&str, Change)>) -> Option<Intent> {
    let mut edits = Vec::new();
    for (which, change) in readings {
        match aim(which) {
            Aim::Task(Target::Ids(ids)) if ids.len() > 1 => return Some(Intent::Ask(ONE_EDIT_AT_A_TIME)),
            Aim::Task(target) => edits.push(Edit { target, change }),
            Aim::Vague | Aim::Many => {}
        }
    }
    // A reading by number wins: "rename 3 to go to the gym" is about task 3.
    if let Some(at) = edits.iter().position(|e| matches!(e.target, Target::Ids(_))) {
        let by_number = edits.swap_remove(at);
        return Some(Intent::Edit(vec![by_number]));
    }
    Some(if edits.is_empty() {
        Intent::Ask(ASK_WHICH_TO_EDIT)
    } else {
        Intent::Edit(edits)
    })
}

fn new_description(text: &str) -> Change {
    let text = after_any(text, &["saying", "that says", "which says"]).unwrap_or(text);
    Change::Description(unquote(text).to_owned())
}

/// Readings of "X to Y" (or "X: Y") as a change of X's description.
fn description_readings<'a>(text: &'a str, separators: &[&str]) -> Vec<(&'a str, Change)> {
    cuts_any(text, separators)
        .into_iter()
        .map(|(which, what)| (which, new_description(what)))
        .collect()
}

fn edit(text: &str) -> Option<Intent> {
    // "clear the description of 3", "remove the note from buy milk"
    for verb in ["clear", "remove", "delete", "erase", "drop", "empty"] {
        let Some(rest) = after(text, verb) else {
            continue;
        };
        let rest = after(rest, "the").unwrap_or(rest);
        if let Some(which) =
            after_any(rest, DESCRIPTION_NOUNS).and_then(|r| after_any(r, &["of", "from", "on", "for", "in"]))
        {
            return edit_intent(vec![(which, Change::Description(String::new()))]);
        }
    }
    // "add a note to 3: 2 litres", "put a description on buy milk saying 2 litres"
    if let Some(rest) = after_any(text, &["add", "put", "attach", "write", "leave", "give"]) {
        let rest = after_any(rest, &["a", "an", "the", "some"]).unwrap_or(rest);
        if let Some(rest) = after_any(rest, DESCRIPTION_NOUNS).and_then(|r| after_any(r, &["to", "on", "for", "in"])) {
            let readings = description_readings(rest, &[": ", "saying", "that says", "which says", " - "]);
            return if readings.is_empty() {
                Some(Intent::Ask(ASK_DESCRIPTION))
            } else {
                edit_intent(readings)
            };
        }
    }
    // "describe 3 as 2 litres"
    if let Some(rest) = after(text, "describe") {
        let readings = description_readings(rest, &["as", ": "]);
        return if readings.is_empty() {
            Some(Intent::Ask(ASK_DESCRIPTION))
        } else {
            edit_intent(readings)
        };
    }
    if after_any(text, &["set a reminder", "set reminder", "set up a reminder"]).is_some() {
        return None;
    }
    const VERBS: &[&str] = &["rename", "retitle", "change", "update", "edit", "modify", "set"];
    let verb = VERBS.iter().find(|v| after(text, v).is_some())?;
    let rest = after(text, verb)?;
    let rest_after_the = after(rest, "the").unwrap_or(rest);
    // "set the description of 3 to 2 litres"
    if let Some(rest) =
        after_any(rest_after_the, DESCRIPTION_NOUNS).and_then(|r| after_any(r, &["of", "for", "on", "in"]))
    {
        let readings = description_readings(rest, &["to", ": "]);
        return if readings.is_empty() {
            Some(Intent::Ask(ASK_DESCRIPTION))
        } else {
            edit_intent(readings)
        };
    }
    // "change the title of 3 to …": what remains reads like "rename 3 to …".
    let rest = after_any(rest_after_the, &["title of", "name of", "title for", "name for"]).unwrap_or(rest);
    let renames = matches!(*verb, "rename" | "retitle");
    let separators: &[&str] = if renames {
        &["to", "into", "as"]
    } else {
        &["to", "into"]
    };
    let mut readings = Vec::new();
    for (which, what) in cuts_any(rest, separators) {
        if is_done_word(what) {
            return complete_target(which, text);
        }
        let description_of = before_any(
            which,
            &[
                "'s description",
                "description",
                "'s note",
                "note",
                "'s notes",
                "notes",
                "'s details",
                "details",
            ],
        );
        match description_of {
            // "change buy milk's description to 2 litres"
            Some(which) => readings.push((which, new_description(what))),
            None => {
                let which = before_any(which, &["'s title", "title", "'s name", "name"]).unwrap_or(which);
                readings.push((which, Change::Title(unquote(what).to_owned())));
            }
        }
    }
    if !readings.is_empty() {
        return edit_intent(readings);
    }
    // "rename 3", "edit task 3": clearly an edit, with nothing to change to.
    if renames {
        return Some(match aim(rest) {
            Aim::Task(_) => Intent::Ask(ASK_NEW_TITLE),
            Aim::Vague | Aim::Many => Intent::Ask(ASK_WHICH_TO_EDIT),
        });
    }
    task_numbers(rest).map(|_| Intent::Ask(ASK_NEW_TITLE))
}

// --- Add -----------------------------------------------------------------

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

const TASK_NOUNS: &[&str] = &["task", "todo", "to-do", "to do", "item", "reminder", "entry"];

/// Separators between a new task's title and its description, in unquoted text.
const DESCRIPTION_CUTS: &[&str] = &[
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
    ": ",
    " - ",
    " \u{2013} ",
    " \u{2014} ",
];

/// The same, at the start of what follows a quoted title.
const DESCRIPTION_OPENERS: &[&str] = &[
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
    ":",
    "-",
    "\u{2013}",
    "\u{2014}",
];

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
fn add_intent(text: &str) -> Intent {
    let text = without_list_mention(text);
    let (title, description) = if let Some((quoted, rest)) = leading_quoted(&text) {
        match after_any(rest, DESCRIPTION_OPENERS) {
            Some(description) => (quoted.to_owned(), clean_description(description)),
            None if rest.is_empty() => (quoted.to_owned(), None),
            // "'call mom' tomorrow": the quotes were for emphasis.
            None => (format!("{quoted} {rest}"), None),
        }
    } else if let Some((title, description)) = cuts_any(&text, DESCRIPTION_CUTS).first() {
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

fn add(text: &str) -> Option<Intent> {
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
    if let Some(rest) = after_any(text, &["set a reminder", "set reminder", "set up a reminder"]) {
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

/// "I need to buy eggs", "don't forget to call mom", "I'd like to see my list".
fn wish(text: &str) -> Option<Intent> {
    const WANTS: &[&str] = &["i want to", "i'd like to", "i would like to", "id like to", "i wanna"];
    if let Some(mut rest) = after_any(text, WANTS) {
        // "I want to I want to …" wants what the last one does: read it once
        // rather than once per repetition.
        while let Some(inner) = after_any(rest, WANTS) {
            rest = inner;
        }
        return command_intent(rest).or_else(|| Some(add_intent(rest)));
    }
    const NEEDS: &[&str] = &[
        "i need to",
        "i have to",
        "i've got to",
        "i got to",
        "i gotta",
        "i must",
        "i should",
        "i ought to",
        "need to",
        "have to",
        "gotta",
        "don't forget to",
        "dont forget to",
        "do not forget to",
        "don't let me forget to",
        "remember to",
        "i must remember to",
        "i need to remember to",
        "i mustn't forget to",
        "reminder to",
    ];
    let rest = after_any(text, NEEDS)?;
    // "I need to add milk to my list" is a command.
    if after_any(rest, &["add", "create"]).is_some() {
        return command_intent(rest);
    }
    Some(add_intent(rest))
}

// --- List ----------------------------------------------------------------

fn list(text: &str) -> Option<Intent> {
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

#[cfg(test)]
mod tests;
