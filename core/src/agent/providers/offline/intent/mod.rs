//! Reading what a person asks for in one chat message, in everyday English:
//! one module per family of request, tried in the order `command` gives.
//!
//! Words match case-insensitively and whole ("add" never matches "address");
//! curly apostrophes count as straight ones. Titles and descriptions keep the
//! person's own spelling.

mod add;
mod command;
mod complete;
mod dates;
mod delete;
mod edit;
mod kinds;
mod list;
mod phrases;
mod priority;
mod small_talk;
mod target;

use chrono::NaiveDateTime;

use self::command::command_intent;
#[cfg(test)]
pub(super) use self::complete::ASK_WHICH_TO_COMPLETE;
pub(super) use self::dates::reminder;
pub(super) use self::edit::ASK_WHICH_TO_EDIT;
pub use self::kinds::MAX_TASKS_PER_REQUEST;
pub(super) use self::kinds::{Change, Edit, Intent, ListQuery, NewTask, Target};
use self::phrases::{strip_fillers, tidy};
use self::small_talk::small_talk;
pub(super) use self::target::task_numbers;

/// What `message` asks for; dates in it are read against `now`, local wall time.
pub(super) fn parse(message: &str, now: NaiveDateTime) -> Intent {
    if let Some(intent) = small_talk(message) {
        return intent;
    }
    let text = tidy(message);
    let command = strip_fillers(&text);
    if let Some(intent) = small_talk(command) {
        return intent;
    }
    command_intent(command, now).unwrap_or(Intent::Unknown)
}

#[cfg(test)]
mod tests;
