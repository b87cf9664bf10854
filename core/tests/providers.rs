//! The OpenAI-compatible provider (OpenAI, Gemini, Ollama) against recorded
//! streams replayed by a local scripted server: parsing, request shape, error
//! mapping, timeouts and cancellation.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};
use tasktalk_core::Secret;
use tasktalk_core::agent::{
    ChatMessage, ModelEvent, ModelRequest, OpenAiCompatible, OpenAiConfig, Provider, ProviderError, ProviderErrorKind,
    ProviderKind, ToolCall, tools,
};
use tasktalk_core::replay::{Outcome, ReplayServer, Reply};

const KEY: &str = "sk-test-REPLAY0123456789abcdefSECRET1234";
/// Long enough for a slow CI machine, short enough that a hang fails fast.
const TEST_LIMIT: Duration = Duration::from_secs(20);

type Item = Result<ModelEvent, ProviderError>;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/providers/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// How a body is cut into TCP writes.
#[derive(Clone, Copy, Debug)]
enum Split {
    /// One write per event, as providers send them.
    Events,
    /// Fixed-size writes that cut lines, JSON and UTF-8 characters anywhere.
    Bytes(usize),
    /// One write per event, with `\r\n` line endings.
    Crlf,
}

const SPLITS: [Split; 4] = [Split::Events, Split::Bytes(1), Split::Bytes(7), Split::Crlf];

fn chunks(body: &str, split: Split) -> Vec<Vec<u8>> {
    let events = |body: &str| -> Vec<Vec<u8>> { body.split_inclusive("\n\n").map(|e| e.as_bytes().to_vec()).collect() };
    match split {
        Split::Events => events(body),
        Split::Bytes(n) => body.as_bytes().chunks(n).map(<[u8]>::to_vec).collect(),
        Split::Crlf => events(body)
            .into_iter()
            .map(|e| String::from_utf8_lossy(&e).replace('\n', "\r\n").into_bytes())
            .collect(),
    }
}

fn config(server: &ReplayServer, kind: ProviderKind) -> OpenAiConfig {
    OpenAiConfig {
        base_url: server.base_url(),
        api_key: Some(Secret::new(KEY)),
        model: kind.default_model().unwrap_or_default().to_owned(),
        timeout: Duration::from_secs(5),
        stall_timeout: Duration::from_secs(5),
        kind,
    }
}

fn provider(server: &ReplayServer, kind: ProviderKind) -> OpenAiCompatible {
    OpenAiCompatible::new(config(server, kind))
}

fn simple_request() -> ModelRequest {
    ModelRequest {
        messages: vec![
            ChatMessage::system("You manage the user's tasks."),
            ChatMessage::user("Add buy milk"),
        ],
        tools: tools::specs(),
    }
}

async fn collect(provider: &dyn Provider, request: ModelRequest) -> Vec<Item> {
    tokio::time::timeout(TEST_LIMIT, provider.stream(request).collect::<Vec<_>>())
        .await
        .unwrap_or_else(|_| panic!("the stream did not end within {TEST_LIMIT:?}"))
}

/// Replays one reply to a provider of the given kind and collects the stream.
async fn replay(reply: Reply, kind: ProviderKind) -> (Vec<Item>, ReplayServer) {
    let server = ReplayServer::start([reply]).await;
    let items = collect(&provider(&server, kind), simple_request()).await;
    (items, server)
}

/// The events of a stream that must have succeeded.
fn succeeded(items: Vec<Item>) -> Vec<ModelEvent> {
    items
        .into_iter()
        .map(|item| item.unwrap_or_else(|e| panic!("unexpected error {:?}: {}", e.kind, e.message)))
        .collect()
}

