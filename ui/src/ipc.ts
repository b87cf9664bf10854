// Typed wrappers for the Tauri commands of docs/ipc.md.
//
// Every command rejects with `{kind, message}`; `call` turns that (or any other
// rejection) into an `IpcError` so the UI can branch on `kind` and show `message`.

import { Channel, invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";

export type User = {
  id: string;
  name: string;
  email: string;
  emailVerified: boolean;
  image: string | null;
  createdAt: string;
  updatedAt: string;
};
export type SessionInfo = { user: User };
export type Task = {
  id: number;
  title: string;
  description: string | null;
  completed: boolean;
  created_at: string;
  updated_at: string;
};
export type StatusFilter = "all" | "pending" | "completed";
export type ProviderKind = "offline" | "openai" | "gemini" | "openai-compatible";
export type Settings = {
  database: { kind: "sqlite" } | { kind: "postgres"; url: string };
  provider: { kind: ProviderKind; model: string | null; baseUrl: string | null; apiKeySet: boolean };
  jwtMode: "hs256" | "eddsa";
  chatkitDomainKey: string;
  chatBackend: { kind: "local" } | { kind: "remote"; url: string };
};
export type SettingsUpdate = Settings & { apiKey?: string; databasePassword?: string; betterAuthSecret?: string };
/** `apiKeyDropped`: the provider's server changed and no key was entered, so the saved one was deleted. */
export type SettingsSetResult = { settings: Settings; apiKeyDropped: boolean };
export type AppInfo = {
  version: string;
  database: string;
  secretStorage: "keyring" | "file";
  secretStorageDetail: string;
  provider: string;
  dataDir: string;
};
export type AuthToken = { token: string; expiresAt: string };
export type ChatkitChunk = { kind: "frame"; data: string } | { kind: "end" };
export type ChatkitResult = { status: number; contentType: string; body: string | null };

/** A command failure: `kind` is a stable code, `message` a sentence to show as is. */
export class IpcError extends Error {
  readonly kind: string;
  constructor(kind: string, message: string) {
    super(message);
    this.name = "IpcError";
    this.kind = kind;
  }
}

/** Normalises anything a command can reject with into an `IpcError`. */
export function toIpcError(error: unknown): IpcError {
  if (error instanceof IpcError) return error;
  if (error && typeof error === "object") {
    const { kind, message } = error as { kind?: unknown; message?: unknown };
    if (typeof message === "string") {
      return new IpcError(typeof kind === "string" ? kind : "unknown", message);
    }
  }
  if (typeof error === "string" && error) return new IpcError("unknown", error);
  return new IpcError("unknown", "Something went wrong. Please try again.");
}

/** Error kinds that mean "the session is gone: sign in again". */
export const SESSION_ENDED_KINDS: ReadonlySet<string> = new Set([
  "session_expired",
  "unauthorized",
  "signed_out",
]);

export function isSessionEnded(error: unknown): boolean {
  return error instanceof IpcError && SESSION_ENDED_KINDS.has(error.kind);
}

type SessionEndedListener = () => void;
const sessionEndedListeners = new Set<SessionEndedListener>();

/**
 * Called whenever a command (other than sign-in/up and `current_session`, whose
 * callers handle it) fails because the session ended.
 */
export function onSessionEnded(cb: SessionEndedListener): () => void {
  sessionEndedListeners.add(cb);
  return () => {
    sessionEndedListeners.delete(cb);
  };
}

/** Tells the listeners that the session ended (also used by the chat transport on 401). */
export function notifySessionEnded(): void {
  for (const cb of sessionEndedListeners) cb();
}

const QUIET_COMMANDS = new Set(["sign_in", "sign_up", "sign_out", "current_session", "auth_token"]);

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    const error = toIpcError(e);
    if (!QUIET_COMMANDS.has(command) && SESSION_ENDED_KINDS.has(error.kind)) notifySessionEnded();
    throw error;
  }
}

// --- auth ---
export const signUp = (email: string, name: string, password: string) =>
  call<SessionInfo>("sign_up", { email, name, password });
export const signIn = (email: string, password: string) => call<SessionInfo>("sign_in", { email, password });
export const signOut = () => call<null>("sign_out");
export const currentSession = () => call<SessionInfo | null>("current_session");
export const authToken = () => call<AuthToken>("auth_token");

// --- chatkit ---
export const chatkit = (args: {
  requestId: string;
  authorization: string | null;
  body: string;
  events: Channel<ChatkitChunk>;
}) => call<ChatkitResult>("chatkit", args);
export const chatkitCancel = (requestId: string) => call<null>("chatkit_cancel", { requestId });

// --- tasks ---
export const tasksList = (status: StatusFilter) => call<Task[]>("tasks_list", { status });
export const taskAdd = (title: string, description: string | null = null) =>
  call<Task>("task_add", { title, description });
export const taskUpdate = (id: number, title: string | null, description: string | null = null) =>
  call<Task>("task_update", { id, title, description });
export const taskSetCompleted = (id: number, completed: boolean) =>
  call<Task>("task_set_completed", { id, completed });
export const taskDelete = (id: number) => call<null>("task_delete", { id });

// --- settings ---
export const settingsGet = () => call<Settings>("settings_get");
export const settingsSet = (settings: SettingsUpdate) => call<SettingsSetResult>("settings_set", { settings });
export const appInfo = () => call<AppInfo>("app_info");

// --- events ---
/** Subscribes to `tasks-changed`; resolves to the unsubscribe function. */
export function onTasksChanged(cb: () => void): Promise<UnlistenFn> {
  return listen<null>("tasks-changed", () => cb());
}

/** True inside the Tauri web view (false in a plain browser or in unit tests). */
export function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}
