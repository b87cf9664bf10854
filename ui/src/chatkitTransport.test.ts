// @vitest-environment node
import { describe, expect, it, vi } from "vitest";
import { createIpcFetch, type TransportDeps } from "./chatkitTransport";
import type { ChatkitChunk, ChatkitHead } from "./bindings";

type Handler = (args: Record<string, unknown> | undefined) => Promise<unknown>;

class FakeChannel<T> {
  static created: FakeChannel<unknown>[] = [];
  onmessage: (m: T) => void = () => {};
  constructor(onmessage?: (m: T) => void) {
    if (onmessage) this.onmessage = onmessage;
    FakeChannel.created.push(this as FakeChannel<unknown>);
  }
  send(m: T) {
    this.onmessage(m);
  }
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const FAR_FUTURE = "2099-01-01T00:00:00Z";

function setup(handlers: Record<string, Handler>, extra: Partial<TransportDeps> = {}) {
  FakeChannel.created = [];
  const all: Record<string, Handler> = {
    auth_token: async () => ({ token: "tok-1", expiresAt: FAR_FUTURE }),
    chatkit_cancel: async () => null,
    ...handlers,
  };
  const invoke = vi.fn((cmd: string, args?: Record<string, unknown>) => {
    const h = all[cmd];
    if (!h) return Promise.reject({ kind: "unknown_command", message: `no ${cmd}` });
    return h(args);
  });
  let n = 0;
  const f = createIpcFetch({
    invoke: invoke as unknown as TransportDeps["invoke"],
    Channel: FakeChannel as unknown as TransportDeps["Channel"],
    newRequestId: () => `req-${++n}`,
    ...extra,
  });
  const channel = () => FakeChannel.created[FakeChannel.created.length - 1] as FakeChannel<ChatkitChunk>;
  const calls = (cmd: string) => invoke.mock.calls.filter((c) => c[0] === cmd).map((c) => c[1] as Record<string, unknown>);
  return { f, invoke, channel, calls };
}

const STREAM: ChatkitHead = { status: 200, contentType: "text/event-stream", body: null };
const decoder = new TextDecoder();

async function readChunk(reader: ReadableStreamDefaultReader<Uint8Array>, ms = 500): Promise<string | null> {
  const r = await Promise.race([
    reader.read(),
    new Promise<never>((_, rej) => setTimeout(() => rej(new Error("read timed out: not incremental")), ms)),
  ]);
  return r.done ? null : decoder.decode(r.value);
}

const post = (body: string, init: RequestInit = {}) => ({ method: "POST", body, ...init });

describe("createIpcFetch", () => {
  it("streams frames as SSE bytes, in order and incrementally", async () => {
    const { f, channel, calls } = setup({ chatkit: async () => STREAM });
    const res = await f("https://tasktalk.local/chatkit", post('{"type":"threads.create"}'));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    expect(calls("chatkit")[0].body).toBe('{"type":"threads.create"}');

    const reader = res.body!.getReader();
    channel().send({ kind: "frame", data: '{"type":"thread.created","n":1}' });
    // The first frame is readable before the others are even sent.
    expect(await readChunk(reader)).toBe('data: {"type":"thread.created","n":1}\n\n');

    channel().send({ kind: "frame", data: '{"n":2}' });
    channel().send({ kind: "frame", data: '{"n":3}' });
    channel().send({ kind: "end" });
    let rest = "";
    for (let c = await readChunk(reader); c !== null; c = await readChunk(reader)) rest += c;
    expect(rest).toBe('data: {"n":2}\n\ndata: {"n":3}\n\n');
  });

  it("keeps frames that arrive before the command resolves", async () => {
    const d = deferred<ChatkitHead>();
    const { f, channel } = setup({ chatkit: () => d.promise });
    const pending = f("u", post("{}"));
    await vi.waitFor(() => expect(FakeChannel.created.length).toBe(1));
    channel().send({ kind: "frame", data: '{"early":true}' });
    channel().send({ kind: "end" });
    d.resolve(STREAM);
    const res = await pending;
    expect(await res.text()).toBe('data: {"early":true}\n\n');
  });

  it("returns a JSON response with the command's status and body", async () => {
    const { f } = setup({
      chatkit: async () => ({ status: 404, contentType: "application/json", body: '{"error":{"code":"not_found","message":"No such thread."}}' }),
    });
    const res = await f("u", post('{"type":"threads.get_by_id","params":{"thread_id":"thr_x"}}'));
    expect(res.status).toBe(404);
    expect(res.ok).toBe(false);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({ error: { code: "not_found", message: "No such thread." } });

    const { f: f2 } = setup({ chatkit: async () => ({ status: 200, contentType: "application/json", body: '{"data":[],"has_more":false}' }) });
    const ok = await f2("u", post("{}"));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ data: [], has_more: false });
  });

  it("reads the body of a Request input", async () => {
    const { f, calls } = setup({ chatkit: async () => ({ status: 200, contentType: "application/json", body: "{}" }) });
    await f(new Request("https://tasktalk.local/chatkit", { method: "POST", body: '{"type":"threads.list"}' }));
    expect(calls("chatkit")[0].body).toBe('{"type":"threads.list"}');
  });