fn deltas(events: &[ModelEvent]) -> Vec<&str> {
    events
        .iter()
        .filter_map(|e| match e {
            ModelEvent::TextDelta(text) => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

fn calls(events: &[ModelEvent]) -> Vec<&ToolCall> {
    events
        .iter()
        .filter_map(|e| match e {
            ModelEvent::ToolCall(call) => Some(call),
            _ => None,
        })
        .collect()
}

/// Checks the stream ended in exactly one error, after `before` events, and returns it.
fn failure(items: Vec<Item>) -> (Vec<ModelEvent>, ProviderError) {
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    for item in items {
        match item {
            Ok(event) => {
                assert!(errors.is_empty(), "event {event:?} after an error");
                ok.push(event);
            }
            Err(e) => errors.push(e),
        }
    }
    assert_eq!(errors.len(), 1, "expected exactly one error, got {errors:?}");
    assert!(
        !ok.contains(&ModelEvent::Finished),
        "a failed stream must not say Finished: {ok:?}"
    );
    (ok, errors.remove(0))
}

fn assert_no_secret(error: &ProviderError) {
    assert!(!error.message.contains(KEY), "key leaked: {}", error.message);
    assert!(
        !error.message.contains("sk-test"),
        "key fragment leaked: {}",
        error.message
    );
    assert!(!error.message.contains("Bearer"), "header leaked: {}", error.message);
}

// ---------- parsing recorded streams ----------

#[tokio::test]
async fn openai_text_deltas_arrive_in_order_however_the_body_is_split() {
    let body = fixture("openai_text.sse");
    for split in SPLITS {
        let (items, _server) = replay(Reply::sse(200, chunks(&body, split)), ProviderKind::OpenAi).await;
        let events = succeeded(items);
        assert_eq!(
            deltas(&events),
            [
                "Sure", " —", " I've", " added", " “", "buy", " milk", "”", " to", " your", " list", ".", " ☕"
            ],
            "{split:?}"
        );
        assert_eq!(
            deltas(&events).concat(),
            "Sure — I've added “buy milk” to your list. ☕"
        );
        assert!(calls(&events).is_empty());
        assert_eq!(events.last(), Some(&ModelEvent::Finished), "{split:?}");
        assert_eq!(events.iter().filter(|e| **e == ModelEvent::Finished).count(), 1);
    }
}

#[tokio::test]
async fn openai_tool_call_split_across_chunks_is_one_call_with_the_joined_arguments() {
    let body = fixture("openai_tool_call.sse");
    for split in SPLITS {
        let (items, _server) = replay(Reply::sse(200, chunks(&body, split)), ProviderKind::OpenAi).await;
        let events = succeeded(items);
        assert_eq!(
            events,
            [
                ModelEvent::ToolCall(ToolCall {
                    id: "call_DdmO9pD3xa9XTPNJ32zg2hcA".into(),
                    name: "add_task".into(),
                    arguments: r#"{"title":"buy milk","description":"2 litres, oat"}"#.into(),
                }),
                ModelEvent::Finished,
            ],
            "{split:?}"
        );
    }
}

#[tokio::test]
async fn openai_parallel_tool_calls_come_whole_in_index_order() {
    let (items, _server) = replay(
        Reply::sse(
            200,
            chunks(&fixture("openai_parallel_tool_calls.sse"), Split::Bytes(11)),
        ),
        ProviderKind::OpenAi,
    )
    .await;
    let events = succeeded(items);
    let got: Vec<(&str, &str, &str)> = calls(&events)
        .iter()
        .map(|c| (c.id.as_str(), c.name.as_str(), c.arguments.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("call_9pWq3Lm2Xc7Vb5Nz1Rt8Yk4H", "complete_task", r#"{"task_id":3}"#),
            ("call_Hf6Tq2Wn8Ks4Jd0Lp3Vx7Bm1", "delete_task", r#"{"task_id":5}"#),
        ]
    );
    assert_eq!(events.len(), 3);
    assert_eq!(events.last(), Some(&ModelEvent::Finished));
}

#[tokio::test]
async fn interleaved_fragments_are_assembled_per_index_and_released_in_index_order() {
    let chunk = |delta: Value, finish: Value| {
        json!({"id": "chatcmpl-x", "object": "chat.completion.chunk", "created": 1, "model": "m",
               "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}]})
        .to_string()
    };
    let fragment = |index: u32, id: Option<&str>, name: Option<&str>, args: &str| {
        let mut call = json!({"index": index, "function": {"arguments": args}});
        if let Some(id) = id {
            call["id"] = json!(id);
            call["type"] = json!("function");
        }
        if let Some(name) = name {
            call["function"]["name"] = json!(name);
        }
        chunk(json!({"tool_calls": [call]}), Value::Null)
    };
    let reply = Reply::sse_data([
        chunk(json!({"role": "assistant", "content": "Doing both. "}), Value::Null),
        // Index 1 starts first and the two calls' pieces interleave.
        fragment(1, Some("call_b"), Some("delete_task"), ""),
        fragment(0, Some("call_a"), Some("add_task"), "{\"ti"),
        fragment(1, None, None, "{\"task_id\""),
        fragment(0, None, None, "tle\":\"x\"}"),
        fragment(1, None, None, ":9}"),
        chunk(json!({}), json!("tool_calls")),
        "[DONE]".to_owned(),
    ]);
    let (items, _server) = replay(reply, ProviderKind::OpenAi).await;
    let events = succeeded(items);
    assert_eq!(
        events,
        [
            ModelEvent::TextDelta("Doing both. ".into()),
            ModelEvent::ToolCall(ToolCall {
                id: "call_a".into(),
                name: "add_task".into(),
                arguments: r#"{"title":"x"}"#.into()
            }),
            ModelEvent::ToolCall(ToolCall {
                id: "call_b".into(),
                name: "delete_task".into(),
                arguments: r#"{"task_id":9}"#.into()
            }),
            ModelEvent::Finished,
        ]
    );
}

#[tokio::test]
async fn gemini_text_including_the_text_of_the_finishing_chunk() {
    for split in SPLITS {
        let (items, _server) = replay(
            Reply::sse(200, chunks(&fixture("gemini_text.sse"), split)),
            ProviderKind::Gemini,
        )
        .await;
        let events = succeeded(items);
        assert_eq!(
            deltas(&events).concat(),
            "Here are your open tasks:\n\n1. Buy milk\n2. Call the dentist\n\nWant me to mark one as done?",
            "{split:?}"
        );
        assert_eq!(deltas(&events).len(), 3);
        assert_eq!(events.last(), Some(&ModelEvent::Finished));
    }
}

#[tokio::test]
async fn gemini_tool_call_in_one_chunk_without_index_or_id_gets_a_generated_id() {
    let (items, _server) = replay(
        Reply::sse(200, chunks(&fixture("gemini_tool_call.sse"), Split::Events)),
        ProviderKind::Gemini,
    )
    .await;
    let events = succeeded(items);
    assert_eq!(events.len(), 2, "{events:?}");
    let call = calls(&events)[0];
    assert_eq!(
        (call.name.as_str(), call.arguments.as_str()),
        ("add_task", r#"{"title":"buy milk"}"#)
    );
    let number = call
        .id
        .strip_prefix("call_")
        .unwrap_or_else(|| panic!("generated id {}", call.id));
    assert!(
        !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()),
        "{}",
        call.id
    );
    assert_eq!(events[1], ModelEvent::Finished);
}

#[tokio::test]
async fn gemini_parallel_calls_without_index_stay_separate_with_distinct_ids() {
    let (items, _server) = replay(
        Reply::sse(200, chunks(&fixture("gemini_parallel_tool_calls.sse"), Split::Bytes(5))),
        ProviderKind::Gemini,
    )
    .await;
    let events = succeeded(items);
    let calls = calls(&events);
    let args: Vec<&str> = calls.iter().map(|c| c.arguments.as_str()).collect();
    assert_eq!(args, [r#"{"task_id":3}"#, r#"{"task_id":4}"#]);
    assert!(
        calls
            .iter()
            .all(|c| c.name == "complete_task" && c.id.starts_with("call_"))
    );
    assert_ne!(calls[0].id, calls[1].id);
    assert_eq!(events.last(), Some(&ModelEvent::Finished));
}

#[tokio::test]
async fn ollama_text_and_tool_call() {
    let (items, _server) = replay(
        Reply::sse(200, chunks(&fixture("ollama_text.sse"), Split::Bytes(3))),
        ProviderKind::OpenAiCompatible,
    )
    .await;
    let events = succeeded(items);
    assert_eq!(deltas(&events).concat(), "Done! \"Buy milk\" is now on your list.");
    assert_eq!(deltas(&events).len(), 12, "the empty final content is not a delta");
    assert_eq!(events.last(), Some(&ModelEvent::Finished));

    let (items, _server) = replay(
        Reply::sse(200, chunks(&fixture("ollama_tool_call.sse"), Split::Events)),
        ProviderKind::OpenAiCompatible,
    )
    .await;
    assert_eq!(
        succeeded(items),
        [
            ModelEvent::ToolCall(ToolCall {
                id: "call_k3p9x2ab".into(),
                name: "list_tasks".into(),
                arguments: r#"{"status":"pending"}"#.into()
            }),
            ModelEvent::Finished
        ]
    );
}

#[tokio::test]
async fn done_without_finish_reason_still_releases_the_calls() {
    let reply = Reply::sse_data([
        r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c1","function":{"name":"list_tasks","arguments":"{}"}}]}}]}"#,
        "[DONE]",
    ]);
    let (items, _server) = replay(reply, ProviderKind::OpenAiCompatible).await;
    assert_eq!(
        succeeded(items),
        [
            ModelEvent::ToolCall(ToolCall {
                id: "c1".into(),
                name: "list_tasks".into(),
                arguments: "{}".into()
            }),
            ModelEvent::Finished
        ]
    );
}

#[tokio::test]
async fn finish_reason_completes_the_answer_even_if_the_connection_then_drops() {
    let body = fixture("openai_text.sse").replace("data: [DONE]\n\n", "");
    let (items, _server) = replay(
        Reply::sse(200, chunks(&body, Split::Events)).cut(),
        ProviderKind::OpenAi,
    )
    .await;
    let events = succeeded(items);
    assert_eq!(
        deltas(&events).concat(),
        "Sure — I've added “buy milk” to your list. ☕"
    );
    assert_eq!(events.last(), Some(&ModelEvent::Finished));
}

// ---------- the request ----------

#[tokio::test]
async fn request_body_and_headers() {
    let server = ReplayServer::start([Reply::openai_text(&["ok"])]).await;
    let provider = provider(&server, ProviderKind::OpenAi);
    let request = ModelRequest {
        messages: vec![
            ChatMessage::system("You manage the user's tasks."),
            ChatMessage::user("Add buy milk"),
            ChatMessage::assistant(
                "",
                vec![ToolCall {
                    id: "call_1".into(),
                    name: "add_task".into(),
                    arguments: r#"{"title":"buy milk"}"#.into(),
                }],
            ),
            ChatMessage::tool_result("call_1", r#"{"task_id":7,"status":"created","title":"buy milk"}"#),
            ChatMessage::assistant("Added task 7.", vec![]),
            ChatMessage::user("Thanks"),
        ],
        tools: tools::specs(),
    };
    let events = succeeded(collect(&provider, request).await);
    assert_eq!(events, [ModelEvent::TextDelta("ok".into()), ModelEvent::Finished]);

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let sent = &requests[0];
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("POST", "/v1/chat/completions")
    );
    assert_eq!(sent.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
    assert!(
        sent.header("content-type")
            .is_some_and(|v| v.starts_with("application/json"))
    );
    assert_eq!(sent.header("accept"), Some("text/event-stream"));
    let body = sent.body_json().unwrap_or_else(|e| panic!("body is not JSON: {e}"));
    assert_eq!(body["model"], "gpt-4.1-mini");
    assert_eq!(body["stream"], true);
    assert_eq!(
        body["messages"],
        json!([
            {"role": "system", "content": "You manage the user's tasks."},
            {"role": "user", "content": "Add buy milk"},
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "add_task", "arguments": "{\"title\":\"buy milk\"}"}}
            ]},
            {"role": "tool", "tool_call_id": "call_1", "content": "{\"task_id\":7,\"status\":\"created\",\"title\":\"buy milk\"}"},
            {"role": "assistant", "content": "Added task 7."},
            {"role": "user", "content": "Thanks"},
        ])
    );
    let expected_tools: Vec<Value> = tools::specs()
        .iter()
        .map(|t| json!({"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}}))
        .collect();
    assert_eq!(body["tools"], Value::Array(expected_tools));
    assert_eq!(body["tools"].as_array().map(Vec::len), Some(5));
}

#[tokio::test]
async fn no_key_means_no_authorization_header_and_no_tools_means_no_tools_field() {
    let server = ReplayServer::start([Reply::openai_text(&["hi"])]).await;
    // A trailing slash on the base URL must not double the slash.
    let provider = OpenAiCompatible::new(OpenAiConfig {
        base_url: format!("{}/", server.base_url()),
        api_key: None,
        ..config(&server, ProviderKind::OpenAiCompatible)
    });
    let request = ModelRequest {
        messages: vec![ChatMessage::user("hi")],
        tools: Vec::new(),
    };
    let events = succeeded(collect(&provider, request).await);
    assert_eq!(deltas(&events), ["hi"]);
    let sent = &server.requests()[0];
    assert_eq!(sent.path, "/v1/chat/completions");
    assert_eq!(sent.header("authorization"), None);
    let body = sent.body_json().unwrap_or_else(|e| panic!("{e}"));
    assert!(body.get("tools").is_none(), "{body}");
    assert_eq!(body["model"], "llama3.2");
}

#[tokio::test]
async fn the_stream_is_lazy_and_one_provider_serves_consecutive_turns() {
    let server = ReplayServer::start([
        Reply::openai_tool_calls(&[("call_x", "list_tasks", r#"{"status":"all"}"#)]),
        Reply::openai_text(&["Nothing", " left."]),
    ])
    .await;
    let provider = provider(&server, ProviderKind::OpenAi);
    let stream = provider.stream(simple_request());
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        server.request_count(),
        0,
        "a request was sent before the stream was polled"
    );
    let first = succeeded(
        tokio::time::timeout(TEST_LIMIT, stream.collect::<Vec<_>>())
            .await
            .unwrap_or_default(),
    );
    assert_eq!(
        first,
        [
            ModelEvent::ToolCall(ToolCall {
                id: "call_x".into(),
                name: "list_tasks".into(),
                arguments: r#"{"status":"all"}"#.into()
            }),
            ModelEvent::Finished
        ]
    );
    let second = succeeded(collect(&provider, simple_request()).await);
    assert_eq!(deltas(&second).concat(), "Nothing left.");
    assert_eq!(server.request_count(), 2);
}

#[test]
fn describe_and_debug_name_the_model_but_never_the_key() {
    let provider = OpenAiCompatible::new(OpenAiConfig::gemini(Secret::new(KEY)));
    assert_eq!(provider.describe(), "gemini gemini-2.5-flash");
    assert_eq!(
        provider.config().base_url,
        "https://generativelanguage.googleapis.com/v1beta/openai/"
    );
    let debug = format!("{provider:?}");
    assert!(!debug.contains(KEY) && debug.contains("gemini-2.5-flash"), "{debug}");
    let local = OpenAiCompatible::new(OpenAiConfig::compatible("http://localhost:1234/v1", "qwen3-8b"));
    assert_eq!(
        local.describe(),
        "openai-compatible qwen3-8b at http://localhost:1234/v1"
    );
}

// ---------- errors ----------

#[tokio::test]
async fn http_401_is_unauthorized_without_the_key_in_the_message() {
    let (items, _server) = replay(Reply::json(401, fixture("openai_error_401.json")), ProviderKind::OpenAi).await;
    let (before, error) = failure(items);
    assert!(before.is_empty());
    assert_eq!(error.kind, ProviderErrorKind::Unauthorized);
    assert!(!error.allow_retry());
    assert!(
        error.message.contains("API key was refused by OpenAI"),
        "{}",
        error.message
    );
    assert_no_secret(&error);
}

#[tokio::test]
async fn gemini_answers_a_bad_key_with_400_and_that_is_unauthorized_too() {
    let (items, _server) = replay(
        Reply::json(400, fixture("gemini_error_400_api_key.json")),
        ProviderKind::Gemini,
    )
    .await;
    let (_, error) = failure(items);
    assert_eq!(error.kind, ProviderErrorKind::Unauthorized, "{}", error.message);
    assert!(error.message.contains("Gemini"), "{}", error.message);
    assert_no_secret(&error);
}

#[tokio::test]
async fn http_429_is_rate_limited_retryable_and_quotes_the_provider() {
    let (items, _server) = replay(
        Reply::json(429, fixture("openai_error_429.json")).header("retry-after", "20"),
        ProviderKind::OpenAi,
    )
    .await;
    let (_, error) = failure(items);
    assert_eq!(error.kind, ProviderErrorKind::RateLimited);
    assert!(error.allow_retry());
    assert!(error.message.contains("Please try again in 20s"), "{}", error.message);
    assert_no_secret(&error);
}

#[tokio::test]
async fn server_errors_are_unavailable() {
    for status in [500, 502, 503, 529] {
        let (items, _server) = replay(
            Reply::json(status, r#"{"error":{"message":"boom"}}"#),
            ProviderKind::OpenAi,
        )
        .await;
        let (_, error) = failure(items);
        assert_eq!(error.kind, ProviderErrorKind::Unavailable, "{status}");
        assert!(error.allow_retry());
        assert!(error.message.contains(&status.to_string()), "{}", error.message);
    }
}

#[tokio::test]
async fn refused_requests_quote_the_providers_reason() {
    let (items, server) = replay(
        Reply::json(404, fixture("ollama_error_404.json")),
        ProviderKind::OpenAiCompatible,
    )
    .await;
    let (_, error) = failure(items);
    assert_eq!(error.kind, ProviderErrorKind::Rejected);
    assert!(!error.allow_retry());
    assert!(
        error.message.contains(r#"model "llama9" not found"#),
        "{}",
        error.message
    );
    let origin = server.origin();
    let port = origin.rsplit(':').next().unwrap_or_default();
    assert!(
        error
            .message
            .starts_with(&format!("The model server at 127.0.0.1:{port}")),
        "{}",
        error.message
    );

    // A long message is cut short.
    let long = "x".repeat(5000);
    let (items, _server) = replay(
        Reply::json(422, json!({"error": {"message": long}}).to_string()),
        ProviderKind::OpenAi,
    )
    .await;
    let (_, error) = failure(items);
    assert_eq!(error.kind, ProviderErrorKind::Rejected);
    assert!(error.message.len() < 500, "{} characters", error.message.len());
}

#[tokio::test]
async fn a_key_echoed_by_a_server_is_masked() {
    let body = json!({"error": {"message": format!("key {KEY} is not allowed for model x")}}).to_string();
    let (items, _server) = replay(Reply::json(400, body), ProviderKind::OpenAiCompatible).await;
    let (_, error) = failure(items);
    assert_eq!(error.kind, ProviderErrorKind::Rejected);
    assert!(error.message.contains("key *** is not allowed"), "{}", error.message);
    assert_no_secret(&error);
}

#[tokio::test]
async fn an_error_inside_the_stream_ends_it_with_the_matching_kind() {
    let (items, _server) = replay(
        Reply::sse(200, chunks(&fixture("openai_error_rate_limit.sse"), Split::Events)),
        ProviderKind::OpenAi,
    )
    .await;
    let (before, error) = failure(items);
    assert_eq!(deltas(&before), ["Let", " me", " check"]);
    assert_eq!(error.kind, ProviderErrorKind::RateLimited);
    assert!(error.message.contains("Rate limit reached"), "{}", error.message);

    // A server error, followed by chunks that must not be read.
    let reply = Reply::sse_data([
        r#"{"choices":[{"index":0,"delta":{"content":"Hel"}}]}"#,
        r#"{"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}"#,
        r#"{"choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}"#,
        "[DONE]",
    ]);
    let (items, _server) = replay(reply, ProviderKind::OpenAi).await;
    let (before, error) = failure(items);
    assert_eq!(deltas(&before), ["Hel"]);
    assert_eq!(error.kind, ProviderErrorKind::Unavailable);
    assert!(error.message.contains("The server had an error"), "{}", error.message);
}

#[tokio::test]
async fn data_that_is_not_the_protocol_is_a_bad_response() {
    for garbage in ["this is not json", r#"{"choices":"nope"}"#, r#"["a","b"]"#] {
        let reply = Reply::sse_data([
            r#"{"choices":[{"index":0,"delta":{"content":"ok"}}]}"#,
            garbage,
            r#"{"choices":[{"index":0,"delta":{"content":"more"},"finish_reason":"stop"}]}"#,
            "[DONE]",
        ]);
        let (items, _server) = replay(reply, ProviderKind::OpenAi).await;
        let (before, error) = failure(items);
        assert_eq!(deltas(&before), ["ok"], "{garbage}");
        assert_eq!(error.kind, ProviderErrorKind::BadResponse, "{garbage}");
    }

    // A web page (a captive portal, a wrong base URL) is not the API either.
    let page = Reply::new(200)
        .header("content-type", "text/html; charset=utf-8")
        .chunk("<html><body>Sign in to the Wi-Fi</body></html>");
    let (items, _server) = replay(page, ProviderKind::OpenAiCompatible).await;
    let (_, error) = failure(items);
    assert_eq!(error.kind, ProviderErrorKind::BadResponse);
    assert!(error.message.contains("base URL"), "{}", error.message);
}

#[tokio::test]
async fn a_connection_cut_mid_stream_is_a_network_error() {
    let body = fixture("openai_text.sse");
    let events: Vec<&str> = body.split_inclusive("\n\n").collect();
    // Three events, then half of the fourth, then the connection closes.
    let mut reply = Reply::sse(200, events[..3].iter().copied());
    reply = reply.chunk(&events[3][..40]).cut();
    let (items, server) = replay(reply, ProviderKind::OpenAi).await;
    let (before, error) = failure(items);
    assert_eq!(deltas(&before), ["Sure", " —"]);
    assert_eq!(error.kind, ProviderErrorKind::Network);
    assert!(error.allow_retry());
    assert!(
        error.message.contains("connection to OpenAI broke off"),
        "{}",
        error.message
    );
    assert_eq!(server.outcome_now(0), Some(Outcome::Cut));
}

#[tokio::test]
async fn a_body_that_ends_without_done_or_finish_reason_is_a_network_error() {
    let reply = Reply::sse_data([r#"{"choices":[{"index":0,"delta":{"content":"Half an"}}]}"#]);
    let (items, _server) = replay(reply, ProviderKind::OpenAi).await;
    let (before, error) = failure(items);
    assert_eq!(deltas(&before), ["Half an"]);
    assert_eq!(error.kind, ProviderErrorKind::Network);
    assert!(error.message.contains("broke off"), "{}", error.message);
}

#[tokio::test]
async fn a_stream_that_stalls_times_out_and_hangs_up() {
    let body = fixture("openai_text.sse");
    let first = body.split_inclusive("\n\n").take(2).collect::<String>();
    let server = ReplayServer::start([Reply::sse(200, [first]).stall()]).await;
    let provider = OpenAiCompatible::new(OpenAiConfig {
        stall_timeout: Duration::from_millis(300),
        ..config(&server, ProviderKind::OpenAi)
    });
    let started = Instant::now();
    let (before, error) = failure(collect(&provider, simple_request()).await);
    assert_eq!(deltas(&before), ["Sure"]);
    assert_eq!(error.kind, ProviderErrorKind::Timeout, "{}", error.message);
    assert!(error.allow_retry());
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "took {:?}",
        started.elapsed()
    );
    let outcome = tokio::time::timeout(TEST_LIMIT, server.outcome(0)).await;
    assert_eq!(outcome.ok(), Some(Outcome::ClientClosed));
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let server = ReplayServer::start([Reply::openai_text(&["late"]).delay_head(Duration::from_secs(30))]).await;
    let provider = OpenAiCompatible::new(OpenAiConfig {
        timeout: Duration::from_millis(300),
        ..config(&server, ProviderKind::Gemini)
    });
    let started = Instant::now();
    let (before, error) = failure(collect(&provider, simple_request()).await);
    assert!(before.is_empty());
    assert_eq!(error.kind, ProviderErrorKind::Timeout);
    assert!(
        error.message.contains("Gemini did not answer within 0.3 seconds"),
        "{}",
        error.message
    );
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_unreachable_server_is_a_network_error() {
    // A port that was just free: nothing listens on it any more.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        listener.local_addr().unwrap_or_else(|e| panic!("{e}")).port()
    };
    let provider = OpenAiCompatible::new(OpenAiConfig {
        timeout: Duration::from_secs(5),
        ..OpenAiConfig::compatible(format!("http://127.0.0.1:{port}/v1"), "llama3.2")
    });
    let (_, error) = failure(collect(&provider, simple_request()).await);
    assert_eq!(error.kind, ProviderErrorKind::Network, "{}", error.message);
    assert!(
        error.message.contains(&format!("127.0.0.1:{port}")),
        "{}",
        error.message
    );
    assert!(error.allow_retry());
}

#[tokio::test]
async fn an_invalid_base_url_is_rejected_without_a_request() {
    let provider = OpenAiCompatible::new(OpenAiConfig::compatible("localhost:11434/v1", "llama3.2"));
    let (_, error) = failure(collect(&provider, simple_request()).await);
    assert_eq!(error.kind, ProviderErrorKind::Rejected, "{}", error.message);
    assert!(error.message.contains("base URL"), "{}", error.message);
}

#[tokio::test]
async fn an_unscripted_request_gets_a_server_error() {
    let server = ReplayServer::start([]).await;
    let (_, error) = failure(collect(&provider(&server, ProviderKind::OpenAi), simple_request()).await);
    assert_eq!(error.kind, ProviderErrorKind::Unavailable);
    assert_eq!(server.request_count(), 1);
}

// ---------- cancellation ----------

#[tokio::test]
async fn dropping_the_stream_closes_the_connection() {
    let body = fixture("openai_text.sse");
    let events: Vec<&str> = body.split_inclusive("\n\n").collect();
    let reply = Reply::sse(200, [events[..2].concat()]).chunk_after(Duration::from_secs(60), events[2..].concat());
    let server = ReplayServer::start([reply]).await;
    let provider = provider(&server, ProviderKind::OpenAi);
    let mut stream = provider.stream(simple_request());
    let first = tokio::time::timeout(TEST_LIMIT, stream.next()).await.ok().flatten();
    assert_eq!(first.and_then(Result::ok), Some(ModelEvent::TextDelta("Sure".into())));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        server.outcome_now(0),
        None,
        "the reply ended while the stream was still alive"
    );

    drop(stream);
    let outcome = tokio::time::timeout(Duration::from_secs(5), server.outcome(0)).await;
    assert_eq!(
        outcome.ok(),
        Some(Outcome::ClientClosed),
        "the connection stayed open after the drop"
    );
}

/// A 2 MiB run of `x` inside a text delta, on one line.
fn huge_text_event() -> String {
    format!(
        r#"{{"choices":[{{"index":0,"delta":{{"content":"{}"}}}}]}}"#,
        "x".repeat(2 << 20)
    )
}

#[tokio::test]
async fn a_line_or_event_over_the_limit_ends_the_reply_and_keeps_the_text_so_far() {
    let first = r#"{"choices":[{"index":0,"delta":{"content":"Hel"}}]}"#;
    let finish = r#"{"choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}"#;
    let many_lines = format!("{}\n", format!("data: {}\n", "x".repeat(100)).repeat(20_000));
    let bodies = [
        // One complete line of 2 MiB.
        format!(
            "data: {first}\n\ndata: {}\n\ndata: {finish}\n\ndata: [DONE]\n\n",
            huge_text_event()
        ),
        // One event of many short data lines, 2 MB of data in all.
        format!("data: {first}\n\n{many_lines}data: {finish}\n\ndata: [DONE]\n\n"),
    ];
    for body in bodies {
        let (items, _server) = replay(
            Reply::sse(200, chunks(&body, Split::Bytes(64 * 1024))),
            ProviderKind::OpenAi,
        )
        .await;
        let (before, error) = failure(items);
        assert_eq!(deltas(&before), ["Hel"]);
        assert_eq!(error.kind, ProviderErrorKind::BadResponse);
        assert!(error.message.contains("larger than 1 MiB"), "{}", error.message);
    }

    // A line that never ends is refused as soon as it passes the limit, not
    // when the stall timeout (5 s here) finally gives up.
    let started = Instant::now();
    let reply = Reply::sse(
        200,
        [format!("data: {first}\n\n"), "data: ".to_owned() + &"x".repeat(2 << 20)],
    )
    .stall();
    let (items, _server) = replay(reply, ProviderKind::OpenAi).await;
    let (before, error) = failure(items);
    assert_eq!(
        (deltas(&before), error.kind),
        (vec!["Hel"], ProviderErrorKind::BadResponse),
        "{}",
        error.message
    );
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
}

#[tokio::test]
async fn tool_call_indexes_at_the_top_of_the_range_neither_overflow_nor_allocate() {
    // The largest index a provider can send, then a Gemini-style call without one.
    let reply = Reply::sse_data([
        r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":4294967295,"id":"a","function":{"name":"list_tasks","arguments":"{}"}}]}}]}"#,
        r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"id":"b","function":{"name":"add_task","arguments":"{\"title\":\"x\"}"}}]},"finish_reason":"tool_calls"}]}"#,
        "[DONE]",
    ]);
    let (items, _server) = replay(reply, ProviderKind::OpenAi).await;
    let events = succeeded(items);
    let names: Vec<&str> = calls(&events).iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["list_tasks", "add_task"]);

    // An index past u32 is not a valid chunk.
    let reply = Reply::sse_data([
        r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":4294967296,"id":"a","function":{"name":"list_tasks"}}]}}]}"#,
        "[DONE]",
    ]);
    let (items, _server) = replay(reply, ProviderKind::OpenAi).await;
    assert_eq!(failure(items).1.kind, ProviderErrorKind::BadResponse);
}

#[tokio::test]
async fn an_answer_with_too_many_tool_calls_or_too_much_argument_text_is_refused() {
    let many: Vec<String> = (0..1000)
        .map(|i| format!(r#"{{"choices":[{{"index":0,"delta":{{"tool_calls":[{{"index":{i},"id":"c{i}","function":{{"name":"list_tasks","arguments":"{{}}"}}}}]}}}}]}}"#))
        .chain(["[DONE]".to_owned()])
        .collect();
    let (items, _server) = replay(Reply::sse_data(many), ProviderKind::OpenAi).await;
    let (_, error) = failure(items);
    assert_eq!(error.kind, ProviderErrorKind::BadResponse);
    assert!(error.message.contains("more than 128 tool calls"), "{}", error.message);

    // 2 MiB of arguments for one call, in pieces small enough to pass the event limit.
    let piece = format!(
        r#"{{"choices":[{{"index":0,"delta":{{"tool_calls":[{{"index":0,"function":{{"arguments":"{}"}}}}]}}}}]}}"#,
        "x".repeat(64 * 1024)
    );
    let mut events = vec![
        r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","function":{"name":"add_task"}}]}}]}"#
            .to_owned(),
    ];
    events.extend(std::iter::repeat_n(piece, 32));
    events.push("[DONE]".to_owned());
    let (items, _server) = replay(Reply::sse_data(events), ProviderKind::OpenAi).await;
    let (_, error) = failure(items);
    assert!(error.message.contains("larger than 1 MiB"), "{}", error.message);
}
