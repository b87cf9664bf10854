//! A provider's streamed body, split anywhere: the SSE decoder yields the same
//! events whatever the split points, and what they assemble to is a
//! well-formed answer (text, then whole named tool calls, then one
//! `Finished`) or a refusal; a line or event over the limit is the same
//! fault however the body is split.
//!
//! Input: 8 bytes of piece lengths (each mod 32, used in turn), then the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tasktalk_core::agent::ModelEvent;
use tasktalk_core::agent::providers::openai::fuzzing::{assemble, sse_events};

/// The body in pieces of the given lengths, in turn (some empty); one byte
/// each if every length is 0.
fn pieces<'a>(lengths: &[u8], mut body: &'a [u8]) -> Vec<&'a [u8]> {
    let mut pieces = Vec::new();
    let step = |i: usize| usize::from(lengths[i % lengths.len()] % 32);
    if lengths.iter().all(|&n| n % 32 == 0) {
        return body.chunks(1).collect();
    }
    let mut i = 0;
    while !body.is_empty() {
        let (piece, rest) = body.split_at(step(i).min(body.len()));
        pieces.push(piece);
        body = rest;
        i += 1;
    }
    pieces
}

fuzz_target!(|data: &[u8]| {
    let (lengths, body) = data.split_at(data.len().min(8));
    let whole = sse_events([body]);
    if !lengths.is_empty() {
        assert_eq!(sse_events(pieces(lengths, body)), whole, "the split changed the events or the fault");
    }
    let Ok(whole) = whole else { return };
    match assemble(&whole) {
        Ok(events) => {
            let (last, rest) = events.split_last().expect("an answer has events");
            assert_eq!(last, &ModelEvent::Finished, "the answer does not end with Finished");
            let mut calls_started = false;
            for event in rest {
                match event {
                    ModelEvent::TextDelta(text) => {
                        assert!(!text.is_empty(), "an empty text delta");
                        assert!(!calls_started, "text after a tool call");
                    }
                    ModelEvent::ToolCall(call) => {
                        assert!(!call.name.is_empty() && !call.id.is_empty(), "{call:?}");
                        calls_started = true;
                    }
                    ModelEvent::HiddenContext(_) => panic!("hidden context from a provider's stream"),
                    ModelEvent::Finished => panic!("Finished before the end"),
                }
            }
        }
        Err(why) => assert!(!why.is_empty()),
    }
});
