import { readFileSync } from "node:fs";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { chatViewPreference } from "./chatView";
import { AppearanceSettings } from "./settings/AppearanceSettings";
import { COLOR_SCHEME_KEY, colorSchemePreference, followColorScheme, resolvedColorScheme } from "./useColorScheme";

/** A controllable `prefers-color-scheme: dark`. */
function fakeSystem(dark: boolean) {
  const listeners = new Set<() => void>();
  const mql = {
    get matches() {
      return dark;
    },
    addEventListener: (_: string, l: () => void) => listeners.add(l),
    removeEventListener: (_: string, l: () => void) => listeners.delete(l),
  };
  vi.stubGlobal("matchMedia", vi.fn(() => mql));
  return {
    set(v: boolean) {
      dark = v;
      listeners.forEach((l) => l());
    },
  };
}

const root = document.documentElement;
// Vitest runs from ui/.
const prePaint = readFileSync("public/color-scheme.js", "utf8");

beforeEach(() => {
  delete root.dataset.theme;
  root.style.colorScheme = "";
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("colour scheme", () => {
  it("follows the system by default, live", () => {
    const system = fakeSystem(true);
    const stop = followColorScheme();
    expect(colorSchemePreference.get()).toBe("system");
    expect(root.dataset.theme).toBe("dark");
    system.set(false);
    expect(root.dataset.theme).toBe("light");
    expect(root.style.colorScheme).toBe("light");
    stop();
  });

  it("applies a chosen scheme at once and remembers it across restarts", async () => {
    fakeSystem(false);
    const stop = followColorScheme();
    const user = userEvent.setup();
    const first = render(<AppearanceSettings />);
    expect((screen.getByTestId("color-scheme-system") as HTMLInputElement).checked).toBe(true);
    await user.click(screen.getByTestId("color-scheme-dark"));
    expect(root.dataset.theme).toBe("dark");
    expect(localStorage.getItem(COLOR_SCHEME_KEY)).toBe("dark");
    first.unmount();
    stop();

    // A restart: the pre-paint script, then the settings page again.
    delete root.dataset.theme;
    new Function(prePaint)();
    expect(root.dataset.theme).toBe("dark");
    render(<AppearanceSettings />);
    expect((screen.getByTestId("color-scheme-dark") as HTMLInputElement).checked).toBe(true);
  });

  it.each([
    ["dark", false, "dark"],
    ["light", true, "light"],
    ["system", true, "dark"],
    [null, false, "light"],
    ["bogus", true, "dark"],
  ] as const)("the pre-paint script and the app agree: saved %s, system dark %s → %s", (saved, systemDark, expected) => {
    fakeSystem(systemDark);
    if (saved) localStorage.setItem(COLOR_SCHEME_KEY, saved);
    new Function(prePaint)();
    expect(root.dataset.theme).toBe(expected);
    expect(root.style.colorScheme).toBe(expected);
    expect(resolvedColorScheme()).toBe(expected);
  });

  it("the chat view setting is remembered too", async () => {
    const user = userEvent.setup();
    render(<AppearanceSettings />);
    expect((screen.getByTestId("chat-view-auto") as HTMLInputElement).checked).toBe(true);
    await user.click(screen.getByTestId("chat-view-builtin"));
    expect(chatViewPreference.get()).toBe("builtin");
    expect(localStorage.getItem("tasktalk.chatView")).toBe("builtin");
  });
});
