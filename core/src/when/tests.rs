//! The grammar as a table of sentences, read on Wednesday 2 December 2026 at 10:00.

use super::*;

fn now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 12, 2)
        .and_then(|d| d.and_hms_opt(10, 0, 0))
        .unwrap_or_default()
}

fn day(month: u32, day: u32) -> When {
    When::Date(NaiveDate::from_ymd_opt(if month < 12 { 2027 } else { 2026 }, month, day).unwrap_or_default())
}

fn at(month: u32, day: u32, hour: u32, minute: u32) -> When {
    let date = NaiveDate::from_ymd_opt(if month < 12 { 2027 } else { 2026 }, month, day).unwrap_or_default();
    When::At(date.and_hms_opt(hour, minute, 0).unwrap_or_default())
}

#[test]
fn whole_expressions_read_as_the_module_documents() {
    let cases = [
        ("today", day(12, 2)),
        ("Tomorrow", day(12, 3)),
        ("tonight", at(12, 2, 20, 0)),
        ("tonight at 9", at(12, 2, 21, 0)),
        ("the day after tomorrow", day(12, 4)),
        ("day after tomorrow", day(12, 4)),
        ("friday", day(12, 4)),
        ("this friday", day(12, 4)),
        ("wednesday", day(12, 9)),
        ("next friday", day(12, 11)),
        ("next monday", day(12, 7)),
        ("next wednesday", day(12, 9)),
        ("on sunday", day(12, 6)),
        ("in 3 days", day(12, 5)),
        ("in a week", day(12, 9)),
        ("in 2 weeks", day(12, 16)),
        ("in three days", day(12, 5)),
        ("in 2 months", day(2, 2)),
        ("in 2 hours", at(12, 2, 12, 0)),
        ("in 30 minutes", at(12, 2, 10, 30)),
        ("next week", day(12, 7)),
        ("next month", day(1, 1)),
        ("end of the month", day(12, 31)),
        ("by the end of the month", day(12, 31)),
        ("Dec 24", day(12, 24)),
        ("December 24th", day(12, 24)),
        ("24 December", day(12, 24)),
        ("the 24th of December", day(12, 24)),
        (
            "dec 24, 2027",
            When::Date(NaiveDate::from_ymd_opt(2027, 12, 24).unwrap_or_default()),
        ),
        ("Jan 5", day(1, 5)),
        (
            "Dec 1",
            When::Date(NaiveDate::from_ymd_opt(2027, 12, 1).unwrap_or_default()),
        ),
        ("2026-12-24", day(12, 24)),
        ("12/24", day(12, 24)),
        ("24/12", day(12, 24)),
        ("1/2", day(1, 2)),
        ("12/24/2026", day(12, 24)),
        ("the 1st", day(1, 1)),
        ("the 2nd", day(12, 2)),
        ("by the 15th", day(12, 15)),
        ("the 31st", day(12, 31)),
        ("at 5pm", at(12, 2, 17, 0)),
        ("at 5 pm", at(12, 2, 17, 0)),
        ("at 17:00", at(12, 2, 17, 0)),
        ("at 5", at(12, 2, 17, 0)),
        ("at 9", at(12, 3, 9, 0)),
        ("at 9am", at(12, 3, 9, 0)),
        ("at 10:30", at(12, 2, 10, 30)),
        ("at 12am", at(12, 3, 0, 0)),
        ("at noon", at(12, 2, 12, 0)),
        ("in the morning", at(12, 3, 9, 0)),
        ("in the evening", at(12, 2, 18, 0)),
        ("tomorrow at 5pm", at(12, 3, 17, 0)),
        ("tomorrow 5pm", at(12, 3, 17, 0)),
        ("at 5pm tomorrow", at(12, 3, 17, 0)),
        ("at 5pm on friday", at(12, 4, 17, 0)),
        ("tomorrow morning", at(12, 3, 9, 0)),
        ("friday evening", at(12, 4, 18, 0)),
        ("next monday at 9:15am", at(12, 7, 9, 15)),
        ("due friday", day(12, 4)),
        ("due by tomorrow", day(12, 3)),
        ("before 5pm", at(12, 2, 17, 0)),
        ("on 12/24", day(12, 24)),
        ("by Dec 24th at 8 p.m.", at(12, 24, 20, 0)),
    ];
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|(text, expected)| {
            let got = parse(text, now());
            (got != Some(*expected)).then(|| format!("{text:?}: expected {expected:?}, got {got:?}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_date_is_found_inside_a_sentence_with_the_words_around_it() {
    let cases = [
        ("call mom tomorrow at 5pm", "tomorrow at 5pm", at(12, 3, 17, 0)),
        ("pay rent by the 1st", "by the 1st", day(1, 1)),
        ("call the bank tomorrow.", "tomorrow", day(12, 3)),
        (
            "submit report due friday at noon",
            "due friday at noon",
            at(12, 4, 12, 0),
        ),
        ("dentist on Dec 24, then lunch", "on Dec 24", day(12, 24)),
        ("call mom at 10:30", "at 10:30", at(12, 2, 10, 30)),
        ("water plants in 3 days please", "in 3 days", day(12, 5)),
        ("book flights (next week)", "next week", day(12, 7)),
        ("file taxes before 12/24", "before 12/24", day(12, 24)),
    ];
    for (text, words, when) in cases {
        let found = find(text, now()).unwrap_or_else(|| panic!("nothing found in {text:?}"));
        assert_eq!((&text[found.start..found.end], found.when), (words, when), "{text:?}");
    }
}

#[test]
fn titles_with_numbers_and_date_like_words_have_no_date() {
    for text in [
        "buy 2 eggs",
        "read chapter 12",
        "buy 1/2 kg flour",
        "1/2 kg flour",
        "read the 1st chapter",
        "I may call mom",
        "this week's groceries",
        "call 911",
        "the day after",
        "next steps",
        "in the garden",
        "by myself",
        "at home",
        "",
    ] {
        assert_eq!(find(text, now()), None, "{text:?}");
    }
}

#[test]
fn parse_refuses_text_that_is_more_than_a_date() {
    for text in ["call mom tomorrow", "tomorrow call mom", "friday friday", "at", "by"] {
        assert_eq!(parse(text, now()), None, "{text:?}");
    }
}

#[test]
fn impossible_dates_and_times_are_no_dates() {
    // "+6 august": the fuzzer found that a signed number read as a day alone.
    for text in [
        "+6 august",
        "at 5:+5",
        "+1/+2",
        "Feb 30 2027",
        "13/13",
        "at 25:00",
        "at 13pm",
        "2026-02-30",
        "the 32nd",
        "at 5:7",
    ] {
        assert_eq!(parse(text, now()), None, "{text:?}");
    }
}

#[test]
fn a_long_text_is_read_in_linear_time() {
    // Every word starts a rule that almost fits: a quadratic reading of
    // 80 000 words would take minutes.
    let text = "next the day after in 3 at by the ".repeat(10_000);
    let started = std::time::Instant::now();
    assert!(find(&text, now()).is_none());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}
