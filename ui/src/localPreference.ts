// Preferences of this computer's window, not of the account: kept in the web
// view's localStorage (which the app keeps across restarts) because they are
// needed synchronously before the first paint (the colour scheme) or before the
// first render (whether to contact the ChatKit CDN at all), with no IPC round
// trip, and must not follow the account to another device through a shared
// database. Nothing secret goes here.

import { useSyncExternalStore } from "react";

export type LocalPreference<T extends string> = {
  get: () => T;
  set: (value: T) => void;
  subscribe: (cb: () => void) => () => void;
  use: () => T;
};

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage disabled: the default applies
  }
}

/** A string preference limited to `allowed`; anything else stored reads as `fallback`. */
export function localPreference<T extends string>(key: string, allowed: readonly T[], fallback: T): LocalPreference<T> {
  const listeners = new Set<() => void>();
  // Used for this run when storage refuses writes.
  let unsaved: T | null = null;
  const get = (): T => {
    const v = read(key) ?? unsaved;
    return (allowed as readonly string[]).includes(v ?? "") ? (v as T) : fallback;
  };
  const notify = () => listeners.forEach((l) => l());
  const onStorage = (e: StorageEvent) => {
    if (e.key === key || e.key === null) notify();
  };
  const subscribe = (cb: () => void) => {
    listeners.add(cb);
    // Another window of the app (quick add) changed it.
    if (listeners.size === 1 && typeof window !== "undefined") window.addEventListener("storage", onStorage);
    return () => {
      listeners.delete(cb);
      if (listeners.size === 0 && typeof window !== "undefined") window.removeEventListener("storage", onStorage);
    };
  };
  const set = (value: T) => {
    try {
      localStorage.setItem(key, value);
      unsaved = null;
    } catch {
      unsaved = value;
    }
    notify();
  };
  return { get, set, subscribe, use: () => useSyncExternalStore(subscribe, get, () => fallback) };
}
