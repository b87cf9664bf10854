//! What the offline assistant decides to do next, and the provider events that carry it out.

use super::choice::PendingChoice;
use crate::agent::provider::{ModelEvent, ToolCall};

/// Words per streamed text delta.
const WORDS_PER_DELTA: usize = 3;

/// The assistant's next move in a conversation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    CallTools(Vec<ToolCall>),
    Reply(String),
    /// "Which one do you mean?", and the choice its answer is read against.
    Ask {
        question: String,
        pending: PendingChoice,
    },
}

/// The events that carry out `decision`: the tool calls, or the reply in
/// several text deltas (a question's choice after it, as hidden context);
/// then `Finished`.
pub fn events(decision: Decision) -> Vec<ModelEvent> {
    let mut events: Vec<ModelEvent> = match decision {
        Decision::CallTools(calls) => calls.into_iter().map(ModelEvent::ToolCall).collect(),
        Decision::Reply(text) => text_deltas(&text).into_iter().map(ModelEvent::TextDelta).collect(),
        Decision::Ask { question, pending } => {
            let mut events: Vec<ModelEvent> = text_deltas(&question).into_iter().map(ModelEvent::TextDelta).collect();
            events.push(ModelEvent::HiddenContext(pending.note()));
            events
        }
    };
    events.push(ModelEvent::Finished);
    events
}

/// `text` in pieces of a few words, whitespace kept, so the pieces join back to it.
pub(super) fn text_deltas(text: &str) -> Vec<String> {
    let pieces: Vec<&str> = text.split_inclusive(char::is_whitespace).collect();
    pieces.chunks(WORDS_PER_DELTA).map(|chunk| chunk.concat()).collect()
}
