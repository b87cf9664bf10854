import { render, screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { AUTO_FALLBACK_STATUS, ChatPage, FALLBACK_NOTICE } from "./ChatPage";
import type { IpcFetch } from "./chatkitTransport";
import { CHATKIT_SCRIPT_URL, loadChatKitElement, resetChatKitLoader } from "./chatkitLoader";
import { chatKitLoadedBefore, chatViewPreference } from "./chatView";
import { createChatMemoryStore } from "./draft";
import { handlers, resetTauriMock } from "./test/tauriMock";

vi.mock("@tauri-apps/api/core", () => import("./test/tauriMock"));
vi.mock("@tauri-apps/api/event", () => import("./test/tauriMock"));
vi.mock("./chatkitLoader", async (importOriginal) => {
  const real = await importOriginal<typeof import("./chatkitLoader")>();
  return { ...real, loadChatKitElement: vi.fn(real.loadChatKitElement) };
});

function fakeFetch(): IpcFetch {
  const f = vi.fn(async () => Response.json({ data: [], has_more: false }));
  return Object.assign(f, { clearToken: vi.fn() });
}

const cdnScript = () => document.querySelector(`script[src="${CHATKIT_SCRIPT_URL}"]`);

/** One app start: the loader's memory of this run is gone, localStorage stays. */
function start(timeoutMs = 50) {
  return render(<ChatPage fetch={fakeFetch()} memory={createChatMemoryStore()} domainKey="" active chatkitTimeoutMs={timeoutMs} />);
}

const setOptions = vi.fn();
/** The CDN script "loads": the element gets defined (once per test file). */
function chatKitLoads() {
  if (customElements.get("openai-chatkit")) return;
  class FakeChatKit extends HTMLElement {
    setOptions = (o: unknown) => setOptions(o);
  }
  customElements.define("openai-chatkit", FakeChatKit);
}

beforeEach(() => {
  resetTauriMock();
  resetChatKitLoader();
  document.head.querySelectorAll("script").forEach((s) => s.remove());
  handlers.tasks_list = () => [];
});

// The failing loads first: once the element is defined it stays defined in this file.
describe("ChatPage without the ChatKit script", () => {
  it("ChatKit chosen: tries the element, then falls back to the built-in chat with a notice", async () => {
    chatViewPreference.set("chatkit");
    start();
    // The CDN script is requested, and the element is tried first.
    expect(cdnScript()).not.toBeNull();
    expect(document.querySelector("openai-chatkit")).not.toBeNull();
    expect(screen.queryByTestId("builtin-chat")).toBeNull();

    expect((await screen.findByTestId("chat-fallback-notice")).textContent).toBe(FALLBACK_NOTICE);
    expect(screen.getByTestId("builtin-chat")).toBeTruthy();
    expect(document.querySelector("openai-chatkit")).toBeNull();
    expect(screen.getByTestId("tasks-panel")).toBeTruthy();
  });

  it("Built-in chosen: never calls the loader and adds no script, even after a while", async () => {
    chatViewPreference.set("builtin");
    chatKitLoadedBefore.set("yes");
    start();
    expect(screen.getByTestId("builtin-chat")).toBeTruthy();
    await new Promise((r) => setTimeout(r, 120));
    expect(loadChatKitElement).not.toHaveBeenCalled();
    expect(cdnScript()).toBeNull();
    expect(document.querySelector("openai-chatkit")).toBeNull();
    expect(screen.queryByTestId("chat-fallback-status")).toBeNull();
  });

  it("Automatic: the built-in chat at once, a failure as a quiet status line, remembered for the run", async () => {
    const first = start();
    // First render: nothing waits on the CDN.
    expect(screen.getByTestId("builtin-chat")).toBeTruthy();
    expect(document.querySelector("openai-chatkit")).toBeNull();
    expect(cdnScript()).not.toBeNull();

    const status = await screen.findByTestId("chat-fallback-status");
    expect(status.textContent).toBe(AUTO_FALLBACK_STATUS);
    expect(status.getAttribute("role")).toBe("status");
    expect(status.className).not.toContain("alert");
    expect(screen.queryByTestId("chat-fallback-notice")).toBeNull();
    expect(chatKitLoadedBefore.get()).toBe("no");
    expect(loadChatKitElement).toHaveBeenCalledTimes(1);

    // Another visit in the same run: the status at once, no second try.
    first.unmount();
    start();
    expect(screen.getByTestId("chat-fallback-status")).toBeTruthy();
    await new Promise((r) => setTimeout(r, 80));
    expect(loadChatKitElement).toHaveBeenCalledTimes(1);
  });

  it("Automatic after a run where ChatKit loaded: a failure now keeps the built-in chat and is remembered", async () => {
    chatKitLoadedBefore.set("yes");
    start();
    expect(screen.getByTestId("builtin-chat")).toBeTruthy();
    await screen.findByTestId("chat-fallback-status");
    expect(screen.getByTestId("builtin-chat")).toBeTruthy();
    expect(chatKitLoadedBefore.get()).toBe("no");
  });
});

describe("ChatPage with the ChatKit script", () => {
  it("Automatic: a successful load is used from the next start, never under the person's feet", async () => {
    chatKitLoads();
    const first = start();
    await waitFor(() => expect(chatKitLoadedBefore.get()).toBe("yes"));
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.getByTestId("builtin-chat")).toBeTruthy();
    expect(document.querySelector("openai-chatkit")).toBeNull();
    first.unmount();

    // Next start.
    resetChatKitLoader();
    start();
    await waitFor(() => expect(document.querySelector("openai-chatkit")).not.toBeNull());
    expect(screen.queryByTestId("builtin-chat")).toBeNull();
    expect(screen.queryByTestId("chat-fallback-status")).toBeNull();
  });

  it("ChatKit chosen: uses the element with the IPC fetch and the dev domain key", async () => {
    chatKitLoads();
    chatViewPreference.set("chatkit");
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
