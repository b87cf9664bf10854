//! The Tauri commands: each parses its input, calls the core, maps the result.
//! The contract is in docs/ipc.md.

pub mod auth;
pub mod chat;
pub mod settings;
pub mod tasks;

use tauri::{Emitter, Runtime};

/// Tells the UI the signed-in user's tasks changed.
pub fn tasks_changed<R: Runtime>(app: &tauri::AppHandle<R>) {
    if let Err(err) = app.emit("tasks-changed", ()) {
        tracing::warn!(error = %err, "could not announce a task change");
    }
}
