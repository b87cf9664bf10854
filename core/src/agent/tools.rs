//! The assistant's tools, with the web version's names, arguments (minus
//! `user_id`, which comes from the verified token and never from the model),
//! result shapes and error codes.

use serde::Deserialize;
use serde_json::{Value, json};

use super::provider::{ToolCall, ToolSpec};
use crate::tasks::{self, Page, StatusFilter, Task, TaskId, TaskUpdate, Tasks};

pub const ADD_TASK: &str = "add_task";
pub const LIST_TASKS: &str = "list_tasks";
pub const COMPLETE_TASK: &str = "complete_task";
pub const UPDATE_TASK: &str = "update_task";
pub const DELETE_TASK: &str = "delete_task";

/// How many pending tasks a TASK_NOT_FOUND error suggests instead.
const SUGGESTIONS: u32 = 5;

pub fn specs() -> Vec<ToolSpec> {
    let task_id = json!({"type": "integer", "description": "The task's number, as shown by list_tasks"});
    vec![
        ToolSpec {
            name: ADD_TASK,
            description: "Create a new task for the user.",
            parameters: json!({
                "type": "object",
                "properties": {
                    "title": {"type": "string", "description": "What to do, 1 to 200 characters"},
                    "description": {"type": "string", "description": "Optional details"}
                },
                "required": ["title"]
            }),
        },
        ToolSpec {
            name: LIST_TASKS,
            description: "List the user's tasks, newest first.",
            parameters: json!({
                "type": "object",
                "properties": {
                    "status": {"type": "string", "enum": ["all", "pending", "completed"], "description": "Which tasks (default all)"}
                }
            }),
        },
        ToolSpec {
            name: COMPLETE_TASK,
            description: "Mark a task as done.",
            parameters: json!({"type": "object", "properties": {"task_id": task_id}, "required": ["task_id"]}),
        },
        ToolSpec {
            name: UPDATE_TASK,
            description: "Change a task's title and/or description.",
            parameters: json!({
                "type": "object",
                "properties": {
                    "task_id": task_id,
                    "title": {"type": "string", "description": "The new title"},
                    "description": {"type": "string", "description": "The new description (empty to clear)"}
                },
                "required": ["task_id"]
            }),
        },
        ToolSpec {
            name: DELETE_TASK,
            description: "Delete a task.",
            parameters: json!({"type": "object", "properties": {"task_id": task_id}, "required": ["task_id"]}),
        },
    ]
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

/// Models send ids as numbers or as strings of digits.
#[derive(Deserialize)]
#[serde(untagged)]
enum LooseId {
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

#[derive(Deserialize)]
struct AddArgs {
    title: String,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
struct ListArgs {
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize)]
struct IdArgs {
    task_id: LooseId,
}

#[derive(Deserialize)]
struct UpdateArgs {
    task_id: LooseId,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

fn parse<T: for<'de> Deserialize<'de>>(call: &ToolCall) -> Result<T, tasks::Error> {
    let text = if call.arguments.trim().is_empty() {
        "{}"
    } else {
        call.arguments.as_str()
    };
    serde_json::from_str(text)
        .map_err(|e| tasks::Error::InvalidRequest(format!("The arguments of {} are not valid: {e}.", call.name)))
}

fn changed(task: &Task, status: &str) -> Value {
    json!({"task_id": task.id, "status": status, "title": task.title})
}

/// Runs one tool call for `user_id`. Never fails: errors become an error
/// result the model can read and explain.
#[tracing::instrument(name = "agent.tool", skip_all, fields(tool = %call.name, user_id = %user_id))]
pub async fn execute(tasks: &Tasks, user_id: &str, call: &ToolCall) -> ToolOutcome {
    let outcome = run(tasks, user_id, call).await;
    match outcome {
        Ok(done) => done,
        Err(err) => {
            let mut error = json!({"code": err.code(), "message": err.to_string()});
            if let tasks::Error::NotFound(_) = err {
                let pending = tasks
                    .list(
                        user_id,
                        StatusFilter::Pending,
                        Page {
                            limit: SUGGESTIONS,
                            offset: 0,
                        },
                    )
                    .await;
                let suggestions: Vec<Value> = pending
                    .unwrap_or_default()
                    .iter()
                    .map(|t| json!({"id": t.id, "title": t.title}))
                    .collect();
                error["suggestions"] = Value::Array(suggestions);
            }
            tracing::info!(code = err.code(), "tool call refused");
            ToolOutcome {
                summary: format!("{}: {err}", verb(&call.name)),
                result: json!({ "error": error }),
                changed_tasks: false,
                succeeded: false,
            }
        }
    }
}

fn verb(tool: &str) -> &'static str {
    match tool {
        ADD_TASK => "Could not add the task",
        LIST_TASKS => "Could not list the tasks",
        COMPLETE_TASK => "Could not complete the task",
        UPDATE_TASK => "Could not update the task",
        DELETE_TASK => "Could not delete the task",
        _ => "Unknown tool",
    }
}

async fn run(tasks: &Tasks, user_id: &str, call: &ToolCall) -> Result<ToolOutcome, tasks::Error> {
    let ok = |result, summary, changed_tasks| ToolOutcome {
        result,
        summary,
        changed_tasks,
        succeeded: true,
    };
    match call.name.as_str() {
        ADD_TASK => {
            let args: AddArgs = parse(call)?;
            let task = tasks.add(user_id, &args.title, args.description.as_deref()).await?;
            Ok(ok(
                changed(&task, "created"),
                format!("Added task {}: {}", task.id, task.title),
                true,
            ))
        }
        LIST_TASKS => {
            let args: ListArgs = parse(call)?;
            let filter: StatusFilter = args.status.as_deref().unwrap_or("all").parse()?;
            let listed = tasks.list(user_id, filter, Page::default()).await?;
            let result: Vec<Value> = listed
                .iter()
                .map(|t| json!({"id": t.id, "title": t.title, "description": t.description, "completed": t.completed}))
                .collect();
            let which = match filter {
                StatusFilter::All => "",
                StatusFilter::Pending => "pending ",
                StatusFilter::Completed => "completed ",
            };
            let noun = if listed.len() == 1 { "task" } else { "tasks" };
            Ok(ok(
                Value::Array(result),
                format!("Listed {} {which}{noun}", listed.len()),
                false,
            ))
        }
        COMPLETE_TASK => {
            let id = parse::<IdArgs>(call)?.task_id.resolve()?;
            let task = tasks.complete(user_id, id).await?;
            Ok(ok(
                changed(&task, "completed"),
                format!("Completed task {}: {}", task.id, task.title),
                true,
            ))
        }
        UPDATE_TASK => {
            let args: UpdateArgs = parse(call)?;
            let id = args.task_id.resolve()?;
            let update = TaskUpdate {
                title: args.title,
                description: args.description.map(Some),
            };
            let task = tasks.update(user_id, id, update).await?;
            Ok(ok(
                changed(&task, "updated"),
                format!("Updated task {}: {}", task.id, task.title),
                true,
            ))
        }
        DELETE_TASK => {
            let id = parse::<IdArgs>(call)?.task_id.resolve()?;
            let task = tasks.delete(user_id, id).await?;
            Ok(ok(
                changed(&task, "deleted"),
                format!("Deleted task {}: {}", task.id, task.title),
                true,
            ))
        }
        other => Err(tasks::Error::InvalidRequest(format!(
            "There is no tool named {other:?}."
        ))),
    }
}
