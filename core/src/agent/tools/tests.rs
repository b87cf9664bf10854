use serde_json::json;

use super::*;

/// The arguments `schema` lists, with a value of its type each.
fn example(schema: &Value, only_required: bool) -> Value {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut arguments = serde_json::Map::new();
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        if only_required && !required.contains(&name.as_str()) {
            continue;
        }
        let value = match property["type"].as_str() {
            Some("integer") => json!(3),
            Some("boolean") => json!(true),
            _ => property["enum"].get(0).cloned().unwrap_or_else(|| json!("x")),
        };
        arguments.insert(name.clone(), value);
    }
    Value::Object(arguments)
}

fn accepts<T: Tool>(arguments: &Value) -> bool {
    serde_json::from_value::<T::Args>(arguments.clone()).is_ok()
}

/// Each schema describes its `Args`: what it requires is what the type needs.
fn schema_fits<T: Tool>() {
    let schema = T::parameters();
    assert_eq!(schema["type"], "object", "{}", T::NAME);
    assert!(accepts::<T>(&example(&schema, false)), "{}: every property", T::NAME);
    let required = example(&schema, true);
    assert!(accepts::<T>(&required), "{}: the required properties", T::NAME);
    for name in required.as_object().into_iter().flatten().map(|(name, _)| name) {
        let mut missing = required.clone();
        missing.as_object_mut().map(|m| m.remove(name));
        assert!(!accepts::<T>(&missing), "{}: {name} is required", T::NAME);
    }
}

#[test]
fn each_schema_describes_its_arguments() {
    schema_fits::<AddTask>();
    schema_fits::<ListTasks>();
    schema_fits::<CompleteTask>();
    schema_fits::<UpdateTask>();
    schema_fits::<DeleteTask>();
}

#[test]
fn the_model_is_offered_the_web_versions_tools_with_dates_and_priorities() {
    let task_id = json!({"type": "integer", "description": "The task's number, as shown by list_tasks"});
    let offered: Vec<Value> = specs()
        .into_iter()
        .map(|spec| json!({"name": spec.name, "description": spec.description, "parameters": spec.parameters}))
        .collect();
    assert_eq!(
        offered,
        [
            json!({"name": "add_task", "description": "Create a new task for the user.", "parameters": {
                "type": "object",
                "properties": {
                    "title": {"type": "string", "description": "What to do, 1 to 200 characters"},
                    "description": {"type": "string", "description": "Optional details"},
                    "due": {"type": "string", "description": "When it is due: a local date (2026-12-24) or date and time (2026-12-24T17:00) in ISO 8601"},
                    "remind_at": {"type": "string", "description": "When to send a reminder: a local date and time in ISO 8601 (2026-12-24T16:30); a date alone reminds at 09:00"},
                    "priority": {"type": "string", "enum": ["none", "low", "medium", "high"], "description": "How important it is (default none)"}
                },
                "required": ["title"]
            }}),
            json!({"name": "list_tasks", "description": "List the user's tasks, newest first (soonest due first when filtered by due date).", "parameters": {
                "type": "object",
                "properties": {
                    "status": {"type": "string", "enum": ["all", "pending", "completed"], "description": "Which tasks (default all)"},
                    "due": {"type": "string", "enum": ["overdue", "today", "tomorrow", "week", "none"],
                            "description": "Only tasks due then (week: today and the next 6 days; overdue: open tasks past due; none: no due date)"},
                    "priority": {"type": "string", "enum": ["none", "low", "medium", "high"], "description": "Only tasks of this priority"},
                    "query": {"type": "string", "description": "Only tasks whose title or description contains each of these words (any case)"}
                }
            }}),
            json!({"name": "complete_task", "description": "Mark a task as done.", "parameters":
                {"type": "object", "properties": {"task_id": task_id}, "required": ["task_id"]}}),
            json!({"name": "update_task", "description": "Change a task: its title, description, due date, reminder or priority; or reopen it (completed false) or complete it (completed true).", "parameters": {
                "type": "object",
                "properties": {
                    "task_id": task_id,
                    "title": {"type": "string", "description": "The new title"},
                    "description": {"type": "string", "description": "The new description (empty to clear)"},
                    "due": {"type": ["string", "null"], "description": "The new due date (null to remove it): a local date (2026-12-24) or date and time (2026-12-24T17:00) in ISO 8601"},
                    "remind_at": {"type": ["string", "null"], "description": "The new reminder time (null to remove it): a local date and time in ISO 8601 (2026-12-24T16:30); a date alone reminds at 09:00"},
                    "priority": {"type": "string", "enum": ["none", "low", "medium", "high"], "description": "The new priority"},
                    "completed": {"type": "boolean", "description": "false reopens a done task; true completes it"}
                },
                "required": ["task_id"]
            }}),
            json!({"name": "delete_task", "description": "Delete a task.", "parameters":
                {"type": "object", "properties": {"task_id": task_id}, "required": ["task_id"]}}),
        ]
    );
}

#[test]
fn no_schema_asks_the_model_for_a_user() {
    for tool in TOOLS {
        let parameters = tool.parameters().to_string();
        assert!(!parameters.contains("user"), "{}: {parameters}", tool.name);
    }
}

#[test]
fn failures_keep_their_json_shape() {
    let failure = ToolFailure {
        error: ToolError {
            code: ErrorCode::TaskNotFound,
            message: "Task 9 was not found.".into(),
            suggestions: Some(vec![Suggestion {
                id: 3,
                title: "buy milk".into(),
            }]),
        },
    };
    assert_eq!(
        failure.to_value(),
        json!({"error": {"code": "TASK_NOT_FOUND", "message": "Task 9 was not found.", "suggestions": [{"id": 3, "title": "buy milk"}]}})
    );
}
