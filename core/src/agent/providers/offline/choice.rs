//! A "which one do you mean?" question waiting for its answer, kept as data:
//! the provider emits it as hidden context, the ChatKit thread stores it
//! after the question, and the next turn reads it back (see `followup`).
//!
//! As hidden context it reaches any model in later turns as a user message,
//! so it reads as a note that names itself, followed by its JSON.

use serde::{Deserialize, Serialize};

use super::intent::Change;
use crate::agent::provider::{ChatMessage, Role};
use crate::agent::tools::ListedTask;

/// Opens every note; a model other than the offline assistant reads it as an aside.
const NOTE: &str = "(Not from the user: the offline assistant asked which task the user means and is waiting for \
                    the answer; other assistants can ignore this note.) ";

/// What to do to the task a title names, once it is found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Action {
    Complete,
    Delete,
    Update(Change),
}

impl Action {
    /// A request by number that does the same, for "which one?" replies.
    pub(super) fn example(&self) -> &'static str {
        match self {
            Action::Complete => "mark {id} done",
            Action::Delete => "delete {id}",
            Action::Update(Change::Title(_)) => "rename {id} to …",
            Action::Update(Change::Description(_)) => "describe {id} as …",
            Action::Update(Change::Due(Some(_))) => "move {id} to …",
            Action::Update(Change::Due(None)) => "remove the due date from {id}",
            Action::Update(Change::Remind { .. }) => "remind me about {id} at …",
            Action::Update(Change::NoReminder) => "remove the reminder from {id}",
            Action::Update(Change::Priority(_)) => "make {id} high priority",
            Action::Update(Change::Reopen) => "reopen {id}",
        }
    }
}

/// The question's data: what the answer chooses a task for, and from which.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingChoice {
    pub(super) action: Action,
    /// The tasks shown, in order.
    pub(super) choices: Vec<ListedTask>,
    /// How many more matched than were shown.
    pub(super) more: usize,
}

impl PendingChoice {
    /// The first `shown` of `found` as the choices, the rest counted.
    pub(super) fn new(action: Action, found: &[&ListedTask], shown: usize) -> Self {
        Self {
            action,
            // What the question shows: a description would only make the note longer.
            choices: found
                .iter()
                .take(shown)
                .map(|&task| ListedTask {
                    description: None,
                    ..task.clone()
                })
                .collect(),
            more: found.len().saturating_sub(shown),
        }
    }

    /// The hidden context that keeps this choice in the thread.
    pub(super) fn note(&self) -> String {
        // A struct of strings, numbers and enums always serialises.
        format!("{NOTE}{}", serde_json::to_string(self).unwrap_or_default())
    }

    /// The choice a message keeps, if it is such a note.
    pub(super) fn read(message: &ChatMessage) -> Option<Self> {
        let json = message
            .content
            .strip_prefix(NOTE)
            .filter(|_| message.role == Role::User)?;
        serde_json::from_str(json).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: i32, title: &str) -> ListedTask {
        ListedTask {
            id,
            title: title.into(),
            description: Some("2 litres".into()),
            ..ListedTask::default()
        }
    }

    #[test]
    fn a_note_reads_back_as_the_choice_it_keeps_and_nothing_else_does() {
        let (oat, milk) = (task(5, "buy oat milk"), task(3, "buy milk"));
        let pending = PendingChoice::new(Action::Update(Change::Title("cream".into())), &[&oat, &milk], 1);
        assert_eq!(pending.more, 1);
        assert_eq!(
            pending.choices,
            [ListedTask {
                description: None,
                ..oat
            }]
        );
        let note = pending.note();
        assert!(note.starts_with("(Not from the user"), "{note}");
        assert_eq!(PendingChoice::read(&ChatMessage::user(note.clone())), Some(pending));
        assert_eq!(PendingChoice::read(&ChatMessage::assistant(note, Vec::new())), None);
        assert_eq!(PendingChoice::read(&ChatMessage::user("3")), None);
        assert_eq!(PendingChoice::read(&ChatMessage::user(format!("{NOTE}not json"))), None);
    }
}
