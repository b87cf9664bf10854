import { memo } from "react";
import type { ThreadMeta } from "./protocol";

function when(createdAt: string): string {
  const d = new Date(createdAt);
  if (Number.isNaN(d.getTime())) return "";
  const sameDay = d.toDateString() === new Date().toDateString();
  return sameDay
    ? d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })
    : d.toLocaleDateString(undefined, { month: "short", day: "numeric" });
}

export type ThreadListProps = {
  threads: ThreadMeta[] | null;
  activeId: string | null;
  error: string | null;
  onOpen: (thread: ThreadMeta) => void;
  onNew: () => void;
};

export const ThreadList = memo(function ThreadList({ threads, activeId, error, onOpen, onNew }: ThreadListProps) {
  return (
    <nav className="thread-list" aria-label="Conversations">
      <button type="button" className="btn btn-primary new-thread" onClick={onNew} data-testid="new-thread" title="New chat (Ctrl+N)">
        + New chat
      </button>
      {error && (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      )}
      <ul data-testid="thread-list">
        {threads?.map((t) => (
          <li key={t.id} data-testid="thread-item" data-thread-id={t.id}>
            <button
              type="button"
              className="thread-btn"
              aria-current={t.id === activeId ? "true" : undefined}
              onClick={() => onOpen(t)}
            >
              <span className="thread-title">{t.title || "New chat"}</span>
              <span className="thread-date">{when(t.created_at)}</span>
            </button>
          </li>
        ))}
      </ul>
      {threads && threads.length === 0 && !error && <p className="muted small">No conversations yet.</p>}
    </nav>
  );
});
