//! The assistant: answers a user message by streaming a model's text and
//! running its tool calls against the user's tasks.

pub mod offline;
pub mod provider;
pub mod tools;

pub use offline::OfflineAssistant;

pub use provider::{
    ChatMessage, ModelEvent, ModelRequest, ModelStream, Provider, ProviderError, ProviderErrorKind, Role, ToolCall,
    ToolSpec,
};
