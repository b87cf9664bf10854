//! Finding the task a person means by words of its title ("mark buy milk as
//! done", "I finished buying milk").
//!
//! A title fits a phrase, best first: the same words; the same key words (no
//! stopwords, stemmed: "buying milk" fits "buy milk"); one's words contain the
//! other's, or one's key words include all the other's; the key words they
//! share, if more than half of the phrase's. Within each, more shared key
//! words fit better. Tasks that fit equally well are all returned, so the
//! caller can ask which one.

use std::collections::BTreeSet;

use crate::agent::tools::ListedTask;

/// How well a title fits a phrase; a greater fit is a better one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Fit {
    tier: u8,
    shared_words: usize,
}

/// Words that say nothing about which task is meant. Sorted, for a binary search.
const STOPWORDS: &[&str] = &[
    "a", "about", "again", "all", "already", "am", "an", "and", "are", "as", "at", "be", "been", "by", "can", "did",
    "do", "does", "done", "for", "from", "had", "has", "have", "i", "in", "is", "it", "its", "just", "list", "me",
    "my", "now", "of", "off", "on", "one", "or", "our", "out", "please", "s", "so", "some", "t", "task", "tasks",
    "that", "the", "this", "to", "todo", "up", "was", "we", "were", "will", "with", "you", "your",
];

/// Past forms a regular rule cannot undo: "I bought milk" means "buy milk".
/// Sorted by the past form, for a binary search.
const IRREGULAR: &[(&str, &str)] = &[
    ("ate", "eat"),
    ("bought", "buy"),
    ("brought", "bring"),
    ("built", "build"),
    ("caught", "catch"),
    ("chose", "choose"),
    ("did", "do"),
    ("done", "do"),
    ("drew", "draw"),
    ("driven", "drive"),
    ("drove", "drive"),
    ("dug", "dig"),
    ("eaten", "eat"),
    ("fed", "feed"),
    ("flew", "fly"),
    ("found", "find"),
    ("gave", "give"),
    ("given", "give"),
    ("gone", "go"),
    ("got", "get"),
    ("gotten", "get"),
    ("hung", "hang"),
    ("kept", "keep"),
    ("left", "leave"),
    ("lent", "lend"),
    ("made", "make"),
    ("met", "meet"),
    ("paid", "pay"),
    ("ran", "run"),
    ("rode", "ride"),
    ("sang", "sing"),
    ("sent", "send"),
    ("sold", "sell"),
    ("spent", "spend"),
    ("swam", "swim"),
    ("swept", "sweep"),
    ("taken", "take"),
    ("taught", "teach"),
    ("threw", "throw"),
    ("told", "tell"),
    ("took", "take"),
    ("went", "go"),
    ("won", "win"),
    ("wore", "wear"),
    ("written", "write"),
    ("wrote", "write"),
];

/// Regular past forms that do not report a finished task ("I wanted…",
/// "interested in…").
const NOT_COMPLETIONS: &[&str] = &[
    "added",
    "annoyed",
    "asked",
    "bored",
    "cancelled",
    "canceled",
    "changed",
    "concerned",
    "confused",
    "created",
    "decided",
    "deleted",
    "delayed",
    "excited",
    "failed",
    "hated",
    "hoped",
    "ignored",
    "interested",
    "liked",
    "listed",
    "loved",
    "married",
    "missed",
    "needed",
    "noticed",
    "overwhelmed",
    "planned",
    "pleased",
    "postponed",
    "removed",
    "renamed",
    "rescheduled",
    "scared",
    "skipped",
    "started",
    "stressed",
    "supposed",
    "surprised",
    "tired",
    "tried",
    "updated",
    "used",
    "wanted",
    "wondered",
    "worried",
];

pub(super) fn irregular_base(word: &str) -> Option<&'static str> {
    let word = word.to_lowercase();
    IRREGULAR
        .binary_search_by_key(&word.as_str(), |(past, _)| past)
        .ok()
        .map(|at| IRREGULAR[at].1)
}

/// The base form of a word that reports something done ("bought" → "buy"),
/// or the word itself for a regular past form ("called"): matching stems it.
pub(super) fn completed_verb(word: &str) -> Option<String> {
    if let Some(base) = irregular_base(word) {
        return Some(base.to_owned());
    }
    let lower = word.to_lowercase();
    let regular = lower.ends_with("ed") && !lower.ends_with("eed") && lower.chars().count() >= 5;
    (regular && lower.chars().all(char::is_alphabetic) && !NOT_COMPLETIONS.contains(&lower.as_str())).then_some(lower)
}

