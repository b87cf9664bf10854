//! Completing, renaming and deleting tasks by number, or by title after a lookup.

use super::*;

#[test]
fn completing_by_number_needs_no_lookup() {
    let (rounds, text) = run_with("mark 3 done", SHOPPING);
    assert_eq!(rounds, [vec![call(COMPLETE_TASK, json!({"task_id": 3}))]]);
    assert_eq!(text, "Marked \"buy milk\" as done.");
}

#[test]
fn several_numbers_make_one_call_each_with_distinct_ids() {
    let messages = conversation("complete 3 and 4");
    let step = plan(&messages);
    let Decision::CallTools(made) = &step else {
        panic!("{step:?}")
    };
    assert_eq!(
        calls(&step),
        [
            call(COMPLETE_TASK, json!({"task_id": 3})),
            call(COMPLETE_TASK, json!({"task_id": 4}))
        ]
    );
    assert_ne!(made[0].id, made[1].id);
    let (_, text) = run_with("complete 3 and 4", SHOPPING);
    assert_eq!(text, "Marked \"buy milk\" as done.\nMarked \"call mom\" as done.");
}

#[test]
fn completing_by_title_lists_open_tasks_then_completes_the_match() {
    let (rounds, text) = run_with("mark buy milk as done", SHOPPING);
    assert_eq!(
        rounds,
        [
            vec![call(LIST_TASKS, json!({"status": "pending"}))],
            vec![call(COMPLETE_TASK, json!({"task_id": 3}))]
        ]
    );
    assert_eq!(text, "Marked \"buy milk\" as done.");
    // Said after the fact, with another form of the verb.
    for said in ["I finished buying milk", "I bought milk", "tick off 'Buy Milk'"] {
        let (rounds, _) = run_with(said, SHOPPING);
        assert_eq!(rounds[1], [call(COMPLETE_TASK, json!({"task_id": 3}))], "{said}");
    }
}

#[test]
fn no_match_says_so_and_shows_up_to_five_open_tasks() {
    let many: Vec<(TaskId, String, bool)> = (1..=7).map(|n| (n, format!("chore {n}"), false)).collect();
    let many: Vec<(TaskId, &str, bool)> = many.iter().map(|(id, t, c)| (*id, t.as_str(), *c)).collect();
    let (rounds, text) = run_with("mark walk the dog as done", &many);
    assert_eq!(rounds.len(), 1);
    assert_eq!(
        text,
        "I couldn't find an open task matching \"walk the dog\".\nYour open tasks:\n1. chore 1\n2. chore 2\n3. chore 3\n\
         4. chore 4\n5. chore 5\n…and 2 more."
    );
    let (_, text) = run_with("mark walk the dog as done", &[]);
    assert_eq!(
        text,
        "I couldn't find an open task matching \"walk the dog\". You have no open tasks."
    );
    let (_, text) = run_with("delete walk the dog", &[]);
    assert_eq!(
        text,
        "I couldn't find a task matching \"walk the dog\". Your list is empty."
    );
}

#[test]
fn renaming_by_title_looks_up_all_tasks_and_names_the_old_title() {
    let (rounds, text) = run_with("rename buy milk to buy soy milk", SHOPPING);
    assert_eq!(
        rounds,
        [
            vec![call(LIST_TASKS, json!({"status": "all"}))],
            vec![call(UPDATE_TASK, json!({"task_id": 3, "title": "buy soy milk"}))]
        ]
    );
    assert_eq!(text, "Renamed \"buy milk\" to \"buy soy milk\".");
    let (rounds, text) = run_with("rename 3 to buy soy milk", SHOPPING);
    assert_eq!(rounds.len(), 1);
    assert_eq!(text, "Renamed task 3 to \"buy soy milk\".");
}

#[test]
fn the_list_settles_where_a_title_with_to_ends() {
    let tasks = [(8, "go to gym", false), (3, "buy milk", false)];
    let (rounds, text) = run_with("rename go to gym to go swimming", &tasks);
    assert_eq!(
        rounds[1],
        [call(UPDATE_TASK, json!({"task_id": 8, "title": "go swimming"}))]
    );
    assert_eq!(text, "Renamed \"go to gym\" to \"go swimming\".");
}

#[test]
fn descriptions_are_set_and_cleared_with_update_task() {
    let (rounds, text) = run_with("add a note to buy milk: 2 litres", SHOPPING);
    assert_eq!(
        rounds[1],
        [call(UPDATE_TASK, json!({"task_id": 3, "description": "2 litres"}))]
    );
    assert_eq!(text, "Set the description of \"buy milk\" to \"2 litres\".");
    let (rounds, text) = run_with("clear the description of 3", SHOPPING);
    assert_eq!(
        rounds,
        [vec![call(UPDATE_TASK, json!({"task_id": 3, "description": ""}))]]
    );
    assert_eq!(text, "Removed the description of \"buy milk\".");
}

#[test]
fn deleting_by_number_or_title() {
    let (rounds, text) = run_with("delete task 4", SHOPPING);
    assert_eq!(rounds, [vec![call(DELETE_TASK, json!({"task_id": 4}))]]);
    assert_eq!(text, "Deleted \"call mom\" (task 4).");
    let (rounds, text) = run_with("get rid of call mom", SHOPPING);
    assert_eq!(
        rounds,
        [
            vec![call(LIST_TASKS, json!({"status": "all"}))],
            vec![call(DELETE_TASK, json!({"task_id": 4}))]
        ]
    );
    assert_eq!(text, "Deleted \"call mom\" (task 4).");
}

#[test]
fn a_request_for_too_many_tasks_at_once_is_declined_without_tool_calls() {
    let numbers: Vec<String> = (1..=MAX_TASKS_PER_REQUEST + 1).map(|n| n.to_string()).collect();
    for verb in ["complete", "delete"] {
        let step = plan(&conversation(&format!("{verb} {}", numbers.join(" "))));
        assert_eq!(reply(&step), too_many_tasks(), "{verb}");
        let fewer = numbers[..MAX_TASKS_PER_REQUEST].join(" ");
        let step = plan(&conversation(&format!("{verb} {fewer}")));
        assert_eq!(calls(&step).len(), MAX_TASKS_PER_REQUEST, "{verb}");
    }
}
