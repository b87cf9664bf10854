//! What the tools that act on one task share: its number as an argument, and
//! the changed task as their output.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::attributes::{TaskAttributes, attributes_properties};
use super::tool::{Done, OutputSchema};
use crate::calendar::Calendar;
use crate::tasks::{self, Task, TaskId};

/// Models send ids as numbers or as strings of digits.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum LooseId {
    Number(i64),
    Text(String),
}

impl LooseId {
    pub(super) fn resolve(self) -> Result<TaskId, tasks::Error> {
        let n = match self {
            LooseId::Number(n) => Some(n),
            LooseId::Text(t) => t.trim().trim_start_matches('#').parse().ok(),
        };
        n.and_then(|n| TaskId::try_from(n).ok())
            .ok_or_else(|| tasks::Error::InvalidRequest("task_id must be a task number.".into()))
    }
}

/// The schema of a `task_id` argument.
pub(super) fn task_id_schema() -> Value {
    json!({"type": "integer", "description": "The task's number, as shown by list_tasks"})
}

/// The arguments of a tool that acts on one task as it is.
#[derive(Debug, Deserialize)]
pub struct TaskIdArgs {
    pub task_id: LooseId,
}

pub(super) fn task_id_parameters() -> Value {
    json!({"type": "object", "properties": {"task_id": task_id_schema()}, "required": ["task_id"]})
}

/// What happened to a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskChange {
    Created,
    Completed,
    Reopened,
    Updated,
    Deleted,
}

/// The output of a tool that changes one task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedTask {
    pub task_id: TaskId,
    pub status: TaskChange,
    pub title: String,
    #[serde(default)]
    pub completed: bool,
    #[serde(flatten)]
    pub attributes: TaskAttributes,
}

impl OutputSchema for ChangedTask {
    fn output_schema() -> Value {
        let mut properties = attributes_properties();
        properties.extend([
            ("task_id".into(), json!({"type": "integer"})),
            (
                "status".into(),
                json!({"type": "string", "enum": ["created", "completed", "reopened", "updated", "deleted"]}),
            ),
            ("title".into(), json!({"type": "string"})),
            ("completed".into(), json!({"type": "boolean"})),
        ]);
        json!({"type": "object", "properties": properties, "required": ["task_id", "status", "title", "completed"]})
    }
}

impl ChangedTask {
    pub(super) fn done(task: &Task, calendar: &Calendar, status: TaskChange, verb: &str) -> Done<Self> {
        Done {
            summary: format!("{verb} task {}: {}", task.id, task.title),
            output: Self {
                task_id: task.id,
                status,
                title: task.title.clone(),
                completed: task.completed,
                attributes: TaskAttributes::of(task, calendar),
            },
            changed_tasks: true,
        }
    }
}
