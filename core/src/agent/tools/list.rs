//! `list_tasks`: the user's tasks, newest first.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::tool::{Done, Tool};
use crate::tasks::{self, Page, StatusFilter, Task, TaskId, Tasks};

#[derive(Debug)]
pub struct ListTasks;

#[derive(Debug, Deserialize)]
pub struct ListArgs {
    /// Parsed leniently ("open", "done"), so not a [`StatusFilter`] here.
    #[serde(default)]
    pub status: Option<String>,
}

/// One task as `list_tasks` returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedTask {
    pub id: TaskId,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub completed: bool,
}

impl From<&Task> for ListedTask {
    fn from(task: &Task) -> Self {
        Self {
            id: task.id,
            title: task.title.clone(),
            description: task.description.clone(),
            completed: task.completed,
        }
    }
}

impl Tool for ListTasks {
    const NAME: &'static str = "list_tasks";
    const DESCRIPTION: &'static str = "List the user's tasks, newest first.";
    const FAILED: &'static str = "Could not list the tasks";
    type Args = ListArgs;
    type Output = Vec<ListedTask>;

    fn parameters() -> Value {
        json!({
            "type": "object",
            "properties": {
                "status": {"type": "string", "enum": ["all", "pending", "completed"], "description": "Which tasks (default all)"}
            }
        })
    }

    async fn call(tasks: &Tasks, user_id: &str, args: ListArgs) -> Result<Done<Vec<ListedTask>>, tasks::Error> {
        let filter: StatusFilter = args.status.as_deref().unwrap_or("all").parse()?;
        let listed = tasks.list(user_id, filter, Page::default()).await?;
        let which = match filter {
            StatusFilter::All => "",
            StatusFilter::Pending => "pending ",
            StatusFilter::Completed => "completed ",
        };
        let noun = if listed.len() == 1 { "task" } else { "tasks" };
        Ok(Done {
            summary: format!("Listed {} {which}{noun}", listed.len()),
            output: listed.iter().map(ListedTask::from).collect(),
            changed_tasks: false,
        })
    }
}
