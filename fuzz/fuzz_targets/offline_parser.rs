//! The offline assistant on any conversation it can be in: a message; the
//! task list it asked for (titles from the input, or a few alike ones); the
//! answer to its "which one?". Each step never panics and is a well-formed
//! step: a non-empty reply that streams back whole, or calls of known tools
//! on JSON arguments, acting only on tasks the list showed.
//!
//! Input: the parts of a conversation separated by 0xFF (never in UTF-8):
//! the message, the answer to "which one?", then task titles.
#![no_main]

use chrono::{NaiveDate, NaiveDateTime};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use tasktalk_core::agent::providers::offline::{Decision, events, plan};
use tasktalk_core::agent::tools::{ADD_TASK, COMPLETE_TASK, DELETE_TASK, LIST_TASKS, UPDATE_TASK};
use tasktalk_core::agent::{ChatMessage, ModelEvent};

const TITLES: &[&str] = &["buy milk", "buy oat milk", "call mom", "go to gym", "go to gym"];

/// Plans the next step at `now` and checks it; the ids a call may act on
/// are `listed` (any, when none were listed yet).
fn checked_plan(messages: &[ChatMessage], now: NaiveDateTime, listed: Option<&[i64]>) -> Decision {
    let step = plan(messages, now);
    match &step {
        Decision::Reply(text) | Decision::Ask { question: text, .. } => {
            assert!(!text.trim().is_empty(), "an empty reply");
            let deltas: String = events(step.clone())
                .into_iter()
                .filter_map(|event| match event {
                    ModelEvent::TextDelta(delta) => Some(delta),
                    _ => None,
                })
                .collect();
            assert_eq!(&deltas, text, "the streamed reply differs from the reply");
        }
        Decision::CallTools(calls) => {
            assert!(!calls.is_empty(), "a step without calls");
            for call in calls {
                assert!(
                    [ADD_TASK, LIST_TASKS, COMPLETE_TASK, UPDATE_TASK, DELETE_TASK].contains(&call.name.as_str()),
                    "unknown tool {}",
                    call.name
                );
                let arguments: Value = serde_json::from_str(&call.arguments).expect("arguments are JSON");
                assert!(arguments.is_object(), "arguments {arguments} are not an object");
                if call.name == ADD_TASK {
                    let title = arguments["title"].as_str().expect("add_task has a title");
                    assert!(!title.trim().is_empty(), "add_task with a blank title");
                }
                if let (Some(listed), Some(id)) = (listed, arguments.get("task_id")) {
                    let id = id.as_i64().expect("a numeric task id");
                    assert!(listed.contains(&id), "acts on task {id}, which the list did not show");
                }
            }
        }
    }
    step
}

fuzz_target!(|data: &[u8]| {
    // A Wednesday morning: the grammar's own target varies "now".
    let now = NaiveDate::from_ymd_opt(2026, 12, 2)
        .and_then(|d| d.and_hms_opt(10, 0, 0))
        .expect("a valid date");
    let mut parts = data
        .split(|&b| b == 0xFF)
        .map(|part| String::from_utf8_lossy(part).into_owned());
    let message = parts.next().unwrap_or_default();
    let answer = parts.next();
    let mut titles: Vec<String> = parts.take(8).collect();
    if titles.is_empty() {
        titles = TITLES.iter().map(|&t| t.to_owned()).collect();
    }

    let mut messages = vec![ChatMessage::user(message)];
    let Decision::CallTools(calls) = checked_plan(&messages, now, None) else {
        return;
    };
    let [lookup] = calls.as_slice() else {
        return;
    };
    if lookup.name != LIST_TASKS {
        return;
    }
    let ids: Vec<i64> = (1..).take(titles.len()).collect();
    let tasks: Vec<Value> = ids
        .iter()
        .zip(&titles)
        .map(|(id, title)| json!({"id": id, "title": title, "completed": id % 3 == 0}))
        .collect();
    messages.push(ChatMessage::assistant("", calls.clone()));
    messages.push(ChatMessage::tool_result(&lookup.id, Value::Array(tasks).to_string()));
    let reply = checked_plan(&messages, now, Some(&ids));
    if matches!(reply, Decision::CallTools(_)) {
        return;
    }
    if let Some(answer) = answer {
        // As a ChatKit thread keeps a reply: its text, then any hidden context.
        let (mut text, mut hidden) = (String::new(), Vec::new());
        for event in events(reply) {
            match event {
                ModelEvent::TextDelta(delta) => text.push_str(&delta),
                ModelEvent::HiddenContext(note) => hidden.push(ChatMessage::user(note)),
                ModelEvent::ToolCall(_) | ModelEvent::Finished => {}
            }
        }
        messages.push(ChatMessage::assistant(text, Vec::new()));
        messages.extend(hidden);
        messages.push(ChatMessage::user(answer));
        checked_plan(&messages, now, None);
    }
});
