//! Dates and times in plain English ("tomorrow at 5pm", "by the 1st", "next
//! friday", "Dec 24"), read as local wall time against a given "now". The
//! offline assistant, the CLI's `--due` and the desktop's quick add share it.
//!
//! Why not a crate: `interim` (the maintained fork of `chrono-english`) reads
//! a whole string that is only a date ("next friday 8pm", "2 days ago"); it
//! cannot say where a date sits inside a sentence, so finding one in "call mom
//! tomorrow at 5pm" would mean trying it on every span of words (quadratic
//! work on a long message), and it lacks "tonight", "the day after tomorrow",
//! "end of the month", "the 1st" and the words around a due date ("by", "on",
//! "due", "before"). So this is a small grammar: word tables and a handful of
//! rules, tried at each word with a bounded look-ahead — linear in the text.
//!
//! The rules, with today a Wednesday:
//! - "today", "tomorrow", "the day after tomorrow"; "tonight" is today at 20:00.
//! - "friday", "this friday": the first Friday after today (a weekday said on
//!   that weekday is a week away; that day is "today"). "next friday": the
//!   Friday of next week, weeks starting on Monday — so on a Monday "next
//!   friday" is 11 days away, on a Saturday 6.
//! - "in 3 days", "in a week", "in 2 weeks", "in 1 month", "in 2 hours",
//!   "in 30 minutes" (the last two are a time: now plus that).
//! - "next week": Monday of next week; "next month": the 1st of next month;
//!   "end of the month": its last day.
//! - Explicit dates: "Dec 24", "December 24th", "24 December", "the 24th of
//!   December", each with an optional year ("Dec 24, 2027"); ISO "2026-12-24";
//!   numbers with slashes are month/day ("12/24", "12/24/2026") unless the
//!   first number is over 12 ("24/12" is 24 December). Without a year, the
//!   next such day from today on. A slash date without a year counts only
//!   after "on", "by", "due", "before" or "until", or on its own, so "1/2 kg"
//!   in a title stays.
//! - "the 1st", "the 15th": the next day with that number, from today on.
//! - Times: "at 5pm", "at 5:30 pm", "at 17:00", "5pm", "17:00", "at noon",
//!   "at midnight"; "at 5" without am/pm is afternoon for 1 to 7 (17:00),
//!   otherwise as said. "in the morning" 09:00, "in the afternoon" 15:00, "in
//!   the evening" 18:00, "at night" 20:00; after a date also "tomorrow
//!   morning", "friday evening". A time without a date is today if it is
//!   still ahead, else tomorrow.
//! - "by", "on", "due", "due by", "due on", "before", "until" in front belong
//!   to the date, so they leave a title with it.

use chrono::{Datelike, Days, Duration, Months, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Weekday};

/// A date or a date and time, in local wall time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    Date(NaiveDate),
    At(NaiveDateTime),
}

/// Where a reminder for a date without a time goes off: 09:00 that day.
pub const REMINDER_TIME_FOR_A_DATE: NaiveTime = match NaiveTime::from_hms_opt(9, 0, 0) {
    Some(time) => time,
    None => NaiveTime::MIN,
};

impl When {
    /// As the tools take and show it: `2026-12-24`, or `2026-12-24T17:00`
    /// in local time (no offset).
    pub fn iso(self) -> String {
        match self {
            When::Date(date) => date.format("%Y-%m-%d").to_string(),
            When::At(at) => at.format("%Y-%m-%dT%H:%M").to_string(),
        }
    }

    /// The wall time to remind of something due then: that time, or
    /// [`REMINDER_TIME_FOR_A_DATE`] on a date alone.
    pub fn reminder_time(self) -> NaiveDateTime {
        match self {
            When::Date(date) => date.and_time(REMINDER_TIME_FOR_A_DATE),
            When::At(at) => at,
        }
    }
}

/// A date expression inside a text and the byte span of its words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    pub when: When,
    pub start: usize,
    pub end: usize,
}

/// Words read after a start word at most: the longest rule ("due on the 24th
/// of december 2026 at 5:30 pm") is shorter.
const LOOK_AHEAD: usize = 12;

/// Words longer than this are no date word, so they are never copied whole.
const LONGEST_WORD: usize = 12;

const PREFIXES: &[&[&str]] = &[
    &["due", "by"],
    &["due", "on"],
    &["due", "before"],
    &["due"],
    &["by"],
    &["on"],
    &["before"],
    &["until"],
    &["till"],
];

