use futures_util::StreamExt;
use serde_json::{Value, json};

use super::decision::text_deltas;
use super::intent;
use super::plan::too_many_tasks;
use super::reply::{ACKNOWLEDGEMENT, GREETING, HELP, THANKS, UNKNOWN};
use super::*;
use crate::agent::provider::{ChatMessage, ModelEvent, ToolCall};
use crate::agent::tools::{ADD_TASK, COMPLETE_TASK, DELETE_TASK, LIST_TASKS, UPDATE_TASK};
use crate::tasks::TaskId;

fn conversation(text: &str) -> Vec<ChatMessage> {
    vec![
        ChatMessage::system("You manage the user's tasks."),
        ChatMessage::user(text),
    ]
}

/// The tool calls of a step, as (name, arguments), or a panic with the reply.
fn calls(step: &Decision) -> Vec<(String, Value)> {
    match step {
        Decision::CallTools(calls) => calls
            .iter()
            .map(|c| {
                let arguments = serde_json::from_str(&c.arguments).unwrap_or_else(|e| panic!("{e}: {}", c.arguments));
                (c.name.clone(), arguments)
            })
            .collect(),
        Decision::Reply(text) | Decision::Ask { question: text, .. } => {
            panic!("expected tool calls, got the reply {text:?}")
        }
    }
}

fn reply(step: &Decision) -> &str {
    match step {
        Decision::Reply(text) | Decision::Ask { question: text, .. } => text,
        Decision::CallTools(calls) => panic!("expected a reply, got tool calls {calls:?}"),
    }
}

fn call(name: &str, arguments: Value) -> (String, Value) {
    (name.to_owned(), arguments)
}

/// Appends the step's tool calls as the agent loop does, with `results` answering them in order.
fn answer(messages: &mut Vec<ChatMessage>, step: &Decision, results: &[Value]) {
    let Decision::CallTools(calls) = step else {
        panic!("expected tool calls, got {step:?}");
    };
    assert_eq!(calls.len(), results.len(), "one result per call");
    messages.push(ChatMessage::assistant("", calls.clone()));
    for (call, result) in calls.iter().zip(results) {
        messages.push(ChatMessage::tool_result(&call.id, result.to_string()));
    }
}

/// Appends a reply as a stored thread keeps it: the text, then its hidden
/// context, which the model reads back as a user message. `None` for tool calls.
fn keep_reply(messages: &mut Vec<ChatMessage>, step: &Decision) -> Option<String> {
    let (mut text, mut hidden) = (String::new(), Vec::new());
    for event in events(step.clone()) {
        match event {
            ModelEvent::TextDelta(delta) => text.push_str(&delta),
            ModelEvent::HiddenContext(note) => hidden.push(ChatMessage::user(note)),
            ModelEvent::ToolCall(_) => return None,
            ModelEvent::Finished => {}
        }
    }
    messages.push(ChatMessage::assistant(text.clone(), Vec::new()));
    messages.extend(hidden);
    Some(text)
}

fn listed(tasks: &[(TaskId, &str, bool)]) -> Value {
    tasks
        .iter()
        .map(|(id, title, completed)| json!({"id": id, "title": title, "description": null, "completed": completed}))
        .collect()
}

fn changed(id: TaskId, status: &str, title: &str) -> Value {
    json!({"task_id": id, "status": status, "title": title})
}

fn not_found(id: TaskId, suggestions: &[(TaskId, &str)]) -> Value {
    let suggestions: Vec<Value> = suggestions
        .iter()
        .map(|(id, title)| json!({"id": id, "title": title}))
        .collect();
    json!({"error": {"code": "TASK_NOT_FOUND", "message": format!("Task {id} was not found."), "suggestions": suggestions}})
}

/// The reply to `text` when every lookup returns `tasks` and every change succeeds.
fn run_with(text: &str, tasks: &[(TaskId, &str, bool)]) -> (Vec<Vec<(String, Value)>>, String) {
    run_on(&mut conversation(text), tasks)
}

