import { useSyncExternalStore } from "react";

export type ColorScheme = "light" | "dark";

const QUERY = "(prefers-color-scheme: dark)";

function media(): MediaQueryList | null {
  return typeof window !== "undefined" && typeof window.matchMedia === "function" ? window.matchMedia(QUERY) : null;
}

function subscribe(cb: () => void): () => void {
  const m = media();
  if (!m) return () => {};
  m.addEventListener("change", cb);
  return () => m.removeEventListener("change", cb);
}

const get = (): ColorScheme => (media()?.matches ? "dark" : "light");

/** The system's light/dark preference, live. */
export function useColorScheme(): ColorScheme {
  return useSyncExternalStore(subscribe, get, () => "light");
}
