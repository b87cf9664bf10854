import { useSyncExternalStore } from "react";
import { localPreference } from "./localPreference";

export type ColorScheme = "light" | "dark";
export type ColorSchemePreference = "system" | "light" | "dark";

/** Also read by `public/color-scheme.js`, which applies it before the first paint. */
export const COLOR_SCHEME_KEY = "tasktalk.colorScheme";

export const colorSchemePreference = localPreference<ColorSchemePreference>(COLOR_SCHEME_KEY, ["system", "light", "dark"], "system");

const QUERY = "(prefers-color-scheme: dark)";

function media(): MediaQueryList | null {
  return typeof window !== "undefined" && typeof window.matchMedia === "function" ? window.matchMedia(QUERY) : null;
}

function subscribe(cb: () => void): () => void {
  const m = media();
  m?.addEventListener("change", cb);
  const off = colorSchemePreference.subscribe(cb);
  return () => {
    m?.removeEventListener("change", cb);
    off();
  };
}

/** The scheme in effect: the chosen one, or the system's. */
export function resolvedColorScheme(): ColorScheme {
  const p = colorSchemePreference.get();
  if (p !== "system") return p;
  return media()?.matches ? "dark" : "light";
}

/** The colour scheme in effect (the setting, or the system's preference), live. */
export function useColorScheme(): ColorScheme {
  return useSyncExternalStore(subscribe, resolvedColorScheme, () => "light");
}

/** Sets `data-theme` (the stylesheet's switch) and the native widgets' scheme. */
export function applyColorScheme(root: HTMLElement = document.documentElement): void {
  const scheme = resolvedColorScheme();
  root.dataset.theme = scheme;
  root.style.colorScheme = scheme;
}

/** Keeps the page's scheme in step with the setting and the system; returns the stop function. */
export function followColorScheme(root: HTMLElement = document.documentElement): () => void {
  applyColorScheme(root);
  return subscribe(() => applyColorScheme(root));
}