  it("sends the JWT from auth_token as a Bearer header, cached until shortly before it expires", async () => {
    let clock = Date.parse("2030-01-01T00:00:00Z");
    let issued = 0;
    const { f, calls } = setup(
      {
        auth_token: async () => {
          issued += 1;
          // Valid for 15 minutes from "now".
          return { token: `jwt-${issued}`, expiresAt: new Date(clock + 15 * 60_000).toISOString() };
        },
        chatkit: async () => ({ status: 200, contentType: "application/json", body: "{}" }),
      },
      { now: () => clock },
    );

    await Promise.all([f("u", post("{}")), f("u", post("{}"))]); // concurrent: one token request
    await f("u", post("{}"));
    expect(calls("auth_token")).toHaveLength(1);
    expect(calls("chatkit").map((c) => c.authorization)).toEqual(["Bearer jwt-1", "Bearer jwt-1", "Bearer jwt-1"]);

    clock += 13 * 60_000; // two minutes left: still fine
    await f("u", post("{}"));
    expect(calls("auth_token")).toHaveLength(1);

    clock += 90_000; // 30 s left: refresh first
    await f("u", post("{}"));
    expect(calls("auth_token")).toHaveLength(2);
    expect(calls("chatkit").at(-1)!.authorization).toBe("Bearer jwt-2");

    f.clearToken();
    await f("u", post("{}"));
    expect(calls("auth_token")).toHaveLength(3);
    expect(calls("chatkit").at(-1)!.authorization).toBe("Bearer jwt-3");
  });

  it("aborting a stream cancels the request with the same id and errors the body with AbortError", async () => {
    const { f, channel, calls } = setup({ chatkit: async () => STREAM });
    const ctrl = new AbortController();
    const res = await f("u", post("{}", { signal: ctrl.signal }));
    const reader = res.body!.getReader();
    channel().send({ kind: "frame", data: '{"n":1}' });
    expect(await readChunk(reader)).toBe('data: {"n":1}\n\n');

    ctrl.abort();
    const id = calls("chatkit")[0].requestId;
    expect(id).toBe("req-1");
    expect(calls("chatkit_cancel")).toEqual([{ requestId: id }]);
    await expect(reader.read()).rejects.toMatchObject({ name: "AbortError" });
    // Later frames are ignored, not thrown.
    expect(() => channel().send({ kind: "frame", data: "{}" })).not.toThrow();
  });

  it("aborting before the command answers rejects with AbortError and cancels", async () => {
    const d = deferred<ChatkitHead>();
    const { f, calls } = setup({ chatkit: () => d.promise });
    const ctrl = new AbortController();
    const pending = f("u", post("{}", { signal: ctrl.signal }));
    await vi.waitFor(() => expect(calls("chatkit")).toHaveLength(1));
    ctrl.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    expect(calls("chatkit_cancel")).toEqual([{ requestId: calls("chatkit")[0].requestId }]);
    d.resolve(STREAM); // late answer: harmless
  });

  it("an already aborted signal rejects without sending anything", async () => {
    const { f, calls } = setup({ chatkit: async () => STREAM });
    const ctrl = new AbortController();
    ctrl.abort();
    await expect(f("u", post("{}", { signal: ctrl.signal }))).rejects.toMatchObject({ name: "AbortError" });
    expect(calls("chatkit")).toHaveLength(0);
  });

  it("an IPC rejection surfaces as a network-style TypeError with the message", async () => {
    const { f } = setup({ chatkit: () => Promise.reject({ kind: "INTERNAL", message: "The database is not reachable." }) });
    const err = await f("u", post("{}")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).toBe("The database is not reachable.");
  });

  it("a failing auth_token rejects with its message", async () => {
    const { f, calls } = setup({
      auth_token: () => Promise.reject({ kind: "INTERNAL", message: "Could not issue a token." }),
      chatkit: async () => STREAM,
    });
    await expect(f("u", post("{}"))).rejects.toThrow("Could not issue a token.");
    expect(calls("chatkit")).toHaveLength(0);
  });

  it("an ended session gives a 401 and tells the app", async () => {
    const onUnauthorized = vi.fn();
    const { f, calls } = setup(
      {
        auth_token: () => Promise.reject({ kind: "SESSION_EXPIRED", message: "Your session has expired." }),
        chatkit: async () => STREAM,
      },
      { onUnauthorized },
    );
    const res = await f("u", post("{}"));
    expect(res.status).toBe(401);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(calls("chatkit")).toHaveLength(0);
  });

  it("a 401 from the chat command tells the app and drops the cached token", async () => {
    const onUnauthorized = vi.fn();
    let status = 401;
    const { f, calls } = setup(
      { chatkit: async () => ({ status, contentType: "application/json", body: '{"error":{"code":"unauthorized"}}' }) },
      { onUnauthorized },
    );
    const res = await f("u", post("{}"));
    expect(res.status).toBe(401);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    status = 200;
    await f("u", post("{}"));
    expect(calls("auth_token")).toHaveLength(2);
  });
});
