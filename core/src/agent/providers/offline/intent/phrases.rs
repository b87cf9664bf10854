//! Finding phrases in a message: whole words, case-insensitively, curly
//! apostrophes as straight ones, quotes around titles.

/// Readings of one edit at most: a title with more than a few "to"s in it
/// is rare, and each reading is a search of the list.
pub(super) const MAX_READINGS: usize = 8;

/// "set a reminder to …" adds a task, though "set" also starts an edit.
pub(super) const SET_A_REMINDER: &[&str] = &["set a reminder", "set reminder", "set up a reminder"];

/// What a new task is called in "add a task to …", "make an urgent reminder to …".
pub(super) const TASK_NOUNS: &[&str] = &["task", "todo", "to-do", "to do", "item", "reminder", "entry"];

/// Whether `text` opens with a new task: "a task to …", "an urgent reminder …".
pub(super) fn opens_new_task(text: &str) -> bool {
    const ARTICLES: &[&str] = &["a", "an", "a new", "new", "another", "one more"];
    after_any(text, ARTICLES).is_some_and(|rest| {
        each_word(rest)
            .take(3)
            .any(|w| matches!(w.as_str(), "task" | "todo" | "to-do" | "item" | "reminder" | "entry"))
    })
}

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
pub(super) fn after<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
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
pub(super) fn after_any<'a>(text: &'a str, prefixes: &[&str]) -> Option<&'a str> {
    longest(prefixes, |prefix| after(text, prefix))
}

/// `text` without `suffix` (whole words) at its end, trimmed at the end.
pub(super) fn before<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
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
pub(super) fn before_any<'a>(text: &'a str, suffixes: &[&str]) -> Option<&'a str> {
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
pub(super) fn cuts_any<'a>(text: &'a str, separators: &[&str]) -> Vec<(&'a str, &'a str)> {
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
pub(super) fn unquote(text: &str) -> &str {
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
pub(super) fn leading_quoted(text: &str) -> Option<(&str, &str)> {
    QUOTES.iter().find_map(|&(open, close)| {
        let rest = text.strip_prefix(open)?;
        let end = rest.find(close)?;
        let inner = rest[..end].trim();
        (!inner.is_empty()).then(|| (inner, rest[end + close.len_utf8()..].trim()))
    })
}

/// Lower-case words with apostrophes straightened: "What’s up?" → [what's, up].
pub(super) fn words(text: &str) -> Vec<String> {
    each_word(text).collect()
}

/// [`words`], one at a time: a caller that needs only the first few stops there.
pub(super) fn each_word(text: &str) -> impl Iterator<Item = String> {
    text.split(|c: char| !is_word_char(c))
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().map(fold).collect::<String>().to_lowercase())
}

/// Whether `phrase` (lower-case words separated by single spaces) occurs in `words`.
pub(super) fn has_phrase(words: &[String], phrase: &str) -> bool {
    let wanted: Vec<&str> = phrase.split(' ').collect();
    words
        .windows(wanted.len())
        .any(|window| window.iter().zip(&wanted).all(|(w, p)| w == p))
}

/// Whitespace collapsed; closing punctuation and politeness ("…, please!") gone.
pub(super) fn tidy(message: &str) -> String {
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
pub(super) fn strip_fillers(text: &str) -> &str {
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
