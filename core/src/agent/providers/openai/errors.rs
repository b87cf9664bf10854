//! What went wrong, as the sentence a person reads: HTTP statuses, transport
//! failures and malformed streams mapped to a [`ProviderError`] whose kind the
//! caller can branch on. Every error is logged once, here, without the key.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::agent::provider::{ProviderError, ProviderErrorKind};
use crate::agent::providers::kind::ProviderKind;
use crate::secret::Secret;
use crate::sse::{EVENT_LIMIT, SseError};

/// How much of an error body is read, and how much of its message is shown.
const ERROR_BODY_LIMIT: usize = 64 * 1024;
const MESSAGE_LIMIT: usize = 300;

/// Why a stream could not be used.
#[derive(Debug, PartialEq)]
pub(super) enum Fault {
    /// The provider sent an error object.
    Error(Value),
    NotJson,
    Shape(String),
    /// A line, an event or the tool calls passed their limit.
    TooLarge(&'static str),
    /// More tool calls than this limit in one answer.
    TooManyCalls(usize),
}

impl From<SseError> for Fault {
    fn from(error: SseError) -> Self {
        Self::TooLarge(error.what())
    }
}

/// What the sentences say about one request: which service, under which
/// name, with which key (to keep it out of them) and which timeouts.
#[derive(Clone, Debug)]
pub(super) struct Reporter {
    pub kind: ProviderKind,
    /// "OpenAI", "Gemini" or "the model server at host:port".
    pub name: String,
    pub model: String,
    pub key: Option<Secret>,
    pub timeout: Duration,
    pub stall_timeout: Duration,
}

impl Reporter {
    pub fn no_client(&self, reason: &str) -> ProviderError {
        ProviderError::new(
            ProviderErrorKind::Network,
            format!("Could not set up a secure HTTP client: {reason}."),
        )
    }

    pub fn bad_url(&self) -> ProviderError {
        ProviderError::new(
            ProviderErrorKind::Rejected,
            format!(
                "The base URL for {} is not a valid http:// or https:// address. Check it in Settings.",
                self.name
            ),
        )
    }

    /// No response headers within the timeout.
    pub fn no_answer(&self) -> ProviderError {
        self.logged(ProviderError::new(
            ProviderErrorKind::Timeout,
            format!(
                "{} did not answer within {}.",
                capitalize(&self.name),
                seconds(self.timeout)
            ),
        ))
    }

    /// A JSON document where a stream was asked for: a server that ignored
    /// `stream: true`, or an error with status 200.
    pub fn not_streamed(&self, body: &str) -> ProviderError {
        let error = match error_object(body) {
            Some(error) => self.stream_error(&error),
            None => ProviderError::new(
                ProviderErrorKind::BadResponse,
                format!(
                    "{} answered with a single JSON document instead of a stream; it may not support streaming.",
                    capitalize(&self.name)
                ),
            ),
        };
        self.logged(error)
    }

    pub fn web_page(&self) -> ProviderError {
        self.logged(ProviderError::new(
            ProviderErrorKind::BadResponse,
            format!(
                "{} answered with a web page instead of the API. Check the base URL in Settings.",
                capitalize(&self.name)
            ),
        ))
    }

    pub fn send_error(&self, e: &reqwest::Error) -> ProviderError {
        tracing::debug!(provider = %self.kind.id(), error = %error_chain(e), "request failed");
        let error = if e.is_timeout() {
            // The read timeout also runs while waiting for the headers.
            let waited = self.timeout.min(self.stall_timeout);
            ProviderError::new(
                ProviderErrorKind::Timeout,
                format!("{} did not answer within {}.", capitalize(&self.name), seconds(waited)),
            )
        } else if e.is_builder() {
            ProviderError::new(
                ProviderErrorKind::Rejected,
                format!(
                    "The request to {} could not be built: check the base URL in Settings.",
                    self.name
                ),
            )
        } else if e.is_connect() {
            let hint = if self.kind.is_hosted() {
                "Check the network connection."
            } else {
                "Is it running, and is the base URL right?"
            };
            ProviderError::new(
                ProviderErrorKind::Network,
                format!("Could not connect to {}. {hint}", self.name),
            )
        } else {
            ProviderError::new(
                ProviderErrorKind::Network,
                format!(
                    "The connection to {} failed before it answered. Check the network connection.",
                    self.name
                ),
            )
        };
        self.logged(error)
    }

