//! A failed call's result, as the model and the offline assistant read it:
//! `{"error": {"code", "message", "suggestions"?}}`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::tasks::{self, ErrorCode, Page, StatusFilter, TaskId, Tasks};

/// How many pending tasks a TASK_NOT_FOUND error suggests instead.
const SUGGESTIONS: u32 = 5;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolFailure {
    pub error: ToolError,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolError {
    pub code: ErrorCode,
    pub message: String,
    /// Only with [`ErrorCode::TaskNotFound`]: open tasks the model may have meant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestions: Option<Vec<Suggestion>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub id: TaskId,
    pub title: String,
}

impl ToolFailure {
    /// The result for `err`, with suggestions from `user_id`'s open tasks when the task was not found.
    pub(super) async fn of(tasks: &Tasks, user_id: &str, err: &tasks::Error) -> Self {
        let code = err.error_code();
        let suggestions = match code {
            ErrorCode::TaskNotFound => {
                let page = Page {
                    limit: SUGGESTIONS,
                    offset: 0,
                };
                let pending = tasks.list(user_id, StatusFilter::Pending, page).await;
                let suggestions = pending.unwrap_or_default().into_iter().map(|t| Suggestion {
                    id: t.id,
                    title: t.title,
                });
                Some(suggestions.collect())
            }
            ErrorCode::InvalidTitle | ErrorCode::InvalidRequest | ErrorCode::Database => None,
        };
        Self {
            error: ToolError {
                code,
                message: err.to_string(),
                suggestions,
            },
        }
    }

    pub(super) fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}
