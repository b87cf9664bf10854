//! What the agent asks of a model provider: given the conversation and the
//! tools, stream text and complete tool calls.

use std::fmt;
use std::pin::Pin;

use futures_core::Stream;
use serde::{Deserialize, Serialize};

/// Who said a message in the model's context.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
    Tool,
}

/// One message of the model's context, in Chat Completions terms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub role: Role,
    pub content: String,
    /// Tool calls the assistant made in this message.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    /// For a tool message: the call it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
}

impl ChatMessage {
    pub fn system(content: impl Into<String>) -> Self {
        Self {
            role: Role::System,
            content: content.into(),
            tool_calls: Vec::new(),
            tool_call_id: None,
        }
    }

    pub fn user(content: impl Into<String>) -> Self {
        Self {
            role: Role::User,
            content: content.into(),
            tool_calls: Vec::new(),
            tool_call_id: None,
        }
    }

    pub fn assistant(content: impl Into<String>, tool_calls: Vec<ToolCall>) -> Self {
        Self {
            role: Role::Assistant,
            content: content.into(),
            tool_calls,
            tool_call_id: None,
        }
    }

    pub fn tool_result(call_id: impl Into<String>, content: impl Into<String>) -> Self {
        Self {
            role: Role::Tool,
            content: content.into(),
            tool_calls: Vec::new(),
            tool_call_id: Some(call_id.into()),
        }
    }
}

/// A complete tool call: `arguments` is the JSON text the model produced,
/// assembled from however many chunks it arrived in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    pub arguments: String,
}

/// A tool the model may call, described by a JSON Schema for its arguments.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ToolSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub parameters: serde_json::Value,
}

#[derive(Clone, Debug)]
pub struct ModelRequest {
    pub messages: Vec<ChatMessage>,
    pub tools: Vec<ToolSpec>,
}

/// What a provider streams back. Tool calls come whole, once each, after
/// their last argument chunk; `Finished` ends a successful response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelEvent {
    TextDelta(String),
    ToolCall(ToolCall),
    /// Something the provider needs to read again in later turns but the
    /// person never sees, such as the offline assistant's open "which one?"
    /// question: kept in the thread as hidden context.
    HiddenContext(String),
    Finished,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderErrorKind {
    /// 401/403: the API key is missing, wrong or lacks access.
    Unauthorized,
    /// 429: rate limit or quota.
    RateLimited,
    /// 5xx or overloaded.
    Unavailable,
    /// No answer in time.
    Timeout,
    /// Could not connect, or the connection broke mid-stream.
    Network,
    /// The provider answered something that is not its protocol.
    BadResponse,
    /// The request itself was refused (400/404: unknown model, bad base URL).
    Rejected,
}

/// A provider failure, with a message a person can read. Never holds the API key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ProviderError {
    pub kind: ProviderErrorKind,
    pub message: String,
}

impl ProviderError {
    pub fn new(kind: ProviderErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// Whether trying the same request again may succeed.
    pub fn allow_retry(&self) -> bool {
        !matches!(self.kind, ProviderErrorKind::Unauthorized | ProviderErrorKind::Rejected)
    }
}

pub type ModelStream = Pin<Box<dyn Stream<Item = Result<ModelEvent, ProviderError>> + Send>>;

/// A model provider. `stream` starts nothing until polled, and dropping the
/// stream abandons the request (the HTTP connection closes): that is how a
/// client's stop button reaches the provider.
pub trait Provider: Send + Sync + fmt::Debug {
    /// For logs and the settings page, e.g. "openai gpt-4.1-mini".
    fn describe(&self) -> String;

    fn stream(&self, request: ModelRequest) -> ModelStream;
}
