//! What a message can ask for.

use serde::{Deserialize, Serialize};

use crate::tasks::{StatusFilter, TaskId};
use crate::when::When;

/// Tasks one request may add or change by number: each is a tool call.
pub const MAX_TASKS_PER_REQUEST: usize = 20;

/// Which task a request is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// By number, as list replies show them: "mark 3 and 4 done".
    Ids(Vec<TaskId>),
    /// By (part of) the title, looked up in the list first.
    Title(String),
}

/// Kept in a "which one?" question's data (see `choice`), so serialisable;
/// dates as the tools take them (ISO 8601 local time, see `When::iso`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Change {
    Title(String),
    /// Empty clears it.
    Description(String),
    /// `None` removes the due date.
    Due(Option<String>),
    /// "remind me about X at 5pm": a reminder then; and, when no task is X,
    /// the task to add, due `due`.
    Remind {
        at: String,
        due: String,
    },
    NoReminder,
    /// The tools' name of a priority: "low", "medium", "high".
    Priority(String),
    Reopen,
}

/// A task to add, as one part of a message describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NewTask {
    pub(crate) title: String,
    pub(crate) description: Option<String>,
    pub(crate) due: Option<When>,
    /// "remind me to …": a reminder at the due time.
    pub(crate) remind: bool,
    /// The tools' name of a priority.
    pub(crate) priority: Option<&'static str>,
}

/// Which tasks a question asks about, in the words `list_tasks` takes.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct ListQuery {
    pub(crate) status: StatusFilter,
    /// "overdue", "today", "tomorrow", "week" or "none".
    pub(crate) due: Option<&'static str>,
    pub(crate) priority: Option<&'static str>,
    /// Words to search titles and descriptions for.
    pub(crate) words: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Edit {
    pub(crate) target: Target,
    pub(crate) change: Change,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Intent {
    /// One task, or several when each part of the message is one.
    Add(Vec<NewTask>),
    List(ListQuery),
    Complete(Target),
    Delete(Target),
    /// The readings of an edit, in order of preference: a title may contain
    /// "to" itself, so "rename go to gym to go swimming" has two, and the list
    /// settles which names a task.
    Edit(Vec<Edit>),
    Help,
    Greeting,
    Thanks,
    Goodbye,
    Acknowledgement,
    /// Understood, but something is missing or not supported: reply this.
    Ask(&'static str),
    Unknown,
}

impl Intent {
    /// For logs, which never carry what the person wrote.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Intent::Add(_) => "add",
            Intent::List(_) => "list",
            Intent::Complete(_) => "complete",
            Intent::Delete(_) => "delete",
            Intent::Edit(_) => "edit",
            Intent::Help => "help",
            Intent::Greeting => "greeting",
            Intent::Thanks => "thanks",
            Intent::Goodbye => "goodbye",
            Intent::Acknowledgement => "acknowledgement",
            Intent::Ask(_) => "ask",
            Intent::Unknown => "unknown",
        }
    }
}
