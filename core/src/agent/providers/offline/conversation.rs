//! The turn so far, as the offline assistant reads it: the tool calls it made
//! after the user's message, with their results; and ids for new calls.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::agent::provider::{ChatMessage, Role, ToolCall};
use crate::agent::tools::ToolError;

/// One tool call the assistant made and, once run, its result.
pub(super) struct Exchange<'a> {
    pub(super) call: &'a ToolCall,
    pub(super) result: Option<Value>,
}

impl Exchange<'_> {
    pub(super) fn arguments(&self) -> Value {
        serde_json::from_str(&self.call.arguments).unwrap_or(Value::Null)
    }

    /// The error the call's result reports, if it reports one in the tools' shape.
    pub(super) fn failure(&self) -> Option<ToolError> {
        ToolError::deserialize(self.result.as_ref()?.get("error")?).ok()
    }
}

/// The tool calls of each assistant message after the user's, with their results.
pub(super) fn rounds(messages: &[ChatMessage]) -> Vec<Vec<Exchange<'_>>> {
    let mut rounds: Vec<Vec<Exchange<'_>>> = Vec::new();
    for message in messages {
        match message.role {
            Role::Assistant if !message.tool_calls.is_empty() => rounds.push(
                message
                    .tool_calls
                    .iter()
                    .map(|call| Exchange { call, result: None })
                    .collect(),
            ),
            Role::Tool => {
                let result = serde_json::from_str(&message.content).unwrap_or_else(|_| json!(message.content));
                let answered = rounds.iter_mut().rev().flatten().find(|exchange| {
                    exchange.result.is_none() && message.tool_call_id.as_ref().is_none_or(|id| *id == exchange.call.id)
                });
                if let Some(exchange) = answered {
                    exchange.result = Some(result);
                }
            }
            _ => {}
        }
    }
    rounds
}

/// Makes tool calls with ids (`offline_<n>`) not yet used in the request.
pub(super) struct CallMaker {
    used: HashSet<String>,
    next: usize,
}

impl CallMaker {
    pub(super) fn new(messages: &[ChatMessage]) -> Self {
        let made = messages.iter().flat_map(|m| m.tool_calls.iter().map(|c| c.id.clone()));
        let answered = messages.iter().filter_map(|m| m.tool_call_id.clone());
        Self {
            used: made.chain(answered).collect(),
            next: 1,
        }
    }

    pub(super) fn call(&mut self, name: &str, arguments: Value) -> ToolCall {
        loop {
            let id = format!("offline_{}", self.next);
            self.next += 1;
            if self.used.insert(id.clone()) {
                return ToolCall {
                    id,
                    name: name.to_owned(),
                    arguments: arguments.to_string(),
                };
            }
        }
    }
}
