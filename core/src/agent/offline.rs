//! The offline assistant: the app's default "model", which needs no network
//! and no key. It reads everyday English ("add buy milk", "what is still
//! open?", "mark buy milk as done") and answers exactly like a tool-calling
//! model: tool calls first, then a text reply built from their results.
//!
//! It is stateless. Each `stream` call decides from the last user message
//! and the tool calls and results that follow it in the request; everything
//! before that message is history. A request by title takes the most rounds
//! (list the tasks, then act on the one that matches), so after
//! [`MAX_TOOL_ROUNDS`] rounds it always answers with text.
//!
//! When several tasks fit a title it asks which one; the answer ("3", "the
//! second one") is read together with that question and the request before
//! it (see `offline/followup.rs`).

mod followup;
mod intent;
mod matching;

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::{Value, json};

use self::followup::FollowUp;
use self::intent::{Change, Edit, Intent, Target};
use super::provider::{
    ChatMessage, ModelEvent, ModelRequest, ModelStream, Provider, ProviderError, ProviderErrorKind, Role, ToolCall,
};
use super::tools::{ADD_TASK, COMPLETE_TASK, DELETE_TASK, ErrorCode, LIST_TASKS, ListedTask, ToolError, UPDATE_TASK};
use crate::tasks::{StatusFilter, TaskId};

/// Tool rounds per user message: at most a lookup, then the change.
pub const MAX_TOOL_ROUNDS: usize = 2;

/// Tasks one request may change by number: each is a tool call.
pub const MAX_TASKS_PER_REQUEST: usize = 20;

fn too_many_tasks() -> String {
    format!(
        "That's a lot of tasks at once — I change up to {MAX_TASKS_PER_REQUEST} in one message. Please name fewer, \
         for example \"mark 3 and 4 done\"."
    )
}

/// How many tasks a "not found" or "which one?" reply shows.
const SHOWN_TASKS: usize = 5;

/// Words per streamed text delta.
const WORDS_PER_DELTA: usize = 3;

const HELP: &str = "I'm your offline assistant: I keep your to-do list, no internet needed. Try:\n\
                    • \"add buy milk\" (or \"add buy milk: 2 litres\" to add a description)\n\
                    • \"what's on my list?\", \"what is still open?\" or \"what have I done?\"\n\
                    • \"mark 3 done\" or \"mark buy milk as done\"\n\
                    • \"rename 3 to buy oat milk\" or \"describe 3 as 2 litres\"\n\
                    • \"delete 3\" or \"delete buy milk\"";
const GREETING: &str = "Hi! What can I do for your list today? Say \"help\" to see what I understand.";
const THANKS: &str = "You're welcome!";
const GOODBYE: &str = "Bye! Your tasks are saved.";
const ACKNOWLEDGEMENT: &str = "Alright! I'm here whenever you need me.";
const UNKNOWN: &str = "Sorry, I didn't understand that. I can add, list, complete, rename and delete tasks — try \
                       \"add buy milk\", \"what's on my list?\" or \"mark 3 done\", or say \"help\".";

/// The offline assistant, used as a [`Provider`].
#[derive(Debug, Default, Clone)]
pub struct OfflineAssistant;

impl Provider for OfflineAssistant {
    fn describe(&self) -> String {
        "offline assistant".to_owned()
    }

    fn stream(&self, request: ModelRequest) -> ModelStream {
        Box::pin(async_stream::stream! {
            // Decided on first poll: a stream starts nothing until polled.
            // Reading a message is CPU work: on a blocking thread, so a long
            // one never holds up the async workers (and `/healthz`).
            match tokio::task::spawn_blocking(move || events(plan(&request.messages))).await {
                Ok(events) => {
                    for event in events {
                        yield Ok(event);
                    }
                }
                Err(err) => {
                    tracing::error!(error = %err, "the offline assistant failed");
                    yield Err(ProviderError::new(
                        ProviderErrorKind::Unavailable,
                        "The offline assistant stopped unexpectedly. Please try again.",
                    ));
                }
            }
        })
    }
}

/// What the assistant does next for a conversation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    CallTools(Vec<ToolCall>),
    Reply(String),
}

