//! Questions about the list.

use super::*;
use crate::tasks::StatusFilter;

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