    pub fn status_error(&self, status: StatusCode, body: &str) -> ProviderError {
        let code = status.as_u16();
        let detail = error_object(body)
            .and_then(error_message)
            .map(|m| self.clean(&m))
            .filter(|m| !m.is_empty());
        let with_detail = |sentence: String| match &detail {
            Some(detail) => format!("{sentence} It said: {detail}"),
            None => sentence,
        };
        let name = &self.name;
        let gemini_bad_key = code == 400 && body.contains("API_KEY_INVALID");
        let error = match code {
            403 => self.unauthorized(code, detail.as_deref()),
            401 => self.unauthorized(code, None),
            _ if gemini_bad_key => self.unauthorized(code, None),
            429 => ProviderError::new(
                ProviderErrorKind::RateLimited,
                with_detail(format!(
                    "{} is limiting requests or the account is out of quota (HTTP 429). Try again in a moment.",
                    capitalize(name)
                )),
            ),
            408 => ProviderError::new(
                ProviderErrorKind::Timeout,
                format!("{} gave up waiting for the request (HTTP 408).", capitalize(name)),
            ),
            500..=599 => ProviderError::new(
                ProviderErrorKind::Unavailable,
                format!(
                    "{} is unavailable right now (HTTP {code}). Try again later.",
                    capitalize(name)
                ),
            ),
            400..=499 => {
                let hint = if code == 404 && detail.is_none() {
                    " Check the base URL and the model name."
                } else {
                    ""
                };
                ProviderError::new(
                    ProviderErrorKind::Rejected,
                    with_detail(format!("{} refused the request (HTTP {code}).{hint}", capitalize(name))),
                )
            }
            _ => ProviderError::new(
                ProviderErrorKind::BadResponse,
                format!("{} answered with an unexpected HTTP status {code}.", capitalize(name)),
            ),
        };
        self.logged(error)
    }

    /// `detail` is only given for 403 (no access to a model, a region not
    /// served): a 401's message is left out, as OpenAI's quotes part of the key.
    fn unauthorized(&self, code: u16, detail: Option<&str>) -> ProviderError {
        let mut message = if self.key.is_some() {
            format!(
                "The API key was refused by {} (HTTP {code}). Check the key in Settings.",
                self.name
            )
        } else {
            format!(
                "{} needs an API key (HTTP {code}). Add one in Settings.",
                capitalize(&self.name)
            )
        };
        if let Some(detail) = detail {
            message = format!("{message} It said: {detail}");
        }
        ProviderError::new(ProviderErrorKind::Unauthorized, message)
    }

    /// An `{"error": {...}}` object sent inside the stream (or as a 200 body).
    fn stream_error(&self, error: &Value) -> ProviderError {
        let detail = error_message(error).map(|m| self.clean(&m)).unwrap_or_default();
        let rate_limited = ["code", "type", "status"].iter().any(|field| match error.get(field) {
            Some(Value::String(s)) => {
                let s = s.to_ascii_lowercase();
                s.contains("rate_limit") || s == "insufficient_quota" || s == "resource_exhausted"
            }
            Some(Value::Number(n)) => n.as_u64() == Some(429),
            _ => false,
        });
        let (kind, sentence) = if rate_limited {
            (
                ProviderErrorKind::RateLimited,
                format!(
                    "{} hit a rate limit while answering. Try again in a moment.",
                    capitalize(&self.name)
                ),
            )
        } else {
            (
                ProviderErrorKind::Unavailable,
                format!(
                    "{} stopped answering because of an error on its side.",
                    capitalize(&self.name)
                ),
            )
        };
        let message = if detail.is_empty() {
            sentence
        } else {
            format!("{sentence} It said: {detail}")
        };
        ProviderError::new(kind, message)
    }

    pub fn body_error(&self, e: &reqwest::Error) -> ProviderError {
        tracing::debug!(provider = %self.kind.id(), error = %error_chain(e), "response body failed");
        let error = if e.is_timeout() {
            ProviderError::new(
                ProviderErrorKind::Timeout,
                format!(
                    "{} stopped sending for {} in the middle of its answer.",
                    capitalize(&self.name),
                    seconds(self.stall_timeout)
                ),
            )
        } else {
            self.broke_off()
        };
        self.logged(error)
    }

    fn broke_off(&self) -> ProviderError {
        ProviderError::new(
            ProviderErrorKind::Network,
            format!(
                "The connection to {} broke off before the answer was complete.",
                self.name
            ),
        )
    }

    /// The body ended cleanly but without `[DONE]` or a finish reason.
    pub fn ended_early(&self, saw_event: bool, saw_bytes: bool) -> ProviderError {
        let error = if !saw_event && saw_bytes {
            ProviderError::new(
                ProviderErrorKind::BadResponse,
                format!(
                    "{} did not answer with an event stream. Check the base URL in Settings.",
                    capitalize(&self.name)
                ),
            )
        } else {
            self.broke_off()
        };
        self.logged(error)
    }

