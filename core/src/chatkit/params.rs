//! The params of each request type, as the client sends them.

use serde::Deserialize;
use serde_json::Value;

use super::types::{Order, UserMessageInput};

#[derive(Debug, Deserialize)]
pub struct CreateParams {
    pub input: UserMessageInput,
}

#[derive(Debug, Deserialize)]
pub struct AddMessageParams {
    pub thread_id: String,
    pub input: UserMessageInput,
}

#[derive(Debug, Deserialize)]
pub struct ThreadParams {
    pub thread_id: String,
}

#[derive(Debug, Deserialize)]
pub struct ItemParams {
    pub thread_id: String,
    pub item_id: String,
}

#[derive(Debug, Deserialize)]
pub struct ToolOutputParams {
    pub thread_id: String,
    #[allow(dead_code)] // Accepted for the protocol; no client tools exist yet.
    pub result: Value,
}

#[derive(Debug, Deserialize)]
pub struct ListParams {
    #[serde(default)]
    pub limit: Option<u32>,
    #[serde(default)]
    pub order: Order,
    #[serde(default)]
    pub after: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ItemsListParams {
    pub thread_id: String,
    #[serde(flatten)]
    pub page: ListParams,
}

#[derive(Debug, Deserialize)]
pub struct FeedbackParams {
    pub thread_id: String,
    pub item_ids: Vec<String>,
    pub kind: FeedbackKind,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FeedbackKind {
    Positive,
    Negative,
}

#[derive(Debug, Deserialize)]
pub struct UpdateParams {
    pub thread_id: String,
    pub title: String,
}

/// `threads.search`, this server's own request type: the user's threads
/// whose title or one message holds every word of `query`.
#[derive(Debug, Deserialize)]
pub struct SearchParams {
    pub query: String,
    #[serde(flatten)]
    pub page: ListParams,
}
