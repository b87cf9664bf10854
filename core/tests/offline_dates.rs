//! The issue's plain-language examples through `/chatkit`, answered by the
//! offline assistant over the real tools, on both databases, in Berlin on
//! Wednesday 2 December 2026 at 10:00 local time (a frozen clock).

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use tasktalk_core::agent::{Agent, OfflineAssistant};
use tasktalk_core::auth::{Accounts, AuthConfig, ClientInfo};
use tasktalk_core::calendar::Calendar;
use tasktalk_core::chatkit::{ChatKit, Response};
use tasktalk_core::tasks::{Priority, Task, TaskId, Tasks};
use tasktalk_core::testing::{BETTER_AUTH_SECRET, TestDatabase};
use tasktalk_core::token::{TokenConfig, Tokens};
use tasktalk_core::{Secret, test_on_both_databases};

struct Chat {
    chatkit: ChatKit,
    tasks: Tasks,
    calendar: Calendar,
    user: String,
    auth: String,
}

impl Chat {
    async fn start(t: &TestDatabase) -> Self {
        // 09:00 UTC is 10:00 in Berlin.
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).single().unwrap_or_default();
        let calendar = Calendar::fixed(now, "Europe/Berlin");
        let accounts = Accounts::new(t.db.clone(), AuthConfig::default());
        let tokens = Tokens::load(&t.db, TokenConfig::new(Secret::new(BETTER_AUTH_SECRET)))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let signed = accounts
            .sign_up("alice@example.com", "Alice", "correct horse", &ClientInfo::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let auth = format!(
            "Bearer {}",
            tokens.issue(&signed.user).unwrap_or_else(|e| panic!("{e}")).token
        );
        let tasks = Tasks::with_calendar(t.db.clone(), calendar);
        let agent = Agent::new(Arc::new(OfflineAssistant::new(calendar)), tasks.clone());
        Self {
            chatkit: ChatKit::new(t.db.clone(), Arc::new(tokens), agent),
            tasks,
            calendar,
            user: signed.user.id,
            auth,
        }
    }

    /// One message in a new thread: the assistant's reply.
    async fn say(&self, text: &str) -> String {
        let body = json!({"type": "threads.create", "params": {"input": {
            "content": [{"type": "input_text", "text": text}], "attachments": [], "inference_options": {}
        }}});
        let Response::Stream(mut stream) = self
            .chatkit
            .process(Some(&self.auth), body.to_string().as_bytes())
            .await
        else {
            panic!("{text}: expected a stream");
        };
        let mut reply = Value::Null;
        while let Some(event) = stream.next().await {
            let event = serde_json::to_value(&event).unwrap_or_default();
            if event["type"] == "thread.item.done" && event["item"]["type"] == "assistant_message" {
                reply = event["item"]["content"][0]["text"].clone();
            }
        }
        reply.as_str().unwrap_or_else(|| panic!("{text}: no reply")).to_owned()
    }

    async fn task(&self, title: &str) -> Task {
        let all = self
            .tasks
            .list(&self.user, Default::default(), Default::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        all.into_iter()
            .find(|t| t.title == title)
            .unwrap_or_else(|| panic!("no task {title:?}"))
    }

    /// A task's due date and reminder as local ISO, and its priority.
    async fn dates(&self, title: &str) -> (Option<String>, Option<String>, Priority, TaskId) {
        let task = self.task(title).await;
        (
            task.due().map(|due| self.calendar.format_due(due)),
            task.remind_at.map(|at| self.calendar.format_local(at)),
            task.priority,
            task.id,
        )
    }
}

test_on_both_databases! {
    async fn the_issues_examples_work_through_chatkit(t: TestDatabase) {
        let chat = Chat::start(&t).await;

        let reply = chat.say("remind me to call mom tomorrow at 5pm").await;
        let (due, remind, priority, mom) = chat.dates("call mom").await;
        assert_eq!((due.as_deref(), remind.as_deref(), priority), (Some("2026-12-03T17:00"), Some("2026-12-03T17:00"), Priority::None));
        assert_eq!(reply, format!("Added \"call mom\" to your list (task {mom}), due tomorrow at 17:00. I'll remind you tomorrow at 17:00."));

        let reply = chat.say("add a high priority task to pay rent by the 1st").await;
        let (due, remind, priority, rent) = chat.dates("pay rent").await;
        assert_eq!((due.as_deref(), remind, priority), (Some("2027-01-01"), None, Priority::High));
        assert_eq!(reply, format!("Added \"pay rent\" to your list (task {rent}), due Fri 1 Jan 2027, high priority."));

        let reply = chat.say("what's due this week?").await;
        assert_eq!(reply, format!("1 task due this week:\n{mom}. call mom (due tomorrow at 17:00)"));

        assert_eq!(chat.say("what is overdue?").await, "Nothing is overdue — nice!");
        chat.say("add file taxes").await;
        let reply = chat.say("file taxes is due 2026-12-01").await;
        assert_eq!(reply, "\"file taxes\" is now due yesterday.");
        let (_, _, _, taxes) = chat.dates("file taxes").await;
        assert_eq!(chat.say("what is overdue?").await, format!("1 task overdue:\n{taxes}. file taxes (due yesterday)"));

        let reply = chat.say("move pay rent to next monday").await;
        assert_eq!(reply, "\"pay rent\" is now due Mon 7 Dec.");
        assert_eq!(chat.dates("pay rent").await.0.as_deref(), Some("2026-12-07"));
        let reply = chat.say("what is high priority?").await;
        assert_eq!(reply, format!("You have 1 open high-priority task:\n{rent}. pay rent (due Mon 7 Dec, high priority)"));

        chat.say("add buy milk").await;
        assert_eq!(chat.say("I bought milk").await, "Marked \"buy milk\" as done.");
        assert!(chat.task("buy milk").await.completed);
        assert_eq!(chat.say("reopen buy milk").await, "Reopened \"buy milk\".");
        let milk = chat.task("buy milk").await;
        assert!(!milk.completed && milk.completed_at.is_none(), "{milk:?}");

        assert_eq!(chat.say("find rent").await, format!("1 task matches \"rent\":\n{rent}. pay rent (due Mon 7 Dec, high priority)"));
        assert_eq!(chat.say("remove the due date from pay rent").await, "Removed the due date of \"pay rent\".");
        assert_eq!(chat.dates("pay rent").await.0, None);
    }
}