/// Days from today.
const RELATIVE_DAYS: &[(&[&str], u64)] = &[
    (&["today"], 0),
    (&["tonight"], 0),
    (&["tomorrow"], 1),
    (&["tmrw"], 1),
    (&["tmr"], 1),
    (&["tomorow"], 1),
    (&["the", "day", "after", "tomorrow"], 2),
    (&["day", "after", "tomorrow"], 2),
];

const WEEKDAYS: &[(&str, Weekday)] = &[
    ("monday", Weekday::Mon),
    ("mon", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("tue", Weekday::Tue),
    ("tues", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("wed", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("thu", Weekday::Thu),
    ("thur", Weekday::Thu),
    ("thurs", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("fri", Weekday::Fri),
    ("saturday", Weekday::Sat),
    ("sunday", Weekday::Sun),
];

const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("jan", 1),
    ("february", 2),
    ("feb", 2),
    ("march", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("may", 5),
    ("june", 6),
    ("jun", 6),
    ("july", 7),
    ("jul", 7),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sep", 9),
    ("sept", 9),
    ("october", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
];

const COUNTS: &[(&str, u32)] = &[
    ("a", 1),
    ("an", 1),
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
];

#[derive(Clone, Copy)]
enum Unit {
    Minute,
    Hour,
    Day,
    Week,
    Month,
}

const UNITS: &[(&str, Unit)] = &[
    ("minute", Unit::Minute),
    ("minutes", Unit::Minute),
    ("min", Unit::Minute),
    ("mins", Unit::Minute),
    ("hour", Unit::Hour),
    ("hours", Unit::Hour),
    ("hr", Unit::Hour),
    ("hrs", Unit::Hour),
    ("day", Unit::Day),
    ("days", Unit::Day),
    ("week", Unit::Week),
    ("weeks", Unit::Week),
    ("month", Unit::Month),
    ("months", Unit::Month),
];

/// Parts of the day and their hour.
const DAY_PARTS: &[(&str, u32)] = &[("morning", 9), ("afternoon", 15), ("evening", 18), ("night", 20)];

/// The hour "tonight" means when no time is said.
const TONIGHT: u32 = 20;

/// One word of the text: its lower-case form (empty when too long to be a
/// date word) and its byte span without the punctuation around it.
struct Word {
    text: String,
    start: usize,
    end: usize,
}

fn words(text: &str) -> Vec<Word> {
    let mut words = Vec::new();
    let mut at = 0;
    for piece in text.split_inclusive(|c: char| c.is_whitespace() || c == ',') {
        let start = at;
        at += piece.len();
        let trimmed_start = piece.trim_start_matches(['(', '"', '\'', '\u{201c}']);
        let core = trimmed_start.trim_end_matches(|c: char| {
            c.is_whitespace() || matches!(c, ',' | '.' | '!' | '?' | ';' | ')' | '"' | '\'' | '\u{201d}')
        });
        if core.is_empty() {
            continue;
        }
        let word_start = start + (piece.len() - trimmed_start.len());
        let lower = if core.len() <= LONGEST_WORD {
            core.chars().map(|c| c.to_ascii_lowercase()).collect()
        } else {
            String::new()
        };
        words.push(Word {
            text: lower,
            start: word_start,
            end: word_start + core.len(),
        });
    }
    words
}

/// The first date expression in `text`, with its span: all of it when
/// [`parse`] reads it whole, so "12/24" alone is a date and "1/2 kg" is not.
pub fn find(text: &str, now: NaiveDateTime) -> Option<Found> {
    let words = words(text);
    let span = |ahead: &[Word], used: usize| (ahead[0].start, ahead[used - 1].end);
    if let Some(when) = whole(&words, now) {
        let (start, end) = span(&words, words.len());
        return Some(Found { when, start, end });
    }
    (0..words.len()).find_map(|at| {
        if !may_start(&words[at]) {
            return None;
        }
        let ahead = &words[at..words.len().min(at + LOOK_AHEAD)];
        let (when, used) = expression(ahead, now, false)?;
        let (start, end) = span(ahead, used);
        Some(Found { when, start, end })
    })
}

/// Whether a rule can start at `word`: most words rule out every rule at once.
fn may_start(word: &Word) -> bool {
    let text = word.text.as_str();
    text.starts_with(|c: char| c.is_ascii_digit())
        || matches!(
            text,
            "in" | "next" | "this" | "coming" | "end" | "the" | "at" | "noon" | "midday" | "midnight"
        )
        || PREFIXES.iter().any(|p| p[0] == text)
        || RELATIVE_DAYS.iter().any(|(p, _)| p[0] == text)
        || lookup(WEEKDAYS, Some(word)).is_some()
        || lookup(MONTHS, Some(word)).is_some()
}

/// `text` read as one date expression, all of it.
pub fn parse(text: &str, now: NaiveDateTime) -> Option<When> {
    whole(&words(text), now)
}

fn whole(words: &[Word], now: NaiveDateTime) -> Option<When> {
    if words.is_empty() || words.len() > LOOK_AHEAD {
        return None;
    }
    let (when, used) = expression(words, now, true)?;
    (used == words.len()).then_some(when)
}

/// How many of `words` the phrase `expected` covers at their start.
fn phrase(words: &[Word], expected: &[&str]) -> Option<usize> {
    let fits = words.len() >= expected.len() && words.iter().zip(expected).all(|(w, e)| w.text == *e);
    fits.then_some(expected.len())
}

fn lookup<T: Copy>(table: &[(&str, T)], word: Option<&Word>) -> Option<T> {
    let word = word?;
    table
        .iter()
        .find(|(name, _)| *name == word.text)
        .map(|(_, value)| *value)
}

/// A date (with the time it implies, as "tonight" does) and how many words it took.
type DatePart = (NaiveDate, Option<NaiveTime>, usize);

/// A prefix, then a date and a time in either order, or a time alone, or a
/// moment ("in 2 hours"). `alone`: the words are the whole text.
fn expression(words: &[Word], now: NaiveDateTime, alone: bool) -> Option<(When, usize)> {
    let prefix = PREFIXES.iter().find_map(|p| phrase(words, p)).unwrap_or(0);
    let rest = &words[prefix..];
    let lenient = prefix > 0 || alone;
    if let Some((moment, used)) = moment(rest, now) {
        return Some((When::At(moment), prefix + used));
    }
    if let Some((date, implied, used)) = date(rest, now.date(), lenient) {
        let evening = implied.is_some();
        return Some(match time(&rest[used..], evening, true) {
            Some((time, more)) => (When::At(date.and_time(time)), prefix + used + more),
            None => match implied {
                Some(time) => (When::At(date.and_time(time)), prefix + used),
                None => (When::Date(date), prefix + used),
            },
        });
    }
    let (time, used) = time(rest, false, false)?;
    let on = used + phrase(&rest[used..], &["on"]).unwrap_or(0);
    if let Some((date, _, more)) = date(&rest[on..], now.date(), true) {
        return Some((When::At(date.and_time(time)), prefix + on + more));
    }
    let today = now.date().and_time(time);
    let at = if today > now { today } else { today + Duration::days(1) };
    Some((When::At(at), prefix + used))
}

/// "in 2 hours", "in 30 minutes": now plus that, to the minute.
fn moment(words: &[Word], now: NaiveDateTime) -> Option<(NaiveDateTime, usize)> {
    let (count, unit) = span(words)?;
    let minutes = match unit {
        Unit::Minute => i64::from(count),
        Unit::Hour => i64::from(count) * 60,
        Unit::Day | Unit::Week | Unit::Month => return None,
    };
    let at = now.checked_add_signed(Duration::minutes(minutes))?;
    Some((at.with_second(0)?.with_nanosecond(0)?, 3))
}

/// "in N units": the count and the unit.
fn span(words: &[Word]) -> Option<(u32, Unit)> {
    phrase(words, &["in"])?;
    let count = words.get(1)?;
    let count = lookup(COUNTS, Some(count)).or_else(|| number(&count.text).filter(|n| (1..=999).contains(n)))?;
    Some((count, lookup(UNITS, words.get(2))?))
}

fn date(words: &[Word], today: NaiveDate, lenient: bool) -> Option<DatePart> {
    for (expected, days) in RELATIVE_DAYS {
        if let Some(used) = phrase(words, expected) {
            let implied = (expected[0] == "tonight").then(|| hour(TONIGHT));
            return Some((today.checked_add_days(Days::new(*days))?, implied, used));
        }
    }
    if let Some((count, unit)) = span(words) {
        let date = match unit {
            Unit::Day => today.checked_add_days(Days::new(count.into()))?,
            Unit::Week => today.checked_add_days(Days::new(u64::from(count) * 7))?,
            Unit::Month => today.checked_add_months(Months::new(count))?,
            Unit::Minute | Unit::Hour => return None,
        };
        return Some((date, None, 3));
    }
    named(words, today)
        .or_else(|| calendar(words, today))
        .or_else(|| numeric(words, today, lenient))
        .or_else(|| ordinal(words, today, lenient))
}

fn monday_of(date: NaiveDate) -> NaiveDate {
    date - Duration::days(date.weekday().num_days_from_monday().into())
}

/// "friday", "this friday", "next friday", "next week", "next month", "end of the month".
fn named(words: &[Word], today: NaiveDate) -> Option<DatePart> {
    let first = words.first()?.text.as_str();
    let (next, at) = match first {
        "next" => (true, 1),
        "this" | "coming" => (false, 1),
        _ => (false, 0),
    };
    if next && phrase(&words[1..], &["week"]).is_some() {
        return Some((monday_of(today) + Duration::days(7), None, 2));
    }
    if next && phrase(&words[1..], &["month"]).is_some() {
        let first_of_next = today.with_day(1)?.checked_add_months(Months::new(1))?;
        return Some((first_of_next, None, 2));
    }
    for ending in [
        &["end", "of", "the", "month"][..],
        &["the", "end", "of", "the", "month"],
        &["end", "of", "month"],
        &["the", "end", "of", "this", "month"],
        &["end", "of", "this", "month"],
    ] {
        if let Some(used) = phrase(words, ending) {
            let first_of_next = today.with_day(1)?.checked_add_months(Months::new(1))?;
            return Some((first_of_next.pred_opt()?, None, used));
        }
    }
    let day = lookup(WEEKDAYS, words.get(at))?;
    let date = if next {
        monday_of(today) + Duration::days(7 + i64::from(day.num_days_from_monday()))
    } else {
        let ahead = (7 + day.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
        today + Duration::days(if ahead == 0 { 7 } else { ahead.into() })
    };
    Some((date, None, at + 1))
}

/// A number in digits only: `str::parse` also takes "+6", which no rule may
/// start with ([`may_start`]), so "+6 august" would read as a date alone and
/// not inside a sentence.
fn number(text: &str) -> Option<u32> {
    let digits = !text.is_empty() && text.len() <= 4 && text.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| text.parse().ok()).flatten()
}

/// A day of the month: "24", "24th", "1st".
fn day_number(word: Option<&Word>, needs_suffix: bool) -> Option<u32> {
    let text = word?.text.as_str();
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &text[digits.len()..];
    let fitting = match suffix {
        "" => !needs_suffix,
        "st" | "nd" | "rd" | "th" => true,
        _ => false,
    };
    let day = number(digits).filter(|_| fitting && digits.len() <= 2)?;
    (1..=31).contains(&day).then_some(day)
}

fn year(word: Option<&Word>) -> Option<i32> {
    let text = word?.text.as_str();
    (text.len() == 4)
        .then(|| number(text).and_then(|y| i32::try_from(y).ok()))
        .flatten()
        .filter(|y| (1970..=9999).contains(y))
}

/// The date with that month and day: in `year`, or the next one from today on.
fn month_day(today: NaiveDate, month: u32, day: u32, year: Option<i32>) -> Option<NaiveDate> {
    match year {
        Some(year) => NaiveDate::from_ymd_opt(year, month, day),
        None => (today.year()..=today.year() + 4)
            .filter_map(|y| NaiveDate::from_ymd_opt(y, month, day))
            .find(|date| *date >= today),
    }
}

/// "Dec 24", "December 24th 2026", "24 December", "the 24th of December".
fn calendar(words: &[Word], today: NaiveDate) -> Option<DatePart> {
    if let Some(month) = lookup(MONTHS, words.first()) {
        let day = day_number(words.get(1), false)?;
        let year = year(words.get(2));
        let used = if year.is_some() { 3 } else { 2 };
        return Some((month_day(today, month, day, year)?, None, used));
    }
    let at = phrase(words, &["the"]).unwrap_or(0);
    let day = day_number(words.get(at), false)?;
    let of = at + 1 + phrase(&words[at + 1..], &["of"]).unwrap_or(0);
    let month = lookup(MONTHS, words.get(of))?;
    let year = year(words.get(of + 1));
    let used = of + 1 + usize::from(year.is_some());
    Some((month_day(today, month, day, year)?, None, used))
}

/// "2026-12-24", "12/24", "12/24/2026", "24/12/26".
fn numeric(words: &[Word], today: NaiveDate, lenient: bool) -> Option<DatePart> {
    let text = words.first()?.text.as_str();
    if text.len() == 10
        && text.as_bytes()[4] == b'-'
        && let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
    {
        return Some((date, None, 1));
    }
    let mut parts = text.split('/');
    let (first, second, third) = (parts.next()?, parts.next()?, parts.next());
    if parts.next().is_some() || first.len() > 2 || second.len() > 2 {
        return None;
    }
    let (first, second) = (number(first)?, number(second)?);
    let (month, day) = if first > 12 { (second, first) } else { (first, second) };
    let year = match third {
        None if !lenient => return None,
        None => None,
        Some(y) if y.len() == 2 => Some(2000 + i32::try_from(number(y)?).ok()?),
        Some(y) if y.len() == 4 => Some(i32::try_from(number(y)?).ok()?),
        Some(_) => return None,
    };
    Some((month_day(today, month, day, year)?, None, 1))
}

/// "the 1st": the next day with that number, from today on. Without a
/// prefix only last or before a time: "read the 1st chapter" has no date.
fn ordinal(words: &[Word], today: NaiveDate, lenient: bool) -> Option<DatePart> {
    let at = phrase(words, &["the"]).unwrap_or(0);
    let last = words.get(at + 1).is_none_or(|next| next.text == "at");
    if (at == 0 || !last) && !lenient {
        return None;
    }
    let day = day_number(words.get(at), true)?;
    let date = (0..12)
        .filter_map(|months| {
            today
                .with_day(1)?
                .checked_add_months(Months::new(months))?
                .with_day(day)
        })
        .find(|date| *date >= today)?;
    Some((date, None, at + 1))
}

fn hour(hour: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or_default()
}

/// "at 5pm", "17:00", "at noon", "in the evening"; after a date also
/// "morning". `evening`: an hour without am/pm is after noon ("tonight at 9").
fn time(words: &[Word], evening: bool, after_date: bool) -> Option<(NaiveTime, usize)> {
    for part in [&["in", "the"][..], &["at"], &["this"]] {
        if let Some(used) = phrase(words, part)
            && let Some(hour_of_part) = lookup(DAY_PARTS, words.get(used))
            && (part != ["at"] || hour_of_part == TONIGHT)
        {
            return Some((hour(hour_of_part), used + 1));
        }
    }
    if after_date && let Some(hour_of_part) = lookup(DAY_PARTS, words.first()) {
        return Some((hour(hour_of_part), 1));
    }
    let at = phrase(words, &["at"]).unwrap_or(0);
    match words.get(at).map(|w| w.text.as_str()) {
        Some("noon" | "midday") => return Some((hour(12), at + 1)),
        Some("midnight") => return Some((hour(0), at + 1)),
        _ => {}
    }
    let (time, used) = clock(&words[at..], at > 0, evening)?;
    Some((time, at + used))
}

/// "5pm", "5 pm", "5:30pm", "17:00"; a bare hour ("5") only after "at".
fn clock(words: &[Word], after_at: bool, evening: bool) -> Option<(NaiveTime, usize)> {
    let text = words.first()?.text.as_str();
    let (said, meridiem) = match text.strip_suffix("am").or_else(|| text.strip_suffix("a.m")) {
        Some(said) => (said, Some(false)),
        None => match text.strip_suffix("pm").or_else(|| text.strip_suffix("p.m")) {
            Some(said) => (said, Some(true)),
            None => (text, None),
        },
    };
    let (meridiem, used) = match (meridiem, words.get(1).map(|w| w.text.as_str())) {
        (Some(pm), _) => (Some(pm), 1),
        (None, Some("am" | "a.m")) => (Some(false), 2),
        (None, Some("pm" | "p.m")) => (Some(true), 2),
        (None, _) => (None, 1),
    };
    let (hours, minutes) = match said.split_once(':') {
        Some((h, m)) if m.len() == 2 => (h, number(m)?),
        Some(_) => return None,
        None => (said, 0),
    };
    let hours = number(hours).filter(|_| hours.len() <= 2)?;
    let has_minutes = said.contains(':');
    let hours = match meridiem {
        Some(pm) if (1..=12).contains(&hours) => hours % 12 + if pm { 12 } else { 0 },
        Some(_) => return None,
        // "17:00" is a time anywhere; "5" only after "at".
        None if !has_minutes && !after_at => return None,
        None if (1..=7).contains(&hours) || (evening && (1..12).contains(&hours)) => hours + 12,
        None => hours,
    };
    Some((NaiveTime::from_hms_opt(hours, minutes, 0)?, used))
}

#[cfg(test)]
mod tests;
