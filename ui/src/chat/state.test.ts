// @vitest-environment node
import { describe, expect, it } from "vitest";
import type { StreamEvent, ThreadItem } from "./protocol";
import { chatReducer, DEFAULT_STREAM_ERROR, initialChatState, lastUserMessage, type ChatState } from "./state";

const T = "2026-11-21T23:16:12.723281";
const thread = { id: "thr_1", created_at: T, status: { type: "active" } };
const userItem: ThreadItem = {
  id: "msg_u1",
  thread_id: "thr_1",
  created_at: T,
  type: "user_message",
  content: [{ type: "input_text", text: "add a task to buy milk" }],
};
const assistantEmpty: ThreadItem = { id: "msg_a1", thread_id: "thr_1", created_at: T, type: "assistant_message", content: [] };
const delta = (d: string): StreamEvent => ({
  type: "thread.item.updated",
  item_id: "msg_a1",
  update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta: d },
});
const taskItem = (status: "loading" | "complete", title: string): ThreadItem => ({
  id: "tsk_1",
  thread_id: "thr_1",
  created_at: T,
  type: "task",
  task: { type: "custom", title, status_indicator: status },
});

function apply(state: ChatState, ...events: StreamEvent[]): ChatState {
  return chatReducer(state, { type: "events", events });
}

