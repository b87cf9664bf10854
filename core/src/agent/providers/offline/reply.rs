//! The offline assistant's replies: fixed answers, and sentences about what
//! its tool calls did.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::Deserialize;
use serde_json::Value;

use super::conversation::Exchange;
use crate::agent::tools::{
    ADD_TASK, COMPLETE_TASK, DELETE_TASK, ErrorCode, LIST_TASKS, ListedTask, ToolError, UPDATE_TASK,
};
use crate::tasks::{Priority, StatusFilter, TaskId};

/// How many tasks a "not found" or "which one?" reply shows.
pub(super) const SHOWN_TASKS: usize = 5;

pub(super) const HELP: &str = "I'm your offline assistant: I keep your to-do list, no internet needed. Try:\n\
                    • \"add buy milk\" (or \"add buy milk: 2 litres\" to add a description)\n\
                    • \"what's on my list?\", \"what is still open?\" or \"what have I done?\"\n\
                    • \"mark 3 done\" or \"mark buy milk as done\"\n\
                    • \"rename 3 to buy oat milk\" or \"describe 3 as 2 litres\"\n\
                    • \"delete 3\" or \"delete buy milk\"";
pub(super) const GREETING: &str = "Hi! What can I do for your list today? Say \"help\" to see what I understand.";
pub(super) const THANKS: &str = "You're welcome!";
pub(super) const GOODBYE: &str = "Bye! Your tasks are saved.";
pub(super) const ACKNOWLEDGEMENT: &str = "Alright! I'm here whenever you need me.";
pub(super) const UNKNOWN: &str = "Sorry, I didn't understand that. I can add, list, complete, rename and delete tasks — try \
                       \"add buy milk\", \"what's on my list?\" or \"mark 3 done\", or say \"help\".";

pub(super) const NO_RESULT: &str = "Sorry, something went wrong: I got no answer from your task list.";

fn task_line(id: TaskId, title: &str, completed: bool) -> String {
    if completed {
        format!("{id}. ✓ {title}")
    } else {
        format!("{id}. {title}")
    }
}

/// Up to [`SHOWN_TASKS`] lines, and how many more there are.
fn some_task_lines<'a>(tasks: impl ExactSizeIterator<Item = (TaskId, &'a str, bool)>) -> String {
    let more = tasks.len().saturating_sub(SHOWN_TASKS);
    task_lines(tasks.take(SHOWN_TASKS), more)
}

/// A line for each task, then one that says how many `more` there are.
pub(super) fn task_lines<'a>(tasks: impl Iterator<Item = (TaskId, &'a str, bool)>, more: usize) -> String {
    let mut lines: Vec<String> = tasks
        .map(|(id, title, completed)| task_line(id, title, completed))
        .collect();
    if more > 0 {
        lines.push(format!("…and {more} more."));
    }
    lines.join("\n")
}

/// "I couldn't find …", and the tasks that were `among`.
pub(super) fn not_found(phrase: &str, tasks: &[ListedTask], among: StatusFilter) -> String {
    let (which, yours, none) = match among {
        StatusFilter::Pending => ("an open task", "Your open tasks", " You have no open tasks."),
        StatusFilter::Completed => ("a finished task", "Your finished tasks", " You have no finished tasks."),
        StatusFilter::All => ("a task", "Your tasks", " Your list is empty."),
    };
    let mut reply = format!("I couldn't find {which} matching \"{phrase}\".");
    if tasks.is_empty() {
        reply.push_str(none);
    } else {
        let lines = some_task_lines(tasks.iter().map(|t| (t.id, t.title.as_str(), t.completed)));
        reply.push_str(&format!("\n{yours}:\n{lines}"));
    }
    reply
}

