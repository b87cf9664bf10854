//! Answers to the assistant's own "which one do you mean?" question: "3",
//! "#3", "the second one", "last", "buy oat milk", "yes, 3 please".
//!
//! The question's choices and what they are for come back as data (see
//! `choice`), kept in the thread right after the question; the request is then
//! planned again for the chosen task, by number, so it goes through the same
//! tools and gets the same replies.
//!
//! A number is the task's number as the question shows it; one that is not
//! shown but is a place in the list (1 to its length) is that place. "#3" and
//! "task 3" are always a number. "first", "2nd", "the third one" and "last"
//! count in the order shown. An answer that names none of the choices, and is
//! no other request, gets the choices again; that reply is a "which one?"
//! question too, so the next answer still counts.

use chrono::NaiveDateTime;

use super::choice::{Action, PendingChoice};
use super::decision::Decision;
use super::intent::{self, Edit, Intent, Target};
use super::matching;
use super::reply::{SHOWN_TASKS, task_lines};
use crate::agent::provider::ChatMessage;
use crate::agent::tools::ListedTask;
use crate::tasks::TaskId;

/// Opens the question asked again after an answer that named none of the choices.
const NOT_LISTED: &str = "That doesn't match any of them";

/// Words an answer may have around its choice: "yes, that one, 3 please".
const FILLERS: &[&str] = &[
    "choose", "d", "go", "i", "id", "is", "it", "its", "just", "m", "mean", "meant", "no", "nr", "num", "number", "oh",
    "ok", "okay", "one", "pick", "please", "pls", "plz", "s", "so", "sorry", "sure", "task", "thank", "thanks", "that",
    "the", "this", "uh", "um", "want", "with", "yeah", "yep", "yes", "you", "yup",
];

const ORDINALS: &[&str] = &[
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
];

/// What the last user message does when it answers a "which one?" question.
#[derive(Debug)]
pub(super) enum FollowUp {
    /// The request, planned again for the chosen task, which the reply may name.
    Chosen { intent: Intent, task: ListedTask },
    /// It names none of the choices: ask again.
    Unclear(Decision),
}

/// "which one?" for the tasks that match `phrase` equally well.
pub(super) fn which_one(phrase: &str, found: &[&ListedTask], action: Action) -> Decision {
    ask(
        &format!("Several tasks match \"{phrase}\""),
        PendingChoice::new(action, found, SHOWN_TASKS),
    )
}

/// The question that opens with `opening` and shows `pending`'s choices.
fn ask(opening: &str, pending: PendingChoice) -> Decision {
    let shown = pending.choices.iter().map(|t| (t.id, t.title.as_str(), t.completed));
    let lines = task_lines(shown, pending.more);
    let example = pending
        .choices
        .first()
        .map(|t| pending.action.example().replace("{id}", &t.id.to_string()))
        .unwrap_or_default();
    Decision::Ask {
        question: format!(
            "{opening} — which one do you mean?\n{lines}\nTell me its number, for example \"{example}\"."
        ),
        pending,
    }
}

/// How an answer picks a choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pick {
    /// "#3", "task 3": only a number shown.
    Id(TaskId),
    /// "3": a number shown, or else a place in the list.
    Number(TaskId),
    /// "the second one", counting from 1.
    Place(usize),
    Last,
}

fn pick(answer: &str) -> Option<Pick> {
    let words = matching::plain_words(answer);
    let rest: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .filter(|w| !FILLERS.contains(w))
        .collect();
    let [word] = rest.as_slice() else {
        return None;
    };
    if *word == "last" {
        return Some(Pick::Last);
    }
    if let Some(at) = ORDINALS.iter().position(|o| o == word) {
        return Some(Pick::Place(at + 1));
    }
    if let Some(place) = ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|suffix| word.strip_suffix(suffix)?.parse().ok())
    {
        return Some(Pick::Place(place));
    }
    let number = match intent::task_numbers(word)?.as_slice() {
        [number] => *number,
        _ => return None,
    };
    let says_id = answer.contains('#') || words.iter().any(|w| w == "task" || w == "id");
    Some(if says_id {
        Pick::Id(number)
    } else {
        Pick::Number(number)
    })
}

fn resolve(pick: Pick, choices: &[ListedTask]) -> Option<&ListedTask> {
    let place = |n: usize| choices.get(n.checked_sub(1)?);
    let shown = |id: TaskId| choices.iter().find(|t| t.id == id);
    match pick {
        Pick::Id(id) => shown(id),
        Pick::Number(n) => shown(n).or_else(|| place(usize::try_from(n).ok()?)),
        Pick::Place(n) => place(n),
        Pick::Last => choices.last(),
    }
}

/// The choice whose whole title the answer says, with nothing but fillers
/// around it ("yes, buy oat milk please"); the longest such title.
fn by_title<'q>(answer: &str, choices: &'q [ListedTask]) -> Option<&'q ListedTask> {
    let said = matching::plain_words(answer);
    let is_filler = |w: &String| FILLERS.contains(&w.as_str());
    // The words that are no fillers lie between these: a title said with
    // only fillers around it covers them all. Found once, not per window.
    let first = said.iter().position(|w| !is_filler(w)).unwrap_or(said.len());
    let last = said.iter().rposition(|w| !is_filler(w)).map_or(0, |at| at + 1);
    let says = |title: &[String]| {
        !title.is_empty()
            && said
                .windows(title.len())
                .enumerate()
                .any(|(at, window)| at <= first && last <= at + title.len() && window == title)
    };
    choices
        .iter()
        .map(|task| (task, matching::plain_words(&task.title)))
        .filter(|(_, title)| says(title))
        .max_by_key(|(_, title)| title.len())
        .map(|(task, _)| task)
}

/// What the user message at `user_at` does as an answer to a "which one?"
/// question right before it; `None` when there is no such question or the
/// message is another request ("mark 4 done", "never mind").
pub(super) fn follow_up(messages: &[ChatMessage], user_at: usize, now: NaiveDateTime) -> Option<FollowUp> {
    let pending = PendingChoice::read(&messages[user_at.checked_sub(1)?])?;
    let answer = &messages[user_at].content;
    let picked = pick(answer);
    let chosen = match picked {
        Some(pick) => resolve(pick, &pending.choices),
        None => by_title(answer, &pending.choices),
    };
    let chosen = match (chosen, picked) {
        (Some(task), _) => task,
        (None, Some(_)) => return Some(FollowUp::Unclear(ask(NOT_LISTED, pending))),
        // "the oat one": words of just one of the titles, and no other request.
        (None, None) if intent::parse(answer, now) == Intent::Unknown => {
            match matching::best_matches(&pending.choices, answer).1.as_slice() {
                [task] => *task,
                _ => return Some(FollowUp::Unclear(ask(NOT_LISTED, pending))),
            }
        }
        (None, None) => return None,
    }
    .clone();
    let target = Target::Ids(vec![chosen.id]);
    let intent = match pending.action {
        Action::Complete => Intent::Complete(target),
        Action::Delete => Intent::Delete(target),
        Action::Update(change) => Intent::Edit(vec![Edit { target, change }]),
    };
    Some(FollowUp::Chosen { intent, task: chosen })
}
