//! The offline assistant's tests: conversations planned as the agent loop
//! runs them, one module per kind of request.

mod add_list;
mod by_number_or_title;
mod dates;
mod replies;
mod tool_errors;
mod which_one;

use serde_json::{Value, json};

use super::decision::text_deltas;
use super::intent;
use super::plan::too_many_tasks;
use super::reply::{ACKNOWLEDGEMENT, GREETING, HELP, THANKS, UNKNOWN};
use super::*;
use crate::agent::provider::{ChatMessage, ModelEvent, ToolCall};
use crate::agent::tools::{ADD_TASK, COMPLETE_TASK, DELETE_TASK, LIST_TASKS, UPDATE_TASK};
use crate::tasks::TaskId;

/// Wednesday 2 December 2026, 10:00: what dates in the tests are read against.
fn now() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 12, 2)
        .and_then(|d| d.and_hms_opt(10, 0, 0))
        .unwrap_or_default()
}

/// The next move at [`now`].
fn plan(messages: &[ChatMessage]) -> Decision {
    super::plan(messages, now())
}

fn conversation(text: &str) -> Vec<ChatMessage> {
    vec![
        ChatMessage::system("You manage the user's tasks."),
        ChatMessage::user(text),
    ]
}

/// The tool calls of a step, as (name, arguments), or a panic with the reply.
fn calls(step: &Decision) -> Vec<(String, Value)> {
    match step {
        Decision::CallTools(calls) => calls
            .iter()
            .map(|c| {
                let arguments = serde_json::from_str(&c.arguments).unwrap_or_else(|e| panic!("{e}: {}", c.arguments));
                (c.name.clone(), arguments)
            })
            .collect(),
        Decision::Reply(text) | Decision::Ask { question: text, .. } => {
            panic!("expected tool calls, got the reply {text:?}")
        }
    }
}

fn reply(step: &Decision) -> &str {
    match step {
        Decision::Reply(text) | Decision::Ask { question: text, .. } => text,
        Decision::CallTools(calls) => panic!("expected a reply, got tool calls {calls:?}"),
    }
}

fn call(name: &str, arguments: Value) -> (String, Value) {
    (name.to_owned(), arguments)
}

/// Appends the step's tool calls as the agent loop does, with `results` answering them in order.
fn answer(messages: &mut Vec<ChatMessage>, step: &Decision, results: &[Value]) {
    let Decision::CallTools(calls) = step else {
        panic!("expected tool calls, got {step:?}");
    };
    assert_eq!(calls.len(), results.len(), "one result per call");
    messages.push(ChatMessage::assistant("", calls.clone()));
    for (call, result) in calls.iter().zip(results) {
        messages.push(ChatMessage::tool_result(&call.id, result.to_string()));
    }
}

/// Appends a reply as a stored thread keeps it: the text, then its hidden
/// context, which the model reads back as a user message. `None` for tool calls.
fn keep_reply(messages: &mut Vec<ChatMessage>, step: &Decision) -> Option<String> {
    let (mut text, mut hidden) = (String::new(), Vec::new());
    for event in events(step.clone()) {
        match event {
            ModelEvent::TextDelta(delta) => text.push_str(&delta),
            ModelEvent::HiddenContext(note) => hidden.push(ChatMessage::user(note)),
            ModelEvent::ToolCall(_) => return None,
            ModelEvent::Finished => {}
        }
    }
    messages.push(ChatMessage::assistant(text.clone(), Vec::new()));
    messages.extend(hidden);
    Some(text)
}

fn listed(tasks: &[(TaskId, &str, bool)]) -> Value {
    tasks
        .iter()
        .map(|(id, title, completed)| json!({"id": id, "title": title, "description": null, "completed": completed}))
        .collect()
}

fn changed(id: TaskId, status: &str, title: &str) -> Value {
    json!({"task_id": id, "status": status, "title": title})
}

fn not_found(id: TaskId, suggestions: &[(TaskId, &str)]) -> Value {
    let suggestions: Vec<Value> = suggestions
        .iter()
        .map(|(id, title)| json!({"id": id, "title": title}))
        .collect();
    json!({"error": {"code": "TASK_NOT_FOUND", "message": format!("Task {id} was not found."), "suggestions": suggestions}})
}

/// The reply to `text` when every lookup returns `tasks` and every change succeeds.
fn run_with(text: &str, tasks: &[(TaskId, &str, bool)]) -> (Vec<Vec<(String, Value)>>, String) {
    run_on(&mut conversation(text), tasks)
}

/// Answers the last user message in `messages` as the agent loop does, every
/// lookup returning `tasks` and every change succeeding: appends the calls,
/// their results and the reply; returns the calls of each round and the reply.
fn run_on(messages: &mut Vec<ChatMessage>, tasks: &[(TaskId, &str, bool)]) -> (Vec<Vec<(String, Value)>>, String) {
    let mut rounds = Vec::new();
    loop {
        let step = plan(messages);
        if let Some(text) = keep_reply(messages, &step) {
            return (rounds, text);
        }
        let made = calls(&step);
        let results: Vec<Value> = made
            .iter()
            .map(|(name, arguments)| {
                let id = arguments["task_id"].as_i64().and_then(|id| TaskId::try_from(id).ok());
                let title = tasks.iter().find(|t| Some(t.0) == id).map_or("?", |t| t.1);
                match name.as_str() {
                    LIST_TASKS => listed(tasks),
                    ADD_TASK => changed(99, "created", arguments["title"].as_str().unwrap_or_default()),
                    COMPLETE_TASK => changed(id.unwrap_or_default(), "completed", title),
                    UPDATE_TASK => changed(
                        id.unwrap_or_default(),
                        "updated",
                        arguments["title"].as_str().unwrap_or(title),
                    ),
                    DELETE_TASK => changed(id.unwrap_or_default(), "deleted", title),
                    other => panic!("unknown tool {other}"),
                }
            })
            .collect();
        answer(messages, &step, &results);
        rounds.push(made);
        assert!(
            rounds.len() <= MAX_TOOL_ROUNDS,
            "took more than {MAX_TOOL_ROUNDS} rounds"
        );
    }
}

const SHOPPING: &[(TaskId, &str, bool)] = &[
    (5, "buy oat milk", false),
    (4, "call mom", false),
    (3, "buy milk", false),
    (2, "water the plants", true),
];
