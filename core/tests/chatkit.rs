//! The ChatKit protocol over the core entry point, on both databases, with a
//! scripted model behind the `Provider` interface.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tasktalk_core::agent::{
    Agent, ModelEvent, ModelRequest, ModelStream, OfflineAssistant, Provider, ProviderError, ProviderErrorKind, Role,
    ToolCall,
};
use tasktalk_core::auth::{Accounts, AuthConfig, ClientInfo};
use tasktalk_core::chatkit::limits::{
    MAX_ATTACHMENTS, MAX_CONTENT_PARTS, MAX_FEEDBACK_ITEMS, MAX_ID_BYTES, MAX_MESSAGE_BYTES, MAX_SEARCH_CHARS,
    MAX_SEARCH_WORDS, MAX_TITLE_CHARS,
};
use tasktalk_core::chatkit::types::Event;
use tasktalk_core::chatkit::{ChatKit, EventStream, PAGE_MAX, Response};
use tasktalk_core::db::Database;
use tasktalk_core::tasks::{Page, StatusFilter, Tasks};
use tasktalk_core::testing::{
    BETTER_AUTH_SECRET, TestDatabase, WebUser, build_web_version_own_database, execute_script,
};
use tasktalk_core::timestamp::Timestamp;
use tasktalk_core::token::{TokenConfig, Tokens};
use tasktalk_core::{Secret, on_db, test_on_both_databases};

type Script = Vec<Result<ModelEvent, ProviderError>>;

/// Answers each model call with the next script, optionally slowly or only
/// once its gate opens, and records what it was asked and whether its stream
/// was dropped early.
#[derive(Debug, Default)]
struct ScriptedProvider {
    scripts: Mutex<VecDeque<Script>>,
    requests: Mutex<Vec<ModelRequest>>,
    delay: Option<Duration>,
    gate: Gate,
    dropped_early: Arc<AtomicBool>,
}

/// Holds model answers while closed, so a test acts between a turn's start
/// and its save without racing a timer.
#[derive(Debug)]
struct Gate(tokio::sync::watch::Sender<bool>);

impl Default for Gate {
    fn default() -> Self {
        Self(tokio::sync::watch::Sender::new(true))
    }
}

struct DropFlag(Arc<AtomicBool>, bool);
impl Drop for DropFlag {
    fn drop(&mut self) {
        if !self.1 {
            self.0.store(true, Ordering::SeqCst);
        }
    }
}

impl Provider for ScriptedProvider {
    fn describe(&self) -> String {
        "scripted".into()
    }

    fn stream(&self, request: ModelRequest) -> ModelStream {
        self.requests.lock().map(|mut r| r.push(request)).unwrap_or_default();
        let script = self
            .scripts
            .lock()
            .ok()
            .and_then(|mut s| s.pop_front())
            .unwrap_or_else(|| {
                vec![
                    Ok(ModelEvent::TextDelta("(no more scripts)".into())),
                    Ok(ModelEvent::Finished),
                ]
            });
        let delay = self.delay;
        let flag = Arc::clone(&self.dropped_early);
        let mut open = self.gate.0.subscribe();
        Box::pin(async_stream::stream! {
            let mut guard = DropFlag(flag, false);
            // A dropped gate means the harness is gone: answer at once.
            let _ = open.wait_for(|open| *open).await;
            for event in script {
                if let Some(delay) = delay {
                    tokio::time::sleep(delay).await;
                }
                yield event;
            }
            guard.1 = true;
        })
    }
}

fn text(parts: &[&str]) -> Script {
    let mut script: Script = parts
        .iter()
        .map(|p| Ok(ModelEvent::TextDelta((*p).to_owned())))
        .collect();
    script.push(Ok(ModelEvent::Finished));
    script
}

struct Harness {
    chatkit: ChatKit,
    provider: Arc<ScriptedProvider>,
    tasks: Tasks,
    alice: (String, String),
    bob: (String, String),
    db: tasktalk_core::db::Database,
}

async fn harness(t: &TestDatabase, provider: ScriptedProvider) -> Harness {
    let provider = Arc::new(provider);
    harness_answered_by(t, provider.clone(), provider).await
}

/// A harness whose agent asks `answering`; `provider` is only recorded.
async fn harness_answered_by(
    t: &TestDatabase,
    provider: Arc<ScriptedProvider>,
    answering: Arc<dyn Provider>,
) -> Harness {
    let accounts = Accounts::new(t.db.clone(), AuthConfig::default());
    let tokens = Arc::new(
        Tokens::load(&t.db, TokenConfig::new(Secret::new(BETTER_AUTH_SECRET)))
            .await
            .unwrap_or_else(|e| panic!("{e}")),
    );
    let mut users = Vec::new();
    for email in ["alice@example.com", "bob@example.com"] {
        let signed = accounts
            .sign_up(email, "User", "correct horse", &ClientInfo::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let jwt = tokens.issue(&signed.user).unwrap_or_else(|e| panic!("{e}")).token;
        users.push((signed.user.id, format!("Bearer {jwt}")));
    }
    let tasks = Tasks::new(t.db.clone());
    let agent = Agent::new(answering, tasks.clone());
    let bob = users.pop().unwrap_or_default();
    let alice = users.pop().unwrap_or_default();
    Harness {
        chatkit: ChatKit::new(t.db.clone(), tokens, agent),
        provider,
        tasks,
        alice,
        bob,
        db: t.db.clone(),
    }
}

fn input(text: &str) -> Value {
    json!({"content": [{"type": "input_text", "text": text}], "attachments": [], "inference_options": {}})
}

impl Harness {
    async fn call(&self, auth: &str, body: Value) -> Response {
        self.chatkit.process(Some(auth), body.to_string().as_bytes()).await
    }

    async fn json(&self, auth: &str, body: Value) -> (u16, Value) {
        match self.call(auth, body).await {
            Response::Json { status, body } => (status, body),
            Response::Stream(_) => panic!("expected JSON"),
        }
    }

    async fn events(&self, auth: &str, body: Value) -> Vec<Value> {
        match self.call(auth, body).await {
            Response::Stream(mut stream) => {
                let mut events = Vec::new();
                while let Some(event) = stream.next().await {
                    events.push(serde_json::to_value(&event).unwrap_or_default());
                }
                events
            }
            Response::Json { status, body } => panic!("expected a stream, got {status} {body}"),
        }
    }

    async fn create(&self, auth: &str, message: &str) -> (String, Vec<Value>) {
        let events = self
            .events(
                auth,
                json!({"type": "threads.create", "params": {"input": input(message)}}),
            )
            .await;
        let id = events[0]["thread"]["id"].as_str().unwrap_or_default().to_owned();
        (id, events)
    }
}

fn types(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            let t = e["type"].as_str().unwrap_or_default();
            match (t, e["item"]["type"].as_str(), e["update"]["type"].as_str()) {
                (_, Some(item), _) => format!("{t}:{item}"),
                (_, _, Some(update)) => format!("{t}:{}", update.rsplit('.').next().unwrap_or_default()),
                _ => t.to_owned(),
            }
        })
        .collect()
}

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["id"].as_str().map(str::to_owned))
        .collect()
}

/// What the web back end leaves for a conversation started there: a
/// `conversations` row without a ChatKit id and its `messages`, no items.
async fn web_conversation(db: &Database, user_id: &str, messages: &[(&str, &str)]) -> i32 {
    let now = Timestamp::now();
    let id: i32 = on_db!(db, pool => sqlx::query_scalar(
        "insert into conversations (user_id, title, created_at, updated_at) values ($1, 'from the web', $2, $2) returning id")
        .bind(user_id).bind(now).fetch_one(pool).await).unwrap_or_else(|e| panic!("{e}"));
    for (role, content) in messages {
        on_db!(db, pool => sqlx::query("insert into messages (conversation_id, user_id, role, content, created_at) values ($1, $2, $3, $4, $5)")
            .bind(id).bind(user_id).bind(*role).bind(*content).bind(now).execute(pool).await.map(|_| ())).unwrap_or_else(|e| panic!("{e}"));
    }
    id
}

