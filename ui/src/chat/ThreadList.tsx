import { memo, useEffect, useRef, useState, type KeyboardEvent } from "react";
import { SEARCH_MAX_CHARS, TITLE_MAX_CHARS, type ThreadMeta } from "./protocol";
import { messageOf, type ThreadsApi } from "./useThreads";

/** When the thread was last active (its creation for a server that does not say). */
function activity(t: ThreadMeta): Date {
  return new Date(t.metadata?.updated_at ?? t.created_at);
}

function when(d: Date): string {
  if (Number.isNaN(d.getTime())) return "";
  const sameDay = d.toDateString() === new Date().toDateString();
  return sameDay
    ? d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })
    : d.toLocaleDateString(undefined, { month: "short", day: "numeric" });
}

export type ThreadGroup = { label: "Today" | "Yesterday" | "Older"; threads: ThreadMeta[] };

/** Today / Yesterday / Older by last activity in the local time zone, the latest first; empty groups left out. */
export function groupByDay(threads: ThreadMeta[], now: Date = new Date()): ThreadGroup[] {
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1).getTime();
  const groups: ThreadGroup[] = [
    { label: "Today", threads: [] },
    { label: "Yesterday", threads: [] },
    { label: "Older", threads: [] },
  ];
  const latestFirst = threads.slice().sort((a, b) => activity(b).getTime() - activity(a).getTime());
  for (const t of latestFirst) {
    const at = activity(t).getTime();
    groups[at >= today ? 0 : at >= yesterday ? 1 : 2].threads.push(t);
  }
  return groups.filter((g) => g.threads.length > 0);
}

/** Moves focus to the previous or next thread of the list (arrow keys). */
function moveFocus(nav: HTMLElement | null, from: Element | null, step: number) {
  const rows = Array.from(nav?.querySelectorAll<HTMLElement>("[data-thread-nav]") ?? []);
  const at = from ? rows.indexOf(from as HTMLElement) : -1;
  const next = at < 0 ? (step > 0 ? 0 : rows.length - 1) : Math.min(Math.max(at + step, 0), rows.length - 1);
  rows[next]?.focus();
}

export type ThreadListProps = {
  list: ThreadsApi;
  activeId: string | null;
  /** The view is on screen (Ctrl/Cmd+K applies). */
  active: boolean;
  onOpen: (thread: ThreadMeta) => void;
  onNew: () => void;
  onDeleted: (threadId: string) => void;
  /** Exports a conversation as Markdown to a file the person picks; resolves to its path, or null if they closed the dialog. */
  onExport?: (threadId: string) => Promise<string | null>;
};

type RowProps = {
  thread: ThreadMeta;
  current: boolean;
  list: ThreadsApi;
  onOpen: (thread: ThreadMeta) => void;
  onDeleted: (threadId: string) => void;
  onExport?: (threadId: string) => Promise<string | null>;
};

function ThreadRow({ thread, current, list, onOpen, onDeleted, onExport }: RowProps) {
  const title = thread.title || "New chat";
  const [mode, setMode] = useState<"view" | "rename" | "confirm">("view");
  const [draft, setDraft] = useState(title);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [exported, setExported] = useState<string | null>(null);
  const openRef = useRef<HTMLButtonElement>(null);

  function back() {
    setMode("view");
    setBusy(false);
    requestAnimationFrame(() => openRef.current?.focus());
  }

  async function act(what: () => Promise<void>, failure: string) {
    setBusy(true);
    setError(null);
    try {
      await what();
      return true;
    } catch (e) {
      setError(`${failure}: ${messageOf(e)}`);
      setBusy(false);
      return false;
    }
  }

  async function save() {
    const next = draft.trim();
    if (!next || next === thread.title) return back();
    if (await act(() => list.rename(thread.id, next), "Could not rename")) back();
  }

  async function exportMarkdown() {
    if (!onExport) return;
    setExported(null);
    let path: string | null = null;
    if (await act(async () => void (path = await onExport(thread.id)), "Could not export")) {
      setBusy(false);
      if (path) setExported(path);
    }
  }

  async function confirmDelete() {
    if (await act(() => list.remove(thread.id), "Could not delete")) onDeleted(thread.id);
  }

  function onRenameKey(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === "Enter") {
      e.preventDefault();
      void save();
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      back();
    }
  }

  return (
    <li data-testid="thread-item" data-thread-id={thread.id} className="thread-row">
      {mode === "rename" ? (
        <input
          className="thread-rename"
          data-testid="thread-rename-input"
          aria-label="Conversation title"
          value={draft}
          maxLength={TITLE_MAX_CHARS}
          disabled={busy}
          autoFocus
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onRenameKey}
        />
      ) : (
        <button
          ref={openRef}
          type="button"
          className="thread-btn"
          data-thread-nav=""
          aria-current={current ? "true" : undefined}
          onClick={() => onOpen(thread)}
        >
          <span className="thread-title">{title}</span>
          <span className="thread-date">{when(activity(thread))}</span>
        </button>
      )}
      {mode === "view" && (
        <span className="thread-actions">
          {onExport && (
            <button
              type="button"
              className="icon-btn"
              data-testid="thread-export"
              aria-label={`Export “${title}” as Markdown`}
              title="Export as Markdown"
              disabled={busy}
              onClick={() => void exportMarkdown()}
            >
              ⤓
            </button>
          )}
          <button
            type="button"
            className="icon-btn"
            data-testid="thread-rename"
            aria-label={`Rename “${title}”`}
            title="Rename"
            onClick={() => {
              setDraft(title);
              setError(null);
              setMode("rename");
            }}
          >
            ✎
          </button>
          <button
            type="button"
            className="icon-btn danger"
            data-testid="thread-delete"
            aria-label={`Delete “${title}”`}
            title="Delete"
            onClick={() => {
              setError(null);
              setMode("confirm");
            }}
          >
            ×
          </button>
        </span>
      )}
      {mode === "confirm" && (
        <div className="thread-confirm" role="alertdialog" aria-label="Delete conversation" data-testid="thread-confirm">
          <p className="small">Delete “{title}” and all its messages? This cannot be undone.</p>
          <button
            type="button"
            className="btn btn-small btn-danger"
            data-testid="thread-confirm-delete"
            disabled={busy}
            autoFocus
            onClick={() => void confirmDelete()}
          >
            Delete
          </button>
          <button type="button" className="btn btn-small" disabled={busy} onClick={back} onKeyDown={(e) => e.key === "Escape" && back()}>
            Cancel
          </button>
        </div>
      )}
      {error && (
        <p className="alert alert-error small" role="alert">
          {error}
        </p>
      )}
      {exported && (
        <p className="small muted thread-exported" role="status" data-testid="thread-exported">
          Saved to {exported}
        </p>
      )}
    </li>
  );
}

