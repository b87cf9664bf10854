//! `tasktalk mcp`: the signed-in person's tasks over MCP on stdin/stdout,
//! with the session the app keeps (keyring or file), so an MCP client's
//! configuration is only this command. No window opens; logs go to stderr,
//! since stdout is the protocol.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use tasktalk_core::mcp::TaskServer;

use crate::error::Error;
use crate::secrets::{self, Secrets};
use crate::settings::{STORE_FILE, STORE_KEY, Settings};
use crate::state::Backend;
use crate::{DATA_DIR_VARIABLE, Launch, SECRET_STORE_VARIABLE};

/// The first argument that selects this mode instead of the window.
pub const SUBCOMMAND: &str = "mcp";

#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error("this system reports no data folder; set TASKTALK_DATA_DIR")]
    NoDataFolder,
    #[error("not signed in: sign in in the Tasktalk app, then start this again")]
    SignedOut,
    #[error("{0}")]
    App(#[from] Error),
    #[error(transparent)]
    Mcp(#[from] tasktalk_core::mcp::Error),
    #[error("could not start: {0}")]
    Runtime(#[from] std::io::Error),
}

/// Serves until the client closes stdin. A missing or ended session is one
/// line on stderr and exit code 1, before any MCP is spoken.
pub fn run() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let served = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Failure::from)
        .and_then(|runtime| runtime.block_on(serve(Launch::from_env())));
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // The one line an MCP client shows when the server does not start.
            let _ = writeln!(std::io::stderr().lock(), "tasktalk mcp: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(launch: Launch) -> Result<(), Failure> {
    let dir = match launch.data_dir {
        Some(dir) => dir,
        None => tasktalk_core::db::app_data_dir().ok_or(Failure::NoDataFolder)?,
    };
    let settings = saved_settings(dir.join(STORE_FILE));
    let secrets = Secrets::open(&dir, !launch.file_secrets);
    let token = secrets.get(secrets::SESSION_TOKEN)?.ok_or(Failure::SignedOut)?;
    let services = Backend::start(&settings, &secrets, &dir).await?.services;
    let signed = services.accounts.session(token.expose()).await.map_err(Error::from)?;
    tracing::info!(user_id = %signed.user.id, "serving MCP on stdio");
    TaskServer::for_session(services.tasks, services.accounts, token.expose())
        .serve_stdio()
        .await?;
    Ok(())
}

/// An MCP client's configuration (the `mcpServers` of Claude Desktop, Jan
/// and others) that starts this binary as `tasktalk mcp` with the variables
/// this app was started with, so it finds the same data and secrets.
pub fn client_config() -> String {
    // Inside an AppImage the binary's own path is a mount that is gone once the app quits.
    let command = std::env::var_os("APPIMAGE")
        .map(PathBuf::from)
        .or_else(|| std::env::current_exe().ok())
        .map_or_else(|| "tasktalk".to_owned(), |path| path.display().to_string());
    let env: serde_json::Map<String, serde_json::Value> = [DATA_DIR_VARIABLE, SECRET_STORE_VARIABLE]
        .into_iter()
        .filter_map(|name| std::env::var(name).ok().map(|value| (name.to_owned(), value.into())))
        .collect();
    let mut server = serde_json::json!({"command": command, "args": [SUBCOMMAND]});
    if !env.is_empty() {
        server["env"] = env.into();
    }
    let config = serde_json::json!({"mcpServers": {"tasktalk": server}});
    serde_json::to_string_pretty(&config).unwrap_or_default()
}

/// The settings the app saved (tauri-plugin-store's file: `{"settings": …}`);
/// the defaults when there are none yet, as the app itself starts.
fn saved_settings(file: PathBuf) -> Settings {
    let saved = std::fs::read(&file)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .and_then(|mut store| serde_json::from_value(store[STORE_KEY].take()).ok());
    saved.unwrap_or_default()
}
