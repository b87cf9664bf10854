//! Renaming tasks and changing their descriptions: "rename 3 to …", "describe 3 as …".

use super::complete::complete_target;
use super::kinds::{Change, Edit, Intent, Target};
use super::phrases::{SET_A_REMINDER, after, after_any, before_any, cuts_any, opens_new_task, unquote};
use super::target::{Aim, aim, task_numbers};

pub(crate) const ASK_WHICH_TO_EDIT: &str =
    "Which task do you mean? Tell me its number or title, for example \"rename 3 to buy oat milk\".";
pub(super) const ASK_NEW_TITLE: &str = "What should the new title be? For example: \"rename 3 to buy oat milk\".";
pub(super) const ASK_DESCRIPTION: &str =
    "What should the description say? For example: \"add a note to 3: 2 litres\" or \"describe 3 as 2 litres\".";
pub(super) const ONE_EDIT_AT_A_TIME: &str = "I change one task at a time — for example \"rename 3 to buy oat milk\".";

const DESCRIPTION_NOUNS: &[&str] = &["description", "note", "notes", "details", "comment"];

fn is_done_word(text: &str) -> bool {
    matches!(
        unquote(text).to_lowercase().as_str(),
        "done" | "complete" | "completed" | "finished" | "checked off"
    )
}

pub(super) fn edit_intent(readings: Vec<(&str, Change)>) -> Option<Intent> {
    let mut edits = Vec::new();
    for (which, change) in readings {
        match aim(which) {
            Aim::Task(Target::Ids(ids)) if ids.len() > 1 => return Some(Intent::Ask(ONE_EDIT_AT_A_TIME)),
            Aim::Task(target) => edits.push(Edit { target, change }),
            Aim::Vague | Aim::Many => {}
        }
    }
    // A reading by number wins: "rename 3 to go to the gym" is about task 3.
    if let Some(at) = edits.iter().position(|e| matches!(e.target, Target::Ids(_))) {
        let by_number = edits.swap_remove(at);
        return Some(Intent::Edit(vec![by_number]));
    }
    Some(if edits.is_empty() {
        Intent::Ask(ASK_WHICH_TO_EDIT)
    } else {
        Intent::Edit(edits)
    })
}

fn new_description(text: &str) -> Change {
    let text = after_any(text, &["saying", "that says", "which says"]).unwrap_or(text);
    Change::Description(unquote(text).to_owned())
}

/// Readings of "X to Y" (or "X: Y") as a change of X's description.
fn description_readings<'a>(text: &'a str, separators: &[&str]) -> Vec<(&'a str, Change)> {
    cuts_any(text, separators)
        .into_iter()
        .map(|(which, what)| (which, new_description(what)))
        .collect()
}

pub(super) fn edit(text: &str) -> Option<Intent> {
    // "clear the description of 3", "remove the note from buy milk"
    for verb in ["clear", "remove", "delete", "erase", "drop", "empty"] {
        let Some(rest) = after(text, verb) else {
            continue;
        };
        let rest = after(rest, "the").unwrap_or(rest);
        if let Some(which) =
            after_any(rest, DESCRIPTION_NOUNS).and_then(|r| after_any(r, &["of", "from", "on", "for", "in"]))
        {
            return edit_intent(vec![(which, Change::Description(String::new()))]);
        }
    }
    // "add a note to 3: 2 litres", "put a description on buy milk saying 2 litres"
    if let Some(rest) = after_any(text, &["add", "put", "attach", "write", "leave", "give"]) {
        let rest = after_any(rest, &["a", "an", "the", "some"]).unwrap_or(rest);
        if let Some(rest) = after_any(rest, DESCRIPTION_NOUNS).and_then(|r| after_any(r, &["to", "on", "for", "in"])) {
            let readings = description_readings(rest, &[": ", "saying", "that says", "which says", " - "]);
            return if readings.is_empty() {
                Some(Intent::Ask(ASK_DESCRIPTION))
            } else {
                edit_intent(readings)
            };
        }
    }
    // "describe 3 as 2 litres"
    if let Some(rest) = after(text, "describe") {
        let readings = description_readings(rest, &["as", ": "]);
        return if readings.is_empty() {
            Some(Intent::Ask(ASK_DESCRIPTION))
        } else {
            edit_intent(readings)
        };
    }
    if after_any(text, SET_A_REMINDER).is_some() {
        return None;
    }
    // "make 3 say buy oat milk"
    if let Some(rest) = after(text, "make").filter(|rest| !opens_new_task(rest)) {
        let readings: Vec<_> = cuts_any(rest, &["say", "read"])
            .into_iter()
            .map(|(which, what)| (which, Change::Title(unquote(what).to_owned())))
            .collect();
        if !readings.is_empty() {
            return edit_intent(readings);
        }
    }
    const VERBS: &[&str] = &["rename", "retitle", "change", "update", "edit", "modify", "set"];
    let verb = VERBS.iter().find(|v| after(text, v).is_some())?;
    let rest = after(text, verb)?;
    let rest_after_the = after(rest, "the").unwrap_or(rest);
    // "set the description of 3 to 2 litres"
    if let Some(rest) =
        after_any(rest_after_the, DESCRIPTION_NOUNS).and_then(|r| after_any(r, &["of", "for", "on", "in"]))
    {
        let readings = description_readings(rest, &["to", ": "]);
        return if readings.is_empty() {
            Some(Intent::Ask(ASK_DESCRIPTION))
        } else {
            edit_intent(readings)
        };
    }
    // "change the title of 3 to …": what remains reads like "rename 3 to …".
    let rest = after_any(rest_after_the, &["title of", "name of", "title for", "name for"]).unwrap_or(rest);
    let renames = matches!(*verb, "rename" | "retitle");
    let separators: &[&str] = if renames {
        &["to", "into", "as"]
    } else {
        &["to", "into"]
    };
    let mut readings = Vec::new();
    for (which, what) in cuts_any(rest, separators) {
        if is_done_word(what) {
            return complete_target(which, text);
        }
        let description_of = before_any(
            which,
            &[
                "'s description",
                "description",
                "'s note",
                "note",
                "'s notes",
                "notes",
                "'s details",
                "details",
            ],
        );
        match description_of {
            // "change buy milk's description to 2 litres"
            Some(which) => readings.push((which, new_description(what))),
            None => {
                let which = before_any(which, &["'s title", "title", "'s name", "name"]).unwrap_or(which);
                readings.push((which, Change::Title(unquote(what).to_owned())));
            }
        }
    }
    if !readings.is_empty() {
        return edit_intent(readings);
    }
    // "rename 3", "edit task 3": clearly an edit, with nothing to change to.
    if renames {
        return Some(match aim(rest) {
            Aim::Task(_) => Intent::Ask(ASK_NEW_TITLE),
            Aim::Vague | Aim::Many => Intent::Ask(ASK_WHICH_TO_EDIT),
        });
    }
    task_numbers(rest).map(|_| Intent::Ask(ASK_NEW_TITLE))
}
