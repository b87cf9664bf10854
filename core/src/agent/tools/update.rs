//! `update_task`: a task's title, description, due date, reminder or
//! priority changed, or the task completed or reopened.

use serde::Deserialize;
use serde_json::{Value, json};

use super::attributes::{self, due_schema, present, priority_schema, remind_schema};
use super::one_task::{ChangedTask, LooseId, TaskChange, task_id_schema};
use super::tool::{Done, Tool};
use crate::tasks::{self, TaskUpdate, Tasks};

#[derive(Debug)]
pub struct UpdateTask;

#[derive(Debug, Deserialize)]
pub struct UpdateArgs {
    pub task_id: LooseId,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// `null` (or `""`) removes it; absent keeps it.
    #[serde(default, deserialize_with = "present")]
    pub due: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub remind_at: Option<Option<String>>,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub completed: Option<bool>,
}

impl Tool for UpdateTask {
    const NAME: &'static str = "update_task";
    const DESCRIPTION: &'static str = "Change a task: its title, description, due date, reminder or priority; \
         or reopen it (completed false) or complete it (completed true).";
    const FAILED: &'static str = "Could not update the task";
    type Args = UpdateArgs;
    type Output = ChangedTask;

    fn parameters() -> Value {
        let nullable = |mut schema: Value| {
            schema["type"] = json!(["string", "null"]);
            schema
        };
        json!({
            "type": "object",
            "properties": {
                "task_id": task_id_schema(),
                "title": {"type": "string", "description": "The new title"},
                "description": {"type": "string", "description": "The new description (empty to clear)"},
                "due": nullable(due_schema("The new due date (null to remove it)")),
                "remind_at": nullable(remind_schema("The new reminder time (null to remove it)")),
                "priority": priority_schema("The new priority"),
                "completed": {"type": "boolean", "description": "false reopens a done task; true completes it"}
            },
            "required": ["task_id"]
        })
    }

    async fn call(tasks: &Tasks, user_id: &str, args: UpdateArgs) -> Result<Done<ChangedTask>, tasks::Error> {
        let id = args.task_id.resolve()?;
        let calendar = tasks.calendar();
        let update = TaskUpdate {
            title: args.title,
            description: args.description.map(Some),
            due: args
                .due
                .map(|due| attributes::due(due.as_deref(), calendar))
                .transpose()?,
            remind_at: args
                .remind_at
                .map(|at| attributes::reminder(at.as_deref(), calendar))
                .transpose()?,
            priority: attributes::priority(args.priority.as_deref())?,
            completed: args.completed,
        };
        let only_completion = TaskUpdate {
            completed: None,
            ..update.clone()
        } == TaskUpdate::default();
        let task = tasks.update(user_id, id, update).await?;
        let (change, verb) = match (args.completed, only_completion) {
            (Some(false), _) => (TaskChange::Reopened, "Reopened"),
            (Some(true), true) => (TaskChange::Completed, "Completed"),
            _ => (TaskChange::Updated, "Updated"),
        };
        Ok(ChangedTask::done(&task, calendar, change, verb))
    }
}
