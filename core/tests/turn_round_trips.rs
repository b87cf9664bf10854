//! How many times a streamed ChatKit turn waits for PostgreSQL, counted by a
//! proxy between the server and the database: the round trips that execute
//! a statement (see `testing::proxy` for what else crosses the wire). A turn
//! is one write, so that a database across a network costs it little.

use std::time::Duration;

use serde_json::{Value, json};
use tasktalk_core::chatkit::types::Event;
use tasktalk_core::testing::TestDatabase;
use tasktalk_core::testing::proxy::ProxiedChatKit;

fn input(text: &str) -> Value {
    json!({"content": [{"type": "input_text", "text": text}], "attachments": [], "inference_options": {}})
}

fn answered(events: &[Event]) -> bool {
    let last = events.last().map(|e| serde_json::to_value(e).unwrap_or_default());
    last.is_some_and(|e| e["type"] == "thread.item.done" && e["item"]["type"] == "assistant_message")
}

#[tokio::test]
async fn a_streamed_turn_waits_for_postgresql_at_most_twice() {
    let t = TestDatabase::postgres().await;
    let kit = ProxiedChatKit::start(&t, Duration::ZERO).await;
    let create = json!({"type": "threads.create", "params": {"input": input("hello")}});
    // Once first: the pool's connection and its prepared statements.
    let events = kit.stream(&create).await;
    let Some(Event::ThreadCreated { thread }) = events.first() else {
        panic!("{events:?}")
    };
    let add = json!({"type": "threads.add_user_message", "params": {"thread_id": thread.id, "input": input("hello")}});
    assert!(answered(&kit.stream(&add).await));
    kit.proxy.take();

    let events = kit.stream(&create).await;
    let created = kit.proxy.take();
    assert!(answered(&events), "{events:?}");
    let events = kit.stream(&add).await;
    let added = kit.proxy.take();
    assert!(answered(&events), "{events:?}");
    // A new thread: the bearer's account, then the turn's one statement. A
    // message to a thread: the thread with its history, which finds only an
    // existing account's thread, then the turn.
    assert_eq!((created.statements, added.statements), (2, 2), "{created:?} {added:?}");
}
