//! "Which one do you mean?" when several tasks fit a title, and its answers.

use super::*;

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