/// Lower-case runs of letters and digits.
pub(super) fn plain_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The words that tell tasks apart, stemmed: "Buying the eggs" → {buy, eg}.
#[cfg(test)]
fn key_words(text: &str) -> BTreeSet<String> {
    keys_of(&plain_words(text))
}

/// [`key_words`] of words already split.
fn keys_of(words: &[String]) -> BTreeSet<String> {
    // Each distinct word is looked up and stemmed once, however often it is said.
    let distinct: BTreeSet<&str> = words.iter().map(String::as_str).collect();
    distinct.into_iter().filter(|w| !is_stopword(w)).map(stem).collect()
}

fn is_stopword(word: &str) -> bool {
    STOPWORDS.binary_search(&word).is_ok()
}

/// Whether `text` has any key word: read only up to the first.
pub(super) fn has_key_words(text: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .any(|w| !is_stopword(&w.to_lowercase()))
}

/// A crude stem, good enough to tell "buying", "buys" and "bought" are "buy".
/// Both sides of a comparison go through it, so only consistency matters:
/// "bake", "baked" and "baking" all become "bak".
pub(super) fn stem(word: &str) -> String {
    let mut stem = irregular_base(word).map_or_else(|| word.to_lowercase(), str::to_owned);
    for suffix in ["ing", "ed", "es", "s"] {
        let keeps_three = stem.chars().count() >= suffix.len() + 3;
        if stem.ends_with(suffix) && keeps_three && !(suffix == "ed" && stem.ends_with("eed")) {
            stem.truncate(stem.len() - suffix.len());
            break;
        }
    }
    if stem.ends_with('e') && stem.chars().count() > 3 {
        stem.pop();
    }
    // "shopping" → "shopp" → "shop"; "call" → "cal" too, consistently.
    let mut last_two = stem.chars().rev().take(2);
    if let (Some(last), Some(before)) = (last_two.next(), last_two.next())
        && last == before
        && last.is_alphabetic()
        && !"aeiou".contains(last)
        && stem.chars().count() > 3
    {
        stem.pop();
    }
    stem
}

/// Whether `part` occurs in `whole` as consecutive words.
fn contains_words(whole: &[String], part: &[String]) -> bool {
    !part.is_empty() && whole.windows(part.len()).any(|window| window == part)
}

/// A text's words as matching compares them, worked out once per text.
struct Words {
    plain: Vec<String>,
    keys: BTreeSet<String>,
}

impl Words {
    fn of(text: &str) -> Self {
        let plain = plain_words(text);
        let keys = keys_of(&plain);
        Self { plain, keys }
    }
}

/// How well `title` fits `phrase`, each split anew.
#[cfg(test)]
fn fit(title: &str, phrase: &str) -> Option<Fit> {
    fit_words(&Words::of(title), &Words::of(phrase))
}

/// [`fit`] on words already split: a long phrase is split once, not once
/// per task it is compared with.
fn fit_words(title: &Words, phrase: &Words) -> Option<Fit> {
    if title.plain.is_empty() || phrase.plain.is_empty() {
        return None;
    }
    if title.plain == phrase.plain {
        return Some(Fit {
            tier: 4,
            shared_words: phrase.plain.len(),
        });
    }
    if phrase.keys.is_empty() {
        return None;
    }
    let shared_words = title.keys.intersection(&phrase.keys).count();
    let keys_within =
        !title.keys.is_empty() && (title.keys.is_subset(&phrase.keys) || phrase.keys.is_subset(&title.keys));
    // A phrase that contains the title's words has its key words too, so
    // scanning a long phrase for the title is needed only for a title of
    // stopwords.
    let contained = || {
        contains_words(&title.plain, &phrase.plain)
            || (title.keys.is_empty() && contains_words(&phrase.plain, &title.plain))
    };
    let tier = if title.keys == phrase.keys {
        3
    } else if keys_within || contained() {
        2
    } else if shared_words * 2 > phrase.keys.len() {
        1
    } else {
        return None;
    };
    Some(Fit { tier, shared_words })
}

/// Tasks with their titles split once, to be compared with several phrases.
pub(super) struct Titles<'a>(Vec<(&'a ListedTask, Words)>);

impl<'a> Titles<'a> {
    pub(super) fn of(tasks: &'a [ListedTask]) -> Self {
        Self(tasks.iter().map(|task| (task, Words::of(&task.title))).collect())
    }

    /// The tasks that fit `phrase` best (several when they fit equally well),
    /// with how well; none when nothing fits.
    pub(super) fn best(&self, phrase: &str) -> (Option<Fit>, Vec<&'a ListedTask>) {
        let phrase = Words::of(phrase);
        let mut best: Option<Fit> = None;
        let mut found = Vec::new();
        for (task, title) in &self.0 {
            let Some(fit) = fit_words(title, &phrase) else {
                continue;
            };
            if best.is_none_or(|b| fit > b) {
                best = Some(fit);
                found.clear();
            }
            if best == Some(fit) {
                found.push(*task);
            }
        }
        (best, found)
    }
}