/// Answers the last user message in `messages` as the agent loop does, every
/// lookup returning `tasks` and every change succeeding: appends the calls,
/// their results and the reply; returns the calls of each round and the reply.
fn run_on(messages: &mut Vec<ChatMessage>, tasks: &[(TaskId, &str, bool)]) -> (Vec<Vec<(String, Value)>>, String) {
    let mut rounds = Vec::new();
    loop {
        let step = plan(messages);
        if let Some(text) = keep_reply(messages, &step) {
            return (rounds, text);
        }
        let made = calls(&step);
        let results: Vec<Value> = made
            .iter()
            .map(|(name, arguments)| {
                let id = arguments["task_id"].as_i64().and_then(|id| TaskId::try_from(id).ok());
                let title = tasks.iter().find(|t| Some(t.0) == id).map_or("?", |t| t.1);
                match name.as_str() {
                    LIST_TASKS => listed(tasks),
                    ADD_TASK => changed(99, "created", arguments["title"].as_str().unwrap_or_default()),
                    COMPLETE_TASK => changed(id.unwrap_or_default(), "completed", title),
                    UPDATE_TASK => changed(
                        id.unwrap_or_default(),
                        "updated",
                        arguments["title"].as_str().unwrap_or(title),
                    ),
                    DELETE_TASK => changed(id.unwrap_or_default(), "deleted", title),
                    other => panic!("unknown tool {other}"),
                }
            })
            .collect();
        answer(messages, &step, &results);
        rounds.push(made);
        assert!(
            rounds.len() <= MAX_TOOL_ROUNDS,
            "took more than {MAX_TOOL_ROUNDS} rounds"
        );
    }
}

const SHOPPING: &[(TaskId, &str, bool)] = &[
    (5, "buy oat milk", false),
    (4, "call mom", false),
    (3, "buy milk", false),
    (2, "water the plants", true),
];

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
fn equally_good_matches_are_listed_and_the_person_is_asked() {
    let (rounds, text) = run_with("mark milk as done", SHOPPING);
    assert_eq!(rounds.len(), 1, "no change without knowing which");
    assert_eq!(text, WHICH_MILK);
    let (_, text) = run_with("delete milk", SHOPPING);
    assert!(text.ends_with("for example \"delete 5\"."), "{text}");
    let (_, text) = run_with("rename milk to cream", SHOPPING);
    assert!(text.ends_with("for example \"rename 5 to …\"."), "{text}");
}

/// The "which one?" question "mark milk as done" gets over [`SHOPPING`].
const WHICH_MILK: &str = "Several tasks match \"milk\" — which one do you mean?\n5. buy oat milk\n3. buy milk\nTell me \
                          its number, for example \"mark 5 done\".";

/// `request`, which asks "which one?", then `answer`: the calls of each round
/// and the reply, once with the whole conversation of the agent loop and once
/// with only the texts, as a stored thread gives them; both must agree.
fn answered(request: &str, answer: &str, tasks: &[(TaskId, &str, bool)]) -> (Vec<Vec<(String, Value)>>, String) {
    let mut messages = conversation(request);
    let (_, question) = run_on(&mut messages, tasks);
    assert!(question.contains("which one do you mean?"), "{request}: {question}");
    // The question's hidden note, which the thread stores after it.
    let note = messages.last().cloned();
    messages.push(ChatMessage::user(answer));
    let whole = run_on(&mut messages, tasks);
    let mut texts = conversation(request);
    texts.push(ChatMessage::assistant(question, Vec::new()));
    texts.extend(note);
    texts.push(ChatMessage::user(answer));
    assert_eq!(run_on(&mut texts, tasks), whole, "{request} / {answer}: texts only");
    whole
}