    pub fn fault(&self, fault: Fault) -> ProviderError {
        let error = match fault {
            Fault::Error(error) => self.stream_error(&error),
            Fault::NotJson => ProviderError::new(
                ProviderErrorKind::BadResponse,
                format!(
                    "{} sent something that is not a Chat Completions stream.",
                    capitalize(&self.name)
                ),
            ),
            Fault::Shape(what) => ProviderError::new(
                ProviderErrorKind::BadResponse,
                format!("{} sent a malformed stream chunk ({what}).", capitalize(&self.name)),
            ),
            Fault::TooLarge(what) => ProviderError::new(
                ProviderErrorKind::BadResponse,
                format!(
                    "{} sent {what} larger than {} MiB; the answer was stopped there.",
                    capitalize(&self.name),
                    EVENT_LIMIT >> 20
                ),
            ),
            Fault::TooManyCalls(limit) => ProviderError::new(
                ProviderErrorKind::BadResponse,
                format!(
                    "{} asked for more than {limit} tool calls in one answer; the answer was stopped there.",
                    capitalize(&self.name)
                ),
            ),
        };
        self.logged(error)
    }

    fn logged(&self, error: ProviderError) -> ProviderError {
        tracing::warn!(provider = %self.kind.id(), model = %self.model, kind = ?error.kind, "{}", error.message);
        error
    }

    /// A provider's message made safe to show: the key removed, one line, short.
    fn clean(&self, message: &str) -> String {
        let mut text = message.split_whitespace().collect::<Vec<_>>().join(" ");
        if let Some(key) = &self.key {
            text = text.replace(key.expose(), "***");
        }
        truncate(&text, MESSAGE_LIMIT)
    }
}

/// Up to [`ERROR_BODY_LIMIT`] bytes of a body, lossily decoded; read errors
/// just end it, since the status already says what went wrong.
pub(super) async fn read_capped(mut response: reqwest::Response) -> String {
    let mut body = Vec::new();
    while body.len() < ERROR_BODY_LIMIT {
        match response.chunk().await {
            Ok(Some(bytes)) => body.extend_from_slice(&bytes),
            Ok(None) | Err(_) => break,
        }
    }
    body.truncate(ERROR_BODY_LIMIT);
    String::from_utf8_lossy(&body).into_owned()
}

/// The `error` object of an error body: `{"error": {...}}`, Gemini's
/// `[{"error": {...}}]`, or a bare object with a `message`.
fn error_object(body: &str) -> Option<Value> {
    let value: Value = serde_json::from_str(body).ok()?;
    let value = match value {
        Value::Array(mut items) if !items.is_empty() => items.swap_remove(0),
        other => other,
    };
    match value.get("error") {
        Some(Value::Null) | None if value.get("message").is_some() || value.get("detail").is_some() => Some(value),
        Some(Value::Null) | None => None,
        Some(error) => Some(error.clone()),
    }
}

fn error_message(error: impl std::borrow::Borrow<Value>) -> Option<String> {
    let error = error.borrow();
    match error {
        Value::String(message) => Some(message.clone()),
        _ => ["message", "detail"]
            .iter()
            .find_map(|field| error.get(field).and_then(Value::as_str))
            .map(str::to_owned),
    }
}

fn truncate(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn seconds(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs == 1.0 {
        "1 second".to_owned()
    } else if secs.fract() == 0.0 {
        format!("{secs:.0} seconds")
    } else {
        format!("{secs:.1} seconds")
    }
}

/// The error and its sources on one line, for debug logs (never holds the
/// key: it travels only in a sensitive header).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_in_every_known_shape() {
        let message = |body: &str| error_object(body).and_then(error_message);
        assert_eq!(
            message(r#"{"error":{"message":"no model","type":"x"}}"#).as_deref(),
            Some("no model")
        );
        assert_eq!(
            message(r#"[{"error":{"code":400,"message":"bad","status":"INVALID_ARGUMENT"}}]"#).as_deref(),
            Some("bad")
        );
        assert_eq!(
            message(r#"{"error":"model not found"}"#).as_deref(),
            Some("model not found")
        );
        assert_eq!(
            message(r#"{"object":"error","message":"too long","code":400}"#).as_deref(),
            Some("too long")
        );
        assert_eq!(message(r#"{"detail":"Not Found"}"#).as_deref(), Some("Not Found"));
        assert_eq!(message("<html>"), None);
        assert_eq!(message(r#"{"ok":true}"#), None);
    }

    #[test]
    fn truncate_counts_characters_not_bytes() {
        assert_eq!(truncate("ééé", 2), "éé…");
        assert_eq!(truncate("ééé", 3), "ééé");
    }

    #[test]
    fn names_in_messages() {
        assert_eq!(capitalize("the model server"), "The model server");
        assert_eq!(seconds(Duration::from_millis(300)), "0.3 seconds");
    }
}
