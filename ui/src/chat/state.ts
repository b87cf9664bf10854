// The built-in chat's state: a pure reducer over ChatKit stream events, so the
// whole rendering logic can be tested without a DOM or a server.

import type { StreamEvent, TaskInfo, ThreadItem, ThreadMeta, UserContent, OutputText } from "./protocol";

export type ToolStatus = "loading" | "complete" | "none";

export type ChatMessage =
  | { kind: "user"; id: string; text: string; pending: boolean }
  | { kind: "assistant"; id: string; parts: string[]; streaming: boolean }
  | { kind: "tool"; id: string; title: string; status: ToolStatus }
  | { kind: "notice"; id: string; level: "info" | "warning" | "danger"; title: string | null; text: string };

export type ChatError = { message: string; allowRetry: boolean };

export type ChatState = {
  threadId: string | null;
  title: string | null;
  messages: ChatMessage[];
  /** A request is in flight (send, retry). */
  streaming: boolean;
  allowCancel: boolean;
  /** The latest `progress_update` text of the running response. */
  progress: string | null;
  error: ChatError | null;
  /** Incremented on each `tasks.changed` client effect. */
  tasksChanged: number;
  /** Thread loading (opening a thread from the list). */
  loading: boolean;
};

export const initialChatState: ChatState = {
  threadId: null,
  title: null,
  messages: [],
  streaming: false,
  allowCancel: true,
  progress: null,
  error: null,
  tasksChanged: 0,
  loading: false,
};

export type ChatAction =
  | { type: "reset" }
  | { type: "open_start"; threadId: string; title: string | null }
  | { type: "opened"; threadId: string; title: string | null; items: ThreadItem[] }
  | { type: "open_failed"; message: string }
  | { type: "send"; text: string; localId: string }
  | { type: "retry"; afterItemId: string }
  | { type: "events"; events: StreamEvent[] }
  | { type: "stream_end" }
  | { type: "stream_failed"; message: string; allowRetry: boolean }
  | { type: "dismiss_error" };

export const DEFAULT_STREAM_ERROR = "The assistant could not answer. Please try again.";

function userText(content: UserContent[] | undefined): string {
  return (content ?? []).map((c) => c.text ?? "").join("");
}

function taskStatus(task: TaskInfo | undefined, done: boolean): ToolStatus {
  const s = task?.status_indicator;
  if (s === "loading" && !done) return "loading";
  if (s === "complete" || done) return "complete";
  return s === "loading" ? "loading" : "none";
}

/** The message an item shows as, or null for items the built-in chat does not render. */
export function messageFromItem(item: ThreadItem, done: boolean): ChatMessage | null {
  switch (item.type) {
    case "user_message":
      return { kind: "user", id: item.id, text: userText(item.content as UserContent[]), pending: false };
    case "assistant_message":
      return {
        kind: "assistant",
        id: item.id,
        parts: ((item.content as OutputText[] | undefined) ?? []).map((c) => c.text ?? ""),
        streaming: !done,
      };
    case "task": {
      const task = item.task as TaskInfo | undefined;
      return {
        kind: "tool",
        id: item.id,
        title: task?.title || task?.content || "Working…",
        status: taskStatus(task, done),
      };
    }
    default:
      return null;
  }
}

function indexOfId(messages: ChatMessage[], id: string): number {
  // Streamed items are nearly always at the end.
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].id === id) return i;
  return -1;
}

function replaceAt<T>(list: T[], index: number, value: T): T[] {
  const next = list.slice();
  next[index] = value;
  return next;
}

function upsert(state: ChatState, item: ThreadItem, done: boolean): ChatState {
  const msg = messageFromItem(item, done);
  if (!msg) return state;
  const messages = state.messages;
  let index = indexOfId(messages, msg.id);
  if (index === -1 && msg.kind === "user") {
    // The server's copy of the optimistic message we showed while sending.
    index = messages.findIndex((m) => m.kind === "user" && m.pending);
  }
  if (index === -1) return { ...state, messages: [...messages, msg] };
  return { ...state, messages: replaceAt(messages, index, msg) };
}

function updateAssistant(state: ChatState, itemId: string, f: (parts: string[]) => string[]): ChatState {
  const index = indexOfId(state.messages, itemId);
  if (index === -1) return state;
  const m = state.messages[index];
  if (m.kind !== "assistant") return state;
  return { ...state, messages: replaceAt(state.messages, index, { ...m, parts: f(m.parts) }) };
}

function setPart(parts: string[], index: number, text: string): string[] {
  const next = parts.slice();
  while (next.length < index) next.push("");
  next[index] = text;
  return next;
}

