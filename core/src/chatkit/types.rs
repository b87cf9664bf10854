//! ChatKit's wire types, as `openai-chatkit` 1.6.5 defines them: the requests
//! the UI sends, the threads, items and pages it reads, the events it streams.
//! Empty optional fields are omitted, never `null`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `{type:"input_text", text}` or `{type:"input_tag", id, text, data, ...}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum UserContent {
    InputText {
        text: String,
    },
    InputTag {
        id: String,
        text: String,
        #[serde(default)]
        data: serde_json::Map<String, Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group: Option<String>,
        #[serde(default)]
        interactive: bool,
    },
}

impl UserContent {
    pub fn text(&self) -> &str {
        match self {
            UserContent::InputText { text } | UserContent::InputTag { text, .. } => text,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InferenceOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

/// What the composer sends. `attachments` and `inference_options` are
/// required, as in the SDK.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct UserMessageInput {
    pub content: Vec<UserContent>,
    pub attachments: Vec<String>,
    #[serde(default)]
    pub quoted_text: Option<String>,
    pub inference_options: InferenceOptions,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutputText {
    #[serde(rename = "type")]
    pub kind: OutputTextType,
    pub text: String,
    #[serde(default)]
    pub annotations: Vec<Value>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputTextType {
    OutputText,
}

impl OutputText {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            kind: OutputTextType::OutputText,
            text: text.into(),
            annotations: Vec::new(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusIndicator {
    None,
    Loading,
    Complete,
}

/// A `custom` task: how a tool call shows in the thread.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomTask {
    #[serde(rename = "type")]
    pub kind: CustomTaskType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    pub status_indicator: StatusIndicator,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomTaskType {
    Custom,
}

/// The item kinds this server stores. Hidden ones are never sent to the UI.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ItemKind {
    UserMessage {
        content: Vec<UserContent>,
        attachments: Vec<Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        quoted_text: Option<String>,
        inference_options: InferenceOptions,
    },
    AssistantMessage {
        content: Vec<OutputText>,
    },
    Task {
        task: CustomTask,
    },
    EndOfTurn,
    SdkHiddenContext {
        content: String,
    },
}

impl ItemKind {
    pub fn type_name(&self) -> &'static str {
        match self {
            ItemKind::UserMessage { .. } => "user_message",
            ItemKind::AssistantMessage { .. } => "assistant_message",
            ItemKind::Task { .. } => "task",
            ItemKind::EndOfTurn => "end_of_turn",
            ItemKind::SdkHiddenContext { .. } => "sdk_hidden_context",
        }
    }

    pub fn is_hidden(&self) -> bool {
        matches!(self, ItemKind::SdkHiddenContext { .. })
    }

    /// The plain text of a message item (what the `messages` table keeps).
    pub fn message_text(&self) -> Option<(&'static str, String)> {
        match self {
            ItemKind::UserMessage { content, .. } => Some((
                "user",
                content.iter().map(UserContent::text).collect::<Vec<_>>().join(""),
            )),
            ItemKind::AssistantMessage { content } => Some((
                "assistant",
                content.iter().map(|c| c.text.as_str()).collect::<Vec<_>>().join(""),
            )),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThreadItem {
    pub id: String,
    pub thread_id: String,
    pub created_at: String,
    #[serde(flatten)]
    pub kind: ItemKind,
}

/// `{data, has_more, after?}`: `after` is the last id of this page when there is more.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub has_more: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

impl<T> Page<T> {
    pub fn empty() -> Self {
        Self {
            data: Vec::new(),
            has_more: false,
            after: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ThreadStatus {
    #[serde(rename = "type")]
    pub kind: &'static str,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Thread {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub created_at: String,
    pub status: ThreadStatus,
    pub metadata: serde_json::Map<String, Value>,
    pub items: Page<ThreadItem>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Order {
    Asc,
    #[default]
    Desc,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum ItemUpdate {
    #[serde(rename = "assistant_message.content_part.added")]
    ContentPartAdded { content_index: usize, content: OutputText },
    #[serde(rename = "assistant_message.content_part.text_delta")]
    TextDelta { content_index: usize, delta: String },
    #[serde(rename = "assistant_message.content_part.done")]
    ContentPartDone { content_index: usize, content: OutputText },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StreamOptions {
    pub allow_cancel: bool,
}

/// One server-sent event of a streamed response.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum Event {
    #[serde(rename = "thread.created")]
    ThreadCreated { thread: Thread },
    #[serde(rename = "thread.updated")]
    ThreadUpdated { thread: Thread },
    #[serde(rename = "thread.item.added")]
    ItemAdded { item: ThreadItem },
    #[serde(rename = "thread.item.updated")]
    ItemUpdated { item_id: String, update: ItemUpdate },
    #[serde(rename = "thread.item.done")]
    ItemDone { item: ThreadItem },
    #[serde(rename = "stream_options")]
    StreamOptions { stream_options: StreamOptions },
    /// Fire-and-forget signal to the UI; `tasks.changed` tells a task list to refresh.
    #[serde(rename = "client_effect")]
    ClientEffect {
        name: String,
        data: serde_json::Map<String, Value>,
    },
    #[serde(rename = "error")]
    Error {
        code: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        message: Option<String>,
        allow_retry: bool,
    },
}

impl Event {
    /// The SSE frame: `data: <compact json>\n\n`.
    pub fn to_sse(&self) -> Vec<u8> {
        let mut frame = b"data: ".to_vec();
        // Serialising these types cannot fail: no maps with non-string keys.
        if serde_json::to_writer(&mut frame, self).is_err() {
            frame.truncate(6);
            frame.extend_from_slice(br#"{"type":"error","code":"stream.error","allow_retry":true}"#);
        }
        frame.extend_from_slice(b"\n\n");
        frame
    }

    pub fn error(message: impl Into<String>, allow_retry: bool) -> Self {
        Event::Error {
            code: "custom",
            message: Some(message.into()),
            allow_retry,
        }
    }
}
