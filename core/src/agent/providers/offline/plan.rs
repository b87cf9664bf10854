//! Deciding the next move: the first round of tool calls a request needs,
//! the change once a lookup shows which task a title means, then the reply.

use chrono::NaiveDateTime;
use serde_json::{Value, json};

use super::choice::{Action, PendingChoice};
use super::conversation::{CallMaker, Exchange, rounds};
use super::decision::Decision;
use super::followup::{self, FollowUp};
use super::intent::{self, Change, Edit, Intent, ListQuery, MAX_TASKS_PER_REQUEST, NewTask, Target};
use super::matching;
use super::reply::{
    ACKNOWLEDGEMENT, GOODBYE, GREETING, HELP, NO_RESULT, THANKS, UNKNOWN, not_found, report, report_one,
};
use crate::agent::provider::{ChatMessage, Role};
use crate::agent::tools::{ADD_TASK, COMPLETE_TASK, DELETE_TASK, LIST_TASKS, ListedTask, UPDATE_TASK};
use crate::tasks::{StatusFilter, TaskId};

/// Tool rounds per user message: at most a lookup, then the change.
pub const MAX_TOOL_ROUNDS: usize = 2;

pub(super) fn too_many_tasks() -> String {
    format!(
        "That's a lot of tasks at once — I change up to {MAX_TASKS_PER_REQUEST} in one message. Please name fewer, \
         for example \"mark 3 and 4 done\"."
    )
}

/// Decides the next move from the last user message and the tool calls and
/// results that follow it; `now` is local wall time, which dates are read against.
pub fn plan(messages: &[ChatMessage], now: NaiveDateTime) -> Decision {
    let Some(user_at) = messages
        .iter()
        .rposition(|m| m.role == Role::User && PendingChoice::read(m).is_none())
    else {
        return Decision::Reply(GREETING.to_owned());
    };
    // The task chosen in answer to "which one?", whose title the reply may name.
    let (intent, chosen) = match followup::follow_up(messages, user_at, now) {
        Some(FollowUp::Chosen { intent, task }) => (intent, vec![task]),
        Some(FollowUp::Unclear(again)) => {
            tracing::debug!("offline assistant asked again which task");
            return again;
        }
        None => (intent::parse(&messages[user_at].content, now), Vec::new()),
    };
    let rounds = rounds(&messages[user_at + 1..]);
    let mut calls = CallMaker::new(messages);
    let decision = decide(&intent, &rounds, &chosen, &mut calls, now);
    tracing::debug!(
        intent = intent.kind(),
        follow_up = !chosen.is_empty(),
        rounds = rounds.len(),
        tool_calls = match &decision {
            Decision::CallTools(calls) => calls.len(),
            Decision::Reply(_) | Decision::Ask { .. } => 0,
        },
        "offline assistant decided"
    );
    decision
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
        Change::Due(due) => json!({"task_id": id, "due": due}),
        Change::Remind { at, .. } => json!({"task_id": id, "remind_at": at}),
        Change::NoReminder => json!({"task_id": id, "remind_at": null}),
        Change::Priority(priority) => json!({"task_id": id, "priority": priority}),
        Change::Reopen => json!({"task_id": id, "completed": false}),
    }
}

fn add_arguments(task: &NewTask) -> Value {
    let mut arguments = json!({"title": task.title});
    if let Some(description) = &task.description {
        arguments["description"] = json!(description);
    }
    if let Some(due) = task.due {
        arguments["due"] = json!(due.iso());
        if task.remind {
            arguments["remind_at"] = json!(intent::reminder(due));
        }
    }
    if let Some(priority) = task.priority {
        arguments["priority"] = json!(priority);
    }
    arguments
}

fn list_arguments(query: &ListQuery) -> Value {
    let mut arguments = json!({"status": status_name(query.status)});
    if let Some(due) = query.due {
        arguments["due"] = json!(due);
    }
    if let Some(priority) = query.priority {
        arguments["priority"] = json!(priority);
    }
    if let Some(words) = &query.words {
        arguments["query"] = json!(words);
    }
    arguments
}

/// The tasks a request by title may mean: only open ones can be completed,
/// only finished ones reopened.
fn candidates(intent: &Intent) -> StatusFilter {
    match intent {
        Intent::Complete(_) => StatusFilter::Pending,
        Intent::Edit(edits) if edits.first().is_some_and(|e| e.change == Change::Reopen) => StatusFilter::Completed,
        _ => StatusFilter::All,
    }
}