/// [`Titles::best`] for one phrase.
pub(super) fn best_matches<'a>(tasks: &'a [ListedTask], phrase: &str) -> (Option<Fit>, Vec<&'a ListedTask>) {
    Titles::of(tasks).best(phrase)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::TaskId;

    fn task(id: TaskId, title: &str) -> ListedTask {
        ListedTask {
            id,
            title: title.into(),
            ..ListedTask::default()
        }
    }

    fn ids(found: &[&ListedTask]) -> Vec<TaskId> {
        found.iter().map(|t| t.id).collect()
    }

    #[test]
    fn stems_agree_across_forms_of_a_word() {
        for (a, b) in [
            ("buying", "buy"),
            ("bought", "buys"),
            ("baked", "bake"),
            ("baking", "bakes"),
            ("called", "call"),
            ("calling", "calls"),
            ("shopping", "shop"),
            ("eggs", "egg"),
            ("dishes", "dish"),
            ("watered", "water"),
            ("paid", "pay"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} / {b}");
        }
        assert_ne!(stem("milk"), stem("mail"));
        assert_eq!(stem("bus"), "bus", "too short to lose its s");
        assert_eq!(stem("need"), "need");
    }

    #[test]
    fn word_lists_are_sorted_for_binary_search() {
        assert!(STOPWORDS.is_sorted());
        assert!(IRREGULAR.is_sorted_by_key(|(past, _)| *past));
    }

    #[test]
    fn key_words_drop_stopwords_and_punctuation() {
        let keys: Vec<String> = key_words("Buy the MILK, please!").into_iter().collect();
        assert_eq!(keys, ["buy", "milk"]);
        assert!(key_words("the task to do").is_empty());
    }

    #[test]
    fn completed_verbs_are_past_forms_that_report_something_done() {
        assert_eq!(completed_verb("bought").as_deref(), Some("buy"));
        assert_eq!(completed_verb("Called").as_deref(), Some("called"));
        assert_eq!(completed_verb("wanted"), None);
        assert_eq!(completed_verb("need"), None);
        assert_eq!(completed_verb("milk"), None);
        assert_eq!(completed_verb("bed"), None, "too short for a past form");
    }

    #[test]
    fn an_exact_title_beats_containment_which_beats_overlap() {
        let tasks = [
            task(1, "buy oat milk"),
            task(2, "Buy milk"),
            task(3, "milk the cow"),
            task(4, "call mom"),
        ];
        assert_eq!(ids(&best_matches(&tasks, "buy milk").1), [2]);
        assert_eq!(ids(&best_matches(&tasks, "oat milk").1), [1]);
        assert_eq!(ids(&best_matches(&tasks, "calling my mom tonight").1), [4]);
        // The same key words beat containing them.
        assert_eq!(ids(&best_matches(&tasks, "buying milk").1), [2]);
        // Both contain "milk" and nothing else decides.
        assert_eq!(ids(&best_matches(&tasks, "the milk").1), [1, 2, 3]);
        let exact = fit("buy milk", "Buy milk.");
        let contained = fit("buy oat milk", "buy milk");
        assert!(exact > contained && contained.is_some(), "{exact:?} {contained:?}");
    }

    #[test]
    fn stemming_matches_what_people_say_after_doing_it() {
        let tasks = [task(1, "buy milk"), task(2, "water the plants"), task(3, "bake bread")];
        assert_eq!(ids(&best_matches(&tasks, "buying milk").1), [1]);
        assert_eq!(ids(&best_matches(&tasks, "bought milk").1), [1]);
        assert_eq!(ids(&best_matches(&tasks, "watered the plant").1), [2]);
        assert_eq!(ids(&best_matches(&tasks, "baked some bread").1), [3]);
    }

    #[test]
    fn sharing_one_common_word_out_of_several_is_not_a_match() {
        let tasks = [
            task(1, "buy bread"),
            task(2, "call dad"),
            task(3, "renew passport at city hall"),
        ];
        assert!(best_matches(&tasks, "buy milk").1.is_empty());
        assert!(
            best_matches(&tasks, "the").1.is_empty(),
            "stopwords alone match nothing"
        );
        // Two of three key words is more than half.
        let (fit, found) = best_matches(&tasks, "renew my passport online");
        assert_eq!(ids(&found), [3]);
        assert_eq!(fit.map(|f| f.tier), Some(1));
    }
}