/// The events that carry out `step`: the tool calls, or the reply in several
/// text deltas; then `Finished`.
pub fn events(step: Step) -> Vec<ModelEvent> {
    let mut events: Vec<ModelEvent> = match step {
        Step::CallTools(calls) => calls.into_iter().map(ModelEvent::ToolCall).collect(),
        Step::Reply(text) => text_deltas(&text).into_iter().map(ModelEvent::TextDelta).collect(),
    };
    events.push(ModelEvent::Finished);
    events
}

/// `text` in pieces of a few words, whitespace kept, so the pieces join back to it.
fn text_deltas(text: &str) -> Vec<String> {
    let pieces: Vec<&str> = text.split_inclusive(char::is_whitespace).collect();
    pieces.chunks(WORDS_PER_DELTA).map(|chunk| chunk.concat()).collect()
}

/// Decides the next step from the last user message and the tool calls and
/// results that follow it.
pub fn plan(messages: &[ChatMessage]) -> Step {
    let Some(user_at) = messages.iter().rposition(|m| m.role == Role::User) else {
        return Step::Reply(GREETING.to_owned());
    };
    // The task chosen in answer to "which one?", whose title the reply may name.
    let (intent, chosen) = match followup::follow_up(messages, user_at) {
        Some(FollowUp::Chosen { intent, task }) => (intent, vec![task]),
        Some(FollowUp::Unclear(again)) => {
            tracing::debug!("offline assistant asked again which task");
            return Step::Reply(again);
        }
        None => (intent::parse(&messages[user_at].content), Vec::new()),
    };
    let rounds = rounds(&messages[user_at + 1..]);
    let mut calls = CallMaker::new(messages);
    let step = next_step(&intent, &rounds, &chosen, &mut calls);
    tracing::debug!(
        intent = intent.kind(),
        follow_up = !chosen.is_empty(),
        rounds = rounds.len(),
        tool_calls = match &step {
            Step::CallTools(calls) => calls.len(),
            Step::Reply(_) => 0,
        },
        "offline assistant decided"
    );
    step
}

/// One tool call the assistant made and, once run, its result.
struct Exchange<'a> {
    call: &'a ToolCall,
    result: Option<Value>,
}

impl Exchange<'_> {
    fn arguments(&self) -> Value {
        serde_json::from_str(&self.call.arguments).unwrap_or(Value::Null)
    }

    /// The error the call's result reports, if it reports one in the tools' shape.
    fn failure(&self) -> Option<ToolError> {
        ToolError::deserialize(self.result.as_ref()?.get("error")?).ok()
    }
}

/// The tool calls of each assistant message after the user's, with their results.
fn rounds(messages: &[ChatMessage]) -> Vec<Vec<Exchange<'_>>> {
    let mut rounds: Vec<Vec<Exchange<'_>>> = Vec::new();
    for message in messages {
        match message.role {
            Role::Assistant if !message.tool_calls.is_empty() => rounds.push(
                message
                    .tool_calls
                    .iter()
                    .map(|call| Exchange { call, result: None })
                    .collect(),
            ),
            Role::Tool => {
                let result = serde_json::from_str(&message.content).unwrap_or_else(|_| json!(message.content));
                let answered = rounds.iter_mut().rev().flatten().find(|exchange| {
                    exchange.result.is_none() && message.tool_call_id.as_ref().is_none_or(|id| *id == exchange.call.id)
                });
                if let Some(exchange) = answered {
                    exchange.result = Some(result);
                }
            }
            _ => {}
        }
    }
    rounds
}

/// Makes tool calls with ids (`offline_<n>`) not yet used in the request.
struct CallMaker {
    used: HashSet<String>,
    next: usize,
}

impl CallMaker {
    fn new(messages: &[ChatMessage]) -> Self {
        let made = messages.iter().flat_map(|m| m.tool_calls.iter().map(|c| c.id.clone()));
        let answered = messages.iter().filter_map(|m| m.tool_call_id.clone());
        Self {
            used: made.chain(answered).collect(),
            next: 1,
        }
    }

