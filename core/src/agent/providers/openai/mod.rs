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
//! The services differ only in data ([`ProviderKind`]'s defaults and the
//! name used in messages); `request` builds and sends the request, `stream`
//! turns the body into model events, `errors` words what went wrong.
//!
//! Streams are lazy (nothing is sent until the first poll) and own the HTTP
//! response: dropping the stream closes the connection, which is how a stop
//! button reaches the provider.

mod errors;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod request;
mod stream;

use std::fmt;
use std::time::Duration;

use reqwest::Url;

use self::errors::Reporter;
use self::request::Outgoing;
use crate::agent::provider::{ModelRequest, ModelStream, Provider};
use crate::agent::providers::kind::ProviderKind;
use crate::secret::Secret;

/// Connect plus time to the response headers.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Silence allowed between two pieces of a streamed answer. Generous because
/// reasoning models can think for a while before their first token.
pub const DEFAULT_STALL_TIMEOUT: Duration = Duration::from_secs(120);

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
    /// Which service is behind the base URL: decides the defaults, the name
    /// in messages and a few error-mapping quirks. The wire format is the same.
    pub kind: ProviderKind,
}

impl OpenAiConfig {
    /// The provider's default base URL and model, no key, default timeouts
    /// (both empty for the offline assistant, which this provider is not).
    pub fn defaults(kind: ProviderKind) -> Self {
        Self {
            base_url: kind.default_base_url().unwrap_or_default().to_owned(),
            api_key: None,
            model: kind.default_model().unwrap_or_default().to_owned(),
            timeout: DEFAULT_TIMEOUT,
            stall_timeout: DEFAULT_STALL_TIMEOUT,
            kind,
        }
    }

    pub fn openai(api_key: Secret) -> Self {
        Self {
            api_key: Some(api_key),
            ..Self::defaults(ProviderKind::OpenAi)
        }
    }

    pub fn gemini(api_key: Secret) -> Self {
        Self {
            api_key: Some(api_key),
            ..Self::defaults(ProviderKind::Gemini)
        }
    }

    /// A local or self-hosted server; most need no key.
    pub fn compatible(base_url: impl Into<String>, model: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            model: model.into(),
            ..Self::defaults(ProviderKind::OpenAiCompatible)
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
            .field("kind", &self.config.kind)
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
        let name = display_name(config.kind, &config.base_url);
        Self { config, client, name }
    }

    pub fn config(&self) -> &OpenAiConfig {
        &self.config
    }
}

impl Provider for OpenAiCompatible {
    fn describe(&self) -> String {
        let config = &self.config;
        if config.kind.is_hosted() {
            format!("{} {}", config.kind.id(), config.model)
        } else {
            format!("{} {} at {}", config.kind.id(), config.model, config.base_url)
        }
    }

    fn stream(&self, request: ModelRequest) -> ModelStream {
        let key = self.config.api_key.clone().filter(|k| !k.is_empty());
        let report = Reporter {
            kind: self.config.kind,
            name: self.name.clone(),
            model: self.config.model.clone(),
            key: key.clone(),
            timeout: self.config.timeout,
            stall_timeout: self.config.stall_timeout,
        };
        let outgoing = Outgoing {
            client: self.client.clone(),
            endpoint: endpoint(&self.config.base_url),
            key,
            body: request::request_body(&self.config.model, &request),
        };
        Box::pin(stream::answer(request::send(outgoing, report.clone()), report))
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

fn display_name(kind: ProviderKind, base_url: &str) -> String {
    match kind {
        ProviderKind::OpenAi => "OpenAI".to_owned(),
        ProviderKind::Gemini => "Gemini".to_owned(),
        ProviderKind::OpenAiCompatible | ProviderKind::Offline => match Url::parse(base_url.trim()) {
            Ok(url) => match (url.host_str(), url.port_or_known_default()) {
                (Some(host), Some(port)) => format!("the model server at {host}:{port}"),
                (Some(host), None) => format!("the model server at {host}"),
                _ => "the model server".to_owned(),
            },
            Err(_) => "the model server".to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::providers::kind::{GEMINI_BASE_URL, OLLAMA_BASE_URL, OPENAI_BASE_URL};

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
    fn names_in_messages() {
        assert_eq!(display_name(ProviderKind::OpenAi, OPENAI_BASE_URL), "OpenAI");
        assert_eq!(
            display_name(ProviderKind::OpenAiCompatible, OLLAMA_BASE_URL),
            "the model server at localhost:11434"
        );
        assert_eq!(
            display_name(ProviderKind::OpenAiCompatible, "not a url"),
            "the model server"
        );
    }

    #[test]
    fn debug_hides_the_key() {
        let provider = OpenAiCompatible::new(OpenAiConfig::openai(Secret::new("sk-very-secret-123")));
        let debug = format!("{provider:?} {:?}", provider.config());
        assert!(!debug.contains("sk-very-secret-123"), "{debug}");
        assert!(debug.contains("gpt-4.1-mini"), "{debug}");
    }
}
