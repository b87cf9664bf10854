//! `update_task`: a task's title and/or description changed.

use serde::Deserialize;
use serde_json::{Value, json};

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
}

impl Tool for UpdateTask {
    const NAME: &'static str = "update_task";
    const DESCRIPTION: &'static str = "Change a task's title and/or description.";
    const FAILED: &'static str = "Could not update the task";
    type Args = UpdateArgs;
    type Output = ChangedTask;

    fn parameters() -> Value {
        json!({
            "type": "object",
            "properties": {
                "task_id": task_id_schema(),
                "title": {"type": "string", "description": "The new title"},
                "description": {"type": "string", "description": "The new description (empty to clear)"}
            },
            "required": ["task_id"]
        })
    }

    async fn call(tasks: &Tasks, user_id: &str, args: UpdateArgs) -> Result<Done<ChangedTask>, tasks::Error> {
        let id = args.task_id.resolve()?;
        let update = TaskUpdate {
            title: args.title,
            description: args.description.map(Some),
            ..TaskUpdate::default()
        };
        let task = tasks.update(user_id, id, update).await?;
        Ok(ChangedTask::done(&task, TaskChange::Updated, "Updated"))
    }
}
