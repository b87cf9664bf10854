//! The date grammar on any text and any "now" from 1970 to 2100: it never
//! panics, a date it finds spans whole characters of the text, that span
//! alone reads as the same date, and a text that is all one date is found as
//! that date.
//!
//! Input: 4 bytes of "now" (minutes since 1970, modulo 130 years), then the text.
#![no_main]

use chrono::{DateTime, NaiveDateTime};
use libfuzzer_sys::fuzz_target;
use tasktalk_core::when::{find, parse};

/// Minutes in 130 years: every "now" from 1970 to 2100.
const SPAN: u32 = 130 * 366 * 24 * 60;

fuzz_target!(|data: &[u8]| {
    let (head, text) = data.split_at(data.len().min(4));
    let mut minutes = [0u8; 4];
    minutes[..head.len()].copy_from_slice(head);
    let minutes = u32::from_le_bytes(minutes) % SPAN;
    let now: NaiveDateTime = DateTime::from_timestamp(i64::from(minutes) * 60, 0)
        .expect("within chrono's range")
        .naive_utc();
    let text = String::from_utf8_lossy(text);

    let found = find(&text, now);
    assert_eq!(found, find(&text, now), "two reads of one text differ");
    if let Some(found) = found {
        assert!(found.start < found.end && found.end <= text.len(), "{found:?} outside the text");
        assert!(
            text.is_char_boundary(found.start) && text.is_char_boundary(found.end),
            "{found:?} splits a character"
        );
        let words = &text[found.start..found.end];
        assert_eq!(parse(words, now), Some(found.when), "{words:?} alone reads otherwise");
    }
    if let Some(when) = parse(&text, now) {
        assert_eq!(found.map(|f| f.when), Some(when), "the whole text is a date find missed");
    }
});
