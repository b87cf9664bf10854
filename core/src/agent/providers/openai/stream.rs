//! The streamed answer: the response body through the SSE decoder, each
//! event's JSON chunk into model events. Text passes through as it comes;
//! tool-call fragments are joined and released whole when the answer finishes.

use std::future::Future;

use futures_core::Stream;
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::Value;

use super::errors::{Fault, Reporter};
use crate::agent::provider::{ModelEvent, ProviderError, ToolCall};
use crate::sse::SseDecoder;

/// Tool calls in one answer, and the bytes of their names and arguments
/// together: the calls are held until the answer finishes.
const MAX_TOOL_CALLS: usize = 128;
const TOOL_CALLS_LIMIT: usize = 1 << 20;

/// The model events of the response that `sent` resolves to. Nothing is sent
/// until the stream is first polled, and the stream owns the response:
/// dropping it closes the connection.
pub(super) fn answer(
    sent: impl Future<Output = Result<reqwest::Response, ProviderError>> + Send + 'static,
    report: Reporter,
) -> impl Stream<Item = Result<ModelEvent, ProviderError>> + Send + 'static {
    async_stream::try_stream! {
        let response = sent.await?;
        let mut body = response.bytes_stream();
        let mut sse = SseDecoder::default();
        let mut assembler = AnswerAssembler::default();
        loop {
            let events = match body.next().await {
                Some(Ok(bytes)) => sse.push(&bytes),
                Some(Err(e)) => Err::<Vec<_>, _>(report.body_error(&e))?,
                None => {
                    let last = match sse.finish() {
                        Some(data) => assembler.on_data(&data).map_err(|f| report.fault(f))?,
                        None => Assembled::default(),
                    };
                    for event in last.events {
                        yield event;
                    }
                    if !last.finished {
                        Err::<(), _>(report.ended_early(assembler.saw_event, sse.saw_bytes()))?;
                    }
                    return;
                }
            };
            for data in events {
                let data = data.map_err(|f| report.fault(f.into()))?;
                let assembled = assembler.on_data(&data).map_err(|f| report.fault(f))?;
                for event in assembled.events {
                    yield event;
                }
                if assembled.finished {
                    tracing::debug!(provider = %report.kind.id(), model = %report.model, "model answer complete");
                    // Dropping the body here: anything after the finish (a
                    // usage chunk, [DONE]) is not needed.
                    return;
                }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Option<Vec<Choice>>,
}

#[derive(Debug, Deserialize)]
struct Choice {
    #[serde(default)]
    index: Option<u32>,
    #[serde(default)]
    delta: Option<Delta>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Delta {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    refusal: Option<String>,
    #[serde(default)]
    tool_calls: Option<Vec<ToolCallDelta>>,
}

#[derive(Debug, Deserialize)]
struct ToolCallDelta {
    #[serde(default)]
    index: Option<u32>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    function: Option<FunctionDelta>,
}

#[derive(Debug, Deserialize)]
struct FunctionDelta {
    #[serde(default)]
    name: Option<String>,
    /// A string everywhere documented; some servers send an object.
    #[serde(default)]
    arguments: Option<Value>,
}

/// What one event adds to the answer.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Assembled {
    pub events: Vec<ModelEvent>,
    /// The answer is complete: `events` are its last, ending in `Finished`.
    pub finished: bool,
}

#[derive(Debug, Default)]
struct PartialCall {
    /// The provider's index, or one past the largest for a call without
    /// one; u64 so that one past `u32::MAX` cannot overflow.
    index: u64,
    id: String,
    name: String,
    arguments: String,
}

/// Assembles one streamed answer from its events' data.
#[derive(Debug, Default)]
pub(super) struct AnswerAssembler {
    calls: Vec<PartialCall>,
    /// Bytes of ids, names and arguments held in `calls`.
    held: usize,
    pub saw_event: bool,
}

impl AnswerAssembler {
    pub fn on_data(&mut self, data: &str) -> Result<Assembled, Fault> {
        self.saw_event = true;
        if data.trim() == "[DONE]" {
            return self.finish(Vec::new());
        }
        let value: Value = serde_json::from_str(data).map_err(|_| Fault::NotJson)?;
        if !value.is_object() {
            return Err(Fault::Shape("not a JSON object".to_owned()));
        }
        if let Some(error) = value.get("error").filter(|e| !e.is_null()) {
            return Err(Fault::Error(error.clone()));
        }
        let chunk: Chunk = serde_json::from_value(value).map_err(|e| Fault::Shape(e.to_string()))?;
        let mut events = Vec::new();
        // n defaults to 1: only the first choice exists, others are ignored.
        for choice in chunk.choices.unwrap_or_default() {
            if choice.index.unwrap_or(0) != 0 {
                continue;
            }
            if let Some(delta) = choice.delta {
                for text in [delta.content, delta.refusal].into_iter().flatten() {
                    if !text.is_empty() {
                        events.push(ModelEvent::TextDelta(text));
                    }
                }
                for fragment in delta.tool_calls.unwrap_or_default() {
                    self.absorb(fragment)?;
                }
            }
            if let Some(reason) = choice.finish_reason {
                tracing::debug!(finish_reason = %reason, "model finished");
                return self.finish(events);
            }
        }
        Ok(Assembled {
            events,
            finished: false,
        })
    }

    fn absorb(&mut self, fragment: ToolCallDelta) -> Result<(), Fault> {
        let id = fragment.id.filter(|id| !id.is_empty());
        let (name, arguments) = match fragment.function {
            Some(function) => (function.name.filter(|n| !n.is_empty()), function.arguments),
            None => (None, None),
        };
        let arguments = match arguments {
            Some(Value::String(piece)) => piece,
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        self.held += [&id, &name].into_iter().flatten().map(String::len).sum::<usize>() + arguments.len();
        if self.held > TOOL_CALLS_LIMIT {
            return Err(Fault::TooLarge("tool calls"));
        }
        let existing = fragment
            .index
            .and_then(|index| self.calls.iter().position(|c| c.index == u64::from(index)));
        let position = match (existing, fragment.index) {
            (Some(position), _) => position,
            // No index (Gemini): a fragment that names a call starts a new
            // one; a bare arguments piece continues the last.
            (None, None) if id.is_none() && name.is_none() && !self.calls.is_empty() => self.calls.len() - 1,
            (None, index) => {
                if self.calls.len() == MAX_TOOL_CALLS {
                    return Err(Fault::TooManyCalls(MAX_TOOL_CALLS));
                }
                let next = self.calls.iter().map(|c| c.index + 1).max().unwrap_or(0);
                self.calls.push(PartialCall {
                    index: index.map_or(next, u64::from),
                    ..PartialCall::default()
                });
                self.calls.len() - 1
            }
        };
        let Some(call) = self.calls.get_mut(position) else {
            return Ok(());
        };
        if let Some(id) = id
            && call.id.is_empty()
        {
            call.id = id;
        }
        if let Some(name) = name
            && call.name != name
        {
            // Whole names are repeated by some servers; pieces are appended.
            call.name.push_str(&name);
        }
        call.arguments.push_str(&arguments);
        Ok(())
    }

    /// The assembled tool calls in index order, then `Finished`.
    fn finish(&mut self, mut events: Vec<ModelEvent>) -> Result<Assembled, Fault> {
        self.held = 0;
        let mut calls = std::mem::take(&mut self.calls);
        calls.sort_by_key(|c| c.index);
        for call in calls {
            if call.name.is_empty() {
                return Err(Fault::Shape("a tool call without a function name".to_owned()));
            }
            let id = if call.id.is_empty() { generated_id() } else { call.id };
            events.push(ModelEvent::ToolCall(ToolCall {
                id,
                name: call.name,
                arguments: call.arguments,
            }));
        }
        events.push(ModelEvent::Finished);
        Ok(Assembled { events, finished: true })
    }
}

/// `call_<n>` for a provider that sent no id. Random rather than counted so
/// ids stay unique in a conversation that outlives this process.
fn generated_id() -> String {
    let mut bytes = [0u8; 8];
    crate::random::fill(&mut bytes);
    format!("call_{}", u64::from_le_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(assembler: &mut AnswerAssembler, data: &[&str]) -> Vec<ModelEvent> {
        let mut out = Vec::new();
        for d in data {
            let assembled = assembler.on_data(d).unwrap_or_else(|e| panic!("{e:?}"));
            out.extend(assembled.events);
            if assembled.finished {
                break;
            }
        }
        out
    }

    #[test]
    fn fragments_without_index_start_new_calls_unless_bare_arguments() {
        let mut assembler = AnswerAssembler::default();
        let events = run(
            &mut assembler,
            &[
                r#"{"choices":[{"delta":{"tool_calls":[{"function":{"name":"add_task","arguments":"{\"title\":"}}]}}]}"#,
                r#"{"choices":[{"delta":{"tool_calls":[{"function":{"arguments":"\"milk\"}"}}]}}]}"#,
                r#"{"choices":[{"delta":{"tool_calls":[{"id":"x1","function":{"name":"list_tasks","arguments":{}}}]}}]}"#,
                "[DONE]",
            ],
        );
        let calls: Vec<(String, String)> = events
            .iter()
            .filter_map(|e| match e {
                ModelEvent::ToolCall(c) => Some((c.name.clone(), c.arguments.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            calls,
            [
                ("add_task".to_owned(), r#"{"title":"milk"}"#.to_owned()),
                ("list_tasks".to_owned(), "{}".to_owned())
            ]
        );
        assert_eq!(events.last(), Some(&ModelEvent::Finished));
    }

    #[test]
    fn name_pieces_are_joined_and_repeats_ignored() {
        let mut assembler = AnswerAssembler::default();
        let events = run(
            &mut assembler,
            &[
                r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"add_"}}]}}]}"#,
                r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"name":"task"}}]}}]}"#,
                r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"name":"add_task","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}"#,
            ],
        );
        assert_eq!(
            events,
            [
                ModelEvent::ToolCall(ToolCall {
                    id: "c".into(),
                    name: "add_task".into(),
                    arguments: "{}".into()
                }),
                ModelEvent::Finished
            ]
        );
    }

    #[test]
    fn other_choices_are_ignored_and_nameless_calls_refused() {
        let mut assembler = AnswerAssembler::default();
        let events = run(
            &mut assembler,
            &[r#"{"choices":[{"index":1,"delta":{"content":"no"}},{"index":0,"delta":{"content":"yes"}}]}"#],
        );
        assert_eq!(events, [ModelEvent::TextDelta("yes".into())]);
        let mut assembler = AnswerAssembler::default();
        assert!(matches!(
            assembler.on_data(r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]},"finish_reason":"stop"}]}"#),
            Err(Fault::Shape(_))
        ));
        assert!(matches!(assembler.on_data("[1,2]"), Err(Fault::Shape(_))));
        assert!(matches!(
            assembler.on_data(r#"{"choices":"nope"}"#),
            Err(Fault::Shape(_))
        ));
        assert_eq!(assembler.on_data("{oops"), Err(Fault::NotJson));
    }
}
