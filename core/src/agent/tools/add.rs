//! `add_task`: a new task, optionally with a due date, a reminder and a priority.

use serde::Deserialize;
use serde_json::{Value, json};

use super::attributes::{self, due_schema, priority_schema, remind_schema};
use super::one_task::{ChangedTask, TaskChange};
use super::tool::{Done, Tool};
use crate::tasks::{self, NewTask, Tasks};

#[derive(Debug)]
pub struct AddTask;

#[derive(Debug, Deserialize)]
pub struct AddArgs {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub due: Option<String>,
    #[serde(default)]
    pub remind_at: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
}

impl Tool for AddTask {
    const NAME: &'static str = "add_task";
    const DESCRIPTION: &'static str = "Create a new task for the user.";
    const FAILED: &'static str = "Could not add the task";
    type Args = AddArgs;
    type Output = ChangedTask;

    fn parameters() -> Value {
        json!({
            "type": "object",
            "properties": {
                "title": {"type": "string", "description": "What to do, 1 to 200 characters"},
                "description": {"type": "string", "description": "Optional details"},
                "due": due_schema("When it is due"),
                "remind_at": remind_schema("When to send a reminder"),
                "priority": priority_schema("How important it is (default none)")
            },
            "required": ["title"]
        })
    }

    async fn call(tasks: &Tasks, user_id: &str, args: AddArgs) -> Result<Done<ChangedTask>, tasks::Error> {
        let calendar = tasks.calendar();
        let new = NewTask {
            description: args.description,
            due: attributes::due(args.due.as_deref(), calendar)?,
            remind_at: attributes::reminder(args.remind_at.as_deref(), calendar)?,
            priority: attributes::priority(args.priority.as_deref())?.unwrap_or_default(),
            ..NewTask::titled(args.title)
        };
        let task = tasks.create(user_id, new).await?;
        Ok(ChangedTask::done(&task, calendar, TaskChange::Created, "Added"))
    }
}
