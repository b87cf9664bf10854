//! The examples, planned: due dates, reminders, priorities, queries,
//! moves and reopening, with the tools' arguments and the replies.

use super::*;

#[test]
fn remind_me_adds_the_task_due_then_with_a_reminder_then() {
    let (rounds, text) = run_with("remind me to call mom tomorrow at 5pm", SHOPPING);
    assert_eq!(
        rounds,
        [vec![call(
            ADD_TASK,
            json!({"title": "call mom", "due": "2026-12-03T17:00", "remind_at": "2026-12-03T17:00"})
        )]]
    );
    assert_eq!(
        text,
        "Added \"call mom\" to your list (task 99), due tomorrow at 17:00. I'll remind you tomorrow at 17:00."
    );
}

#[test]
fn an_add_passes_on_its_priority_and_due_date() {
    let (rounds, text) = run_with("add a high priority task to pay rent by the 1st", SHOPPING);
    assert_eq!(
        rounds,
        [vec![call(
            ADD_TASK,
            json!({"title": "pay rent", "due": "2027-01-01", "priority": "high"})
        )]]
    );
    assert_eq!(
        text,
        "Added \"pay rent\" to your list (task 99), due Fri 1 Jan 2027, high priority."
    );
    let (rounds, text) = run_with("add buy milk and call mom", SHOPPING);
    assert_eq!(
        rounds,
        [vec![
            call(ADD_TASK, json!({"title": "buy milk"})),
            call(ADD_TASK, json!({"title": "call mom"}))
        ]]
    );
    assert_eq!(
        text,
        "Added \"buy milk\" to your list (task 99).\nAdded \"call mom\" to your list (task 99)."
    );
}

#[test]
fn questions_about_due_dates_filter_the_listing_and_its_heading_says_how() {
    for (question, arguments, empty) in [
        (
            "what's due this week?",
            json!({"status": "pending", "due": "week"}),
            "Nothing is due this week.",
        ),
        (
            "what is overdue?",
            json!({"status": "pending", "due": "overdue"}),
            "Nothing is overdue — nice!",
        ),
        (
            "what is high priority?",
            json!({"status": "pending", "priority": "high"}),
            "You have no open high-priority tasks.",
        ),
        (
            "find milk",
            json!({"status": "all", "query": "milk"}),
            "No tasks match \"milk\".",
        ),
    ] {
        let mut messages = conversation(question);
        let step = plan(&messages);
        assert_eq!(calls(&step), [call(LIST_TASKS, arguments)], "{question}");
        answer(&mut messages, &step, &[json!([])]);
        assert_eq!(reply(&plan(&messages)), empty, "{question}");
    }
}

#[test]
fn listings_show_due_dates_and_priorities() {
    let mut messages = conversation("what's due this week?");
    let step = plan(&messages);
    let tasks = json!([
        {"id": 3, "title": "pay rent", "description": null, "completed": false, "due": "2026-12-07", "priority": "high"},
        {"id": 4, "title": "call mom", "description": "about Sunday", "completed": false, "due": "2026-12-02T17:00", "priority": "none"},
        {"id": 5, "title": "buy milk", "completed": false, "due": null, "priority": "low"}
    ]);
    answer(&mut messages, &step, &[tasks]);
    assert_eq!(
        reply(&plan(&messages)),
        "3 tasks due this week:\n3. pay rent (due Mon 7 Dec, high priority)\n4. call mom (due today at 17:00) — about \
         Sunday\n5. buy milk (low priority)"
    );
}

#[test]
fn moving_a_task_by_title_looks_it_up_then_sets_its_due_date() {
    let tasks = &[(3, "pay rent", false), (4, "call mom", false)];
    let (rounds, text) = run_with("move pay rent to next monday", tasks);
    assert_eq!(
        rounds,
        [
            vec![call(LIST_TASKS, json!({"status": "all"}))],
            vec![call(UPDATE_TASK, json!({"task_id": 3, "due": "2026-12-07"}))]
        ]
    );
    assert_eq!(text, "\"pay rent\" is now due Mon 7 Dec.");
    let (rounds, text) = run_with("remove the due date from 3", tasks);
    assert_eq!(rounds, [vec![call(UPDATE_TASK, json!({"task_id": 3, "due": null}))]]);
    assert_eq!(text, "Removed the due date of \"pay rent\".");
    let (rounds, text) = run_with("remind me about call mom at 5pm", tasks);
    assert_eq!(
        rounds[1],
        [call(
            UPDATE_TASK,
            json!({"task_id": 4, "remind_at": "2026-12-02T17:00"})
        )]
    );
    assert_eq!(text, "I'll remind you about \"call mom\" today at 17:00.");
    // No such task yet: it is added, due then, with the reminder.
    let (rounds, text) = run_with("remind me about the dentist tomorrow", tasks);
    assert_eq!(
        rounds[1],
        [call(
            ADD_TASK,
            json!({"title": "the dentist", "due": "2026-12-03", "remind_at": "2026-12-03T09:00"})
        )]
    );
    assert_eq!(
        text,
        "Added \"the dentist\" to your list (task 99), due tomorrow. I'll remind you tomorrow at 09:00."
    );
    let (rounds, text) = run_with("make 3 high priority", tasks);
    assert_eq!(
        rounds,
        [vec![call(UPDATE_TASK, json!({"task_id": 3, "priority": "high"}))]]
    );
    assert_eq!(text, "\"pay rent\" is now high priority.");
}

#[test]
fn reopening_by_title_looks_among_finished_tasks() {
    let (rounds, text) = run_with("reopen buy milk", SHOPPING);
    assert_eq!(
        rounds,
        [
            vec![call(LIST_TASKS, json!({"status": "completed"}))],
            vec![call(UPDATE_TASK, json!({"task_id": 3, "completed": false}))]
        ]
    );
    assert_eq!(text, "Reopened \"buy milk\".");
    let (_, text) = run_with("reopen walk the dog", &[]);
    assert_eq!(
        text,
        "I couldn't find a finished task matching \"walk the dog\". You have no finished tasks."
    );
    let (rounds, _) = run_with("mark 2 as not done", SHOPPING);
    assert_eq!(
        rounds,
        [vec![call(UPDATE_TASK, json!({"task_id": 2, "completed": false}))]]
    );
}
