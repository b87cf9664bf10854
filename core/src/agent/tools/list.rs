//! `list_tasks`: the user's tasks, newest first or, for a due filter, soonest first.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::attributes::{self, TaskAttributes, attributes_properties, priority_schema};
use super::tool::{Done, OutputSchema, Tool};
use crate::calendar::Calendar;
use crate::tasks::{self, DueFilter, Page, Priority, Sort, StatusFilter, Task, TaskId, TaskQuery, Tasks};

#[derive(Debug)]
pub struct ListTasks;

/// Parsed leniently ("open", "Today"), so strings here.
#[derive(Debug, Deserialize)]
pub struct ListArgs {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub due: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub query: Option<String>,
}

/// One task as `list_tasks` returns it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedTask {
    pub id: TaskId,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub completed: bool,
    #[serde(flatten)]
    pub attributes: TaskAttributes,
}

impl OutputSchema for Vec<ListedTask> {
    fn output_schema() -> Value {
        let mut properties = attributes_properties();
        properties.extend([
            ("id".into(), json!({"type": "integer"})),
            ("title".into(), json!({"type": "string"})),
            ("description".into(), json!({"type": ["string", "null"]})),
            ("completed".into(), json!({"type": "boolean"})),
        ]);
        let task = json!({"type": "object", "properties": properties, "required": ["id", "title", "completed"]});
        json!({"type": "array", "items": task})
    }
}

impl ListedTask {
    pub fn of(task: &Task, calendar: &Calendar) -> Self {
        Self {
            id: task.id,
            title: task.title.clone(),
            description: task.description.clone(),
            completed: task.completed,
            attributes: TaskAttributes::of(task, calendar),
        }
    }
}

impl Tool for ListTasks {
    const NAME: &'static str = "list_tasks";
    const DESCRIPTION: &'static str =
        "List the user's tasks, newest first (soonest due first when filtered by due date).";
    const FAILED: &'static str = "Could not list the tasks";
    type Args = ListArgs;
    type Output = Vec<ListedTask>;

    fn parameters() -> Value {
        json!({
            "type": "object",
            "properties": {
                "status": {"type": "string", "enum": ["all", "pending", "completed"], "description": "Which tasks (default all)"},
                "due": {"type": "string", "enum": DueFilter::ALL.map(DueFilter::as_str),
                        "description": "Only tasks due then (week: today and the next 6 days; overdue: open tasks past due; none: no due date)"},
                "priority": priority_schema("Only tasks of this priority"),
                "query": {"type": "string", "description": "Only tasks whose title or description contains each of these words (any case)"}
            }
        })
    }

    async fn call(tasks: &Tasks, user_id: &str, args: ListArgs) -> Result<Done<Vec<ListedTask>>, tasks::Error> {
        let due: Option<DueFilter> = args.due.as_deref().map(str::parse).transpose()?;
        let query = TaskQuery {
            status: args.status.as_deref().unwrap_or("all").parse()?,
            due,
            priority: attributes::priority(args.priority.as_deref())?,
            text: args.query.filter(|q| !q.trim().is_empty()),
            sort: if due.is_some() { Sort::Due } else { Sort::Created },
        };
        let listed = tasks.query(user_id, &query, Page::default()).await?;
        Ok(Done {
            summary: summary(listed.len(), &query),
            output: listed
                .iter()
                .map(|task| ListedTask::of(task, tasks.calendar()))
                .collect(),
            changed_tasks: false,
        })
    }
}

/// "Listed 3 pending tasks", then what else narrowed the list.
fn summary(count: usize, query: &TaskQuery) -> String {
    let which = match query.status {
        StatusFilter::All => "",
        StatusFilter::Pending => "pending ",
        StatusFilter::Completed => "completed ",
    };
    let noun = if count == 1 { "task" } else { "tasks" };
    let mut narrowed = Vec::new();
    if let Some(due) = query.due {
        narrowed.push(match due {
            DueFilter::Overdue => "overdue".to_owned(),
            DueFilter::Week => "due this week".to_owned(),
            DueFilter::None => "without a due date".to_owned(),
            other => format!("due {}", other.as_str()),
        });
    }
    if let Some(priority) = query.priority {
        narrowed.push(match priority {
            Priority::None => "without a priority".to_owned(),
            other => format!("of {other} priority"),
        });
    }
    if let Some(text) = &query.text {
        narrowed.push(format!("matching {text:?}"));
    }
    match narrowed.is_empty() {
        true => format!("Listed {count} {which}{noun}"),
        false => format!("Listed {count} {which}{noun} {}", narrowed.join(", ")),
    }
}