    fn call(&mut self, name: &str, arguments: Value) -> ToolCall {
        loop {
            let id = format!("offline_{}", self.next);
            self.next += 1;
            if self.used.insert(id.clone()) {
                return ToolCall {
                    id,
                    name: name.to_owned(),
                    arguments: arguments.to_string(),
                };
            }
        }
    }
}

fn status_name(status: StatusFilter) -> &'static str {
    match status {
        StatusFilter::All => "all",
        StatusFilter::Pending => "pending",
        StatusFilter::Completed => "completed",
    }
}

fn update_arguments(id: TaskId, change: &Change) -> Value {
    match change {
        Change::Title(title) => json!({"task_id": id, "title": title}),
        Change::Description(description) => json!({"task_id": id, "description": description}),
    }
}

/// At most [`MAX_TOOL_ROUNDS`] by construction: a first round, a second only
/// after a lookup, then always a reply. `known` are tasks the reply may name
/// by their title before this turn.
fn next_step(intent: &Intent, rounds: &[Vec<Exchange<'_>>], known: &[ListedTask], calls: &mut CallMaker) -> Step {
    match rounds {
        [] => first_step(intent, calls),
        [lookup] if needs_lookup(intent) && is_listing(lookup) => settle(intent, &lookup[0], calls),
        _ => Step::Reply(report(rounds, known)),
    }
}

/// Whether the request names a task by title, so the list comes first.
fn needs_lookup(intent: &Intent) -> bool {
    match intent {
        Intent::Complete(target) | Intent::Delete(target) => matches!(target, Target::Title(_)),
        Intent::Edit(edits) => edits.first().is_some_and(|e| matches!(e.target, Target::Title(_))),
        _ => false,
    }
}

fn is_listing(round: &[Exchange<'_>]) -> bool {
    matches!(round, [only] if only.call.name == LIST_TASKS)
}

fn first_step(intent: &Intent, calls: &mut CallMaker) -> Step {
    let each = |calls: &mut CallMaker, tool: &str, ids: &[TaskId]| {
        if ids.len() > MAX_TASKS_PER_REQUEST {
            return Step::Reply(too_many_tasks());
        }
        Step::CallTools(ids.iter().map(|id| calls.call(tool, json!({"task_id": id}))).collect())
    };
    let list = |calls: &mut CallMaker, status: StatusFilter| {
        Step::CallTools(vec![calls.call(LIST_TASKS, json!({"status": status_name(status)}))])
    };
    match intent {
        Intent::Add { title, description } => {
            let mut arguments = json!({"title": title});
            if let Some(description) = description {
                arguments["description"] = json!(description);
            }
            Step::CallTools(vec![calls.call(ADD_TASK, arguments)])
        }
        Intent::List(status) => list(calls, *status),
        Intent::Complete(Target::Ids(ids)) => each(calls, COMPLETE_TASK, ids),
        // Only open tasks can be completed, so only they are candidates.
        Intent::Complete(Target::Title(_)) => list(calls, StatusFilter::Pending),
        Intent::Delete(Target::Ids(ids)) => each(calls, DELETE_TASK, ids),
        Intent::Delete(Target::Title(_)) => list(calls, StatusFilter::All),
        Intent::Edit(edits) => match edits.first() {
            Some(Edit {
                target: Target::Ids(ids),
                change,
            }) => Step::CallTools(
                ids.iter()
                    .map(|id| calls.call(UPDATE_TASK, update_arguments(*id, change)))
                    .collect(),
            ),
            Some(_) => list(calls, StatusFilter::All),
            None => Step::Reply(intent::ASK_WHICH_TO_EDIT.to_owned()),
        },
        Intent::Help => Step::Reply(HELP.to_owned()),
        Intent::Greeting => Step::Reply(GREETING.to_owned()),
        Intent::Thanks => Step::Reply(THANKS.to_owned()),
        Intent::Goodbye => Step::Reply(GOODBYE.to_owned()),
        Intent::Acknowledgement => Step::Reply(ACKNOWLEDGEMENT.to_owned()),
        Intent::Ask(reply) => Step::Reply((*reply).to_owned()),
        Intent::Unknown => Step::Reply(UNKNOWN.to_owned()),
    }
}

/// Acts on the task the listing shows the person meant, or says why not.
fn settle(intent: &Intent, listing: &Exchange<'_>, calls: &mut CallMaker) -> Step {
    let tasks: Vec<ListedTask> = match &listing.result {
        Some(result) if result.get("error").is_some() => return Step::Reply(report_one(listing, &[], true)),
        Some(result) => match serde_json::from_value(result.clone()) {
            Ok(tasks) => tasks,
            Err(err) => {
                tracing::warn!(error = %err, "offline assistant could not read a task list");
                return Step::Reply("Sorry, I couldn't read your list just now. Please try again.".to_owned());
            }
        },
        None => return Step::Reply(NO_RESULT.to_owned()),
    };
    let readings = readings(intent);
    // The reading whose task fits best; on a tie, the earlier one.
    let titles = matching::Titles::of(&tasks);
    let mut best: Option<(matching::Fit, &str, &Action<'_>, Vec<&ListedTask>)> = None;
    for (phrase, action) in &readings {
        if let (Some(fit), found) = titles.best(phrase)
            && best.as_ref().is_none_or(|(best_fit, ..)| fit > *best_fit)
        {
            best = Some((fit, phrase, action, found));
        }
    }
    let open_only = matches!(intent, Intent::Complete(_));
    let Some((_, phrase, action, found)) = best else {
        let phrase = readings.first().map_or("", |(phrase, _)| phrase);
        return Step::Reply(not_found(phrase, &tasks, open_only));
    };
    match (found.as_slice(), action) {
        ([task], Action::Complete) => Step::CallTools(vec![calls.call(COMPLETE_TASK, json!({"task_id": task.id}))]),
        ([task], Action::Delete) => Step::CallTools(vec![calls.call(DELETE_TASK, json!({"task_id": task.id}))]),
        ([task], Action::Update(change)) => {
            Step::CallTools(vec![calls.call(UPDATE_TASK, update_arguments(task.id, change))])
        }
        (several, action) => Step::Reply(followup::which_one(phrase, several, action)),
    }
}

/// The titles a request names a task by, each with what to do to that task.
fn readings(intent: &Intent) -> Vec<(&str, Action<'_>)> {
    match intent {
        Intent::Complete(Target::Title(phrase)) => vec![(phrase, Action::Complete)],
        Intent::Delete(Target::Title(phrase)) => vec![(phrase, Action::Delete)],
        Intent::Edit(edits) => edits
            .iter()
            .filter_map(|edit| match &edit.target {
                Target::Title(phrase) => Some((phrase.as_str(), Action::Update(&edit.change))),
                Target::Ids(_) => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// What to do to the task a title names, once it is found.
enum Action<'a> {
    Complete,
    Delete,
    Update(&'a Change),
}

impl Action<'_> {
    /// A request by number that does the same, for "which one?" replies.
    fn example(&self) -> &'static str {
        match self {
            Action::Complete => "mark {id} done",
            Action::Delete => "delete {id}",
            Action::Update(Change::Title(_)) => "rename {id} to …",
            Action::Update(Change::Description(_)) => "describe {id} as …",
        }
    }
}

const NO_RESULT: &str = "Sorry, something went wrong: I got no answer from your task list.";

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

/// Around the count of tasks not shown: "…and 2 more."
const MORE: (&str, &str) = ("…and ", " more.");

/// A line for each task, then one that says how many `more` there are.
fn task_lines<'a>(tasks: impl Iterator<Item = (TaskId, &'a str, bool)>, more: usize) -> String {
    let mut lines: Vec<String> = tasks
        .map(|(id, title, completed)| task_line(id, title, completed))
        .collect();
    if more > 0 {
        lines.push(format!("{}{more}{}", MORE.0, MORE.1));
    }
    lines.join("\n")
}

fn not_found(phrase: &str, tasks: &[ListedTask], open_only: bool) -> String {
    let (which, yours) = if open_only {
        ("an open task", "Your open tasks")
    } else {
        ("a task", "Your tasks")
    };
    let mut reply = format!("I couldn't find {which} matching \"{phrase}\".");
    if tasks.is_empty() {
        reply.push_str(if open_only {
            " You have no open tasks."
        } else {
            " Your list is empty."
        });
    } else {
        let lines = some_task_lines(tasks.iter().map(|t| (t.id, t.title.as_str(), t.completed)));
        reply.push_str(&format!("\n{yours}:\n{lines}"));
    }
    reply
}

/// The reply after the last round: one line per tool call it made.
fn report(rounds: &[Vec<Exchange<'_>>], known: &[ListedTask]) -> String {
    let Some(last) = rounds.last() else {
        return UNKNOWN.to_owned();
    };
    let titles = earlier_titles(rounds, known);
    let mut suggested = false;
    let lines: Vec<String> = last
        .iter()
        .map(|exchange| {
            // Suggestions after a "not found" are the same for each call: show them once.
            let line = report_one(exchange, &titles, !suggested);
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

/// The titles tasks had before their change: from the listings in this turn,
/// then from `known`.
fn earlier_titles<'a>(rounds: &'a [Vec<Exchange<'_>>], known: &'a [ListedTask]) -> Vec<(TaskId, &'a str)> {
    let listed = rounds
        .iter()
        .flatten()
        .filter(|e| e.call.name == LIST_TASKS)
        .filter_map(|e| e.result.as_ref()?.as_array())
        .flatten()
        .filter_map(|task| Some((TaskId::try_from(task["id"].as_i64()?).ok()?, task["title"].as_str()?)));
    listed.chain(known.iter().map(|t| (t.id, t.title.as_str()))).collect()
}

/// What one tool call did, in a sentence or a list; `titles` as [`earlier_titles`] gives them.
fn report_one(exchange: &Exchange<'_>, titles: &[(TaskId, &str)], with_suggestions: bool) -> String {
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
            let id = &result["task_id"];
            match arguments["description"].as_str() {
                Some(description) => {
                    format!("Added {title} to your list (task {id}) with the description \"{description}\".")
                }
                None => format!("Added {title} to your list (task {id})."),
            }
        }
        LIST_TASKS => {
            let status = arguments["status"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .unwrap_or_default();
            match serde_json::from_value::<Vec<ListedTask>>(result.clone()) {
                Ok(tasks) => list_reply(&tasks, status),
                Err(_) => "Sorry, I couldn't read your list just now. Please try again.".to_owned(),
            }
        }
        COMPLETE_TASK => format!("Marked {title} as done."),
        UPDATE_TASK => {
            let id = &result["task_id"];
            if let Some(description) = arguments["description"].as_str() {
                if description.trim().is_empty() {
                    format!("Removed the description of {title}.")
                } else {
                    format!("Set the description of {title} to \"{description}\".")
                }
            } else {
                let old = titles.iter().find(|(known, _)| id.as_i64() == Some(i64::from(*known)));
                match old {
                    Some((_, old)) => format!("Renamed \"{old}\" to {title}."),
                    None => format!("Renamed task {id} to {title}."),
                }
            }
        }
        DELETE_TASK => format!("Deleted {title} (task {}).", result["task_id"]),
        _ => "Done.".to_owned(),
    }
}

fn list_reply(tasks: &[ListedTask], status: StatusFilter) -> String {
    let plural = |n: usize, noun: &str| {
        if n == 1 {
            format!("1 {noun}")
        } else {
            format!("{n} {noun}s")
        }
    };
    let heading = match status {
        _ if tasks.is_empty() => {
            return match status {
                StatusFilter::All => "Your list is empty. Add something with, for example, \"add buy milk\".",
                StatusFilter::Pending => "No open tasks — nice!",
                StatusFilter::Completed => "You haven't completed any tasks yet.",
            }
            .to_owned();
        }
        StatusFilter::All => {
            let done = tasks.iter().filter(|t| t.completed).count();
            format!("Here's your list — {} open, {done} done:", tasks.len() - done)
        }
        StatusFilter::Pending => format!("You have {}:", plural(tasks.len(), "open task")),
        StatusFilter::Completed => format!("You've completed {}:", plural(tasks.len(), "task")),
    };
    let lines: Vec<String> = tasks
        .iter()
        .map(|t| {
            let line = task_line(t.id, &t.title, t.completed);
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

#[cfg(test)]
mod tests;
