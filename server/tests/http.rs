//! `tasktalk-server serve` as a real process over HTTP, on both databases.

mod support;

use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{PASSWORD, Server, events, input, reply};
use tasktalk_core::calendar::Calendar;
use tasktalk_core::replay::{Outcome, ReplayServer, Reply};
use tasktalk_core::test_on_both_databases;
use tasktalk_core::testing::{
    BETTER_AUTH_SECRET, TestDatabase, build_web_version_own_database, fixture_json, task_titles,
};

/// A provider stream recorded in OpenAI's wire format, one event per write.
fn fixture(name: &str) -> Reply {
    let path = format!("{}/../core/tests/fixtures/providers/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    Reply::sse(200, text.split_inclusive("\n\n").map(str::to_owned).collect::<Vec<_>>())
}

fn openai_server(url: &str, replay: &ReplayServer) -> Server {
    Server::start(
        url,
        &[
            ("TASKTALK_PROVIDER", "openai"),
            ("TASKTALK_API_KEY", "sk-test-not-a-real-key"),
        ],
        &["--base-url", &replay.base_url()],
    )
}

test_on_both_databases! {
    async fn the_auth_routes_speak_better_auths_shapes(t: TestDatabase) {
        let server = Server::start(&t.url, &[], &[]);
        let (status, health) = server.get("/healthz", None).await;
        assert_eq!((status, health), (StatusCode::OK, json!({"status": "ok"})));

        let (user_id, session, jwt) = server.user("ann@example.com").await;
        let (status, dup) = server.post("/api/auth/sign-up/email", None, json!({"email": "ANN@example.com", "password": PASSWORD, "name": "Again"})).await;
        assert_eq!((status, dup["code"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("USER_ALREADY_EXISTS")));
        let (status, signed) = server.post("/api/auth/sign-in/email", None, json!({"email": "ann@example.com", "password": PASSWORD})).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!((signed["redirect"].clone(), signed["user"]["id"].clone()), (json!(false), json!(user_id)));
        assert_eq!(signed["user"]["emailVerified"], false);
        let (status, wrong) = server.post("/api/auth/sign-in/email", None, json!({"email": "ann@example.com", "password": "wrong password"})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(wrong, json!({"code": "INVALID_EMAIL_OR_PASSWORD", "message": "Invalid email or password."}));

        let (status, current) = server.get("/api/auth/get-session", Some(&session)).await;
        assert_eq!((status, current["user"]["email"].clone()), (StatusCode::OK, json!("ann@example.com")));
        assert_eq!(current["session"]["token"], session.as_str());
        let (status, jwks) = server.get("/api/auth/jwks", None).await;
        assert_eq!((status, jwks), (StatusCode::OK, json!({"keys": []})), "HS256 publishes no key");
        assert_eq!(jwt.split('.').count(), 3);

        let (status, _) = server.post("/api/auth/sign-out", Some(&session), json!({})).await;
        assert_eq!(status, StatusCode::OK);
        for path in ["/api/auth/get-session", "/api/auth/token"] {
            let (status, body) = server.get(path, Some(&session)).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
            assert!(body["message"].as_str().unwrap_or_default().contains("sign in"), "{body}");
            let (status, _) = server.get(path, None).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
        let (status, body) = server.post("/api/auth/sign-in/email", None, json!({"email": "ann@example.com"})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, body) = server.get("/nowhere", None).await;
        assert_eq!((status, body["error"]["code"].clone()), (StatusCode::NOT_FOUND, json!("NOT_FOUND")));
    }

    async fn due_dates_priorities_and_filters_over_rest_are_read_in_the_servers_zone(t: TestDatabase) {
        // 14 hours ahead of UTC: its today is not UTC's for 14 hours a day. The option wins over TZ.
        let zone = "Pacific/Kiritimati";
        let server = Server::start(&t.url, &[("TZ", "America/New_York")], &["--time-zone", zone]);
        let (_, _, ann) = server.user("ann@example.com").await;
        let calendar = Calendar::named(zone).unwrap_or_else(|e| panic!("{e}"));
        let today = calendar.today();
        let tomorrow_nine = today.succ_opt().and_then(|d| d.and_hms_opt(9, 0, 0)).unwrap_or_default();
        let utc = tasktalk_core::Timestamp::from(calendar.from_local(tomorrow_nine));
        let (status, standup) = server.post("/api/tasks", Some(&ann), json!({
            "title": "standup", "due_at": format!("{}+14:00", tomorrow_nine.format("%Y-%m-%dT%H:%M:%S")),
            "priority": "high", "remind_at": utc.to_iso()
        })).await;
        assert_eq!(status, StatusCode::CREATED, "{standup}");
        let instant = |value: &Value| tasktalk_core::Timestamp::parse_rfc3339(value.as_str().unwrap_or_default());
        assert_eq!((instant(&standup["due_at"]), standup["due_all_day"].clone(), standup["priority"].clone()), (Some(utc), json!(false), json!("high")));
        assert!(standup["due_at"].as_str().is_some_and(|at| at.ends_with('Z')), "UTC out: {standup}");
        let (status, rent) = server.post("/api/tasks", Some(&ann), json!({"title": "pay rent", "due_at": format!("{today}T00:00:00Z"), "due_all_day": true, "priority": "low"})).await;
        assert_eq!(status, StatusCode::CREATED, "{rent}");
        server.post("/api/tasks", Some(&ann), json!({"title": "someday"})).await;

        let titles_of = |query: &'static str| {
            let (server, ann) = (&server, &ann);
            async move {
                let (status, listed) = server.get(&format!("/api/tasks?{query}"), Some(ann)).await;
                assert_eq!(status, StatusCode::OK, "{query}: {listed}");
                task_titles(&listed).into_iter().map(str::to_owned).collect::<Vec<_>>()
            }
        };
        assert_eq!(titles_of("due=today").await, ["pay rent"]);
        assert_eq!(titles_of("due=tomorrow").await, ["standup"]);
        assert_eq!(titles_of("due=week&sort=due").await, ["pay rent", "standup"]);
        assert_eq!(titles_of("due=none").await, ["someday"]);
        assert_eq!(titles_of("priority=high").await, ["standup"]);
        assert_eq!(titles_of("q=RENT").await, ["pay rent"]);
        assert_eq!(titles_of("sort=priority").await, ["standup", "pay rent", "someday"]);
        assert_eq!(titles_of("status=pending&sort=due&limit=1&offset=1").await, ["standup"]);

        let path = format!("/api/tasks/{}", standup["id"]);
        let (status, patched) = server.send(reqwest::Method::PATCH, &path, Some(&ann), Some(json!({"due_at": null, "priority": null, "completed": true}))).await;
        assert_eq!(status, StatusCode::OK, "{patched}");
        assert_eq!((patched["due_at"].clone(), patched["priority"].clone(), patched["remind_at"].clone()), (Value::Null, json!("none"), standup["remind_at"].clone()));
        assert!(instant(&patched["completed_at"]).is_some(), "{patched}");
        let (_, reopened) = server.send(reqwest::Method::PATCH, &path, Some(&ann), Some(json!({"completed": false, "due_at": "2027-01-01T00:00:00Z", "due_all_day": true}))).await;
        assert_eq!((reopened["completed"].clone(), reopened["completed_at"].clone(), reopened["due_all_day"].clone()), (json!(false), Value::Null, json!(true)));

        let refusals = [
            (reqwest::Method::GET, "/api/tasks?due=soon", None, "overdue, today, tomorrow, week or none"),
            (reqwest::Method::GET, "/api/tasks?sort=size", None, "due, priority or created"),
            (reqwest::Method::GET, "/api/tasks?priority=p1", None, "none, low, medium or high"),
            (reqwest::Method::POST, "/api/tasks", Some(json!({"title": "x", "due_at": "tomorrow"})), "RFC 3339"),
            (reqwest::Method::POST, "/api/tasks", Some(json!({"title": "x", "due_at": "2026-12-24T17:00:00Z", "due_all_day": true})), "00:00:00Z"),
            (reqwest::Method::POST, "/api/tasks", Some(json!({"title": "x", "priority": "urgent"})), "none, low, medium or high"),
            (reqwest::Method::PATCH, path.as_str(), Some(json!({"due_all_day": true})), "Send due_at"),
        ];
        for (method, path, body, accepted) in refusals {
            let (status, error) = server.send(method, path, Some(&ann), body).await;
            assert_eq!((status, error["error"]["code"].clone()), (StatusCode::BAD_REQUEST, json!("INVALID_REQUEST")), "{path}: {error}");
            assert!(error["error"]["message"].as_str().is_some_and(|m| m.contains(accepted)), "{path}: {error}");
        }
    }

    async fn tasks_over_rest_belong_to_their_user(t: TestDatabase) {
        let server = Server::start(&t.url, &[], &[]);
        let (_, _, ann) = server.user("ann@example.com").await;
        let (_, _, ben) = server.user("ben@example.com").await;
        let (status, created) = server.post("/api/tasks", Some(&ann), json!({"title": " buy milk ", "description": "2 litres"})).await;
        assert_eq!(status, StatusCode::CREATED);
        let keys: Vec<&str> = created.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
        assert_eq!(keys, ["completed", "completed_at", "created_at", "description", "due_all_day", "due_at", "id", "priority", "remind_at", "title", "updated_at"]);
        let id = created["id"].as_i64().unwrap_or_default();
        let path = format!("/api/tasks/{id}");

        let (status, patched) = server.send(reqwest::Method::PATCH, &path, Some(&ann), Some(json!({"completed": true, "description": null}))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!((patched["completed"].clone(), patched["description"].clone(), patched["title"].clone()), (json!(true), Value::Null, json!("buy milk")));
        let (status, listed) = server.get("/api/tasks?status=completed", Some(&ann)).await;
        assert_eq!((status, listed.as_array().map(Vec::len)), (StatusCode::OK, Some(1)));

        // Ben: every operation on Ann's task is a 404, exactly like a missing task.
        let (status, list) = server.get("/api/tasks", Some(&ben)).await;
        assert_eq!((status, list), (StatusCode::OK, json!([])));
        for method in [reqwest::Method::GET, reqwest::Method::PATCH, reqwest::Method::DELETE] {
            let body = (method == reqwest::Method::PATCH).then(|| json!({"title": "mine"}));
            let (status, error) = server.send(method.clone(), &path, Some(&ben), body.clone()).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method}");
            let (missing_status, missing) = server.send(method.clone(), "/api/tasks/999999", Some(&ben), body).await;
            assert_eq!(missing_status, StatusCode::NOT_FOUND);
            assert_eq!(error["error"]["code"], missing["error"]["code"]);
        }
        let (_, still) = server.get(&path, Some(&ann)).await;
        assert_eq!(still["title"], "buy milk");

        let (status, bad) = server.post("/api/tasks", Some(&ann), json!({"title": ""})).await;
        assert_eq!((status, bad["error"]["code"].clone()), (StatusCode::BAD_REQUEST, json!("INVALID_TITLE")));
        let (status, _) = server.send(reqwest::Method::PATCH, &path, Some(&ann), Some(json!({}))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = server.get("/api/tasks/not-a-number", Some(&ann)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, unauthorized) = server.get("/api/tasks", Some("not.a.token")).await;
        assert_eq!((status, unauthorized["error"]["code"].clone()), (StatusCode::UNAUTHORIZED, json!("INVALID_TOKEN")));
        let (status, _) = server.get("/api/tasks", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _) = server.send(reqwest::Method::DELETE, &path, Some(&ann), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = server.get(&path, Some(&ann)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    async fn a_deleted_account_is_a_401_on_every_route(t: TestDatabase) {
        let server = Server::start(&t.url, &[], &[]);
        let (_, session, jwt) = server.user("gone@example.com").await;
        let (status, created) = server.post("/api/tasks", Some(&jwt), json!({"title": "buy milk"})).await;
        assert_eq!(status, StatusCode::CREATED);
        let task = format!("/api/tasks/{}", created["id"]);
        // The operator deletes the account while its JWT is still unexpired.
        let deleted = Command::new(env!("CARGO_BIN_EXE_tasktalk-server"))
            .args(["user", "delete", "--email", "gone@example.com"])
            .env("DATABASE_URL", &t.url)
            .env("BETTER_AUTH_SECRET", BETTER_AUTH_SECRET)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(deleted.status.success(), "{}", String::from_utf8_lossy(&deleted.stderr));

        let routes = [
            (reqwest::Method::GET, "/api/tasks".to_owned(), None),
            (reqwest::Method::POST, "/api/tasks".to_owned(), Some(json!({"title": "again"}))),
            (reqwest::Method::GET, task.clone(), None),
            (reqwest::Method::PATCH, task.clone(), Some(json!({"completed": true}))),
            (reqwest::Method::DELETE, task, None),
        ];
        for (method, path, body) in routes {
            let (status, error) = server.send(method.clone(), &path, Some(&jwt), body).await;
            assert_eq!((status, error["error"]["code"].clone()), (StatusCode::UNAUTHORIZED, json!("INVALID_TOKEN")), "{method} {path}: {error}");
        }
        for body in [
            json!({"type": "threads.list", "params": {}}),
            json!({"type": "threads.get_by_id", "params": {"thread_id": "thr_x"}}),
            json!({"type": "threads.create", "params": {"input": input("add a task")}}),
        ] {
            let (status, content_type, text) = server.chatkit(&jwt, body.clone()).await;
            assert_eq!((status, content_type.as_str()), (StatusCode::UNAUTHORIZED, "application/json"), "{body}: {text}");
        }
        for path in ["/api/auth/token", "/api/auth/get-session"] {
            let (status, _) = server.get(path, Some(&session)).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        }
    }

    async fn chatkit_threads_belong_to_their_user_over_http(t: TestDatabase) {
        let server = Server::start(&t.url, &[], &[]);
        let (_, _, ann) = server.user("ann@example.com").await;
        let (_, _, ben) = server.user("ben@example.com").await;
        let (status, content_type, body) = server.chatkit(&ann, json!({"type": "threads.create", "params": {"input": input("hello there")}})).await;
        assert_eq!((status, content_type.as_str()), (StatusCode::OK, "text/event-stream"));
        assert!(body.ends_with("\n\n") && body.starts_with("data: {"), "{body}");
        let streamed = events(&body);
        let thread = streamed[0]["thread"]["id"].as_str().unwrap_or_default().to_owned();
        let user_item = streamed[1]["item"]["id"].as_str().unwrap_or_default().to_owned();

        for request in [
            json!({"type": "threads.get_by_id", "params": {"thread_id": thread}}),
            json!({"type": "items.list", "params": {"thread_id": thread}}),
            json!({"type": "threads.update", "params": {"thread_id": thread, "title": "stolen"}}),
            json!({"type": "threads.delete", "params": {"thread_id": thread}}),
        ] {
            let (status, content_type, body) = server.chatkit(&ben, request.clone()).await;
            assert_eq!((status, content_type.as_str()), (StatusCode::NOT_FOUND, "application/json"), "{request}");
            assert!(body.contains("was not found"), "{body}");
        }
        for request in [
            json!({"type": "threads.add_user_message", "params": {"thread_id": thread, "input": input("mine now")}}),
            json!({"type": "threads.retry_after_item", "params": {"thread_id": thread, "item_id": user_item}}),
        ] {
            let (status, _, body) = server.chatkit(&ben, request).await;
            let evs = events(&body);
            assert_eq!(status, StatusCode::OK);
            assert_eq!(evs.len(), 1, "{body}");
            assert_eq!(evs[0]["type"], "error");
        }
        let (_, _, list) = server.chatkit(&ben, json!({"type": "threads.list", "params": {}})).await;
        assert_eq!(serde_json::from_str::<Value>(&list).unwrap_or_default()["data"], json!([]));
        let (_, _, same) = server.chatkit(&ann, json!({"type": "items.list", "params": {"thread_id": thread}})).await;
        assert_eq!(serde_json::from_str::<Value>(&same).unwrap_or_default()["data"].as_array().map(Vec::len), Some(2), "Ann's thread is untouched");

        let response = server.http.post(server.url("/chatkit")).json(&json!({"type": "threads.list", "params": {}})).send().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let body: Value = response.json().await.unwrap_or_default();
        assert_eq!(body["error"]["code"], "unauthorized");
        let response = server.http.post(server.url("/chatkit")).bearer_auth(&ann).body(vec![b' '; 2 * 1024 * 1024]).send().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let body: Value = response.json().await.unwrap_or_default();
        assert_eq!(body["error"]["code"], "PAYLOAD_TOO_LARGE");
    }
}

test_on_both_databases! {
    async fn a_tool_call_split_across_chunks_runs_exactly_once(t: TestDatabase) {
        let replay = ReplayServer::start([fixture("openai_tool_call.sse"), Reply::openai_text(&["Added ", "buy milk."])]).await;
        let server = openai_server(&t.url, &replay);
        let (_, session, jwt) = server.user("ann@example.com").await;
        let (status, _, body) = server.chatkit(&jwt, json!({"type": "threads.create", "params": {"input": input("add buy milk, 2 litres oat")}})).await;
        assert_eq!(status, StatusCode::OK);
        let evs = events(&body);
        let tool_items: Vec<&Value> = evs.iter().filter(|e| e["type"] == "thread.item.done" && e["item"]["type"] == "task").collect();
        assert_eq!(tool_items.len(), 1, "{body}");
        assert_eq!(evs.last().map(|e| e["item"]["content"][0]["text"].clone()), Some(json!("Added buy milk.")));

        let (_, tasks) = server.get("/api/tasks", Some(&jwt)).await;
        assert_eq!(tasks.as_array().map(Vec::len), Some(1), "{tasks}");
        assert_eq!((tasks[0]["title"].clone(), tasks[0]["description"].clone()), (json!("buy milk"), json!("2 litres, oat")));
        // The provider saw the key, the tools, and then the tool's result.
        let requests = replay.requests();
        assert_eq!(requests.len(), 2);
        assert_eq!(requests[0].header("authorization"), Some("Bearer sk-test-not-a-real-key"));
        let second = requests[1].body_json().unwrap_or_default();
        let tool_message = second["messages"].as_array().into_iter().flatten().find(|m| m["role"] == "tool").cloned().unwrap_or_default();
        assert_eq!(tool_message["tool_call_id"], "call_DdmO9pD3xa9XTPNJ32zg2hcA");
        assert!(tool_message["content"].as_str().unwrap_or_default().contains(r#""status":"created""#));
        assert!(!body.contains("sk-test") && !session.is_empty());
    }

    async fn a_rate_limit_mid_stream_ends_in_a_retryable_error_and_keeps_the_message(t: TestDatabase) {
        let replay = ReplayServer::start([fixture("openai_error_rate_limit.sse")]).await;
        let server = openai_server(&t.url, &replay);
        let (_, _, jwt) = server.user("ann@example.com").await;
        let (status, _, body) = server.chatkit(&jwt, json!({"type": "threads.create", "params": {"input": input("what is on my list?")}})).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.ends_with("\n\n"), "the stream ends cleanly");
        let evs = events(&body);
        let last = evs.last().cloned().unwrap_or_default();
        assert_eq!((last["type"].clone(), last["allow_retry"].clone()), (json!("error"), json!(true)), "{body}");
        assert!(last["message"].as_str().unwrap_or_default().to_lowercase().contains("rate limit"), "{last}");
        let thread = evs[0]["thread"]["id"].clone();
        let (_, _, items) = server.chatkit(&jwt, json!({"type": "items.list", "params": {"thread_id": thread, "order": "asc"}})).await;
        let items: Value = serde_json::from_str(&items).unwrap_or_default();
        assert_eq!(items["data"][0]["type"], "user_message");
        assert_eq!(items["data"][0]["content"][0]["text"], "what is on my list?");
    }
}

test_on_both_databases! {
    async fn the_offline_assistant_adds_lists_and_completes_tasks_over_chatkit(t: TestDatabase) {
        let server = Server::start(&t.url, &[], &[]);
        let (_, _, ann) = server.user("ann@example.com").await;
        let (_, _, ben) = server.user("ben@example.com").await;

        let (_, _, body) = server.chatkit(&ann, json!({"type": "threads.create", "params": {"input": input("add a task to buy milk")}})).await;
        let created = events(&body);
        let thread = created[0]["thread"]["id"].clone();
        let said = reply(&created);
        assert!(said.contains("buy milk") && said.to_lowercase().contains("added"), "{said}");
        assert!(created.iter().any(|e| e["type"] == "client_effect" && e["name"] == "tasks.changed"));
        let (_, tasks) = server.get("/api/tasks", Some(&ann)).await;
        assert_eq!(tasks.as_array().map(|t| t.iter().map(|t| t["title"].clone()).collect::<Vec<_>>()), Some(vec![json!("buy milk")]));
        assert_eq!(tasks[0]["completed"], false);
        let (_, others) = server.get("/api/tasks", Some(&ben)).await;
        assert_eq!(others, json!([]), "the task is Ann's only");

        let (_, _, body) = server.chatkit(&ann, json!({"type": "threads.add_user_message", "params": {"thread_id": thread, "input": input("what's on my list?")}})).await;
        let said = reply(&events(&body));
        assert!(said.contains("buy milk"), "{said}");

        let (_, _, body) = server.chatkit(&ann, json!({"type": "threads.add_user_message", "params": {"thread_id": thread, "input": input("mark buy milk as done")}})).await;
        let said = reply(&events(&body));
        assert!(said.contains("buy milk") && said.to_lowercase().contains("done"), "{said}");
        let (_, tasks) = server.get("/api/tasks", Some(&ann)).await;
        assert_eq!((tasks.as_array().map(Vec::len), tasks[0]["completed"].clone()), (Some(1), json!(true)));
    }
}

test_on_both_databases! {
    async fn a_client_that_hangs_up_stops_the_provider_and_keeps_the_partial_answer(t: TestDatabase) {
        let slow = Reply::openai_text(&["Counting: one", ", two", ", three", ", four", ", five"]).chunk_delay(std::time::Duration::from_millis(300));
        let replay = ReplayServer::start([slow]).await;
        let server = openai_server(&t.url, &replay);
        let (_, _, jwt) = server.user("ann@example.com").await;
        let (response, seen) = server.turn_until_first_text(&jwt, "count to five slowly").await;
        drop(response);
        assert_eq!(replay.outcome(0).await, Outcome::ClientClosed, "the provider request was abandoned");
        let thread = events(&seen)[0]["thread"]["id"].clone();
        let mut texts = Vec::new();
        for _ in 0..40 {
            let (_, _, items) = server.chatkit(&jwt, json!({"type": "items.list", "params": {"thread_id": thread, "order": "asc"}})).await;
            let items: Value = serde_json::from_str(&items).unwrap_or_default();
            texts = items["data"].as_array().into_iter().flatten().map(|i| i["content"][0]["text"].as_str().unwrap_or_default().to_owned()).collect();
            if texts.len() == 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(texts.len(), 2, "{texts:?}");
        assert_eq!(texts[0], "count to five slowly");
        assert!(texts[1].starts_with("Counting: one") && !texts[1].contains("five"), "{texts:?}");
    }
}

/// The web version's own schema (PostgreSQL only): her name is NULL, her
/// chat exists only in `messages`; in both JWT modes she signs in and reads
/// her tasks and conversation.
#[tokio::test]
async fn the_web_versions_nameless_user_signs_in_and_reads_her_tasks_and_chat() {
    let t = TestDatabase::empty_postgres().await;
    let web = build_web_version_own_database(&t.db).await;
    for mode in ["hs256", "eddsa"] {
        let server = Server::start(&t.url, &[("TASKTALK_JWT_MODE", mode)], &[]);
        let (status, body) = server
            .post(
                "/api/auth/sign-in/email",
                None,
                json!({"email": web.email, "password": web.password}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{mode}: {body}");
        assert_eq!(
            (body["user"]["id"].as_str(), body["user"]["name"].as_str()),
            (Some(web.id.as_str()), Some(""))
        );
        let session = body["token"].as_str().unwrap_or_default().to_owned();
        let (status, got) = server.get("/api/auth/get-session", Some(&session)).await;
        assert_eq!(
            (status, got["user"]["name"].clone()),
            (StatusCode::OK, json!("")),
            "{got}"
        );
        let (_, jwt) = server.get("/api/auth/token", Some(&session)).await;
        let jwt = jwt["token"].as_str().unwrap_or_default().to_owned();
        let (status, tasks) = server.get("/api/tasks", Some(&jwt)).await;
        assert_eq!(status, StatusCode::OK, "{mode}: {tasks}");
        assert_eq!(task_titles(&tasks), ["pay rent", "water the plants"]);

        let (status, _, threads) = server
            .chatkit(&jwt, json!({"type": "threads.list", "params": {}}))
            .await;
        let threads: Value = serde_json::from_str(&threads).unwrap_or_default();
        assert_eq!(
            (status, threads["data"][0]["title"].clone()),
            (StatusCode::OK, json!("web chat")),
            "{threads}"
        );
        let thread_id = threads["data"][0]["id"].clone();
        let (_, _, items) = server
            .chatkit(
                &jwt,
                json!({"type": "items.list", "params": {"thread_id": thread_id, "order": "asc"}}),
            )
            .await;
        let items: Value = serde_json::from_str(&items).unwrap_or_default();
        let texts: Vec<(&str, &str)> = items["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| Some((i["type"].as_str()?, i["content"][0]["text"].as_str()?)))
            .collect();
        assert_eq!(
            texts,
            [
                ("user_message", "what is still open?"),
                ("assistant_message", "You have 1 open task: water the plants.")
            ]
        );
        if mode == "eddsa" {
            let (_, jwks) = server.get("/api/auth/jwks", None).await;
            assert_eq!(jwks, fixture_json("jwks.json"), "the web deployment's own key signs");
        }
    }
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins() {
    let t = TestDatabase::sqlite().await;
    let server = Server::start(&t.url, &[], &["--cors-origin", "http://localhost:3000"]);
    for (origin, allowed) in [("http://localhost:3000", true), ("http://evil.example", false)] {
        let response = server
            .http
            .request(reqwest::Method::OPTIONS, server.url("/chatkit"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "authorization,content-type")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let granted = response
            .headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        assert_eq!(granted.as_deref() == Some(origin), allowed, "{origin}: {granted:?}");
    }
}

#[tokio::test]
async fn sigterm_stops_the_server_cleanly() {
    let t = TestDatabase::sqlite().await;
    let mut server = Server::start(&t.url, &[], &[]);
    assert_eq!(server.get("/healthz", None).await.0, StatusCode::OK);
    let _ = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status();
    let status = server.child.wait().unwrap_or_else(|e| panic!("{e}"));
    assert!(status.success(), "exit status {status:?}");
}

/// A request to an auth route from a client that says it is `forwarded_for`
/// and `agent`: (status, Retry-After, body).
async fn auth_request(
    server: &Server,
    path: &str,
    body: Option<Value>,
    forwarded_for: &str,
    agent: &str,
) -> (StatusCode, Option<u64>, Value) {
    let mut request = match &body {
        Some(body) => server.http.post(server.url(path)).json(body),
        None => server.http.get(server.url(path)),
    };
    request = request
        .header("x-forwarded-for", forwarded_for)
        .header("user-agent", agent);
    let response = request.send().await.unwrap_or_else(|e| panic!("{path}: {e}"));
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let text = response.text().await.unwrap_or_default();
    (
        status,
        retry_after,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A failed sign-in, each for another email so the per-email lock stays out of the way.
async fn wrong_sign_in(server: &Server, forwarded_for: &str) -> (StatusCode, Option<u64>, Value) {
    static ATTEMPTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = ATTEMPTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let body = json!({"email": format!("nobody{n}@example.com"), "password": "wrong password"});
    auth_request(server, "/api/auth/sign-in/email", Some(body), forwarded_for, "tests").await
}

/// `allowed` failed sign-ins from the clients `forwarded_for(n)` names get
/// 401; the next is over the per-client limit: its (Retry-After, body).
async fn sign_ins_until_refused(
    server: &Server,
    allowed: usize,
    forwarded_for: impl Fn(usize) -> String,
) -> (Option<u64>, Value) {
    for n in 1..=allowed {
        let (status, _, body) = wrong_sign_in(server, &forwarded_for(n)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {n}: {body}");
    }
    let (status, retry_after, body) = wrong_sign_in(server, &forwarded_for(allowed + 1)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    (retry_after, body)
}

/// Signs up with these client headers; the session row as get-session shows it.
async fn sign_up_from(server: &Server, email: &str, forwarded_for: &str, agent: &str) -> Value {
    let body = json!({"email": email, "password": PASSWORD, "name": "Tester"});
    let (status, _, signed) = auth_request(server, "/api/auth/sign-up/email", Some(body), forwarded_for, agent).await;
    assert_eq!(status, StatusCode::OK, "{signed}");
    let (status, current) = server.get("/api/auth/get-session", signed["token"].as_str()).await;
    assert_eq!(status, StatusCode::OK, "{current}");
    current["session"].clone()
}

#[tokio::test]
async fn a_client_over_the_auth_limits_gets_429_with_json_and_retry_after() {
    let t = TestDatabase::sqlite().await;
    let server = Server::start(&t.url, &[], &["--sign-in-rate-limit", "3/10", "--rate-limit", "5/10"]);
    let (retry_after, body) = sign_ins_until_refused(&server, 3, |_| String::new()).await;
    assert_eq!(body["code"], "TOO_MANY_REQUESTS", "{body}");
    let seconds = retry_after.unwrap_or_else(|| panic!("no Retry-After"));
    assert!((1..=10).contains(&seconds), "{seconds}");
    assert_eq!(body["message"], format!("Too many requests. Try again in {seconds} s."));
    // Sign-up has its own counter; the other auth routes share a looser one.
    sign_up_from(&server, "ann@example.com", "", "tests").await;
    for _ in 0..4 {
        assert_eq!(server.get("/api/auth/jwks", None).await.0, StatusCode::OK);
    }
    assert_eq!(
        server.get("/api/auth/jwks", None).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Routes outside /api/auth are not counted.
    for _ in 0..10 {
        assert_eq!(server.get("/healthz", None).await.0, StatusCode::OK);
    }
}

#[tokio::test]
async fn x_forwarded_for_counts_only_from_a_named_proxy() {
    let t = TestDatabase::sqlite().await;
    // No proxy named: the header is the client's word, and ignored.
    let direct = Server::start(&t.url, &[], &["--sign-in-rate-limit", "3/10"]);
    sign_ins_until_refused(&direct, 3, |n| format!("203.0.113.{n}")).await;
    let session = sign_up_from(&direct, "ann@example.com", "203.0.113.5", "tests").await;
    assert_eq!(session["ipAddress"], "127.0.0.1");

    // Behind a named proxy: each forwarded client counts apart.
    let proxied = Server::start(
        &t.url,
        &[],
        &["--sign-in-rate-limit", "3/10", "--trusted-proxy", "127.0.0.1"],
    );
    for n in 1..=5 {
        assert_eq!(
            wrong_sign_in(&proxied, &format!("203.0.113.{n}")).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    // A client cannot hide behind an address it writes left of its own.
    sign_ins_until_refused(&proxied, 3, |n| format!("10.9.9.{n}, 198.51.100.1")).await;
    let agent = "a".repeat(10_000);
    let session = sign_up_from(&proxied, "ben@example.com", "192.0.2.44", &agent).await;
    assert_eq!(session["ipAddress"], "192.0.2.44");
    assert_eq!(
        session["userAgent"].as_str().map(|a| a.chars().count()),
        Some(512),
        "a huge User-Agent is stored truncated"
    );
}

/// A raw request and everything the server sends back: (status, allow header, JSON body).
async fn raw(
    server: &Server,
    method: reqwest::Method,
    path: &str,
    bearer: &str,
    body: Option<(&str, &str)>,
) -> (StatusCode, Option<String>, Value) {
    let mut request = server.http.request(method, server.url(path)).bearer_auth(bearer);
    if let Some((content_type, text)) = body {
        request = request.header("content-type", content_type).body(text.to_owned());
    }
    let response = request.send().await.unwrap_or_else(|e| panic!("{path}: {e}"));
    let status = response.status();
    let allow = response
        .headers()
        .get("allow")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = response.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{path}: not JSON: {text:?}"));
    (status, allow, body)
}

test_on_both_databases! {
    async fn every_refusal_is_the_documented_json(t: TestDatabase) {
        let server = Server::start(&t.url, &[], &[]);
        let (_, _, jwt) = server.user("ann@example.com").await;
        use reqwest::Method;
        let code = |body: &Value| body["error"]["code"].as_str().unwrap_or_default().to_owned();
        for query in ["limit=abc", "limit=-1", "offset=1e3", "limit=99999999999"] {
            let (status, _, body) = raw(&server, Method::GET, &format!("/api/tasks?{query}"), &jwt, None).await;
            assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "BAD_REQUEST".into()), "{query}: {body}");
            assert!(body["error"]["message"].as_str().is_some_and(|m| m.contains("query")), "{body}");
        }
        for path in ["/api/tasks/abc", "/api/tasks/%FF", "/api/tasks/99999999999"] {
            let (status, _, body) = raw(&server, Method::GET, path, &jwt, None).await;
            assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "TASK_NOT_FOUND".into()), "{path}: {body}");
        }
        for (method, path, allowed) in [(Method::PUT, "/api/tasks/1", "GET,HEAD,PATCH,DELETE"), (Method::DELETE, "/healthz", "GET,HEAD"), (Method::GET, "/chatkit", "POST")] {
            let (status, allow, body) = raw(&server, method.clone(), path, &jwt, None).await;
            assert_eq!((status, code(&body)), (StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED".into()), "{method} {path}: {body}");
            assert_eq!(allow.map(|a| a.replace(' ', "")).as_deref(), Some(allowed), "{method} {path}");
        }
        // Better Auth's flat shape on its routes, even for a wrong method or a broken body.
        let (status, allow, body) = raw(&server, Method::GET, "/api/auth/sign-in/email", &jwt, None).await;
        assert_eq!((status, allow.as_deref(), body["code"].as_str()), (StatusCode::METHOD_NOT_ALLOWED, Some("POST"), Some("METHOD_NOT_ALLOWED")), "{body}");
        let (status, _, body) = raw(&server, Method::POST, "/api/auth/sign-in/email", &jwt, Some(("application/json", "{not json"))).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("BAD_REQUEST")), "{body}");
        let (status, _, body) = raw(&server, Method::GET, "/api/auth/nowhere", &jwt, None).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("NOT_FOUND")), "{body}");
        let (status, _, body) = raw(&server, Method::POST, "/api/tasks", &jwt, Some(("text/plain", r#"{"title": "x"}"#))).await;
        assert_eq!((status, code(&body)), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE".into()), "{body}");
        let (status, _, body) = raw(&server, Method::POST, "/api/tasks", &jwt, Some(("application/json", "{not json"))).await;
        assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "BAD_REQUEST".into()), "{body}");

        // NUL and other control characters: a 400 on both databases, nothing stored.
        for (title, description, expected) in [("milk", "2\u{0}litres", "INVALID_REQUEST"), ("mi\u{0}lk", "", "INVALID_TITLE"), ("milk", "\u{1b}[2J", "INVALID_REQUEST")] {
            let body = json!({"title": title, "description": description}).to_string();
            let (status, _, refused) = raw(&server, Method::POST, "/api/tasks", &jwt, Some(("application/json", &body))).await;
            assert_eq!((status, code(&refused)), (StatusCode::BAD_REQUEST, expected.into()), "{refused}");
            assert!(refused["error"]["message"].as_str().is_some_and(|m| m.contains("control character")), "{refused}");
        }
        assert_eq!(server.get("/api/tasks", Some(&jwt)).await, (StatusCode::OK, json!([])));
    }
}

async fn connect(server: &Server) -> tokio::net::TcpStream {
    tokio::net::TcpStream::connect(server.base.trim_start_matches("http://"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Reads until the server closes the connection: what it sent, and how long that took.
async fn read_until_closed(stream: &mut tokio::net::TcpStream) -> (String, std::time::Duration) {
    use tokio::io::AsyncReadExt;
    let started = std::time::Instant::now();
    let mut received = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(15), stream.read_to_end(&mut received))
        .await
        .unwrap_or_else(|_| panic!("the server kept the connection open for 15 s"))
        .unwrap_or_else(|e| panic!("{e}"));
    (String::from_utf8_lossy(&received).into_owned(), started.elapsed())
}

/// Sends `bytes` on a new connection, then reads until the server closes it.
async fn send_raw(server: &Server, bytes: &[u8]) -> (String, std::time::Duration) {
    use tokio::io::AsyncWriteExt;
    let mut stream = connect(server).await;
    stream.write_all(bytes).await.unwrap_or_else(|e| panic!("{e}"));
    read_until_closed(&mut stream).await
}

#[tokio::test]
async fn half_sent_headers_and_idle_keep_alive_connections_are_cut_off() {
    let t = TestDatabase::sqlite().await;
    let server = Server::start(&t.url, &[("TASKTALK_HEADER_TIMEOUT_SECS", "1")], &[]);
    let (_, waited) = send_raw(&server, b"GET /healthz HTTP/1.1\r\nHost: loc").await;
    let timeout = std::time::Duration::from_millis(900)..std::time::Duration::from_secs(5);
    assert!(timeout.contains(&waited), "cut off after {waited:?}");

    // A finished request is answered; the connection, then idle, is closed.
    let (answer, waited) = send_raw(&server, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n").await;
    assert!(
        answer.starts_with("HTTP/1.1 200") && answer.contains(r#"{"status":"ok"}"#),
        "{answer}"
    );
    assert!(timeout.contains(&waited), "closed after {waited:?}");
    assert_eq!(server.get("/healthz", None).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_stream_longer_than_the_header_timeout_is_not_cut() {
    let t = TestDatabase::sqlite().await;
    // Eight events 400 ms apart: about three header timeouts.
    let slow = Reply::openai_text(&["one", " two", " three", " four", " five"])
        .chunk_delay(std::time::Duration::from_millis(400));
    let replay = ReplayServer::start([slow]).await;
    let server = Server::start(
        &t.url,
        &[
            ("TASKTALK_PROVIDER", "openai"),
            ("TASKTALK_API_KEY", "sk-test-not-a-real-key"),
            ("TASKTALK_HEADER_TIMEOUT_SECS", "1"),
        ],
        &["--base-url", &replay.base_url()],
    );
    let (_, _, jwt) = server.user("ann@example.com").await;
    let (status, _, body) = server
        .chatkit(
            &jwt,
            json!({"type": "threads.create", "params": {"input": input("count")}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(reply(&events(&body)), "one two three four five");
}

#[tokio::test]
async fn connections_beyond_the_maximum_wait_for_a_free_one() {
    let t = TestDatabase::sqlite().await;
    let server = Server::start(
        &t.url,
        &[("TASKTALK_HEADER_TIMEOUT_SECS", "2")],
        &["--max-connections", "2"],
    );
    let mut silent = Vec::new();
    for _ in 0..2 {
        silent.push(connect(&server).await);
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // Both slots are held by clients that send nothing, until their header timeout.
    let started = std::time::Instant::now();
    let (status, _) = server.get("/healthz", None).await;
    let waited = started.elapsed();
    assert_eq!(status, StatusCode::OK);
    assert!(
        waited >= std::time::Duration::from_millis(1200),
        "served after {waited:?}: the limit did not hold"
    );
    for mut stream in silent {
        let (sent, _) = read_until_closed(&mut stream).await;
        assert!(!sent.contains("200 OK"), "{sent}");
    }
}

/// A protocol version that still has sessions (`Mcp-Session-Id`); later ones are stateless.
const MCP_SESSION_PROTOCOL: &str = "2025-06-18";

/// One JSON-RPC message to `/mcp`: (status, the Mcp-Session-Id answered, the
/// JSON-RPC answer, or the error body when the request was refused).
async fn mcp_send(
    server: &Server,
    bearer: Option<&str>,
    session: Option<&str>,
    method: reqwest::Method,
    body: Option<Value>,
) -> (StatusCode, Option<String>, Value) {
    let mut request = server
        .http
        .request(method, server.url("/mcp"))
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", MCP_SESSION_PROTOCOL);
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    if let Some(session) = session {
        request = request.header("mcp-session-id", session);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap_or_else(|e| panic!("/mcp: {e}"));
    let status = response.status();
    let opened = response
        .headers()
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = response.text().await.unwrap_or_default();
    let answer = serde_json::from_str(&text)
        .ok()
        .or_else(|| events(&text).into_iter().find(|event| event.get("id").is_some()))
        .unwrap_or(Value::String(text));
    (status, opened, answer)
}

/// Initializes a session for `bearer`; returns its id.
async fn mcp_session(server: &Server, bearer: &str) -> String {
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": MCP_SESSION_PROTOCOL, "capabilities": {},
        "clientInfo": {"name": "tests", "version": "1"}}});
    let (status, session, answer) = mcp_send(server, Some(bearer), None, reqwest::Method::POST, Some(initialize)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["result"]["serverInfo"]["name"], "tasktalk", "{answer}");
    let session = session.unwrap_or_else(|| panic!("no Mcp-Session-Id"));
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let (status, _, answer) = mcp_send(
        server,
        Some(bearer),
        Some(&session),
        reqwest::Method::POST,
        Some(initialized),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    session
}

/// tools/call on a session: (status, the JSON-RPC answer).
async fn mcp_tool(server: &Server, bearer: &str, session: &str, name: &str, arguments: Value) -> (StatusCode, Value) {
    let call =
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": name, "arguments": arguments}});
    let (status, _, answer) = mcp_send(server, Some(bearer), Some(session), reqwest::Method::POST, Some(call)).await;
    (status, answer)
}

#[tokio::test]
async fn mcp_over_http_refuses_a_missing_or_bad_token_with_401_before_reading_the_request() {
    let t = TestDatabase::sqlite().await;
    let server = Server::start(&t.url, &[], &[]);
    let (_, session, jwt) = server.user("ann@example.com").await;
    // Not even JSON-RPC: a 401 says MCP never read it.
    for bearer in [None, Some("not-a-session"), Some("a.b.c"), Some(&jwt[..jwt.len() - 2])] {
        for body in [Some(json!("garbage")), None] {
            let (status, _, answer) = mcp_send(&server, bearer, None, reqwest::Method::POST, body).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{bearer:?}: {answer}");
        }
    }
    let response = server
        .http
        .post(server.url("/mcp"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        response.headers().get("www-authenticate").and_then(|v| v.to_str().ok()),
        Some("Bearer")
    );
    // Either credential works; a signed-out session no longer does.
    mcp_session(&server, &jwt).await;
    mcp_session(&server, &session).await;
    let (status, _) = server.post("/api/auth/sign-out", Some(&session), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let ping = json!({"jsonrpc": "2.0", "id": 1, "method": "ping"});
    let (status, _, answer) = mcp_send(&server, Some(&session), None, reqwest::Method::POST, Some(ping)).await;
    assert_eq!(
        (status, answer["code"].clone()),
        (StatusCode::UNAUTHORIZED, json!("SESSION_INVALID"))
    );
}

#[tokio::test]
async fn mcp_over_http_has_the_chatkit_routes_body_limit() {
    let t = TestDatabase::sqlite().await;
    let server = Server::start(&t.url, &[], &["--max-body-bytes", "4096"]);
    let (_, _, jwt) = server.user("ann@example.com").await;
    let session = mcp_session(&server, &jwt).await;
    let (status, answer) = mcp_tool(&server, &jwt, &session, "add_task", json!({"title": "x".repeat(5000)})).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    let (status, answer) = mcp_tool(&server, &jwt, &session, "add_task", json!({"title": "x".repeat(100)})).await;
    assert_eq!(
        (status, answer["result"]["isError"].clone()),
        (StatusCode::OK, json!(false)),
        "{answer}"
    );
}

test_on_both_databases! {
    async fn mcp_sessions_over_http_belong_to_the_user_who_opened_them(t: TestDatabase) {
        let server = Server::start(&t.url, &[], &[]);
        let (_, ann_session, ann) = server.user("ann@example.com").await;
        let (_, _, ben) = server.user("ben@example.com").await;
        let anns = mcp_session(&server, &ann_session).await;

        let (status, added) = mcp_tool(&server, &ann, &anns, "add_task", json!({"title": "ann's milk"})).await;
        assert_eq!(status, StatusCode::OK, "{added}");
        let task_id = added["result"]["structuredContent"]["task_id"].clone();
        assert!(task_id.is_i64(), "{added}");

        // Ben, with a valid token of his own, cannot use, read or close Ann's session.
        let (status, refused) = mcp_tool(&server, &ben, &anns, "list_tasks", json!({})).await;
        assert_eq!((status, refused["error"]["code"].clone()), (StatusCode::NOT_FOUND, json!("MCP_SESSION_NOT_FOUND")));
        let (status, _, _) = mcp_send(&server, Some(&ben), Some(&anns), reqwest::Method::DELETE, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _, _) = mcp_send(&server, Some(&ben), Some(&anns), reqwest::Method::GET, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // On his own session he sees only his tasks, and cannot touch hers by id.
        let bens = mcp_session(&server, &ben).await;
        let (_, listed) = mcp_tool(&server, &ben, &bens, "list_tasks", json!({})).await;
        assert_eq!(listed["result"]["structuredContent"]["result"], json!([]), "{listed}");
        let (_, missing) = mcp_tool(&server, &ben, &bens, "complete_task", json!({"task_id": task_id})).await;
        assert_eq!(missing["result"]["isError"], true, "{missing}");
        assert!(missing["result"]["content"][0]["text"].as_str().unwrap_or_default().starts_with("TASK_NOT_FOUND: "), "{missing}");

        // Ann's session still works, with either of her credentials, and closes for her.
        let (_, listed) = mcp_tool(&server, &ann, &anns, "list_tasks", json!({})).await;
        assert_eq!(listed["result"]["structuredContent"]["result"][0]["title"], "ann's milk", "{listed}");
        let (status, _, _) = mcp_send(&server, Some(&ann), Some(&anns), reqwest::Method::DELETE, None).await;
        assert!(status.is_success(), "{status}");
        let (status, _) = mcp_tool(&server, &ann, &anns, "list_tasks", json!({})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, anns_tasks) = server.get("/api/tasks", Some(&ann)).await;
        let (_, bens_tasks) = server.get("/api/tasks", Some(&ben)).await;
        assert_eq!((task_titles(&anns_tasks), task_titles(&bens_tasks)), (vec!["ann's milk"], vec![]));
    }
}
