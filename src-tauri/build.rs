// Each app command gets its own `allow-<command>` permission; the capability
// file grants exactly the ones the UI uses.
const COMMANDS: &[&str] = &[
    "sign_up",
    "sign_in",
    "sign_out",
    "current_session",
    "auth_token",
    "chatkit",
    "chatkit_cancel",
    "tasks_list",
    "task_add",
    "task_update",
    "task_set_completed",
    "task_delete",
    "settings_get",
    "settings_set",
    "app_info",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(err) = tauri_build::try_build(attributes) {
        panic!("tauri build step failed: {err:#}");
    }
}
