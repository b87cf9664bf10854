import { render, screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { ChatPage, FALLBACK_NOTICE } from "./ChatPage";
import type { IpcFetch } from "./chatkitTransport";
import { CHATKIT_SCRIPT_URL, resetChatKitLoader } from "./chatkitLoader";
import { createChatMemoryStore } from "./draft";
import { handlers, resetTauriMock } from "./test/tauriMock";

vi.mock("@tauri-apps/api/core", () => import("./test/tauriMock"));
vi.mock("@tauri-apps/api/event", () => import("./test/tauriMock"));

function fakeFetch(): IpcFetch {
  const f = vi.fn(async () => Response.json({ data: [], has_more: false }));
  return Object.assign(f, { clearToken: vi.fn() });
}

beforeEach(() => {
  resetTauriMock();
  resetChatKitLoader();
  handlers.tasks_list = () => [];
});

describe("ChatPage", () => {
  it("falls back to the built-in chat with a notice when the ChatKit element does not load", async () => {
    render(<ChatPage fetch={fakeFetch()} memory={createChatMemoryStore()} domainKey="" active chatkitTimeoutMs={50} />);
    // The CDN script is requested, and the element is tried first.
    const script = document.querySelector(`script[src="${CHATKIT_SCRIPT_URL}"]`);
    expect(script).not.toBeNull();
    expect(document.querySelector("openai-chatkit")).not.toBeNull();
    expect(screen.queryByTestId("builtin-chat")).toBeNull();

    expect((await screen.findByTestId("chat-fallback-notice")).textContent).toBe(FALLBACK_NOTICE);
    expect(screen.getByTestId("builtin-chat")).toBeTruthy();
    expect(document.querySelector("openai-chatkit")).toBeNull();
    expect(screen.getByTestId("tasks-panel")).toBeTruthy();
  });

  it("uses the ChatKit element when it loads, with the IPC fetch and the dev domain key", async () => {
    const setOptions = vi.fn();
    class FakeChatKit extends HTMLElement {
      setOptions = setOptions;
    }
    customElements.define("openai-chatkit", FakeChatKit);
    const fetch = fakeFetch();
    render(<ChatPage fetch={fetch} memory={createChatMemoryStore()} domainKey="" active />);
    await waitFor(() => expect(setOptions).toHaveBeenCalled());
    const options = setOptions.mock.calls.at(-1)![0];
    expect(options.api.url).toBe("https://tasktalk.local/chatkit");
    expect(options.api.domainKey).toBe("domain_pk_localhost_dev");
    // The wrapper passes a stable function that calls ours.
    await options.api.fetch("https://tasktalk.local/chatkit", { method: "POST", body: "{}" });
    expect(fetch).toHaveBeenCalledWith("https://tasktalk.local/chatkit", { method: "POST", body: "{}" });
    expect(options.theme.colorScheme).toMatch(/^(light|dark)$/);
    expect(screen.queryByTestId("chat-fallback-notice")).toBeNull();
    expect(screen.queryByTestId("builtin-chat")).toBeNull();
  });
});
