//! Small talk, help, and what is not understood.

use super::*;

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
