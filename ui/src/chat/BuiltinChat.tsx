// The built-in chat view: speaks the ChatKit protocol through the same IPC fetch
// as the ChatKit element, for when the element cannot load (offline) and for the
// end-to-end tests.

import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import type { ChatMemoryStore } from "../draft";
import { ChatRequestError, isAbortError, loadThreadItems, postStream, type FetchLike } from "./client";
import { Composer } from "./Composer";
import { MessageList } from "./MessageList";
import { requests, type StreamEvent, type ThreadMeta } from "./protocol";
import { chatReducer, initialChatState, lastUserMessage, type ChatState } from "./state";
import { ThreadList } from "./ThreadList";
import { markThreadOpenStart, measureThreadOpenAfterPaint } from "./timing";
import { messageOf, useThreads } from "./useThreads";

export type BuiltinChatProps = {
  fetch: FetchLike;
  memory: ChatMemoryStore;
  onTasksChanged: () => void;
  /** The view is on screen (keyboard shortcuts apply). */
  active?: boolean;
  /** "Export as Markdown" on each conversation: resolves to the file written, or null when cancelled. */
  onExport?: (threadId: string) => Promise<string | null>;
};

function initState(memory: ChatMemoryStore): ChatState {
  const { threadId } = memory.get();
  return threadId ? { ...initialChatState, threadId, loading: true } : initialChatState;
}

let localIds = 0;

/** Esc in another text field (a task being edited, a search box) belongs to that field. */
function editingElsewhere(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement) || target.id === "composer-input") return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

