//! The assistant's tools, with the web version's names, arguments (minus
//! `user_id`, which comes from the verified token and never from the model),
//! result shapes and error codes.
//!
//! Each tool is a [`Tool`]: its name, description, argument type with the
//! JSON Schema the model reads, and output type are declared once, in its
//! module. [`TOOLS`] is the set the model is offered and calls are run from.

mod add;
mod complete;
mod delete;
mod error;
mod list;
mod update;

use std::future::Future;
use std::pin::Pin;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use self::add::{AddArgs, AddTask};
pub use self::complete::CompleteTask;
pub use self::delete::DeleteTask;
pub use self::error::{Suggestion, ToolError, ToolFailure};
pub use self::list::{ListArgs, ListTasks, ListedTask};
pub use self::update::{UpdateArgs, UpdateTask};
use super::provider::{ToolCall, ToolSpec};
pub use crate::tasks::ErrorCode;
use crate::tasks::{self, Task, TaskId, Tasks};

pub const ADD_TASK: &str = AddTask::NAME;
pub const LIST_TASKS: &str = ListTasks::NAME;
pub const COMPLETE_TASK: &str = CompleteTask::NAME;
pub const UPDATE_TASK: &str = UpdateTask::NAME;
pub const DELETE_TASK: &str = DeleteTask::NAME;

/// One tool: what the model is told about it and what a call does.
pub trait Tool {
    const NAME: &'static str;
    const DESCRIPTION: &'static str;
    /// The summary of a failed call starts with this, e.g. "Could not add the task".
    const FAILED: &'static str;
    type Args: DeserializeOwned;
    type Output: Serialize + DeserializeOwned;

    /// The JSON Schema of [`Self::Args`], as the model reads it.
    fn parameters() -> Value;

    /// Runs the call for `user_id`, who comes from the session, never from `args`.
    fn call(
        tasks: &Tasks,
        user_id: &str,
        args: Self::Args,
    ) -> impl Future<Output = Result<Done<Self::Output>, tasks::Error>> + Send;
}

/// What a successful call returns.
#[derive(Debug)]
pub struct Done<T> {
    pub output: T,
    /// One line for the person watching, e.g. "Added task 7: buy milk".
    pub summary: String,
    /// Whether the user's tasks changed (the task panel refreshes).
    pub changed_tasks: bool,
}

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
    run: for<'a> fn(&'a Tasks, &'a str, &'a str) -> Running<'a>,
}

impl ToolEntry {
    const fn of<T: Tool>() -> Self {
        Self {
            name: T::NAME,
            description: T::DESCRIPTION,
            failed: T::FAILED,
            parameters: T::parameters,
            run: run::<T>,
        }
    }

    pub fn parameters(&self) -> Value {
        (self.parameters)()
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

/// Models send ids as numbers or as strings of digits.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum LooseId {
    Number(i64),
    Text(String),
}

impl LooseId {
    fn resolve(self) -> Result<TaskId, tasks::Error> {
        let n = match self {
            LooseId::Number(n) => Some(n),
            LooseId::Text(t) => t.trim().trim_start_matches('#').parse().ok(),
        };
        n.and_then(|n| TaskId::try_from(n).ok())
            .ok_or_else(|| tasks::Error::InvalidRequest("task_id must be a task number.".into()))
    }
}

/// The schema of a `task_id` argument.
fn task_id_schema() -> Value {
    serde_json::json!({"type": "integer", "description": "The task's number, as shown by list_tasks"})
}

/// The arguments of a tool that acts on one task as it is.
#[derive(Debug, Deserialize)]
pub struct TaskIdArgs {
    pub task_id: LooseId,
}

fn task_id_parameters() -> Value {
    serde_json::json!({"type": "object", "properties": {"task_id": task_id_schema()}, "required": ["task_id"]})
}

/// What happened to a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskChange {
    Created,
    Completed,
    Updated,
    Deleted,
}

/// The output of a tool that changes one task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedTask {
    pub task_id: TaskId,
    pub status: TaskChange,
    pub title: String,
}

impl ChangedTask {
    fn done(task: &Task, status: TaskChange, verb: &str) -> Done<Self> {
        Done {
            summary: format!("{verb} task {}: {}", task.id, task.title),
            output: Self {
                task_id: task.id,
                status,
                title: task.title.clone(),
            },
            changed_tasks: true,
        }
    }
}

#[cfg(test)]
mod tests;
