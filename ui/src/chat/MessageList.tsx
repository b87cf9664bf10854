import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useLayoutEffect, useRef, useState } from "react";
import { Markdown } from "./Markdown";
import type { ChatError, ChatMessage } from "./state";

/** A first guess at a row's height; each row is measured once rendered. */
const ESTIMATED_ROW_PX = 64;
/** Rows kept rendered above and below the visible ones. */
const OVERSCAN_ROWS = 8;
/** The space between rows (the list's CSS `gap` before virtualisation). */
const ROW_GAP_PX = 10;

const MessageRow = memo(function MessageRow({ message }: { message: ChatMessage }) {
  switch (message.kind) {
    case "user":
      return (
        <div className="msg msg-user" data-testid="message-user" data-pending={message.pending ? "true" : undefined}>
          <div className="bubble">{message.text}</div>
        </div>
      );
    case "assistant": {
      const text = message.parts.join("");
      return (
        <div
          className="msg msg-assistant"
          data-testid="message-assistant"
          data-streaming={message.streaming ? "true" : undefined}
          aria-busy={message.streaming || undefined}
        >
          <div className="bubble">
            <Markdown text={text} />
            {message.streaming && !text && <span className="caret" aria-hidden="true" />}
          </div>
        </div>
      );
    }
    case "tool":
      return (
        <div className="msg msg-tool" data-testid="tool-progress" data-status={message.status}>
          {message.status === "loading" ? (
            <span className="spinner" role="img" aria-label="Running" />
          ) : message.status === "complete" ? (
            <span className="check" role="img" aria-label="Done">
              ✓
            </span>
          ) : (
            <span className="dot" aria-hidden="true">
              •
            </span>
          )}
          <span className="tool-title">{message.title}</span>
        </div>
      );
    case "notice":
      return (
        <div className={`msg msg-notice notice-${message.level}`} role="note">
          {message.title && <strong>{message.title} </strong>}
          {message.text}
        </div>
      );
  }
});

export type MessageListProps = {
  threadKey: string;
  messages: ChatMessage[];
  streaming: boolean;
  loading: boolean;
  progress: string | null;
  error: ChatError | null;
  onRetry: () => void;
  emptyHint: string;
};

export const MessageList = memo(function MessageList({
  threadKey,
  messages,
  streaming,
  loading,
  progress,
  error,
  onRetry,
  emptyHint,
}: MessageListProps) {
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  // Rows scrolled into view are old messages, not news: announced only while
  // the list follows the newest message.
  const [following, setFollowing] = useState(true);
  const lastThread = useRef(threadKey);

  // Only the rows in view (and a few around) are in the DOM: a thread of
  // thousands of messages costs what a screenful costs.
  const virtualizer = useVirtualizer({
    count: messages.length,
    getScrollElement: () => ref.current,
    estimateSize: () => ESTIMATED_ROW_PX,
    overscan: OVERSCAN_ROWS,
    gap: ROW_GAP_PX,
    getItemKey: (i) => messages[i].id,
  });
  const totalSize = virtualizer.getTotalSize();

  // Keep the newest message in view while it streams (and as rows get measured),
  // unless the person scrolled up.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (lastThread.current !== threadKey) {
      lastThread.current = threadKey;
      stick.current = true;
      setFollowing(true);
    }
    if (stick.current) el.scrollTop = el.scrollHeight;
  }, [threadKey, messages, progress, error, streaming, totalSize]);

  const last = messages[messages.length - 1];
  const waiting = streaming && !(last && last.kind === "assistant" && last.streaming);

  return (
    <div
      ref={ref}
      className="message-list"
      role="log"
      aria-live={following ? "polite" : "off"}
      aria-relevant="additions text"
      aria-label="Conversation"
      // Scrollable with the keyboard, like any scroll area.
      tabIndex={0}
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
        setFollowing(stick.current);
      }}
    >
      {loading && <p className="muted center">Loading conversation…</p>}
      {!loading && messages.length === 0 && !streaming && !error && <p className="empty center">{emptyHint}</p>}
      {messages.length > 0 && (
        <div className="message-rows" style={{ height: totalSize }}>
          {virtualizer.getVirtualItems().map((row) => (
            <div
              key={row.key}
              ref={virtualizer.measureElement}
              data-index={row.index}
              className="message-row"
              style={{ transform: `translateY(${row.start}px)` }}
            >
              <MessageRow message={messages[row.index]} />
            </div>
          ))}
        </div>
      )}
      {waiting && (
        <div className="msg msg-status" aria-label="The assistant is working">
          <span className="typing" aria-hidden="true">
            <i />
            <i />
            <i />
          </span>
          {progress && <span className="progress-text">{progress}</span>}
        </div>
      )}
      {error && (
        <div className="alert alert-error chat-error" role="alert" data-testid="chat-error">
          <span>{error.message}</span>
          {error.allowRetry && (
            <button type="button" className="btn btn-small" onClick={onRetry} data-testid="chat-retry">
              Retry
            </button>
          )}
        </div>
      )}
    </div>
  );
});
