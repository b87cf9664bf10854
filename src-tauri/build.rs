// Each app command gets its own `allow-<command>` permission; the capability
// file grants exactly the ones the UI uses (checked by the bindings test).
macro_rules! app_commands {
    ($($module:ident::$command:ident($($arg:ident: $type:ty),*) -> $result:ty;)*) => {
        &[$(stringify!($command)),*]
    };
}
const COMMANDS: &[&str] = include!("src/commands/list.rs");

#[allow(clippy::print_stdout)] // Cargo reads a build script's instructions from its output.
fn main() {
    println!("cargo::rerun-if-changed=src-tauri/src/commands/list.rs");
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(err) = tauri_build::try_build(attributes) {
        panic!("tauri build step failed: {err:#}");
    }
}