describe("chatReducer", () => {
  it("applies a realistic first turn", () => {
    let s = chatReducer(initialChatState, { type: "send", text: "add a task to buy milk", localId: "local-1" });
    expect(s.streaming).toBe(true);
    expect(s.messages).toEqual([{ kind: "user", id: "local-1", text: "add a task to buy milk", pending: true }]);

    s = apply(
      s,
      { type: "thread.created", thread: { ...thread } },
      { type: "thread.item.done", item: userItem },
      { type: "stream_options", stream_options: { allow_cancel: false } },
      { type: "thread.updated", thread: { ...thread, title: "Buy milk" } },
    );
    expect(s.threadId).toBe("thr_1");
    expect(s.title).toBe("Buy milk");
    expect(s.allowCancel).toBe(false);
    // The optimistic message was replaced by the stored one, not duplicated.
    expect(s.messages).toEqual([{ kind: "user", id: "msg_u1", text: "add a task to buy milk", pending: false }]);

    // A tool runs: spinner, then a check mark with the outcome.
    s = apply(s, { type: "thread.item.added", item: taskItem("loading", "Running add_task…") });
    expect(s.messages[1]).toEqual({ kind: "tool", id: "tsk_1", title: "Running add_task…", status: "loading" });
    s = apply(
      s,
      { type: "thread.item.done", item: taskItem("complete", "Added task 7: buy milk") },
      { type: "client_effect", name: "tasks.changed", data: {} },
    );
    expect(s.messages[1]).toEqual({ kind: "tool", id: "tsk_1", title: "Added task 7: buy milk", status: "complete" });
    expect(s.messages).toHaveLength(2);
    expect(s.tasksChanged).toBe(1);

    // The answer streams in.
    s = apply(
      s,
      { type: "thread.item.added", item: assistantEmpty },
      {
        type: "thread.item.updated",
        item_id: "msg_a1",
        update: { type: "assistant_message.content_part.added", content_index: 0, content: { type: "output_text", text: "", annotations: [] } },
      },
      delta("I added "),
      delta("“buy milk”"),
    );
    expect(s.messages[2]).toEqual({ kind: "assistant", id: "msg_a1", parts: ["I added “buy milk”"], streaming: true });
    s = apply(s, delta(".\nAnything else?"));
    expect(s.messages[2]).toMatchObject({ parts: ["I added “buy milk”.\nAnything else?"], streaming: true });

    s = apply(
      s,
      {
        type: "thread.item.updated",
        item_id: "msg_a1",
        update: {
          type: "assistant_message.content_part.done",
          content_index: 0,
          content: { type: "output_text", text: "I added “buy milk”.\nAnything else?", annotations: [] },
        },
      },
      {
        type: "thread.item.done",
        item: { ...assistantEmpty, content: [{ type: "output_text", text: "I added “buy milk”.\nAnything else?", annotations: [] }] },
      },
    );
    expect(s.messages[2]).toEqual({ kind: "assistant", id: "msg_a1", parts: ["I added “buy milk”.\nAnything else?"], streaming: false });
    expect(s.streaming).toBe(true); // until the stream itself ends
    expect(s.error).toBeNull();

    s = chatReducer(s, { type: "stream_end" });
    expect(s.streaming).toBe(false);
    expect(s.messages.map((m) => m.kind)).toEqual(["user", "tool", "assistant"]);
  });

  it("shows an error event, with retry only when allowed, and retry truncates after the user message", () => {
    let s = chatReducer(initialChatState, { type: "send", text: "hi", localId: "local-1" });
    s = apply(
      s,
      { type: "thread.created", thread },
      { type: "thread.item.done", item: { ...userItem, content: [{ type: "input_text", text: "hi" }] } },
      { type: "thread.item.added", item: assistantEmpty },
      delta("Partial"),
      { type: "error", code: "custom", message: "The model provider is not reachable.", allow_retry: true },
    );
    expect(s.error).toEqual({ message: "The model provider is not reachable.", allowRetry: true });
    s = chatReducer(s, { type: "stream_end" });
    // The partial answer stays but stops "streaming".
    expect(s.messages[1]).toMatchObject({ kind: "assistant", parts: ["Partial"], streaming: false });
    expect(lastUserMessage(s)?.id).toBe("msg_u1");

    s = chatReducer(s, { type: "retry", afterItemId: "msg_u1" });
    expect(s.error).toBeNull();
    expect(s.streaming).toBe(true);
    expect(s.messages.map((m) => m.id)).toEqual(["msg_u1"]);

    const noRetry = apply(s, { type: "error", code: "stream.error" });
    expect(noRetry.error).toEqual({ message: DEFAULT_STREAM_ERROR, allowRetry: false });
  });

  it("a failed or stopped stream settles spinners and streaming flags", () => {
    let s = chatReducer(initialChatState, { type: "send", text: "x", localId: "local-1" });
    s = apply(s, { type: "thread.item.added", item: taskItem("loading", "Running list_tasks…") }, { type: "progress_update", text: "Looking…" });
    expect(s.progress).toBe("Looking…");
    s = chatReducer(s, { type: "stream_failed", message: "Network down", allowRetry: true });
    expect(s.streaming).toBe(false);
    expect(s.progress).toBeNull();
    expect(s.error).toEqual({ message: "Network down", allowRetry: true });
    expect(s.messages[1]).toMatchObject({ kind: "tool", status: "none" });
    // The user message was never stored: it stays pending (Retry sends it again).
    expect(lastUserMessage(s)).toMatchObject({ id: "local-1", pending: true });
  });

  it("opens a thread from items.list and ignores hidden or unknown items", () => {
    let s = chatReducer(initialChatState, { type: "open_start", threadId: "thr_1", title: "Groceries" });
    expect(s.loading).toBe(true);
    s = chatReducer(s, {
      type: "opened",
      threadId: "thr_1",
      title: null,
      items: [
        userItem,
        taskItem("complete", "Added task 7"),
        { id: "w1", thread_id: "thr_1", created_at: T, type: "widget", widget: {} },
        { ...assistantEmpty, content: [{ type: "output_text", text: "Done." }] },
      ],
    });
    expect(s.loading).toBe(false);
    expect(s.title).toBe("Groceries");
    expect(s.messages).toEqual([
      { kind: "user", id: "msg_u1", text: "add a task to buy milk", pending: false },
      { kind: "tool", id: "tsk_1", title: "Added task 7", status: "complete" },
      { kind: "assistant", id: "msg_a1", parts: ["Done."], streaming: false },
    ]);
    // A late answer for another thread is dropped.
    const other = chatReducer(s, { type: "opened", threadId: "thr_2", title: "X", items: [] });
    expect(other).toBe(s);
  });

  it("ignores title updates of other threads and removes items on thread.item.removed", () => {
    let s = apply(initialChatState, { type: "thread.created", thread: { ...thread, title: "A" } }, { type: "thread.item.done", item: userItem });
    s = apply(s, { type: "thread.updated", thread: { ...thread, id: "thr_other", title: "B" } });
    expect(s.title).toBe("A");
    s = apply(s, { type: "thread.item.removed", item_id: "msg_u1" });
    expect(s.messages).toEqual([]);
  });
});
