//! Which family of request a message is, tried in order.

use chrono::NaiveDateTime;

use super::add::{add, add_intent};
use super::complete::{complete, done_statement, not_done_statement, numbered_done, reopen};
use super::dates::{due_statement, reschedule};
use super::delete::delete;
use super::edit::edit;
use super::kinds::Intent;
use super::list::{list, search};
use super::phrases::after_any;
use super::priority::{priority_statement, reprioritize};

pub(super) fn command_intent(text: &str, now: NaiveDateTime) -> Option<Intent> {
    // Edits first: "add a note to 3: …" is not an add, "remove the description
    // of 3" not a delete, "remind me about 3 at 5pm" not a new task, "mark 3
    // as urgent" not a completion. Lists before statements: "what have I
    // done" is a question, "buy milk done" a statement, "what is due today" a
    // question, "pay rent is due friday" a statement.
    reschedule(text, now)
        .or_else(|| reprioritize(text))
        .or_else(|| reopen(text))
        .or_else(|| edit(text))
        .or_else(|| complete(text))
        .or_else(|| delete(text))
        .or_else(|| search(text))
        .or_else(|| add(text, now))
        .or_else(|| numbered_done(text))
        .or_else(|| list(text))
        .or_else(|| due_statement(text, now))
        .or_else(|| priority_statement(text))
        .or_else(|| not_done_statement(text))
        .or_else(|| wish(text, now))
        .or_else(|| done_statement(text))
}

/// "I need to buy eggs", "don't forget to call mom", "I'd like to see my list".
fn wish(text: &str, now: NaiveDateTime) -> Option<Intent> {
    const WANTS: &[&str] = &["i want to", "i'd like to", "i would like to", "id like to", "i wanna"];
    if let Some(mut rest) = after_any(text, WANTS) {
        // "I want to I want to …" wants what the last one does: read it once
        // rather than once per repetition.
        while let Some(inner) = after_any(rest, WANTS) {
            rest = inner;
        }
        return command_intent(rest, now).or_else(|| Some(add_intent(rest, now, false)));
    }
    const NEEDS: &[&str] = &[
        "i need to",
        "i have to",
        "i've got to",
        "i got to",
        "i gotta",
        "i must",
        "i should",
        "i ought to",
        "need to",
        "have to",
        "gotta",
        "don't forget to",
        "dont forget to",
        "do not forget to",
        "don't let me forget to",
        "remember to",
        "i must remember to",
        "i need to remember to",
        "i mustn't forget to",
        "reminder to",
    ];
    let rest = after_any(text, NEEDS)?;
    // "I need to add milk to my list" is a command.
    if after_any(rest, &["add", "create"]).is_some() {
        return command_intent(rest, now);
    }
    Some(add_intent(rest, now, false))
}
