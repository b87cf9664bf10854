//! The assistant's tools, with the web version's names, arguments (minus
//! `user_id`, which comes from the verified token and never from the model),
//! result shapes and error codes.
//!
//! Each tool is a [`Tool`]: its name, description, argument type with the
//! JSON Schema the model reads, and output type are declared once, in its
//! module. [`TOOLS`] is the set the model is offered and calls are run from;
//! a new tool is a module with its `Tool` and one entry there.
//!
//! The schemas are written by hand next to their `Args` (a test checks they
//! agree): what the model is sent stays exactly the web version's, and an
//! MCP server takes the same JSON object as a tool's input schema.

mod add;
mod attributes;
mod complete;
mod delete;
mod error;
mod list;
mod one_task;
mod tool;
mod update;

use std::future::Future;
use std::pin::Pin;

use serde_json::Value;

pub use self::add::{AddArgs, AddTask};
pub use self::attributes::TaskAttributes;
pub use self::complete::CompleteTask;
pub use self::delete::DeleteTask;
pub use self::error::{Suggestion, ToolError, ToolFailure};
pub use self::list::{ListArgs, ListTasks, ListedTask};
pub use self::one_task::{ChangedTask, LooseId, TaskChange, TaskIdArgs};
pub use self::tool::{Done, OutputSchema, Tool};
pub use self::update::{UpdateArgs, UpdateTask};
use super::provider::{ToolCall, ToolSpec};
pub use crate::tasks::ErrorCode;
use crate::tasks::{self, Tasks};

pub const ADD_TASK: &str = AddTask::NAME;
pub const LIST_TASKS: &str = ListTasks::NAME;
pub const COMPLETE_TASK: &str = CompleteTask::NAME;
pub const UPDATE_TASK: &str = UpdateTask::NAME;
pub const DELETE_TASK: &str = DeleteTask::NAME;

/// What running one tool call did.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolOutcome {
    /// The JSON the model reads back.
    pub result: Value,
    /// One line for the person watching, e.g. "Added task 7: buy milk".
    pub summary: String,
    /// Whether the user's tasks changed (the task panel refreshes).
    pub changed_tasks: bool,
    pub succeeded: bool,
}

type Running<'a> = Pin<Box<dyn Future<Output = Result<ToolOutcome, tasks::Error>> + Send + 'a>>;

/// A [`Tool`] with its types erased, so the set can be listed and searched by name.
#[derive(Clone, Copy, Debug)]
pub struct ToolEntry {
    pub name: &'static str,
    pub description: &'static str,
    failed: &'static str,
    parameters: fn() -> Value,
    output_schema: fn() -> Value,
    run: for<'a> fn(&'a Tasks, &'a str, &'a str) -> Running<'a>,
}

impl ToolEntry {
    const fn of<T: Tool>() -> Self {
        Self {
            name: T::NAME,
            description: T::DESCRIPTION,
            failed: T::FAILED,
            parameters: T::parameters,
            output_schema: <T::Output as OutputSchema>::output_schema,
            run: run::<T>,
        }
    }

    pub fn parameters(&self) -> Value {
        (self.parameters)()
    }

    /// The JSON Schema of a successful call's result.
    pub fn output_schema(&self) -> Value {
        (self.output_schema)()
    }

    pub fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: self.name,
            description: self.description,
            parameters: self.parameters(),
        }
    }
}

/// Every tool, in the order the model is offered them.
pub const TOOLS: [ToolEntry; 5] = [
    ToolEntry::of::<AddTask>(),
    ToolEntry::of::<ListTasks>(),
    ToolEntry::of::<CompleteTask>(),
    ToolEntry::of::<UpdateTask>(),
    ToolEntry::of::<DeleteTask>(),
];

pub fn specs() -> Vec<ToolSpec> {
    TOOLS.iter().map(ToolEntry::spec).collect()
}

fn run<'a, T: Tool>(tasks: &'a Tasks, user_id: &'a str, arguments: &'a str) -> Running<'a> {
    Box::pin(async move {
        let text = if arguments.trim().is_empty() { "{}" } else { arguments };
        let args: T::Args = serde_json::from_str(text)
            .map_err(|e| tasks::Error::InvalidRequest(format!("The arguments of {} are not valid: {e}.", T::NAME)))?;
        let done = T::call(tasks, user_id, args).await?;
        Ok(ToolOutcome {
            result: serde_json::to_value(done.output).unwrap_or(Value::Null),
            summary: done.summary,
            changed_tasks: done.changed_tasks,
            succeeded: true,
        })
    })
}

/// Runs one tool call for `user_id`. Never fails: errors become an error
/// result the model can read and explain.
#[tracing::instrument(name = "agent.tool", skip_all, fields(tool = %call.name, user_id = %user_id))]
pub async fn execute(tasks: &Tasks, user_id: &str, call: &ToolCall) -> ToolOutcome {
    let tool = TOOLS.iter().find(|tool| tool.name == call.name);
    let outcome = match tool {
        Some(tool) => (tool.run)(tasks, user_id, &call.arguments).await,
        None => Err(tasks::Error::InvalidRequest(format!(
            "There is no tool named {:?}.",
            call.name
        ))),
    };
    match outcome {
        Ok(done) => done,
        Err(err) => {
            tracing::info!(code = err.code(), "tool call refused");
            let failed = tool.map_or("Unknown tool", |tool| tool.failed);
            ToolOutcome {
                summary: format!("{failed}: {err}"),
                result: ToolFailure::of(tasks, user_id, &err).await.to_value(),
                changed_tasks: false,
                succeeded: false,
            }
        }
    }
}

#[cfg(test)]
mod tests;
