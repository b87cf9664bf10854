// The Tauri commands of docs/ipc.md, typed by the generated ./bindings.ts.
//
// Every command rejects with `{kind, message}`; `call` turns that (or any other
// rejection) into an `IpcError` so the UI can branch on `kind` and show `message`.

import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { commands as bindCommands, type Command, type ErrorKind } from "./bindings";

/** A command's error kind, or `UNKNOWN` for a rejection that carries none. */
export type IpcErrorKind = ErrorKind | "UNKNOWN";

/** A command failure: `kind` is a stable code, `message` a sentence to show as is. */
export class IpcError extends Error {
  readonly kind: IpcErrorKind;
  constructor(kind: IpcErrorKind, message: string) {
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
      // The commands reject with an `ErrorKind` (src-tauri/src/error.rs).
      return new IpcError(typeof kind === "string" ? (kind as ErrorKind) : "UNKNOWN", message);
    }
  }
  if (typeof error === "string" && error) return new IpcError("UNKNOWN", error);
  return new IpcError("UNKNOWN", "Something went wrong. Please try again.");
}

/** Error kinds that mean "the session is gone: sign in again". */
export const SESSION_ENDED_KINDS: ReadonlySet<IpcErrorKind> = new Set<IpcErrorKind>(["SESSION_EXPIRED", "SIGNED_OUT"]);

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

const QUIET_COMMANDS: ReadonlySet<Command> = new Set<Command>([
  "sign_in",
  "sign_up",
  "sign_out",
  "current_session",
  "auth_token",
]);

async function call<T>(command: Command, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    const error = toIpcError(e);
    if (!QUIET_COMMANDS.has(command) && SESSION_ENDED_KINDS.has(error.kind)) notifySessionEnded();
    throw error;
  }
}

/** Every command, as generated from the Rust side. */
export const commands = bindCommands(call);

// --- events ---
/** Subscribes to `tasks-changed`; resolves to the unsubscribe function. */
export function onTasksChanged(cb: () => void): Promise<UnlistenFn> {
  return listen<null>("tasks-changed", () => cb());
}

/** True inside the Tauri web view (false in a plain browser or in unit tests). */
export function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}
