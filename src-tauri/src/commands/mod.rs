//! The Tauri commands: each parses its input, calls the core, maps the result.
//! The contract is in docs/ipc.md.

pub mod auth;
pub mod chat;
pub mod data;
pub mod quick_add;
pub mod settings;
pub mod tasks;

use tauri::{Emitter, Manager, Runtime};

use crate::state::AppState;

/// Tells the UI the signed-in user's tasks changed, and the reminder
/// scheduler, whose next reminder may have changed with them.
pub fn tasks_changed<R: Runtime>(app: &tauri::AppHandle<R>) {
    if let Err(err) = app.emit("tasks-changed", ()) {
        tracing::warn!(error = %err, "could not announce a task change");
    }
    if let Some(state) = app.try_state::<AppState>() {
        state.wake_reminders.notify_one();
    }
}
