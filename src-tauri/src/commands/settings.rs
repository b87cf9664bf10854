//! The settings page: read and change the settings, and what the app runs on.

use serde::Serialize;
use tasktalk_core::Secret;
use tasktalk_core::token::TokenConfig;
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_opener::OpenerExt;
use tauri_plugin_store::StoreExt;

use crate::dialogs::Confirmation;
use crate::error::{Error, Result};
use crate::logs::Logs;
use crate::secrets::{self, SESSION_TOKEN};
use crate::settings::{STORE_FILE, STORE_KEY, Settings, SettingsUpdate};
use crate::state::{AppState, Backend};

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Saved {
    settings: Settings,
    /// The stored API key was deleted: the provider's server changed and no
    /// key was entered with the change.
    api_key_dropped: bool,
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    version: String,
    database: String,
    secret_storage: &'static str,
    secret_storage_detail: String,
    provider: String,
    data_dir: String,
    /// What to paste into an MCP client to give it these tasks (`tasktalk mcp`).
    mcp_client_config: String,
    /// Where the log files are (Settings → Open logs folder).
    logs_dir: String,
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
/// A stored credential that would go to a new server needs the person's
/// answer in a native dialog first (any script in the web view may call
/// this); a stored API key does not follow the provider to a new server.
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
    let entered = |value: Option<String>| value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let (api_key, database_password) = (entered(api_key), entered(database_password));
    let _one_change_at_a_time = state.changing.lock().await;
    let old = state.settings.read().await.clone();
    for question in questions(&state, &old, &new, database_password.is_some())? {
        if !state.dialogs.confirm.ask(&question).await {
            tracing::warn!(destination = %question.destination, "declined: a stored credential would have gone to a new server");
            return Err(Error::ConfirmationDeclined(question));
        }
    }
    let api_key_dropped = api_key.is_none()
        && old.api_key_destination() != new.api_key_destination()
        && state.secrets.get(secrets::API_KEY)?.is_some();
    // `None` deletes. The secrets must be stored for the trial start to read
    // them; what they were is kept so a failed change can put them back.
    let mut written = vec![
        (secrets::DATABASE_PASSWORD, database_password),
        (secrets::BETTER_AUTH_SECRET, entered(better_auth_secret)),
    ];
    written.retain(|(_, value)| value.is_some());
    if api_key.is_some() || api_key_dropped {
        written.push((secrets::API_KEY, api_key));
    }
    let mut previous = Vec::new();
    for (name, value) in &written {
        previous.push((*name, state.secrets.get(name)?));
        match value {
            Some(value) => state.secrets.set(name, value)?,
            None => state.secrets.delete(name)?,
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
    // A different database does not know this session.
    if old.database != new.database {
        state.secrets.delete(SESSION_TOKEN)?;
    }
    state.replace_backend(backend).await;
    *state.settings.write().await = new.clone();
    crate::shell::register_shortcut(&app, Some(&old.quick_add_shortcut), &new.quick_add_shortcut);
    if let Some(logs) = app.try_state::<Logs>() {
        logs.set_level(new.log_level);
    }
    state.wake_reminders.notify_one();
    tracing::info!(api_key_dropped, "settings changed and applied");
    Ok(Saved {
        settings: shown(&state, new)?,
        api_key_dropped,
    })
}

/// What the person must allow: each stored credential that the new settings
/// would send to a server the old ones did not send it to. A database
/// password typed with the change is not a stored one.
fn questions(state: &AppState, old: &Settings, new: &Settings, password_entered: bool) -> Result<Vec<Confirmation>> {
    let mut questions = Vec::new();
    if let Some(destination) = new.token_destination()
        && old.token_destination().as_ref() != Some(&destination)
    {
        questions.push(Confirmation {
            credential: "your sign-in token (JWT)",
            destination,
        });
    }
    if let Some(destination) = new.database_password_destination()
        && old.database_password_destination().as_ref() != Some(&destination)
        && !password_entered
        && state.secrets.get(secrets::DATABASE_PASSWORD)?.is_some()
    {
        questions.push(Confirmation {
            credential: "your database password",
            destination,
        });
    }
    Ok(questions)
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
        mcp_client_config: crate::mcp::client_config(),
        logs_dir: logs_folder(&app)?.display().to_string(),
    })
}

fn logs_folder<R: Runtime>(app: &AppHandle<R>) -> Result<std::path::PathBuf> {
    app.try_state::<Logs>()
        .map(|logs| logs.folder.clone())
        .ok_or_else(|| Error::Unavailable("the log is not set up yet.".into()))
}

/// Shows the logs folder in the system's file manager, to attach a log to a
/// bug report. The web view names no path: it is the app's own folder.
#[tauri::command]
pub async fn open_logs_folder<R: Runtime>(app: AppHandle<R>) -> Result<()> {
    let folder = logs_folder(&app)?;
    // The log file may not exist yet (a logger that only writes to stderr).
    tasktalk_core::private::create_dir(&folder).map_err(|e| Error::OpenFailed(format!("{}: {e}", folder.display())))?;
    app.opener()
        .open_path(folder.display().to_string(), None::<&str>)
        .map_err(|e| Error::OpenFailed(format!("{}: {e}", folder.display())))
}
