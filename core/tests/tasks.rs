//! Task rules and ownership, on both databases.

use chrono::{DateTime, NaiveDate, Utc};
use tasktalk_core::Timestamp;
use tasktalk_core::agent::{ToolCall, tools};
use tasktalk_core::calendar::Calendar;
use tasktalk_core::tasks::{Due, Error, NewTask, Page, Priority, StatusFilter, TaskUpdate, Tasks};
use tasktalk_core::test_on_both_databases;
use tasktalk_core::testing::TestDatabase;

const ALICE: &str = "alice-id";
const BOB: &str = "bob-id";

/// Tasks plus two users to own them (tasks reference users).
async fn setup(t: &TestDatabase) -> Tasks {
    for id in [ALICE, BOB] {
        tasktalk_core::on_db!(&t.db, pool => sqlx::query(r#"insert into "user" ("id", "name", "email", "emailVerified", "createdAt", "updatedAt") values ($1, $1, $2, $3, $4, $4)"#)
            .bind(id).bind(format!("{id}@example.com")).bind(false).bind(tasktalk_core::Timestamp::now())
            .execute(pool).await.map(|_| ()))
        .unwrap_or_else(|e| panic!("{e}"));
    }
    Tasks::new(t.db.clone())
}

fn at(iso: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(iso)
        .unwrap_or_else(|e| panic!("{iso}: {e}"))
        .with_timezone(&Utc)
        .into()
}

fn date(iso: &str) -> NaiveDate {
    NaiveDate::parse_from_str(iso, "%Y-%m-%d").unwrap_or_else(|e| panic!("{iso}: {e}"))
}

/// Tasks on a calendar frozen at `now` in `zone`.
async fn setup_at(t: &TestDatabase, now: &str, zone: &str) -> Tasks {
    setup(t).await;
    Tasks::with_calendar(t.db.clone(), Calendar::fixed(at(now).as_datetime(), zone))
}

fn titles(tasks: &[tasktalk_core::tasks::Task]) -> Vec<&str> {
    tasks.iter().map(|t| t.title.as_str()).collect()
}

test_on_both_databases! {
    async fn add_list_update_complete_delete(t: TestDatabase) {
        let tasks = setup(&t).await;
        let milk = tasks.add(ALICE, "  buy milk ", Some("2 litres")).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((milk.title.as_str(), milk.description.as_deref(), milk.completed), ("buy milk", Some("2 litres"), false));
        let bread = tasks.add(ALICE, "bake bread", None).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(bread.id > milk.id);
        assert_eq!(tasks.get(ALICE, milk.id).await.ok(), Some(milk.clone()));

        let renamed = tasks.update(ALICE, milk.id, TaskUpdate { title: Some("buy oat milk".into()), description: None, ..TaskUpdate::default() }).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((renamed.title.as_str(), renamed.description.as_deref()), ("buy oat milk", Some("2 litres")));
        assert!(renamed.updated_at >= milk.updated_at);
        let cleared = tasks.update(ALICE, milk.id, TaskUpdate { title: None, description: Some(None), ..TaskUpdate::default() }).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((cleared.title.as_str(), cleared.description), ("buy oat milk", None));

        let done = tasks.complete(ALICE, milk.id).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(done.completed);
        assert_eq!(titles(&tasks.list(ALICE, StatusFilter::All, Page::default()).await.unwrap_or_default()), ["bake bread", "buy oat milk"]);
        assert_eq!(titles(&tasks.list(ALICE, StatusFilter::Pending, Page::default()).await.unwrap_or_default()), ["bake bread"]);
        assert_eq!(titles(&tasks.list(ALICE, StatusFilter::Completed, Page::default()).await.unwrap_or_default()), ["buy oat milk"]);
        let reopened = tasks.set_completed(ALICE, milk.id, false).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(!reopened.completed);

        let deleted = tasks.delete(ALICE, bread.id).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(deleted.title, "bake bread");
        assert!(matches!(tasks.get(ALICE, bread.id).await, Err(Error::NotFound(id)) if id == bread.id));
        // A deleted task's number is never reused.
        let next = tasks.add(ALICE, "after delete", None).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(next.id > bread.id);
    }

    async fn invalid_input_is_refused_with_the_web_versions_codes_and_changes_nothing(t: TestDatabase) {
        let tasks = setup(&t).await;
        let task = tasks.add(ALICE, "keep me", None).await.unwrap_or_else(|e| panic!("{e}"));
        for title in ["", "   ", &"x".repeat(201)] {
            assert_eq!(tasks.add(ALICE, title, None).await.err().map(|e| e.code()), Some("INVALID_TITLE"));
            let update = TaskUpdate { title: Some(title.to_owned()), description: None, ..TaskUpdate::default() };
            assert_eq!(tasks.update(ALICE, task.id, update).await.err().map(|e| e.code()), Some("INVALID_TITLE"));
        }
        assert!(tasks.add(ALICE, &"é".repeat(200), None).await.is_ok(), "200 characters, not bytes");
        assert_eq!(tasks.update(ALICE, task.id, TaskUpdate::default()).await.err().map(|e| e.code()), Some("INVALID_REQUEST"));
        assert_eq!(tasks.list(ALICE, StatusFilter::All, Page { limit: 0, offset: 0 }).await.err().map(|e| e.code()), Some("INVALID_REQUEST"));
        assert_eq!(tasks.get(ALICE, 999_999).await.err().map(|e| e.code()), Some("TASK_NOT_FOUND"));
        assert_eq!(tasks.get(ALICE, task.id).await.ok(), Some(task));
    }

    async fn another_users_task_behaves_exactly_like_a_missing_one(t: TestDatabase) {
        let tasks = setup(&t).await;
        let alices = tasks.add(ALICE, "alice's secret", Some("private")).await.unwrap_or_else(|e| panic!("{e}"));
        let missing = alices.id + 1000;
        for id in [alices.id, missing] {
            let expect = format!("Task {id} was not found.");
            let errors = [
                tasks.get(BOB, id).await.err(),
                tasks.update(BOB, id, TaskUpdate { title: Some("mine now".into()), description: None, ..TaskUpdate::default() }).await.err(),
                tasks.complete(BOB, id).await.err(),
                tasks.set_completed(BOB, id, false).await.err(),
                tasks.delete(BOB, id).await.err(),
            ];
            for err in errors {
                assert!(matches!(&err, Some(Error::NotFound(n)) if *n == id), "{err:?}");
                assert_eq!(err.map(|e| e.to_string()).unwrap_or_default(), expect);
            }
        }
        assert!(tasks.list(BOB, StatusFilter::All, Page::default()).await.unwrap_or_else(|e| panic!("{e}")).is_empty());
        assert_eq!(tasks.get(ALICE, alices.id).await.ok(), Some(alices), "unchanged by Bob's attempts");
    }

    async fn lists_are_newest_first_and_paged(t: TestDatabase) {
        let tasks = setup(&t).await;
        for n in 0..25 {
            let task = tasks.add(ALICE, &format!("task {n:02}"), None).await.unwrap_or_else(|e| panic!("{e}"));
            if n % 5 == 0 {
                tasks.complete(ALICE, task.id).await.unwrap_or_else(|e| panic!("{e}"));
            }
        }
        let first = tasks.list(ALICE, StatusFilter::All, Page { limit: 10, offset: 0 }).await.unwrap_or_default();
        let second = tasks.list(ALICE, StatusFilter::All, Page { limit: 10, offset: 10 }).await.unwrap_or_default();
        let third = tasks.list(ALICE, StatusFilter::All, Page { limit: 10, offset: 20 }).await.unwrap_or_default();
        assert_eq!(titles(&first)[..3], ["task 24", "task 23", "task 22"]);
        assert_eq!(titles(&second)[0], "task 14");
        assert_eq!(third.len(), 5);
        let pending = tasks.list(ALICE, StatusFilter::Pending, Page::default()).await.unwrap_or_default();
        assert_eq!(pending.len(), 20);
        assert!(pending.iter().all(|t| !t.completed));
        let completed = tasks.list(ALICE, StatusFilter::Completed, Page::default()).await.unwrap_or_default();
        assert_eq!(titles(&completed), ["task 20", "task 15", "task 10", "task 05", "task 00"]);
    }

    async fn control_characters_are_refused_with_a_clear_message_and_change_nothing(t: TestDatabase) {
        let tasks = setup(&t).await;
        let task = tasks.add(ALICE, "keep me", Some("as I am")).await.unwrap_or_else(|e| panic!("{e}"));
        for bad in ["a\0b", "red \u{1b}[31m", "bell\u{7}", "del\u{7f}", "next\u{85}line", "carriage\rreturn"] {
            let err = tasks.add(ALICE, bad, None).await.err();
            assert_eq!(err.as_ref().map(Error::code), Some("INVALID_TITLE"), "{bad:?}");
            let message = err.map(|e| e.to_string()).unwrap_or_default();
            assert!(message.contains("control character"), "{bad:?}: {message}");
            let err = tasks.add(ALICE, "fine", Some(bad)).await.err();
            assert_eq!(err.as_ref().map(Error::code), Some("INVALID_REQUEST"), "{bad:?}");
            let message = err.map(|e| e.to_string()).unwrap_or_default();
            assert!(message.contains("description") && message.contains("control character"), "{bad:?}: {message}");
            let update = TaskUpdate { title: Some(bad.to_owned()), description: None, ..TaskUpdate::default() };
            assert_eq!(tasks.update(ALICE, task.id, update).await.err().map(|e| e.code()), Some("INVALID_TITLE"));
            let update = TaskUpdate { title: None, description: Some(Some(bad.to_owned())), ..TaskUpdate::default() };
            assert_eq!(tasks.update(ALICE, task.id, update).await.err().map(|e| e.code()), Some("INVALID_REQUEST"));
        }
        assert_eq!(tasks.get(ALICE, task.id).await.ok(), Some(task), "unchanged");
        assert_eq!(tasks.list(ALICE, StatusFilter::All, Page::default()).await.map(|l| l.len()).ok(), Some(1));
        // Tabs and line breaks are text in a description, not in a title.
        let noted = tasks.add(ALICE, "shop", Some("milk\tx2\nbread")).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(noted.description.as_deref(), Some("milk\tx2\nbread"));
        assert_eq!(tasks.add(ALICE, "a\tb", None).await.err().map(|e| e.code()), Some("INVALID_TITLE"));
    }

    async fn the_assistants_tools_refuse_control_characters_with_their_validation_codes(t: TestDatabase) {
        let tasks = setup(&t).await;
        let call = |name: &str, arguments: serde_json::Value| ToolCall { id: "c1".into(), name: name.into(), arguments: arguments.to_string() };
        let outcome = tools::execute(&tasks, ALICE, &call(tools::ADD_TASK, serde_json::json!({"title": "milk", "description": "2\u{0}litres"}))).await;
        assert!(!outcome.succeeded);
        assert_eq!(outcome.result["error"]["code"], "INVALID_REQUEST", "{}", outcome.result);
        let outcome = tools::execute(&tasks, ALICE, &call(tools::ADD_TASK, serde_json::json!({"title": "mi\u{0}lk"}))).await;
        assert_eq!(outcome.result["error"]["code"], "INVALID_TITLE", "{}", outcome.result);
        assert!(tasks.list(ALICE, StatusFilter::All, Page::default()).await.unwrap_or_default().is_empty());
    }

    async fn due_dates_priorities_and_reminders_are_stored_and_read_back(t: TestDatabase) {
        let tasks = setup_at(&t, "2026-12-01T09:00:00Z", "Europe/Paris").await;
        let new = NewTask {
            due: Some(Due::At(at("2026-12-24T16:00:00Z"))),
            remind_at: Some(at("2026-12-24T15:30:00Z")),
            priority: Priority::High,
            ..NewTask::titled("call mom")
        };
        let call = tasks.create(ALICE, new).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((call.due(), call.due_all_day, call.priority), (Some(Due::At(at("2026-12-24T16:00:00Z"))), false, Priority::High));
        assert_eq!((call.remind_at, call.completed_at), (Some(at("2026-12-24T15:30:00Z")), None));
        let rent = tasks.create(ALICE, NewTask { due: Some(Due::Date(date("2027-01-01"))), ..NewTask::titled("pay rent") }).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((rent.due(), rent.due_at, rent.due_all_day), (Some(Due::Date(date("2027-01-01"))), Some(at("2027-01-01T00:00:00Z")), true));
        assert_eq!(tasks.get(ALICE, call.id).await.ok(), Some(call.clone()));
        let plain = tasks.add(ALICE, "plain", None).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((plain.due(), plain.priority, plain.remind_at), (None, Priority::None, None));
    }

    async fn reminders_come_due_once_and_not_for_completed_tasks(t: TestDatabase) {
        let tasks = setup(&t).await;
        let remind = |title: &str, when: &str| NewTask { remind_at: Some(at(when)), ..NewTask::titled(title) };
        let early = tasks.create(ALICE, remind("early", "2026-12-01T08:00:00Z")).await.unwrap_or_else(|e| panic!("{e}"));
        let now = tasks.create(ALICE, remind("now", "2026-12-01T09:00:00Z")).await.unwrap_or_else(|e| panic!("{e}"));
        tasks.create(ALICE, remind("later", "2026-12-01T09:00:01Z")).await.unwrap_or_else(|e| panic!("{e}"));
        let done = tasks.create(ALICE, remind("done", "2026-12-01T07:00:00Z")).await.unwrap_or_else(|e| panic!("{e}"));
        tasks.complete(ALICE, done.id).await.unwrap_or_else(|e| panic!("{e}"));
        tasks.create(BOB, remind("bob's", "2026-12-01T07:00:00Z")).await.unwrap_or_else(|e| panic!("{e}"));

        let due = tasks.due_reminders(ALICE, at("2026-12-01T09:00:00Z")).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(titles(&due), ["early", "now"]);
        tasks.mark_reminded(ALICE, early.id, at("2026-12-01T09:00:05Z")).await.unwrap_or_else(|e| panic!("{e}"));
        let due = tasks.due_reminders(ALICE, at("2026-12-01T09:00:10Z")).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(titles(&due), ["now", "later"]);
        assert!(matches!(tasks.mark_reminded(BOB, now.id, at("2026-12-01T09:00:05Z")).await, Err(Error::NotFound(_))));

        // A new reminder time shows the reminder again; the same time does not.
        let same = TaskUpdate { remind_at: Some(Some(at("2026-12-01T08:00:00Z"))), ..TaskUpdate::default() };
        tasks.update(ALICE, early.id, same).await.unwrap_or_else(|e| panic!("{e}"));
        let due = tasks.due_reminders(ALICE, at("2026-12-01T09:00:10Z")).await.unwrap_or_default();
        assert!(!titles(&due).contains(&"early"));
        let moved = TaskUpdate { remind_at: Some(Some(at("2026-12-01T08:30:00Z"))), ..TaskUpdate::default() };
        tasks.update(ALICE, early.id, moved).await.unwrap_or_else(|e| panic!("{e}"));
        let due = tasks.due_reminders(ALICE, at("2026-12-01T09:00:10Z")).await.unwrap_or_default();
        assert_eq!(titles(&due), ["early", "now", "later"]);
    }
}
