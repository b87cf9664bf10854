//! Which provider answers, from configuration: the server's environment or
//! the desktop app's settings.

use std::sync::Arc;

use super::provider::{Provider, ProviderError, ProviderErrorKind};
use super::providers::kind::ProviderKind;
use super::providers::offline::OfflineAssistant;
use super::providers::openai::{OpenAiCompatible, OpenAiConfig};
use crate::calendar::Calendar;
use crate::secret::Secret;

#[derive(Clone, Debug, Default)]
pub struct ProviderSettings {
    pub kind: ProviderKind,
    pub model: Option<String>,
    pub api_key: Option<Secret>,
    pub base_url: Option<String>,
    /// The user's zone and clock, for the offline assistant's dates.
    pub calendar: Calendar,
}

fn missing(what: &str) -> ProviderError {
    ProviderError::new(ProviderErrorKind::Rejected, what.to_owned())
}

impl ProviderSettings {
    /// The configured provider, or a sentence saying what is missing.
    pub fn build(&self) -> Result<Arc<dyn Provider>, ProviderError> {
        match self.kind {
            ProviderKind::Offline => Ok(Arc::new(OfflineAssistant::new(self.calendar))),
            ProviderKind::OpenAi | ProviderKind::Gemini | ProviderKind::OpenAiCompatible => {
                self.chat_completions().map(|p| Arc::new(p) as Arc<dyn Provider>)
            }
        }
    }

    fn chat_completions(&self) -> Result<OpenAiCompatible, ProviderError> {
        let api_key = self.api_key.clone().filter(|k| !k.is_empty());
        if api_key.is_none() && self.kind.is_hosted() {
            return Err(missing(
                "This provider needs an API key: set TASKTALK_API_KEY or add it in the settings.",
            ));
        }
        let defaults = OpenAiConfig::defaults(self.kind);
        Ok(OpenAiCompatible::new(OpenAiConfig {
            base_url: chosen(&self.base_url, &defaults.base_url),
            model: chosen(&self.model, &defaults.model),
            api_key,
            ..defaults
        }))
    }

    /// Where the requests, and with them the API key, go: the base URL set,
    /// else the provider's default; `None` for the offline assistant.
    pub fn base_url_in_use(&self) -> Option<String> {
        self.kind
            .default_base_url()
            .map(|default| chosen(&self.base_url, default))
    }
}

/// The value set, unless it is empty; else the default.
fn chosen(value: &Option<String>, default: &str) -> String {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .unwrap_or(default)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_the_offline_assistant() {
        let provider = ProviderSettings::default().build().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(provider.describe(), "offline assistant");
    }

    #[test]
    fn the_base_url_in_use_is_the_one_set_or_the_providers_default() {
        let mut settings = ProviderSettings::default();
        assert_eq!(settings.base_url_in_use(), None, "offline sends nothing");
        settings.kind = ProviderKind::Gemini;
        assert_eq!(
            settings.base_url_in_use().as_deref(),
            Some(crate::agent::providers::kind::GEMINI_BASE_URL)
        );
        settings.base_url = Some(" https://proxy.example/v1 ".into());
        assert_eq!(settings.base_url_in_use().as_deref(), Some("https://proxy.example/v1"));
    }

    #[test]
    fn hosted_providers_need_a_key_and_local_ones_default_to_ollama() {
        let openai = ProviderSettings {
            kind: ProviderKind::OpenAi,
            ..Default::default()
        };
        assert!(
            openai
                .build()
                .err()
                .map(|e| e.message)
                .unwrap_or_default()
                .contains("API key")
        );
        let compatible = ProviderSettings {
            kind: ProviderKind::OpenAiCompatible,
            ..Default::default()
        };
        let described = compatible.build().map(|p| p.describe()).unwrap_or_default();
        assert!(
            described.contains("llama3.2") && described.contains("11434"),
            "{described}"
        );
        let lm_studio = ProviderSettings {
            kind: ProviderKind::OpenAiCompatible,
            base_url: Some(" http://localhost:1234/v1 ".into()),
            model: Some("qwen2.5-7b-instruct".into()),
            ..Default::default()
        };
        let described = lm_studio.build().map(|p| p.describe()).unwrap_or_default();
        assert!(
            described.contains("qwen2.5-7b-instruct") && described.contains("1234"),
            "{described}"
        );
        let gemini = ProviderSettings {
            kind: ProviderKind::Gemini,
            api_key: Some(Secret::new("k")),
            ..Default::default()
        };
        let described = gemini.build().map(|p| p.describe()).unwrap_or_default();
        assert!(described.to_lowercase().contains("gemini"), "{described}");
        assert_eq!(
            "ollama".parse::<ProviderKind>().ok(),
            Some(ProviderKind::OpenAiCompatible)
        );
        assert!("claude".parse::<ProviderKind>().is_err());
    }
}
