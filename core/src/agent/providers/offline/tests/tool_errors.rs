//! Tool errors explained, and tool rounds bounded whatever the results say.

use super::*;

#[test]
fn a_missing_task_is_explained_with_the_suggestions() {
    let mut messages = conversation("mark 9 done");
    let step = plan(&messages);
    answer(
        &mut messages,
        &step,
        &[not_found(9, &[(3, "buy milk"), (4, "call mom")])],
    );
    assert_eq!(
        reply(&plan(&messages)),
        "I couldn't find task 9. Your open tasks:\n3. buy milk\n4. call mom"
    );
    let mut messages = conversation("delete 9");
    let step = plan(&messages);
    answer(&mut messages, &step, &[not_found(9, &[])]);
    assert_eq!(
        reply(&plan(&messages)),
        "I couldn't find task 9. You have no open tasks right now."
    );
    // Two misses: the suggestions once.
    let mut messages = conversation("complete 8 and 9");
    let step = plan(&messages);
    answer(
        &mut messages,
        &step,
        &[not_found(8, &[(3, "buy milk")]), not_found(9, &[(3, "buy milk")])],
    );
    assert_eq!(
        reply(&plan(&messages)),
        "I couldn't find task 8. Your open tasks:\n3. buy milk\nI couldn't find task 9."
    );
}

#[test]
fn other_tool_errors_are_explained() {
    let invalid_title =
        json!({"error": {"code": "INVALID_TITLE", "message": "A task title must be 1 to 200 characters long."}});
    let too_long = json!({"error": {"code": "INVALID_REQUEST", "message": "A task description must be at most 1000 characters long."}});
    let database = json!({"error": {"code": "DATABASE", "message": "database error"}});
    for (text, result, expected) in [
        (
            "add buy milk",
            &invalid_title,
            "I couldn't add that: a task title must be 1 to 200 characters long.",
        ),
        (
            "rename 3 to x",
            &invalid_title,
            "I couldn't rename it: a task title must be 1 to 200 characters long.",
        ),
        (
            "describe 3 as x",
            &too_long,
            "I couldn't do that: A task description must be at most 1000 characters long.",
        ),
        (
            "list tasks",
            &database,
            "Sorry, I couldn't reach your tasks just now. Please try again in a moment.",
        ),
    ] {
        let mut messages = conversation(text);
        let step = plan(&messages);
        answer(&mut messages, &step, std::slice::from_ref(result));
        assert_eq!(reply(&plan(&messages)), expected, "{text}");
    }
    // A failed lookup ends the turn with the explanation.
    let mut messages = conversation("mark buy milk as done");
    let step = plan(&messages);
    answer(&mut messages, &step, &[database]);
    assert!(reply(&plan(&messages)).starts_with("Sorry, I couldn't reach your tasks"));
}

#[test]
fn tool_rounds_are_bounded_whatever_the_results_say() {
    // A stubborn executor that answers every call with the same list.
    for text in [
        "mark buy milk as done",
        "rename buy milk to x",
        "delete buy milk",
        "add x",
        "list tasks",
    ] {
        let mut messages = conversation(text);
        let mut rounds = 0;
        while let step @ Decision::CallTools(_) = plan(&messages) {
            let results = vec![listed(SHOPPING); calls(&step).len()];
            answer(&mut messages, &step, &results);
            rounds += 1;
            assert!(rounds <= MAX_TOOL_ROUNDS, "{text}: round {rounds}");
        }
    }
    // A third round never happens, even if the messages claim two already.
    let mut messages = conversation("mark buy milk as done");
    for _ in 0..2 {
        let step = Decision::CallTools(vec![ToolCall {
            id: format!("x{}", messages.len()),
            name: LIST_TASKS.into(),
            arguments: "{}".into(),
        }]);
        answer(&mut messages, &step, &[listed(SHOPPING)]);
    }
    assert!(matches!(plan(&messages), Decision::Reply(_)));
}