#[test]
fn an_answer_to_which_one_carries_out_the_request_on_the_chosen_task() {
    // The question lists 5. buy oat milk, 3. buy milk; task 2 exists but is not listed.
    let answers: &[(&str, TaskId)] = &[
        ("3", 3),
        ("#3", 3),
        ("number 3", 3),
        ("task 5", 5),
        ("5.", 5),
        // Not a number shown, so a place in the list.
        ("1", 5),
        ("2", 3),
        ("the second one", 3),
        ("the first", 5),
        ("2nd", 3),
        ("last", 3),
        ("the last one please", 3),
        ("buy oat milk", 5),
        ("Buy milk!", 3),
        ("yes, buy oat milk please", 5),
        ("yes, 3 please", 3),
        ("that one, 5", 5),
        ("I meant the first one", 5),
        // Words of one title only.
        ("the oat one", 5),
    ];
    let title = |id: TaskId| SHOPPING.iter().find(|t| t.0 == id).map_or("?", |t| t.1);
    for &(answer, id) in answers {
        let (rounds, text) = answered("mark milk as done", answer, SHOPPING);
        assert_eq!(rounds, [vec![call(COMPLETE_TASK, json!({"task_id": id}))]], "{answer}");
        assert_eq!(text, format!("Marked \"{}\" as done.", title(id)), "{answer}");

        let (rounds, text) = answered("rename milk to cream", answer, SHOPPING);
        assert_eq!(
            rounds,
            [vec![call(UPDATE_TASK, json!({"task_id": id, "title": "cream"}))]],
            "{answer}"
        );
        assert_eq!(text, format!("Renamed \"{}\" to \"cream\".", title(id)), "{answer}");

        let (rounds, text) = answered("delete milk", answer, SHOPPING);
        assert_eq!(rounds, [vec![call(DELETE_TASK, json!({"task_id": id}))]], "{answer}");
        assert_eq!(text, format!("Deleted \"{}\" (task {id}).", title(id)), "{answer}");
    }
}

#[test]
fn an_answer_carries_out_the_change_the_question_was_about() {
    // "rename go to gym to go swimming" also reads as renaming "go" to "gym to go swimming".
    let gyms = [(9, "Go to gym", false), (8, "go to gym", false)];
    for (request, answer, tasks, change, expected) in [
        (
            "add a note to milk: 2 litres",
            "the first one",
            SHOPPING,
            json!({"task_id": 5, "description": "2 litres"}),
            "Set the description of \"buy oat milk\" to \"2 litres\".",
        ),
        (
            "clear the description of milk",
            "3",
            SHOPPING,
            json!({"task_id": 3, "description": ""}),
            "Removed the description of \"buy milk\".",
        ),
        (
            "rename go to gym to go swimming",
            "8",
            &gyms,
            json!({"task_id": 8, "title": "go swimming"}),
            "Renamed \"go to gym\" to \"go swimming\".",
        ),
    ] {
        let (rounds, text) = answered(request, answer, tasks);
        assert_eq!(rounds, [vec![call(UPDATE_TASK, change)]], "{request}");
        assert_eq!(text, expected);
    }
}

#[test]
fn an_answer_that_names_none_of_the_choices_gets_them_again() {
    let again = "That doesn't match any of them — which one do you mean?\n5. buy oat milk\n3. buy milk\nTell me its \
                 number, for example \"mark 5 done\".";
    // "#4" and "#1" are only numbers; 4 is a task, but not one that matched.
    for answer in ["7", "#4", "#1", "the third one", "both", "milk", "the other one"] {
        let mut messages = conversation("mark milk as done");
        assert_eq!(run_on(&mut messages, SHOPPING).1, WHICH_MILK);
        messages.push(ChatMessage::user(answer));
        let (rounds, text) = run_on(&mut messages, SHOPPING);
        assert!(rounds.is_empty(), "{answer}: {rounds:?}");
        assert_eq!(text, again, "{answer}");
        // Asked again, the next answer still counts.
        messages.push(ChatMessage::user("the second one"));
        let (rounds, text) = run_on(&mut messages, SHOPPING);
        assert_eq!(rounds, [vec![call(COMPLETE_TASK, json!({"task_id": 3}))]], "{answer}");
        assert_eq!(text, "Marked \"buy milk\" as done.");
    }
}

#[test]
fn a_long_question_is_asked_again_as_it_was_shown() {
    let chores: Vec<(TaskId, &str, bool)> = (1..=7).rev().map(|id| (id, "chore", id % 2 == 0)).collect();
    let mut messages = conversation("delete chore");
    let (_, question) = run_on(&mut messages, &chores);
    let lines = "7. chore\n6. ✓ chore\n5. chore\n4. ✓ chore\n3. chore\n…and 2 more.";
    assert_eq!(
        question,
        format!(
            "Several tasks match \"chore\" — which one do you mean?\n{lines}\nTell me its number, for example \
             \"delete 7\"."
        )
    );
    messages.push(ChatMessage::user("hmm"));
    let (_, text) = run_on(&mut messages, &chores);
    assert_eq!(
        text,
        format!(
            "That doesn't match any of them — which one do you mean?\n{lines}\nTell me its number, for example \
             \"delete 7\"."
        )
    );
    // 6 is shown, done or not; 2 is not shown, so it is the second place.
    for (answer, id) in [("6", 6), ("the 4th", 4), ("2", 6), ("last", 3)] {
        let mut messages = messages.clone();
        messages.push(ChatMessage::user(answer));
        let (rounds, _) = run_on(&mut messages, &chores);
        assert_eq!(rounds, [vec![call(DELETE_TASK, json!({"task_id": id}))]], "{answer}");
    }
}

