//! The assistant: answers a user message by streaming a model's text and
//! running its tool calls against the user's tasks, until the model answers.

pub mod provider;
pub mod providers;
pub mod settings;
pub mod tools;

use std::sync::Arc;

use futures_core::Stream;
use futures_util::StreamExt;

pub use provider::{
    ChatMessage, ModelEvent, ModelRequest, ModelStream, Provider, ProviderError, ProviderErrorKind, Role, ToolCall,
    ToolSpec,
};
pub use providers::kind::ProviderKind;
pub use providers::offline::OfflineAssistant;
pub use providers::openai::{OpenAiCompatible, OpenAiConfig};
pub use settings::ProviderSettings;
pub use tools::ToolOutcome;

use crate::tasks::Tasks;

/// Model calls per user message: enough for list-then-act sequences, bounded
/// so a model that keeps calling tools cannot run forever.
pub const MAX_STEPS: usize = 8;

/// What happens while the agent answers, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum AgentEvent {
    TextDelta(String),
    /// A tool call is about to run.
    ToolStarted(ToolCall),
    ToolFinished(ToolCall, ToolOutcome),
    /// For the thread's hidden context: see [`ModelEvent::HiddenContext`].
    HiddenContext(String),
}

#[derive(Clone, Debug)]
pub struct Agent {
    provider: Arc<dyn Provider>,
    tasks: Tasks,
}

impl Agent {
    pub fn new(provider: Arc<dyn Provider>, tasks: Tasks) -> Self {
        Self { provider, tasks }
    }

    pub fn provider(&self) -> &Arc<dyn Provider> {
        &self.provider
    }

    /// The instructions every conversation starts with: the model knows no
    /// date of its own, and reads and writes dues in the user's zone.
    pub fn system_prompt(&self) -> String {
        let calendar = self.tasks.calendar();
        let now = calendar.local_now();
        format!(
            "You are Tasktalk, a friendly assistant that manages the user's to-do list. Today is {} \
             ({}); the local time is {} in the time zone {}. \
             Use the tools to add, list, complete, update and delete tasks; never claim a change you did \
             not make with a tool. Tasks are referred to by their number; when unsure which task the user \
             means, call list_tasks first. Give due dates and reminder times as local ISO 8601 \
             (2026-12-24 for a day, 2026-12-24T17:00 for a time), working out words such as \"tomorrow\" \
             or \"next Friday\" from today's date. Keep replies short and say what you did.",
            now.format("%A, %-d %B %Y"),
            now.format("%Y-%m-%d"),
            now.format("%H:%M"),
            calendar.zone_name()
        )
    }

    /// Answers the conversation in `messages` (system prompt first, the user's
    /// message last) for `user_id`. Tool calls act for `user_id` only, whatever
    /// the model puts in their arguments. Dropping the stream stops the model
    /// request and any further tool call.
    pub fn run(
        &self,
        user_id: String,
        mut messages: Vec<ChatMessage>,
    ) -> impl Stream<Item = Result<AgentEvent, ProviderError>> + Send + 'static {
        let provider = Arc::clone(&self.provider);
        let tasks = self.tasks.clone();
        async_stream::stream! {
            for _ in 0..MAX_STEPS {
                let mut response = provider.stream(ModelRequest { messages: messages.clone(), tools: tools::specs() });
                let mut text = String::new();
                let mut calls: Vec<ToolCall> = Vec::new();
                while let Some(event) = response.next().await {
                    match event {
                        Ok(ModelEvent::TextDelta(delta)) => {
                            text.push_str(&delta);
                            yield Ok(AgentEvent::TextDelta(delta));
                        }
                        Ok(ModelEvent::ToolCall(call)) => calls.push(call),
                        Ok(ModelEvent::HiddenContext(note)) => yield Ok(AgentEvent::HiddenContext(note)),
                        Ok(ModelEvent::Finished) => break,
                        Err(err) => {
                            tracing::warn!(kind = ?err.kind, "the model request failed");
                            yield Err(err);
                            return;
                        }
                    }
                }
                if calls.is_empty() {
                    return;
                }
                messages.push(ChatMessage::assistant(text, calls.clone()));
                for call in calls {
                    yield Ok(AgentEvent::ToolStarted(call.clone()));
                    let outcome = tools::execute(&tasks, &user_id, &call).await;
                    messages.push(ChatMessage::tool_result(call.id.clone(), outcome.result.to_string()));
                    yield Ok(AgentEvent::ToolFinished(call, outcome));
                }
            }
            tracing::warn!(steps = MAX_STEPS, "the model kept calling tools; stopped");
            yield Ok(AgentEvent::TextDelta(format!(
                "I stopped after {MAX_STEPS} steps without finishing. Please try again, perhaps more specifically."
            )));
        }
    }
}
