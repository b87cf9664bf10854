//! The settings page: read and change the settings, and what the app runs on.

use serde::Serialize;
use tasktalk_core::Secret;
use tasktalk_core::token::TokenConfig;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_store::StoreExt;

use crate::error::{Error, Result};
use crate::secrets::{self, SESSION_TOKEN};
use crate::settings::{STORE_FILE, STORE_KEY, Settings, SettingsUpdate};
use crate::state::{AppState, Backend};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Saved {
    settings: Settings,
    restart_required: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    version: String,
    database: String,
    secret_storage: &'static str,
    secret_storage_detail: String,
    provider: String,
    data_dir: String,
}

/// The settings as the page shows them: whether a key is stored, never the key.
fn shown(state: &AppState, mut settings: Settings) -> Result<Settings> {
    settings.provider.api_key_set = state.secrets.get(secrets::API_KEY)?.is_some();
    Ok(settings)
}

#[tauri::command]
pub async fn settings_get(state: State<'_, AppState>) -> Result<Settings> {
    let settings = state.settings.read().await.clone();
    shown(&state, settings)
}

/// Checks the new settings by starting the core with them; only if that works
/// are they saved and put in use, so a mistake never leaves the app broken.
#[tauri::command]
pub async fn settings_set<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    settings: SettingsUpdate,
) -> Result<Saved> {
    let SettingsUpdate {
        settings: new,
        api_key,
        database_password,
        better_auth_secret,
    } = settings;
    new.validate()?;
    if let Some(secret) = better_auth_secret.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        TokenConfig::new(Secret::new(secret))
            .check_secret()
            .map_err(|e| Error::Settings(e.to_string()))?;
    }
    let written = [
        (secrets::API_KEY, api_key),
        (secrets::DATABASE_PASSWORD, database_password),
        (secrets::BETTER_AUTH_SECRET, better_auth_secret),
    ];
    // The secrets must be stored for the trial start to read them; what they
    // were is kept so a failed change can put them back.
    let mut previous = Vec::new();
    for (name, value) in &written {
        if let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            previous.push((*name, state.secrets.get(name)?));
            state.secrets.set(name, value)?;
        }
    }
    let applied = async {
        let backend = Backend::start(&new, &state.secrets, &state.data_dir).await?;
        let store = app
            .store(state.data_dir.join(STORE_FILE))
            .map_err(|e| Error::Settings(e.to_string()))?;
        store.set(
            STORE_KEY,
            serde_json::to_value(&new).map_err(|e| Error::Settings(e.to_string()))?,
        );
        store
            .save()
            .map_err(|e| Error::Settings(format!("could not save the settings: {e}")))?;
        Ok::<_, Error>(backend)
    }
    .await;
    let backend = match applied {
        Ok(backend) => backend,
        Err(err) => {
            restore(&state, previous);
            return Err(err);
        }
    };
    let old = state.settings.read().await.clone();
    // A different database does not know this session.
    if old.database != new.database {
        state.secrets.delete(SESSION_TOKEN)?;
    }
    state.replace_backend(backend).await;
    *state.settings.write().await = new.clone();
    tracing::info!("settings changed and applied");
    Ok(Saved {
        settings: shown(&state, new)?,
        restart_required: false,
    })
}

/// Puts secrets back as they were before a change that failed.
fn restore(state: &AppState, previous: Vec<(&str, Option<Secret>)>) {
    for (name, value) in previous {
        let restored = match value {
            Some(value) => state.secrets.set(name, value.expose()),
            None => state.secrets.delete(name),
        };
        if let Err(err) = restored {
            tracing::error!(secret = name, error = %err, "could not restore a secret after a failed settings change");
        }
    }
}

#[tauri::command]
pub async fn app_info<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Result<AppInfo> {
    let (database, provider) = match state.backend().await {
        Ok(backend) => (backend.database_label, backend.provider_label),
        Err(err) => (err.to_string(), "unavailable".into()),
    };
    let (secret_storage, secret_storage_detail) = state.secrets.describe();
    Ok(AppInfo {
        version: app.package_info().version.to_string(),
        database,
        secret_storage,
        secret_storage_detail,
        provider,
        data_dir: state.data_dir.display().to_string(),
    })
}
