// A `fetch` for ChatKit's `api.fetch` (and the built-in chat) that carries each
// ChatKit request over Tauri IPC instead of HTTP.
//
// JSON request types come back as the command's result; streaming types resolve
// at once with `text/event-stream` and then push `{kind:"frame"}` messages on a
// Channel, ending with one `{kind:"end"}`. Those frames are turned back into the
// exact SSE bytes ChatKit expects (`data: <json>\n\n`).

import type { AuthToken, Call, ChatkitChunk, ChatkitHead } from "./bindings";
import { SESSION_ENDED_KINDS, toIpcError } from "./ipc";

export interface ChannelLike<T> {
  onmessage: (message: T) => void;
}

export interface TransportDeps {
  invoke: Call;
  Channel: new <T>(onmessage?: (message: T) => void) => ChannelLike<T>;
  /** Clock in milliseconds (tests). */
  now?: () => number;
  newRequestId?: () => string;
  /** Called when a request gets 401 (the session ended). */
  onUnauthorized?: () => void;
  /** Refresh the JWT this long before it expires (default 60 s). */
  refreshMarginMs?: number;
}

export type IpcFetch = ((input: RequestInfo | URL, init?: RequestInit) => Promise<Response>) & {
  /** Forgets the cached JWT (sign-in, sign-out, session expiry). */
  clearToken(): void;
};

const SSE_ENCODER = new TextEncoder();

function abortError(): DOMException {
  return new DOMException("The request was aborted.", "AbortError");
}

function defaultRequestId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === "function") return c.randomUUID();
  return `req-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

async function readBody(input: RequestInfo | URL, init?: RequestInit): Promise<string> {
  const body = init?.body;
  if (typeof body === "string") return body;
  if (body != null) return new Response(body).text();
  if (typeof Request !== "undefined" && input instanceof Request) return input.text();
  return "";
}

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

function unauthorizedResponse(message: string): Response {
  return new Response(JSON.stringify({ error: { code: "unauthorized", message } }), {
    status: 401,
    headers: { "content-type": "application/json" },
  });
}

export function createIpcFetch(deps: TransportDeps): IpcFetch {
  const now = deps.now ?? (() => Date.now());
  const newRequestId = deps.newRequestId ?? defaultRequestId;
  const margin = deps.refreshMarginMs ?? 60_000;

  let cached: { token: string; expiresAt: number } | null = null;
  let inflight: Promise<string> | null = null;
  let generation = 0;

  function getToken(): Promise<string> {
    if (cached && now() < cached.expiresAt - margin) return Promise.resolve(cached.token);
    if (inflight) return inflight;
    const gen = generation;
    const p = deps
      .invoke<AuthToken>("auth_token")
      .then((t) => {
        const expiresAt = Date.parse(t.expiresAt);
        if (gen === generation && Number.isFinite(expiresAt)) cached = { token: t.token, expiresAt };
        return t.token;
      })
      .finally(() => {
        if (inflight === p) inflight = null;
      });
    inflight = p;
    return p;
  }

  function clearToken() {
    generation += 1;
    cached = null;
    inflight = null;
  }

  function cancel(requestId: string) {
    deps.invoke("chatkit_cancel", { requestId }).catch(() => {
      /* the request may already be over */
    });
  }

  async function ipcFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const signal = init?.signal ?? (typeof Request !== "undefined" && input instanceof Request ? input.signal : null);
    if (signal?.aborted) throw abortError();

    const body = await readBody(input, init);

    let token: string;
    try {
      token = await getToken();
    } catch (e) {
      const err = toIpcError(e);
      if (SESSION_ENDED_KINDS.has(err.kind)) {
        clearToken();
        deps.onUnauthorized?.();
        return unauthorizedResponse(err.message);
      }
      throw new TypeError(err.message);
    }
    if (signal?.aborted) throw abortError();

    const requestId = newRequestId();

    // The stream exists before the command is sent: frames may arrive before
    // `invoke` resolves. It is only handed out for an event-stream result.
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let finished = false; // end received, aborted, cancelled or not a stream
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
      cancel() {
        if (!finished) {
          finished = true;
          detach();
          cancel(requestId);
        }
      },
    });

    const channel = new deps.Channel<ChatkitChunk>((msg: ChatkitChunk) => {
      if (finished) return;
      if (msg.kind === "frame") {
        controller.enqueue(SSE_ENCODER.encode(`data: ${msg.data}\n\n`));
      } else if (msg.kind === "end") {
        finished = true;
        detach();
        controller.close();
      }
    });

    let rejectPending: ((e: unknown) => void) | null = null;
    const onAbort = () => {
      if (finished) return;
      finished = true;
      detach();
      cancel(requestId);
      const err = abortError();
      try {
        controller.error(err);
      } catch {
        /* already closed */
      }
      rejectPending?.(err);
    };
    function detach() {
      signal?.removeEventListener("abort", onAbort);
    }
    signal?.addEventListener("abort", onAbort);

    const result = await new Promise<ChatkitHead>((resolve, reject) => {
      rejectPending = reject;
      deps
        .invoke<ChatkitHead>("chatkit", {
          requestId,
          authorization: `Bearer ${token}`,
          body,
          events: channel,
        })
        .then(resolve, (e: unknown) => {
          if (!finished) {
            finished = true;
            detach();
            try {
              controller.error(new TypeError(toIpcError(e).message));
            } catch {
              /* already closed */
            }
          }
          reject(new TypeError(toIpcError(e).message));
        });
    });
    rejectPending = null;

    if (result.status === 401) {
      clearToken();
      deps.onUnauthorized?.();
    }

    const contentType = result.contentType || "application/json";
    if (contentType.toLowerCase().startsWith("text/event-stream")) {
      return new Response(stream, { status: result.status, headers: { "content-type": contentType } });
    }

    // Not a stream: nothing will come on the channel.
    if (!finished) {
      finished = true;
      detach();
      try {
        controller.close();
      } catch {
        /* already closed */
      }
    }
    const status = result.status >= 200 && result.status <= 599 ? result.status : 500;
    return new Response(NULL_BODY_STATUS.has(status) ? null : (result.body ?? ""), {
      status,
      headers: { "content-type": contentType },
    });
  }

  return Object.assign(ipcFetch, { clearToken });
}
