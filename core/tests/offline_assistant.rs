//! The offline assistant driving the real task tools on SQLite, in the loop the
//! agent runs: stream, execute the tool calls, append their results, repeat
//! until the assistant answers with text.

use futures_util::StreamExt;
use tasktalk_core::agent::providers::offline::MAX_TOOL_ROUNDS;
use tasktalk_core::agent::{ChatMessage, ModelEvent, ModelRequest, OfflineAssistant, Provider, tools};
use tasktalk_core::tasks::{Page, StatusFilter, Task, Tasks};
use tasktalk_core::testing::{TestDatabase, insert_users};

const ALICE: &str = "alice-id";

async fn setup(t: &TestDatabase) -> Tasks {
    insert_users(&t.db, &[ALICE]).await;
    Tasks::new(t.db.clone())
}

/// A chat with the offline assistant over Alice's real tasks.
struct Chat {
    tasks: Tasks,
    messages: Vec<ChatMessage>,
}

impl Chat {
    /// A new chat, with a system prompt, over Alice's tasks in `t`.
    async fn start(t: &TestDatabase) -> Self {
        Self {
            tasks: setup(t).await,
            messages: vec![ChatMessage::system("You manage the user's tasks.")],
        }
    }

    /// One user message, answered: the reply and the tools that ran.
    async fn say(&mut self, text: &str) -> (String, Vec<String>) {
        self.messages.push(ChatMessage::user(text));
        let mut ran = Vec::new();
        for _ in 0..=MAX_TOOL_ROUNDS {
            let request = ModelRequest {
                messages: self.messages.clone(),
                tools: tools::specs(),
            };
            let mut stream = OfflineAssistant::default().stream(request);
            let (mut reply, mut calls, mut hidden) = (String::new(), Vec::new(), Vec::new());
            while let Some(event) = stream.next().await {
                match event.unwrap_or_else(|e| panic!("{e}")) {
                    ModelEvent::TextDelta(delta) => reply.push_str(&delta),
                    ModelEvent::ToolCall(call) => calls.push(call),
                    ModelEvent::HiddenContext(note) => hidden.push(note),
                    ModelEvent::Finished => break,
                }
            }
            if calls.is_empty() {
                self.messages.push(ChatMessage::assistant(reply.clone(), Vec::new()));
                // As a ChatKit thread keeps hidden context and gives it back to the model.
                self.messages.extend(hidden.into_iter().map(ChatMessage::user));
                return (reply, ran);
            }
            self.messages.push(ChatMessage::assistant("", calls.clone()));
            for call in &calls {
                let outcome = tools::execute(&self.tasks, ALICE, call).await;
                ran.push(call.name.clone());
                self.messages
                    .push(ChatMessage::tool_result(&call.id, outcome.result.to_string()));
            }
        }
        panic!("{text:?}: no reply within {MAX_TOOL_ROUNDS} tool rounds");
    }

