//! A model's due dates and priorities, end to end: a recorded Chat
//! Completions stream calling `add_task`, replayed through ChatKit, stores
//! them, and the model is told today's date, time and zone.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tasktalk_core::agent::{OpenAiCompatible, OpenAiConfig, ProviderKind};
use tasktalk_core::auth::{AuthConfig, ClientInfo};
use tasktalk_core::calendar::Calendar;
use tasktalk_core::chatkit::Response;
use tasktalk_core::replay::{ReplayServer, Reply};
use tasktalk_core::tasks::{Page, Priority, StatusFilter};
use tasktalk_core::testing::BETTER_AUTH_SECRET;
use tasktalk_core::token::{TokenConfig, Tokens};
use tasktalk_core::{Secret, Services, test_on_both_databases};

fn at(iso: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(iso)
        .unwrap_or_else(|e| panic!("{iso}: {e}"))
        .with_timezone(&Utc)
}

test_on_both_databases! {
    async fn a_replayed_add_task_with_due_and_priority_stores_them_in_the_users_zone(t: TestDatabase) {
        let server = ReplayServer::start([
            Reply::openai_tool_calls(&[("call_1", "add_task", r#"{"title":"pay rent","due":"2026-12-24T17:00","priority":"high"}"#)]),
            Reply::openai_text(&["Added pay rent, due Christmas Eve at 5pm."]),
        ])
        .await;
        let provider = OpenAiCompatible::new(OpenAiConfig {
            base_url: server.base_url(),
            api_key: Some(Secret::new("sk-test")),
            model: "gpt-test".into(),
            timeout: Duration::from_secs(10),
            stall_timeout: Duration::from_secs(10),
            kind: ProviderKind::OpenAi,
        });
        // 04:00 on Tuesday 1 December in New York.
        let calendar = Calendar::fixed(at("2026-12-01T09:00:00Z"), "America/New_York");
        let tokens = Tokens::load(&t.db, TokenConfig::new(Secret::new(BETTER_AUTH_SECRET))).await.unwrap_or_else(|e| panic!("{e}"));
        let services = Services::new(t.db.clone(), tokens, AuthConfig::default(), Arc::new(provider), calendar);
        let signed = services.accounts.sign_up("ann@example.com", "Ann", "correct horse", &ClientInfo::default()).await.unwrap_or_else(|e| panic!("{e}"));
        let bearer = format!("Bearer {}", services.tokens.issue(&signed.user).unwrap_or_else(|e| panic!("{e}")).token);

        let body = json!({"type": "threads.create", "params": {"input": {
            "content": [{"type": "input_text", "text": "pay rent by christmas eve 5pm, it's important"}], "attachments": [], "inference_options": {}
        }}});
        let Response::Stream(mut stream) = services.chatkit.process(Some(&bearer), body.to_string().as_bytes()).await else {
            panic!("expected a stream")
        };
        let mut events = Vec::new();
        while let Some(event) = stream.next().await {
            events.push(serde_json::to_value(&event).unwrap_or_default());
        }
        assert!(Value::Array(events.clone()).to_string().contains("Christmas Eve"), "{events:?}");

        let stored = services.tasks.list(&signed.user.id, StatusFilter::All, Page::default()).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(stored.len(), 1);
        assert_eq!((stored[0].title.as_str(), stored[0].due_at.map(|d| d.as_datetime()), stored[0].due_all_day, stored[0].priority),
            ("pay rent", Some(at("2026-12-24T22:00:00Z")), false, Priority::High));

        let requests = server.requests();
        let first = requests[0].body_json().unwrap_or_else(|e| panic!("{e}"));
        let system = first["messages"][0]["content"].as_str().unwrap_or_default();
        for told in ["Tuesday, 1 December 2026", "2026-12-01", "04:00", "America/New_York"] {
            assert!(system.contains(told), "{told}: {system}");
        }
        let second = requests[1].body_json().unwrap_or_else(|e| panic!("{e}"));
        let result = second["messages"].as_array().and_then(|m| m.last()).map(|m| m["content"].clone()).unwrap_or_default();
        let result: Value = serde_json::from_str(result.as_str().unwrap_or_default()).unwrap_or_default();
        assert_eq!((&result["due"], &result["priority"]), (&json!("2026-12-24T17:00"), &json!("high")), "the model reads back local time");
    }
}
