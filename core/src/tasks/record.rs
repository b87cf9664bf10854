//! A task with every stored field, its reminder state included: what an
//! export keeps, and what an import must check by the rules of `create` and
//! `update` before storing it (the file may come from anyone).

use serde::{Deserialize, Serialize};

use super::fields::{Due, Priority, check_year, validate_description, validate_title};
use super::{Result, Task};
use crate::timestamp::Timestamp;

/// The stored columns of a task, as the export document names them; `id` is
/// where it came from, never where it goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRecord {
    #[serde(default)]
    pub id: Option<i64>,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    pub completed: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    #[serde(default)]
    pub due_at: Option<Timestamp>,
    #[serde(default)]
    pub due_all_day: bool,
    #[serde(default)]
    pub priority: Priority,
    #[serde(default)]
    pub remind_at: Option<Timestamp>,
    #[serde(default)]
    pub reminded_at: Option<Timestamp>,
    #[serde(default)]
    pub completed_at: Option<Timestamp>,
}

impl TaskRecord {
    pub(super) fn new(task: Task, reminded_at: Option<Timestamp>) -> Self {
        Self {
            id: Some(i64::from(task.id)),
            title: task.title,
            description: task.description,
            completed: task.completed,
            created_at: task.created_at,
            updated_at: task.updated_at,
            due_at: task.due_at,
            due_all_day: task.due_all_day,
            priority: task.priority,
            remind_at: task.remind_at,
            reminded_at,
            completed_at: task.completed_at,
        }
    }

    /// The record as `create` and `update` would let it be stored: the title
    /// and description rules, a due date at midnight UTC, years in range.
    /// `completed_at` counts only while completed, as everywhere else.
    pub fn checked(self) -> Result<Self> {
        let due = self
            .due_at
            .map(|at| Due::from_wire(at, self.due_all_day).and_then(Due::stored))
            .transpose()?;
        let instant = |at: Option<Timestamp>, what| at.map(|at| check_year(at, what)).transpose();
        Ok(Self {
            id: None,
            title: validate_title(&self.title)?,
            description: validate_description(self.description.as_deref())?,
            completed: self.completed,
            created_at: check_year(self.created_at, "A creation time")?,
            updated_at: check_year(self.updated_at, "An update time")?,
            due_at: due.map(|(at, _)| at),
            due_all_day: due.is_some_and(|(_, all_day)| all_day),
            priority: self.priority,
            remind_at: instant(self.remind_at, "A reminder time")?,
            reminded_at: instant(self.reminded_at, "A reminder's shown time")?,
            completed_at: instant(self.completed_at.filter(|_| self.completed), "A completion time")?,
        })
    }
}
