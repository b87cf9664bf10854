// Generated from src-tauri/src/commands/list.rs and the commands' Rust types
// (src-tauri/src/bindings.rs): do not edit. Regenerate with
// TASKTALK_WRITE_BINDINGS=1 cargo test -p tasktalk --lib bindings

import type { Channel } from "@tauri-apps/api/core";

export type AppInfo = { version: string, database: string, secretStorage: string, secretStorageDetail: string, provider: string, dataDir: string, 
/**
 * What to paste into an MCP client to give it these tasks (`tasktalk mcp`).
 */
mcpClientConfig: string, 
/**
 * Where the log files are (Settings → Open logs folder).
 */
logsDir: string, };

export type AuthToken = { token: string, expiresAt: Timestamp, };

export type ChatBackend = { "kind": "local" } | { "kind": "remote", url: string, };

/**
 * One message on the events channel: a server-sent event's JSON, or the end.
 */
export type ChatkitChunk = { "kind": "frame", data: string, } | { "kind": "end" };

export type ChatkitHead = { status: number, contentType: string, body: string | null, };

export type DatabaseSetting = { "kind": "sqlite" } | { "kind": "postgres", url: string, };

/**
 * How many tasks each due filter of the panel holds.
 */
export type DueCounts = { all: number, overdue: number, today: number, week: number, none: number, };

/**
 * Tasks by when they are due, in the calendar's zone. `Week` is today and
 * the six days after it; `Overdue` is a timed due before now or a date
 * before today, on open tasks only.
 */
export type DueFilter = "overdue" | "today" | "tomorrow" | "week" | "none";

/**
 * What went wrong, for the UI to branch on: every kind a command can reject
 * with, in the core's SCREAMING_SNAKE_CASE codes.
 */
export type ErrorKind = "INVALID_EMAIL" | "INVALID_NAME" | "INVALID_PASSWORD" | "USER_ALREADY_EXISTS" | "INVALID_EMAIL_OR_PASSWORD" | "TOO_MANY_ATTEMPTS" | "USER_NOT_FOUND" | "MISSING_SECRET" | "SECRET_TOO_SHORT" | "INVALID_TOKEN" | "INVALID_TITLE" | "INVALID_REQUEST" | "TASK_NOT_FOUND" | "INTERNAL" | "DATABASE" | "SESSION_EXPIRED" | "SIGNED_OUT" | "SETTINGS" | "SECRETS" | "UNAVAILABLE" | "REMOTE" | "CONFIRMATION_DECLINED" | "OPEN_FAILED" | "IMPORT_TOO_LARGE" | "IMPORT_INVALID" | "IMPORT_VERSION" | "EXPORT_TOO_LARGE" | "CONVERSATION_NOT_FOUND" | "FILE_FAILED" | "BUSY";

/**
 * What Settings → Data exports.
 */
export type ExportFormat = "json" | "markdown";

/**
 * Where an export was written.
 */
export type Exported = { path: string, bytes: number, };

/**
 * Which algorithm new tokens are signed with.
 */
export type JwtMode = "hs256" | "eddsa";

/**
 * How much Tasktalk writes to its log (the setting).
 */
export type LogLevel = "error" | "warn" | "info" | "debug" | "trace";

/**
 * How much a task matters. Stored as 1 (low) to 3 (high), NULL for none.
 */
export type Priority = "none" | "low" | "medium" | "high";

/**
 * How far a long export or import is: `done` of `total` units (tasks and
 * conversations for an export, tasks and items for an import).
 */
export type Progress = { done: number, total: number, };

/**
 * Which service answers. The serde names are stored in the desktop settings
 * file and taken by the server's `--provider`: they never change.
 */
export type ProviderKind = "offline" | "openai" | "gemini" | "openai-compatible";

export type ProviderSetting = { kind: ProviderKind, model: string | null, baseUrl: string | null, 
/**
 * Filled in when read; never stored.
 */
apiKeySet: boolean, };

export type QuickAdded = { 
/**
 * How many tasks the line added.
 */
added: number, 
/**
 * The assistant's answer, e.g. `Added "call mom" (due tomorrow at 17:00).`
 */
reply: string, };

export type Saved = { settings: Settings, 
/**
 * The stored API key was deleted: the provider's server changed and no
 * key was entered with the change.
 */
apiKeyDropped: boolean, };

export type SessionInfo = { user: User, };

export type Settings = { database: DatabaseSetting, provider: ProviderSetting, jwtMode: JwtMode, chatkitDomainKey: string, chatBackend: ChatBackend, 
/**
 * Native notifications at the tasks' reminder times.
 */
reminders: boolean, 
/**
 * The global shortcut that opens the quick-add window; empty: none.
 */
quickAddShortcut: string, 
/**
 * How much goes to the log file; `RUST_LOG`, when set, decides instead.
 */
logLevel: LogLevel, };

/**
 * What the settings page sends: the settings plus write-only secrets.
 */
