//! Finding phrases in a message.

use super::super::phrases::{after, after_any, before, cuts_any, leading_quoted, tidy, unquote};
use super::super::target::task_numbers;

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
