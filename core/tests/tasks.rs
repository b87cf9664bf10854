//! Task rules and ownership, on both databases.

use chrono::{DateTime, NaiveDate, Utc};
use tasktalk_core::Timestamp;
use tasktalk_core::agent::{ToolCall, tools};
use tasktalk_core::calendar::Calendar;
use tasktalk_core::tasks::{
    Due, DueFilter, Error, NewTask, Page, Priority, Sort, StatusFilter, TaskQuery, TaskUpdate, Tasks,
};
use tasktalk_core::test_on_both_databases;
use tasktalk_core::testing::{TestDatabase, insert_users};

const ALICE: &str = "alice-id";
const BOB: &str = "bob-id";

/// Tasks plus two users to own them (tasks reference users).
async fn setup(t: &TestDatabase) -> Tasks {
    insert_users(&t.db, &[ALICE, BOB]).await;
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

    async fn due_dates_priorities_and_completion_are_set_cleared_and_reopened(t: TestDatabase) {
        let tasks = setup_at(&t, "2026-12-01T09:00:00Z", "America/New_York").await;
        let task = tasks.add(ALICE, "pay rent", None).await.unwrap_or_else(|e| panic!("{e}"));
        let set = TaskUpdate { due: Some(Some(Due::Date(date("2027-01-01")))), priority: Some(Priority::Medium), remind_at: Some(Some(at("2026-12-31T14:00:00Z"))), ..TaskUpdate::default() };
        let changed = tasks.update(ALICE, task.id, set).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((changed.due(), changed.priority, changed.remind_at, changed.title.as_str()), (Some(Due::Date(date("2027-01-01"))), Priority::Medium, Some(at("2026-12-31T14:00:00Z")), "pay rent"));
        let timed = TaskUpdate { due: Some(Some(Due::At(at("2026-12-31T22:00:00Z")))), ..TaskUpdate::default() };
        let changed = tasks.update(ALICE, task.id, timed).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((changed.due(), changed.due_all_day, changed.priority), (Some(Due::At(at("2026-12-31T22:00:00Z"))), false, Priority::Medium), "the rest kept");

        let done = tasks.complete(ALICE, task.id).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((done.completed, done.completed_at), (true, Some(at("2026-12-01T09:00:00Z"))));
        let again = tasks.complete(ALICE, task.id).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again.completed_at, done.completed_at, "completing twice keeps the first time");
        let reopened = tasks.update(ALICE, task.id, TaskUpdate { completed: Some(false), ..TaskUpdate::default() }).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((reopened.completed, reopened.completed_at), (false, None));

        let cleared = TaskUpdate { due: Some(None), remind_at: Some(None), priority: Some(Priority::None), ..TaskUpdate::default() };
        let cleared = tasks.update(ALICE, task.id, cleared).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((cleared.due(), cleared.due_at, cleared.remind_at, cleared.priority), (None, None, None, Priority::None));
        let far = TaskUpdate { due: Some(Some(Due::Date(date("0999-12-31")))), ..TaskUpdate::default() };
        assert_eq!(tasks.update(ALICE, task.id, far).await.err().map(|e| e.code()), Some("INVALID_REQUEST"));
        assert_eq!(tasks.get(ALICE, task.id).await.ok(), Some(cleared), "a refused change changes nothing");
    }

    async fn due_windows_are_read_in_the_calendars_zone(t: TestDatabase) {
        // 22:00 on Monday 30 November in New York; already Tuesday in UTC.
        let tasks = setup_at(&t, "2026-12-01T03:00:00Z", "America/New_York").await;
        let add = |title: &'static str, due: Option<Due>| {
            let tasks = tasks.clone();
            async move { tasks.create(ALICE, NewTask { due, ..NewTask::titled(title) }).await.unwrap_or_else(|e| panic!("{e}")) }
        };
        let timed = |iso: &str| Some(Due::At(at(iso)));
        let day = |iso: &str| Some(Due::Date(date(iso)));
        add("an hour ago", timed("2026-12-01T02:00:00Z")).await;
        add("yesterday", day("2026-11-29")).await;
        let late = add("done and late", timed("2026-11-01T12:00:00Z")).await;
        tasks.complete(ALICE, late.id).await.unwrap_or_else(|e| panic!("{e}"));
        add("in an hour, still today", timed("2026-12-01T04:00:00Z")).await;
        add("today", day("2026-11-30")).await;
        add("tomorrow 08:00", timed("2026-12-01T13:00:00Z")).await;
        add("tomorrow", day("2026-12-01")).await;
        add("sunday", day("2026-12-06")).await;
        add("monday next", day("2026-12-07")).await;
        add("undated", None).await;

        let listed = |due: DueFilter| {
            let tasks = tasks.clone();
            async move {
                let query = TaskQuery { due: Some(due), sort: Sort::Due, ..TaskQuery::default() };
                let found = tasks.query(ALICE, &query, Page::default()).await.unwrap_or_else(|e| panic!("{e}"));
                found.iter().map(|t| t.title.clone()).collect::<Vec<_>>()
            }
        };
        assert_eq!(listed(DueFilter::Overdue).await, ["yesterday", "an hour ago"]);
        assert_eq!(listed(DueFilter::Today).await, ["today", "an hour ago", "in an hour, still today"]);
        assert_eq!(listed(DueFilter::Tomorrow).await, ["tomorrow", "tomorrow 08:00"]);
        assert_eq!(listed(DueFilter::Week).await, ["today", "an hour ago", "in an hour, still today", "tomorrow", "tomorrow 08:00", "sunday"]);
        assert_eq!(listed(DueFilter::None).await, ["undated"]);
        let count = |due: Option<DueFilter>| TaskQuery { status: StatusFilter::Pending, due, ..TaskQuery::default() };
        assert_eq!(tasks.count(ALICE, &count(Some(DueFilter::Week))).await.ok(), Some(6));
        assert_eq!(tasks.count(ALICE, &count(None)).await.ok(), Some(9));
        assert_eq!(tasks.count(BOB, &count(None)).await.ok(), Some(0));
    }

    async fn lists_filter_by_priority_and_words_and_sort_by_due_or_priority(t: TestDatabase) {
        let tasks = setup_at(&t, "2026-12-01T12:00:00Z", "UTC").await;
        let add = |title: &'static str, description: Option<&'static str>, priority: Priority, due: Option<&'static str>| {
            let tasks = tasks.clone();
            async move {
                let new = NewTask { description: description.map(str::to_owned), priority, due: due.map(|d| Due::Date(date(d))), ..NewTask::titled(title) };
                tasks.create(ALICE, new).await.unwrap_or_else(|e| panic!("{e}"))
            }
        };
        add("Buy MILK", None, Priority::Low, Some("2026-12-03")).await;
        add("call the bank", Some("about the milk bill"), Priority::High, None).await;
        add("water plants", None, Priority::High, Some("2026-12-02")).await;
        add("100% done_ish", None, Priority::None, Some("2026-12-02")).await;
        tasks.create(BOB, NewTask::titled("bob's milk")).await.unwrap_or_else(|e| panic!("{e}"));
        let find = |query: TaskQuery| {
            let tasks = tasks.clone();
            async move {
                let found = tasks.query(ALICE, &query, Page::default()).await.unwrap_or_else(|e| panic!("{e}"));
                found.iter().map(|t| t.title.clone()).collect::<Vec<_>>()
            }
        };
        let text = |words: &str| TaskQuery { text: Some(words.into()), ..TaskQuery::default() };
        assert_eq!(find(text("milk")).await, ["call the bank", "Buy MILK"], "title or description, any case, newest first");
        assert_eq!(find(text("  Milk   bill ")).await, ["call the bank"], "every word");
        assert_eq!(find(text("100%")).await, ["100% done_ish"]);
        assert!(find(text("0%_")).await.is_empty(), "% and _ are literal");
        assert_eq!(find(TaskQuery { priority: Some(Priority::High), ..TaskQuery::default() }).await, ["water plants", "call the bank"]);
        assert_eq!(find(TaskQuery { priority: Some(Priority::None), ..TaskQuery::default() }).await, ["100% done_ish"]);
        assert_eq!(find(TaskQuery { sort: Sort::Due, ..TaskQuery::default() }).await, ["water plants", "100% done_ish", "Buy MILK", "call the bank"]);
        assert_eq!(find(TaskQuery { sort: Sort::Priority, ..TaskQuery::default() }).await, ["water plants", "call the bank", "Buy MILK", "100% done_ish"]);
        let long = text(&"w ".repeat(20));
        assert_eq!(tasks.query(ALICE, &long, Page::default()).await.err().map(|e| e.code()), Some("INVALID_REQUEST"));
    }

    async fn pages_reach_past_the_page_limit(t: TestDatabase) {
        let tasks = setup(&t).await;
        tasktalk_core::on_db!(&t.db, pool => sqlx::query(
            "insert into tasks_phaseiii (user_id, title, completed, created_at, updated_at)
             select $1, 'task ' || n, false, $2, $2 from (with recursive c(n) as (select 1 union all select n + 1 from c where n < 1200) select n from c) as numbers")
            .bind(ALICE).bind(Timestamp::now()).execute(pool).await.map(|_| ()))
        .unwrap_or_else(|e| panic!("{e}"));
        let mut seen = std::collections::BTreeSet::new();
        for offset in (0..1200).step_by(500) {
            let page = tasks.list(ALICE, StatusFilter::All, Page { limit: 500, offset }).await.unwrap_or_else(|e| panic!("{e}"));
            seen.extend(page.iter().map(|t| t.id));
        }
        assert_eq!(seen.len(), 1200);
        let past = tasks.list(ALICE, StatusFilter::All, Page { limit: 500, offset: 1200 }).await.unwrap_or_default();
        assert!(past.is_empty());
        assert!(tasks.list(ALICE, StatusFilter::All, Page { limit: 501, offset: 0 }).await.is_err());
    }

    async fn the_tools_take_and_show_local_iso_dues_priorities_and_reminders(t: TestDatabase) {
        let tasks = setup_at(&t, "2026-12-01T09:00:00Z", "Europe/Paris").await;
        let call = |name: &str, arguments: serde_json::Value| ToolCall { id: "c1".into(), name: name.into(), arguments: arguments.to_string() };
        let added = tools::execute(&tasks, ALICE, &call(tools::ADD_TASK, serde_json::json!({
            "title": "call mom", "due": "2026-12-02T17:00", "remind_at": "2026-12-02T16:30+01:00", "priority": "High"
        }))).await;
        assert!(added.succeeded, "{}", added.result);
        let id = added.result["task_id"].as_i64().unwrap_or_default() as i32;
        assert_eq!(
            (&added.result["due"], &added.result["priority"], &added.result["remind_at"], &added.result["completed"]),
            (&serde_json::json!("2026-12-02T17:00"), &serde_json::json!("high"), &serde_json::json!("2026-12-02T16:30"), &serde_json::json!(false))
        );
        let stored = tasks.get(ALICE, id).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((stored.due_at, stored.remind_at, stored.priority), (Some(at("2026-12-02T16:00:00Z")), Some(at("2026-12-02T15:30:00Z")), Priority::High));

        let listed = tools::execute(&tasks, ALICE, &call(tools::LIST_TASKS, serde_json::json!({"due": "tomorrow", "query": "MOM"}))).await;
        assert_eq!(listed.result[0]["due"], "2026-12-02T17:00", "{}", listed.result);
        assert_eq!(listed.summary, "Listed 1 task due tomorrow, matching \"MOM\"");
        let listed = tools::execute(&tasks, ALICE, &call(tools::LIST_TASKS, serde_json::json!({"due": "today"}))).await;
        assert_eq!(listed.result, serde_json::json!([]));

        let done = tools::execute(&tasks, ALICE, &call(tools::UPDATE_TASK, serde_json::json!({"task_id": id, "completed": true}))).await;
        assert_eq!((&done.result["status"], &done.result["completed"]), (&serde_json::json!("completed"), &serde_json::json!(true)));
        let reopened = tools::execute(&tasks, ALICE, &call(tools::UPDATE_TASK, serde_json::json!({"task_id": id, "completed": false, "due": null, "priority": "low"}))).await;
        assert_eq!(
            (&reopened.result["status"], &reopened.result["completed"], &reopened.result["due"], &reopened.result["priority"]),
            (&serde_json::json!("reopened"), &serde_json::json!(false), &serde_json::Value::Null, &serde_json::json!("low"))
        );
        assert_eq!(reopened.summary, format!("Reopened task {id}: call mom"));
        let moved = tools::execute(&tasks, ALICE, &call(tools::UPDATE_TASK, serde_json::json!({"task_id": id.to_string(), "due": "2026-12-24"}))).await;
        assert_eq!((&moved.result["due"], &moved.result["remind_at"]), (&serde_json::json!("2026-12-24"), &serde_json::json!("2026-12-02T16:30")), "the reminder is kept");
    }

    async fn the_tools_refuse_bad_dates_priorities_and_filters_saying_what_is_accepted(t: TestDatabase) {
        let tasks = setup(&t).await;
        let call = |name: &str, arguments: serde_json::Value| ToolCall { id: "c1".into(), name: name.into(), arguments: arguments.to_string() };
        let refusals = [
            (tools::ADD_TASK, serde_json::json!({"title": "x", "due": "tomorrow"}), "2026-12-24T17:00"),
            (tools::ADD_TASK, serde_json::json!({"title": "x", "remind_at": "31/12/2026"}), "2026-12-24T17:00"),
            (tools::ADD_TASK, serde_json::json!({"title": "x", "priority": "urgent"}), "none, low, medium or high"),
            (tools::LIST_TASKS, serde_json::json!({"due": "soon"}), "overdue, today, tomorrow, week or none"),
            (tools::LIST_TASKS, serde_json::json!({"priority": "p1"}), "none, low, medium or high"),
            (tools::LIST_TASKS, serde_json::json!({"query": "a b c d e f g h i j"}), "at most 8 words"),
            (tools::UPDATE_TASK, serde_json::json!({"task_id": 1, "due": "2026-13-01"}), "2026-12-24T17:00"),
        ];
        for (tool, arguments, accepted) in refusals {
            let outcome = tools::execute(&tasks, ALICE, &call(tool, arguments.clone())).await;
            assert!(!outcome.succeeded, "{arguments}");
            assert_eq!(outcome.result["error"]["code"], "INVALID_REQUEST", "{arguments}: {}", outcome.result);
            let message = outcome.result["error"]["message"].as_str().unwrap_or_default();
            assert!(message.contains(accepted), "{arguments}: {message}");
        }
        assert!(tasks.list(ALICE, StatusFilter::All, Page::default()).await.unwrap_or_default().is_empty());
    }
}
