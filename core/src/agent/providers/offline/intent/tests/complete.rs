//! Marking tasks done.

use super::super::complete::{ASK_WHICH_TO_COMPLETE, ASK_WHICH_TO_REOPEN, NO_BULK_COMPLETE};
use super::*;

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
        ("reopen it", Intent::Ask(ASK_WHICH_TO_REOPEN)),
    ]);
}

fn reopen(target: Target) -> Intent {
    Intent::Edit(vec![Edit {
        target,
        change: Change::Reopen,
    }])
}

#[test]
fn reopening_by_number_or_title() {
    check(&[
        ("reopen buy milk", reopen(by_title("buy milk"))),
        ("re-open 3", reopen(by_ids(&[3]))),
        ("mark 3 as not done", reopen(by_ids(&[3]))),
        ("mark buy milk as open", reopen(by_title("buy milk"))),
        ("mark buy milk as not done", reopen(by_title("buy milk"))),
        ("uncheck buy milk", reopen(by_title("buy milk"))),
        ("buy milk isn't done yet", reopen(by_title("buy milk"))),
        (
            "what is not done yet?",
            Intent::List(ListQuery {
                status: crate::tasks::StatusFilter::Pending,
                ..ListQuery::default()
            }),
        ),
    ]);
}

#[test]
fn completions_in_the_past_tense_as_a_state_or_with_rarer_verbs() {
    check(&[
        ("I called mom", Intent::Complete(by_title("called mom"))),
        ("buy milk is done", Intent::Complete(by_title("buy milk"))),
        ("pay rent is taken care of", Intent::Complete(by_title("pay rent"))),
        ("buy milk has been done", Intent::Complete(by_title("buy milk"))),
        ("knock out 3", Intent::Complete(by_ids(&[3]))),
        ("wrapped up the report", Intent::Complete(by_title("the report"))),
        ("I took care of the dishes", Intent::Complete(by_title("the dishes"))),
    ]);
}