export type SettingsUpdate = { apiKey?: string, databasePassword?: string, betterAuthSecret?: string, database: DatabaseSetting, provider: ProviderSetting, jwtMode: JwtMode, chatkitDomainKey: string, chatBackend: ChatBackend, 
/**
 * Native notifications at the tasks' reminder times.
 */
reminders: boolean, 
/**
 * The global shortcut that opens the quick-add window; empty: none.
 */
quickAddShortcut: string, 
/**
 * How much goes to the log file; `RUST_LOG`, when set, decides instead.
 */
logLevel: LogLevel, };

/**
 * The order of a list. `Created` is newest first; `Due` soonest first, tasks
 * without a due last; `Priority` highest first, then by due.
 */
export type Sort = "created" | "due" | "priority";

export type StatusFilter = "all" | "pending" | "completed";

/**
 * What an import added and what it found already there.
 */
export type Summary = { tasks_added: number, tasks_skipped: number, conversations_added: number, conversations_skipped: number, items_added: number, };

/**
 * A task as stored. A date-only due is `due_at` at 00:00:00 UTC with
 * `due_all_day` (see [`Task::due`]); `completed_at` is set only while completed.
 */
export type Task = { id: number, title: string, description: string | null, completed: boolean, created_at: Timestamp, updated_at: Timestamp, due_at: Timestamp | null, due_all_day: boolean, priority: Priority, remind_at: Timestamp | null, completed_at: Timestamp | null, };

/**
 * Millisecond precision, as JavaScript (and so Better Auth) keeps it.
 */
export type Timestamp = string;

/**
 * A row of Better Auth's `user` table; serialises as Better Auth does.
 */
export type User = { id: string, name: string, email: string, emailVerified: boolean, image: string | null, createdAt: Timestamp, updatedAt: Timestamp, };

/** The name of every command the UI may call. */
export type Command = "sign_up" | "sign_in" | "sign_out" | "current_session" | "auth_token" | "chatkit" | "chatkit_cancel" | "tasks_list" | "tasks_counts" | "task_add" | "task_update" | "task_schedule" | "task_set_completed" | "task_delete" | "settings_get" | "settings_set" | "app_info" | "open_logs_folder" | "quick_add" | "data_export" | "data_export_conversation" | "data_import";

/** Every provider, in the order the settings page lists them (core's `ProviderKind::ALL`). */
export const PROVIDERS: readonly { kind: ProviderKind; label: string; modelHint: string }[] = [
  { kind: "offline", label: "Offline assistant (no network, no key)", modelHint: "" },
  { kind: "openai", label: "OpenAI", modelHint: "e.g. gpt-4o-mini" },
  { kind: "gemini", label: "Google Gemini", modelHint: "e.g. gemini-2.0-flash" },
  { kind: "openai-compatible", label: "OpenAI-compatible server (Ollama, LM Studio…)", modelHint: "e.g. llama3.1" },
];

/** Sends one command and resolves to its result. */
export type Call = <T>(command: Command, args?: Record<string, unknown>) => Promise<T>;

/** Every command as a typed function over `call`. */
export function commands(call: Call) {
  return {
    signUp: (email: string, name: string, password: string) => call<SessionInfo>("sign_up", { email, name, password }),
    signIn: (email: string, password: string) => call<SessionInfo>("sign_in", { email, password }),
    signOut: () => call<null>("sign_out"),
    currentSession: () => call<SessionInfo | null>("current_session"),
    authToken: () => call<AuthToken>("auth_token"),
    chatkit: (requestId: string, authorization: string | null, body: string, events: Channel<ChatkitChunk>) => call<ChatkitHead>("chatkit", { requestId, authorization, body, events }),
    chatkitCancel: (requestId: string) => call<null>("chatkit_cancel", { requestId }),
    tasksList: (status: StatusFilter, due: DueFilter | null, priority: Priority | null, query: string | null, sort: Sort | null, offset: number | null) => call<Array<Task>>("tasks_list", { status, due, priority, query, sort, offset }),
    tasksCounts: (status: StatusFilter, priority: Priority | null, query: string | null) => call<DueCounts>("tasks_counts", { status, priority, query }),
    taskAdd: (title: string, description: string | null, due: string | null, priority: Priority | null) => call<Task>("task_add", { title, description, due, priority }),
    taskUpdate: (id: number, title: string | null, description: string | null) => call<Task>("task_update", { id, title, description }),
    taskSchedule: (id: number, due: string | null, priority: Priority) => call<Task>("task_schedule", { id, due, priority }),
    taskSetCompleted: (id: number, completed: boolean) => call<Task>("task_set_completed", { id, completed }),
    taskDelete: (id: number) => call<null>("task_delete", { id }),
    settingsGet: () => call<Settings>("settings_get"),
    settingsSet: (settings: SettingsUpdate) => call<Saved>("settings_set", { settings }),
    appInfo: () => call<AppInfo>("app_info"),
    openLogsFolder: () => call<null>("open_logs_folder"),
    quickAdd: (text: string) => call<QuickAdded>("quick_add", { text }),
    dataExport: (format: ExportFormat, progress: Channel<Progress>) => call<Exported | null>("data_export", { format, progress }),
    dataExportConversation: (threadId: string) => call<Exported | null>("data_export_conversation", { threadId }),
    dataImport: (progress: Channel<Progress>) => call<Summary | null>("data_import", { progress }),
  };
}
