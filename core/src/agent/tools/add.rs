//! `add_task`: a new task.

use serde::Deserialize;
use serde_json::{Value, json};

use super::one_task::{ChangedTask, TaskChange};
use super::tool::{Done, Tool};
use crate::tasks::{self, Tasks};

#[derive(Debug)]
pub struct AddTask;

#[derive(Debug, Deserialize)]
pub struct AddArgs {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
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
                "description": {"type": "string", "description": "Optional details"}
            },
            "required": ["title"]
        })
    }

    async fn call(tasks: &Tasks, user_id: &str, args: AddArgs) -> Result<Done<ChangedTask>, tasks::Error> {
        let task = tasks.add(user_id, &args.title, args.description.as_deref()).await?;
        Ok(ChangedTask::done(&task, TaskChange::Created, "Added"))
    }
}