export function BuiltinChat({ fetch, memory, onTasksChanged, active = true, onExport }: BuiltinChatProps) {
  const [state, dispatch] = useReducer(chatReducer, memory, initState);
  const threads = useThreads(fetch);
  const abortRef = useRef<AbortController | null>(null);
  const openSeq = useRef(0);
  const [initialThread] = useState(() => memory.get().threadId);

  // Reopen the conversation that was open before (e.g. before a session expiry).
  useEffect(() => {
    if (!initialThread) return;
    markThreadOpenStart();
    const seq = ++openSeq.current;
    loadThreadItems(fetch, initialThread).then(
      (items) => {
        if (seq === openSeq.current) dispatch({ type: "opened", threadId: initialThread, title: null, items });
      },
      () => {
        // Gone (deleted, another account): start afresh quietly.
        if (seq === openSeq.current) {
          dispatch({ type: "reset" });
          memory.set({ threadId: null });
        }
      },
    );
  }, [fetch, initialThread, memory]);

  // Stop any answer still streaming when the view goes away.
  useEffect(
    () => () => {
      const c = abortRef.current;
      abortRef.current = null;
      c?.abort();
    },
    [],
  );

  function supersede() {
    const c = abortRef.current;
    abortRef.current = null;
    c?.abort();
  }

  async function run(body: unknown, text: string) {
    supersede();
    const ctrl = new AbortController();
    abortRef.current = ctrl;
    const current = () => abortRef.current === ctrl;

    // Events are applied at most once per ~frame: a fast stream of deltas costs
    // one render per frame, not one per token.
    let queue: StreamEvent[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      if (queue.length === 0 || !current()) return;
      const events = queue;
      queue = [];
      dispatch({ type: "events", events });
    };
    const onEvent = (e: StreamEvent) => {
      if (!current()) return;
      switch (e.type) {
        case "thread.created":
          memory.set({ threadId: e.thread.id });
          threads.touched(e.thread);
          break;
        case "thread.updated":
          threads.touched(e.thread);
          break;
        case "client_effect":
          if (e.name === "tasks.changed") onTasksChanged();
          break;
      }
      queue.push(e);
      if (timer === null) timer = setTimeout(flush, 16);
    };

    try {
      await postStream(fetch, body, onEvent, ctrl.signal);
      flush();
      if (current()) dispatch({ type: "stream_end" });
    } catch (e) {
      flush();
      if (!current()) return;
      if (isAbortError(e)) {
        dispatch({ type: "stream_end" });
      } else if (e instanceof ChatRequestError && e.status === 401) {
        // Not sent: keep the words for after signing in again.
        if (!memory.get().draft) memory.set({ draft: text });
        dispatch({ type: "stream_failed", message: e.message, allowRetry: false });
      } else {
        dispatch({ type: "stream_failed", message: messageOf(e), allowRetry: true });
      }
    } finally {
      if (current()) abortRef.current = null;
    }
  }

  function send(text: string) {
    if (state.streaming || state.loading) return;
    memory.set({ draft: "" });
    dispatch({ type: "send", text, localId: `local-${++localIds}` });
    void run(state.threadId ? requests.addUserMessage(state.threadId, text) : requests.create(text), text);
  }

  function retry() {
    if (state.streaming) return;
    const last = lastUserMessage(state);
    if (!last) return;
    dispatch({ type: "retry", afterItemId: last.id });
    if (last.pending || !state.threadId) {
      // The server never stored it: send it again.
      void run(state.threadId ? requests.addUserMessage(state.threadId, last.text) : requests.create(last.text), last.text);
    } else {
      void run(requests.retryAfterItem(state.threadId, last.id), last.text);
    }
  }

  function stop() {
    abortRef.current?.abort();
  }

  function newChat() {
    supersede();
    openSeq.current++;
    dispatch({ type: "reset" });
    memory.set({ threadId: null });
    document.getElementById("composer-input")?.focus();
  }

  async function open(thread: ThreadMeta) {
    if (thread.id === state.threadId && !state.loading && !state.error) return;
    supersede();
    markThreadOpenStart();
    const seq = ++openSeq.current;
    dispatch({ type: "open_start", threadId: thread.id, title: thread.title ?? null });
    memory.set({ threadId: thread.id });
    try {
      const items = await loadThreadItems(fetch, thread.id);
      if (seq === openSeq.current) dispatch({ type: "opened", threadId: thread.id, title: thread.title ?? null, items });
    } catch (e) {
      if (seq === openSeq.current) dispatch({ type: "open_failed", message: `Could not open the conversation: ${messageOf(e)}` });
    }
  }

  // A thread's messages are on screen: time it for the end-to-end test.
  const loaded = !state.loading && state.threadId !== null;
  const loadedCount = state.messages.length;
  useEffect(() => {
    // Measures once per opening: later calls find no start mark.
    if (loaded) measureThreadOpenAfterPaint(loadedCount);
  }, [loaded, loadedCount]);

  // Ctrl+N / Cmd+N: new chat. Esc: stop the answer being written.
  const newChatRef = useRef(newChat);
  const stopRef = useRef<(() => void) | null>(null);
  const canStop = state.streaming && state.allowCancel;
  useEffect(() => {
    newChatRef.current = newChat;
    stopRef.current = canStop ? stop : null;
  });
  useEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === "n") {
        e.preventDefault();
        newChatRef.current();
      } else if (e.key === "Escape" && !e.defaultPrevented && stopRef.current && !editingElsewhere(e.target)) {
        e.preventDefault();
        stopRef.current();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [active]);

  // Back from the settings: an import there may have added conversations.
  const { reload } = threads;
  const wasActive = useRef(active);
  useEffect(() => {
    if (active && !wasActive.current) reload();
    wasActive.current = active;
  }, [active, reload]);

  const openRef = useRef(open);
  useEffect(() => {
    openRef.current = open;
  });
  const onOpen = useCallback((t: ThreadMeta) => void openRef.current(t), []);
  const onNew = useCallback(() => newChatRef.current(), []);
  const onDeleted = useCallback((id: string) => id === memory.get().threadId && newChatRef.current(), [memory]);

  // The list's title first: a rename changes it there.
  const title = (state.threadId ? threads.all?.find((t) => t.id === state.threadId)?.title : null) || state.title || "New chat";

  return (
    <div className="builtin-chat" data-testid="builtin-chat">
      <ThreadList
        list={threads}
        activeId={state.threadId}
        active={active}
        onOpen={onOpen}
        onNew={onNew}
        onDeleted={onDeleted}
        onExport={onExport}
      />
      <section className="conversation" aria-labelledby="conversation-title">
        <h2 id="conversation-title" className="conversation-title">
          {title}
        </h2>
        <MessageList
          threadKey={state.threadId ?? "new"}
          messages={state.messages}
          streaming={state.streaming}
          loading={state.loading}
          progress={state.progress}
          error={state.error}
          onRetry={retry}
          emptyHint="Ask me to add, list, complete or delete tasks — for example “add a task to buy milk”."
        />
        <Composer
          memory={memory}
          sending={state.streaming || state.loading}
          canStop={canStop}
          onSend={send}
          onStop={stop}
        />
      </section>
    </div>
  );
}
