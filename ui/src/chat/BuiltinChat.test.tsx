import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { createChatMemoryStore } from "../draft";
import { installListLayout } from "../test/layout";
import { BuiltinChat } from "./BuiltinChat";
import { THREAD_OPEN } from "./timing";

// The message list is virtualised: give it a viewport and rows a height.
installListLayout();

type Body = { type: string; params: Record<string, unknown> };

/** A scripted ChatKit server behind a fetch: JSON for lists, controllable SSE streams. */
function fakeServer() {
  const requests: Body[] = [];
  const streams: { push: (e: object) => void; end: () => void; signal?: AbortSignal | null }[] = [];
  const enc = new TextEncoder();
  const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body)) as Body;
    requests.push(body);
    if (body.type === "threads.list") {
      return Response.json({
        data: [
          { id: "thr_old", title: "Older chat", created_at: "2026-11-01T10:00:00", status: { type: "active" } },
          { id: "thr_new", title: "Newer chat", created_at: "2026-11-20T10:00:00", status: { type: "active" } },
        ],
        has_more: false,
      });
    }
    if (body.type === "threads.update") return Response.json({ id: body.params.thread_id, title: body.params.title, created_at: T });
    if (body.type === "threads.delete") return Response.json({});
    if (body.type === "items.list") {
      return Response.json({
        data: [
          { id: "msg_o1", thread_id: "thr_old", created_at: "x", type: "user_message", content: [{ type: "input_text", text: "old question" }] },
          { id: "msg_o2", thread_id: "thr_old", created_at: "x", type: "assistant_message", content: [{ type: "output_text", text: "old answer" }] },
        ],
        has_more: false,
      });
    }
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
    const signal = init?.signal;
    signal?.addEventListener("abort", () => controller.error(new DOMException("aborted", "AbortError")));
    streams.push({
      push: (e) => controller.enqueue(enc.encode(`data: ${JSON.stringify(e)}\n\n`)),
      end: () => controller.close(),
      signal,
    });
    return new Response(stream, { status: 200, headers: { "content-type": "text/event-stream" } });
  });
  return { fetch, requests, streams };
}

const T = "2026-11-21T10:00:00";
const assistant = { id: "msg_a1", thread_id: "thr_x", created_at: T, type: "assistant_message", content: [] };
const delta = (d: string) => ({
  type: "thread.item.updated",
  item_id: "msg_a1",
  update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta: d },
});

function renderChat() {
  const server = fakeServer();
  const memory = createChatMemoryStore();
  const onTasksChanged = vi.fn();
  const user = userEvent.setup();
  render(<BuiltinChat fetch={server.fetch} memory={memory} onTasksChanged={onTasksChanged} />);
  return { ...server, memory, onTasksChanged, user };
}

