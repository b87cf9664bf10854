//! The MCP adapter over the agent's tools, on both databases: the same tools,
//! one user per server, failures as tool results.

use rmcp::model::{CallToolResult, ContentBlock, JsonObject};
use serde_json::{Value, json};
use tasktalk_core::agent::tools::TOOLS;
use tasktalk_core::mcp::{TaskServer, tool_list};
use tasktalk_core::tasks::{Page, StatusFilter, Tasks};
use tasktalk_core::test_on_both_databases;
use tasktalk_core::testing::{TestDatabase, insert_users};

const ALICE: &str = "alice-id";
const BOB: &str = "bob-id";

async fn setup(t: &TestDatabase) -> Tasks {
    insert_users(&t.db, &[ALICE, BOB]).await;
    Tasks::new(t.db.clone())
}

fn args(value: Value) -> Option<JsonObject> {
    match value {
        Value::Object(object) => Some(object),
        other => panic!("not an object: {other}"),
    }
}

fn text(result: &CallToolResult) -> String {
    let texts = result.content.iter().map(|block| match block {
        ContentBlock::Text(text) => text.text.clone(),
        other => panic!("not text: {other:?}"),
    });
    texts.collect::<Vec<_>>().join("\n")
}

/// A successful call's structured content.
fn ok(result: CallToolResult) -> Value {
    assert_eq!(result.is_error, Some(false), "{}", text(&result));
    result
        .structured_content
        .unwrap_or_else(|| panic!("no structuredContent"))
}

/// A failed call's text, which starts with its error code.
fn refused(result: CallToolResult, code: &str) -> String {
    assert_eq!(result.is_error, Some(true), "{}", text(&result));
    let text = text(&result);
    assert!(text.starts_with(&format!("{code}: ")), "{text}");
    text
}

async fn titles(tasks: &Tasks, user_id: &str) -> Vec<String> {
    let all = tasks
        .list(user_id, StatusFilter::All, Page { limit: 100, offset: 0 })
        .await;
    all.unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|task| task.title)
        .collect()
}

#[test]
fn the_tool_list_is_the_agents() {
    let list = tool_list();
    let names: Vec<&str> = list.iter().map(|tool| tool.name.as_ref()).collect();
    assert_eq!(
        names,
        ["add_task", "list_tasks", "complete_task", "update_task", "delete_task"]
    );
    for (tool, entry) in list.iter().zip(TOOLS.iter()) {
        assert_eq!(tool.description.as_deref(), Some(entry.description));
        assert_eq!(Value::Object((*tool.input_schema).clone()), entry.parameters());
    }
}

test_on_both_databases! {
    async fn add_list_update_complete_delete(t: TestDatabase) {
        let tasks = setup(&t).await;
        let alice = TaskServer::new(tasks.clone(), ALICE);

        let added = ok(alice.call("add_task", args(json!({"title": "buy milk"}))).await);
        assert_eq!((added["title"].as_str(), added["status"].as_str()), (Some("buy milk"), Some("created")));
        let id = added["task_id"].clone();

        let listed = ok(alice.call("list_tasks", None).await);
        let listed_titles: Vec<&str> = listed["result"].as_array().unwrap_or_else(|| panic!("{listed}"))
            .iter().filter_map(|task| task["title"].as_str()).collect();
        assert_eq!(listed_titles, ["buy milk"]);

        let renamed = alice.call("update_task", args(json!({"task_id": id, "title": "buy oat milk"}))).await;
        assert!(text(&renamed).contains("buy oat milk"), "{}", text(&renamed));
        assert_eq!(ok(renamed)["title"], "buy oat milk");
        assert_eq!(ok(alice.call("complete_task", args(json!({"task_id": id}))).await)["completed"], true);
        assert_eq!(ok(alice.call("delete_task", args(json!({"task_id": id}))).await)["status"], "deleted");
        assert!(titles(&tasks, ALICE).await.is_empty());
    }

    async fn failures_are_tool_results_with_their_code(t: TestDatabase) {
        let tasks = setup(&t).await;
        let alice = TaskServer::new(tasks.clone(), ALICE);
        let missing = alice.call("complete_task", args(json!({"task_id": 999_999}))).await;
        assert_eq!(missing.structured_content.as_ref().map(|s| s["error"]["code"].clone()), Some(json!("TASK_NOT_FOUND")));
        refused(missing, "TASK_NOT_FOUND");
        refused(alice.call("add_task", args(json!({"title": "   "}))).await, "INVALID_TITLE");
        refused(alice.call("add_task", args(json!({"title": 7}))).await, "INVALID_REQUEST");
        refused(alice.call("no_such_tool", None).await, "INVALID_REQUEST");
        assert!(titles(&tasks, ALICE).await.is_empty());
    }

    async fn each_server_acts_for_its_own_user_only(t: TestDatabase) {
        let tasks = setup(&t).await;
        let alice = TaskServer::new(tasks.clone(), ALICE);
        let bob = TaskServer::new(tasks.clone(), BOB);
        let added = ok(alice.call("add_task", args(json!({"title": "alice's"}))).await);

        refused(bob.call("complete_task", args(json!({"task_id": added["task_id"]}))).await, "TASK_NOT_FOUND");
        refused(bob.call("delete_task", args(json!({"task_id": added["task_id"]}))).await, "TASK_NOT_FOUND");
        assert_eq!(ok(bob.call("list_tasks", None).await)["result"], json!([]));

        for named in [json!({"title": "x", "user_id": ALICE}), json!({"title": "x", "email": "alice-id@example.com"})] {
            let text = refused(bob.call("add_task", args(named)).await, "INVALID_REQUEST");
            assert!(text.contains("signed-in user"), "{text}");
        }
        assert_eq!(titles(&tasks, ALICE).await, ["alice's"]);
        assert!(titles(&tasks, BOB).await.is_empty());
    }
}
