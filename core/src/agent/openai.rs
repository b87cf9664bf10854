//! A [`Provider`] for the OpenAI Chat Completions streaming API with tool
//! calls: OpenAI itself, Gemini, and any server that speaks the same protocol
//! (Ollama, LM Studio, vLLM, llama.cpp).
//!
//! Gemini goes through Google's documented OpenAI-compatible endpoint
//! (`https://generativelanguage.googleapis.com/v1beta/openai/`) rather than its
//! native `streamGenerateContent` API. That keeps one documented wire format
//! with streaming tool calls, one code path and one replay test suite for every
//! provider; the native API would need a second request and response model
//! (`contents`/`parts`, `functionCall`/`functionResponse` with their own
//! shapes) for no gain in what the assistant can do. The compatible endpoint's
//! known quirks are handled here: a tool call arrives whole in one chunk, with
//! no `index` and an empty or missing `id`, and `finish_reason` is `stop`; an
//! invalid key is answered with HTTP 400 `API_KEY_INVALID`, and error bodies
//! may be a one-element JSON array.
//!
//! Streams are lazy (nothing is sent until the first poll) and own the HTTP
//! response: dropping the stream closes the connection, which is how a stop
//! button reaches the provider.

use std::fmt;
use std::time::Duration;

use futures_core::Stream;
use futures_util::StreamExt;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{StatusCode, Url};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::provider::{
    ChatMessage, ModelEvent, ModelRequest, ModelStream, Provider, ProviderError, ProviderErrorKind, Role, ToolCall,
};
use crate::secret::Secret;

#[cfg(feature = "fuzzing")]
pub mod fuzzing;

pub const OPENAI_BASE_URL: &str = "https://api.openai.com/v1";
pub const OPENAI_DEFAULT_MODEL: &str = "gpt-4.1-mini";
pub const GEMINI_BASE_URL: &str = "https://generativelanguage.googleapis.com/v1beta/openai/";
pub const GEMINI_DEFAULT_MODEL: &str = "gemini-2.5-flash";
pub const OLLAMA_BASE_URL: &str = "http://localhost:11434/v1";
pub const OLLAMA_DEFAULT_MODEL: &str = "llama3.2";
pub const LM_STUDIO_BASE_URL: &str = "http://localhost:1234/v1";

/// Connect plus time to the response headers.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Silence allowed between two pieces of a streamed answer. Generous because
/// reasoning models can think for a while before their first token.
pub const DEFAULT_STALL_TIMEOUT: Duration = Duration::from_secs(120);

/// How much of an error body is read, and how much of its message is shown.
const ERROR_BODY_LIMIT: usize = 64 * 1024;
/// The largest SSE line or event a provider may send. Real chunks are a few
/// hundred bytes; a bigger one ends the answer instead of growing a buffer.
pub const EVENT_LIMIT: usize = 1 << 20;
/// Tool calls in one answer, and the bytes of their names and arguments
/// together: the calls are held until the answer finishes.
const MAX_TOOL_CALLS: usize = 128;
const TOOL_CALLS_LIMIT: usize = 1 << 20;
const MESSAGE_LIMIT: usize = 300;

/// Which service is behind the base URL: decides defaults, the name in
/// messages and a few error-mapping quirks. The wire format is the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Flavor {
    #[serde(rename = "openai")]
    OpenAi,
    #[serde(rename = "gemini")]
    Gemini,
    /// Any other OpenAI-compatible server (Ollama, LM Studio, vLLM).
    #[serde(rename = "compatible")]
    Compatible,
}

impl Flavor {
    pub fn default_base_url(self) -> &'static str {
        match self {
            Self::OpenAi => OPENAI_BASE_URL,
            Self::Gemini => GEMINI_BASE_URL,
            Self::Compatible => OLLAMA_BASE_URL,
        }
    }

    pub fn default_model(self) -> &'static str {
        match self {
            Self::OpenAi => OPENAI_DEFAULT_MODEL,
            Self::Gemini => GEMINI_DEFAULT_MODEL,
            Self::Compatible => OLLAMA_DEFAULT_MODEL,
        }
    }

    /// The lowercase identifier used in settings and logs.
    pub fn id(self) -> &'static str {
        match self {
            Self::OpenAi => "openai",
            Self::Gemini => "gemini",
            Self::Compatible => "openai-compatible",
        }
    }
}

