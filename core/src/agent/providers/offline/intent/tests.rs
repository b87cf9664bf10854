use super::add::ASK_WHAT_TO_ADD;
use super::complete::{ASK_WHICH_TO_COMPLETE, NO_BULK_COMPLETE, NO_REOPEN};
use super::delete::{ASK_WHICH_TO_DELETE, NO_BULK_DELETE};
use super::edit::{ASK_DESCRIPTION, ASK_NEW_TITLE, ASK_WHICH_TO_EDIT, ONE_EDIT_AT_A_TIME};
use super::phrases::{MAX_READINGS, after, after_any, before, cuts_any, leading_quoted, tidy, unquote};
use super::*;
use crate::tasks::{StatusFilter, TaskId};

fn add(title: &str) -> Intent {
    Intent::Add {
        title: title.into(),
        description: None,
    }
}

fn add_with(title: &str, description: &str) -> Intent {
    Intent::Add {
        title: title.into(),
        description: Some(description.into()),
    }
}

fn by_title(title: &str) -> Target {
    Target::Title(title.into())
}

fn by_ids(ids: &[TaskId]) -> Target {
    Target::Ids(ids.to_vec())
}

fn rename(target: Target, title: &str) -> Intent {
    Intent::Edit(vec![Edit {
        target,
        change: Change::Title(title.into()),
    }])
}

fn describe(target: Target, description: &str) -> Intent {
    Intent::Edit(vec![Edit {
        target,
        change: Change::Description(description.into()),
    }])
}