function applyTitle(state: ChatState, thread: ThreadMeta): ChatState {
  if (state.threadId && thread.id !== state.threadId) return state;
  return { ...state, threadId: thread.id, title: thread.title ?? state.title };
}

/** Applies one ChatKit stream event. */
export function applyEvent(state: ChatState, event: StreamEvent): ChatState {
  switch (event.type) {
    case "thread.created":
      return { ...state, threadId: event.thread.id, title: event.thread.title ?? null };
    case "thread.updated":
      return applyTitle(state, event.thread);
    case "thread.item.added":
      return upsert(state, event.item, false);
    case "thread.item.done":
    case "thread.item.replaced":
      return upsert(state, event.item, true);
    case "thread.item.removed": {
      const index = indexOfId(state.messages, event.item_id);
      if (index === -1) return state;
      return { ...state, messages: state.messages.filter((_, i) => i !== index) };
    }
    case "thread.item.updated": {
      const u = event.update;
      const i = typeof u.content_index === "number" ? u.content_index : 0;
      switch (u.type) {
        case "assistant_message.content_part.added":
        case "assistant_message.content_part.done": {
          const text = (u.content as OutputText | undefined)?.text ?? "";
          return updateAssistant(state, event.item_id, (p) => setPart(p, i, text));
        }
        case "assistant_message.content_part.text_delta": {
          const delta = typeof u.delta === "string" ? u.delta : "";
          return updateAssistant(state, event.item_id, (p) => setPart(p, i, (p[i] ?? "") + delta));
        }
        default:
          return state;
      }
    }
    case "stream_options":
      return { ...state, allowCancel: event.stream_options?.allow_cancel !== false };
    case "progress_update":
      return { ...state, progress: event.text || null };
    case "client_effect":
      return event.name === "tasks.changed" ? { ...state, tasksChanged: state.tasksChanged + 1 } : state;
    case "error":
      return {
        ...state,
        error: { message: event.message || DEFAULT_STREAM_ERROR, allowRetry: event.allow_retry === true },
      };
    case "notice":
      return {
        ...state,
        messages: [
          ...state.messages,
          {
            kind: "notice",
            id: `notice-${state.messages.length}-${Date.now()}`,
            level: event.level ?? "info",
            title: event.title ?? null,
            text: event.message ?? "",
          },
        ],
      };
    default:
      return state;
  }
}

/** Marks everything still "in progress" as over (end of the response, stop, failure). */
function settle(state: ChatState): ChatState {
  let changed = false;
  const messages = state.messages.map((m) => {
    if (m.kind === "assistant" && m.streaming) {
      changed = true;
      return { ...m, streaming: false };
    }
    if (m.kind === "tool" && m.status === "loading") {
      changed = true;
      return { ...m, status: "none" as const };
    }
    return m;
  });
  return { ...state, streaming: false, progress: null, messages: changed ? messages : state.messages };
}

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case "reset":
      return { ...initialChatState, tasksChanged: state.tasksChanged };
    case "open_start":
      return {
        ...initialChatState,
        tasksChanged: state.tasksChanged,
        threadId: action.threadId,
        title: action.title,
        loading: true,
      };
    case "opened": {
      if (state.threadId !== action.threadId) return state; // another thread was opened meanwhile
      const messages: ChatMessage[] = [];
      for (const item of action.items) {
        const m = messageFromItem(item, true);
        if (m) messages.push(m);
      }
      return { ...state, title: action.title ?? state.title, messages, loading: false };
    }
    case "open_failed":
      return { ...state, loading: false, error: { message: action.message, allowRetry: false } };
    case "send":
      return {
        ...state,
        streaming: true,
        allowCancel: true,
        error: null,
        progress: null,
        messages: [...state.messages, { kind: "user", id: action.localId, text: action.text, pending: true }],
      };
    case "retry": {
      const index = indexOfId(state.messages, action.afterItemId);
      const messages = index === -1 ? state.messages : state.messages.slice(0, index + 1);
      return { ...state, streaming: true, allowCancel: true, error: null, progress: null, messages };
    }
    case "events": {
      let s = state;
      for (const e of action.events) s = applyEvent(s, e);
      return s;
    }
    case "stream_end":
      return settle(state);
    case "stream_failed":
      return { ...settle(state), error: { message: action.message, allowRetry: action.allowRetry } };
    case "dismiss_error":
      return { ...state, error: null };
  }
}

/** The newest user message (what Retry answers again). */
export function lastUserMessage(state: ChatState): Extract<ChatMessage, { kind: "user" }> | null {
  for (let i = state.messages.length - 1; i >= 0; i--) {
    const m = state.messages[i];
    if (m.kind === "user") return m;
  }
  return null;
}
