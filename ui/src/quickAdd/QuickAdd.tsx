// The quick-add window (tray → Quick add, or the global shortcut): one line of
// plain language, read by the offline assistant like a chat message that adds.
// Enter adds and the window hides a moment later; Escape hides it at once.
// Its capability (src-tauri/capabilities/quick-add.json) allows `quick_add`
// and hiding itself, nothing else.

import { getCurrentWindow } from "@tauri-apps/api/window";
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import * as ipc from "../ipc";

/** Long enough to read "Added …" before the window goes. */
export const HIDE_AFTER_MS = 1500;

type Status = { kind: "idle" } | { kind: "adding" } | { kind: "added"; reply: string } | { kind: "error"; message: string };

export type QuickAddProps = {
  /** Hides the window; injected in tests. */
  hide?: () => Promise<void>;
};

function hideWindow(): Promise<void> {
  return getCurrentWindow().hide();
}

export function QuickAdd({ hide = hideWindow }: QuickAddProps) {
  const [text, setText] = useState("");
  const [status, setStatus] = useState<Status>({ kind: "idle" });
  const input = useRef<HTMLInputElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // The window is hidden, not closed, between uses: each time it comes back
  // it starts empty with the cursor in the field.
  useEffect(() => {
    const reset = () => {
      clearTimeout(timer.current);
      setStatus((s) => (s.kind === "adding" ? s : { kind: "idle" }));
      input.current?.focus();
    };
    input.current?.focus();
    window.addEventListener("focus", reset);
    return () => {
      window.removeEventListener("focus", reset);
      clearTimeout(timer.current);
    };
  }, []);

  function close() {
    clearTimeout(timer.current);
    hide().catch(() => {
      /* the window stays; Escape again or the tray still work */
    });
  }

  async function add(e: FormEvent) {
    e.preventDefault();
    const line = text.trim();
    if (!line || status.kind === "adding") return;
    setStatus({ kind: "adding" });
    try {
      const result = await ipc.commands.quickAdd(line);
      setStatus({ kind: "added", reply: result.reply });
      setText("");
      timer.current = setTimeout(close, HIDE_AFTER_MS);
    } catch (err) {
      const error = ipc.toIpcError(err);
      setStatus({
        kind: "error",
        message: ipc.isSessionEnded(error) ? "Open Tasktalk from the tray and sign in first." : error.message,
      });
    }
  }

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === "Escape") close();
  }

  return (
    <form className="quick-add" onSubmit={add} onKeyDown={onKeyDown} data-testid="quick-add">
      <label htmlFor="quick-add-text" className="quick-add-label">
        Add a task
      </label>
      <input
        id="quick-add-text"
        ref={input}
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder="call mom tomorrow at 5pm"
        maxLength={500}
        autoComplete="off"
        aria-describedby="quick-add-status"
        data-testid="quick-add-input"
      />
      <p id="quick-add-status" role="status" className={status.kind === "error" ? "field-error" : "field-hint"} data-testid="quick-add-status">
        {status.kind === "adding" && "Adding…"}
        {status.kind === "added" && status.reply}
        {status.kind === "error" && status.message}
        {status.kind === "idle" && "Enter to add, Esc to close."}
      </p>
    </form>
  );
}