    async fn stored(&self) -> Vec<Task> {
        self.tasks
            .list(ALICE, StatusFilter::All, Page::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }
}

#[tokio::test]
async fn add_list_complete_rename_and_delete_through_the_real_tools() {
    let t = TestDatabase::sqlite().await;
    let mut chat = Chat::start(&t).await;

    let (reply, ran) = chat.say("add a task to buy milk").await;
    assert_eq!(ran, ["add_task"]);
    let milk = chat.stored().await.into_iter().find(|t| t.title == "buy milk");
    let milk = milk.unwrap_or_else(|| panic!("not stored: {reply}"));
    assert_eq!(reply, format!("Added \"buy milk\" to your list (task {}).", milk.id));

    let (reply, _) = chat.say("remind me to call mom: ask about Sunday").await;
    assert!(reply.starts_with("Added \"call mom\""), "{reply}");
    let mom = chat.stored().await.into_iter().find(|t| t.title == "call mom");
    let mom = mom.unwrap_or_else(|| panic!("not stored: {reply}"));
    assert_eq!(mom.description.as_deref(), Some("ask about Sunday"));

    let (reply, ran) = chat.say("What's on my list?").await;
    assert_eq!(ran, ["list_tasks"]);
    assert_eq!(
        reply,
        format!(
            "Here's your list — 2 open, 0 done:\n{}. call mom — ask about Sunday\n{}. buy milk",
            mom.id, milk.id
        )
    );

    let (reply, ran) = chat.say("mark buy milk as done").await;
    assert_eq!(ran, ["list_tasks", "complete_task"]);
    assert_eq!(reply, "Marked \"buy milk\" as done.");
    let stored = chat.stored().await;
    assert!(stored.iter().any(|t| t.id == milk.id && t.completed), "{stored:?}");

    let (reply, _) = chat.say("what is still open?").await;
    assert_eq!(
        reply,
        format!("You have 1 open task:\n{}. call mom — ask about Sunday", mom.id)
    );

    let (reply, ran) = chat.say("rename call mom to call mom and dad").await;
    assert_eq!(ran, ["list_tasks", "update_task"]);
    assert_eq!(reply, "Renamed \"call mom\" to \"call mom and dad\".");

    let (reply, _) = chat.say("what have I done?").await;
    assert_eq!(reply, format!("You've completed 1 task:\n{}. ✓ buy milk", milk.id));

    let (reply, ran) = chat.say(&format!("delete task {}", milk.id)).await;
    assert_eq!(ran, ["delete_task"]);
    assert_eq!(reply, format!("Deleted \"buy milk\" (task {}).", milk.id));

    let missing = milk.id + 100;
    let (reply, _) = chat.say(&format!("mark {missing} done")).await;
    assert_eq!(
        reply,
        format!(
            "I couldn't find task {missing}. Your open tasks:\n{}. call mom and dad",
            mom.id
        )
    );

    let (reply, ran) = chat.say("get rid of call mom and dad").await;
    assert_eq!(ran, ["list_tasks", "delete_task"]);
    assert!(reply.starts_with("Deleted \"call mom and dad\""), "{reply}");
    let (reply, _) = chat.say("show my tasks").await;
    assert!(reply.starts_with("Your list is empty."), "{reply}");
    assert!(chat.stored().await.is_empty());
}

#[tokio::test]
async fn which_one_is_asked_and_the_answer_completes_the_chosen_task() {
    let t = TestDatabase::sqlite().await;
    let mut chat = Chat::start(&t).await;
    chat.say("add buy milk").await;
    chat.say("add buy oat milk").await;
    let stored = chat.stored().await;
    let id_of = |title: &str| stored.iter().find(|t| t.title == title).map(|t| t.id);
    let (Some(milk), Some(oat)) = (id_of("buy milk"), id_of("buy oat milk")) else {
        panic!("not stored: {stored:?}");
    };

    let (reply, ran) = chat.say("mark milk as done").await;
    assert_eq!(ran, ["list_tasks"]);
    // Newest first: the oat milk, then the milk.
    assert_eq!(
        reply,
        format!(
            "Several tasks match \"milk\" — which one do you mean?\n{oat}. buy oat milk\n{milk}. buy milk\nTell me its \
             number, for example \"mark {oat} done\"."
        )
    );
    assert!(chat.stored().await.iter().all(|t| !t.completed), "nothing done yet");

    let (reply, ran) = chat.say("the second one").await;
    assert_eq!(ran, ["complete_task"]);
    assert_eq!(reply, "Marked \"buy milk\" as done.");
    let done: Vec<_> = chat
        .stored()
        .await
        .into_iter()
        .filter(|t| t.completed)
        .map(|t| t.id)
        .collect();
    assert_eq!(done, [milk]);

    // Asked again, answered by title: the rename goes to that task.
    let (reply, _) = chat.say("rename milk to buy soy milk").await;
    assert!(reply.contains("which one do you mean?"), "{reply}");
    let (reply, ran) = chat.say("buy oat milk").await;
    assert_eq!(ran, ["update_task"]);
    assert_eq!(reply, "Renamed \"buy oat milk\" to \"buy soy milk\".");
    let titles: Vec<_> = chat.stored().await.into_iter().map(|t| (t.id, t.title)).collect();
    assert_eq!(
        titles,
        [(oat, "buy soy milk".to_owned()), (milk, "buy milk".to_owned())]
    );

    // Without a question before it, a number alone is no command.
    let (reply, ran) = chat.say(&milk.to_string()).await;
    assert!(
        ran.is_empty() && reply.starts_with("Sorry, I didn't understand"),
        "{reply}"
    );
}

#[tokio::test]
async fn a_title_too_long_for_the_tool_is_explained() {
    let t = TestDatabase::sqlite().await;
    let mut chat = Chat {
        tasks: setup(&t).await,
        messages: Vec::new(),
    };
    let (reply, ran) = chat.say(&format!("add {}", "x".repeat(201))).await;
    assert_eq!(ran, ["add_task"]);
    assert_eq!(
        reply,
        "I couldn't add that: a task title must be 1 to 200 characters long."
    );
    assert!(chat.stored().await.is_empty());
}
