import { act, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { App, SESSION_EXPIRED_NOTICE } from "./App";
import type { IpcFetch } from "./chatkitTransport";
import { notifySessionEnded } from "./ipc";
import { calls, handlers, resetTauriMock } from "./test/tauriMock";

vi.mock("@tauri-apps/api/core", () => import("./test/tauriMock"));
vi.mock("@tauri-apps/api/event", () => import("./test/tauriMock"));

const ada = {
  id: "u1",
  name: "Ada Lovelace",
  email: "ada@example.com",
  emailVerified: false,
  image: null,
  createdAt: "2026-11-21T10:00:00Z",
  updatedAt: "2026-11-21T10:00:00Z",
};

function fakeFetch(): IpcFetch {
  const f = async () => Response.json({ data: [], has_more: false });
  return Object.assign(f, { clearToken: vi.fn() });
}

beforeEach(() => {
  resetTauriMock();
  handlers.tasks_list = () => [];
  handlers.settings_get = () => ({
    database: { kind: "sqlite" },
    provider: { kind: "offline", model: null, baseUrl: null, apiKeySet: false },
    jwtMode: "hs256",
    chatkitDomainKey: "",
    chatBackend: { kind: "local" },
    reminders: true,
    quickAddShortcut: "CommandOrControl+Alt+N",
    logLevel: "info",
  });
});

describe("App", () => {
  it("shows sign-in with the expiry notice when the stored session ended", async () => {
    handlers.current_session = () => {
      throw { kind: "SESSION_EXPIRED", message: "The session expired." };
    };
    render(<App fetch={fakeFetch()} builtinChatOnly />);
    expect((await screen.findByTestId("auth-notice")).textContent).toBe(SESSION_EXPIRED_NOTICE);
    expect(screen.getByTestId("signin-email")).toBeTruthy();
  });

  it("shows sign-in without a notice when never signed in, then the chat after signing in", async () => {
    const user = userEvent.setup();
    handlers.current_session = () => null;
    handlers.sign_in = () => ({ user: ada });
    render(<App fetch={fakeFetch()} builtinChatOnly />);
    await screen.findByTestId("auth-page");
    expect(screen.queryByTestId("auth-notice")).toBeNull();
    await user.type(screen.getByTestId("signin-email"), "ada@example.com");
    await user.type(screen.getByTestId("signin-password"), "12345678");
    await user.click(screen.getByTestId("signin-submit"));
    expect((await screen.findByTestId("user-name")).textContent).toBe("Ada Lovelace");
    expect(calls("sign_in")).toEqual([{ email: "ada@example.com", password: "12345678" }]);
    expect(screen.getByTestId("chat-page")).toBeTruthy();
  });

  it("shows the email for a user without a name (the web version allows one)", async () => {
    handlers.current_session = () => ({ user: { ...ada, name: "" } });
    render(<App fetch={fakeFetch()} builtinChatOnly />);
    expect((await screen.findByTestId("user-name")).textContent).toBe("ada@example.com");
    expect(document.querySelector(".user-email")).toBeNull();
  });

  it("keeps the unsent draft through a session expiry and a new sign-in; sign-out clears it", async () => {
    const user = userEvent.setup();
    handlers.current_session = () => ({ user: ada });
    handlers.sign_in = () => ({ user: ada });
    handlers.sign_out = () => null;
    render(<App fetch={fakeFetch()} builtinChatOnly />);
    await screen.findByTestId("builtin-chat");
    await user.type(screen.getByTestId("composer-input"), "remember the eggs");

    act(() => notifySessionEnded()); // e.g. a chat request got 401
    expect((await screen.findByTestId("auth-notice")).textContent).toBe(SESSION_EXPIRED_NOTICE);
    expect(screen.queryByTestId("chat-page")).toBeNull();

    await user.type(screen.getByTestId("signin-email"), "ada@example.com");
    await user.type(screen.getByTestId("signin-password"), "12345678");
    await user.click(screen.getByTestId("signin-submit"));
    await screen.findByTestId("builtin-chat");
    expect((screen.getByTestId("composer-input") as HTMLTextAreaElement).value).toBe("remember the eggs");

    await user.click(screen.getByTestId("sign-out"));
    await screen.findByTestId("auth-page");
    expect(calls("sign_out")).toHaveLength(1);
    expect(screen.queryByTestId("auth-notice")).toBeNull();
    handlers.sign_in = () => ({ user: ada });
    await user.type(screen.getByTestId("signin-email"), "ada@example.com");
    await user.type(screen.getByTestId("signin-password"), "12345678");
    await user.click(screen.getByTestId("signin-submit"));
    await screen.findByTestId("builtin-chat");
    expect((screen.getByTestId("composer-input") as HTMLTextAreaElement).value).toBe("");
  });

  it("a task command failing with SESSION_EXPIRED also returns to sign-in", async () => {
    handlers.current_session = () => ({ user: ada });
    handlers.tasks_list = () => {
      throw { kind: "SESSION_EXPIRED", message: "The session expired." };
    };
    render(<App fetch={fakeFetch()} builtinChatOnly />);
    await waitFor(() => expect(screen.getByTestId("auth-notice").textContent).toBe(SESSION_EXPIRED_NOTICE));
  });
});
