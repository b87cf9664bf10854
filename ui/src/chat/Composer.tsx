import { useEffect, useLayoutEffect, useRef, type KeyboardEvent } from "react";
import { useChatMemory, type ChatMemoryStore } from "../draft";

export type ComposerProps = {
  memory: ChatMemoryStore;
  sending: boolean;
  canStop: boolean;
  onSend: (text: string) => void;
  onStop: () => void;
};

const MAX_HEIGHT = 200;

export function Composer({ memory, sending, canStop, onSend, onStop }: ComposerProps) {
  const { draft } = useChatMemory(memory);
  const ref = useRef<HTMLTextAreaElement>(null);

  // Grow with the text, up to a limit.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT)}px`;
  }, [draft]);

  // Give the focus back when an answer is over.
  useEffect(() => {
    if (!sending) ref.current?.focus();
  }, [sending]);

  function send() {
    if (sending) return;
    const text = draft.trim();
    if (!text) return;
    onSend(text);
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  }

  return (
    <form
      className="composer"
      aria-label="Write a message"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <label htmlFor="composer-input" className="visually-hidden">
        Message
      </label>
      <textarea
        id="composer-input"
        ref={ref}
        rows={1}
        value={draft}
        placeholder="Ask about your tasks… (Enter to send, Shift+Enter for a new line)"
        onChange={(e) => memory.set({ draft: e.target.value })}
        onKeyDown={onKeyDown}
        disabled={sending}
        data-testid="composer-input"
      />
      {sending && canStop && (
        <button type="button" className="btn" onClick={onStop} title="Stop (Esc)" aria-keyshortcuts="Escape" data-testid="composer-stop">
          Stop
        </button>
      )}
      <button type="submit" className="btn btn-primary" disabled={sending} data-testid="composer-send">
        Send
      </button>
    </form>
  );
}
