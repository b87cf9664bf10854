//! Deleting tasks: "delete 3", "remove buy milk from my list", "scratch 3",
//! "I don't need to buy milk anymore".

use super::kinds::Intent;
use super::phrases::{after, after_any, before_any};
use super::target::{Aim, aim};

pub(super) const ASK_WHICH_TO_DELETE: &str =
    "Which task should I delete? Tell me its number or title, for example \"delete 3\" or \"delete buy milk\".";
pub(super) const NO_BULK_DELETE: &str = "To be safe I delete tasks one by one — tell me their numbers or titles, for \
                                         example \"delete 3\" or \"delete 3 and 4\".";

const FROM_LIST: &[&str] = &[
    "from my list",
    "from the list",
    "from my tasks",
    "from the tasks",
    "from my to-do list",
    "from my todo list",
    "from my to do list",
    "from the to-do list",
    "from my task list",
    "from my todos",
    "from my to-dos",
    "from list",
    "off my list",
    "off the list",
    "off my to-do list",
    "off my todo list",
];

fn delete_target(text: &str) -> Intent {
    match aim(text) {
        Aim::Task(target) => Intent::Delete(target),
        Aim::Vague => Intent::Ask(ASK_WHICH_TO_DELETE),
        Aim::Many => Intent::Ask(NO_BULK_DELETE),
    }
}

pub(super) fn delete(text: &str) -> Option<Intent> {
    const VERBS: &[&str] = &[
        "delete",
        "remove",
        "get rid of",
        "erase",
        "trash",
        "scrap",
        "discard",
        "throw away",
        "throw out",
        "forget about",
        "cancel",
        "ditch",
        "clear",
        "wipe",
        "nuke",
        "kill",
        "axe",
        "toss",
        "bin",
        "purge",
        "dump",
        "scratch",
        "nix",
        "forget",
        "never mind",
        "nevermind",
        "i don't need to",
        "i dont need to",
        "i no longer need to",
        "i don't have to",
        "i dont have to",
        "no need to",
    ];
    if let Some(rest) = after_any(text, VERBS) {
        let rest = before_any(rest, FROM_LIST).unwrap_or(rest);
        let rest = before_any(rest, &["anymore", "any more", "after all"]).unwrap_or(rest);
        return Some(delete_target(rest));
    }
    // "take buy milk off my list"
    let rest = after(text, "take")?;
    Some(delete_target(before_any(rest, FROM_LIST)?))
}