/// Where and how to reach the model. `Debug` never shows the key.
#[derive(Clone, Debug)]
pub struct OpenAiConfig {
    /// Up to and including the version segment, e.g. `https://api.openai.com/v1`;
    /// `/chat/completions` is appended.
    pub base_url: String,
    pub api_key: Option<Secret>,
    pub model: String,
    /// Connect plus wait for the response headers.
    pub timeout: Duration,
    /// Longest silence between two pieces of the streamed body.
    pub stall_timeout: Duration,
    pub flavor: Flavor,
}

impl OpenAiConfig {
    /// The flavor's default base URL and model, no key, default timeouts.
    pub fn defaults(flavor: Flavor) -> Self {
        Self {
            base_url: flavor.default_base_url().to_owned(),
            api_key: None,
            model: flavor.default_model().to_owned(),
            timeout: DEFAULT_TIMEOUT,
            stall_timeout: DEFAULT_STALL_TIMEOUT,
            flavor,
        }
    }

    pub fn openai(api_key: Secret) -> Self {
        Self {
            api_key: Some(api_key),
            ..Self::defaults(Flavor::OpenAi)
        }
    }

    pub fn gemini(api_key: Secret) -> Self {
        Self {
            api_key: Some(api_key),
            ..Self::defaults(Flavor::Gemini)
        }
    }

    /// A local or self-hosted server; most need no key.
    pub fn compatible(base_url: impl Into<String>, model: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            model: model.into(),
            ..Self::defaults(Flavor::Compatible)
        }
    }
}

/// The Chat Completions provider. Cheap to share: one HTTP client with its
/// connection pool serves every stream.
pub struct OpenAiCompatible {
    config: OpenAiConfig,
    /// Building a client only fails if TLS cannot be initialised; that is
    /// reported on the first stream so construction stays infallible.
    client: Result<reqwest::Client, String>,
    /// "OpenAI", "Gemini" or "the model server at host:port", for messages.
    name: String,
}

