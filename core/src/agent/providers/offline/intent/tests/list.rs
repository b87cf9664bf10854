//! Questions about the list.

use super::super::list::ASK_WHAT_TO_FIND;
use super::*;
use crate::tasks::StatusFilter;

fn asks(status: StatusFilter, due: Option<&'static str>, priority: Option<&'static str>) -> Intent {
    Intent::List(ListQuery {
        status,
        due,
        priority,
        words: None,
    })
}

fn find(words: &str) -> Intent {
    Intent::List(ListQuery {
        words: Some(words.into()),
        ..ListQuery::default()
    })
}

#[test]
fn questions_about_due_dates_priorities_and_words_filter_the_list() {
    use StatusFilter::Pending;
    check(&[
        ("what's due this week?", asks(Pending, Some("week"), None)),
        ("what is due today?", asks(Pending, Some("today"), None)),
        ("what's due tomorrow", asks(Pending, Some("tomorrow"), None)),
        ("what do I have to do today?", asks(Pending, Some("today"), None)),
        ("what is overdue?", asks(Pending, Some("overdue"), None)),
        ("anything overdue?", asks(Pending, Some("overdue"), None)),
        ("show overdue tasks", asks(Pending, Some("overdue"), None)),
        ("what is high priority?", asks(Pending, None, Some("high"))),
        ("show my urgent tasks", asks(Pending, None, Some("high"))),
        ("which tasks are low priority", asks(Pending, None, Some("low"))),
        (
            "what's due this week that is urgent",
            asks(Pending, Some("week"), Some("high")),
        ),
        ("show tasks with no due date", asks(Pending, Some("none"), None)),
        ("find milk", find("milk")),
        ("search for 'the dentist'", find("the dentist")),
        ("look for rent in my list", find("rent")),
        ("which tasks mention mom?", find("mom")),
        ("search", Intent::Ask(ASK_WHAT_TO_FIND)),
    ]);
}

#[test]
fn list_questions_pick_the_status_they_ask_about() {
    use StatusFilter::{All, Completed, Pending};
    let list = |status| asks(status, None, None);
    check(&[
        ("what's on my list?", list(All)),
        ("What\u{2019}s on my to-do list?", list(All)),
        ("show my tasks", list(All)),
        ("Can you show me my tasks?", list(All)),
        ("list tasks", list(All)),
        ("list all tasks", list(All)),
        ("list everything", list(All)),
        ("my tasks", list(All)),
        ("how many tasks do I have?", list(All)),
        ("show all tasks including done ones", list(All)),
        ("I want to see my tasks", list(All)),
        ("what do I have to do", list(Pending)),
        ("what is still open?", list(Pending)),
        ("what's pending", list(Pending)),
        ("pending", list(Pending)),
        ("show open tasks", list(Pending)),
        ("anything left?", list(Pending)),
        ("what\u{2019}s next?", list(Pending)),
        ("what have I not done yet?", list(Pending)),
        ("ok so can you please show me what's left", list(Pending)),
        ("remind me what's left", list(Pending)),
        ("what have I done?", list(Completed)),
        ("show completed tasks", list(Completed)),
        ("completed tasks", list(Completed)),
        ("what did I finish?", list(Completed)),
        ("what have I completed so far", list(Completed)),
    ]);
}
