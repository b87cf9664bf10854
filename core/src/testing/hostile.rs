//! Chat messages built to make the offline assistant do work that grows
//! faster than their length, each as long as the message cap allows; shared
//! by its tests and the benchmark.

use serde_json::{Value, json};

use crate::agent::providers::offline::{self, Decision};
use crate::agent::{ChatMessage, tools};
use crate::chatkit::limits::MAX_MESSAGE_BYTES;

/// `head`, then as many `unit`s as fit under the message cap, then `tail`.
pub fn up_to_the_cap(head: &str, unit: &str, tail: &str) -> String {
    let room = MAX_MESSAGE_BYTES - head.len() - tail.len();
    format!("{head}{}{tail}", unit.repeat(room / unit.len()))
}

/// Each a place where a parser could rescan, resplit or recurse per word.
pub fn messages() -> Vec<String> {
    vec![
        // Every "to" is a place the old title may end.
        up_to_the_cap("rename milk", " to", ""),
        up_to_the_cap("rename a", " to", ""),
        up_to_the_cap("change go ", "to ", "done"),
        up_to_the_cap("add a note to milk", " to", ": b"),
        up_to_the_cap("describe milk", " as", ""),
        // One long title phrase, compared with every task.
        up_to_the_cap("delete", " gym", ""),
        up_to_the_cap("delete", " x", ""),
        // Nested wishes, list mentions, description separators.
        up_to_the_cap("", "i want to ", "buy milk"),
        // Punctuation outside ASCII: each character a table search.
        up_to_the_cap("i want to ", "\u{2019} ", ""),
        up_to_the_cap("i want to ", "\u{2014} ", " to x"),
        up_to_the_cap("i need to ", "as ", " please"),
        up_to_the_cap("remind me ", "as ", " done"),
        up_to_the_cap("set the description of milk ", "a ", ")"),
        up_to_the_cap("add ", "to my list ", "x"),
        up_to_the_cap("add x", ": - ", "y"),
        up_to_the_cap("mark ", "a ", "as done"),
        // Thousands of task numbers.
        up_to_the_cap("delete", " 1", ""),
        up_to_the_cap("mark", " 7", " done"),
        // Politeness and fillers peeled one at a time.
        up_to_the_cap("", "please ", "thanks"),
        up_to_the_cap("", "i ", "bought milk"),
        up_to_the_cap("'", "a'", ""),
        // Dates: a rule starts at every word; tasks split at every "and".
        up_to_the_cap("move milk", " to next", " friday"),
        up_to_the_cap("add ", "buy milk and ", "call mom"),
        up_to_the_cap("add x", " by the", " 1st"),
        up_to_the_cap("remind me about milk", " at", " 5pm"),
        up_to_the_cap("milk is due", " in 3", " days"),
        up_to_the_cap("make milk", " urgent", ""),
    ]
}

/// `count` open tasks as `list_tasks` returns them, titled with many "to"s.
pub fn listing(count: u32) -> Value {
    (1..=count)
        .map(|id| json!({"id": id, "title": "go to gym to go swimming", "description": null, "completed": false}))
        .collect()
}

/// The assistant's answer to `message` when every lookup returns `listing`
/// and every change succeeds: each round planned as the agent loop does.
pub fn answer(message: &str, listing: &Value) -> String {
    let mut messages = vec![ChatMessage::user(message)];
    for _ in 0..=offline::MAX_TOOL_ROUNDS {
        // A fixed "now": the work must not depend on the day it runs.
        let now = chrono::NaiveDate::from_ymd_opt(2026, 12, 2)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .unwrap_or_default();
        let calls = match offline::plan(&messages, now) {
            Decision::Reply(text) | Decision::Ask { question: text, .. } => return text,
            Decision::CallTools(calls) => calls,
        };
        messages.push(ChatMessage::assistant("", calls.clone()));
        for call in calls {
            let result = match call.name.as_str() {
                tools::LIST_TASKS => listing.clone(),
                _ => json!({"task_id": 1, "status": "updated", "title": "x"}),
            };
            messages.push(ChatMessage::tool_result(call.id, result.to_string()));
        }
    }
    String::new()
}
