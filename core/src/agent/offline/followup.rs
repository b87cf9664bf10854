//! Answers to the assistant's own "which one do you mean?" question: "3",
//! "#3", "the second one", "last", "buy oat milk", "yes, 3 please".
//!
//! Stateless like the rest of the assistant: the question is read back from
//! the assistant message right before the answer, and the request that led to
//! it from the user message before the question. That request is then planned
//! again for the chosen task, by number, so it goes through the same tools and
//! gets the same replies.
//!
//! A number is the task's number as the question shows it; one that is not
//! shown but is a place in the list (1 to its length) is that place. "#3" and
//! "task 3" are always a number. "first", "2nd", "the third one" and "last"
//! count in the order shown. An answer that names none of the choices, and is
//! no other request, gets the choices again; that reply is a "which one?"
//! question too, so the next answer still counts.

use super::intent::{self, Edit, Intent, Target};
use super::matching;
use super::{Action, MORE, needs_lookup, readings, some_task_lines, task_lines};
use crate::agent::provider::{ChatMessage, Role};
use crate::agent::tools::ListedTask;
use crate::tasks::TaskId;

const SEVERAL_MATCH: &str = "Several tasks match \"";
const WHICH_ONE: &str = " — which one do you mean?";
const NOT_LISTED: &str = "That doesn't match any of them";
const HOW_TO_ANSWER: &str = "Tell me its number, for example \"";

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
    /// It names none of the choices: ask again with this.
    Unclear(String),
}

/// "which one?" for the tasks that match `phrase` equally well.
pub(super) fn which_one(phrase: &str, found: &[&ListedTask], action: &Action<'_>) -> String {
    let lines = some_task_lines(found.iter().map(|t| (t.id, t.title.as_str(), t.completed)));
    ask(
        &format!("{SEVERAL_MATCH}{phrase}\""),
        &lines,
        found.first().map(|t| t.id),
        action,
    )
}

fn ask(opening: &str, lines: &str, example_id: Option<TaskId>, action: &Action<'_>) -> String {
    let example = example_id
        .map(|id| action.example().replace("{id}", &id.to_string()))
        .unwrap_or_default();
    format!("{opening}{WHICH_ONE}\n{lines}\n{HOW_TO_ANSWER}{example}\".")
}

/// A "which one?" question as the assistant wrote it.
#[derive(Debug, PartialEq, Eq)]
struct Question {
    /// The words that matched several tasks; not repeated when asking again.
    phrase: Option<String>,
    /// The tasks shown, in order.
    choices: Vec<ListedTask>,
    /// How many more matched than were shown.
    more: usize,
}

impl Question {
    fn read(message: &ChatMessage) -> Option<Self> {
        if message.role != Role::Assistant {
            return None;
        }
        let mut lines = message.content.lines();
        let opening = lines.next()?.strip_suffix(WHICH_ONE)?;
        let phrase = match opening.strip_prefix(SEVERAL_MATCH).and_then(|p| p.strip_suffix('"')) {
            Some(phrase) => Some(phrase.to_owned()),
            None if opening == NOT_LISTED => None,
            None => return None,
        };
        let (mut choices, mut more) = (Vec::new(), 0);
        for line in lines.take_while(|line| !line.starts_with(HOW_TO_ANSWER)) {
            match line.strip_prefix(MORE.0).and_then(|l| l.strip_suffix(MORE.1)) {
                Some(count) => more = count.parse().ok()?,
                None => choices.push(read_task_line(line)?),
            }
        }
        (!choices.is_empty()).then_some(Self { phrase, choices, more })
    }

    /// The same choices again, after an answer that named none of them.
    fn again(&self, action: &Action<'_>) -> String {
        let shown = self.choices.iter().map(|t| (t.id, t.title.as_str(), t.completed));
        let lines = task_lines(shown, self.more);
        ask(NOT_LISTED, &lines, self.choices.first().map(|t| t.id), action)
    }
}

/// A line as [`task_line`](super::task_line) writes it: "3. buy milk", "2. ✓ water the plants".
fn read_task_line(line: &str) -> Option<ListedTask> {
    let (id, title) = line.split_once(". ")?;
    let id: TaskId = id.parse().ok()?;
    let (title, completed) = match title.strip_prefix("✓ ") {
        Some(title) => (title, true),
        None => (title, false),
    };
    Some(ListedTask {
        id,
        title: title.to_owned(),
        description: None,
        completed,
    })
}

/// The request waiting for an answer to the question right before the user
/// message at `answer_at`, and that question. Through any questions asked
/// again in between.
fn pending(messages: &[ChatMessage], answer_at: usize) -> Option<(Intent, Question)> {
    let mut at = answer_at;
    loop {
        let question = Question::read(&messages[at.checked_sub(1)?])?;
        let asker = messages[..at - 1].iter().rposition(|m| m.role == Role::User)?;
        let intent = intent::parse(&messages[asker].content);
        if needs_lookup(&intent) {
            return Some((intent, question));
        }
        at = asker;
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
pub(super) fn follow_up(messages: &[ChatMessage], user_at: usize) -> Option<FollowUp> {
    let (intent, question) = pending(messages, user_at)?;
    let all = readings(&intent);
    let (_, action) = all
        .iter()
        .find(|(phrase, _)| question.phrase.as_deref() == Some(*phrase))
        .or(all.first())?;
    let answer = &messages[user_at].content;
    let picked = pick(answer);
    let chosen = match picked {
        Some(pick) => resolve(pick, &question.choices),
        None => by_title(answer, &question.choices),
    };
    let chosen = match (chosen, picked) {
        (Some(task), _) => task,
        (None, Some(_)) => return Some(FollowUp::Unclear(question.again(action))),
        // "the oat one": words of just one of the titles, and no other request.
        (None, None) if intent::parse(answer) == Intent::Unknown => {
            match matching::best_matches(&question.choices, answer).1.as_slice() {
                [task] => *task,
                _ => return Some(FollowUp::Unclear(question.again(action))),
            }
        }
        (None, None) => return None,
    };
    let target = Target::Ids(vec![chosen.id]);
    let intent = match action {
        Action::Complete => Intent::Complete(target),
        Action::Delete => Intent::Delete(target),
        Action::Update(change) => Intent::Edit(vec![Edit {
            target,
            change: (*change).clone(),
        }]),
    };
    Some(FollowUp::Chosen {
        intent,
        task: chosen.clone(),
    })
}
