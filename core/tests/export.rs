//! Export and import of one user's data, on both databases and on the web
//! version's own schema: the round trip field by field and item by item,
//! nothing twice, and a refused file that changes nothing.

use std::io::Read;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use serde_json::{Value, json};
use tasktalk_core::agent::{Agent, OfflineAssistant};
use tasktalk_core::auth::{Accounts, AuthConfig};
use tasktalk_core::calendar::Calendar;
use tasktalk_core::chatkit::types::ItemKind;
use tasktalk_core::chatkit::{ChatKit, Response};
use tasktalk_core::db::Database;
use tasktalk_core::export::{self, Document, ErrorCode, Progress, Summary, Transfer, markdown};
use tasktalk_core::tasks::{Due, NewTask, Priority, Tasks};
use tasktalk_core::testing::{
    BETTER_AUTH_SECRET, TestDatabase, build_web_version_own_database, count_rows_of, execute_script,
};
use tasktalk_core::timestamp::Timestamp;
use tasktalk_core::token::{TokenConfig, Tokens};
use tasktalk_core::{Secret, on_db, test_on_both_databases};

/// The tables an import writes to.
const TABLES: [&str; 5] = [
    "tasks_phaseiii",
    "conversations",
    "messages",
    "tasktalk_chat_items",
    "tasktalk_imported_conversations",
];

fn at(iso: &str) -> Timestamp {
    Timestamp::parse_rfc3339(iso).unwrap_or_else(|| panic!("{iso}"))
}

fn quiet(_: Progress) {}

/// A user of a database who chats with the offline assistant.
struct Account {
    db: Database,
    user_id: String,
    bearer: String,
    chatkit: ChatKit,
    tasks: Tasks,
}

async fn account(db: &Database, email: &str) -> Account {
    let user = Accounts::new(db.clone(), AuthConfig::default())
        .create_user(email, "User", "correct horse battery")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let tokens = Arc::new(
        Tokens::load(db, TokenConfig::new(Secret::new(BETTER_AUTH_SECRET)))
            .await
            .unwrap_or_else(|e| panic!("{e}")),
    );
    let bearer = format!("Bearer {}", tokens.issue(&user).unwrap_or_else(|e| panic!("{e}")).token);
    let tasks = Tasks::new(db.clone());
    let agent = Agent::new(Arc::new(OfflineAssistant::new(Calendar::system())), tasks.clone());
    Account {
        db: db.clone(),
        user_id: user.id,
        bearer,
        chatkit: ChatKit::new(db.clone(), tokens, agent),
        tasks,
    }
}

impl Account {
    /// Sends a message (in a new thread without `thread`) and waits for the whole answer; the thread's id.
    async fn say(&self, thread: Option<&str>, text: &str) -> String {
        let input =
            json!({"content": [{"type": "input_text", "text": text}], "attachments": [], "inference_options": {}});
        let body = match thread {
            None => json!({"type": "threads.create", "params": {"input": input}}),
            Some(id) => json!({"type": "threads.add_user_message", "params": {"thread_id": id, "input": input}}),
        };
        let Response::Stream(mut stream) = self
            .chatkit
            .process(Some(&self.bearer), body.to_string().as_bytes())
            .await
        else {
            panic!("expected a stream")
        };
        let mut id = thread.map(str::to_owned);
        while let Some(event) = stream.next().await {
            let event = serde_json::to_value(&event).unwrap_or_default();
            if event["type"] == "thread.created" {
                id = event["thread"]["id"].as_str().map(str::to_owned);
            }
        }
        id.unwrap_or_else(|| panic!("no thread was created"))
    }

