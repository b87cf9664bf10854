//! The desktop commands on Tauri's mock runtime: real invoke handling, real
//! state, a real SQLite file in a temporary data folder.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tasktalk::{Confirmation, Confirmer, FileChoice, Picker};
use tasktalk_core::testing::McpClient;
use tauri::ipc::{CallbackFn, Channel, InvokeBody, InvokeResponseBody};
use tauri::test::{INVOKE_KEY, MockRuntime, mock_builder, mock_context, noop_assets};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindow, WebviewWindowBuilder};

struct App {
    _dir: tempfile::TempDir,
    app: tauri::App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
    /// What the app asked the person to confirm, in order.
    asked: Arc<Mutex<Vec<Confirmation>>>,
    /// The person's answer to the next question.
    answer: Arc<AtomicBool>,
    /// The files the app asked the person to pick, in order.
    files_asked: Arc<Mutex<Vec<FileChoice>>>,
    /// The file the person picks next; `None` closes the dialog.
    pick: Arc<Mutex<Option<PathBuf>>>,
}

/// The app in a fresh temporary data folder; the person agrees to every question.
fn app() -> App {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().to_path_buf();
    app_in(dir, data)
}

fn app_in(dir: tempfile::TempDir, data_dir: PathBuf) -> App {
    let asked: Arc<Mutex<Vec<Confirmation>>> = Arc::default();
    let answer = Arc::new(AtomicBool::new(true));
    let (record, reply) = (Arc::clone(&asked), Arc::clone(&answer));
    let files_asked: Arc<Mutex<Vec<FileChoice>>> = Arc::default();
    let pick: Arc<Mutex<Option<PathBuf>>> = Arc::default();
    let (record_file, picked) = (Arc::clone(&files_asked), Arc::clone(&pick));
    let mut app = tasktalk::builder(
        mock_builder(),
        tasktalk::Launch {
            data_dir: Some(data_dir),
            file_secrets: true,
            confirm: Confirmer::answering(move |question| {
                record.lock().map(|mut a| a.push(question.clone())).unwrap_or_default();
                reply.load(Ordering::SeqCst)
            }),
            pick: Picker::answering(move |choice| {
                record_file
                    .lock()
                    .map(|mut a| a.push(choice.clone()))
                    .unwrap_or_default();
                picked.lock().map(|p| p.clone()).unwrap_or_default()
            }),
            shell: false,
        },
    )
    .build(mock_context(noop_assets()))
    .unwrap_or_else(|e| panic!("build the app: {e}"));
    // Setup (opening the database) runs on the first turn of the event loop;
    // one turn, not a loop, so the busy-loop this is deprecated for cannot happen.
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap_or_else(|e| panic!("open a window: {e}"));
    App {
        _dir: dir,
        app,
        window,
        asked,
        answer,
        files_asked,
        pick,
    }
}

impl App {
    fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap_or_else(|e| panic!("{e}")),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        tauri::test::get_ipc_response(&self.window, request).map(|body| match body {
            InvokeResponseBody::Json(text) => serde_json::from_str(&text).unwrap_or(Value::Null),
            InvokeResponseBody::Raw(bytes) => serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        })
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.invoke(cmd, args).unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    fn err(&self, cmd: &str, args: Value) -> Value {
        match self.invoke(cmd, args) {
            Err(err) => err,
            Ok(value) => panic!("{cmd} should fail, got {value}"),
        }
    }

    fn asked(&self) -> Vec<Confirmation> {
        self.asked.lock().map(|a| a.clone()).unwrap_or_default()
    }

    fn secrets_file(&self) -> String {
        std::fs::read_to_string(self._dir.path().join("secrets.json")).unwrap_or_default()
    }