impl fmt::Debug for OpenAiCompatible {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiCompatible")
            .field("flavor", &self.config.flavor)
            .field("base_url", &self.config.base_url)
            .field("model", &self.config.model)
            .field("api_key", &self.config.api_key.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

impl OpenAiCompatible {
    pub fn new(config: OpenAiConfig) -> Self {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(config.timeout)
            .read_timeout(config.stall_timeout);
        if is_loopback(&config.base_url) {
            // A model server on this machine is never behind HTTP(S)_PROXY.
            builder = builder.no_proxy();
        }
        let client = builder.build().map_err(|e| e.to_string());
        let name = display_name(config.flavor, &config.base_url);
        Self { config, client, name }
    }

    pub fn config(&self) -> &OpenAiConfig {
        &self.config
    }
}

impl Provider for OpenAiCompatible {
    fn describe(&self) -> String {
        match self.config.flavor {
            Flavor::Compatible => format!(
                "{} {} at {}",
                self.config.flavor.id(),
                self.config.model,
                self.config.base_url
            ),
            flavor => format!("{} {}", flavor.id(), self.config.model),
        }
    }

    fn stream(&self, request: ModelRequest) -> ModelStream {
        let call = Call {
            client: self.client.clone(),
            endpoint: endpoint(&self.config.base_url),
            key: self.config.api_key.clone().filter(|k| !k.is_empty()),
            body: request_body(&self.config.model, &request),
            flavor: self.config.flavor,
            name: self.name.clone(),
            model: self.config.model.clone(),
            timeout: self.config.timeout,
            stall_timeout: self.config.stall_timeout,
        };
        Box::pin(call.run())
    }
}

/// `{base_url}/chat/completions` without a doubled slash.
fn endpoint(base_url: &str) -> String {
    format!("{}/chat/completions", base_url.trim().trim_end_matches('/'))
}

fn is_loopback(base_url: &str) -> bool {
    let Ok(url) = Url::parse(base_url.trim()) else {
        return false;
    };
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn display_name(flavor: Flavor, base_url: &str) -> String {
    match flavor {
        Flavor::OpenAi => "OpenAI".to_owned(),
        Flavor::Gemini => "Gemini".to_owned(),
        Flavor::Compatible => match Url::parse(base_url.trim()) {
            Ok(url) => match (url.host_str(), url.port_or_known_default()) {
                (Some(host), Some(port)) => format!("the model server at {host}:{port}"),
                (Some(host), None) => format!("the model server at {host}"),
                _ => "the model server".to_owned(),
            },
            Err(_) => "the model server".to_owned(),
        },
    }
}

/// The Chat Completions request body.
fn request_body(model: &str, request: &ModelRequest) -> Value {
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

/// Everything one stream needs, owned, so the stream is `'static`.
struct Call {
    client: Result<reqwest::Client, String>,
    endpoint: String,
    key: Option<Secret>,
    body: Value,
    flavor: Flavor,
    name: String,
    model: String,
    timeout: Duration,
    stall_timeout: Duration,
}

impl Call {
    fn run(self) -> impl Stream<Item = Result<ModelEvent, ProviderError>> + Send + 'static {
        async_stream::try_stream! {
            let response = self.send().await?;
            let mut body = response.bytes_stream();
            let mut sse = SseDecoder::default();
            let mut turn = Turn::default();
            loop {
                let events = match body.next().await {
                    Some(Ok(bytes)) => sse.push(&bytes),
                    Some(Err(e)) => Err::<Vec<_>, _>(self.body_error(&e))?,
                    None => {
                        let step = match sse.finish() {
                            Some(data) => turn.on_data(&data).map_err(|f| self.fault(f))?,
                            None => Step::More(Vec::new()),
                        };
                        match step {
                            Step::Done(events) => {
                                for event in events {
                                    yield event;
                                }
                            }
                            Step::More(events) => {
                                for event in events {
                                    yield event;
                                }
                                Err::<(), _>(self.ended_early(&turn, sse.saw_bytes()))?;
                            }
                        }
                        return;
                    }
                };
                for data in events {
                    let data = data.map_err(|f| self.fault(f))?;
                    match turn.on_data(&data).map_err(|f| self.fault(f))? {
                        Step::More(events) => {
                            for event in events {
                                yield event;
                            }
                        }
                        Step::Done(events) => {
                            tracing::debug!(provider = %self.flavor.id(), model = %self.model, "model answer complete");
                            for event in events {
                                yield event;
                            }
                            // Dropping the body here: anything after the
                            // finish (a usage chunk, [DONE]) is not needed.
                            return;
                        }
                    }
                }
            }
        }
    }

    /// Sends the request and checks the status; the body is left to stream.
    async fn send(&self) -> Result<reqwest::Response, ProviderError> {
        let client = self.client.as_ref().map_err(|e| {
            ProviderError::new(
                ProviderErrorKind::Network,
                format!("Could not set up a secure HTTP client: {e}."),
            )
        })?;
        let url = match Url::parse(&self.endpoint) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => url,
            _ => {
                return Err(ProviderError::new(
                    ProviderErrorKind::Rejected,
                    format!(
                        "The base URL for {} is not a valid http:// or https:// address. Check it in Settings.",
                        self.name
                    ),
                ));
            }
        };
        tracing::debug!(
            provider = %self.flavor.id(),
            model = %self.model,
            host = url.host_str().unwrap_or_default(),
            "requesting a streamed chat completion"
        );
        let mut request = client.post(url).header(ACCEPT, "text/event-stream").json(&self.body);
        if let Some(key) = &self.key {
            // bearer_auth marks the header sensitive, so it is never logged.
            request = request.bearer_auth(key.expose());
        }
        let response = match tokio::time::timeout(self.timeout, request.send()).await {
            Err(_) => {
                return Err(self.logged(ProviderError::new(
                    ProviderErrorKind::Timeout,
                    format!(
                        "{} did not answer within {}.",
                        capitalize(&self.name),
                        seconds(self.timeout)
                    ),
                )));
            }
            Ok(Err(e)) => return Err(self.logged(self.send_error(&e))),
            Ok(Ok(response)) => response,
        };
        let status = response.status();
        if !status.is_success() {
            let body = read_capped(response).await;
            return Err(self.logged(self.status_error(status, &body)));
        }
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        if content_type.starts_with("application/json") {
            // A server that ignored `stream: true`, or an error with status 200.
            let body = read_capped(response).await;
            let error = match error_object(&body) {
                Some(error) => self.stream_error(&error),
                None => ProviderError::new(
                    ProviderErrorKind::BadResponse,
                    format!(
                        "{} answered with a single JSON document instead of a stream; it may not support streaming.",
                        capitalize(&self.name)
                    ),
                ),
            };
            return Err(self.logged(error));
        }
        if content_type.starts_with("text/html") {
            return Err(self.logged(ProviderError::new(
                ProviderErrorKind::BadResponse,
                format!(
                    "{} answered with a web page instead of the API. Check the base URL in Settings.",
                    capitalize(&self.name)
                ),
            )));
        }
        Ok(response)
    }

    fn send_error(&self, e: &reqwest::Error) -> ProviderError {
        tracing::debug!(provider = %self.flavor.id(), error = %error_chain(e), "request failed");
        if e.is_timeout() {
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
            let hint = match self.flavor {
                Flavor::Compatible => "Is it running, and is the base URL right?",
                Flavor::OpenAi | Flavor::Gemini => "Check the network connection.",
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
        }
    }

    fn status_error(&self, status: StatusCode, body: &str) -> ProviderError {
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
        match code {
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
        }
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

    fn body_error(&self, e: &reqwest::Error) -> ProviderError {
        tracing::debug!(provider = %self.flavor.id(), error = %error_chain(e), "response body failed");
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
    fn ended_early(&self, turn: &Turn, saw_bytes: bool) -> ProviderError {
        let error = if !turn.saw_event && saw_bytes {
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

    fn fault(&self, fault: Fault) -> ProviderError {
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
            Fault::TooManyCalls => ProviderError::new(
                ProviderErrorKind::BadResponse,
                format!(
                    "{} asked for more than {MAX_TOOL_CALLS} tool calls in one answer; the answer was stopped there.",
                    capitalize(&self.name)
                ),
            ),
        };
        self.logged(error)
    }

    fn logged(&self, error: ProviderError) -> ProviderError {
        tracing::warn!(provider = %self.flavor.id(), model = %self.model, kind = ?error.kind, "{}", error.message);
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
async fn read_capped(mut response: reqwest::Response) -> String {
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

/// Splits a byte stream into server-sent events and returns each event's
/// data. Bytes are kept until a line is complete, so a line (or a UTF-8
/// character) split across TCP chunks is reassembled; `\r\n` is accepted.
/// A line or an event over [`EVENT_LIMIT`] is refused as soon as it is seen.
///
/// Public for the fuzz target: feed `push` any bytes, then `finish`.
#[derive(Debug, Default)]
pub struct SseDecoder {
    partial: Vec<u8>,
    /// How much of `partial` is known to hold no line break, so a long line
    /// arriving in small pieces is scanned once, not once per piece.
    scanned: usize,
    data: String,
    has_data: bool,
    saw_bytes: bool,
}

impl SseDecoder {
    /// The data of each event these bytes complete, in order, ending at the
    /// first error if any; the decoder is not to be used after an error.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Result<String, Fault>> {
        self.saw_bytes |= !bytes.is_empty();
        self.partial.extend_from_slice(bytes);
        let mut events = Vec::new();
        let mut start = 0;
        while let Some(offset) = self.partial[start + self.scanned..].iter().position(|&b| b == b'\n') {
            let end = start + self.scanned + offset;
            self.scanned = 0;
            let mut line = &self.partial[start..end];
            if let Some(stripped) = line.strip_suffix(b"\r") {
                line = stripped;
            }
            let event = if line.len() > EVENT_LIMIT {
                Some(Err(Fault::TooLarge("a line")))
            } else {
                let line = String::from_utf8_lossy(line).into_owned();
                self.line(&line).transpose()
            };
            start = end + 1;
            match event {
                Some(Err(fault)) => return self.failed(events, fault),
                Some(event) => events.push(event),
                None => {}
            }
        }
        self.partial.drain(..start);
        self.scanned = self.partial.len();
        if self.partial.len() > EVENT_LIMIT {
            return self.failed(events, Fault::TooLarge("a line"));
        }
        events
    }

    /// The events before a fault, then the fault; what was buffered is dropped.
    fn failed(&mut self, mut events: Vec<Result<String, Fault>>, fault: Fault) -> Vec<Result<String, Fault>> {
        self.partial = Vec::new();
        self.scanned = 0;
        self.data = String::new();
        self.has_data = false;
        events.push(Err(fault));
        events
    }

    fn line(&mut self, line: &str) -> Result<Option<String>, Fault> {
        if line.is_empty() {
            if !self.has_data {
                return Ok(None);
            }
            self.has_data = false;
            return Ok(Some(std::mem::take(&mut self.data)));
        }
        if line.starts_with(':') {
            return Ok(None);
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        if field == "data" {
            if self.data.len() + value.len() + 1 > EVENT_LIMIT {
                return Err(Fault::TooLarge("an event"));
            }
            if self.has_data {
                self.data.push('\n');
            }
            self.data.push_str(value);
            self.has_data = true;
        }
        Ok(None)
    }

    /// At the end of the body: the last event if its lines were complete but
    /// the blank line that ends it never came. A half line is dropped, as the
    /// SSE specification says.
    pub fn finish(&mut self) -> Option<String> {
        if self.partial.iter().all(|&b| b == b'\r') && self.has_data {
            self.has_data = false;
            Some(std::mem::take(&mut self.data))
        } else {
            None
        }
    }

    fn saw_bytes(&self) -> bool {
        self.saw_bytes
    }
}

#[derive(Debug, Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Option<Vec<Choice>>,
}

#[derive(Debug, Deserialize)]
struct Choice {
    #[serde(default)]
    index: Option<u32>,
    #[serde(default)]
    delta: Option<Delta>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Delta {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    refusal: Option<String>,
    #[serde(default)]
    tool_calls: Option<Vec<ToolCallDelta>>,
}

#[derive(Debug, Deserialize)]
struct ToolCallDelta {
    #[serde(default)]
    index: Option<u32>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    function: Option<FunctionDelta>,
}

#[derive(Debug, Deserialize)]
struct FunctionDelta {
    #[serde(default)]
    name: Option<String>,
    /// A string everywhere documented; some servers send an object.
    #[serde(default)]
    arguments: Option<Value>,
}

/// What one event means for the stream.
#[derive(Debug, PartialEq)]
enum Step {
    More(Vec<ModelEvent>),
    /// The answer is complete; these are its last events, ending in `Finished`.
    Done(Vec<ModelEvent>),
}

/// Why a stream could not be used.
#[derive(Debug, PartialEq)]
pub enum Fault {
    /// The provider sent an error object.
    Error(Value),
    NotJson,
    Shape(String),
    /// A line, an event or the tool calls passed their limit.
    TooLarge(&'static str),
    TooManyCalls,
}

#[derive(Debug, Default)]
struct PartialCall {
    /// The provider's index, or one past the largest for a call without
    /// one; u64 so that one past `u32::MAX` cannot overflow.
    index: u64,
    id: String,
    name: String,
    arguments: String,
}

/// Assembles one streamed answer: text passes through, tool-call fragments
/// are joined and released whole when the answer finishes.
#[derive(Debug, Default)]
struct Turn {
    calls: Vec<PartialCall>,
    /// Bytes of ids, names and arguments held in `calls`.
    held: usize,
    saw_event: bool,
}

impl Turn {
    fn on_data(&mut self, data: &str) -> Result<Step, Fault> {
        self.saw_event = true;
        if data.trim() == "[DONE]" {
            return self.finish(Vec::new()).map(Step::Done);
        }
        let value: Value = serde_json::from_str(data).map_err(|_| Fault::NotJson)?;
        if !value.is_object() {
            return Err(Fault::Shape("not a JSON object".to_owned()));
        }
        if let Some(error) = value.get("error").filter(|e| !e.is_null()) {
            return Err(Fault::Error(error.clone()));
        }
        let chunk: Chunk = serde_json::from_value(value).map_err(|e| Fault::Shape(e.to_string()))?;
        let mut events = Vec::new();
        // n defaults to 1: only the first choice exists, others are ignored.
        for choice in chunk.choices.unwrap_or_default() {
            if choice.index.unwrap_or(0) != 0 {
                continue;
            }
            if let Some(delta) = choice.delta {
                for text in [delta.content, delta.refusal].into_iter().flatten() {
                    if !text.is_empty() {
                        events.push(ModelEvent::TextDelta(text));
                    }
                }
                for fragment in delta.tool_calls.unwrap_or_default() {
                    self.absorb(fragment)?;
                }
            }
            if let Some(reason) = choice.finish_reason {
                tracing::debug!(finish_reason = %reason, "model finished");
                return self.finish(events).map(Step::Done);
            }
        }
        Ok(Step::More(events))
    }

    fn absorb(&mut self, fragment: ToolCallDelta) -> Result<(), Fault> {
        let id = fragment.id.filter(|id| !id.is_empty());
        let (name, arguments) = match fragment.function {
            Some(function) => (function.name.filter(|n| !n.is_empty()), function.arguments),
            None => (None, None),
        };
        let arguments = match arguments {
            Some(Value::String(piece)) => piece,
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        self.held += [&id, &name].into_iter().flatten().map(String::len).sum::<usize>() + arguments.len();
        if self.held > TOOL_CALLS_LIMIT {
            return Err(Fault::TooLarge("tool calls"));
        }
        let existing = fragment
            .index
            .and_then(|index| self.calls.iter().position(|c| c.index == u64::from(index)));
        let position = match (existing, fragment.index) {
            (Some(position), _) => position,
            // No index (Gemini): a fragment that names a call starts a new
            // one; a bare arguments piece continues the last.
            (None, None) if id.is_none() && name.is_none() && !self.calls.is_empty() => self.calls.len() - 1,
            (None, index) => {
                if self.calls.len() == MAX_TOOL_CALLS {
                    return Err(Fault::TooManyCalls);
                }
                let next = self.calls.iter().map(|c| c.index + 1).max().unwrap_or(0);
                self.calls.push(PartialCall {
                    index: index.map_or(next, u64::from),
                    ..PartialCall::default()
                });
                self.calls.len() - 1
            }
        };
        let Some(call) = self.calls.get_mut(position) else {
            return Ok(());
        };
        if let Some(id) = id
            && call.id.is_empty()
        {
            call.id = id;
        }
        if let Some(name) = name
            && call.name != name
        {
            // Whole names are repeated by some servers; pieces are appended.
            call.name.push_str(&name);
        }
        call.arguments.push_str(&arguments);
        Ok(())
    }

    /// The assembled tool calls in index order, then `Finished`.
    fn finish(&mut self, mut events: Vec<ModelEvent>) -> Result<Vec<ModelEvent>, Fault> {
        self.held = 0;
        let mut calls = std::mem::take(&mut self.calls);
        calls.sort_by_key(|c| c.index);
        for call in calls {
            if call.name.is_empty() {
                return Err(Fault::Shape("a tool call without a function name".to_owned()));
            }
            let id = if call.id.is_empty() { generated_id() } else { call.id };
            events.push(ModelEvent::ToolCall(ToolCall {
                id,
                name: call.name,
                arguments: call.arguments,
            }));
        }
        events.push(ModelEvent::Finished);
        Ok(events)
    }
}

/// `call_<n>` for a provider that sent no id. Random rather than counted so
/// ids stay unique in a conversation that outlives this process.
fn generated_id() -> String {
    let mut bytes = [0u8; 8];
    crate::random::fill(&mut bytes);
    format!("call_{}", u64::from_le_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(pieces: &[&[u8]]) -> Vec<String> {
        let mut sse = SseDecoder::default();
        let mut events = Vec::new();
        for piece in pieces {
            events.extend(
                sse.push(piece)
                    .into_iter()
                    .map(|e| e.unwrap_or_else(|f| panic!("{f:?}"))),
            );
        }
        events.extend(sse.finish());
        events
    }

    #[test]
    fn sse_lines_split_anywhere_crlf_comments_and_other_fields() {
        let whole: &[u8] = ": keep-alive\r\nevent: message\r\nid: 7\r\ndata: {\"a\":\"é\"}\r\n\r\ndata: one\ndata: two\n\nretry: 10\n\ndata:[DONE]\n\n".as_bytes();
        let expected = ["{\"a\":\"é\"}", "one\ntwo", "[DONE]"];
        assert_eq!(decode(&[whole]), expected);
        // Every split point, including inside "\r\n" and inside the two bytes of é.
        for cut in 0..whole.len() {
            assert_eq!(decode(&[&whole[..cut], &whole[cut..]]), expected, "split at {cut}");
        }
        let bytes: Vec<&[u8]> = whole.chunks(1).collect();
        assert_eq!(decode(&bytes), expected);
    }

    #[test]
    fn sse_long_line_in_tiny_pieces_takes_linear_time() {
        // Found by the provider_sse fuzz target: each piece rescanned the
        // whole unfinished line for its end, so a line trickled in byte by
        // byte cost its length squared (about 2 * 10^9 steps here).
        let line = format!("data: {}\n\n", "x".repeat(64 * 1024));
        let started = std::time::Instant::now();
        let events = decode(&line.as_bytes().chunks(1).collect::<Vec<_>>());
        assert_eq!(events.len(), 1);
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "took {:?}",
            started.elapsed()
        );
    }

    #[test]
    fn sse_last_event_without_blank_line_counts_but_half_line_does_not() {
        assert_eq!(decode(&[b"data: [DONE]\n"]), ["[DONE]"]);
        assert_eq!(decode(&[b"data: [DONE]\r\n"]), ["[DONE]"]);
        assert!(decode(&[b"data: {\"choi"]).is_empty());
    }

    #[test]
    fn a_long_line_in_one_byte_pieces_is_scanned_once() {
        let line = format!("data: {}\n\n", "x".repeat(256 * 1024));
        let started = std::time::Instant::now();
        let pieces: Vec<&[u8]> = line.as_bytes().chunks(1).collect();
        assert_eq!(decode(&pieces).first().map(String::len), Some(256 * 1024));
        // Rescanning the whole buffer for each byte took minutes.
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn lines_and_events_over_the_limit_are_refused_after_the_events_before_them() {
        let mut sse = SseDecoder::default();
        assert_eq!(sse.push(&vec![b'x'; EVENT_LIMIT + 1]), [Err(Fault::TooLarge("a line"))]);
        let mut sse = SseDecoder::default();
        let long = format!("data: a\n\ndata: {}\n\n", "x".repeat(EVENT_LIMIT));
        assert_eq!(
            sse.push(long.as_bytes()),
            [Ok("a".to_owned()), Err(Fault::TooLarge("a line"))]
        );
        let mut sse = SseDecoder::default();
        let half = format!("data: {}\n", "x".repeat(EVENT_LIMIT / 2));
        assert_eq!(sse.push(half.as_bytes()), []);
        assert_eq!(sse.push(half.as_bytes()), [Err(Fault::TooLarge("an event"))]);
    }

    fn run(turn: &mut Turn, data: &[&str]) -> Vec<ModelEvent> {
        let mut out = Vec::new();
        for d in data {
            match turn.on_data(d).unwrap_or_else(|e| panic!("{e:?}")) {
                Step::More(events) => out.extend(events),
                Step::Done(events) => {
                    out.extend(events);
                    break;
                }
            }
        }
        out
    }

    #[test]
    fn fragments_without_index_start_new_calls_unless_bare_arguments() {
        let mut turn = Turn::default();
        let events = run(
            &mut turn,
            &[
                r#"{"choices":[{"delta":{"tool_calls":[{"function":{"name":"add_task","arguments":"{\"title\":"}}]}}]}"#,
                r#"{"choices":[{"delta":{"tool_calls":[{"function":{"arguments":"\"milk\"}"}}]}}]}"#,
                r#"{"choices":[{"delta":{"tool_calls":[{"id":"x1","function":{"name":"list_tasks","arguments":{}}}]}}]}"#,
                "[DONE]",
            ],
        );
        let calls: Vec<(String, String)> = events
            .iter()
            .filter_map(|e| match e {
                ModelEvent::ToolCall(c) => Some((c.name.clone(), c.arguments.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            calls,
            [
                ("add_task".to_owned(), r#"{"title":"milk"}"#.to_owned()),
                ("list_tasks".to_owned(), "{}".to_owned())
            ]
        );
        assert_eq!(events.last(), Some(&ModelEvent::Finished));
    }

    #[test]
    fn name_pieces_are_joined_and_repeats_ignored() {
        let mut turn = Turn::default();
        let events = run(
            &mut turn,
            &[
                r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"add_"}}]}}]}"#,
                r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"name":"task"}}]}}]}"#,
                r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"name":"add_task","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}"#,
            ],
        );
        assert_eq!(
            events,
            [
                ModelEvent::ToolCall(ToolCall {
                    id: "c".into(),
                    name: "add_task".into(),
                    arguments: "{}".into()
                }),
                ModelEvent::Finished
            ]
        );
    }

    #[test]
    fn other_choices_are_ignored_and_nameless_calls_refused() {
        let mut turn = Turn::default();
        let events = run(
            &mut turn,
            &[r#"{"choices":[{"index":1,"delta":{"content":"no"}},{"index":0,"delta":{"content":"yes"}}]}"#],
        );
        assert_eq!(events, [ModelEvent::TextDelta("yes".into())]);
        let mut turn = Turn::default();
        assert!(matches!(
            turn.on_data(r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]},"finish_reason":"stop"}]}"#),
            Err(Fault::Shape(_))
        ));
        assert!(matches!(turn.on_data("[1,2]"), Err(Fault::Shape(_))));
        assert!(matches!(turn.on_data(r#"{"choices":"nope"}"#), Err(Fault::Shape(_))));
        assert_eq!(turn.on_data("{oops"), Err(Fault::NotJson));
    }

    #[test]
    fn endpoint_joins_without_double_slash() {
        assert_eq!(
            endpoint("https://api.openai.com/v1"),
            "https://api.openai.com/v1/chat/completions"
        );
        assert_eq!(
            endpoint(GEMINI_BASE_URL),
            "https://generativelanguage.googleapis.com/v1beta/openai/chat/completions"
        );
        assert_eq!(
            endpoint("http://localhost:1234/v1//"),
            "http://localhost:1234/v1/chat/completions"
        );
    }

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
    fn loopback_hosts_bypass_proxies() {
        for url in [
            "http://localhost:11434/v1",
            "http://127.0.0.1:1234/v1",
            "http://[::1]:8000/v1",
        ] {
            assert!(is_loopback(url), "{url}");
        }
        for url in [
            OPENAI_BASE_URL,
            GEMINI_BASE_URL,
            "http://192.168.1.20:11434/v1",
            "nonsense",
        ] {
            assert!(!is_loopback(url), "{url}");
        }
    }

    #[test]
    fn truncate_counts_characters_not_bytes() {
        assert_eq!(truncate("ééé", 2), "éé…");
        assert_eq!(truncate("ééé", 3), "ééé");
    }

    #[test]
    fn names_in_messages() {
        assert_eq!(display_name(Flavor::OpenAi, OPENAI_BASE_URL), "OpenAI");
        assert_eq!(
            display_name(Flavor::Compatible, OLLAMA_BASE_URL),
            "the model server at localhost:11434"
        );
        assert_eq!(display_name(Flavor::Compatible, "not a url"), "the model server");
        assert_eq!(capitalize("the model server"), "The model server");
        assert_eq!(seconds(Duration::from_millis(300)), "0.3 seconds");
    }

    #[test]
    fn debug_hides_the_key() {
        let provider = OpenAiCompatible::new(OpenAiConfig::openai(Secret::new("sk-very-secret-123")));
        let debug = format!("{provider:?} {:?}", provider.config());
        assert!(!debug.contains("sk-very-secret-123"), "{debug}");
        assert!(debug.contains("gpt-4.1-mini"), "{debug}");
    }
}
