//! `complete_task`: a task marked done.

use serde_json::Value;

use super::one_task::{ChangedTask, TaskChange, TaskIdArgs, task_id_parameters};
use super::tool::{Done, Tool};
use crate::tasks::{self, Tasks};

#[derive(Debug)]
pub struct CompleteTask;

impl Tool for CompleteTask {
    const NAME: &'static str = "complete_task";
    const DESCRIPTION: &'static str = "Mark a task as done.";
    const FAILED: &'static str = "Could not complete the task";
    type Args = TaskIdArgs;
    type Output = ChangedTask;

    fn parameters() -> Value {
        task_id_parameters()
    }

    async fn call(tasks: &Tasks, user_id: &str, args: TaskIdArgs) -> Result<Done<ChangedTask>, tasks::Error> {
        let task = tasks.complete(user_id, args.task_id.resolve()?).await?;
        Ok(ChangedTask::done(
            &task,
            tasks.calendar(),
            TaskChange::Completed,
            "Completed",
        ))
    }
}
