//! Marking tasks done: "mark 3 done", "check off buy milk", "I bought milk";
//! and not done again: "reopen buy milk", "mark 3 as not done".

use super::kinds::{Change, Edit, Intent, Target};
use super::phrases::{after, after_any, before_any};
use super::target::{Aim, aim, mentions_all, task_numbers};
use crate::agent::providers::offline::matching;

pub(crate) const ASK_WHICH_TO_COMPLETE: &str = "Which task should I mark as done? Tell me its number or title, for \
                                                example \"mark 3 done\" or \"mark buy milk as done\".";
pub(super) const NO_BULK_COMPLETE: &str =
    "I mark tasks done one by one — tell me their numbers or titles, for example \"mark 3 and 4 done\".";
pub(crate) const ASK_WHICH_TO_REOPEN: &str = "Which task should I reopen? Tell me its number or title, for example \
                                              \"reopen 3\" or \"reopen buy milk\".";
pub(super) const NO_BULK_REOPEN: &str =
    "I reopen tasks one by one — tell me their numbers or titles, for example \"reopen 3 and 4\".";

const DONE: &[&str] = &[
    "as done",
    "done",
    "as complete",
    "complete",
    "as completed",
    "completed",
    "as finished",
    "finished",
    "as checked",
    "checked",
    "as checked off",
    "checked off",
    "off",
];

const NOT_DONE: &[&str] = &[
    "as not done",
    "not done",
    "as undone",
    "undone",
    "as incomplete",
    "incomplete",
    "as not completed",
    "not completed",
    "as unfinished",
    "unfinished",
    "as open",
    "open",
    "as pending",
    "pending",
    "as todo",
    "as to do",
    "as to-do",
];

pub(super) fn complete_target(text: &str, text_for_all: &str) -> Option<Intent> {
    match aim(text) {
        Aim::Task(target) => Some(Intent::Complete(target)),
        Aim::Vague => Some(Intent::Ask(ASK_WHICH_TO_COMPLETE)),
        Aim::Many if mentions_all(text_for_all) => Some(Intent::Ask(NO_BULK_COMPLETE)),
        // "completed tasks" asks for a list.
        Aim::Many => None,
    }
}

fn reopen_target(text: &str) -> Intent {
    match aim(text) {
        Aim::Task(target) => Intent::Edit(vec![Edit {
            target,
            change: Change::Reopen,
        }]),
        Aim::Vague => Intent::Ask(ASK_WHICH_TO_REOPEN),
        Aim::Many => Intent::Ask(NO_BULK_REOPEN),
    }
}

/// "reopen buy milk", "uncheck 3"; "mark 3 as not done" is read by [`complete`].
pub(super) fn reopen(text: &str) -> Option<Intent> {
    const VERBS: &[&str] = &[
        "reopen",
        "re-open",
        "open again",
        "uncheck",
        "untick",
        "unmark",
        "uncomplete",
    ];
    if let Some(rest) = after_any(text, VERBS) {
        let which = before_any(rest, &["again", "as not done"]).unwrap_or(rest);
        return Some(reopen_target(which));
    }
    None
}

/// "buy milk isn't done": a statement, so read after the questions ("what is not done yet?").
pub(super) fn not_done_statement(text: &str) -> Option<Intent> {
    const ENDINGS: &[&str] = &[
        "is not done",
        "isn't done",
        "is not done yet",
        "isn't done yet",
        "is not finished",
        "isn't finished",
        "is not complete",
        "isn't complete",
        "is undone",
        "needs doing again",
        "needs to be done again",
    ];
    let which = before_any(text, ENDINGS).filter(|which| !which.is_empty())?;
    Some(reopen_target(which))
}

pub(super) fn complete(text: &str) -> Option<Intent> {
    // "mark 3 done", "mark buy milk as complete", "mark off 3", "set 3 as done"
    for verb in ["mark", "set", "flag"] {
        let Some(rest) = after(text, verb) else {
            continue;
        };
        if let Some(which) = before_any(rest, NOT_DONE).or_else(|| after_any(rest, NOT_DONE)) {
            return Some(reopen_target(which));
        }
        if let Some(which) = before_any(rest, DONE) {
            return complete_target(which, text);
        }
        if let Some(which) = after_any(rest, DONE) {
            return complete_target(which, text);
        }
        if verb == "mark" {
            return complete_target(rest, text);
        }
    }
    const VERBS: &[&str] = &[
        "check off",
        "tick off",
        "cross off",
        "cross out",
        "strike off",
        "strike out",
        "complete",
        "completed",
        "finish",
        "finished",
        "done with",
        "finished with",
        "i'm done with",
        "im done with",
        "i am done with",
        "i'm finished with",
        "i'm through with",
        "i finished",
        "i've finished",
        "i have finished",
        "i just finished",
        "i completed",
        "i've completed",
        "i have completed",
        "i just completed",
        "i did",
        "i've done",
        "i have done",
        "i just did",
        "knock out",
        "knock off",
        "knocked out",
        "i knocked out",
        "wrap up",
        "wrapped up",
        "i wrapped up",
        "got done",
        "i got done",
        "accomplished",
        "i accomplished",
        "nailed",
        "i nailed",
        "took care of",
        "i took care of",
        "i've taken care of",
        "i have taken care of",
        "handled",
        "i handled",
        "i sorted out",
        "sorted out",
        "i dealt with",
        "dealt with",
        "tick",
        "ticked",
    ];
    if let Some(rest) = after_any(text, VERBS) {
        let which = before_any(rest, DONE).unwrap_or(rest);
        return complete_target(which, text);
    }
    // "check 3 off", "tick buy milk off my list"
    for verb in ["check", "tick", "cross"] {
        if let Some(which) =
            after(text, verb).and_then(|rest| before_any(rest, &["off", "off my list", "off the list"]))
        {
            return complete_target(which, text);
        }
    }
    None
}

const STATEMENT_ENDINGS: &[&str] = &[
    "is done",
    "is all done",
    "is taken care of",
    "is sorted",
    "is sorted out",
    "is handled",
    "is dealt with",
    "is out of the way",
    "has been done",
    "has been completed",
    "was done",
    "got done",
    "are finished",
    "are all done",
    "is finished",
    "is complete",
    "is completed",
    "is checked off",
    "is ticked off",
    "are done",
    "done",
    "finished",
    "completed",
    "checked off",
    "ticked off",
    "\u{2713}",
    "\u{2714}",
];

/// "task 3 is finished": a statement, though it reads like "task … finished?".
pub(super) fn numbered_done(text: &str) -> Option<Intent> {
    let numbers = task_numbers(before_any(text, STATEMENT_ENDINGS)?)?;
    Some(Intent::Complete(Target::Ids(numbers)))
}

/// "buy milk is done", "done: buy milk", "I bought milk", "just called mom".
pub(super) fn done_statement(text: &str) -> Option<Intent> {
    if let Some(which) = before_any(text, STATEMENT_ENDINGS).filter(|w| !w.is_empty()) {
        return complete_target(which, text);
    }
    if let Some(which) = after_any(text, &["done:", "done -", "done"]).filter(|w| !w.is_empty()) {
        return complete_target(which, text);
    }
    const SUBJECTS: &[&str] = &[
        "i",
        "i've",
        "i have",
        "i just",
        "i've just",
        "i have just",
        "i already",
        "i've already",
        "i finally",
        "just",
        "already",
        "finally",
    ];
    let rest = after_any(text, SUBJECTS).unwrap_or(text);
    let (verb, object) = rest.split_once(' ')?;
    let base = matching::completed_verb(verb)?;
    complete_target(&format!("{base} {object}"), text)
}
