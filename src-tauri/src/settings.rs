//! The app's settings, kept by tauri-plugin-store in `settings.json`. Secrets
//! never go there: API keys, passwords and BETTER_AUTH_SECRET live in
//! [`crate::secrets`]; `apiKeySet` only says whether one is stored.

use serde::{Deserialize, Serialize};
use tasktalk_core::agent::{ProviderKind, ProviderSettings};
use tasktalk_core::db::postgres_server;
use tasktalk_core::token::JwtMode;

use crate::error::{Error, Result};
use crate::logs::LogLevel;

pub const STORE_FILE: &str = "settings.json";
pub const STORE_KEY: &str = "settings";

#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum DatabaseSetting {
    /// The bundled SQLite file in the app's data folder.
    #[default]
    Sqlite,
    /// A PostgreSQL URL without its password (that is a secret).
    Postgres { url: String },
}

#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderSetting {
    pub kind: ProviderKind,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub base_url: Option<String>,
    /// Filled in when read; never stored.
    #[serde(default, skip_deserializing)]
    pub api_key_set: bool,
}

#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ChatBackend {
    /// The core in this app, over IPC.
    #[default]
    Local,
    /// An existing HTTP ChatKit endpoint (the web version's, or `tasktalk-server serve`).
    Remote { url: String },
}

/// The quick-add window's shortcut unless the person picks another: free in
/// the common desktops' default key maps.
pub const DEFAULT_QUICK_ADD_SHORTCUT: &str = "CommandOrControl+Alt+N";

#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub database: DatabaseSetting,
    pub provider: ProviderSetting,
    pub jwt_mode: JwtMode,
    pub chatkit_domain_key: String,
    pub chat_backend: ChatBackend,
    /// Native notifications at the tasks' reminder times.
    pub reminders: bool,
    /// The global shortcut that opens the quick-add window; empty: none.
    pub quick_add_shortcut: String,
    /// How much goes to the log file; `RUST_LOG`, when set, decides instead.
    pub log_level: LogLevel,
}

/// What a missing field (a settings file from before it existed) means.
impl Default for Settings {
    fn default() -> Self {
        Self {
            database: DatabaseSetting::default(),
            provider: ProviderSetting::default(),
            jwt_mode: JwtMode::default(),
            chatkit_domain_key: String::new(),
            chat_backend: ChatBackend::default(),
            reminders: true,
            quick_add_shortcut: DEFAULT_QUICK_ADD_SHORTCUT.to_owned(),
            log_level: LogLevel::default(),
        }
    }
}

/// What the settings page sends: the settings plus write-only secrets.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsUpdate {
    #[serde(flatten)]
    pub settings: Settings,
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub api_key: Option<String>,
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub database_password: Option<String>,
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub better_auth_secret: Option<String>,
}

impl Settings {
    /// Rejects what cannot work, before anything is saved.
    pub fn validate(&self) -> Result<()> {
        if let DatabaseSetting::Postgres { url } = &self.database {
            let url = url.trim();
            if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                return Err(Error::Settings(
                    "The PostgreSQL URL must start with postgres://.".into(),
                ));
            }
            if reqwest::Url::parse(url)
                .map(|u| u.password().is_some())
                .unwrap_or(false)
            {
                return Err(Error::Settings(
                    "Put the database password in its own field, not in the URL.".into(),
                ));
            }
        }
        if let ChatBackend::Remote { url } = &self.chat_backend {
            let parsed = reqwest::Url::parse(url.trim())
                .map_err(|_| Error::Settings("The remote chat URL is not a valid URL.".into()))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(Error::Settings(
                    "The remote chat URL must start with http:// or https://.".into(),
                ));
            }
        }
        crate::shell::check_shortcut(&self.quick_add_shortcut).map_err(Error::Settings)?;
        Ok(())
    }
}

/// Where each stored credential goes with these settings; a change of one
/// of these is what needs the person's confirmation, or drops the API key.
impl Settings {
    /// The remote chat back end, which receives the sign-in token (JWT).
    pub fn token_destination(&self) -> Option<String> {
        match &self.chat_backend {
            ChatBackend::Local => None,
            ChatBackend::Remote { url } => Some(origin(url)),
        }
    }

    /// The provider's server, which receives the API key.
    pub fn api_key_destination(&self) -> Option<String> {
        let provider = ProviderSettings {
            kind: self.provider.kind,
            base_url: self.provider.base_url.clone(),
            ..ProviderSettings::default()
        };
        provider.base_url_in_use().map(|url| origin(&url))
    }

    /// The PostgreSQL server, which receives the database password.
    pub fn database_password_destination(&self) -> Option<String> {
        match &self.database {
            DatabaseSetting::Sqlite => None,
            DatabaseSetting::Postgres { url } => Some(postgres_server(url).unwrap_or_else(|| url.trim().to_owned())),
        }
    }
}

