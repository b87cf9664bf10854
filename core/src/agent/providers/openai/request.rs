//! The Chat Completions request: its JSON body, and sending it up to the
//! response headers (the body is left to stream).

use reqwest::Url;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{Value, json};

use super::errors::{Reporter, read_capped};
use crate::agent::provider::{ChatMessage, ModelRequest, ProviderError, Role};
use crate::secret::Secret;

/// The Chat Completions request body.
pub(super) fn request_body(model: &str, request: &ModelRequest) -> Value {
    let messages: Vec<Value> = request.messages.iter().map(wire_message).collect();
    let mut body = json!({"model": model, "messages": messages, "stream": true});
    if !request.tools.is_empty() {
        let tools: Vec<Value> = request
            .tools
            .iter()
            .map(|tool| {
                json!({
                    "type": "function",
                    "function": {"name": tool.name, "description": tool.description, "parameters": tool.parameters}
                })
            })
            .collect();
        body["tools"] = Value::Array(tools);
    }
    body
}

fn wire_message(message: &ChatMessage) -> Value {
    match message.role {
        Role::Assistant if !message.tool_calls.is_empty() => {
            let calls: Vec<Value> = message
                .tool_calls
                .iter()
                .map(|call| {
                    json!({
                        "id": call.id,
                        "type": "function",
                        "function": {"name": call.name, "arguments": call.arguments}
                    })
                })
                .collect();
            // null rather than "": Gemini refuses empty text parts.
            let content = if message.content.is_empty() {
                Value::Null
            } else {
                Value::String(message.content.clone())
            };
            json!({"role": "assistant", "content": content, "tool_calls": calls})
        }
        Role::Tool => json!({
            "role": "tool",
            "tool_call_id": message.tool_call_id.as_deref().unwrap_or_default(),
            "content": message.content,
        }),
        role => json!({"role": role, "content": message.content}),
    }
}

/// One request, owned, so the future that sends it is `'static`.
#[derive(Debug)]
pub(super) struct Outgoing {
    /// Building a client only fails if TLS cannot be initialised; that is
    /// reported here so the provider's construction stays infallible.
    pub client: Result<reqwest::Client, String>,
    pub endpoint: String,
    pub key: Option<Secret>,
    pub body: Value,
}

/// Sends the request and checks the status and content type.
pub(super) async fn send(outgoing: Outgoing, report: Reporter) -> Result<reqwest::Response, ProviderError> {
    let client = outgoing.client.as_ref().map_err(|e| report.no_client(e))?;
    let url = match Url::parse(&outgoing.endpoint) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => url,
        _ => return Err(report.bad_url()),
    };
    tracing::debug!(
        provider = %report.kind.id(),
        model = %report.model,
        host = url.host_str().unwrap_or_default(),
        "requesting a streamed chat completion"
    );
    let mut request = client
        .post(url)
        .header(ACCEPT, "text/event-stream")
        .json(&outgoing.body);
    if let Some(key) = &outgoing.key {
        // bearer_auth marks the header sensitive, so it is never logged.
        request = request.bearer_auth(key.expose());
    }
    let response = match tokio::time::timeout(report.timeout, request.send()).await {
        Err(_) => return Err(report.no_answer()),
        Ok(Err(e)) => return Err(report.send_error(&e)),
        Ok(Ok(response)) => response,
    };
    let status = response.status();
    if !status.is_success() {
        let body = read_capped(response).await;
        return Err(report.status_error(status, &body));
    }
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.starts_with("application/json") {
        let body = read_capped(response).await;
        return Err(report.not_streamed(&body));
    }
    if content_type.starts_with("text/html") {
        return Err(report.web_page());
    }
    Ok(response)
}
