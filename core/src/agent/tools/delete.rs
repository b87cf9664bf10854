//! `delete_task`: a task removed.

use serde_json::Value;

use super::one_task::{ChangedTask, TaskChange, TaskIdArgs, task_id_parameters};
use super::tool::{Done, Tool};
use crate::tasks::{self, Tasks};

#[derive(Debug)]
pub struct DeleteTask;

impl Tool for DeleteTask {
    const NAME: &'static str = "delete_task";
    const DESCRIPTION: &'static str = "Delete a task.";
    const FAILED: &'static str = "Could not delete the task";
    type Args = TaskIdArgs;
    type Output = ChangedTask;

    fn parameters() -> Value {
        task_id_parameters()
    }

    async fn call(tasks: &Tasks, user_id: &str, args: TaskIdArgs) -> Result<Done<ChangedTask>, tasks::Error> {
        let task = tasks.delete(user_id, args.task_id.resolve()?).await?;
        Ok(ChangedTask::done(
            &task,
            tasks.calendar(),
            TaskChange::Deleted,
            "Deleted",
        ))
    }
}
