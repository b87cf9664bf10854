// The chat's unsent draft and open thread: owned by the App so they survive a
// session expiry -> sign-in -> back, mirrored in sessionStorage (a draft is not
// sensitive; it is gone when the window closes). A tiny external store so that
// typing re-renders only the composer, not the whole chat.

import { useSyncExternalStore } from "react";

export type ChatMemory = { draft: string; threadId: string | null };

export interface ChatMemoryStore {
  get(): ChatMemory;
  set(patch: Partial<ChatMemory>): void;
  clear(): void;
  subscribe(listener: () => void): () => void;
}

const KEY = "tasktalk.chat";

function storage(): Storage | null {
  try {
    return typeof sessionStorage === "undefined" ? null : sessionStorage;
  } catch {
    return null;
  }
}

function load(): ChatMemory {
  try {
    const raw = storage()?.getItem(KEY);
    if (raw) {
      const v = JSON.parse(raw) as Partial<ChatMemory>;
      return {
        draft: typeof v.draft === "string" ? v.draft : "",
        threadId: typeof v.threadId === "string" ? v.threadId : null,
      };
    }
  } catch {
    /* ignore a corrupt entry */
  }
  return { draft: "", threadId: null };
}

export function createChatMemoryStore(): ChatMemoryStore {
  let value = load();
  const listeners = new Set<() => void>();
  let saveTimer: ReturnType<typeof setTimeout> | null = null;

  function save() {
    saveTimer = null;
    try {
      storage()?.setItem(KEY, JSON.stringify(value));
    } catch {
      /* storage full or disabled: the in-memory copy still works */
    }
  }

  return {
    get: () => value,
    set(patch) {
      const next = { ...value, ...patch };
      if (next.draft === value.draft && next.threadId === value.threadId) return;
      value = next;
      if (saveTimer === null) saveTimer = setTimeout(save, 150);
      for (const l of listeners) l();
    },
    clear() {
      value = { draft: "", threadId: null };
      if (saveTimer !== null) clearTimeout(saveTimer);
      saveTimer = null;
      try {
        storage()?.removeItem(KEY);
      } catch {
        /* ignore */
      }
      for (const l of listeners) l();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function useChatMemory(store: ChatMemoryStore): ChatMemory {
  return useSyncExternalStore(store.subscribe, store.get, store.get);
}
