//! Tasktalk's desktop shell: a thin Tauri transport over tasktalk-core.
//! Generic over the runtime so tests build the same app on the mock runtime.

#[cfg(test)]
mod bindings;
pub mod commands;
mod dialogs;
mod dmabuf;
mod error;
mod logs;
pub mod mcp;
mod reminders;
mod secrets;
mod settings;
mod shell;
mod state;

use std::path::PathBuf;

use tauri::{Manager, Runtime};
use tauri_plugin_store::StoreExt;

pub use dialogs::{Confirmation, Confirmer, FileChoice, FileKind, Picker};
pub use error::{Error, Result};

/// The variables [`Launch::from_env`] reads; `tasktalk mcp` must see the same ones.
pub const DATA_DIR_VARIABLE: &str = "TASKTALK_DATA_DIR";
pub const SECRET_STORE_VARIABLE: &str = "TASKTALK_SECRET_STORE";

/// Where the app keeps its data and secrets.
#[derive(Clone, Debug, Default)]
pub struct Launch {
    /// The database, settings and secrets file go here; default: the
    /// platform's app data folder.
    pub data_dir: Option<PathBuf>,
    /// Keep secrets in the private file even when an OS keyring answers.
    pub file_secrets: bool,
    /// Who confirms that a credential may go to a new server: the native
    /// dialog unless a test gives its own answer.
    pub confirm: Confirmer,
    /// Who picks the file an export writes or an import reads: the native
    /// file dialog unless a test gives its own answer.
    pub pick: Picker,
    /// The desktop shell: tray, reminders, quick add and its shortcut, the
    /// log file, the remembered window size. Off on the mock runtime, which
    /// has no tray or display.
    pub shell: bool,
}

impl Launch {
    /// `TASKTALK_DATA_DIR` (portable installs, tests) and
    /// `TASKTALK_SECRET_STORE=file` (headless machines, tests).
    pub fn from_env() -> Self {
        Self {
            data_dir: std::env::var_os(DATA_DIR_VARIABLE).map(PathBuf::from),
            file_secrets: std::env::var(SECRET_STORE_VARIABLE).as_deref() == Ok("file"),
            confirm: Confirmer::default(),
            pick: Picker::default(),
            shell: true,
        }
    }
}

/// The handler of every command in commands/list.rs.
macro_rules! app_commands {
    ($($module:ident::$command:ident($($arg:ident: $type:ty),*) -> $result:ty;)*) => {
        tauri::generate_handler![$(commands::$module::$command),*]
    };
}

/// The app on any runtime: plugins, state, commands.
pub fn builder<R: Runtime>(builder: tauri::Builder<R>, launch: Launch) -> tauri::Builder<R> {
    let builder = if launch.shell {
        // First, as it must be: a second start shows this app's window and exits.
        builder
            .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
                shell::show_main(app);
            }))
            .plugin(shell::window_state_plugin(launch.data_dir.as_deref()))
            .plugin(tauri_plugin_notification::init())
            .plugin(shell::shortcut_plugin())
            .on_window_event(shell::on_window_event)
    } else {
        builder
    };
    let builder = if launch.confirm.is_native() || launch.pick.is_native() {
        builder.plugin(tauri_plugin_dialog::init())
    } else {
        builder
    };
    builder
        .plugin(tauri_plugin_store::Builder::default().build())
        .plugin(tauri_plugin_opener::init())
        .setup(move |app| {
            let logs = logs::Logs::new(app.handle(), launch.data_dir.as_deref())?;
            if launch.shell {
                logs.start(app.handle());
            }
            let dir = match launch.data_dir.clone() {
                Some(dir) => dir,
                None => app.path().app_data_dir()?,
            };
            // The folder holds only Tasktalk's files (database, settings,
            // secrets): private to this user, however it was created.
            tasktalk_core::private::create_dir(&dir)?;
            match tasktalk_core::private::restrict(&dir) {
                Ok(false) => {}
                Ok(true) => tracing::warn!(folder = %dir.display(), "other accounts could open the data folder; now only its owner can"),
                Err(err) => tracing::warn!(folder = %dir.display(), error = %err, "could not make the data folder private"),
            }
            let store = app.store(dir.join(settings::STORE_FILE))?;
            let saved = store
                .get(settings::STORE_KEY)
                .and_then(|value| serde_json::from_value::<settings::Settings>(value).ok())
                .unwrap_or_default();
            logs.set_level(saved.log_level);
            app.manage(logs);
            let dialogs = state::Dialogs {
                confirm: launch.confirm.resolve(app.handle()),
                files: launch.pick.resolve(app.handle()),
            };
            let state = tauri::async_runtime::block_on(state::AppState::start(dir, saved.clone(), !launch.file_secrets, dialogs));
            app.manage(state);
            if launch.shell {
                // Without a tray (no StatusNotifier host, no appindicator
                // library) the app still runs, as an ordinary window.
                if let Err(err) = shell::start(app.handle(), &saved) {
                    tracing::warn!(error = %err, "no system tray: closing the window quits Tasktalk");
                }
                reminders::start(app.handle());
            }
            Ok(())
        })
        .invoke_handler(include!("commands/list.rs"))
}

/// Starts the desktop app.
pub fn run() {
    dmabuf::apply();
    let app = builder(tauri::Builder::default(), Launch::from_env()).run(tauri::generate_context!());
    if let Err(err) = app {
        tracing::error!(error = %err, "Tasktalk stopped with an error");
        std::process::exit(1);
    }
}
