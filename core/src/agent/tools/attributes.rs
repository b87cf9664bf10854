//! A task's due date, reminder and priority as the tools take and show them:
//! local ISO 8601 in the calendar's zone (`2026-12-24` for a date,
//! `2026-12-24T17:00` for a time), and the priority's word.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Value, json};

use crate::calendar::Calendar;
use crate::tasks::{self, Due, Priority, Task};
use crate::timestamp::Timestamp;

/// What every listed or changed task carries besides its title.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskAttributes {
    #[serde(default)]
    pub due: Option<String>,
    #[serde(default)]
    pub priority: Priority,
    #[serde(default)]
    pub remind_at: Option<String>,
}

impl TaskAttributes {
    pub(super) fn of(task: &Task, calendar: &Calendar) -> Self {
        Self {
            due: task.due().map(|due| calendar.format_due(due)),
            priority: task.priority,
            remind_at: task.remind_at.map(|at| calendar.format_local(at)),
        }
    }
}

/// The output schema's properties for [`TaskAttributes`].
pub(super) fn attributes_properties() -> serde_json::Map<String, Value> {
    let properties = json!({
        "due": {"type": ["string", "null"], "description": "Local ISO 8601 date or date and time"},
        "priority": {"type": "string", "enum": Priority::ALL.map(Priority::as_str)},
        "remind_at": {"type": ["string", "null"], "description": "Local ISO 8601 date and time"},
    });
    match properties {
        Value::Object(properties) => properties,
        _ => serde_json::Map::new(),
    }
}

pub(super) fn due_schema(purpose: &str) -> Value {
    json!({"type": "string", "description": format!(
        "{purpose}: a local date (2026-12-24) or date and time (2026-12-24T17:00) in ISO 8601"
    )})
}

pub(super) fn remind_schema(purpose: &str) -> Value {
    json!({"type": "string", "description": format!(
        "{purpose}: a local date and time in ISO 8601 (2026-12-24T16:30); a date alone reminds at 09:00"
    )})
}

pub(super) fn priority_schema(purpose: &str) -> Value {
    json!({"type": "string", "enum": Priority::ALL.map(Priority::as_str), "description": purpose})
}

/// A field the model may send as a value, as `null` or `""` (remove it), or leave out (keep it).
pub(super) fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    let value = Option::<String>::deserialize(d)?;
    Ok(Some(value.filter(|text| !text.trim().is_empty())))
}

pub(super) fn due(text: Option<&str>, calendar: &Calendar) -> Result<Option<Due>, tasks::Error> {
    text.map(|text| calendar.parse_due(text)).transpose()
}

pub(super) fn reminder(text: Option<&str>, calendar: &Calendar) -> Result<Option<Timestamp>, tasks::Error> {
    text.map(|text| calendar.parse_reminder(text)).transpose()
}

pub(super) fn priority(text: Option<&str>) -> Result<Option<Priority>, tasks::Error> {
    text.map(str::parse).transpose()
}