/// A URL's origin (`scheme://host:port`): the server a request goes to. A URL
/// without one stands for itself, so it never equals another server.
fn origin(url: &str) -> String {
    match reqwest::Url::parse(url.trim()).map(|u| u.origin()) {
        Ok(origin) if origin.is_tuple() => origin.ascii_serialization(),
        _ => url.trim().to_owned(),
    }
}

/// The PostgreSQL URL with the stored password put back in.
pub fn url_with_password(url: &str, password: Option<&str>) -> Result<String> {
    let mut parsed =
        reqwest::Url::parse(url.trim()).map_err(|_| Error::Settings("The PostgreSQL URL is not valid.".into()))?;
    if let Some(password) = password.filter(|p| !p.is_empty()) {
        parsed
            .set_password(Some(password))
            .map_err(|()| Error::Settings("The PostgreSQL URL has no user name.".into()))?;
    }
    Ok(parsed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_read_what_the_settings_page_writes() {
        let json = serde_json::json!({
            "database": {"kind": "postgres", "url": "postgres://app@db.example/tasks"},
            "provider": {"kind": "openai-compatible", "model": "llama3.2", "baseUrl": "http://localhost:11434/v1", "apiKeySet": true},
            "jwtMode": "eddsa",
            "chatkitDomainKey": "domain_pk_123",
            "chatBackend": {"kind": "remote", "url": "https://tasks.example/chatkit"},
            "apiKey": "sk-secret"
        });
        let update: SettingsUpdate = serde_json::from_value(json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(update.api_key.as_deref(), Some("sk-secret"));
        assert!(!update.settings.provider.api_key_set, "never taken from the client");
        assert_eq!(update.settings.jwt_mode, JwtMode::EdDsa);
        assert!(update.settings.validate().is_ok());
        let stored = serde_json::to_string(&update.settings).unwrap_or_default();
        assert!(!stored.contains("sk-secret"));
        assert_eq!(
            serde_json::from_str::<Settings>("{}").ok(),
            Some(Settings::default()),
            "missing fields default"
        );
        let before_reminders: Settings =
            serde_json::from_value(serde_json::json!({"jwtMode": "eddsa"})).unwrap_or_else(|e| panic!("{e}"));
        assert!(before_reminders.reminders, "reminders are on unless turned off");
        assert_eq!(before_reminders.quick_add_shortcut, DEFAULT_QUICK_ADD_SHORTCUT);
    }

    #[test]
    fn each_credential_goes_to_the_server_its_settings_name() {
        let mut settings = Settings::default();
        assert_eq!(
            (
                settings.token_destination(),
                settings.api_key_destination(),
                settings.database_password_destination()
            ),
            (None, None, None),
            "offline and local: nothing leaves the computer"
        );
        settings.chat_backend = ChatBackend::Remote {
            url: "https://tasks.example:443/api/chatkit".into(),
        };
        settings.provider.kind = ProviderKind::OpenAi;
        settings.database = DatabaseSetting::Postgres {
            url: "postgres://app@db.example/tasks".into(),
        };
        assert_eq!(settings.token_destination().as_deref(), Some("https://tasks.example"));
        assert_eq!(
            settings.api_key_destination().as_deref(),
            Some("https://api.openai.com")
        );
        assert_eq!(
            settings.database_password_destination().as_deref(),
            Some("db.example:5432")
        );
        settings.provider.base_url = Some("http://LOCALHOST:11434/v1".into());
        assert_eq!(
            settings.api_key_destination().as_deref(),
            Some("http://localhost:11434")
        );
        settings.chat_backend = ChatBackend::Remote {
            url: "not a url".into(),
        };
        assert_eq!(settings.token_destination().as_deref(), Some("not a url"));
    }

    #[test]
    fn bad_settings_are_refused_with_a_reason() {
        let mut settings = Settings {
            database: DatabaseSetting::Postgres {
                url: "mysql://x".into(),
            },
            ..Settings::default()
        };
        assert!(settings.validate().is_err());
        settings.database = DatabaseSetting::Postgres {
            url: "postgres://u:pw@h/db".into(),
        };
        assert!(
            settings
                .validate()
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
                .contains("password")
        );
        settings.database = DatabaseSetting::Sqlite;
        settings.chat_backend = ChatBackend::Remote { url: "ftp://x".into() };
        assert!(settings.validate().is_err());
        settings.chat_backend = ChatBackend::Local;
        for (shortcut, accepted) in [
            (DEFAULT_QUICK_ADD_SHORTCUT, true),
            ("Super+Shift+Space", true),
            ("", true),
            ("Ctrl+Banana", false),
        ] {
            settings.quick_add_shortcut = shortcut.into();
            assert_eq!(settings.validate().is_ok(), accepted, "{shortcut:?}");
        }
        assert_eq!(
            url_with_password("postgres://app@db.example:5432/tasks", Some("p@ss"))
                .ok()
                .as_deref(),
            Some("postgres://app:p%40ss@db.example:5432/tasks")
        );
    }
}
