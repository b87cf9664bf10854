//! The MCP adapter over the agent's tools, on both databases: the same tools,
//! one user per server, failures as tool results.

use rmcp::ErrorData;
use rmcp::model::{CallToolResult, ContentBlock, JsonObject, ReadResourceResult, ResourceContents};
use serde_json::{Value, json};
use tasktalk_core::agent::tools::TOOLS;
use tasktalk_core::mcp::{self, OPEN_TASKS, tool_list};
use tasktalk_core::tasks::{Page, StatusFilter, Tasks};
use tasktalk_core::test_on_both_databases;
use tasktalk_core::testing::{TestDatabase, insert_users};

const ALICE: &str = "alice-id";
const BOB: &str = "bob-id";

async fn setup(t: &TestDatabase) -> Tasks {
    insert_users(&t.db, &[ALICE, BOB]).await;
    Tasks::new(t.db.clone())
}

/// The adapter for one user, as a transport calls it once it knows who is calling.
#[derive(Clone)]
struct User {
    tasks: Tasks,
    id: &'static str,
}

impl User {
    fn new(tasks: Tasks, id: &'static str) -> Self {
        Self { tasks, id }
    }

    async fn call(&self, name: &str, arguments: Option<JsonObject>) -> CallToolResult {
        mcp::call(&self.tasks, self.id, name, arguments).await
    }

    async fn read(&self, uri: &str) -> Result<ReadResourceResult, ErrorData> {
        mcp::read(&self.tasks, self.id, uri).await
    }
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

/// A successful call's structured content, which must match the tool's output schema.
async fn ok(server: &User, name: &str, arguments: Value) -> Value {
    let result = server.call(name, args(arguments)).await;
    assert_eq!(result.is_error, Some(false), "{}", text(&result));
    let structured = result
        .structured_content
        .unwrap_or_else(|| panic!("no structuredContent"));
    let tool = tool_list().into_iter().find(|tool| tool.name == name);
    let schema = tool
        .and_then(|tool| tool.output_schema)
        .unwrap_or_else(|| panic!("{name} has no output schema"));
    conforms(&structured, &Value::Object((*schema).clone()), name);
    structured
}

/// The little of JSON Schema the output schemas use: type, enum, properties, required, items.
fn conforms(value: &Value, schema: &Value, at: &str) {
    if let Some(allowed) = schema["enum"].as_array() {
        assert!(allowed.contains(value), "{at}: {value} is not one of {allowed:?}");
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::Array(types) => types.iter().filter_map(Value::as_str).collect(),
        other => other.as_str().into_iter().collect(),
    };
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    assert!(types.contains(&kind), "{at}: {value} is not {types:?}");
    match value {
        Value::Object(fields) => {
            for required in schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                assert!(fields.contains_key(required), "{at}: no {required}");
            }
            for (key, field) in fields {
                let property = schema["properties"].get(key);
                let property = property.unwrap_or_else(|| panic!("{at}.{key} is not in the schema"));
                conforms(field, property, &format!("{at}.{key}"));
            }
        }
        Value::Array(items) => items.iter().for_each(|item| conforms(item, &schema["items"], at)),
        _ => {}
    }
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
        let output = tool.output_schema.as_deref().map(|schema| schema["type"].clone());
        assert_eq!(
            output,
            Some(json!("object")),
            "{}: structuredContent is an object",
            tool.name
        );
    }
}

test_on_both_databases! {
    async fn add_list_update_complete_delete(t: TestDatabase) {
        let tasks = setup(&t).await;
        let alice = User::new(tasks.clone(), ALICE);

        let added = ok(&alice, "add_task", json!({"title": "buy milk", "due": "2026-12-24", "priority": "high", "description": "2 litres"})).await;
        assert_eq!((added["title"].as_str(), added["status"].as_str()), (Some("buy milk"), Some("created")));
        let id = added["task_id"].clone();

        let listed = ok(&alice, "list_tasks", json!({})).await;
        let listed_titles: Vec<&str> = listed["result"].as_array().unwrap_or_else(|| panic!("{listed}"))
            .iter().filter_map(|task| task["title"].as_str()).collect();
        assert_eq!(listed_titles, ["buy milk"]);

        let renamed = alice.call("update_task", args(json!({"task_id": id, "title": "buy oat milk"}))).await;
        assert!(text(&renamed).contains("buy oat milk"), "{}", text(&renamed));
        assert_eq!(ok(&alice, "update_task", json!({"task_id": id, "title": "buy oat milk", "priority": "low"})).await["title"], "buy oat milk");
        assert_eq!(ok(&alice, "complete_task", json!({"task_id": id})).await["completed"], true);
        assert_eq!(ok(&alice, "delete_task", json!({"task_id": id})).await["status"], "deleted");
        assert!(titles(&tasks, ALICE).await.is_empty());
    }

    async fn failures_are_tool_results_with_their_code(t: TestDatabase) {
        let tasks = setup(&t).await;
        let alice = User::new(tasks.clone(), ALICE);
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
        let alice = User::new(tasks.clone(), ALICE);
        let bob = User::new(tasks.clone(), BOB);
        let added = ok(&alice, "add_task", json!({"title": "alice's"})).await;

        refused(bob.call("complete_task", args(json!({"task_id": added["task_id"]}))).await, "TASK_NOT_FOUND");
        refused(bob.call("delete_task", args(json!({"task_id": added["task_id"]}))).await, "TASK_NOT_FOUND");
        assert_eq!(ok(&bob, "list_tasks", json!({})).await["result"], json!([]));
        assert_eq!(ok(&alice, "list_tasks", json!({})).await["result"][0]["description"], Value::Null);

        for named in [json!({"title": "x", "user_id": ALICE}), json!({"title": "x", "email": "alice-id@example.com"})] {
            let text = refused(bob.call("add_task", args(named)).await, "INVALID_REQUEST");
            assert!(text.contains("signed-in user"), "{text}");
        }
        assert_eq!(titles(&tasks, ALICE).await, ["alice's"]);
        assert!(titles(&tasks, BOB).await.is_empty());
    }
}

test_on_both_databases! {
    async fn the_open_tasks_resource_is_the_users_pending_tasks(t: TestDatabase) {
        let tasks = setup(&t).await;
        let alice = User::new(tasks.clone(), ALICE);
        let bob = User::new(tasks, BOB);
        ok(&alice, "add_task", json!({"title": "open one"})).await;
        let done = ok(&alice, "add_task", json!({"title": "done one"})).await;
        ok(&alice, "complete_task", json!({"task_id": done["task_id"]})).await;

        let open = |server: User| async move {
            let read = server.read(OPEN_TASKS).await.unwrap_or_else(|e| panic!("{e:?}"));
            let [ResourceContents::TextResourceContents { uri, text, .. }] = read.contents.as_slice() else {
                panic!("{read:?}")
            };
            assert_eq!(uri, OPEN_TASKS);
            serde_json::from_str::<Value>(text).unwrap_or_else(|e| panic!("{e}: {text}"))
        };
        let alice_open = open(alice.clone()).await;
        let alice_titles: Vec<&str> = alice_open.as_array().into_iter().flatten().filter_map(|task| task["title"].as_str()).collect();
        assert_eq!(alice_titles, ["open one"]);
        assert_eq!(open(bob).await, json!([]));
        assert!(alice.read("tasktalk://tasks/all").await.is_err());
    }
}
