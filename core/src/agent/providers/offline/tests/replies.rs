//! Fixed replies, streaming, the provider, and bounded work on hostile messages.

use futures_util::StreamExt;

use super::*;

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
    let assistant = OfflineAssistant::default();
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
    let events: Vec<_> = OfflineAssistant::default().stream(request).collect().await;
    assert_eq!(events.len(), 2, "{events:?}");
    let here = threads.lock().map(|t| t.len()).unwrap_or(usize::MAX);
    assert_eq!(here, 0, "the plan was made on the async worker");
}