export const ThreadList = memo(function ThreadList({ list, activeId, active, onOpen, onNew, onDeleted, onExport }: ThreadListProps) {
  const navRef = useRef<HTMLElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const moreRef = useRef<HTMLDivElement>(null);
  const { loadMore, hasMore, threads } = list;

  // Ctrl/Cmd+K: search.
  useEffect(() => {
    if (!active) return;
    const onKey = (e: globalThis.KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === "k") {
        e.preventDefault();
        searchRef.current?.focus();
        searchRef.current?.select();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [active]);

  // The next page loads when "Load more" scrolls into view (the button stays for keyboards).
  useEffect(() => {
    const sentinel = moreRef.current;
    if (!hasMore || !sentinel || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && loadMore());
    observer.observe(sentinel);
    return () => observer.disconnect();
  }, [hasMore, loadMore, threads]);

  function onListKey(e: KeyboardEvent<HTMLElement>) {
    const target = e.target as HTMLElement;
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    if (target !== searchRef.current && !target.hasAttribute("data-thread-nav")) return;
    e.preventDefault();
    moveFocus(navRef.current, target === searchRef.current ? null : target, e.key === "ArrowDown" ? 1 : -1);
  }

  const row = (t: ThreadMeta) => (
    <ThreadRow
      key={t.id}
      thread={t}
      current={t.id === activeId}
      list={list}
      onOpen={onOpen}
      onDeleted={onDeleted}
      onExport={onExport}
    />
  );

  return (
    <nav className="thread-list" aria-label="Conversations" ref={navRef} onKeyDown={onListKey}>
      <button type="button" className="btn btn-primary new-thread" onClick={onNew} data-testid="new-thread" title="New chat (Ctrl+N)">
        + New chat
      </button>
      <input
        ref={searchRef}
        type="search"
        className="thread-search"
        data-testid="thread-search"
        placeholder="Search (Ctrl+K)"
        aria-label="Search conversations"
        maxLength={SEARCH_MAX_CHARS}
        value={list.query}
        onChange={(e) => list.setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape" && list.query) {
            e.preventDefault();
            list.setQuery("");
          }
        }}
      />
      {list.error && (
        <p className="alert alert-error" role="alert">
          {list.error}
        </p>
      )}
      {list.searching ? (
        <section aria-label="Search results" aria-busy={list.loading}>
          <ul data-testid="thread-list">{threads?.map(row)}</ul>
          {threads && threads.length === 0 && !list.loading && !list.error && (
            <p className="muted small" data-testid="search-empty">
              No conversation matches.
            </p>
          )}
        </section>
      ) : (
        <div data-testid="thread-list">
          {groupByDay(threads ?? []).map((g) => (
            <section key={g.label} aria-label={g.label} data-testid="thread-group">
              <h3 className="thread-group">{g.label}</h3>
              <ul>{g.threads.map(row)}</ul>
            </section>
          ))}
        </div>
      )}
      {hasMore && (
        <div ref={moreRef}>
          <button type="button" className="btn btn-small load-more" data-testid="thread-load-more" disabled={list.loading} onClick={loadMore}>
            {list.loading ? "Loading…" : "Load more"}
          </button>
        </div>
      )}
      {!list.searching && threads && threads.length === 0 && !list.error && <p className="muted small">No conversations yet.</p>}
    </nav>
  );
});