fn check(cases: &[(&str, Intent)]) {
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|(message, expected)| {
            let got = parse(message);
            (got != *expected).then(|| format!("{message:?}: expected {expected:?}, got {got:?}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn adds_take_the_natural_task_text_as_title() {
    check(&[
        ("add a task to buy milk", add("buy milk")),
        ("add buy milk", add("buy milk")),
        ("Add buy milk.", add("buy milk")),
        ("add  buy   milk ", add("buy milk")),
        ("add 'call mom' to my list", add("call mom")),
        ("Could you add 'Call Mom' to the list, please?", add("Call Mom")),
        ("Please add \"buy milk.\"", add("buy milk")),
        ("can you add eggs?", add("eggs")),
        ("add to my list: buy milk", add("buy milk")),
        ("remind me to call mom", add("call mom")),
        ("Remind me that I need to renew my passport", add("renew my passport")),
        ("I need to buy eggs", add("buy eggs")),
        ("I have to call the bank tomorrow", add("call the bank tomorrow")),
        ("Don't forget to pay rent", add("pay rent")),
        ("don\u{2019}t forget to pay rent!", add("pay rent")),
        ("I'd like to buy a bike", add("buy a bike")),
        ("new task: water the plants", add("water the plants")),
        ("new todo - pay rent", add("pay rent")),
        ("todo: call Anna", add("call Anna")),
        ("create a task called Call Mom", add("Call Mom")),
        (
            "Add a new task called \u{201c}Renew passport\u{201d}",
            add("Renew passport"),
        ),
        ("make a task to renew insurance", add("renew insurance")),
        ("put buy milk on my list", add("buy milk")),
        ("set a reminder to call the dentist", add("call the dentist")),
        ("hi, add buy milk please", add("buy milk")),
        ("ADD BUY MILK", add("BUY MILK")),
        ("add buy milk and eggs", add("buy milk and eggs")),
        // Keywords only count as whole words.
        ("add address book cleanup", add("address book cleanup")),
    ]);
}

#[test]
fn a_description_follows_the_title_after_a_colon_dash_with_or_brackets() {
    check(&[
        (
            "add buy milk with description 2 litres",
            add_with("buy milk", "2 litres"),
        ),
        (
            "add a task to buy milk: 2 litres, oat",
            add_with("buy milk", "2 litres, oat"),
        ),
        ("add buy milk - 2 litres", add_with("buy milk", "2 litres")),
        ("add buy milk (2 litres)", add_with("buy milk", "2 litres")),
        (
            "Add task: book flights with note: window seat",
            add_with("book flights", "window seat"),
        ),
        (
            "add buy milk with a note saying 'oat, not soy'",
            add_with("buy milk", "oat, not soy"),
        ),
        (
            "add 'call mom' to my list: ask about Sunday",
            add_with("call mom", "ask about Sunday"),
        ),
        // Quotes keep a colon or dash in the title.
        (
            "add 'meeting: plan Q3' - bring slides",
            add_with("meeting: plan Q3", "bring slides"),
        ),
        // A time is not a description.
        ("add call mom at 10:30", add("call mom at 10:30")),
        ("add pick up 2023-24 tax forms", add("pick up 2023-24 tax forms")),
    ]);
}

#[test]
fn an_add_without_a_title_asks_for_one() {
    check(&[
        ("add", Intent::Ask(ASK_WHAT_TO_ADD)),
        ("add a task", Intent::Ask(ASK_WHAT_TO_ADD)),
        ("create a new task", Intent::Ask(ASK_WHAT_TO_ADD)),
    ]);
}

#[test]
fn list_questions_pick_the_status_they_ask_about() {
    use StatusFilter::{All, Completed, Pending};
    check(&[
        ("what's on my list?", Intent::List(All)),
        ("What\u{2019}s on my to-do list?", Intent::List(All)),
        ("show my tasks", Intent::List(All)),
        ("Can you show me my tasks?", Intent::List(All)),
        ("list tasks", Intent::List(All)),
        ("list all tasks", Intent::List(All)),
        ("list everything", Intent::List(All)),
        ("my tasks", Intent::List(All)),
        ("how many tasks do I have?", Intent::List(All)),
        ("show all tasks including done ones", Intent::List(All)),
        ("I want to see my tasks", Intent::List(All)),
        ("what do I have to do", Intent::List(Pending)),
        ("what is still open?", Intent::List(Pending)),
        ("what's pending", Intent::List(Pending)),
        ("pending", Intent::List(Pending)),
        ("show open tasks", Intent::List(Pending)),
        ("anything left?", Intent::List(Pending)),
        ("what\u{2019}s next?", Intent::List(Pending)),
        ("what have I not done yet?", Intent::List(Pending)),
        ("ok so can you please show me what's left", Intent::List(Pending)),
        ("remind me what's left", Intent::List(Pending)),
        ("what have I done?", Intent::List(Completed)),
        ("show completed tasks", Intent::List(Completed)),
        ("completed tasks", Intent::List(Completed)),
        ("what did I finish?", Intent::List(Completed)),
        ("what have I completed so far", Intent::List(Completed)),
    ]);
}

#[test]
fn completions_by_number_or_title() {
    check(&[
        ("mark 3 done", Intent::Complete(by_ids(&[3]))),
        ("mark task 3 as done", Intent::Complete(by_ids(&[3]))),
        ("Mark #3 complete.", Intent::Complete(by_ids(&[3]))),
        ("mark three done", Intent::Complete(by_ids(&[3]))),
        ("complete 3", Intent::Complete(by_ids(&[3]))),
        ("done with #3", Intent::Complete(by_ids(&[3]))),
        ("check off 3", Intent::Complete(by_ids(&[3]))),
        ("finished 3", Intent::Complete(by_ids(&[3]))),
        ("3 is done", Intent::Complete(by_ids(&[3]))),
        ("task 3 is finished", Intent::Complete(by_ids(&[3]))),
        ("set 3 to done", Intent::Complete(by_ids(&[3]))),
        ("mark 3 and 4 as done", Intent::Complete(by_ids(&[3, 4]))),
        ("please complete tasks 3, 4 & 5", Intent::Complete(by_ids(&[3, 4, 5]))),
        ("mark buy milk as done", Intent::Complete(by_title("buy milk"))),
        ("mark 'buy milk' done", Intent::Complete(by_title("buy milk"))),
        (
            "mark the task called buy milk as done",
            Intent::Complete(by_title("buy milk")),
        ),
        ("tick off buy milk", Intent::Complete(by_title("buy milk"))),
        ("cross off buy milk", Intent::Complete(by_title("buy milk"))),
        ("check buy milk off my list", Intent::Complete(by_title("buy milk"))),
        ("buy milk done", Intent::Complete(by_title("buy milk"))),
        ("I finished buying milk", Intent::Complete(by_title("buying milk"))),
        ("I've done the dishes", Intent::Complete(by_title("the dishes"))),
        // Past forms become the base form the title likely uses.
        ("I bought milk", Intent::Complete(by_title("buy milk"))),
        ("I paid the rent", Intent::Complete(by_title("pay the rent"))),
        ("just called mom", Intent::Complete(by_title("called mom"))),
    ]);
}

#[test]
fn unclear_or_unsupported_completions_ask_instead() {
    check(&[
        ("mark it done", Intent::Ask(ASK_WHICH_TO_COMPLETE)),
        ("complete", Intent::Ask(ASK_WHICH_TO_COMPLETE)),
        ("complete all tasks", Intent::Ask(NO_BULK_COMPLETE)),
        ("mark everything as done", Intent::Ask(NO_BULK_COMPLETE)),
        ("mark 3 as not done", Intent::Ask(NO_REOPEN)),
        ("mark buy milk as open", Intent::Ask(NO_REOPEN)),
    ]);
}

#[test]
fn renames_and_descriptions() {
    check(&[
        ("rename 3 to buy oat milk", rename(by_ids(&[3]), "buy oat milk")),
        ("rename task 3 as call dad", rename(by_ids(&[3]), "call dad")),
        ("change task 3 to X", rename(by_ids(&[3]), "X")),
        ("update 3 to buy bread", rename(by_ids(&[3]), "buy bread")),
        ("change the title of 3 to buy bread", rename(by_ids(&[3]), "buy bread")),
        ("change task 3's title to call dad", rename(by_ids(&[3]), "call dad")),
        (
            "rename buy milk to buy oat milk",
            rename(by_title("buy milk"), "buy oat milk"),
        ),
        (
            "rename 'buy milk' to 'buy oat milk'",
            rename(by_title("buy milk"), "buy oat milk"),
        ),
        // A number wins over other readings of "to".
        ("rename 3 to go to the gym", rename(by_ids(&[3]), "go to the gym")),
        ("set the description of 3 to Y", describe(by_ids(&[3]), "Y")),
        (
            "set task 3's description to 2 litres",
            describe(by_ids(&[3]), "2 litres"),
        ),
        ("describe 3 as Y", describe(by_ids(&[3]), "Y")),
        ("add a note to 3: Y", describe(by_ids(&[3]), "Y")),
        (
            "add a description to buy milk saying 2 litres",
            describe(by_title("buy milk"), "2 litres"),
        ),
        (
            "change buy milk's description to 2 litres",
            describe(by_title("buy milk"), "2 litres"),
        ),
        ("clear the description of 3", describe(by_ids(&[3]), "")),
        ("remove the note from 3", describe(by_ids(&[3]), "")),
    ]);
}

#[test]
fn a_title_containing_to_gives_every_reading_for_the_list_to_settle() {
    assert_eq!(
        parse("rename go to gym to go swimming"),
        Intent::Edit(vec![
            Edit {
                target: by_title("go"),
                change: Change::Title("gym to go swimming".into()),
            },
            Edit {
                target: by_title("go to gym"),
                change: Change::Title("go swimming".into()),
            },
        ])
    );
}

#[test]
fn incomplete_edits_ask_for_what_is_missing() {
    check(&[
        ("rename 3", Intent::Ask(ASK_NEW_TITLE)),
        ("edit 3", Intent::Ask(ASK_NEW_TITLE)),
        ("rename 3 and 4 to x", Intent::Ask(ONE_EDIT_AT_A_TIME)),
        ("add a note to 3", Intent::Ask(ASK_DESCRIPTION)),
        ("rename it to x", Intent::Ask(ASK_WHICH_TO_EDIT)),
    ]);
}

#[test]
fn deletes_by_number_or_title() {
    check(&[
        ("delete task 3", Intent::Delete(by_ids(&[3]))),
        ("remove 3", Intent::Delete(by_ids(&[3]))),
        ("delete #5", Intent::Delete(by_ids(&[5]))),
        ("erase task 5", Intent::Delete(by_ids(&[5]))),
        ("delete tasks 3, 4 and 5", Intent::Delete(by_ids(&[3, 4, 5]))),
        ("delete buy milk", Intent::Delete(by_title("buy milk"))),
        ("get rid of buy milk", Intent::Delete(by_title("buy milk"))),
        ("forget about buy milk", Intent::Delete(by_title("buy milk"))),
        ("remove buy milk from my list", Intent::Delete(by_title("buy milk"))),
        ("take buy milk off my list", Intent::Delete(by_title("buy milk"))),
        ("delete all completed tasks", Intent::Ask(NO_BULK_DELETE)),
        ("clear my list", Intent::Ask(NO_BULK_DELETE)),
        ("delete it", Intent::Ask(ASK_WHICH_TO_DELETE)),
        ("delete", Intent::Ask(ASK_WHICH_TO_DELETE)),
    ]);
}

#[test]
fn small_talk_and_help() {
    check(&[
        ("help", Intent::Help),
        ("Help!", Intent::Help),
        ("what can you do?", Intent::Help),
        ("how do I add a task?", Intent::Help),
        ("who are you?", Intent::Help),
        ("", Intent::Help),
        ("hello!", Intent::Greeting),
        ("hey there", Intent::Greeting),
        ("Good morning", Intent::Greeting),
        ("thanks!", Intent::Thanks),
        ("thank you so much!", Intent::Thanks),
        ("bye", Intent::Goodbye),
        ("ok", Intent::Acknowledgement),
        ("never mind", Intent::Acknowledgement),
    ]);
}

#[test]
fn anything_else_is_not_understood() {
    check(&[
        ("what's the weather?", Intent::Unknown),
        ("tell me a joke", Intent::Unknown),
        ("blah blah", Intent::Unknown),
        ("What's 2+2?", Intent::Unknown),
        ("I wanted to say hi", Intent::Unknown),
        ("make dinner", Intent::Unknown),
        ("update my list", Intent::Unknown),
        ("change the oil", Intent::Unknown),
        ("interested in tasks", Intent::Unknown),
        // Answers to "which one?" pick a task only right after it (see `followup`).
        ("3", Intent::Unknown),
        ("#3", Intent::Unknown),
        ("number 3", Intent::Unknown),
        ("the second one", Intent::Unknown),
        ("last", Intent::Unknown),
        ("the oat one", Intent::Unknown),
        ("yes, 3 please", Intent::Unknown),
    ]);
}

#[test]
fn helpers_match_whole_words_case_insensitively() {
    assert_eq!(after("Add buy milk", "add"), Some("buy milk"));
    assert_eq!(after("address", "add"), None);
    assert_eq!(after("I\u{2019}m done", "i'm"), Some("done"));
    assert_eq!(after("i'm done", "i"), None);
    assert_eq!(before("mark 3 as done", "as done"), Some("mark 3"));
    assert_eq!(before("mark 3 undone", "done"), None);
    assert_eq!(
        after_any("mark off 3", &["mark", "mark off"]),
        Some("3"),
        "the longest prefix wins"
    );
    assert_eq!(
        cuts_any("go to gym to swim", &["to"]),
        [("go", "gym to swim"), ("go to gym", "swim")]
    );
    assert_eq!(unquote(" \u{201c}buy milk\u{201d} "), "buy milk");
    assert_eq!(unquote("'a' and 'b'"), "'a' and 'b'");
    assert_eq!(leading_quoted("'call mom' tomorrow"), Some(("call mom", "tomorrow")));
    assert_eq!(task_numbers("task #3, 4 and five"), Some(vec![3, 4, 5]));
    assert_eq!(task_numbers("3 apples"), None);
    assert_eq!(task_numbers("0"), None);
    assert_eq!(tidy("  add   milk, please!! "), "add milk");
}

#[test]
fn an_edit_has_a_bounded_number_of_readings() {
    // Each "to" is a place the old title may end; a message full of them must
    // not make a reading (and a search of the list) per word.
    let message = format!("rename milk{}", " to".repeat(5000));
    match parse(&message) {
        Intent::Edit(edits) => {
            assert_eq!(edits.len(), MAX_READINGS);
            assert_eq!(edits[0].target, by_title("milk"));
        }
        other => panic!("{other:?}"),
    }
    // Deeply nested wishes are read as one, without recursing per phrase.
    let wishes = format!("{}buy milk", "i want to ".repeat(2000));
    assert_eq!(parse(&wishes), add("buy milk"));
}
