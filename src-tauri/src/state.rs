//! What the commands share: the core services built from the settings, the
//! secrets, the signed-in session, and the streams that can be cancelled.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tasktalk_core::agent::{OfflineAssistant, ProviderSettings};
use tasktalk_core::auth::AuthConfig;
use tasktalk_core::calendar::Calendar;
use tasktalk_core::db::{Database, Location};
use tasktalk_core::token::{TokenConfig, Tokens};
use tasktalk_core::{Secret, Services};
use tokio::sync::{RwLock, oneshot};

use crate::dialogs::{Asker, Confirmation, FileChoice};
use crate::error::{Error, Result};
use crate::secrets::{self, Secrets};
use crate::settings::{ChatBackend, DatabaseSetting, Settings, url_with_password};

/// The core, opened with one version of the settings.
#[derive(Clone, Debug)]
pub struct Backend {
    pub services: Services,
    /// Set when chat goes to an HTTP ChatKit endpoint instead of this core.
    pub remote_chat: Option<String>,
    pub database_label: String,
    pub provider_label: String,
}

impl Backend {
    /// Opens (and migrates) the database and builds every service.
    pub async fn start(settings: &Settings, secrets: &Secrets, data_dir: &Path) -> Result<Self> {
        let (location, jwt_secret) = match &settings.database {
            DatabaseSetting::Sqlite => (
                Location::Sqlite(data_dir.join("tasktalk.db")),
                secrets.get_or_create(secrets::JWT_SECRET)?,
            ),
            DatabaseSetting::Postgres { url } => {
                let password = secrets.get(secrets::DATABASE_PASSWORD)?;
                let full = url_with_password(url, password.as_ref().map(Secret::expose))?;
                let location = full.parse::<Location>().map_err(|e| Error::Settings(e.to_string()))?;
                // A database shared with the web version signs with its secret.
                let secret = secrets.get(secrets::BETTER_AUTH_SECRET)?.ok_or_else(|| {
                    Error::Settings("A shared PostgreSQL needs the web version's BETTER_AUTH_SECRET.".into())
                })?;
                (location, secret)
            }
        };
        let db = Database::open_and_migrate(&location).await?;
        let tokens = Tokens::load(
            &db,
            TokenConfig {
                mode: settings.jwt_mode,
                ..TokenConfig::new(jwt_secret)
            },
        )
        .await?;
        let calendar = Calendar::system();
        let provider_settings = ProviderSettings {
            kind: settings.provider.kind,
            model: settings.provider.model.clone(),
            api_key: secrets.get(secrets::API_KEY)?,
            base_url: settings.provider.base_url.clone(),
            calendar,
        };
        let (provider, provider_label) = match provider_settings.build() {
            Ok(provider) => {
                let label = provider.describe();
                (provider, label)
            }
            // Chat keeps working offline until the settings are fixed.
            Err(err) => {
                tracing::warn!(error = %err, "the chat provider is not usable; using the offline assistant");
                (
                    Arc::new(OfflineAssistant::new(calendar)) as Arc<dyn tasktalk_core::agent::Provider>,
                    format!("offline assistant ({err})"),
                )
            }
        };
        let remote_chat = match &settings.chat_backend {
            ChatBackend::Local => None,
            ChatBackend::Remote { url } => Some(url.trim().to_owned()),
        };
        Ok(Self {
            services: Services::new(db, tokens, AuthConfig::default(), provider, calendar),
            remote_chat,
            database_label: location.to_string(),
            provider_label,
        })
    }
}

/// The questions the app asks the person in native dialogs, outside the web view.
#[derive(Debug)]
pub struct Dialogs {
    /// Before a credential goes to a new server.
    pub confirm: Asker<Confirmation>,
    /// The file an export writes or an import reads.
    pub files: Asker<FileChoice>,
}

pub struct AppState {
    pub data_dir: PathBuf,
    pub secrets: Secrets,
    pub settings: RwLock<Settings>,
    /// The core, or why it could not start (shown to the person, fixable in settings).
    backend: RwLock<std::result::Result<Backend, String>>,
    /// Streaming chat requests by id, each with the switch that stops it.
    pub streams: Mutex<HashMap<String, oneshot::Sender<()>>>,
    /// The remote chat back end's client, built on first use: building one
    /// sets up TLS and reads the system's root certificates, which most
    /// people (offline or a model provider, no remote chat) never need.
    http: std::sync::OnceLock<reqwest::Client>,
    pub dialogs: Dialogs,
    /// Held through an export or import: one at a time, so a page script
    /// cannot stack file dialogs or run several large transfers at once.
    pub transferring: tokio::sync::Mutex<()>,
    /// Held through a settings change, so each is checked against the
    /// settings it replaces.
    pub changing: tokio::sync::Mutex<()>,
    /// Wakes the reminder scheduler: the tasks, the session or the settings changed.
    pub wake_reminders: Arc<tokio::sync::Notify>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("data_dir", &self.data_dir)
            .field("secrets", &self.secrets)
            .finish_non_exhaustive()
    }
}

impl AppState {
    pub async fn start(data_dir: PathBuf, settings: Settings, try_keyring: bool, dialogs: Dialogs) -> Self {
        let secrets = Secrets::open(&data_dir, try_keyring);
        let backend = Backend::start(&settings, &secrets, &data_dir).await.map_err(|e| {
            tracing::error!(error = %e, "the back end did not start");
            e.to_string()
        });
        Self {
            data_dir,
            secrets,
            settings: RwLock::new(settings),
            backend: RwLock::new(backend),
            streams: Mutex::new(HashMap::new()),
            http: std::sync::OnceLock::new(),
            dialogs,
            transferring: tokio::sync::Mutex::new(()),
            changing: tokio::sync::Mutex::new(()),
            wake_reminders: Arc::new(tokio::sync::Notify::new()),
        }
    }

    pub fn http(&self) -> &reqwest::Client {
        self.http.get_or_init(reqwest::Client::new)
    }

    pub async fn backend(&self) -> Result<Backend> {
        self.backend.read().await.clone().map_err(Error::Unavailable)
    }

    pub async fn replace_backend(&self, backend: Backend) {
        *self.backend.write().await = Ok(backend);
    }

    /// A new streaming request's stop switch, kept until it ends or is cancelled.
    pub fn track_stream(&self, request_id: &str) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        if let Ok(mut streams) = self.streams.lock() {
            streams.insert(request_id.to_owned(), tx);
        }
        rx
    }

    /// Forgets a stream's stop switch; returns it if the stream was still running.
    pub fn untrack_stream(&self, request_id: &str) -> Option<oneshot::Sender<()>> {
        self.streams
            .lock()
            .ok()
            .and_then(|mut streams| streams.remove(request_id))
    }

    /// The stored session token of the signed-in person.
    pub fn session_token(&self) -> Result<Secret> {
        self.secrets.get(secrets::SESSION_TOKEN)?.ok_or(Error::SignedOut)
    }
}