#[test]
fn without_a_which_one_question_short_answers_are_no_commands() {
    for answer in ["3", "#3", "the second one", "last", "buy oat milk", "yes, 3 please"] {
        assert_eq!(reply(&plan(&conversation(answer))), UNKNOWN, "{answer}");
        // After another reply, and after the question was answered already.
        let mut messages = conversation("what's on my list?");
        run_on(&mut messages, SHOPPING);
        messages.push(ChatMessage::user(answer));
        assert_eq!(reply(&plan(&messages)), UNKNOWN, "{answer} after a list");
        let mut messages = conversation("mark milk as done");
        run_on(&mut messages, SHOPPING);
        messages.push(ChatMessage::user("3"));
        assert_eq!(run_on(&mut messages, SHOPPING).1, "Marked \"buy milk\" as done.");
        messages.push(ChatMessage::user(answer));
        assert_eq!(reply(&plan(&messages)), UNKNOWN, "{answer} after the answer");
    }
}

#[test]
fn other_requests_after_which_one_are_answered_as_usual() {
    let after_question = |text: &str| {
        let mut messages = conversation("mark milk as done");
        run_on(&mut messages, SHOPPING);
        messages.push(ChatMessage::user(text));
        plan(&messages)
    };
    assert_eq!(
        calls(&after_question("delete 4")),
        [call(DELETE_TASK, json!({"task_id": 4}))]
    );
    assert_eq!(
        calls(&after_question("what's on my list?")),
        [call(LIST_TASKS, json!({"status": "all"}))]
    );
    assert_eq!(reply(&after_question("never mind")), ACKNOWLEDGEMENT);
    assert_eq!(reply(&after_question("no")), ACKNOWLEDGEMENT);
    assert_eq!(reply(&after_question("thanks")), THANKS);
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

#[test]
fn things_it_does_not_understand_get_examples_and_no_tool_call() {
    for text in ["what's the weather?", "tell me a joke", "asdf"] {
        let step = plan(&conversation(text));
        assert_eq!(reply(&step), UNKNOWN, "{text}");
        assert!(UNKNOWN.contains("add buy milk"));
    }
}

#[test]
fn help_greetings_and_thanks_are_answered_directly() {
    assert_eq!(reply(&plan(&conversation("what can you do?"))), HELP);
    assert!(HELP.contains("mark 3 done") && HELP.contains("add buy milk"));
    assert_eq!(reply(&plan(&conversation("hello"))), GREETING);
    assert_eq!(reply(&plan(&conversation("thanks!"))), THANKS);
    assert_eq!(
        reply(&plan(&conversation("mark it done"))),
        intent::ASK_WHICH_TO_COMPLETE
    );
    assert_eq!(reply(&plan(&[])), GREETING, "no user message yet");
}

#[test]
fn only_the_last_user_message_counts_and_call_ids_stay_unique() {
    let mut messages = conversation("add buy milk");
    let step = plan(&messages);
    answer(&mut messages, &step, &[changed(7, "created", "buy milk")]);
    messages.push(ChatMessage::assistant(
        "Added \"buy milk\" to your list (task 7).",
        Vec::new(),
    ));
    messages.push(ChatMessage::user("what's pending?"));
    let step = plan(&messages);
    assert_eq!(calls(&step), [call(LIST_TASKS, json!({"status": "pending"}))]);
    let Decision::CallTools(made) = &step else {
        unreachable!()
    };
    assert_eq!(made[0].id, "offline_2", "offline_1 is taken by the earlier turn");
    answer(&mut messages, &step, &[listed(&[(7, "buy milk", false)])]);
    assert_eq!(reply(&plan(&messages)), "You have 1 open task:\n7. buy milk");
}

#[test]
fn replies_stream_as_several_deltas_that_join_to_the_reply() {
    let pieces = text_deltas(HELP);
    assert!(pieces.len() > 5, "{pieces:?}");
    assert_eq!(pieces.concat(), HELP);
    assert_eq!(text_deltas("Hi!"), ["Hi!"]);
    let events = events(Decision::Reply("one two three four five".into()));
    assert_eq!(
        events,
        [
            ModelEvent::TextDelta("one two three ".into()),
            ModelEvent::TextDelta("four five".into()),
            ModelEvent::Finished
        ]
    );
}

#[tokio::test]
async fn the_provider_streams_the_plan() {
    let assistant = OfflineAssistant;
    assert_eq!(assistant.describe(), "offline assistant");
    let request = |text: &str| ModelRequest {
        messages: conversation(text),
        tools: crate::agent::tools::specs(),
    };

    let events: Vec<ModelEvent> = assistant
        .stream(request("help"))
        .map(|event| event.unwrap_or_else(|e| panic!("{e}")))
        .collect()
        .await;
    let (last, deltas) = events.split_last().unwrap_or_else(|| panic!("no events"));
    assert_eq!(*last, ModelEvent::Finished);
    assert!(deltas.len() > 1);
    let text: String = deltas
        .iter()
        .map(|e| match e {
            ModelEvent::TextDelta(text) => text.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(text, HELP);

    let events: Vec<ModelEvent> = assistant
        .stream(request("mark 3 done"))
        .map(|event| event.unwrap_or_else(|e| panic!("{e}")))
        .collect()
        .await;
    assert_eq!(
        events,
        [
            ModelEvent::ToolCall(ToolCall {
                id: "offline_1".into(),
                name: COMPLETE_TASK.into(),
                arguments: json!({"task_id": 3}).to_string(),
            }),
            ModelEvent::Finished
        ]
    );
}

#[test]
fn hostile_messages_under_the_cap_are_understood_in_bounded_time() {
    // Quadratic parsing took over 10 s on each of the worst of these in a
    // debug build; linear parsing takes milliseconds. The bound is generous.
    let many: Vec<(TaskId, &str, bool)> = (1..=200).map(|id| (id, "go to gym to go swimming", false)).collect();
    for message in crate::testing::hostile::messages() {
        let start = std::time::Instant::now();
        run_with(&message, SHOPPING);
        run_with(&message, &many);
        let took = start.elapsed();
        assert!(
            took < std::time::Duration::from_secs(2),
            "{took:?} for {}…",
            &message[..40]
        );
    }
}

#[test]
fn an_answer_full_of_fillers_is_read_in_bounded_time() {
    // Every "yes" is a window that says the title "yes"; each used to check
    // all the other words again.
    let tasks = [(1, "yes", false), (2, "yes", false)];
    let answer = crate::testing::hostile::up_to_the_cap("", "yes ", "maybe");
    let start = std::time::Instant::now();
    let mut messages = conversation("delete yes");
    let (_, question) = run_on(&mut messages, &tasks);
    assert!(question.contains("which one do you mean?"), "{question}");
    messages.push(ChatMessage::user(answer));
    let (_, again) = run_on(&mut messages, &tasks);
    assert!(again.contains("which one do you mean?"), "{again}");
    let took = start.elapsed();
    assert!(took < std::time::Duration::from_secs(2), "{took:?}");
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

/// Notes the thread of every event it sees.
struct EventThreads(std::sync::Arc<std::sync::Mutex<Vec<std::thread::ThreadId>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for EventThreads {
    fn on_event(&self, _: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if let Ok(mut threads) = self.0.lock() {
            threads.push(std::thread::current().id());
        }
    }
}

#[tokio::test]
async fn the_provider_reads_the_message_off_the_async_workers() {
    use tracing_subscriber::layer::SubscriberExt;
    // This subscriber sees only this thread, the runtime's only worker: the
    // plan's own log line ("offline assistant decided") must come from another.
    let threads = std::sync::Arc::default();
    let subscriber = tracing_subscriber::registry().with(EventThreads(std::sync::Arc::clone(&threads)));
    let _only_here = tracing::subscriber::set_default(subscriber);
    let request = ModelRequest {
        messages: conversation("mark 3 done"),
        tools: crate::agent::tools::specs(),
    };
    let events: Vec<_> = OfflineAssistant.stream(request).collect().await;
    assert_eq!(events.len(), 2, "{events:?}");
    let here = threads.lock().map(|t| t.len()).unwrap_or(usize::MAX);
    assert_eq!(here, 0, "the plan was made on the async worker");
}
