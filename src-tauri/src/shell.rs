//! The desktop shell around the windows: the system tray (Open, Quick add,
//! Quit), the main window hiding instead of closing so reminders keep
//! firing, its size and place remembered, the quick-add window and its
//! global shortcut.
//!
//! Only the real app installs it ([`crate::Launch::shell`]): the mock runtime
//! of the command tests has no tray, display or shortcut manager.

use std::path::Path;
use std::str::FromStr;

use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder, Window, WindowEvent};
use tauri_plugin_global_shortcut::{Shortcut, ShortcutState};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

use crate::settings::Settings;

pub const MAIN: &str = "main";
/// The quick-add window's label, which its capability names.
pub const QUICK_ADD: &str = "quick-add";

const TRAY: &str = "tasktalk";
/// What is remembered of the main window. Not whether it is shown: it may
/// have been in the tray when the app quit, and it opens shown.
const WINDOW_STATE: StateFlags = StateFlags::SIZE
    .union(StateFlags::POSITION)
    .union(StateFlags::MAXIMIZED);
/// Beside the data when a data folder is given (tests, portable installs);
/// else the plugin's file in the platform's config folder.
const WINDOW_STATE_FILE: &str = "window-state.json";

/// The main window's size, position and maximised state, restored at start
/// and saved at quit and when the window goes to the tray. The quick-add
/// window keeps its fixed size, centred.
pub fn window_state_plugin<R: Runtime>(data_dir: Option<&Path>) -> tauri::plugin::TauriPlugin<R> {
    let builder = tauri_plugin_window_state::Builder::new()
        .with_state_flags(WINDOW_STATE)
        .with_denylist(&[QUICK_ADD]);
    // The plugin joins the name to its folder: an absolute path replaces it.
    let builder = match data_dir.and_then(|dir| dir.join(WINDOW_STATE_FILE).to_str().map(str::to_owned)) {
        Some(file) => builder.with_filename(file),
        None => builder,
    };
    builder.build()
}
const OPEN: &str = "open";
const QUIT: &str = "quit";

/// The plugin that calls [`show_quick_add`] when the shortcut is pressed.
pub fn shortcut_plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_global_shortcut::Builder::new()
        .with_handler(|app, _shortcut, event| {
            if event.state() == ShortcutState::Pressed {
                show_quick_add(app);
            }
        })
        .build()
}

/// The shortcut of `settings`, and the tray.
pub fn start<R: Runtime>(app: &AppHandle<R>, settings: &Settings) -> tauri::Result<()> {
    register_shortcut(app, None, &settings.quick_add_shortcut);
    let open = MenuItem::with_id(app, OPEN, "Open Tasktalk", true, None::<&str>)?;
    let quick_add = MenuItem::with_id(app, QUICK_ADD, "Quick add…", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, QUIT, "Quit Tasktalk", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &quick_add, &quit])?;
    let mut tray = TrayIconBuilder::with_id(TRAY)
        .tooltip("Tasktalk")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id().as_ref() {
            OPEN => show_main(app),
            QUICK_ADD => show_quick_add(app),
            QUIT => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    Ok(())
}

/// The main window hides instead of closing: the app stays in the tray,
/// where Quit ends it. The quick-add window hides too, to open fast next time.
/// Without a tray (it could not be made) closing works as usual, or nothing
/// could bring the window back or end the app.
pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    if let WindowEvent::CloseRequested { api, .. } = event
        && window.app_handle().tray_by_id(TRAY).is_some()
    {
        api.prevent_close();
        // The plugin saves only at quit, which a logout or a kill skips.
        if window.label() == MAIN
            && let Err(err) = window.app_handle().save_window_state(WINDOW_STATE)
        {
            tracing::warn!(error = %err, "could not save the window's size and position");
        }
        if let Err(err) = window.hide() {
            tracing::warn!(window = window.label(), error = %err, "could not hide a window");
        }
        if window.label() == MAIN {
            tracing::info!("the window was closed; Tasktalk keeps running in the tray");
        }
    }
}

/// Swaps the quick-add shortcut for a new one (`old` is `None` at the start).
/// A shortcut another program holds, or a desktop without global shortcuts
/// (Wayland), leaves the tray's Quick add as the way in.
pub fn register_shortcut<R: Runtime>(app: &AppHandle<R>, old: Option<&str>, new: &str) {
    let Some(shortcuts) = app.try_state::<tauri_plugin_global_shortcut::GlobalShortcut<R>>() else {
        return;
    };
    let (old, new) = (old.map(str::trim), new.trim());
    if old == Some(new) {
        return;
    }
    if let Some(old) = old.filter(|old| !old.is_empty())
        && let Err(err) = shortcuts.unregister(old)
    {
        tracing::warn!(shortcut = old, error = %err, "could not release the old quick-add shortcut");
    }
    if new.is_empty() {
        return;
    }
    match shortcuts.register(new) {
        Ok(()) => tracing::info!(shortcut = new, "quick-add shortcut registered"),
        Err(err) => tracing::warn!(shortcut = new, error = %err, "could not register the quick-add shortcut"),
    }
}

/// Whether `text` is a shortcut the global-shortcut plugin accepts
/// ("CommandOrControl+Alt+N"); empty means none.
pub fn check_shortcut(text: &str) -> std::result::Result<(), String> {
    if text.trim().is_empty() {
        return Ok(());
    }
    Shortcut::from_str(text.trim())
        .map(|_| ())
        .map_err(|e| format!("\"{text}\" is not a shortcut ({e}). Write it like CommandOrControl+Alt+N."))
}

pub fn show_main<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let shown = window
            .show()
            .and_then(|()| window.unminimize())
            .and_then(|()| window.set_focus());
        if let Err(err) = shown {
            tracing::warn!(error = %err, "could not show the main window");
        }
    }
}

/// Shows the quick-add window, made on first use.
pub fn show_quick_add<R: Runtime>(app: &AppHandle<R>) {
    let window = match app.get_webview_window(QUICK_ADD) {
        Some(window) => Ok(window),
        None => WebviewWindowBuilder::new(app, QUICK_ADD, WebviewUrl::App("quick-add.html".into()))
            .title("Tasktalk quick add")
            .inner_size(560.0, 132.0)
            .resizable(false)
            .always_on_top(true)
            .skip_taskbar(true)
            .center()
            .build(),
    };
    let shown = window.and_then(|window| window.show().and_then(|()| window.set_focus()));
    if let Err(err) = shown {
        tracing::warn!(error = %err, "could not open the quick-add window");
    }
}
