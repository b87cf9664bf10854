//! The one list of providers, and what differs between them as data (as
//! async-openai's `config.rs` keeps each service's base URL and headers in a
//! config, apart from the client): the defaults, and the name and hint the
//! settings page shows. Which code talks to a provider is not decided here.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub const OPENAI_BASE_URL: &str = "https://api.openai.com/v1";
pub const OPENAI_DEFAULT_MODEL: &str = "gpt-4.1-mini";
pub const GEMINI_BASE_URL: &str = "https://generativelanguage.googleapis.com/v1beta/openai/";
pub const GEMINI_DEFAULT_MODEL: &str = "gemini-2.5-flash";
pub const OLLAMA_BASE_URL: &str = "http://localhost:11434/v1";
pub const OLLAMA_DEFAULT_MODEL: &str = "llama3.2";

/// Which service answers. The serde names are stored in the desktop settings
/// file and taken by the server's `--provider`: they never change.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ProviderKind {
    /// No network, no key: understands everyday task phrasings.
    #[default]
    #[serde(rename = "offline")]
    Offline,
    #[serde(rename = "openai")]
    OpenAi,
    #[serde(rename = "gemini")]
    Gemini,
    /// Any OpenAI-compatible server: Ollama, LM Studio, vLLM.
    #[serde(rename = "openai-compatible", alias = "compatible")]
    OpenAiCompatible,
}

impl ProviderKind {
    /// Every provider, in the order a picker lists them.
    pub const ALL: [Self; 4] = [Self::Offline, Self::OpenAi, Self::Gemini, Self::OpenAiCompatible];

    /// The identifier in settings, options and logs: the serde name.
    pub fn id(self) -> &'static str {
        match self {
            Self::Offline => "offline",
            Self::OpenAi => "openai",
            Self::Gemini => "gemini",
            Self::OpenAiCompatible => "openai-compatible",
        }
    }

    /// The provider's name in the settings page's picker.
    pub fn label(self) -> &'static str {
        match self {
            Self::Offline => "Offline assistant (no network, no key)",
            Self::OpenAi => "OpenAI",
            Self::Gemini => "Google Gemini",
            Self::OpenAiCompatible => "OpenAI-compatible server (Ollama, LM Studio…)",
        }
    }

    /// The model field's placeholder: an example, empty where there is no model.
    pub fn model_hint(self) -> &'static str {
        match self {
            Self::Offline => "",
            Self::OpenAi => "e.g. gpt-4o-mini",
            Self::Gemini => "e.g. gemini-2.0-flash",
            Self::OpenAiCompatible => "e.g. llama3.1",
        }
    }

    /// Where requests go when no base URL is set; none for the offline
    /// assistant, which sends nothing.
    pub fn default_base_url(self) -> Option<&'static str> {
        match self {
            Self::Offline => None,
            Self::OpenAi => Some(OPENAI_BASE_URL),
            Self::Gemini => Some(GEMINI_BASE_URL),
            Self::OpenAiCompatible => Some(OLLAMA_BASE_URL),
        }
    }

    /// The model asked for when none is set.
    pub fn default_model(self) -> Option<&'static str> {
        match self {
            Self::Offline => None,
            Self::OpenAi => Some(OPENAI_DEFAULT_MODEL),
            Self::Gemini => Some(GEMINI_DEFAULT_MODEL),
            Self::OpenAiCompatible => Some(OLLAMA_DEFAULT_MODEL),
        }
    }

    /// A service on the internet under its own name, which needs an API key;
    /// the others run wherever the user points them, most without a key.
    pub fn is_hosted(self) -> bool {
        matches!(self, Self::OpenAi | Self::Gemini)
    }
}

impl FromStr for ProviderKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "offline" => Ok(ProviderKind::Offline),
            "openai" => Ok(ProviderKind::OpenAi),
            "gemini" => Ok(ProviderKind::Gemini),
            "openai-compatible" | "compatible" | "ollama" | "lmstudio" | "vllm" => Ok(ProviderKind::OpenAiCompatible),
            other => Err(format!(
                "unknown provider {other:?}: use offline, openai, gemini or openai-compatible"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_is_the_serde_name_and_both_parse_back() {
        for kind in ProviderKind::ALL {
            assert_eq!(serde_json::to_value(kind).ok(), Some(serde_json::json!(kind.id())));
            assert_eq!(kind.id().parse::<ProviderKind>().ok(), Some(kind));
        }
        assert_eq!(
            serde_json::from_str::<ProviderKind>(r#""compatible""#).ok(),
            Some(ProviderKind::OpenAiCompatible),
            "the spelling the provider module's own enum used"
        );
    }

    #[test]
    fn every_provider_but_the_offline_one_has_defaults() {
        for kind in ProviderKind::ALL {
            let offline = kind == ProviderKind::Offline;
            assert_eq!(kind.default_base_url().is_none(), offline, "{kind:?}");
            assert_eq!(kind.default_model().is_none(), offline, "{kind:?}");
            assert_eq!(kind.model_hint().is_empty(), offline, "{kind:?}");
            assert!(!kind.label().is_empty());
        }
    }
}
