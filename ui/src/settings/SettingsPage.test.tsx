import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Settings } from "../bindings";
import { calls, handlers, resetTauriMock } from "../test/tauriMock";
import { SettingsPage } from "./SettingsPage";

vi.mock("@tauri-apps/api/core", () => import("../test/tauriMock"));
vi.mock("@tauri-apps/api/event", () => import("../test/tauriMock"));

const saved: Settings = {
  database: { kind: "sqlite" },
  provider: { kind: "openai-compatible", model: null, baseUrl: "http://localhost:11434/v1", apiKeySet: true },
  jwtMode: "hs256",
  chatkitDomainKey: "",
  chatBackend: { kind: "remote", url: "https://tasks.example/chatkit" },
  reminders: true,
  quickAddShortcut: "CommandOrControl+Alt+N",
  logLevel: "info",
};

beforeEach(() => {
  resetTauriMock();
  handlers.settings_get = () => saved;
  handlers.app_info = () => ({
    version: "0.1.0",
    database: "sqlite:/tmp/tasktalk.db",
    secretStorage: "file",
    secretStorageDetail: "",
    provider: "offline assistant",
    dataDir: "/tmp",
    mcpClientConfig: '{"mcpServers": {"tasktalk": {"command": "/usr/bin/tasktalk", "args": ["mcp"]}}}',
    logsDir: "/tmp/logs",
  });
});

describe("SettingsPage", () => {
  it("shows the MCP client configuration and copies it", async () => {
    const user = userEvent.setup();
    render(<SettingsPage onBack={() => {}} onSaved={() => {}} />);
    const config = await screen.findByTestId("settings-mcp-config");
    expect(config.textContent).toContain('"args": ["mcp"]');
    await user.click(screen.getByRole("button", { name: "Copy" }));
    expect(await navigator.clipboard.readText()).toBe(config.textContent);
    expect(screen.getByText(/Copied/)).toBeTruthy();
  });


  it("says the saved key will be forgotten when the provider's server changes, not for another path", async () => {
    const user = userEvent.setup();
    render(<SettingsPage onBack={() => {}} onSaved={() => {}} />);
    const baseUrl = await screen.findByLabelText("Base URL");
    await user.clear(baseUrl);
    await user.type(baseUrl, "http://localhost:11434/v2");
    expect(screen.queryByTestId("settings-api-key-will-drop")).toBeNull();
    await user.clear(baseUrl);
    await user.type(baseUrl, "https://elsewhere.example/v1");
    expect(screen.getByTestId("settings-api-key-will-drop").textContent).toContain("forgets it");
    await user.type(screen.getByLabelText("API key"), "sk-again");
    expect(screen.queryByTestId("settings-api-key-will-drop")).toBeNull();
  });

  it("announces the system dialog for a new chat server, and shows a declined change as an error", async () => {
    const user = userEvent.setup();
    handlers.settings_set = () => {
      throw {
        kind: "CONFIRMATION_DECLINED",
        message: "Nothing was changed: sending your sign-in token (JWT) to https://collector.example was not allowed.",
      };
    };
    render(<SettingsPage onBack={() => {}} onSaved={() => {}} />);
    const endpoint = await screen.findByLabelText("ChatKit endpoint URL");
    expect(screen.queryByTestId("settings-confirm-notice")).toBeNull();
    await user.clear(endpoint);
    await user.type(endpoint, "https://collector.example/chatkit");
    expect(screen.getByTestId("settings-confirm-notice").textContent).toContain("system dialog");
    await user.click(screen.getByTestId("settings-save"));
    expect((await screen.findByTestId("settings-error")).textContent).toContain("Nothing was changed");
  });

  it("tells that the saved key was deleted when the back end dropped it", async () => {
    const user = userEvent.setup();
    handlers.settings_set = () => ({
      settings: { ...saved, provider: { ...saved.provider, baseUrl: "https://elsewhere.example/v1", apiKeySet: false } },
      apiKeyDropped: true,
    });
    render(<SettingsPage onBack={() => {}} onSaved={() => {}} />);
    const baseUrl = await screen.findByLabelText("Base URL");
    await user.clear(baseUrl);
    await user.type(baseUrl, "https://elsewhere.example/v1");
    await user.click(screen.getByTestId("settings-save"));
    await waitFor(() => expect(screen.getByTestId("settings-api-key-dropped").textContent).toContain("deleted"));
    expect(calls("settings_set")).toHaveLength(1);
    expect(screen.queryByTestId("settings-api-key-saved")).toBeNull();
  });

  it("turns reminders off and changes the quick-add shortcut", async () => {
    const user = userEvent.setup();
    handlers.settings_set = (args) => ({ settings: (args as { settings: Settings }).settings, apiKeyDropped: false });
    render(<SettingsPage onBack={() => {}} onSaved={() => {}} />);
    const reminders = await screen.findByTestId("settings-reminders");
    expect((reminders as HTMLInputElement).checked).toBe(true);
    await user.click(reminders);
    const shortcut = screen.getByLabelText("Quick add shortcut");
    await user.clear(shortcut);
    await user.type(shortcut, " Super+Shift+Space ");
    await user.click(screen.getByTestId("settings-save"));
    await waitFor(() => expect(calls("settings_set")).toHaveLength(1));
    expect(calls("settings_set")[0]?.settings).toMatchObject({ reminders: false, quickAddShortcut: "Super+Shift+Space" });
  });

  it("saves the log detail, shows the logs folder and opens it, saying when that failed", async () => {
    const user = userEvent.setup();
    handlers.settings_set = (args) => ({ settings: (args as { settings: Settings }).settings, apiKeyDropped: false });
    handlers.open_logs_folder = () => {
      throw { kind: "OPEN_FAILED", message: "Tasktalk could not open /tmp/logs: no file manager" };
    };
    render(<SettingsPage onBack={() => {}} onSaved={() => {}} />);
    await user.selectOptions(await screen.findByTestId("settings-log-level"), "debug");
    await user.click(screen.getByTestId("settings-save"));
    await waitFor(() => expect(calls("settings_set")).toHaveLength(1));
    expect(calls("settings_set")[0]?.settings).toMatchObject({ logLevel: "debug" });

    expect((await screen.findByTestId("settings-logs-dir")).textContent).toBe("/tmp/logs");
    expect(screen.queryByTestId("open-logs-error")).toBeNull();
    await user.click(screen.getByTestId("open-logs-folder"));
    expect(calls("open_logs_folder")).toHaveLength(1);
    expect((await screen.findByTestId("open-logs-error")).textContent).toContain("could not open /tmp/logs");
  });
});