    /// Tasks with every field set, completed and reminded ones among them,
    /// and two conversations with messages, tool steps and a hidden note.
    async fn fill(&self) {
        let milk = NewTask {
            description: Some("2 litres\n\tsemi-skimmed".into()),
            due: Some(Due::Date(NaiveDate::from_ymd_opt(2026, 12, 24).unwrap_or_default())),
            remind_at: Some(at("2026-12-23T09:00:00Z")),
            priority: Priority::High,
            ..NewTask::titled("buy milk")
        };
        let milk = self
            .tasks
            .create(&self.user_id, milk)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        self.tasks
            .mark_reminded(&self.user_id, milk.id, at("2026-12-23T09:00:05Z"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let call = NewTask {
            due: Some(Due::At(at("2026-12-20T17:30:00Z"))),
            priority: Priority::Low,
            ..NewTask::titled("call mom")
        };
        let call = self
            .tasks
            .create(&self.user_id, call)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        self.tasks
            .complete(&self.user_id, call.id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        self.tasks
            .add(&self.user_id, "milk the cow ü", None)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let first = self.say(None, "add a task to pay rent").await;
        self.say(Some(&first), "what is still open?").await;
        // Two tasks match "milk": the assistant asks which, and keeps its question as a hidden note.
        let second = self.say(None, "complete milk").await;
        self.say(Some(&second), "the first one").await;
    }

    async fn export(&self) -> Document {
        Transfer::new(self.db.clone())
            .export(&self.user_id, &quiet)
            .await
            .unwrap_or_else(|e| panic!("export: {e}"))
    }

    async fn import(&self, document: &[u8]) -> Result<Summary, export::Error> {
        Transfer::new(self.db.clone())
            .import(&self.user_id, document, &quiet)
            .await
    }
}

fn json_of(document: &Document) -> Vec<u8> {
    document.to_json().unwrap_or_else(|e| panic!("{e}"))
}

/// The tasks without the ids their database gave them.
fn tasks_of(document: &Document) -> Vec<Value> {
    document
        .tasks
        .iter()
        .map(|task| {
            let mut task = serde_json::to_value(task).unwrap_or_default();
            task["id"] = Value::Null;
            task
        })
        .collect()
}

/// The conversations, each item with its position but without the ids the database gave it.
fn conversations_of(document: &Document) -> Vec<Value> {
    document
        .conversations
        .iter()
        .map(|c| {
            let items: Vec<Value> = c
                .items
                .iter()
                .map(|item| {
                    let mut item = serde_json::to_value(item).unwrap_or_default();
                    item["id"] = Value::Null;
                    item["thread_id"] = Value::Null;
                    item
                })
                .collect();
            json!({"title": c.title, "created_at": c.created_at, "updated_at": c.updated_at, "items": items})
        })
        .collect()
}

fn item_types(document: &Document) -> Vec<String> {
    let mut types: Vec<String> = document
        .conversations
        .iter()
        .flat_map(|c| &c.items)
        .map(|i| {
            serde_json::to_value(i).unwrap_or_default()["type"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    types.sort();
    types.dedup();
    types
}

fn added(summary: &Summary) -> u64 {
    summary.tasks_added + summary.conversations_added + summary.items_added
}

fn refused(outcome: Result<Summary, export::Error>) -> export::Error {
    match outcome {
        Ok(summary) => panic!("imported: {summary:?}"),
        Err(err) => err,
    }
}

test_on_both_databases! {
    async fn an_export_from_sqlite_imports_for_another_user_field_by_field_and_item_by_item(t: TestDatabase) {
        let source = TestDatabase::sqlite().await;
        let alice = account(&source.db, "alice@example.com").await;
        alice.fill().await;
        let exported = alice.export().await;
        assert_eq!((exported.format.as_str(), exported.version), ("tasktalk-export", 1));
        assert_eq!(exported.tasks.len(), 4, "three added here, one by the assistant");
        assert_eq!(exported.conversations.len(), 2);
        assert_eq!(item_types(&exported), ["assistant_message", "sdk_hidden_context", "task", "user_message"]);
        let milk = &exported.tasks[0];
        assert_eq!(
            (milk.due_all_day, milk.priority, milk.reminded_at, milk.description.as_deref()),
            (true, Priority::High, Some(at("2026-12-23T09:00:05Z")), Some("2 litres\n\tsemi-skimmed"))
        );
        assert!(exported.tasks[1].completed && exported.tasks[1].completed_at.is_some());

        let bob = account(&t.db, "bob@example.com").await;
        let summary = bob.import(&json_of(&exported)).await.unwrap_or_else(|e| panic!("{e}"));
        let items: usize = exported.conversations.iter().map(|c| c.items.len()).sum();
        assert_eq!(
            summary,
            Summary { tasks_added: 4, tasks_skipped: 0, conversations_added: 2, conversations_skipped: 0, items_added: items as u64 }
        );
        let imported = bob.export().await;
        assert_eq!(tasks_of(&imported), tasks_of(&exported));
        assert_eq!(conversations_of(&imported), conversations_of(&exported));
        for (copy, original) in imported.conversations.iter().zip(&exported.conversations) {
            assert_ne!(copy.id, original.id, "a new thread id");
            assert_eq!(copy.source_id.as_deref(), Some(original.id.as_str()));
            assert!(copy.items.iter().all(|i| i.thread_id == copy.id));
        }
        // The imported thread reads and continues like any other.
        let thread = &imported.conversations[0].id;
        bob.say(Some(thread), "what is still open?").await;
        // Alice's account did not change.
        assert_eq!(tasks_of(&alice.export().await), tasks_of(&exported));
    }

    async fn a_second_import_and_an_export_imported_back_add_nothing(t: TestDatabase) {
        let source = TestDatabase::sqlite().await;
        let alice = account(&source.db, "alice@example.com").await;
        alice.fill().await;
        let file = json_of(&alice.export().await);
        let bob = account(&t.db, "bob@example.com").await;
        bob.import(&file).await.unwrap_or_else(|e| panic!("{e}"));
        let counts = count_rows_of(&t.db, &TABLES).await;

        let again = bob.import(&file).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(added(&again), 0, "{again:?}");
        assert_eq!((again.tasks_skipped, again.conversations_skipped), (4, 2));
        // Bob's own export, which names the conversations by their new ids and their sources.
        let own = bob.import(&json_of(&bob.export().await)).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(added(&own), 0, "{own:?}");
        assert_eq!(count_rows_of(&t.db, &TABLES).await, counts);
        // Back where it came from: Alice has all of it already.
        let source_counts = count_rows_of(&source.db, &TABLES).await;
        let back = alice.import(&json_of(&bob.export().await)).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(added(&back), 0, "{back:?}");
        assert_eq!(count_rows_of(&source.db, &TABLES).await, source_counts);
    }

    async fn a_broken_file_is_refused_whole_with_its_reason_and_changes_nothing(t: TestDatabase) {
        let source = TestDatabase::sqlite().await;
        let alice = account(&source.db, "alice@example.com").await;
        alice.fill().await;
        let file = json_of(&alice.export().await);
        let good: Value = serde_json::from_slice(&file).unwrap_or_default();
        let bob = account(&t.db, "bob@example.com").await;
        bob.tasks.add(&bob.user_id, "already here", None).await.unwrap_or_else(|e| panic!("{e}"));
        let counts = count_rows_of(&t.db, &TABLES).await;
        let changed = |edit: &dyn Fn(&mut Value)| {
            let mut document = good.clone();
            edit(&mut document);
            document.to_string().into_bytes()
        };
        let answer = good["conversations"][0]["items"]
            .as_array()
            .and_then(|items| items.iter().position(|i| i["type"] == "assistant_message"))
            .unwrap_or_else(|| panic!("no answer in {good}"));
        let answer_says = format!("conversation 1, item {}: An answer cannot contain NUL", answer + 1);
        let text = String::from_utf8_lossy(&file).into_owned();
        let deep = format!("\"metadata\":{{\"x\":{}{}}}", "[".repeat(200), "]".repeat(200));
        let nested = text.replacen("\"metadata\":{}", &deep, 1).into_bytes();
        assert_ne!(nested, file);
        let cases: Vec<(&str, Vec<u8>, ErrorCode, &str)> = vec![
            ("truncated", file[..file.len() / 2].to_vec(), ErrorCode::ImportInvalid, "EOF"),
            ("not JSON", b"tasks: []".to_vec(), ErrorCode::ImportInvalid, "expected"),
            ("another format", changed(&|d| d["format"] = json!("jan-export")), ErrorCode::ImportInvalid, "not \"tasktalk-export\""),
            ("no format", changed(&|d| { d.as_object_mut().map(|o| o.remove("format")); }), ErrorCode::ImportInvalid, "no \"format\""),
            ("version 2", changed(&|d| d["version"] = json!(2)), ErrorCode::ImportVersion, "version 2"),
            ("version as text", changed(&|d| d["version"] = json!("1")), ErrorCode::ImportInvalid, "version"),
            ("a control character in the second task's title", changed(&|d| d["tasks"][1]["title"] = json!("call\u{7} mom")), ErrorCode::ImportInvalid, "task 2: A task title cannot contain control characters"),
            ("an empty title", changed(&|d| d["tasks"][3]["title"] = json!("  ")), ErrorCode::ImportInvalid, "task 4"),
            ("a due date not at midnight", changed(&|d| d["tasks"][0]["due_at"] = json!("2026-12-24T10:00:00Z")), ErrorCode::ImportInvalid, "task 1: With due_all_day"),
            ("the year 999", changed(&|d| d["tasks"][2]["created_at"] = json!("0999-01-01T00:00:00Z")), ErrorCode::ImportInvalid, "task 3: A creation time must be in the years"),
            ("an unknown priority", changed(&|d| d["tasks"][2]["priority"] = json!("urgent")), ErrorCode::ImportInvalid, "urgent"),
            ("a message over 16 KiB", changed(&|d| d["conversations"][1]["items"][0]["content"][0]["text"] = json!("x".repeat(16 * 1024 + 1))), ErrorCode::ImportInvalid, "conversation 2, item 1: This message is too long"),
            ("an escape code in a message", changed(&|d| d["conversations"][0]["items"][0]["content"][0]["text"] = json!("hi \u{1b}[2J"),), ErrorCode::ImportInvalid, "conversation 1, item 1: This message contains a control character"),
            ("NUL in an answer", changed(&|d| d["conversations"][0]["items"][answer]["content"][0]["text"] = json!("a\u{0}b")), ErrorCode::ImportInvalid, &answer_says),
            ("a control character in a conversation title", changed(&|d| d["conversations"][1]["title"] = json!("a\u{8}b")), ErrorCode::ImportInvalid, "conversation 2: A thread title cannot contain control characters"),
            ("an unknown item type", changed(&|d| d["conversations"][0]["items"][0]["type"] = json!("widget")), ErrorCode::ImportInvalid, "widget"),
            ("an item time that is not one", changed(&|d| d["conversations"][0]["items"][1]["created_at"] = json!("yesterday")), ErrorCode::ImportInvalid, "conversation 1, item 2: its created_at"),
            ("a conversation id with a NUL", changed(&|d| d["conversations"][0]["id"] = json!("thr\u{0}")), ErrorCode::ImportInvalid, "conversation 1: its id"),
            ("nesting past the parser's depth", nested, ErrorCode::ImportInvalid, "recursion limit"),
        ];
        for (case, bytes, code, says) in cases {
            let err = refused(bob.import(&bytes).await);
            assert_eq!(err.error_code(), code, "{case}: {err}");
            let message = err.to_string();
            assert!(message.contains(says), "{case}: {message:?} does not say {says:?}");
            assert!(!message.chars().any(char::is_control), "{case}: {message:?}");
            assert_eq!(count_rows_of(&t.db, &TABLES).await, counts, "{case} changed the database");
        }
    }

    async fn a_failure_while_writing_leaves_nothing_written(t: TestDatabase) {
        let source = TestDatabase::sqlite().await;
        let alice = account(&source.db, "alice@example.com").await;
        alice.fill().await;
        let file = json_of(&alice.export().await);
        let bob = account(&t.db, "bob@example.com").await;
        // The tasks are written before the conversations, whose second table is gone.
        execute_script(&t.db, "drop table tasktalk_imported_conversations").await;
        let counts = count_rows_of(&t.db, &TABLES[..4]).await;
        let err = refused(bob.import(&file).await);
        assert_eq!(err.error_code(), ErrorCode::Database, "{err}");
        assert_eq!(count_rows_of(&t.db, &TABLES[..4]).await, counts);
    }

    async fn every_item_kind_and_field_of_a_written_file_is_kept(t: TestDatabase) {
        let bob = account(&t.db, "bob@example.com").await;
        let document = json!({
            "format": "tasktalk-export", "version": 1, "exported_at": "2026-12-01T08:00:00Z",
            "tasks": [{"id": 99, "title": "  spaced  ", "description": "  ", "completed": false,
                       "created_at": "2026-11-01T10:00:00+01:00", "updated_at": "2026-11-02T10:00:00Z",
                       "completed_at": "2026-11-02T10:00:00Z", "user_id": "someone-else"}],
            "conversations": [{"id": "thr_elsewhere", "title": "  ", "created_at": "2026-11-03T10:00:00Z",
                "updated_at": "2026-11-03T10:05:00Z", "metadata": {"pinned": true},
                "items": [
                    {"id": "msg_1", "thread_id": "thr_other", "created_at": "2026-11-03T10:00:00Z", "type": "user_message",
                     "content": [{"type": "input_text", "text": "hello\r\n"}, {"type": "input_tag", "id": "t1", "text": "#home", "data": {"k": 1}, "interactive": false}],
                     "attachments": [{"id": "file_1"}], "quoted_text": "earlier", "inference_options": {"model": "m"}},
                    {"id": "x", "thread_id": "y", "created_at": "2026-11-03T10:00:01Z", "type": "task",
                     "task": {"type": "custom", "title": "Added task 3", "icon": "check", "content": "buy milk", "status_indicator": "complete"}},
                    {"id": "x2", "thread_id": "y", "created_at": "2026-11-03T10:00:02Z", "type": "assistant_message",
                     "content": [{"type": "output_text", "text": "Done \u{1b}.", "annotations": [{"huge": "ignored"}]}]},
                    {"id": "x3", "thread_id": "y", "created_at": "2026-11-03T10:00:03Z", "type": "sdk_hidden_context", "content": "a note"},
                    {"id": "x4", "thread_id": "y", "created_at": "2026-11-03T10:00:04Z", "type": "end_of_turn"}
                ]}]
        });
        let summary = bob.import(document.to_string().as_bytes()).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(summary.items_added, 5);
        let back = bob.export().await;
        let task = &back.tasks[0];
        assert_eq!((task.title.as_str(), task.description.as_deref()), ("spaced", None), "trimmed as when typed");
        assert_eq!(task.created_at, at("2026-11-01T09:00:00Z"));
        assert_eq!(task.completed_at, None, "only a completed task has a completion time");
        let conversation = &back.conversations[0];
        assert_eq!((conversation.title.as_deref(), conversation.source_id.as_deref()), (None, Some("thr_elsewhere")));
        assert!(conversation.metadata.is_empty());
        let items: Vec<Value> = conversation.items.iter().map(|i| serde_json::to_value(i).unwrap_or_default()).collect();
        let types: Vec<&str> = items.iter().map(|i| i["type"].as_str().unwrap_or_default()).collect();
        assert_eq!(types, ["user_message", "task", "assistant_message", "sdk_hidden_context", "end_of_turn"]);
        assert_eq!(items[0]["content"][1]["data"], json!({"k": 1}));
        assert_eq!(items[0]["attachments"], json!([]), "attachments are never stored");
        assert_eq!(items[0]["quoted_text"], "earlier");
        assert_eq!(items[1]["task"]["content"], "buy milk");
        assert_eq!(items[2]["content"][0], json!({"type": "output_text", "text": "Done \u{1b}.", "annotations": []}));
        assert_eq!(items[3]["content"], "a note");
        assert!(items.iter().all(|i| i["thread_id"] == conversation.id.as_str()));
        assert!(items.iter().all(|i| !["msg_1", "x", "x2", "x3", "x4"].contains(&i["id"].as_str().unwrap_or_default())));
        // Messages are in the web version's table too.
        let rows: Vec<(String, String)> = on_db!(&t.db, pool => sqlx::query_as("select cast(role as text), content from messages order by id")
            .fetch_all(pool).await).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rows, [("USER".to_owned(), "hello\r\n#home".to_owned()), ("ASSISTANT".to_owned(), "Done \u{1b}.".to_owned())]);
    }

    async fn a_long_conversation_and_many_tasks_keep_their_order_and_message_links_across_batches(t: TestDatabase) {
        let kinds = ["user_message", "task", "assistant_message"];
        let items: Vec<Value> = (0..1203)
            .map(|i| {
                let at = format!("2026-11-03T10:{:02}:{:02}Z", i / 60 % 60, i % 60);
                match kinds[i % 3] {
                    "user_message" => json!({"id": "m", "thread_id": "t", "created_at": at, "type": "user_message",
                        "content": [{"type": "input_text", "text": format!("question {i}")}], "attachments": [], "inference_options": {}}),
                    "task" => json!({"id": "m", "thread_id": "t", "created_at": at, "type": "task",
                        "task": {"type": "custom", "title": format!("step {i}"), "status_indicator": "complete"}}),
                    _ => json!({"id": "m", "thread_id": "t", "created_at": at, "type": "assistant_message",
                        "content": [{"type": "output_text", "text": format!("answer {i}"), "annotations": []}]}),
                }
            })
            .collect();
        let tasks: Vec<Value> = (0..1201)
            .map(|i| json!({"title": format!("task {i}"), "completed": false,
                "created_at": "2026-11-01T10:00:00Z", "updated_at": "2026-11-01T10:00:00Z"}))
            .collect();
        let document = json!({"format": "tasktalk-export", "version": 1, "exported_at": "2026-12-01T08:00:00Z",
            "tasks": tasks, "conversations": [{"id": "thr_long", "title": "long", "created_at": "2026-11-03T10:00:00Z",
                "updated_at": "2026-11-03T11:00:00Z", "items": items}]});
        let bob = account(&t.db, "bob@example.com").await;
        let summary = bob.import(document.to_string().as_bytes()).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((summary.tasks_added, summary.items_added), (1201, 1203));
        let back = bob.export().await;
        let titles: Vec<String> = back.tasks.iter().map(|t| t.title.clone()).collect();
        assert_eq!(titles, (0..1201).map(|i| format!("task {i}")).collect::<Vec<_>>());
        let texts: Vec<String> = back.conversations[0]
            .items
            .iter()
            .map(|i| match &i.kind {
                ItemKind::Task { task } => task.title.clone().unwrap_or_default(),
                kind => kind.message_text().map(|(_, text)| text).unwrap_or_default(),
            })
            .collect();
        let expected: Vec<String> = (0..1203)
            .map(|i| format!("{} {i}", ["question", "step", "answer"][i % 3]))
            .collect();
        assert_eq!(texts, expected);
        // Each message item names the message row holding its own text.
        let linked: Vec<(String, String)> = on_db!(&t.db, pool => sqlx::query_as(
            "select m.content, i.item from tasktalk_chat_items i join messages m on m.id = i.message_id order by i.seq")
            .fetch_all(pool).await).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(linked.len(), 802);
        assert!(linked.iter().all(|(content, item)| item.contains(&format!("\"{content}\""))), "a message linked to another item");
    }

    async fn progress_is_reported_up_to_the_total(t: TestDatabase) {
        let alice = account(&t.db, "alice@example.com").await;
        for i in 0..250 {
            alice.tasks.add(&alice.user_id, &format!("task {i}"), None).await.unwrap_or_else(|e| panic!("{e}"));
        }
        alice.say(None, "add a task to pay rent").await;
        let seen = Mutex::new(Vec::new());
        let record = |p: Progress| seen.lock().map(|mut s| s.push(p)).unwrap_or_default();
        let transfer = Transfer::new(t.db.clone());
        let document = transfer.export(&alice.user_id, &record).await.unwrap_or_else(|e| panic!("{e}"));
        let exported = std::mem::take(&mut *seen.lock().unwrap_or_else(|e| e.into_inner()));
        assert_eq!(exported.last(), Some(&Progress { done: 252, total: 252 }));
        let bob = account(&t.db, "bob@example.com").await;
        transfer.import(&bob.user_id, &json_of(&document), &record).await.unwrap_or_else(|e| panic!("{e}"));
        let imported = std::mem::take(&mut *seen.lock().unwrap_or_else(|e| e.into_inner()));
        let total = 251 + document.conversations[0].items.len() as u64;
        assert_eq!(imported.first(), Some(&Progress { done: 0, total }));
        assert_eq!(imported.last(), Some(&Progress { done: total, total }));
        assert!(imported.windows(2).all(|w| w[0].done < w[1].done), "{imported:?}");
        assert!(imported.len() <= 102, "about a hundred reports, not one per row: {}", imported.len());
    }
}

#[tokio::test]
async fn counts_over_the_limits_are_refused_before_anything_is_read_into_the_database() {
    let t = TestDatabase::sqlite().await;
    let bob = account(&t.db, "bob@example.com").await;
    let task =
        r#"{"title":"t","completed":false,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}"#;
    let file = format!(
        r#"{{"format":"tasktalk-export","version":1,"exported_at":"2026-01-01T00:00:00Z","conversations":[],"tasks":[{}]}}"#,
        vec![task; export::MAX_TASKS + 1].join(",")
    );
    let err = refused(bob.import(file.as_bytes()).await);
    assert_eq!(err.error_code(), ErrorCode::ImportInvalid, "{err}");
    assert!(err.to_string().contains("at most 100000"), "{err}");
    assert_eq!(count_rows_of(&t.db, &TABLES).await, [0; 5]);
}

#[test]
fn a_file_is_read_up_to_the_limit_and_refused_one_byte_past_it_without_reading_on() {
    let at_limit = std::io::repeat(b' ').take(export::MAX_FILE_BYTES as u64);
    assert_eq!(
        export::read_bounded(at_limit).map(|b| b.len()).ok(),
        Some(export::MAX_FILE_BYTES)
    );
    // An endless source: only a bounded read ever returns.
    let endless = std::io::repeat(b' ');
    let err = export::read_bounded(endless).err().map(|e| e.kind());
    assert_eq!(err, Some(std::io::ErrorKind::FileTooLarge));
}

/// The web version's own PostgreSQL: her tasks and her web chat (whose
/// messages exist only in `messages`) export; an import there writes
/// messages as the web back end reads them; her own export adds nothing.
#[tokio::test]
async fn the_web_versions_own_database_exports_and_imports() {
    let t = TestDatabase::empty_postgres().await;
    let web = build_web_version_own_database(&t.db).await;
    t.db.migrate().await.unwrap_or_else(|e| panic!("{e}"));
    let transfer = Transfer::new(t.db.clone());
    let document = transfer.export(&web.id, &quiet).await.unwrap_or_else(|e| panic!("{e}"));
    let titles: Vec<(&str, bool)> = document.tasks.iter().map(|t| (t.title.as_str(), t.completed)).collect();
    assert_eq!(titles, [("water the plants", false), ("pay rent", true)]);
    assert_eq!(document.tasks[1].description.as_deref(), Some("before the 1st"));
    let chat = &document.conversations[0];
    assert_eq!(
        (chat.id.clone(), chat.title.as_deref()),
        (format!("thr_web_{}", web.conversation_id), Some("web chat"))
    );
    let texts: Vec<String> = chat
        .items
        .iter()
        .filter_map(|i| i.kind.message_text().map(|(_, t)| t))
        .collect();
    assert_eq!(
        texts,
        ["what is still open?", "You have 1 open task: water the plants."]
    );

    // Her export, back into her account: nothing new.
    let counts = count_rows_of(&t.db, &TABLES).await;
    let again = transfer
        .import(&web.id, &json_of(&document), &quiet)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(added(&again), 0, "{again:?}");
    assert_eq!(count_rows_of(&t.db, &TABLES).await, counts);

    // Into SQLite for someone else, item by item.
    let elsewhere = TestDatabase::sqlite().await;
    let carol = account(&elsewhere.db, "carol@example.com").await;
    carol
        .import(&json_of(&document))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let copied = carol.export().await;
    assert_eq!(tasks_of(&copied), tasks_of(&document));
    assert_eq!(conversations_of(&copied), conversations_of(&document));

    // A desktop user's chat, into her web database: the web back end reads its messages.
    carol.say(None, "add a task to feed the cat").await;
    let carols = carol.export().await;
    let summary = transfer
        .import(&web.id, &json_of(&carols), &quiet)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (
            summary.tasks_added,
            summary.conversations_added,
            summary.conversations_skipped
        ),
        (1, 1, 1)
    );
    let Database::Postgres(pool) = &t.db else {
        unreachable!()
    };
    let rows: Vec<(String, String)> = sqlx::query_as(
        "select m.role, m.content from messages m join conversations c on c.id = m.conversation_id
         where c.user_id = $1 and c.id <> $2 order by m.id",
    )
    .bind(&web.id)
    .bind(web.conversation_id)
    .fetch_all(pool)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let roles: Vec<&str> = rows.iter().map(|(role, _)| role.as_str()).collect();
    assert_eq!(roles, ["USER", "ASSISTANT"]);
    assert_eq!(rows[0].1, "add a task to feed the cat");
}

#[tokio::test]
async fn a_conversation_reads_as_markdown_with_turns_and_tool_steps() {
    let t = TestDatabase::sqlite().await;
    let alice = account(&t.db, "alice@example.com").await;
    let thread = alice.say(None, "add a task to pay rent").await;
    let transfer = Transfer::new(t.db.clone());
    let mut conversation = transfer
        .export_conversation(&alice.user_id, &thread)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    conversation.title = Some("rent \u{1b}[31m".into());
    let calendar = Calendar::fixed(chrono::Utc::now(), "UTC");
    let text = markdown::conversation(&conversation, &calendar);
    assert!(text.starts_with("# rent \\u{1b}[31m\n\nStarted "), "{text}");
    let you = text.find("**You:**").unwrap_or_else(|| panic!("{text}"));
    let tool = text.find("_Tool: ").unwrap_or_else(|| panic!("{text}"));
    let assistant = text.find("**Assistant:**").unwrap_or_else(|| panic!("{text}"));
    assert!(you < tool && tool < assistant, "{text}");
    assert!(text.contains("add a task to pay rent"), "{text}");
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text}");
    let err = transfer.export_conversation(&alice.user_id, "thr_missing").await.err();
    assert_eq!(err.map(|e| e.error_code()), Some(ErrorCode::ConversationNotFound));
    let bob = account(&t.db, "bob@example.com").await;
    let err = transfer.export_conversation(&bob.user_id, &thread).await.err();
    assert_eq!(
        err.map(|e| e.error_code()),
        Some(ErrorCode::ConversationNotFound),
        "another user's"
    );
}