async fn message_rows(db: &Database, conversation: i32) -> Vec<(String, String)> {
    on_db!(db, pool => sqlx::query_as("select role, content from messages where conversation_id = $1 order by id")
        .bind(conversation).fetch_all(pool).await)
    .unwrap_or_else(|e| panic!("{e}"))
}

/// `(type, text)` of each item of a page.
fn item_texts(page: &Value) -> Vec<(String, String)> {
    page["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| {
            (
                i["type"].as_str().unwrap_or_default().to_owned(),
                i["content"][0]["text"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// On the web version's own schema (PostgreSQL only, `role varchar`): her web
/// chat reads here, and what this side adds is what the web back end reads.
#[tokio::test]
async fn the_web_versions_own_chat_reads_here_and_replies_are_written_as_the_web_reads_them() {
    web_chat_round_trip(None).await;
}

/// The same with `messages.role` as the PostgreSQL enum SQLAlchemy creates by
/// default for an `Enum` column.
#[tokio::test]
async fn the_web_versions_chat_round_trips_with_an_enum_role_column() {
    web_chat_round_trip(Some(
        "create type messagerole as enum ('USER', 'ASSISTANT');
         alter table messages alter column role type messagerole using role::messagerole",
    ))
    .await;
}

/// The web version's own database, migrated, with her signed in here.
struct WebChat {
    t: TestDatabase,
    web: WebUser,
    chatkit: ChatKit,
    auth: String,
}

impl WebChat {
    async fn start(alter_schema: Option<&str>, provider: ScriptedProvider) -> Self {
        let t = TestDatabase::empty_postgres().await;
        let web = build_web_version_own_database(&t.db).await;
        if let Some(sql) = alter_schema {
            execute_script(&t.db, sql).await;
        }
        t.db.migrate().await.unwrap_or_else(|e| panic!("{e}"));
        let accounts = Accounts::new(t.db.clone(), AuthConfig::default());
        let signed = accounts
            .sign_in(&web.email, &web.password, &ClientInfo::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let tokens = Arc::new(
            Tokens::load(&t.db, TokenConfig::new(Secret::new(BETTER_AUTH_SECRET)))
                .await
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let auth = format!(
            "Bearer {}",
            tokens.issue(&signed.user).unwrap_or_else(|e| panic!("{e}")).token
        );
        let chatkit = ChatKit::new(
            t.db.clone(),
            tokens,
            Agent::new(Arc::new(provider), Tasks::new(t.db.clone())),
        );
        Self { t, web, chatkit, auth }
    }

    async fn call(&self, body: Value) -> Response {
        self.chatkit
            .process(Some(&self.auth), body.to_string().as_bytes())
            .await
    }
}

async fn web_chat_round_trip(alter_schema: Option<&str>) {
    let provider = ScriptedProvider {
        scripts: Mutex::new(VecDeque::from([text(&["Done: watered."])])),
        ..Default::default()
    };
    let chat = WebChat::start(alter_schema, provider).await;
    let call = |body: Value| chat.call(body);
    let Response::Json { body: threads, .. } = call(json!({"type": "threads.list", "params": {}})).await else {
        panic!("expected JSON")
    };
    assert_eq!(threads["data"][0]["title"], "web chat", "{threads}");
    let thread_id = ids(&threads)[0].clone();
    let Response::Json { body: items, .. } =
        call(json!({"type": "items.list", "params": {"thread_id": thread_id, "order": "asc"}})).await
    else {
        panic!("expected JSON")
    };
    assert_eq!(
        item_texts(&items),
        [
            ("user_message".to_owned(), "what is still open?".to_owned()),
            (
                "assistant_message".to_owned(),
                "You have 1 open task: water the plants.".to_owned()
            ),
        ]
    );
    let Response::Stream(mut stream) = call(
        json!({"type": "threads.add_user_message", "params": {"thread_id": thread_id, "input": input("watered them")}}),
    )
    .await
    else {
        panic!("expected a stream")
    };
    while stream.next().await.is_some() {}
    let rows: Vec<(String, String)> = on_db!(&chat.t.db, pool => sqlx::query_as("select cast(role as text), content from messages where conversation_id = $1 order by id")
        .bind(chat.web.conversation_id).fetch_all(pool).await).unwrap_or_else(|e| panic!("{e}"));
    let roles: Vec<&str> = rows.iter().map(|(role, _)| role.as_str()).collect();
    assert_eq!(roles, ["USER", "ASSISTANT", "USER", "ASSISTANT"]);
}

/// Better Auth deletes a user without the web version's conversations,
/// which have no foreign key to the user: her thread is still there, but
/// her token is refused, and nothing is written to it.
#[tokio::test]
async fn a_message_to_a_web_conversation_whose_account_was_deleted_is_a_401() {
    let chat = WebChat::start(None, ScriptedProvider::default()).await;
    let Response::Json { body: threads, .. } = chat.call(json!({"type": "threads.list", "params": {}})).await else {
        panic!("expected JSON")
    };
    let thread_id = ids(&threads)[0].clone();
    on_db!(&chat.t.db, pool => sqlx::query(r#"delete from "user" where "id" = $1"#).bind(&chat.web.id).execute(pool).await.map(|_| ()))
        .unwrap_or_else(|e| panic!("{e}"));
    let before = message_rows(&chat.t.db, chat.web.conversation_id).await;
    assert!(!before.is_empty(), "the conversation outlived its account");
    for body in [
        json!({"type": "threads.add_user_message", "params": {"thread_id": thread_id, "input": input("still there?")}}),
        json!({"type": "threads.add_user_message", "params": {"thread_id": "thr_gone", "input": input("still there?")}}),
    ] {
        let Response::Json { status, body } = chat.call(body).await else {
            panic!("expected a refusal, not a stream")
        };
        assert_eq!(
            (status, body["error"]["code"].clone()),
            (401, json!("unauthorized")),
            "{body}"
        );
    }
    assert_eq!(message_rows(&chat.t.db, chat.web.conversation_id).await, before);
}

test_on_both_databases! {
    async fn a_conversation_started_on_the_web_reads_message_by_message_and_continues_here(t: TestDatabase) {
        let h = harness(&t, ScriptedProvider { scripts: Mutex::new(VecDeque::from([text(&["Noted."])])), ..Default::default() }).await;
        let conversation = web_conversation(&h.db, &h.alice.0, &[
            ("USER", "hello from the browser"), ("ASSISTANT", "Hi! How can I help?"), ("TOOL", "{}"), ("user", "either spelling"),
        ]).await;
        let (_, threads) = h.json(&h.alice.1, json!({"type": "threads.list", "params": {}})).await;
        let listed = ids(&threads);
        assert_eq!(listed.len(), 1, "{threads}");
        assert_eq!(threads["data"][0]["title"], "from the web");
        let thread_id = listed[0].clone();
        let (_, bobs) = h.json(&h.bob.1, json!({"type": "threads.list", "params": {}})).await;
        assert!(ids(&bobs).is_empty());
        let (status, _) = h.json(&h.bob.1, json!({"type": "items.list", "params": {"thread_id": thread_id}})).await;
        assert_eq!(status, 404, "another user's web conversation is not found");

        let expected = [
            ("user_message".to_owned(), "hello from the browser".to_owned()),
            ("assistant_message".to_owned(), "Hi! How can I help?".to_owned()),
            ("user_message".to_owned(), "either spelling".to_owned()),
        ];
        let (status, items) = h.json(&h.alice.1, json!({"type": "items.list", "params": {"thread_id": thread_id, "order": "asc"}})).await;
        assert_eq!(status, 200, "{items}");
        assert_eq!(item_texts(&items), expected);
        assert!(items["data"].as_array().into_iter().flatten().all(|i| i["thread_id"] == thread_id.as_str()));
        let (_, newest) = h.json(&h.alice.1, json!({"type": "items.list", "params": {"thread_id": thread_id, "limit": 1}})).await;
        assert_eq!(item_texts(&newest), [expected[2].clone()]);
        let (_, thread) = h.json(&h.alice.1, json!({"type": "threads.get_by_id", "params": {"thread_id": thread_id}})).await;
        assert_eq!(thread["items"]["data"].as_array().map(Vec::len), Some(3));

        // A new turn continues it, with the web's messages as the model's history.
        let events = h.events(&h.alice.1, json!({"type": "threads.add_user_message", "params": {"thread_id": thread_id, "input": input("and one more")}})).await;
        assert_eq!(events.last().map(|e| e["item"]["content"][0]["text"].clone()), Some(json!("Noted.")));
        let requests = h.provider.requests.lock().map(|r| r.clone()).unwrap_or_default();
        let history: Vec<(Role, String)> = requests[0].messages[1..].iter().map(|m| (m.role, m.content.clone())).collect();
        assert_eq!(history, [
            (Role::User, "hello from the browser".to_owned()), (Role::Assistant, "Hi! How can I help?".to_owned()),
            (Role::User, "either spelling".to_owned()), (Role::User, "and one more".to_owned()),
        ]);
        let (_, items) = h.json(&h.alice.1, json!({"type": "items.list", "params": {"thread_id": thread_id, "order": "asc"}})).await;
        assert_eq!(item_texts(&items).len(), 5, "read once, never twice: {items}");
        let rows = message_rows(&h.db, conversation).await;
        assert_eq!(rows[4..], [("USER".to_owned(), "and one more".to_owned()), ("ASSISTANT".to_owned(), "Noted.".to_owned())]);
        assert_eq!(rows.len(), 6, "the web's rows are kept as they were");
    }

    async fn a_web_message_after_a_long_read_history_reaches_the_list_and_the_model(t: TestDatabase) {
        // Only the newest messages are looked at for unread ones: a web
        // message after 200 read ones must still be found, by a page and by a turn.
        let h = harness(&t, ScriptedProvider { scripts: Mutex::new(VecDeque::from([text(&["Noted."])])), ..Default::default() }).await;
        let history: Vec<(&str, String)> = (0..200).map(|n| (if n % 2 == 0 { "USER" } else { "ASSISTANT" }, format!("message {n}"))).collect();
        let history: Vec<(&str, &str)> = history.iter().map(|(role, text)| (*role, text.as_str())).collect();
        let conversation = web_conversation(&h.db, &h.alice.0, &history).await;
        let thread_id = format!("thr_web_{conversation}");
        let (_, page) = h.json(&h.alice.1, json!({"type": "items.list", "params": {"thread_id": thread_id, "limit": 1}})).await;
        assert_eq!(item_texts(&page), [("assistant_message".to_owned(), "message 199".to_owned())]);
        for text in ["from the web, read by a page", "from the web, read by a turn"] {
            on_db!(&h.db, pool => sqlx::query("insert into messages (conversation_id, user_id, role, content, created_at) values ($1, $2, 'USER', $3, $4)")
                .bind(conversation).bind(&h.alice.0).bind(text).bind(Timestamp::now()).execute(pool).await.map(|_| ())).unwrap_or_else(|e| panic!("{e}"));
            if text.ends_with("page") {
                let (_, page) = h.json(&h.alice.1, json!({"type": "items.list", "params": {"thread_id": thread_id, "limit": 1}})).await;
                assert_eq!(item_texts(&page), [("user_message".to_owned(), text.to_owned())]);
            }
        }
        h.events(&h.alice.1, json!({"type": "threads.add_user_message", "params": {"thread_id": thread_id, "input": input("and here")}})).await;
        let requests = h.provider.requests.lock().map(|r| r.clone()).unwrap_or_default();
        let seen: Vec<&str> = requests[0].messages.iter().rev().take(3).map(|m| m.content.as_str()).collect();
        assert_eq!(seen, ["and here", "from the web, read by a turn", "from the web, read by a page"]);
    }

    async fn a_web_reply_to_a_thread_started_here_reads_here(t: TestDatabase) {
        let h = harness(&t, ScriptedProvider { scripts: Mutex::new(VecDeque::from([text(&["Hi."])])), ..Default::default() }).await;
        let (thread_id, _) = h.create(&h.alice.1, "started here").await;
        let conversation: i32 = on_db!(&h.db, pool => sqlx::query_scalar("select id from conversations where external_id = $1")
            .bind(&thread_id).fetch_one(pool).await).unwrap_or_else(|e| panic!("{e}"));
        on_db!(&h.db, pool => sqlx::query("insert into messages (conversation_id, user_id, role, content, created_at) values ($1, $2, 'USER', 'continued on the web', $3)")
            .bind(conversation).bind(&h.alice.0).bind(Timestamp::now()).execute(pool).await.map(|_| ())).unwrap_or_else(|e| panic!("{e}"));
        let (_, items) = h.json(&h.alice.1, json!({"type": "items.list", "params": {"thread_id": thread_id, "order": "asc"}})).await;
        let texts: Vec<String> = item_texts(&items).into_iter().map(|(_, text)| text).collect();
        assert_eq!(texts, ["started here", "Hi.", "continued on the web"]);
    }
}

test_on_both_databases! {
    async fn a_new_thread_streams_in_the_sdks_order_and_is_stored(t: TestDatabase) {
        let h = harness(&t, ScriptedProvider { scripts: Mutex::new(VecDeque::from([text(&["Hello", ", Alice!"])])), ..Default::default() }).await;
        let (thread_id, events) = h.create(&h.alice.1, "Plan my week").await;
        assert_eq!(types(&events), [
            "thread.created", "thread.item.done:user_message", "stream_options", "thread.updated",
            "thread.item.added:assistant_message", "thread.item.updated:added", "thread.item.updated:text_delta",
            "thread.item.updated:text_delta", "thread.item.updated:done", "thread.item.done:assistant_message",
        ]);
        assert!(thread_id.starts_with("thr_"));
        assert!(events[0]["thread"].get("title").is_none(), "empty fields are omitted, not null");
        assert_eq!(events[3]["thread"]["title"], "Plan my week");
        assert_eq!(events.last().map(|e| e["item"]["content"][0]["text"].clone()), Some(json!("Hello, Alice!")));
        for event in &events[1..] {
            if let Some(item) = event.get("item") {
                assert_eq!(item["thread_id"], thread_id.as_str());
            }
        }
        // The model saw the system prompt with today's date and the user's message.
        let requests = h.provider.requests.lock().map(|r| r.clone()).unwrap_or_default();
        let first = &requests[0];
        assert_eq!(first.messages[0].role, Role::System);
        assert!(first.messages[0].content.contains(&chrono::Local::now().format("%Y").to_string()));
        assert_eq!(first.messages.last().map(|m| m.content.as_str()), Some("Plan my week"));
        assert_eq!(first.tools.len(), 5);

        let (status, thread) = h.json(&h.alice.1, json!({"type": "threads.get_by_id", "params": {"thread_id": thread_id}})).await;
        assert_eq!(status, 200);
        assert_eq!(thread["title"], "Plan my week");
        assert_eq!(thread["items"]["data"].as_array().map(Vec::len), Some(2));
        // The web version sees the same conversation in its own tables.
        let messages: Vec<(String, String)> = on_db!(&h.db, pool => sqlx::query_as(
            "select m.role, m.content from messages m join conversations c on c.id = m.conversation_id where c.external_id = $1 order by m.id")
            .bind(&thread_id).fetch_all(pool).await).unwrap_or_default();
        // The roles are what the web back end's SQLAlchemy enum reads: its member names.
        assert_eq!(messages, [("USER".to_owned(), "Plan my week".to_owned()), ("ASSISTANT".to_owned(), "Hello, Alice!".to_owned())]);
    }

    async fn lists_page_with_cursors_in_both_orders(t: TestDatabase) {
        let h = harness(&t, ScriptedProvider::default()).await;
        let mut threads = Vec::new();
        for n in 0..3 {
            threads.push(h.create(&h.alice.1, &format!("thread {n}")).await.0);
        }
        h.create(&h.bob.1, "bob's").await;
        let (_, page) = h.json(&h.alice.1, json!({"type": "threads.list", "params": {"limit": 2}})).await;
        assert_eq!(ids(&page), [threads[2].clone(), threads[1].clone()]);
        assert_eq!((page["has_more"].clone(), page["after"].clone()), (json!(true), json!(threads[1])));
        assert_eq!(page["data"][0]["items"], json!({"data": [], "has_more": false}));
        let (_, rest) = h.json(&h.alice.1, json!({"type": "threads.list", "params": {"limit": 2, "after": threads[1]}})).await;
        assert_eq!(ids(&rest), [threads[0].clone()]);
        assert!(rest.get("after").is_none() && rest["has_more"] == json!(false));
        let (_, asc) = h.json(&h.alice.1, json!({"type": "threads.list", "params": {"order": "asc"}})).await;
        assert_eq!(ids(&asc), threads);

        let thread = &threads[0];
        let (_, all) = h.json(&h.alice.1, json!({"type": "items.list", "params": {"thread_id": thread, "order": "asc"}})).await;
        let all = ids(&all);
        assert_eq!(all.len(), 2);
        let (_, desc) = h.json(&h.alice.1, json!({"type": "items.list", "params": {"thread_id": thread}})).await;
        assert_eq!(ids(&desc), [all[1].clone(), all[0].clone()], "items default to newest first");
        let (_, first) = h.json(&h.alice.1, json!({"type": "items.list", "params": {"thread_id": thread, "order": "asc", "limit": 1}})).await;
        assert_eq!((ids(&first), first["after"].clone()), (vec![all[0].clone()], json!(all[0])));
        let (_, second) = h.json(&h.alice.1, json!({"type": "items.list", "params": {"thread_id": thread, "order": "asc", "limit": 1, "after": all[0]}})).await;
        assert_eq!(ids(&second), [all[1].clone()]);
        let (status, _) = h.json(&h.alice.1, json!({"type": "items.list", "params": {"thread_id": thread, "after": "msg_nope"}})).await;
        assert_eq!(status, 400);
    }

    async fn another_users_threads_behave_like_missing_ones(t: TestDatabase) {
        let h = harness(&t, ScriptedProvider::default()).await;
        let (thread, _) = h.create(&h.alice.1, "alice's secret plans").await;
        let (_, items) = h.json(&h.alice.1, json!({"type": "items.list", "params": {"thread_id": thread}})).await;
        let user_item = ids(&items)[1].clone();
        for body in [
            json!({"type": "threads.get_by_id", "params": {"thread_id": thread}}),
            json!({"type": "items.list", "params": {"thread_id": thread}}),
            json!({"type": "threads.update", "params": {"thread_id": thread, "title": "mine"}}),
            json!({"type": "threads.delete", "params": {"thread_id": thread}}),
            json!({"type": "items.feedback", "params": {"thread_id": thread, "item_ids": [user_item], "kind": "negative"}}),
        ] {
            let (status, error) = h.json(&h.bob.1, body.clone()).await;
            assert_eq!(status, 404, "{body}");
            assert_eq!(error["error"]["message"], format!("Thread {thread} was not found."));
        }
        for body in [
            json!({"type": "threads.add_user_message", "params": {"thread_id": thread, "input": input("hijack")}}),
            json!({"type": "threads.retry_after_item", "params": {"thread_id": thread, "item_id": user_item}}),
        ] {
            let events = h.events(&h.bob.1, body).await;
            assert_eq!(types(&events), ["error"]);
            assert!(events[0]["message"].as_str().unwrap_or_default().contains("was not found"));
        }
        let (_, bobs) = h.json(&h.bob.1, json!({"type": "threads.list", "params": {}})).await;
        assert!(ids(&bobs).is_empty());
        let (status, same) = h.json(&h.alice.1, json!({"type": "threads.get_by_id", "params": {"thread_id": thread}})).await;
        assert_eq!((status, same["title"].clone(), same["items"]["data"].as_array().map(Vec::len)), (200, json!("alice's secret plans"), Some(2)));
    }

    async fn each_message_item_names_the_message_row_holding_its_text(t: TestDatabase) {
        let scripts = VecDeque::from([text(&["first answer"]), text(&["other answer"]), text(&["second answer"]), text(&["retried answer"])]);
        let h = harness(&t, ScriptedProvider { scripts: Mutex::new(scripts), ..Default::default() }).await;
        let (one, _) = h.create(&h.alice.1, "one").await;
        h.create(&h.alice.1, "other").await;
        h.events(&h.alice.1, json!({"type": "threads.add_user_message", "params": {"thread_id": one, "input": input("two")}})).await;
        let (_, items) = h.json(&h.alice.1, json!({"type": "items.list", "params": {"thread_id": one, "order": "asc"}})).await;
        h.events(&h.alice.1, json!({"type": "threads.retry_after_item", "params": {"thread_id": one, "item_id": ids(&items)[2]}})).await;
        let linked: Vec<(String, String, bool)> = on_db!(&h.db, pool => sqlx::query_as(
            "select m.content, i.item, m.conversation_id = i.conversation_id from tasktalk_chat_items i
             join messages m on m.id = i.message_id order by i.seq")
            .fetch_all(pool).await).unwrap_or_else(|e| panic!("{e}"));
        let texts: Vec<&str> = linked.iter().map(|(content, _, _)| content.as_str()).collect();
        assert_eq!(texts, ["one", "first answer", "other", "other answer", "two", "retried answer"]);
        assert!(linked.iter().all(|(content, item, same)| *same && item.contains(&format!("\"{content}\""))), "{linked:?}");
        // The replaced answer's message went with its item.
        let messages: i64 = on_db!(&h.db, pool => sqlx::query_scalar("select count(*) from messages").fetch_one(pool).await)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(messages, 6);
    }

    async fn rename_retry_feedback_and_delete(t: TestDatabase) {
        let scripts = VecDeque::from([text(&["first answer"]), text(&["second answer"]), text(&["retried answer"])]);
        let h = harness(&t, ScriptedProvider { scripts: Mutex::new(scripts), ..Default::default() }).await;
        let (thread, _) = h.create(&h.alice.1, "one").await;
        let (status, renamed) = h.json(&h.alice.1, json!({"type": "threads.update", "params": {"thread_id": thread, "title": "  Renamed  "}})).await;
        assert_eq!((status, renamed["title"].clone()), (200, json!("Renamed")));
        let (status, _) = h.json(&h.alice.1, json!({"type": "threads.update", "params": {"thread_id": thread, "title": " "}})).await;
        assert_eq!(status, 400);

        let events = h.events(&h.alice.1, json!({"type": "threads.add_user_message", "params": {"thread_id": thread, "input": input("two")}})).await;
        assert_eq!(types(&events)[..2], ["thread.item.done:user_message", "stream_options"]);
        assert!(!types(&events).contains(&"thread.updated".to_owned()), "only a new thread is titled");
        let (_, items) = h.json(&h.alice.1, json!({"type": "items.list", "params": {"thread_id": thread, "order": "asc"}})).await;
        let before = ids(&items);
        assert_eq!(before.len(), 4);

        let retried = h.events(&h.alice.1, json!({"type": "threads.retry_after_item", "params": {"thread_id": thread, "item_id": before[2]}})).await;
        assert_eq!(types(&retried)[0], "stream_options");
        assert!(!types(&retried).iter().any(|t| t.ends_with("user_message")), "the user message is not re-sent");
        let (_, items) = h.json(&h.alice.1, json!({"type": "items.list", "params": {"thread_id": thread, "order": "asc"}})).await;
        let after = ids(&items);
        assert_eq!(after[..3], before[..3]);
        assert_ne!(after[3], before[3]);
        assert_eq!(items["data"][3]["content"][0]["text"], "retried answer");
        // The retried model call saw the conversation up to the retried message only.
        let last_request = h.provider.requests.lock().ok().and_then(|r| r.last().cloned());
        let contents: Vec<String> = last_request.map(|r| r.messages.iter().skip(1).map(|m| m.content.clone()).collect()).unwrap_or_default();
        assert_eq!(contents, ["one", "first answer", "two"]);
        let bad_retry = h.events(&h.alice.1, json!({"type": "threads.retry_after_item", "params": {"thread_id": thread, "item_id": after[3]}})).await;
        assert_eq!(types(&bad_retry), ["error"]);

        let (status, ok) = h.json(&h.alice.1, json!({"type": "items.feedback", "params": {"thread_id": thread, "item_ids": [after[3]], "kind": "positive"}})).await;
        assert_eq!((status, ok), (200, json!({})));
        let (status, _) = h.json(&h.alice.1, json!({"type": "items.feedback", "params": {"thread_id": thread, "item_ids": ["msg_unknown"], "kind": "positive"}})).await;
        assert_eq!(status, 404);

        let (status, ok) = h.json(&h.alice.1, json!({"type": "threads.delete", "params": {"thread_id": thread}})).await;
        assert_eq!((status, ok), (200, json!({})));
        let (status, _) = h.json(&h.alice.1, json!({"type": "threads.get_by_id", "params": {"thread_id": thread}})).await;
        assert_eq!(status, 404);
        let left: i64 = on_db!(&h.db, pool => sqlx::query_scalar("select count(*) from messages").fetch_one(pool).await).unwrap_or(-1);
        assert_eq!(left, 0, "the thread's messages went with it");
    }

    async fn tool_calls_run_once_for_the_token_user_and_show_as_task_items(t: TestDatabase) {
        let call = ToolCall { id: "call_1".into(), name: "add_task".into(), arguments: r#"{"title": "buy milk", "user_id": "someone-else"}"#.into() };
        let scripts = VecDeque::from([
            vec![Ok(ModelEvent::TextDelta("Adding it.".into())), Ok(ModelEvent::ToolCall(call)), Ok(ModelEvent::Finished)],
            text(&["Added buy milk."]),
        ]);
        let h = harness(&t, ScriptedProvider { scripts: Mutex::new(scripts), ..Default::default() }).await;
        let (thread, events) = h.create(&h.alice.1, "add a task to buy milk").await;
        let kinds = types(&events);
        let tail: Vec<&str> = kinds.iter().skip(4).map(String::as_str).collect();
        assert_eq!(tail, [
            "thread.item.added:assistant_message", "thread.item.updated:added", "thread.item.updated:text_delta",
            "thread.item.updated:done", "thread.item.done:assistant_message",
            "thread.item.added:task", "thread.item.done:task", "client_effect",
            "thread.item.added:assistant_message", "thread.item.updated:added", "thread.item.updated:text_delta",
            "thread.item.updated:done", "thread.item.done:assistant_message",
        ]);
        let task_done = events.iter().find(|e| e["type"] == "thread.item.done" && e["item"]["type"] == "task").cloned().unwrap_or_default();
        assert_eq!(task_done["item"]["task"]["status_indicator"], "complete");
        assert!(task_done["item"]["task"]["title"].as_str().unwrap_or_default().starts_with("Added task"));
        let alices = h.tasks.list(&h.alice.0, StatusFilter::All, Page::default()).await.unwrap_or_default();
        assert_eq!(alices.iter().map(|t| t.title.as_str()).collect::<Vec<_>>(), ["buy milk"]);
        assert!(h.tasks.list("someone-else", StatusFilter::All, Page::default()).await.unwrap_or_default().is_empty());
        // The second model call got the tool result.
        let requests = h.provider.requests.lock().map(|r| r.clone()).unwrap_or_default();
        let tool_message = requests[1].messages.iter().find(|m| m.role == Role::Tool).cloned();
        assert!(tool_message.map(|m| m.content.contains(r#""status":"created""#)).unwrap_or(false));
        let (_, items) = h.json(&h.alice.1, json!({"type": "items.list", "params": {"thread_id": thread, "order": "asc"}})).await;
        let stored: Vec<&str> = items["data"].as_array().into_iter().flatten().filter_map(|i| i["type"].as_str()).collect();
        assert_eq!(stored, ["user_message", "assistant_message", "task", "assistant_message"]);
    }

    async fn a_provider_failure_ends_in_an_error_event_and_keeps_the_message(t: TestDatabase) {
        let failure = ProviderError::new(ProviderErrorKind::RateLimited, "OpenAI is rate limiting requests; try again shortly.");
        let scripts = VecDeque::from([vec![Ok(ModelEvent::TextDelta("Partial".into())), Err(failure)]]);
        let h = harness(&t, ScriptedProvider { scripts: Mutex::new(scripts), ..Default::default() }).await;
        let (thread, events) = h.create(&h.alice.1, "hello?").await;
        let last = events.last().cloned().unwrap_or_default();
        assert_eq!(last["type"], "error");
        assert_eq!(last["allow_retry"], true);
        assert!(last["message"].as_str().unwrap_or_default().contains("rate limiting"));
        let (_, items) = h.json(&h.alice.1, json!({"type": "items.list", "params": {"thread_id": thread, "order": "asc"}})).await;
        let texts: Vec<&str> = items["data"].as_array().into_iter().flatten().map(|i| i["content"][0]["text"].as_str().unwrap_or_default()).collect();
        assert_eq!(texts, ["hello?", "Partial"]);
    }

    async fn dropping_the_stream_cancels_the_model_and_keeps_the_partial_answer(t: TestDatabase) {
        let slow = text(&["one ", "two ", "three ", "four ", "five"]);
        let provider = ScriptedProvider { scripts: Mutex::new(VecDeque::from([slow])), delay: Some(Duration::from_millis(150)), ..Default::default() };
        let h = harness(&t, provider).await;
        let Response::Stream(mut stream) = h.call(&h.alice.1, json!({"type": "threads.create", "params": {"input": input("count slowly")}})).await else {
            panic!("expected a stream");
        };
        let mut thread = String::new();
        while let Some(event) = stream.next().await {
            if let Event::ThreadCreated { thread: t } = &event {
                thread = t.id.clone();
            }
            if matches!(event, Event::ItemUpdated { .. }) && serde_json::to_string(&event).unwrap_or_default().contains("text_delta") {
                break;
            }
        }
        drop(stream);
        // Give the turn time to notice and store what it had.
        let mut stored = Vec::new();
        for _ in 0..40 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            stored = on_db!(&h.db, pool => sqlx::query_scalar::<_, String>(
                "select i.item_type from tasktalk_chat_items i join conversations c on c.id = i.conversation_id where c.external_id = $1 order by i.seq")
                .bind(&thread).fetch_all(pool).await).unwrap_or_default();
            if stored.len() >= 3 {
                break;
            }
        }
        assert_eq!(stored, ["user_message", "assistant_message", "sdk_hidden_context"]);
        assert!(h.provider.dropped_early.load(Ordering::SeqCst), "the model stream was abandoned");
        let (_, items) = h.json(&h.alice.1, json!({"type": "items.list", "params": {"thread_id": thread, "order": "asc"}})).await;
        let visible: Vec<&str> = items["data"].as_array().into_iter().flatten().filter_map(|i| i["type"].as_str()).collect();
        assert_eq!(visible, ["user_message", "assistant_message"], "hidden context never reaches the client");
        let partial = items["data"][1]["content"][0]["text"].as_str().unwrap_or_default().to_owned();
        assert!(partial.starts_with("one") && !partial.contains("five"), "{partial}");
    }

    async fn bad_requests_get_clear_4xx_answers_and_change_nothing(t: TestDatabase) {
        let h = harness(&t, ScriptedProvider::default()).await;
        let process = |auth: Option<&'static str>, body: Vec<u8>| {
            let chatkit = h.chatkit.clone();
            async move {
                match chatkit.process(auth, &body).await {
                    Response::Json { status, body } => (status, body),
                    Response::Stream(_) => (200, Value::Null),
                }
            }
        };
        let list = br#"{"type":"threads.list","params":{}}"#.to_vec();
        assert_eq!(process(None, list.clone()).await.0, 401);
        assert_eq!(process(Some("Bearer not.a.jwt"), list.clone()).await.0, 401);
        assert_eq!(process(Some("Basic abc"), list).await.0, 401);
        let auth: &'static str = Box::leak(h.alice.1.clone().into_boxed_str());
        for (body, expected) in [
            (b"{\"type\": \"threads.list\", ".to_vec(), 400),
            (b"".to_vec(), 400),
            (br#"{"type":"threads.frobnicate","params":{}}"#.to_vec(), 400),
            (br#"{"type":"threads.get_by_id"}"#.to_vec(), 400),
            (br#"{"type":"attachments.create","params":{"name":"a.png","size":1,"mime_type":"image/png"}}"#.to_vec(), 400),
            (vec![b' '; tasktalk_core::chatkit::MAX_BODY_BYTES + 1], 413),
        ] {
            let (status, error) = process(Some(auth), body).await;
            assert_eq!(status, expected, "{error}");
            assert!(!error["error"]["message"].as_str().unwrap_or_default().is_empty());
        }
        // A malformed streaming request is refused before any stream starts.
        let (status, error) = h.json(&h.alice.1, json!({"type": "threads.add_user_message", "params": {"thread_id": "thr_nope", "input": {"content": [{"type": "input_text", "text": "x"}]}}})).await;
        assert_eq!(status, 400);
        assert!(error["error"]["message"].as_str().unwrap_or_default().contains("attachments"), "{error}");
        let custom = h.events(&h.alice.1, json!({"type": "threads.create", "params": {"input": input("x")}})).await;
        let thread = custom[0]["thread"]["id"].clone();
        let refused = h.events(&h.alice.1, json!({"type": "threads.custom_action", "params": {"thread_id": thread, "action": {"type": "x", "payload": {}}}})).await;
        assert_eq!((types(&refused), refused[0]["allow_retry"].clone()), (vec!["error".to_owned()], json!(false)));
    }

    async fn ids_and_titles_with_control_characters_are_refused_not_a_database_error(t: TestDatabase) {
        let h = harness(&t, ScriptedProvider::default()).await;
        let (thread, _) = h.create(&h.alice.1, "one").await;
        // PostgreSQL cannot even compare a NUL: such an id names no thread or item (404, never 500).
        for body in [
            json!({"type": "threads.get_by_id", "params": {"thread_id": "thr_\u{0}"}}),
            json!({"type": "items.list", "params": {"thread_id": "thr_\u{0}"}}),
            json!({"type": "threads.delete", "params": {"thread_id": "thr_\u{0}"}}),
            json!({"type": "threads.update", "params": {"thread_id": "thr_\u{0}", "title": "x"}}),
            json!({"type": "items.feedback", "params": {"thread_id": thread, "item_ids": ["msg_\u{0}"], "kind": "positive"}}),
        ] {
            let (status, error) = h.json(&h.alice.1, body.clone()).await;
            assert_eq!((status, error["error"]["code"].as_str()), (404, Some("not_found")), "{body}: {error}");
        }
        let (status, error) = h.json(&h.alice.1, json!({"type": "items.list", "params": {"thread_id": thread, "after": "msg_\u{0}"}})).await;
        assert_eq!(status, 400, "{error}");
        for title in ["a\u{0}b", "bell\u{7}", "two\nlines"] {
            let (status, error) = h.json(&h.alice.1, json!({"type": "threads.update", "params": {"thread_id": thread, "title": title}})).await;
            assert_eq!(status, 400, "{title:?}: {error}");
            assert!(error["error"]["message"].as_str().unwrap_or_default().contains("control character"), "{error}");
        }
        let (_, same) = h.json(&h.alice.1, json!({"type": "threads.get_by_id", "params": {"thread_id": thread}})).await;
        assert_eq!(same["title"], "one");
    }

    async fn a_message_over_the_cap_or_with_control_characters_gets_an_error_event_and_no_turn(t: TestDatabase) {
        let h = harness(&t, ScriptedProvider::default()).await;
        let (thread, _) = h.create(&h.alice.1, "first").await;
        let items_before = ids(&h.json(&h.alice.1, json!({"type": "items.list", "params": {"thread_id": thread}})).await.1);
        let over = "a".repeat(MAX_MESSAGE_BYTES + 1);
        let refused: [(&str, Value); 6] = [
            ("too long", input(&over)),
            // Counted in bytes: 5 462 three-byte characters.
            ("too long", input(&"€".repeat(MAX_MESSAGE_BYTES / 3 + 1))),
            ("too long", json!({"content": [{"type": "input_text", "text": "a"}], "quoted_text": over, "attachments": [], "inference_options": {}})),
            ("control character", input("buy\u{0}milk")),
            ("control character", input("\u{1b}[31mred")),
            ("control character", input("bell\u{7}")),
        ];
        for (why, message) in refused {
            for body in [
                json!({"type": "threads.create", "params": {"input": message.clone()}}),
                json!({"type": "threads.add_user_message", "params": {"thread_id": thread, "input": message.clone()}}),
            ] {
                let events = h.events(&h.alice.1, body).await;
                assert_eq!(types(&events), ["error"], "{why}");
                assert_eq!(events[0]["allow_retry"], json!(false), "{why}");
                let said = events[0]["message"].as_str().unwrap_or_default();
                assert!(said.contains(why), "{said}");
            }
        }
        // Nothing was stored, and the model never saw any of them.
        let (_, threads) = h.json(&h.alice.1, json!({"type": "threads.list", "params": {}})).await;
        assert_eq!(ids(&threads), std::slice::from_ref(&thread));
        let (_, items) = h.json(&h.alice.1, json!({"type": "items.list", "params": {"thread_id": thread}})).await;
        assert_eq!(ids(&items), items_before);
        assert_eq!(h.provider.requests.lock().map(|r| r.len()).unwrap_or_default(), 1);
        // At the cap, and with tabs and line breaks, a message is answered.
        for text in ["a".repeat(MAX_MESSAGE_BYTES), "a\tb\r\nc\nd".to_owned()] {
            let events = h.events(&h.alice.1, json!({"type": "threads.add_user_message", "params": {"thread_id": thread, "input": input(&text)}})).await;
            assert_eq!(types(&events)[..2], ["thread.item.done:user_message", "stream_options"]);
            assert_eq!(events[0]["item"]["content"][0]["text"], text.as_str());
        }
    }

    async fn requests_over_a_bound_are_refused_before_any_work(t: TestDatabase) {
        let h = harness(&t, ScriptedProvider::default()).await;
        let (thread, _) = h.create(&h.alice.1, "first").await;
        let items = ids(&h.json(&h.alice.1, json!({"type": "items.list", "params": {"thread_id": thread, "order": "asc"}})).await.1);
        let feedback = |item_ids: Vec<String>| json!({"type": "items.feedback", "params": {"thread_id": thread, "item_ids": item_ids, "kind": "positive"}});
        // The most a request may carry is still answered.
        let (status, _) = h.json(&h.alice.1, feedback(vec![items[0].clone(); MAX_FEEDBACK_ITEMS])).await;
        assert_eq!(status, 200);
        let long_id = "x".repeat(MAX_ID_BYTES + 1);
        let with_parts = |content: Vec<Value>, attachments: Vec<String>| json!({"content": content, "attachments": attachments, "inference_options": {}});
        let too_much = [
            // 40 000 ids took 13 s, one lookup each; 20 000 fit in a body.
            feedback(vec![items[0].clone(); 20_000]),
            feedback(vec![items[0].clone(); MAX_FEEDBACK_ITEMS + 1]),
            feedback(vec![long_id.clone()]),
            json!({"type": "threads.get_by_id", "params": {"thread_id": long_id}}),
            json!({"type": "threads.list", "params": {"after": long_id}}),
            json!({"type": "items.list", "params": {"thread_id": thread, "after": long_id}}),
            json!({"type": "threads.update", "params": {"thread_id": thread, "title": "t".repeat(MAX_TITLE_CHARS + 1)}}),
            json!({"type": "threads.create", "params": {"input": with_parts(vec![json!({"type": "input_text", "text": "a"}); MAX_CONTENT_PARTS + 1], Vec::new())}}),
            json!({"type": "threads.add_user_message", "params": {"thread_id": thread, "input": with_parts(vec![json!({"type": "input_text", "text": "a"})], vec!["att".to_owned(); MAX_ATTACHMENTS + 1])}}),
            json!({"type": "threads.retry_after_item", "params": {"thread_id": thread, "item_id": long_id}}),
        ];
        for body in too_much {
            let what = body["type"].clone();
            let (status, error) = h.json(&h.alice.1, body).await;
            assert_eq!((status, error["error"]["code"].clone()), (400, json!("bad_request")), "{what}: {error}");
            assert!(!error["error"]["message"].as_str().unwrap_or_default().is_empty());
        }
        // Paging limits are clamped to the largest page, never refused or unbounded.
        let (status, page) = h.json(&h.alice.1, json!({"type": "items.list", "params": {"thread_id": thread, "order": "asc", "limit": u32::MAX}})).await;
        assert_eq!((status, ids(&page)), (200, items.clone()));
        let (status, _) = h.json(&h.alice.1, json!({"type": "threads.list", "params": {"limit": -1}})).await;
        assert_eq!(status, 400);
        // Nothing changed.
        let (_, after) = h.json(&h.alice.1, json!({"type": "threads.get_by_id", "params": {"thread_id": thread}})).await;
        assert_eq!((after["title"].clone(), ids(&after["items"])), (json!("first"), items));
    }
}

test_on_both_databases! {
    async fn hidden_context_from_the_model_follows_its_reply_for_the_model_only(t: TestDatabase) {
        let question: Script = vec![
            Ok(ModelEvent::TextDelta("Which one?".into())),
            Ok(ModelEvent::HiddenContext("the choices".into())),
            Ok(ModelEvent::Finished),
        ];
        let h = harness(&t, ScriptedProvider { scripts: Mutex::new(VecDeque::from([question, text(&["Done."])])), ..Default::default() }).await;
        let (thread_id, events) = h.create(&h.alice.1, "mark milk done").await;
        assert_eq!(types(&events), [
            "thread.created", "thread.item.done:user_message", "stream_options", "thread.updated",
            "thread.item.added:assistant_message", "thread.item.updated:added", "thread.item.updated:text_delta",
            "thread.item.updated:done", "thread.item.done:assistant_message",
        ]);
        assert!(!Value::Array(events).to_string().contains("the choices"), "never streamed");

        h.events(&h.alice.1, json!({"type": "threads.add_user_message", "params": {"thread_id": thread_id, "input": input("2")}})).await;
        let requests = h.provider.requests.lock().map(|r| r.clone()).unwrap_or_default();
        let history: Vec<(Role, String)> = requests[1].messages[1..].iter().map(|m| (m.role, m.content.clone())).collect();
        assert_eq!(history, [
            (Role::User, "mark milk done".to_owned()), (Role::Assistant, "Which one?".to_owned()),
            (Role::User, "the choices".to_owned()), (Role::User, "2".to_owned()),
        ]);
        let (_, items) = h.json(&h.alice.1, json!({"type": "items.list", "params": {"thread_id": thread_id, "order": "asc"}})).await;
        let texts: Vec<String> = item_texts(&items).into_iter().map(|(_, text)| text).collect();
        assert_eq!(texts, ["mark milk done", "Which one?", "2", "Done."], "never listed");
    }

    async fn the_offline_assistants_which_one_is_answered_in_the_next_turn_of_a_thread(t: TestDatabase) {
        let h = harness_answered_by(&t, Arc::default(), Arc::new(OfflineAssistant::default())).await;
        let alice = &h.alice.0;
        let milk = h.tasks.add(alice, "buy milk", None).await.unwrap_or_else(|e| panic!("{e}"));
        let oat = h.tasks.add(alice, "buy oat milk", None).await.unwrap_or_else(|e| panic!("{e}"));
        let said = |events: &[Value]| events.last().map(|e| e["item"]["content"][0]["text"].clone()).unwrap_or_default();

        let (thread_id, events) = h.create(&h.alice.1, "mark milk as done").await;
        assert_eq!(said(&events), json!(format!(
            "Several tasks match \"milk\" — which one do you mean?\n{}. buy oat milk\n{}. buy milk\nTell me its number, for \
             example \"mark {} done\".", oat.id, milk.id, oat.id
        )));
        let events = h.events(&h.alice.1, json!({"type": "threads.add_user_message", "params": {"thread_id": thread_id, "input": input("the second one")}})).await;
        assert_eq!(said(&events), json!("Marked \"buy milk\" as done."));
        let done = h.tasks.get(alice, milk.id).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(done.completed);

        let (_, items) = h.json(&h.alice.1, json!({"type": "items.list", "params": {"thread_id": thread_id, "order": "asc"}})).await;
        let kinds: Vec<String> = item_texts(&items).into_iter().map(|(kind, _)| kind).collect();
        assert_eq!(kinds, ["user_message", "task", "assistant_message", "user_message", "task", "assistant_message"], "{items}");
    }
}

impl Harness {
    /// The titles `threads.search` finds for `query`, in order.
    async fn search(&self, auth: &str, query: &str) -> Vec<String> {
        let (status, page) = self
            .json(auth, json!({"type": "threads.search", "params": {"query": query}}))
            .await;
        assert_eq!(status, 200, "{page}");
        titles(&page)
    }
}

fn titles(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| t["title"].as_str().unwrap_or_default().to_owned())
        .collect()
}

test_on_both_databases! {
    async fn search_finds_the_users_threads_by_title_or_by_one_messages_words(t: TestDatabase) {
        let scripts = VecDeque::from([text(&["Groceries noted."]), text(&["Your week looks busy."])]);
        let h = harness(&t, ScriptedProvider { scripts: Mutex::new(scripts), ..Default::default() }).await;
        h.create(&h.alice.1, "buy oat milk").await;
        h.create(&h.alice.1, "Plan my Week").await;
        web_conversation(&h.db, &h.alice.0, &[("USER", "the Quarterly REPORT is due"), ("TOOL", "{\"quarterly\": 1}")]).await;
        h.create(&h.bob.1, "plan bob's week, buy milk").await;

        assert_eq!(h.search(&h.alice.1, "week PLAN").await, ["Plan my Week"], "every word, any case, any order");
        assert_eq!(h.search(&h.alice.1, "noted").await, ["buy oat milk"], "an assistant message's text");
        assert_eq!(h.search(&h.alice.1, "quarterly report").await, ["from the web"], "a web conversation's messages");
        assert_eq!(h.search(&h.alice.1, "busy groceries").await, Vec::<String>::new(), "all words in one message");
        assert_eq!(h.search(&h.alice.1, "milk").await, ["buy oat milk"], "never another user's thread");
        assert_eq!(h.search(&h.bob.1, "quarterly").await, Vec::<String>::new());
        assert_eq!(h.search(&h.alice.1, "1}").await, Vec::<String>::new(), "tool messages are not text");
        let (_, found) = h.json(&h.alice.1, json!({"type": "threads.search", "params": {"query": "week"}})).await;
        assert_eq!(found["data"][0]["items"], json!({"data": [], "has_more": false}));
        assert!(found["data"][0]["metadata"]["updated_at"].as_str().is_some_and(|at| at.ends_with('Z')), "{found}");
    }

    async fn search_matches_percent_underscore_and_backslash_literally(t: TestDatabase) {
        let h = harness(&t, ScriptedProvider::default()).await;
        for message in ["100% sure", "1000 sure", "snake_case", "snakeXcase", "back\\slash", "backslash"] {
            h.create(&h.alice.1, message).await;
        }
        assert_eq!(h.search(&h.alice.1, "0%").await, ["100% sure"]);
        assert_eq!(h.search(&h.alice.1, "e_c").await, ["snake_case"]);
        assert_eq!(h.search(&h.alice.1, "k\\s").await, ["back\\slash"]);
        assert_eq!(h.search(&h.alice.1, "%").await, ["100% sure"]);
    }

    async fn search_refuses_unbounded_queries_and_pages_its_results(t: TestDatabase) {
        let h = harness(&t, ScriptedProvider::default()).await;
        for query in [
            String::new(),
            "   ".to_owned(),
            "a".repeat(MAX_SEARCH_CHARS + 1),
            "a ".repeat(MAX_SEARCH_WORDS + 1),
            "nul\u{0}".to_owned(),
        ] {
            let (status, body) = h.json(&h.alice.1, json!({"type": "threads.search", "params": {"query": query}})).await;
            assert_eq!(status, 400, "{body}");
        }
        let (status, _) = h.json(&h.alice.1, json!({"type": "threads.search", "params": {}})).await;
        assert_eq!(status, 400);
        assert!(h.search(&h.alice.1, &"a".repeat(MAX_SEARCH_CHARS)).await.is_empty());

        let count = PAGE_MAX as usize + 5;
        let now = Timestamp::now();
        for n in 0..count {
            on_db!(&h.db, pool => sqlx::query(
                "insert into conversations (user_id, external_id, title, created_at, updated_at) values ($1, $2, $3, $4, $4)")
                .bind(&h.alice.0).bind(format!("thr_many_{n:03}")).bind(format!("match {n:03}")).bind(now)
                .execute(pool).await.map(|_| ())).unwrap_or_else(|e| panic!("{e}"));
        }
        let (_, first) = h.json(&h.alice.1, json!({"type": "threads.search", "params": {"query": "match", "limit": 1000}})).await;
        let first_titles = titles(&first);
        assert_eq!((first_titles.len(), first["has_more"].clone()), (PAGE_MAX as usize, json!(true)), "the limit is clipped");
        assert_eq!(first_titles[0], format!("match {:03}", count - 1), "equal times: the newest row first");
        let (_, rest) = h.json(&h.alice.1, json!({"type": "threads.search", "params": {"query": "match", "limit": 1000, "after": first["after"]}})).await;
        let mut all = [first_titles, titles(&rest)].concat();
        assert_eq!(rest["has_more"], json!(false));
        all.sort();
        all.dedup();
        assert_eq!(all.len(), count, "every match once across the pages");
    }

    async fn threads_list_the_most_recently_active_first(t: TestDatabase) {
        let h = harness(&t, ScriptedProvider::default()).await;
        let (first, _) = h.create(&h.alice.1, "first").await;
        let (second, _) = h.create(&h.alice.1, "second").await;
        let (_, page) = h.json(&h.alice.1, json!({"type": "threads.list", "params": {}})).await;
        assert_eq!(ids(&page), [second.clone(), first.clone()]);
        tokio::time::sleep(Duration::from_millis(5)).await;
        h.events(&h.alice.1, json!({"type": "threads.add_user_message", "params": {"thread_id": first, "input": input("again")}})).await;
        let (_, page) = h.json(&h.alice.1, json!({"type": "threads.list", "params": {}})).await;
        assert_eq!(ids(&page), [first.clone(), second.clone()]);
        let (_, next) = h.json(&h.alice.1, json!({"type": "threads.list", "params": {"limit": 1, "after": first}})).await;
        assert_eq!(ids(&next), [second]);
        let updated = |i: usize| page["data"][i]["metadata"]["updated_at"].as_str().unwrap_or_default().to_owned();
        assert!(updated(0) > updated(1), "{page}");
    }
}

impl Harness {
    /// A message added to `thread_id`, its turn begun: its first event read.
    async fn begin_add(&self, auth: &str, thread_id: &str) -> EventStream {
        let add =
            json!({"type": "threads.add_user_message", "params": {"thread_id": thread_id, "input": input("second")}});
        let Response::Stream(mut stream) = self.call(auth, add).await else {
            panic!("expected a stream")
        };
        assert!(stream.next().await.is_some(), "the turn began");
        stream
    }

    /// The last event of a message added to `thread_id` while `meanwhile`
    /// runs, between the turn's first event and the rest.
    async fn last_event_of_add_while(&self, auth: &str, thread_id: &str, meanwhile: impl Future<Output = ()>) -> Value {
        self.provider.gate.0.send_replace(false);
        let stream = self.begin_add(auth, thread_id).await;
        meanwhile.await;
        self.provider.gate.0.send_replace(true);
        last_event(stream).await
    }
}

/// The rest of a stream, read to its end: its last event.
async fn last_event(mut stream: EventStream) -> Value {
    let mut last = Value::Null;
    while let Some(event) = stream.next().await {
        last = serde_json::to_value(&event).unwrap_or_default();
    }
    last
}

test_on_both_databases! {
    async fn a_turn_that_cannot_be_stored_leaves_nothing_and_the_next_turn_is_stored(t: TestDatabase) {
        // The account is deleted while its turn streams: the turn's save then
        // fails part-way (its thread is gone with it), after earlier
        // statements ran.
        let h = harness(&t, ScriptedProvider::default()).await;
        let (thread_id, _) = h.create(&h.alice.1, "first").await;
        let delete = async {
            Accounts::new(h.db.clone(), AuthConfig::default()).delete_user(&h.alice.0).await.unwrap_or_else(|e| panic!("{e}"));
        };
        let last = h.last_event_of_add_while(&h.alice.1, &thread_id, delete).await;
        assert_eq!((last["type"].as_str(), last["message"].clone()), (Some("error"), json!(format!("Thread {thread_id} was not found."))), "{last}");
        let left: i64 = on_db!(&h.db, pool => sqlx::query_scalar("select count(*) from messages where user_id = $1")
            .bind(&h.alice.0).fetch_one(pool).await).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(left, 0, "nothing of the failed turn is stored");

        let (bob_thread, _) = h.create(&h.bob.1, "still here").await;
        let (status, items) = h.json(&h.bob.1, json!({"type": "items.list", "params": {"thread_id": bob_thread, "order": "asc"}})).await;
        assert_eq!((status, item_texts(&items).len()), (200, 2), "{items}");
    }

    async fn turns_saved_together_are_each_stored_when_one_of_them_fails(t: TestDatabase) {
        // On SQLite, turns that wait for the connection commit in one batch:
        // the one whose thread was deleted meanwhile fails, alone.
        let h = harness(&t, ScriptedProvider::default()).await;
        let mut threads = Vec::new();
        for n in 0..4 {
            threads.push(h.create(&h.alice.1, &format!("thread {n}")).await.0);
        }
        h.provider.gate.0.send_replace(false);
        let mut streams = Vec::new();
        for thread_id in &threads {
            streams.push(h.begin_add(&h.alice.1, thread_id).await);
        }
        let (status, _) = h.json(&h.alice.1, json!({"type": "threads.delete", "params": {"thread_id": threads[1]}})).await;
        assert_eq!(status, 200);
        // Holding SQLite's one connection queues the four saves behind it.
        let held = match &h.db {
            Database::Sqlite(sqlite) => Some(sqlite.acquire().await.unwrap_or_else(|e| panic!("{e}"))),
            Database::Postgres(_) => None,
        };
        h.provider.gate.0.send_replace(true);
        tokio::time::sleep(Duration::from_millis(200)).await;
        drop(held);
        let mut last = Vec::new();
        for stream in streams {
            last.push(last_event(stream).await["type"].as_str().unwrap_or_default().to_owned());
        }
        assert_eq!(last, ["thread.item.done", "error", "thread.item.done", "thread.item.done"]);
        for (n, thread_id) in threads.iter().enumerate().filter(|(n, _)| *n != 1) {
            let (status, items) = h.json(&h.alice.1, json!({"type": "items.list", "params": {"thread_id": thread_id, "order": "asc"}})).await;
            let texts: Vec<String> = item_texts(&items).into_iter().map(|(_, text)| text).collect();
            assert_eq!((status, texts), (200, vec![format!("thread {n}"), "(no more scripts)".into(), "second".into(), "(no more scripts)".into()]), "{items}");
        }
    }

    async fn a_thread_deleted_while_its_turn_streams_is_not_found_and_the_account_stays(t: TestDatabase) {
        let h = harness(&t, ScriptedProvider::default()).await;
        let (thread_id, _) = h.create(&h.alice.1, "first").await;
        let delete = async {
            let (status, _) = h.json(&h.alice.1, json!({"type": "threads.delete", "params": {"thread_id": thread_id}})).await;
            assert_eq!(status, 200);
        };
        let last = h.last_event_of_add_while(&h.alice.1, &thread_id, delete).await;
        assert_eq!((last["type"].as_str(), last["message"].clone()), (Some("error"), json!(format!("Thread {thread_id} was not found."))), "{last}");
        let (status, page) = h.json(&h.alice.1, json!({"type": "threads.list", "params": {}})).await;
        assert_eq!((status, ids(&page)), (200, Vec::<String>::new()), "{page}");
    }
}
