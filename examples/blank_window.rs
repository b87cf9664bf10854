//! An empty Tauri window built from this workspace: the floor that
//! `scripts/measure.sh` compares Tasktalk's start time and memory against.

fn main() {
    let app = tauri::Builder::default().run(tauri::generate_context!("examples/blank-window/tauri.conf.json"));
    if let Err(err) = app {
        tracing::error!(error = %err, "the blank window failed");
        std::process::exit(1);
    }
}