describe("BuiltinChat", () => {
  it("lists threads newest first and opens one with items.list ascending", async () => {
    const { user, requests } = renderChat();
    const items = await screen.findAllByTestId("thread-item");
    expect(items.map((i) => i.getAttribute("data-thread-id"))).toEqual(["thr_new", "thr_old"]);
    await user.click(within(items[1]).getByRole("button", { name: /^Older chat/ }));
    await screen.findByText("old answer");
    expect(requests.at(-1)).toEqual({ type: "items.list", params: { thread_id: "thr_old", order: "asc", limit: 100 } });
    expect(screen.getByTestId("message-user").textContent).toBe("old question");
  });

  it("sends, streams the answer, shows tool progress, effects, titles and errors, and retries", async () => {
    const { user, requests, streams, onTasksChanged, memory } = renderChat();
    await screen.findAllByTestId("thread-item");
    const input = screen.getByTestId("composer-input") as HTMLTextAreaElement;

    await user.type(input, "first line{Shift>}{Enter}{/Shift}second line");
    expect(input.value).toBe("first line\nsecond line");
    expect(requests.filter((r) => r.type === "threads.create")).toHaveLength(0);

    await user.type(input, "{Enter}");
    expect(requests.at(-1)).toEqual({
      type: "threads.create",
      params: { input: { content: [{ type: "input_text", text: "first line\nsecond line" }], attachments: [], inference_options: {} } },
    });
    expect(screen.getByTestId("message-user").textContent).toBe("first line\nsecond line");
    expect(input.disabled).toBe(true);
    expect(input.value).toBe("");
    expect(screen.getByTestId("composer-stop")).toBeTruthy();

    const s = streams[0];
    act(() => {
      s.push({ type: "thread.created", thread: { id: "thr_x", created_at: T, status: { type: "active" } } });
      s.push({ type: "thread.item.done", item: { id: "msg_u1", thread_id: "thr_x", created_at: T, type: "user_message", content: [{ type: "input_text", text: "first line\nsecond line" }] } });
      s.push({ type: "stream_options", stream_options: { allow_cancel: true } });
      s.push({ type: "thread.item.added", item: { id: "tsk_1", thread_id: "thr_x", created_at: T, type: "task", task: { type: "custom", title: "Running add_task…", status_indicator: "loading" } } });
    });
    const tool = await screen.findByTestId("tool-progress");
    expect(tool.getAttribute("data-status")).toBe("loading");
    expect(tool.textContent).toContain("Running add_task…");

    act(() => {
      s.push({ type: "thread.item.done", item: { id: "tsk_1", thread_id: "thr_x", created_at: T, type: "task", task: { type: "custom", title: "Added task 3", status_indicator: "complete" } } });
      s.push({ type: "client_effect", name: "tasks.changed", data: {} });
      s.push({ type: "thread.item.added", item: assistant });
      s.push(delta("<b>Hel"));
    });
    await waitFor(() => expect(screen.getByTestId("message-assistant").textContent).toBe("<b>Hel"));
    expect(screen.getByTestId("message-assistant").getAttribute("data-streaming")).toBe("true");
    expect(screen.getByTestId("message-assistant").querySelector("b")).toBeNull(); // text, not HTML
    expect(screen.getByTestId("tool-progress").getAttribute("data-status")).toBe("complete");
    expect(onTasksChanged).toHaveBeenCalledTimes(1);
    expect(memory.get().threadId).toBe("thr_x");

    act(() => {
      s.push(delta("lo</b>"));
      s.push({ type: "thread.item.done", item: { ...assistant, content: [{ type: "output_text", text: "<b>Hello</b>" }] } });
      s.push({ type: "thread.updated", thread: { id: "thr_x", title: "Groceries", created_at: T, status: { type: "active" } } });
      s.push({ type: "error", code: "custom", message: "The provider timed out.", allow_retry: true });
      s.end();
    });
    await waitFor(() => expect(input.disabled).toBe(false));
    expect(screen.getByTestId("message-assistant").textContent).toBe("<b>Hello</b>");
    expect(screen.getByTestId("message-assistant").getAttribute("data-streaming")).toBeNull();
    expect(screen.getByTestId("chat-error").textContent).toContain("The provider timed out.");
    expect(screen.queryByTestId("composer-stop")).toBeNull();
    const first = screen.getAllByTestId("thread-item")[0];
    expect(first.getAttribute("data-thread-id")).toBe("thr_x");
    expect(first.textContent).toContain("Groceries");

    await user.click(screen.getByTestId("chat-retry"));
    expect(requests.at(-1)).toEqual({ type: "threads.retry_after_item", params: { thread_id: "thr_x", item_id: "msg_u1" } });
    // Everything after the retried message goes away until the new answer arrives.
    expect(screen.queryByTestId("message-assistant")).toBeNull();
    expect(screen.queryByTestId("chat-error")).toBeNull();
    act(() => streams[1].end());
    await waitFor(() => expect(input.disabled).toBe(false));

    // The next message goes to the same thread.
    await user.type(input, "again{Enter}");
    expect(requests.at(-1)).toMatchObject({ type: "threads.add_user_message", params: { thread_id: "thr_x" } });
  });

  /** A reply under way: "Partial" shown, the stream still open. */
  async function partialAnswer() {
    const chat = renderChat();
    await chat.user.type(screen.getByTestId("composer-input"), "hello{Enter}");
    act(() => {
      chat.streams[0].push({ type: "thread.item.added", item: assistant });
      chat.streams[0].push(delta("Partial"));
    });
    await waitFor(() => expect(screen.getByTestId("message-assistant").textContent).toBe("Partial"));
    return chat;
  }

  it("Stop aborts the request and keeps the partial answer", async () => {
    const { user, streams } = await partialAnswer();
    await user.click(screen.getByTestId("composer-stop"));
    expect(streams[0].signal?.aborted).toBe(true);
    await waitFor(() => expect(screen.getByTestId("message-assistant").getAttribute("data-streaming")).toBeNull());
    expect(screen.getByTestId("message-assistant").textContent).toBe("Partial");
    expect(screen.queryByTestId("chat-error")).toBeNull();
  });

  it("Ctrl+N starts a new chat", async () => {
    const { user } = renderChat();
    const items = await screen.findAllByTestId("thread-item");
    await user.click(within(items[1]).getByRole("button", { name: /^Older chat/ }));
    await screen.findByText("old answer");
    fireEvent.keyDown(window, { key: "n", ctrlKey: true });
    await waitFor(() => expect(screen.queryByText("old answer")).toBeNull());
    expect(screen.getByRole("heading", { level: 2 }).textContent).toBe("New chat");
  });

  it("Esc stops the answer being written, but not from another text field", async () => {
    const { streams } = await partialAnswer();

    // Esc while editing something else (a task's title) is that field's.
    const other = document.createElement("input");
    document.body.appendChild(other);
    fireEvent.keyDown(other, { key: "Escape" });
    expect(streams[0].signal?.aborted).toBe(false);
    other.remove();

    fireEvent.keyDown(document.body, { key: "Escape" });
    expect(streams[0].signal?.aborted).toBe(true);
    await waitFor(() => expect(screen.getByTestId("message-assistant").getAttribute("data-streaming")).toBeNull());
    expect(screen.getByTestId("message-assistant").textContent).toBe("Partial");
  });

  it("measures the time to show an opened thread as performance measure thread-open", async () => {
    performance.clearMeasures(THREAD_OPEN);
    const { user } = renderChat();
    const items = await screen.findAllByTestId("thread-item");
    await user.click(within(items[1]).getByRole("button", { name: /^Older chat/ }));
    await screen.findByText("old answer");
    await waitFor(() => expect(performance.getEntriesByName(THREAD_OPEN, "measure")).toHaveLength(1));
    const [m] = performance.getEntriesByName(THREAD_OPEN, "measure") as PerformanceMeasure[];
    expect(m.duration).toBeGreaterThanOrEqual(0);
    expect(m.detail).toEqual({ messages: 2 });
  });

  it("labels the composer and the conversation log for assistive technology", async () => {
    renderChat();
    expect(screen.getByRole("form", { name: "Write a message" })).toBeTruthy();
    expect(screen.getByRole("textbox", { name: "Message" })).toBeTruthy();
    const log = screen.getByRole("log", { name: "Conversation" });
    expect(log.getAttribute("aria-live")).toBe("polite");
    expect(log.tabIndex).toBe(0);
  });

  it("shows the open thread's new name and starts a new chat when it is deleted", async () => {
    const { user, memory } = renderChat();
    const row = async () => (await screen.findAllByTestId("thread-item")).find((i) => i.dataset.threadId === "thr_old") as HTMLElement;
    await user.click(within(await row()).getByRole("button", { name: /^Older chat/ }));
    await screen.findByText("old answer");
    await user.click(within(await row()).getByTestId("thread-rename"));
    await user.clear(screen.getByTestId("thread-rename-input"));
    await user.type(screen.getByTestId("thread-rename-input"), "Renamed{Enter}");
    await waitFor(() => expect(screen.getByRole("heading", { level: 2 }).textContent).toBe("Renamed"));

    await user.click(within(await row()).getByTestId("thread-delete"));
    await user.click(screen.getByTestId("thread-confirm-delete"));
    await waitFor(() => expect(screen.queryByText("old answer")).toBeNull());
    expect(screen.getByRole("heading", { level: 2 }).textContent).toBe("New chat");
    expect(memory.get().threadId).toBeNull();
    expect(screen.getAllByTestId("thread-item").map((i) => i.dataset.threadId)).toEqual(["thr_new"]);
  });
});
