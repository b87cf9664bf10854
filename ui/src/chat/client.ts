// ChatKit protocol requests for the built-in chat, over any `fetch` (the IPC one
// in the app, a fake in tests).

import type { Page, StreamEvent, ThreadItem, ThreadMeta } from "./protocol";
import { requests } from "./protocol";
import { readSseJson } from "./sse";

export type FetchLike = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** Nominal: the IPC fetch ignores the URL; ChatKit needs one. */
export const CHATKIT_URL = "https://tasktalk.local/chatkit";

export class ChatRequestError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = "ChatRequestError";
    this.status = status;
  }
}

export function isAbortError(e: unknown): boolean {
  return (e instanceof DOMException || e instanceof Error) && e.name === "AbortError";
}

async function errorFrom(res: Response): Promise<ChatRequestError> {
  if (res.status === 401) return new ChatRequestError(401, "Your session has expired. Please sign in again.");
  let message = `The chat service answered with status ${res.status}.`;
  try {
    const text = await res.text();
    const parsed = JSON.parse(text) as { error?: { message?: string } | string; message?: string };
    const m = typeof parsed.error === "string" ? parsed.error : (parsed.error?.message ?? parsed.message);
    if (m) message = m;
  } catch {
    /* keep the generic message */
  }
  return new ChatRequestError(res.status, message);
}

function post(fetchFn: FetchLike, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetchFn(CHATKIT_URL, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal,
  });
}

export async function postJson<T>(fetchFn: FetchLike, body: unknown, signal?: AbortSignal): Promise<T> {
  const res = await post(fetchFn, body, signal);
  if (!res.ok) throw await errorFrom(res);
  return (await res.json()) as T;
}

/** Sends a streaming request and calls `onEvent` for each event as it arrives. */
export async function postStream(
  fetchFn: FetchLike,
  body: unknown,
  onEvent: (event: StreamEvent) => void,
  signal?: AbortSignal,
): Promise<void> {
  const res = await post(fetchFn, body, signal);
  if (!res.ok) throw await errorFrom(res);
  const type = res.headers.get("content-type") ?? "";
  if (!type.startsWith("text/event-stream") || !res.body) {
    throw new ChatRequestError(res.status, "The chat service sent an unexpected answer.");
  }
  await readSseJson(res.body, (e) => {
    if (e && typeof e === "object" && typeof (e as { type?: unknown }).type === "string") onEvent(e as StreamEvent);
  });
}

/** A page of threads, the most recently active first. */
export function listThreads(fetchFn: FetchLike, after?: string): Promise<Page<ThreadMeta>> {
  return postJson<Page<ThreadMeta>>(fetchFn, requests.threadsList(after));
}

/** A page of the threads whose title or one message holds every word of `query`. */
export function searchThreads(fetchFn: FetchLike, query: string, after?: string): Promise<Page<ThreadMeta>> {
  return postJson<Page<ThreadMeta>>(fetchFn, requests.threadsSearch(query, after));
}

export function renameThread(fetchFn: FetchLike, threadId: string, title: string): Promise<ThreadMeta> {
  return postJson<ThreadMeta>(fetchFn, requests.threadsUpdate(threadId, title));
}

export async function deleteThread(fetchFn: FetchLike, threadId: string): Promise<void> {
  await postJson<unknown>(fetchFn, requests.threadsDelete(threadId));
}

/** All items of a thread, oldest first (follows the `after` cursor). */
export async function loadThreadItems(fetchFn: FetchLike, threadId: string, signal?: AbortSignal): Promise<ThreadItem[]> {
  const items: ThreadItem[] = [];
  let after: string | undefined;
  for (let page = 0; page < 100; page++) {
    const res = await postJson<Page<ThreadItem>>(fetchFn, requests.itemsList(threadId, after), signal);
    items.push(...res.data);
    if (!res.has_more || !res.after) break;
    after = res.after;
  }
  return items;
}