/// At most [`MAX_TOOL_ROUNDS`] by construction: a first round, a second only
/// after a lookup, then always a reply. `known` are tasks the reply may name
/// by their title before this turn.
fn decide(
    intent: &Intent,
    rounds: &[Vec<Exchange<'_>>],
    known: &[ListedTask],
    calls: &mut CallMaker,
    now: NaiveDateTime,
) -> Decision {
    match rounds {
        [] => first_round(intent, calls),
        [lookup] if needs_lookup(intent) && is_listing(lookup) => settle(intent, &lookup[0], calls, now),
        _ => Decision::Reply(report(rounds, known, now)),
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

fn first_round(intent: &Intent, calls: &mut CallMaker) -> Decision {
    let each = |calls: &mut CallMaker, tool: &str, ids: &[TaskId]| {
        if ids.len() > MAX_TASKS_PER_REQUEST {
            return Decision::Reply(too_many_tasks());
        }
        Decision::CallTools(ids.iter().map(|id| calls.call(tool, json!({"task_id": id}))).collect())
    };
    let lookup = |calls: &mut CallMaker| {
        let status = status_name(candidates(intent));
        Decision::CallTools(vec![calls.call(LIST_TASKS, json!({"status": status}))])
    };
    match intent {
        Intent::Add(tasks) if tasks.len() > MAX_TASKS_PER_REQUEST => Decision::Reply(too_many_tasks()),
        Intent::Add(tasks) => Decision::CallTools(
            tasks
                .iter()
                .map(|task| calls.call(ADD_TASK, add_arguments(task)))
                .collect(),
        ),
        Intent::List(query) => Decision::CallTools(vec![calls.call(LIST_TASKS, list_arguments(query))]),
        Intent::Complete(Target::Ids(ids)) => each(calls, COMPLETE_TASK, ids),
        Intent::Complete(Target::Title(_)) | Intent::Delete(Target::Title(_)) => lookup(calls),
        Intent::Delete(Target::Ids(ids)) => each(calls, DELETE_TASK, ids),
        Intent::Edit(edits) => match edits.first() {
            Some(Edit {
                target: Target::Ids(ids),
                change,
            }) => Decision::CallTools(
                ids.iter()
                    .map(|id| calls.call(UPDATE_TASK, update_arguments(*id, change)))
                    .collect(),
            ),
            Some(_) => lookup(calls),
            None => Decision::Reply(intent::ASK_WHICH_TO_EDIT.to_owned()),
        },
        Intent::Help => Decision::Reply(HELP.to_owned()),
        Intent::Greeting => Decision::Reply(GREETING.to_owned()),
        Intent::Thanks => Decision::Reply(THANKS.to_owned()),
        Intent::Goodbye => Decision::Reply(GOODBYE.to_owned()),
        Intent::Acknowledgement => Decision::Reply(ACKNOWLEDGEMENT.to_owned()),
        Intent::Ask(reply) => Decision::Reply((*reply).to_owned()),
        Intent::Unknown => Decision::Reply(UNKNOWN.to_owned()),
    }
}

/// Acts on the task the listing shows the person meant, or says why not.
fn settle(intent: &Intent, listing: &Exchange<'_>, calls: &mut CallMaker, now: NaiveDateTime) -> Decision {
    let tasks: Vec<ListedTask> = match &listing.result {
        Some(result) if result.get("error").is_some() => {
            return Decision::Reply(report_one(listing, &[], true, now));
        }
        Some(result) => match serde_json::from_value(result.clone()) {
            Ok(tasks) => tasks,
            Err(err) => {
                tracing::warn!(error = %err, "offline assistant could not read a task list");
                return Decision::Reply("Sorry, I couldn't read your list just now. Please try again.".to_owned());
            }
        },
        None => return Decision::Reply(NO_RESULT.to_owned()),
    };
    let readings = readings(intent);
    // The reading whose task fits best; on a tie, the earlier one.
    let titles = matching::Titles::of(&tasks);
    let mut best: Option<(matching::Fit, &str, &Action, Vec<&ListedTask>)> = None;
    for (phrase, action) in &readings {
        if let (Some(fit), found) = titles.best(phrase)
            && best.as_ref().is_none_or(|(best_fit, ..)| fit > *best_fit)
        {
            best = Some((fit, phrase, action, found));
        }
    }
    let Some((_, phrase, action, found)) = best else {
        return match readings.first() {
            // "remind me about the dentist tomorrow" with no such task: add it.
            Some((phrase, Action::Update(Change::Remind { at, due }))) => Decision::CallTools(vec![
                calls.call(ADD_TASK, json!({"title": phrase, "due": due, "remind_at": at})),
            ]),
            first => {
                let phrase = first.map_or("", |(phrase, _)| phrase);
                Decision::Reply(not_found(phrase, &tasks, candidates(intent)))
            }
        };
    };
    match (found.as_slice(), action) {
        ([task], Action::Complete) => Decision::CallTools(vec![calls.call(COMPLETE_TASK, json!({"task_id": task.id}))]),
        ([task], Action::Delete) => Decision::CallTools(vec![calls.call(DELETE_TASK, json!({"task_id": task.id}))]),
        ([task], Action::Update(change)) => {
            Decision::CallTools(vec![calls.call(UPDATE_TASK, update_arguments(task.id, change))])
        }
        (several, action) => followup::which_one(phrase, several, action.clone()),
    }
}

/// The titles a request names a task by, each with what to do to that task.
fn readings(intent: &Intent) -> Vec<(&str, Action)> {
    match intent {
        Intent::Complete(Target::Title(phrase)) => vec![(phrase, Action::Complete)],
        Intent::Delete(Target::Title(phrase)) => vec![(phrase, Action::Delete)],
        Intent::Edit(edits) => edits
            .iter()
            .filter_map(|edit| match &edit.target {
                Target::Title(phrase) => Some((phrase.as_str(), Action::Update(edit.change.clone()))),
                Target::Ids(_) => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}
