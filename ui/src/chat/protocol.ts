// The subset of the ChatKit wire protocol (tests/conformance/PROTOCOL.md) that the
// built-in chat reads and writes. Unknown fields and types are tolerated.

export type ThreadMeta = {
  id: string;
  title?: string | null;
  created_at: string;
  status?: { type: string; reason?: string };
  /** Tasktalk's server adds the time of the thread's last activity. */
  metadata?: { updated_at?: string };
};

export type Page<T> = { data: T[]; has_more: boolean; after?: string | null };

export type UserContent = { type: "input_text"; text: string } | { type: "input_tag"; id: string; text: string };
export type OutputText = { type: "output_text"; text: string; annotations?: unknown[] };
export type TaskInfo = {
  type: string;
  title?: string | null;
  content?: string | null;
  status_indicator?: "none" | "loading" | "complete";
};

type ItemBase = { id: string; thread_id: string; created_at: string };
export type ThreadItem =
  | (ItemBase & { type: "user_message"; content: UserContent[] })
  | (ItemBase & { type: "assistant_message"; content: OutputText[] })
  | (ItemBase & { type: "task"; task: TaskInfo })
  | (ItemBase & { type: "workflow"; workflow: { tasks: TaskInfo[] } })
  | (ItemBase & { type: string; [key: string]: unknown });

export type ItemUpdate =
  | { type: "assistant_message.content_part.added"; content_index: number; content: OutputText }
  | { type: "assistant_message.content_part.text_delta"; content_index: number; delta: string }
  | { type: "assistant_message.content_part.done"; content_index: number; content: OutputText }
  | { type: string; [key: string]: unknown };

export type StreamEvent =
  | { type: "thread.created"; thread: ThreadMeta }
  | { type: "thread.updated"; thread: ThreadMeta }
  | { type: "thread.item.added"; item: ThreadItem }
  | { type: "thread.item.updated"; item_id: string; update: ItemUpdate }
  | { type: "thread.item.done"; item: ThreadItem }
  | { type: "thread.item.removed"; item_id: string }
  | { type: "thread.item.replaced"; item: ThreadItem }
  | { type: "stream_options"; stream_options: { allow_cancel: boolean } }
  | { type: "progress_update"; text: string; icon?: string }
  | { type: "client_effect"; name: string; data?: Record<string, unknown> }
  | { type: "error"; code?: string; message?: string; allow_retry?: boolean }
  | { type: "notice"; level: "info" | "warning" | "danger"; message: string; title?: string };

export function userInput(text: string) {
  return { content: [{ type: "input_text", text }], attachments: [], inference_options: {} };
}

/** Threads per page of the list and of search results. */
export const THREAD_PAGE = 50;
/** The server's bounds on a search and on a title (core/src/chatkit/limits.rs). */
export const SEARCH_MAX_CHARS = 200;
export const TITLE_MAX_CHARS = 200;

export const requests = {
  threadsList: (after?: string, limit = THREAD_PAGE) => ({
    type: "threads.list",
    params: after ? { limit, order: "desc", after } : { limit, order: "desc" },
  }),
  /** Tasktalk's own request type: threads whose title or a message holds every word. */
  threadsSearch: (query: string, after?: string, limit = THREAD_PAGE) => ({
    type: "threads.search",
    params: after ? { query, limit, after } : { query, limit },
  }),
  threadsUpdate: (threadId: string, title: string) => ({ type: "threads.update", params: { thread_id: threadId, title } }),
  threadsDelete: (threadId: string) => ({ type: "threads.delete", params: { thread_id: threadId } }),
  itemsList: (threadId: string, after?: string) => ({
    type: "items.list",
    params: after
      ? { thread_id: threadId, order: "asc", limit: 100, after }
      : { thread_id: threadId, order: "asc", limit: 100 },
  }),
  getThread: (threadId: string) => ({ type: "threads.get_by_id", params: { thread_id: threadId } }),
  create: (text: string) => ({ type: "threads.create", params: { input: userInput(text) } }),
  addUserMessage: (threadId: string, text: string) => ({
    type: "threads.add_user_message",
    params: { thread_id: threadId, input: userInput(text) },
  }),
  retryAfterItem: (threadId: string, itemId: string) => ({
    type: "threads.retry_after_item",
    params: { thread_id: threadId, item_id: itemId },
  }),
};
