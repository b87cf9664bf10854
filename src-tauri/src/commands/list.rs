// Every command the UI may call, listed once: lib.rs registers them
// (`generate_handler!`), build.rs gives each its `allow-<command>` permission,
// and src-tauri/src/bindings.rs writes their TypeScript (ui/src/bindings.ts)
// and checks the main window's capability against this list. Each entry is
// `module::command(argument: Type, ...) -> Ok type;`: the arguments the UI
// sends, in the order of the command's parameters after its State and
// AppHandle (the bindings' tests do not compile when they differ). The
// argument names, in camelCase, are the keys the UI sends: they must be the
// parameters' names, which only the IPC tests (tests/commands.rs) check.
app_commands! {
    auth::sign_up(email: String, name: String, password: String) -> SessionInfo;
    auth::sign_in(email: String, password: String) -> SessionInfo;
    auth::sign_out() -> ();
    auth::current_session() -> Option<SessionInfo>;
    auth::auth_token() -> AuthToken;
    chat::chatkit(request_id: String, authorization: Option<String>, body: String, events: Channel<ChatkitChunk>) -> ChatkitHead;
    chat::chatkit_cancel(request_id: String) -> ();
    tasks::tasks_list(status: StatusFilter, due: Option<DueFilter>, priority: Option<Priority>, query: Option<String>, sort: Option<Sort>, offset: Option<u32>) -> Vec<Task>;
    tasks::tasks_counts(status: StatusFilter, priority: Option<Priority>, query: Option<String>) -> DueCounts;
    tasks::task_add(title: String, description: Option<String>, due: Option<String>, priority: Option<Priority>) -> Task;
    tasks::task_update(id: TaskId, title: Option<String>, description: Option<String>) -> Task;
    tasks::task_schedule(id: TaskId, due: Option<String>, priority: Priority) -> Task;
    tasks::task_set_completed(id: TaskId, completed: bool) -> Task;
    tasks::task_delete(id: TaskId) -> ();
    settings::settings_get() -> Settings;
    settings::settings_set(settings: SettingsUpdate) -> Saved;
    settings::app_info() -> AppInfo;
    settings::open_logs_folder() -> ();
    quick_add::quick_add(text: String) -> QuickAdded;
    data::data_export(format: ExportFormat, progress: Channel<Progress>) -> Option<Exported>;
    data::data_export_conversation(thread_id: String) -> Option<Exported>;
    data::data_import(progress: Channel<Progress>) -> Option<Summary>;
}
