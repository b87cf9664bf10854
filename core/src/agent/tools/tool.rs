//! What a tool is: its name, description, arguments with their schema, and output.

use std::future::Future;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::tasks::{self, Tasks};

/// One tool: what the model is told about it and what a call does.
pub trait Tool {
    const NAME: &'static str;
    const DESCRIPTION: &'static str;
    /// The summary of a failed call starts with this, e.g. "Could not add the task".
    const FAILED: &'static str;
    type Args: DeserializeOwned;
    type Output: Serialize + DeserializeOwned + OutputSchema;

    /// The JSON Schema of [`Self::Args`], as the model reads it.
    fn parameters() -> Value;

    /// Runs the call for `user_id`, who comes from the session, never from `args`.
    fn call(
        tasks: &Tasks,
        user_id: &str,
        args: Self::Args,
    ) -> impl Future<Output = Result<Done<Self::Output>, tasks::Error>> + Send;
}

/// The JSON Schema of a tool's output, written next to the type (a test
/// checks real outputs against it); MCP clients receive it as `outputSchema`.
pub trait OutputSchema {
    fn output_schema() -> Value;
}

/// What a successful call returns.
#[derive(Debug)]
pub struct Done<T> {
    pub output: T,
    /// One line for the person watching, e.g. "Added task 7: buy milk".
    pub summary: String,
    /// Whether the user's tasks changed (the task panel refreshes).
    pub changed_tasks: bool,
}