    fn chatkit_json(&self, body: Value) -> Value {
        let token = self.ok("auth_token", json!({}))["token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        self.chatkit_as(&token, body)
    }

    /// A ChatKit request with this JWT, its events dropped: the answer's head.
    fn chatkit_as(&self, jwt: &str, body: Value) -> Value {
        let head = tauri::async_runtime::block_on(tasktalk::commands::chat::chatkit(
            self.app.handle().clone(),
            self.app.state(),
            "req-json".into(),
            Some(format!("Bearer {jwt}")),
            body.to_string(),
            Channel::new(|_| Ok(())),
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        serde_json::to_value(head).unwrap_or_default()
    }
}

#[test]
fn a_session_from_sign_up_to_sign_out() {
    let app = app();
    assert_eq!(
        app.ok("current_session", json!({})),
        Value::Null,
        "nobody signed in yet"
    );
    let bad = app.err(
        "sign_up",
        json!({"email": "nope", "name": "Ann", "password": "correct horse"}),
    );
    assert_eq!(
        bad,
        json!({"kind": "INVALID_EMAIL", "message": "Enter a valid email address."})
    );

    let session = app.ok(
        "sign_up",
        json!({"email": "Ann@Example.com", "name": "Ann", "password": "correct horse"}),
    );
    assert_eq!(session["user"]["email"], "ann@example.com");
    assert_eq!(app.ok("current_session", json!({}))["user"]["name"], "Ann");
    let token = app.ok("auth_token", json!({}));
    assert_eq!(token["token"].as_str().map(|t| t.split('.').count()), Some(3));
    assert!(token["expiresAt"].as_str().is_some_and(|t| t.ends_with('Z')));

    let wrong = app.err(
        "sign_in",
        json!({"email": "ann@example.com", "password": "wrong password"}),
    );
    assert_eq!(wrong["kind"], "INVALID_EMAIL_OR_PASSWORD");
    app.ok("sign_out", json!({}));
    assert_eq!(app.ok("current_session", json!({})), Value::Null);
    assert_eq!(app.err("auth_token", json!({}))["kind"], "SIGNED_OUT");
    assert_eq!(app.err("tasks_list", json!({"status": "all"}))["kind"], "SIGNED_OUT");
    assert_eq!(
        app.ok(
            "sign_in",
            json!({"email": "ann@example.com", "password": "correct horse"})
        )["user"]["name"],
        "Ann"
    );
}

#[test]
fn the_tasks_panel_commands_act_for_the_signed_in_user() {
    let app = app();
    app.ok(
        "sign_up",
        json!({"email": "ben@example.com", "name": "Ben", "password": "correct horse"}),
    );
    let task = app.ok("task_add", json!({"title": "buy milk", "description": null}));
    let id = task["id"].clone();
    assert_eq!(task["completed"], false);
    assert_eq!(
        app.err("task_add", json!({"title": " ", "description": null}))["kind"],
        "INVALID_TITLE"
    );
    let renamed = app.ok(
        "task_update",
        json!({"id": id, "title": "buy oat milk", "description": "2 l"}),
    );
    assert_eq!(
        (renamed["title"].clone(), renamed["description"].clone()),
        (json!("buy oat milk"), json!("2 l"))
    );
    assert_eq!(
        app.ok("task_set_completed", json!({"id": id, "completed": true}))["completed"],
        true
    );
    assert_eq!(
        app.ok("tasks_list", json!({"status": "completed"}))
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(app.ok("tasks_list", json!({"status": "pending"})), json!([]));
    app.ok("task_delete", json!({"id": id}));
    assert_eq!(app.err("task_delete", json!({"id": id}))["kind"], "TASK_NOT_FOUND");

    // Another account on the same app sees none of Ben's tasks.
    app.ok("task_add", json!({"title": "ben's", "description": null}));
    app.ok("sign_out", json!({}));
    app.ok(
        "sign_up",
        json!({"email": "cy@example.com", "name": "Cy", "password": "correct horse"}),
    );
    assert_eq!(app.ok("tasks_list", json!({"status": "all"})), json!([]));
}

#[test]
fn the_tasks_panel_filters_counts_searches_and_schedules() {
    let app = app();
    app.ok(
        "sign_up",
        json!({"email": "ben@example.com", "name": "Ben", "password": "correct horse"}),
    );
    let today = tasktalk_core::calendar::Calendar::system().today().to_string();
    let rent = app.ok(
        "task_add",
        json!({"title": "pay rent", "description": null, "due": today, "priority": "high"}),
    );
    assert_eq!(
        (rent["due_all_day"].clone(), rent["priority"].clone()),
        (json!(true), json!("high"))
    );
    app.ok("task_add", json!({"title": "buy milk", "description": "oat"}));
    let titles = |listed: serde_json::Value| -> Vec<String> {
        listed
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["title"].as_str().map(str::to_owned))
            .collect()
    };
    let today_only = app.ok(
        "tasks_list",
        json!({"status": "pending", "due": "today", "sort": "due"}),
    );
    assert_eq!(titles(today_only), ["pay rent"]);
    assert_eq!(
        titles(app.ok("tasks_list", json!({"status": "all", "query": "OAT", "offset": 0}))),
        ["buy milk"]
    );
    assert_eq!(
        titles(app.ok("tasks_list", json!({"status": "all", "offset": 1}))),
        ["pay rent"],
        "the next page"
    );
    assert_eq!(
        app.ok("tasks_counts", json!({"status": "pending"})),
        json!({"all": 2, "overdue": 0, "today": 1, "week": 1, "none": 1})
    );
    let moved = app.ok(
        "task_schedule",
        json!({"id": rent["id"], "due": "2030-01-31T17:30", "priority": "low"}),
    );
    assert_eq!(
        (moved["due_all_day"].clone(), moved["priority"].clone()),
        (json!(false), json!("low"))
    );
    let cleared = app.ok(
        "task_schedule",
        json!({"id": rent["id"], "due": null, "priority": "none"}),
    );
    assert_eq!(cleared["due_at"], serde_json::Value::Null);
    assert_eq!(
        app.err(
            "task_schedule",
            json!({"id": rent["id"], "due": "soon", "priority": "none"})
        )["kind"],
        "INVALID_REQUEST"
    );
}

#[test]
fn chatkit_answers_json_and_streams_events_through_a_channel() {
    let app = app();
    app.ok(
        "sign_up",
        json!({"email": "dee@example.com", "name": "Dee", "password": "correct horse"}),
    );
    let head = app.chatkit_json(json!({"type": "threads.list", "params": {}}));
    assert_eq!(
        (head["status"].clone(), head["contentType"].clone()),
        (json!(200), json!("application/json"))
    );
    let page: Value = serde_json::from_str(head["body"].as_str().unwrap_or_default()).unwrap_or_default();
    assert_eq!(page["data"], json!([]));

    let frames: Arc<Mutex<Vec<Value>>> = Arc::default();
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let collected = Arc::clone(&frames);
    let events = Channel::new(move |body| {
        if let tauri::ipc::InvokeResponseBody::Json(text) = body {
            let chunk: Value = serde_json::from_str(&text).unwrap_or_default();
            let end = chunk["kind"] == "end";
            collected.lock().map(|mut f| f.push(chunk)).unwrap_or_default();
            if end {
                let _ = done_tx.send(());
            }
        }
        Ok(())
    });
    let token = app.ok("auth_token", json!({}))["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let body = json!({"type": "threads.create", "params": {"input": {"content": [{"type": "input_text", "text": "add a task to buy milk"}], "attachments": [], "inference_options": {}}}});
    let head = tauri::async_runtime::block_on(tasktalk::commands::chat::chatkit(
        app.app.handle().clone(),
        app.app.state(),
        "req-stream".into(),
        Some(format!("Bearer {token}")),
        body.to_string(),
        events,
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    let head = serde_json::to_value(head).unwrap_or_default();
    assert_eq!(
        (head["status"].clone(), head["body"].clone()),
        (json!(200), Value::Null)
    );
    done_rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .unwrap_or_else(|e| panic!("no end of stream: {e}"));
    let frames = frames.lock().map(|f| f.clone()).unwrap_or_default();
    assert_eq!(frames.last().map(|f| f["kind"].clone()), Some(json!("end")));
    let events: Vec<Value> = frames
        .iter()
        .filter_map(|f| f["data"].as_str())
        .filter_map(|d| serde_json::from_str(d).ok())
        .collect();
    assert_eq!(events[0]["type"], "thread.created");
    assert!(
        events
            .iter()
            .any(|e| e["type"] == "client_effect" && e["name"] == "tasks.changed")
    );
    let tasks = app.ok("tasks_list", json!({"status": "all"}));
    assert_eq!(tasks[0]["title"], "buy milk", "the assistant added it for Dee");

    let bad = app.chatkit_json(json!({"type": "threads.frobnicate", "params": {}}));
    assert_eq!(bad["status"], 400);
}

#[test]
fn settings_and_app_info() {
    let app = app();
    let settings = app.ok("settings_get", json!({}));
    assert_eq!(settings["database"], json!({"kind": "sqlite"}));
    assert_eq!(settings["provider"]["kind"], "offline");
    assert_eq!(settings["provider"]["apiKeySet"], false);
    let info = app.ok("app_info", json!({}));
    assert_eq!(info["secretStorage"], "file");
    assert!(
        info["database"].as_str().unwrap_or_default().ends_with("tasktalk.db"),
        "{info}"
    );
    assert_eq!(info["provider"], "offline assistant");

    let mut bad = settings.clone();
    bad["database"] = json!({"kind": "postgres", "url": "mysql://db/x"});
    assert_eq!(app.err("settings_set", json!({"settings": bad}))["kind"], "SETTINGS");
    assert_eq!(
        app.ok("settings_get", json!({}))["database"],
        json!({"kind": "sqlite"}),
        "nothing saved"
    );

    let mut keyed = settings;
    keyed["provider"] = json!({"kind": "openai", "model": null, "baseUrl": null});
    keyed["apiKey"] = json!("sk-test-123");
    let saved = app.ok("settings_set", json!({"settings": keyed}));
    assert_eq!(saved["settings"]["provider"]["apiKeySet"], true);
    assert!(
        saved.get("restartRequired").is_none(),
        "a change applies at once: {saved}"
    );
    assert!(!saved.to_string().contains("sk-test-123"), "the key never comes back");
    assert!(
        app.ok("app_info", json!({}))["provider"]
            .as_str()
            .unwrap_or_default()
            .starts_with("openai")
    );
}

#[test]
fn quick_add_adds_through_the_offline_assistant_and_never_does_anything_else() {
    let app = app();
    assert_eq!(app.err("quick_add", json!({"text": "buy milk"}))["kind"], "SIGNED_OUT");
    app.ok(
        "sign_up",
        json!({"email": "quinn@example.com", "name": "Quinn", "password": "correct horse"}),
    );
    let added = app.ok("quick_add", json!({"text": "  buy milk "}));
    assert_eq!(added["added"], 1, "{added}");
    assert!(
        added["reply"].as_str().unwrap_or_default().contains("buy milk"),
        "{added}"
    );
    // Read as a completion in the chat; here it can only be a new task.
    let added = app.ok("quick_add", json!({"text": "mark buy milk as done"}));
    assert_eq!(added["added"], 1, "{added}");
    let open: Vec<Value> = app
        .ok("tasks_list", json!({"status": "pending"}))
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(open.len(), 2, "{open:?}");
    assert!(open.iter().any(|t| t["title"] == "buy milk"), "{open:?}");
    assert_eq!(app.err("quick_add", json!({"text": "   "}))["kind"], "INVALID_TITLE");
    assert_eq!(
        app.err("quick_add", json!({"text": "x".repeat(501)}))["kind"],
        "INVALID_REQUEST"
    );
}

#[test]
fn reminders_and_the_quick_add_shortcut_are_settings() {
    let app = app();
    let mut settings = app.ok("settings_get", json!({}));
    assert_eq!(
        (settings["reminders"].clone(), settings["quickAddShortcut"].clone()),
        (json!(true), json!("CommandOrControl+Alt+N")),
        "on, with a shortcut, by default"
    );
    settings["quickAddShortcut"] = json!("Ctrl+Nope+Q");
    let refused = app.err("settings_set", json!({"settings": settings}));
    assert_eq!(refused["kind"], "SETTINGS");
    assert!(
        refused["message"].as_str().unwrap_or_default().contains("Ctrl+Nope+Q"),
        "{refused}"
    );
    settings["quickAddShortcut"] = json!("Super+Shift+T");
    settings["reminders"] = json!(false);
    let saved = app.ok("settings_set", json!({"settings": settings}));
    assert_eq!(
        (
            saved["settings"]["reminders"].clone(),
            saved["settings"]["quickAddShortcut"].clone()
        ),
        (json!(false), json!("Super+Shift+T"))
    );
    assert_eq!(app.ok("settings_get", json!({}))["reminders"], false);
}

/// Points the chat at a remote ChatKit endpoint.
fn use_remote_backend(app: &App, origin: &str) {
    let mut settings = app.ok("settings_get", json!({}));
    settings["chatBackend"] = json!({"kind": "remote", "url": format!("{origin}/chatkit")});
    app.ok("settings_set", json!({"settings": settings}));
}

/// A `threads.create` stream with no input through the chatkit command.
fn stream_threads_create(app: &App, request_id: &str, authorization: Option<&str>) -> (Value, Vec<Value>) {
    stream_chatkit(
        app,
        request_id,
        authorization,
        r#"{"type":"threads.create","params":{}}"#,
    )
}

/// A streamed ChatKit request through the chatkit command, read to its end:
/// the head, and the JSON of each relayed event.
fn stream_chatkit(app: &App, request_id: &str, authorization: Option<&str>, body: &str) -> (Value, Vec<Value>) {
    let received: Arc<Mutex<Vec<Value>>> = Arc::default();
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let sink = Arc::clone(&received);
    let events = Channel::new(move |body| {
        if let InvokeResponseBody::Json(text) = body {
            let chunk: Value = serde_json::from_str(&text).unwrap_or_default();
            let end = chunk["kind"] == "end";
            sink.lock().map(|mut r| r.push(chunk)).unwrap_or_default();
            if end {
                let _ = done_tx.send(());
            }
        }
        Ok(())
    });
    let head = tauri::async_runtime::block_on(tasktalk::commands::chat::chatkit(
        app.app.handle().clone(),
        app.app.state(),
        request_id.into(),
        authorization.map(str::to_owned),
        body.into(),
        events,
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    done_rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .unwrap_or_else(|e| panic!("no end: {e}"));
    let received = received.lock().map(|r| r.clone()).unwrap_or_default();
    let data = received
        .iter()
        .filter_map(|c| c["data"].as_str())
        .filter_map(|d| serde_json::from_str(d).ok())
        .collect();
    (serde_json::to_value(head).unwrap_or_default(), data)
}

#[test]
fn a_remote_chat_back_end_gets_the_request_and_its_stream_is_relayed() {
    use tasktalk_core::replay::{ReplayServer, Reply};

    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let frames = [
        "data: {\"type\":\"thread.created\",\"thread\":{\"id\":\"thr_remote\"}}\n\n",
        "data: {\"type\":\"stream_options\",\"stream_options\":{\"allow_cancel\":true}}\n\n",
    ];
    let replay = runtime.block_on(ReplayServer::start([
        Reply::json(200, json!({"data": [], "has_more": false}).to_string()),
        Reply::sse(200, frames.iter().map(|f| f.to_string()).collect::<Vec<_>>()),
    ]));
    let app = app();
    use_remote_backend(&app, &replay.origin());
    assert_eq!(
        app.asked(),
        [Confirmation {
            credential: "your sign-in token (JWT)",
            destination: replay.origin().to_owned(),
        }],
        "asked once, outside the web view"
    );
    let mut settings = app.ok("settings_get", json!({}));
    settings["chatBackend"] = json!({"kind": "remote", "url": format!("{}/v2/chatkit", replay.origin())});
    app.ok("settings_set", json!({"settings": settings}));
    assert_eq!(
        app.asked().len(),
        1,
        "another path on the same server is not asked again"
    );
    app.ok(
        "sign_up",
        json!({"email": "rem@example.com", "name": "Rem", "password": "correct horse"}),
    );

    let head = app.chatkit_json(json!({"type": "threads.list", "params": {}}));
    assert_eq!(head["status"], 200);
    assert_eq!(
        serde_json::from_str::<Value>(head["body"].as_str().unwrap_or_default()).unwrap_or_default()["has_more"],
        false
    );

    let (head, data) = stream_threads_create(&app, "req-remote", Some("Bearer remote-token"));
    assert_eq!(head["contentType"], "text/event-stream");
    assert_eq!(
        data.iter().map(|d| d["type"].clone()).collect::<Vec<_>>(),
        [json!("thread.created"), json!("stream_options")]
    );
    let requests = replay.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].header("authorization"), Some("Bearer remote-token"));
    assert_eq!(requests[1].body_text(), r#"{"type":"threads.create","params":{}}"#);
}

#[test]
fn a_character_split_across_two_writes_of_a_remote_stream_reaches_the_ui_whole() {
    use tasktalk_core::replay::{ReplayServer, Reply};

    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let frame = "data: {\"type\":\"thread.created\",\"thread\":{\"id\":\"thr_remote\",\"title\":\"Café ✓\"}}\n\n";
    // Between the two bytes of "é": the first write ends mid-character.
    let cut = frame.find('é').unwrap_or_default() + 1;
    let (first, second) = frame.as_bytes().split_at(cut);
    let reply = Reply::sse(200, [first.to_vec()]).chunk_after(std::time::Duration::from_millis(200), second.to_vec());
    let replay = runtime.block_on(ReplayServer::start([reply]));
    let app = app();
    use_remote_backend(&app, &replay.origin());
    let (_, data) = stream_threads_create(&app, "req-split", None);
    assert_eq!(data.len(), 1, "{data:?}");
    assert_eq!(data[0]["thread"]["title"], "Café ✓");
}

#[test]
fn a_remote_event_over_the_limit_ends_the_relay_with_an_error_event() {
    use tasktalk_core::replay::{ReplayServer, Reply};

    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    // One event, then a line that never ends, on a connection left open.
    let reply = Reply::sse(
        200,
        [
            "data: {\"type\":\"thread.created\",\"thread\":{\"id\":\"thr_remote\"}}\n\n".to_owned(),
            format!("data: {}", "x".repeat(2 << 20)),
        ],
    )
    .stall();
    let replay = runtime.block_on(ReplayServer::start([reply]));
    let app = app();
    use_remote_backend(&app, &replay.origin());
    let (_, data) = stream_threads_create(&app, "req-huge", None);
    assert_eq!(data.len(), 2, "{data:?}");
    assert_eq!(
        (data[0]["type"].as_str(), data[1]["type"].as_str()),
        (Some("thread.created"), Some("error"))
    );
    assert!(
        data[1]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("larger than 1 MiB"),
        "{}",
        data[1]
    );
}

#[test]
fn settings_that_fail_to_start_leave_the_stored_secrets_as_they_were() {
    let app = app();
    let mut keyed = app.ok("settings_get", json!({}));
    keyed["apiKey"] = json!("sk-first-key");
    app.ok("settings_set", json!({"settings": keyed}));
    let secrets_file = app._dir.path().join("secrets.json");
    let before = std::fs::read_to_string(&secrets_file).unwrap_or_else(|e| panic!("{e}"));

    let mut unreachable = app.ok("settings_get", json!({}));
    unreachable["database"] = json!({"kind": "postgres", "url": "postgres://app@127.0.0.1:1/tasks"});
    unreachable["databasePassword"] = json!("new-db-password");
    unreachable["betterAuthSecret"] = json!("a-new-better-auth-secret-0123456789abcdef");
    unreachable["apiKey"] = json!("sk-second-key");
    let err = app.err("settings_set", json!({"settings": unreachable}));
    assert_eq!(err["kind"], "DATABASE", "{err}");

    let after = std::fs::read_to_string(&secrets_file).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(after, before, "a failed change leaves every secret as it was");
    assert!(!after.contains("new-db-password") && !after.contains("sk-second-key"));
    assert_eq!(app.ok("settings_get", json!({}))["database"], json!({"kind": "sqlite"}));
}

#[test]
fn a_declined_confirmation_keeps_the_jwt_from_a_new_chat_back_end() {
    use tasktalk_core::replay::{ReplayServer, Reply};

    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let replay = runtime.block_on(ReplayServer::start([Reply::json(
        200,
        json!({"data": [], "has_more": false}).to_string(),
    )]));
    let app = app();
    app.ok(
        "sign_up",
        json!({"email": "eve@example.com", "name": "Eve", "password": "correct horse"}),
    );
    // A script in the web view points the chat at its own server.
    app.answer.store(false, Ordering::SeqCst);
    let before = app.ok("settings_get", json!({}));
    let mut hostile = before.clone();
    hostile["chatBackend"] = json!({"kind": "remote", "url": format!("{}/chatkit", replay.origin())});
    let refused = app.err("settings_set", json!({"settings": hostile}));
    assert_eq!(refused["kind"], "CONFIRMATION_DECLINED", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Nothing was changed") && m.contains(&replay.origin())),
        "{refused}"
    );
    assert_eq!(app.asked().len(), 1);
    assert_eq!(app.ok("settings_get", json!({})), before, "nothing changed");
    let head = app.chatkit_json(json!({"type": "threads.list", "params": {}}));
    assert_eq!(head["status"], 200, "answered here");
    assert!(replay.requests().is_empty(), "the JWT never reached the new server");

    // Agreed to: the change applies and the chat goes there.
    app.answer.store(true, Ordering::SeqCst);
    app.ok("settings_set", json!({"settings": hostile}));
    app.chatkit_json(json!({"type": "threads.list", "params": {}}));
    assert_eq!(replay.requests().len(), 1);
}

#[test]
fn a_new_provider_server_gets_no_stored_key_unless_it_is_entered_again() {
    let app = app();
    let mut settings = app.ok("settings_get", json!({}));
    settings["provider"] = json!({"kind": "openai-compatible", "model": null, "baseUrl": "http://127.0.0.1:11434/v1"});
    settings["apiKey"] = json!("sk-local-key");
    let saved = app.ok("settings_set", json!({"settings": settings.clone()}));
    assert_eq!(saved["settings"]["provider"]["apiKeySet"], true);

    settings.as_object_mut().map(|s| s.remove("apiKey"));
    settings["provider"]["baseUrl"] = json!("http://127.0.0.1:11434/v2");
    let same_server = app.ok("settings_set", json!({"settings": settings.clone()}));
    assert_eq!(
        same_server["settings"]["provider"]["apiKeySet"], true,
        "same server: kept"
    );
    assert_eq!(same_server["apiKeyDropped"], false);

    settings["provider"]["baseUrl"] = json!("https://collector.example/v1");
    let moved = app.ok("settings_set", json!({"settings": settings.clone()}));
    assert_eq!(moved["settings"]["provider"]["apiKeySet"], false, "{moved}");
    assert_eq!(moved["apiKeyDropped"], true);
    assert!(!app.secrets_file().contains("sk-local-key"), "the key is gone");
    assert!(app.asked().is_empty(), "nothing to confirm: no stored key goes there");

    settings["provider"]["baseUrl"] = json!("https://other.example/v1");
    settings["apiKey"] = json!("sk-entered-again");
    let entered = app.ok("settings_set", json!({"settings": settings.clone()}));
    assert_eq!(entered["settings"]["provider"]["apiKeySet"], true);
    assert_eq!(entered["apiKeyDropped"], false);

    // Another provider with its default address is another server too.
    settings.as_object_mut().map(|s| s.remove("apiKey"));
    settings["provider"] = json!({"kind": "gemini", "model": null, "baseUrl": null});
    let switched = app.ok("settings_set", json!({"settings": settings}));
    assert_eq!(switched["settings"]["provider"]["apiKeySet"], false);
    assert!(!app.secrets_file().contains("sk-entered-again"));
}

#[test]
fn a_stored_database_password_goes_to_a_new_server_only_when_confirmed() {
    let app = app();
    std::fs::write(
        app._dir.path().join("secrets.json"),
        json!({"database-password": "db-pw-stored", "better-auth-secret": "a-better-auth-secret-0123456789abcdefgh"})
            .to_string(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let before_secrets = app.secrets_file();
    let before = app.ok("settings_get", json!({}));
    let mut moved = before.clone();
    moved["database"] = json!({"kind": "postgres", "url": "postgres://app@127.0.0.1:1/tasks"});

    app.answer.store(false, Ordering::SeqCst);
    let refused = app.err("settings_set", json!({"settings": moved.clone()}));
    assert_eq!(refused["kind"], "CONFIRMATION_DECLINED", "{refused}");
    assert_eq!(
        app.asked(),
        [Confirmation {
            credential: "your database password",
            destination: "127.0.0.1:1".into(),
        }]
    );
    assert_eq!(app.ok("settings_get", json!({})), before);
    assert_eq!(app.secrets_file(), before_secrets);

    // Agreed to, the change is tried (and here fails: nothing listens there).
    app.answer.store(true, Ordering::SeqCst);
    assert_eq!(
        app.err("settings_set", json!({"settings": moved.clone()}))["kind"],
        "DATABASE"
    );
    // A password typed with the change is not a stored one: nothing to ask.
    moved["databasePassword"] = json!("typed-now");
    assert_eq!(app.err("settings_set", json!({"settings": moved}))["kind"], "DATABASE");
    assert_eq!(app.asked().len(), 2);
}

#[cfg(unix)]
#[test]
fn the_data_folder_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &std::path::Path| {
        std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().join("new").join("data");
    let app = app_in(dir, data.clone());
    assert_eq!((mode(&data), mode(&data.join("tasktalk.db"))), (0o700, 0o600));
    drop(app);

    // A folder an older version (or a loose umask) left open is closed.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().join("old");
    std::fs::create_dir(&data).unwrap_or_else(|e| panic!("{e}"));
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap_or_else(|e| panic!("{e}"));
    let _app = app_in(dir, data.clone());
    assert_eq!(mode(&data), 0o700);
}

/// The confirmation is only worth something if the web view cannot open or
/// answer dialogs itself: its capability names the app's commands and event
/// listening, no plugin.
#[test]
fn the_web_view_has_no_dialog_or_other_plugin_permission() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src-tauri/capabilities/main-window.json");
    let quick_add = concat!(env!("CARGO_MANIFEST_DIR"), "/src-tauri/capabilities/quick-add.json");
    let quick_add: Value =
        serde_json::from_str(&std::fs::read_to_string(quick_add).unwrap_or_else(|e| panic!("{e}"))).unwrap_or_default();
    assert_eq!(
        quick_add["permissions"],
        json!(["allow-quick-add", "core:window:allow-hide"]),
        "no notification, shortcut or other plugin permission: Rust shows reminders and owns the shortcut"
    );
    let capability: Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{e}"))).unwrap_or_default();
    let permissions: Vec<&str> = capability["permissions"]
        .as_array()
        .map(|p| p.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert!(permissions.contains(&"allow-settings-set"), "{permissions:?}");
    for permission in permissions {
        assert!(
            permission.starts_with("allow-") || permission.starts_with("core:event:"),
            "{permission} gives the web view more than the app's commands"
        );
    }
}

#[test]
fn the_web_versions_nameless_user_signs_in_on_its_own_database() {
    use tasktalk_core::testing::{BETTER_AUTH_SECRET, TestDatabase, build_web_version_own_database, task_titles};

    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let (t, web) = runtime.block_on(async {
        let t = TestDatabase::empty_postgres().await;
        let web = build_web_version_own_database(&t.db).await;
        (t, web)
    });
    let app = app();
    let mut url = reqwest::Url::parse(&t.url).unwrap_or_else(|e| panic!("{e}"));
    let password = url.password().map(str::to_owned);
    url.set_password(None)
        .unwrap_or_else(|()| panic!("a URL without a password"));
    let mut settings = app.ok("settings_get", json!({}));
    settings["database"] = json!({"kind": "postgres", "url": url.as_str()});
    settings["databasePassword"] = json!(password);
    settings["betterAuthSecret"] = json!(BETTER_AUTH_SECRET);
    app.ok("settings_set", json!({"settings": settings}));

    let session = app.ok("sign_in", json!({"email": web.email, "password": web.password}));
    assert_eq!(
        (session["user"]["id"].clone(), session["user"]["name"].clone()),
        (json!(web.id), json!(""))
    );
    assert_eq!(app.ok("current_session", json!({}))["user"]["id"], web.id.as_str());
    let tasks = app.ok("tasks_list", json!({"status": "all"}));
    assert_eq!(task_titles(&tasks), ["pay rent", "water the plants"], "{tasks}");
    let head = app.chatkit_json(json!({"type": "threads.list", "params": {}}));
    let threads: Value = serde_json::from_str(head["body"].as_str().unwrap_or_default()).unwrap_or_default();
    assert_eq!(threads["data"][0]["title"], "web chat", "{threads}");
    let thread_id = threads["data"][0]["id"].clone();
    let head = app.chatkit_json(json!({"type": "items.list", "params": {"thread_id": thread_id, "order": "asc"}}));
    let items: Value = serde_json::from_str(head["body"].as_str().unwrap_or_default()).unwrap_or_default();
    let texts: Vec<&str> = items["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["content"][0]["text"].as_str())
        .collect();
    assert_eq!(
        texts,
        ["what is still open?", "You have 1 open task: water the plants."]
    );
    drop(t);
}

#[test]
fn a_deleted_account_is_refused_by_every_command() {
    let app = app();
    let session = app.ok(
        "sign_up",
        json!({"email": "gil@example.com", "name": "Gil", "password": "correct horse"}),
    );
    app.ok("task_add", json!({"title": "buy milk", "description": null}));
    let jwt = app.ok("auth_token", json!({}))["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    // Deleted from the same database by another program (the admin CLI).
    let database = app._dir.path().join("tasktalk.db");
    tauri::async_runtime::block_on(async {
        let db = tasktalk_core::db::Database::open(&tasktalk_core::db::Location::Sqlite(database))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        tasktalk_core::auth::Accounts::new(db, Default::default())
            .delete_user(session["user"]["id"].as_str().unwrap_or_default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    });

    for body in [
        json!({"type": "threads.list", "params": {}}),
        json!({"type": "threads.create", "params": {"input": {"content": [{"type": "input_text", "text": "add a task"}], "attachments": [], "inference_options": {}}}}),
    ] {
        let head = app.chatkit_as(&jwt, body.clone());
        assert_eq!(
            (head["status"].clone(), head["contentType"].clone()),
            (json!(401), json!("application/json")),
            "{body}"
        );
    }
    for (cmd, args) in [
        ("tasks_list", json!({"status": "all"})),
        ("task_add", json!({"title": "again", "description": null})),
        ("auth_token", json!({})),
    ] {
        assert_eq!(app.err(cmd, args)["kind"], "SESSION_EXPIRED", "{cmd}");
    }
}

#[test]
fn a_better_auth_secret_shorter_than_32_characters_is_refused_by_the_settings() {
    let app = app();
    let mut shared = app.ok("settings_get", json!({}));
    shared["database"] = json!({"kind": "postgres", "url": "postgres://app@127.0.0.1:1/tasks"});
    shared["betterAuthSecret"] = json!("0123456789abcdef0123456789abcde");
    let err = app.err("settings_set", json!({"settings": shared}));
    assert_eq!(err["kind"], "SETTINGS", "{err}");
    assert!(
        err["message"]
            .as_str()
            .unwrap_or_default()
            .contains("at least 32 characters"),
        "{err}"
    );
}

/// `tasktalk mcp` on the app's data folder, as an MCP client starts it.
fn tasktalk_mcp(app: &App) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tasktalk"));
    command
        .arg("mcp")
        .env("TASKTALK_DATA_DIR", app._dir.path())
        .env("TASKTALK_SECRET_STORE", "file")
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

#[test]
fn tasktalk_mcp_serves_the_signed_in_persons_tasks_with_the_apps_session() {
    let app = app();
    let refused = tasktalk_mcp(&app)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(refused.stdout.is_empty() && stderr.lines().count() == 1, "{stderr}");
    assert!(stderr.contains("not signed in"), "{stderr}");

    app.ok(
        "sign_up",
        json!({"email": "ann@example.com", "name": "Ann", "password": "correct horse"}),
    );
    app.ok("task_add", json!({"title": "from the app", "description": null}));
    let mut mcp = McpClient::start(tasktalk_mcp(&app));
    let listed = mcp.call("list_tasks", json!({}));
    assert_eq!(
        listed["structuredContent"]["result"][0]["title"], "from the app",
        "{listed}"
    );
    let added = mcp.call("add_task", json!({"title": "from my agent"}));
    assert_eq!(added["isError"], false, "{added}");
    let titles: Vec<Value> = app
        .ok("tasks_list", json!({"status": "all"}))
        .as_array()
        .into_iter()
        .flatten()
        .map(|task| task["title"].clone())
        .collect();
    assert!(titles.contains(&json!("from my agent")), "{titles:?}");

    // Signing out in the app ends the MCP server's access at its next call.
    app.ok("sign_out", json!({}));
    let ended = mcp.call("list_tasks", json!({}));
    assert_eq!(ended["isError"], true, "{ended}");
    assert!(
        ended["content"][0]["text"]
            .as_str()
            .is_some_and(|text| text.starts_with("SESSION_INVALID: ")),
        "{ended}"
    );
}

/// Every log record of this test binary, as the app's log file would get it:
/// with no tracing subscriber, tracing events arrive as `log` records.
static LOGGED: Mutex<String> = Mutex::new(String::new());

struct Recorder;

impl log::Log for Recorder {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        if let Ok(mut logged) = LOGGED.lock() {
            logged.push_str(&format!("{} {} {}\n", record.level(), record.target(), record.args()));
        }
    }

    fn flush(&self) {}
}

#[test]
fn secrets_never_reach_the_log_even_at_trace_level() {
    // Another test of this binary may have set it already.
    let _ = log::set_logger(&Recorder);
    log::set_max_level(log::LevelFilter::Trace);
    let app = app();
    let password = "pw-correct-horse-51c7e";
    app.ok(
        "sign_up",
        json!({"email": "lena@example.com", "name": "Lena", "password": password}),
    );
    app.err(
        "sign_in",
        json!({"email": "lena@example.com", "password": "pw-wrong-horse-8d2a0"}),
    );
    app.ok("sign_in", json!({"email": "lena@example.com", "password": password}));
    let jwt = app.ok("auth_token", json!({}))["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!jwt.is_empty());

    let mut settings = app.ok("settings_get", json!({}));
    settings["logLevel"] = json!("trace");
    settings["provider"] = json!({"kind": "openai", "model": null, "baseUrl": null});
    settings["apiKey"] = json!("sk-log-check-0e4b9");
    settings["databasePassword"] = json!("db-pw-log-check-77a1");
    settings["betterAuthSecret"] = json!("better-auth-secret-log-check-0123456789");
    app.ok("settings_set", json!({"settings": settings.clone()}));
    // A change that fails (nothing listens on port 1) logs its error.
    settings["database"] = json!({"kind": "postgres", "url": "postgres://app@127.0.0.1:1/tasks"});
    settings["apiKey"] = json!("sk-log-check-second-3f0c1");
    settings["databasePassword"] = json!("db-pw-log-check-second-9b2e");
    app.err("settings_set", json!({"settings": settings}));

    let logged = LOGGED.lock().map(|l| l.clone()).unwrap_or_default();
    assert!(
        logged.contains("settings changed and applied"),
        "the app's events reach the log: {logged}"
    );
    for secret in [
        password,
        "pw-wrong-horse-8d2a0",
        &jwt,
        "sk-log-check-0e4b9",
        "db-pw-log-check-77a1",
        "better-auth-secret-log-check-0123456789",
        "sk-log-check-second-3f0c1",
        "db-pw-log-check-second-9b2e",
    ] {
        assert!(!logged.contains(secret), "{secret} was logged:\n{logged}");
    }
}

/// A channel argument as the UI sends it; what goes through it is not read here.
const SOME_CHANNEL: &str = "__CHANNEL__:7";

/// Starts a conversation as the signed-in person, with the offline assistant.
fn say(app: &App, text: &str) -> String {
    let token = app.ok("auth_token", json!({}))["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let body = json!({"type": "threads.create", "params": {"input": {"content": [{"type": "input_text", "text": text}], "attachments": [], "inference_options": {}}}});
    let (_, events) = stream_chatkit(app, "req-say", Some(&format!("Bearer {token}")), &body.to_string());
    events
        .iter()
        .find_map(|e| e["thread"]["id"].as_str())
        .unwrap_or_else(|| panic!("no thread in {events:?}"))
        .to_owned()
}

impl App {
    fn pick_next(&self, path: Option<PathBuf>) {
        self.pick.lock().map(|mut p| *p = path).unwrap_or_default();
    }

    fn files_asked(&self) -> Vec<FileChoice> {
        self.files_asked.lock().map(|a| a.clone()).unwrap_or_default()
    }

    fn titles(&self) -> Vec<String> {
        let mut titles: Vec<String> = self
            .ok("tasks_list", json!({"status": "all"}))
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["title"].as_str().map(str::to_owned))
            .collect();
        titles.sort();
        titles
    }
}

#[test]
fn an_export_goes_to_the_file_picked_in_the_dialog_and_imports_into_another_account_once() {
    let app = app();
    app.ok(
        "sign_up",
        json!({"email": "ann@example.com", "name": "Ann", "password": "correct horse"}),
    );
    app.ok("task_add", json!({"title": "water the plants", "description": "twice"}));
    say(&app, "add a task to buy milk");
    let file = app._dir.path().join("backup.json");
    app.pick_next(Some(file.clone()));
    let exported = app.ok("data_export", json!({"format": "json", "progress": SOME_CHANNEL}));
    assert_eq!(exported["path"], file.display().to_string());
    let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(exported["bytes"], bytes.len());
    let document: Value = serde_json::from_slice(&bytes).unwrap_or_default();
    assert_eq!(
        (document["format"].clone(), document["version"].clone()),
        (json!("tasktalk-export"), json!(1))
    );
    assert_eq!(document["conversations"].as_array().map(Vec::len), Some(1));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or_default();
        assert_eq!(mode, 0o600, "an export holds everything the person wrote: owner-only");
    }
    match app.files_asked().as_slice() {
        [FileChoice::Save { suggested_name, .. }] => {
            assert!(
                suggested_name.starts_with("tasktalk-export-") && suggested_name.ends_with(".json"),
                "{suggested_name}"
            )
        }
        other => panic!("one save dialog, not {other:?}"),
    }

    app.ok("sign_out", json!({}));
    app.ok(
        "sign_up",
        json!({"email": "ben@example.com", "name": "Ben", "password": "correct horse"}),
    );
    app.ok("task_add", json!({"title": "call mum", "description": null}));
    app.pick_next(Some(file.clone()));
    let summary = app.ok("data_import", json!({"progress": SOME_CHANNEL}));
    assert_eq!(
        (summary["tasks_added"].clone(), summary["conversations_added"].clone()),
        (json!(2), json!(1)),
        "{summary}"
    );
    assert_eq!(app.titles(), ["buy milk", "call mum", "water the plants"]);
    let threads = app.chatkit_json(json!({"type": "threads.list", "params": {}}));
    let page: Value = serde_json::from_str(threads["body"].as_str().unwrap_or_default()).unwrap_or_default();
    assert_eq!(
        page["data"].as_array().map(Vec::len),
        Some(1),
        "Ben has Ann's conversation now"
    );

    let again = app.ok("data_import", json!({"progress": SOME_CHANNEL}));
    assert_eq!(
        (
            again["tasks_added"].clone(),
            again["conversations_added"].clone(),
            again["tasks_skipped"].clone()
        ),
        (json!(0), json!(0), json!(2)),
        "a second import of the same file adds nothing"
    );
    assert_eq!(app.titles(), ["buy milk", "call mum", "water the plants"]);
}

#[test]
fn a_closed_dialog_writes_and_reads_nothing() {
    let app = app();
    app.ok(
        "sign_up",
        json!({"email": "cid@example.com", "name": "Cid", "password": "correct horse"}),
    );
    app.pick_next(None);
    assert_eq!(
        app.ok("data_export", json!({"format": "markdown", "progress": SOME_CHANNEL})),
        Value::Null
    );
    assert_eq!(app.ok("data_import", json!({"progress": SOME_CHANNEL})), Value::Null);
    assert_eq!(app.files_asked().len(), 2);
    let files: Vec<_> = std::fs::read_dir(app._dir.path())
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "md" || x == "json"))
        .filter(|e| e.file_name() != "settings.json" && e.file_name() != "secrets.json")
        .collect();
    assert!(files.is_empty(), "nothing written: {files:?}");
}

#[test]
fn a_broken_file_is_refused_whole_and_changes_nothing() {
    let app = app();
    app.ok(
        "sign_up",
        json!({"email": "dan@example.com", "name": "Dan", "password": "correct horse"}),
    );
    app.ok("task_add", json!({"title": "keep me", "description": null}));
    let broken = app._dir.path().join("broken.json");
    let cases = [
        (
            r#"{"format":"tasktalk-export","version":1,"tasks":[{"title":"#.as_bytes(),
            "IMPORT_INVALID",
        ),
        (
            br#"{"format":"tasktalk-export","version":99,"tasks":[],"conversations":[]}"#,
            "IMPORT_VERSION",
        ),
        (b"\xff\xfe not even text", "IMPORT_INVALID"),
    ];
    for (bytes, kind) in cases {
        std::fs::write(&broken, bytes).unwrap_or_else(|e| panic!("{e}"));
        app.pick_next(Some(broken.clone()));
        let refused = app.err("data_import", json!({"progress": SOME_CHANNEL}));
        assert_eq!(refused["kind"], kind, "{refused}");
        assert!(!refused["message"].as_str().unwrap_or_default().is_empty());
    }
    app.pick_next(Some(app._dir.path().join("missing.json")));
    assert_eq!(
        app.err("data_import", json!({"progress": SOME_CHANNEL}))["kind"],
        "FILE_FAILED"
    );
    assert_eq!(app.titles(), ["keep me"]);
}

#[test]
fn nobody_signed_in_gets_no_dialog() {
    let app = app();
    app.pick_next(Some(app._dir.path().join("x.json")));
    assert_eq!(
        app.err("data_export", json!({"format": "json", "progress": SOME_CHANNEL}))["kind"],
        "SIGNED_OUT"
    );
    assert_eq!(
        app.err("data_import", json!({"progress": SOME_CHANNEL}))["kind"],
        "SIGNED_OUT"
    );
    assert!(app.files_asked().is_empty());
}

#[test]
fn one_conversation_exports_as_markdown_named_after_its_title() {
    let app = app();
    app.ok(
        "sign_up",
        json!({"email": "eve@example.com", "name": "Eve", "password": "correct horse"}),
    );
    let thread = say(&app, "add a task to buy milk");
    let file = app._dir.path().join("chat.md");
    app.pick_next(Some(file.clone()));
    app.ok("data_export_conversation", json!({"threadId": thread}));
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(text.starts_with("# "), "{text}");
    assert!(
        text.contains("**You:**") && text.contains("add a task to buy milk"),
        "{text}"
    );
    assert!(text.contains("**Assistant:**"), "{text}");
    match app.files_asked().as_slice() {
        [FileChoice::Save { suggested_name, .. }] => assert!(suggested_name.ends_with(".md"), "{suggested_name}"),
        other => panic!("one save dialog, not {other:?}"),
    }
    app.ok("sign_out", json!({}));
    app.ok(
        "sign_up",
        json!({"email": "fay@example.com", "name": "Fay", "password": "correct horse"}),
    );
    assert_eq!(
        app.err("data_export_conversation", json!({"threadId": thread}))["kind"],
        "CONVERSATION_NOT_FOUND",
        "another person's conversation"
    );
    let huge = app.err("data_export_conversation", json!({"threadId": "t".repeat(100_000)}));
    assert_eq!(huge["kind"], "CONVERSATION_NOT_FOUND");
    assert!(huge["message"].as_str().is_some_and(|m| m.len() < 100), "{huge}");
    assert_eq!(
        app.files_asked().len(),
        1,
        "no dialog for a conversation that is not there"
    );
}

#[test]
fn an_export_reports_its_progress_to_the_end() {
    let app = app();
    app.ok(
        "sign_up",
        json!({"email": "gus@example.com", "name": "Gus", "password": "correct horse"}),
    );
    for n in 0..30 {
        app.ok("task_add", json!({"title": format!("task {n}"), "description": null}));
    }
    app.pick_next(Some(app._dir.path().join("progress.json")));
    let reports: Arc<Mutex<Vec<Value>>> = Arc::default();
    let sink = Arc::clone(&reports);
    let progress = Channel::new(move |body| {
        if let InvokeResponseBody::Json(text) = body {
            sink.lock()
                .map(|mut r| r.push(serde_json::from_str(&text).unwrap_or_default()))
                .unwrap_or_default();
        }
        Ok(())
    });
    tauri::async_runtime::block_on(tasktalk::commands::data::data_export(
        app.app.state(),
        tasktalk::commands::data::ExportFormat::Json,
        progress,
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    let reports = reports.lock().map(|r| r.clone()).unwrap_or_default();
    assert_eq!(reports.first(), Some(&json!({"done": 0, "total": 30})), "{reports:?}");
    assert_eq!(reports.last(), Some(&json!({"done": 30, "total": 30})), "{reports:?}");
}