/// The reply after the last round: one line per tool call it made.
pub(super) fn report(rounds: &[Vec<Exchange<'_>>], known: &[ListedTask], now: NaiveDateTime) -> String {
    let Some(last) = rounds.last() else {
        return UNKNOWN.to_owned();
    };
    let earlier = earlier_tasks(rounds, known);
    let mut suggested = false;
    let lines: Vec<String> = last
        .iter()
        .map(|exchange| {
            // Suggestions after a "not found" are the same for each call: show them once.
            let line = report_one(exchange, &earlier, !suggested, now);
            suggested |= exchange
                .failure()
                .is_some_and(|error| error.code == ErrorCode::TaskNotFound);
            line
        })
        .collect();
    lines.join("\n")
}

fn quoted_title(result: &Value) -> String {
    result["title"]
        .as_str()
        .map_or_else(|| "the task".to_owned(), |title| format!("\"{title}\""))
}

/// The tasks as they were before their change: from the listings in this
/// turn, then from `known`.
fn earlier_tasks(rounds: &[Vec<Exchange<'_>>], known: &[ListedTask]) -> Vec<ListedTask> {
    let listed = rounds
        .iter()
        .flatten()
        .filter(|e| e.call.name == LIST_TASKS)
        .filter_map(|e| Vec::<ListedTask>::deserialize(e.result.as_ref()?).ok())
        .flatten();
    listed.chain(known.iter().cloned()).collect()
}

/// What one tool call did, in a sentence or a list; `earlier` as [`earlier_tasks`] gives them.
pub(super) fn report_one(
    exchange: &Exchange<'_>,
    earlier: &[ListedTask],
    with_suggestions: bool,
    now: NaiveDateTime,
) -> String {
    let Some(result) = &exchange.result else {
        return NO_RESULT.to_owned();
    };
    let arguments = exchange.arguments();
    if result.get("error").is_some() {
        return error_reply(
            &exchange.call.name,
            &arguments,
            exchange.failure().as_ref(),
            with_suggestions,
        );
    }
    let title = quoted_title(result);
    match exchange.call.name.as_str() {
        ADD_TASK => {
            let mut reply = format!("Added {title} to your list (task {})", result["task_id"]);
            if let Some(due) = arguments["due"].as_str() {
                reply.push_str(&format!(", due {}", when_label(due, now)));
            }
            if let Some(priority) = arguments["priority"].as_str() {
                reply.push_str(&format!(", {priority} priority"));
            }
            if let Some(description) = arguments["description"].as_str() {
                reply.push_str(&format!(" with the description \"{description}\""));
            }
            reply.push('.');
            if let Some(at) = arguments["remind_at"].as_str() {
                reply.push_str(&format!(" I'll remind you {}.", when_label(at, now)));
            }
            reply
        }
        LIST_TASKS => match serde_json::from_value::<Vec<ListedTask>>(result.clone()) {
            Ok(tasks) => list_reply(&tasks, &arguments, now),
            Err(_) => "Sorry, I couldn't read your list just now. Please try again.".to_owned(),
        },
        COMPLETE_TASK => format!("Marked {title} as done."),
        UPDATE_TASK => {
            let id = &result["task_id"];
            if let Some(due) = arguments.get("due") {
                match due.as_str() {
                    Some(due) => format!("{title} is now due {}.", when_label(due, now)),
                    None => format!("Removed the due date of {title}."),
                }
            } else if let Some(at) = arguments.get("remind_at") {
                match at.as_str() {
                    Some(at) => format!("I'll remind you about {title} {}.", when_label(at, now)),
                    None => format!("Removed the reminder of {title}."),
                }
            } else if let Some(priority) = arguments["priority"].as_str() {
                format!("{title} is now {priority} priority.")
            } else if arguments["completed"] == Value::Bool(false) {
                format!("Reopened {title}.")
            } else if let Some(description) = arguments["description"].as_str() {
                if description.trim().is_empty() {
                    format!("Removed the description of {title}.")
                } else {
                    format!("Set the description of {title} to \"{description}\".")
                }
            } else {
                let old = earlier.iter().find(|task| id.as_i64() == Some(i64::from(task.id)));
                match old {
                    Some(old) => format!("Renamed \"{}\" to {title}.", old.title),
                    None => format!("Renamed task {id} to {title}."),
                }
            }
        }
        DELETE_TASK => format!("Deleted {title} (task {}).", result["task_id"]),
        _ => "Done.".to_owned(),
    }
}

/// A due date or reminder the tools gave as local ISO 8601 ("2026-12-24",
/// "2026-12-24T17:00"), in words against `now`: "today", "tomorrow at 17:00",
/// "Thu 24 Dec", "Fri 1 Jan 2027 at 09:00".
pub(super) fn when_label(iso: &str, now: NaiveDateTime) -> String {
    let (date, time) = match iso.split_once('T') {
        Some((date, time)) => (date, time.get(..5)),
        None => (iso, None),
    };
    let Ok(date) = NaiveDate::parse_from_str(date, "%Y-%m-%d") else {
        return iso.to_owned();
    };
    let today = now.date();
    let day = match (date - today).num_days() {
        0 => "today".to_owned(),
        1 => "tomorrow".to_owned(),
        -1 => "yesterday".to_owned(),
        _ if date.year() == today.year() => date.format("%a %-d %b").to_string(),
        _ => date.format("%a %-d %b %Y").to_string(),
    };
    match time {
        Some(time) => format!("{day} at {time}"),
        None => day,
    }
}

/// "(due tomorrow, high priority)", or nothing for a task with neither.
fn details(task: &ListedTask, now: NaiveDateTime) -> String {
    let mut details = Vec::new();
    if let Some(due) = task.attributes.due.as_deref().filter(|_| !task.completed) {
        details.push(format!("due {}", when_label(due, now)));
    }
    if task.attributes.priority != Priority::None {
        details.push(format!("{} priority", task.attributes.priority.as_str()));
    }
    if details.is_empty() {
        String::new()
    } else {
        format!(" ({})", details.join(", "))
    }
}

/// The heading of a listing, or the whole reply when it is empty.
fn list_heading(count: usize, done: usize, arguments: &Value) -> Result<String, String> {
    let plural = |n: usize, noun: &str| {
        if n == 1 {
            format!("1 {noun}")
        } else {
            format!("{n} {noun}s")
        }
    };
    if let Some(words) = arguments["query"].as_str() {
        return match count {
            0 => Err(format!("No tasks match \"{words}\".")),
            n => Ok(format!(
                "{} \"{words}\":",
                if n == 1 {
                    "1 task matches".to_owned()
                } else {
                    format!("{n} tasks match")
                }
            )),
        };
    }
    let priority = arguments["priority"].as_str().map(|p| format!("{p}-priority "));
    let priority = priority.as_deref().unwrap_or("");
    if let Some(due) = arguments["due"].as_str() {
        let (when, none) = match due {
            "overdue" => ("overdue", "Nothing is overdue — nice!"),
            "today" => ("due today", "Nothing is due today."),
            "tomorrow" => ("due tomorrow", "Nothing is due tomorrow."),
            "week" => ("due this week", "Nothing is due this week."),
            _ => ("without a due date", "Every open task has a due date."),
        };
        return match count {
            0 => Err(none.to_owned()),
            n => Ok(format!("{} {when}:", plural(n, &format!("{priority}task")))),
        };
    }
    if !priority.is_empty() {
        return match count {
            0 => Err(format!("You have no open {priority}tasks.")),
            n => Ok(format!("You have {}:", plural(n, &format!("open {priority}task")))),
        };
    }
    let status = arguments["status"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_default();
    match status {
        _ if count == 0 => Err(match status {
            StatusFilter::All => "Your list is empty. Add something with, for example, \"add buy milk\".",
            StatusFilter::Pending => "No open tasks — nice!",
            StatusFilter::Completed => "You haven't completed any tasks yet.",
        }
        .to_owned()),
        StatusFilter::All => Ok(format!("Here's your list — {} open, {done} done:", count - done)),
        StatusFilter::Pending => Ok(format!("You have {}:", plural(count, "open task"))),
        StatusFilter::Completed => Ok(format!("You've completed {}:", plural(count, "task"))),
    }
}

fn list_reply(tasks: &[ListedTask], arguments: &Value, now: NaiveDateTime) -> String {
    let done = tasks.iter().filter(|t| t.completed).count();
    let heading = match list_heading(tasks.len(), done, arguments) {
        Ok(heading) => heading,
        Err(empty) => return empty,
    };
    let lines: Vec<String> = tasks
        .iter()
        .map(|t| {
            let line = format!("{}{}", task_line(t.id, &t.title, t.completed), details(t, now));
            match t.description.as_deref().filter(|d| !d.is_empty()) {
                Some(description) => format!("{line} — {description}"),
                None => line,
            }
        })
        .collect();
    format!("{heading}\n{}", lines.join("\n"))
}

/// What went wrong, in a sentence; `error` is `None` when the result is not in the tools' error shape.
fn error_reply(tool: &str, arguments: &Value, error: Option<&ToolError>, with_suggestions: bool) -> String {
    let Some(error) = error else {
        return "Sorry, that didn't work.".to_owned();
    };
    let message = error.message.as_str();
    match error.code {
        ErrorCode::TaskNotFound => {
            let which = match &arguments["task_id"] {
                Value::Null => "that task".to_owned(),
                Value::String(id) => format!("task {id}"),
                id => format!("task {id}"),
            };
            let mut reply = format!("I couldn't find {which}.");
            let suggestions = error.suggestions.as_deref().unwrap_or_default();
            if with_suggestions && suggestions.is_empty() {
                reply.push_str(" You have no open tasks right now.");
            } else if with_suggestions {
                let lines = some_task_lines(suggestions.iter().map(|s| (s.id, s.title.as_str(), false)));
                reply.push_str(&format!(" Your open tasks:\n{lines}"));
            }
            reply
        }
        ErrorCode::InvalidTitle => {
            let doing = if tool == ADD_TASK { "add that" } else { "rename it" };
            let mut reason = message.chars();
            let reason: String = reason
                .next()
                .map(|c| c.to_lowercase().chain(reason).collect())
                .unwrap_or_default();
            format!("I couldn't {doing}: {reason}")
        }
        ErrorCode::InvalidRequest if !message.is_empty() => format!("I couldn't do that: {message}"),
        ErrorCode::Database => "Sorry, I couldn't reach your tasks just now. Please try again in a moment.".to_owned(),
        ErrorCode::InvalidRequest => "Sorry, that didn't work.".to_owned(),
    }
}
