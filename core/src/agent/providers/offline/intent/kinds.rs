//! What a message can ask for.

use serde::{Deserialize, Serialize};

use crate::tasks::{StatusFilter, TaskId};

/// Which task a request is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// By number, as list replies show them: "mark 3 and 4 done".
    Ids(Vec<TaskId>),
    /// By (part of) the title, looked up in the list first.
    Title(String),
}

/// Kept in a "which one?" question's data (see `choice`), so serialisable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Change {
    Title(String),
    /// Empty clears it.
    Description(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Edit {
    pub(crate) target: Target,
    pub(crate) change: Change,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Intent {
    Add {
        title: String,
        description: Option<String>,
    },
    List(StatusFilter),
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
            Intent::Add { .. } => "add",
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
