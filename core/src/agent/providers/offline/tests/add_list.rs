//! Adding tasks and listing them.

use super::*;

#[test]
fn an_add_calls_add_task_and_then_reports_the_new_task() {
    let mut messages = conversation("add a task to buy milk");
    let step = plan(&messages);
    assert_eq!(calls(&step), [call(ADD_TASK, json!({"title": "buy milk"}))]);
    let Decision::CallTools(made) = &step else {
        unreachable!()
    };
    assert_eq!(made[0].id, "offline_1");
    answer(&mut messages, &step, &[changed(7, "created", "buy milk")]);
    assert_eq!(reply(&plan(&messages)), "Added \"buy milk\" to your list (task 7).");
}

#[test]
fn an_add_with_a_description_passes_it_on_and_mentions_it() {
    let mut messages = conversation("add buy milk: 2 litres, oat");
    let step = plan(&messages);
    assert_eq!(
        calls(&step),
        [call(
            ADD_TASK,
            json!({"title": "buy milk", "description": "2 litres, oat"})
        )]
    );
    answer(&mut messages, &step, &[changed(7, "created", "buy milk")]);
    assert_eq!(
        reply(&plan(&messages)),
        "Added \"buy milk\" to your list (task 7) with the description \"2 litres, oat\"."
    );
}

#[test]
fn list_questions_call_list_tasks_with_their_status() {
    for (question, status) in [
        ("what's on my list?", "all"),
        ("what is still open?", "pending"),
        ("what have I done?", "completed"),
    ] {
        let step = plan(&conversation(question));
        assert_eq!(
            calls(&step),
            [call(LIST_TASKS, json!({"status": status}))],
            "{question}"
        );
    }
}

#[test]
fn a_list_reads_as_numbered_lines_with_done_ones_checked() {
    let mut messages = conversation("show my tasks");
    let step = plan(&messages);
    let mut tasks = listed(SHOPPING);
    tasks[0]["description"] = json!("2 litres");
    answer(&mut messages, &step, &[tasks]);
    assert_eq!(
        reply(&plan(&messages)),
        "Here's your list — 3 open, 1 done:\n5. buy oat milk — 2 litres\n4. call mom\n3. buy milk\n2. ✓ water the plants"
    );
}

#[test]
fn empty_lists_get_a_sentence_of_their_own() {
    for (question, expected) in [
        ("what's on my list?", "Your list is empty."),
        ("what's pending?", "No open tasks — nice!"),
        ("show completed tasks", "You haven't completed any tasks yet."),
    ] {
        let mut messages = conversation(question);
        let step = plan(&messages);
        answer(&mut messages, &step, &[json!([])]);
        let text = plan(&messages);
        assert!(reply(&text).starts_with(expected), "{question}: {text:?}");
    }
    let mut messages = conversation("what's pending?");
    let step = plan(&messages);
    answer(&mut messages, &step, &[listed(&[(3, "buy milk", false)])]);
    assert_eq!(reply(&plan(&messages)), "You have 1 open task:\n3. buy milk");
}
