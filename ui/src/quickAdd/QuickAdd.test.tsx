import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { calls, handlers, resetTauriMock } from "../test/tauriMock";
import { QuickAdd } from "./QuickAdd";

vi.mock("@tauri-apps/api/core", () => import("../test/tauriMock"));
vi.mock("@tauri-apps/api/event", () => import("../test/tauriMock"));

beforeEach(() => {
  resetTauriMock();
});

describe("QuickAdd", () => {
  it("adds the line, shows the assistant's answer and hides the window", async () => {
    const user = userEvent.setup();
    const hide = vi.fn(async () => {});
    handlers.quick_add = () => ({ added: 1, reply: 'Added "call mom".' });
    render(<QuickAdd hide={hide} />);
    const input = screen.getByTestId("quick-add-input");
    expect(document.activeElement).toBe(input);
    await user.type(input, "  call mom tomorrow at 5pm {Enter}");
    expect(calls("quick_add")).toEqual([{ text: "call mom tomorrow at 5pm" }]);
    expect((await screen.findByText('Added "call mom".')).getAttribute("data-testid")).toBe("quick-add-status");
    expect((input as HTMLInputElement).value).toBe("");
    await waitFor(() => expect(hide).toHaveBeenCalledTimes(1), { timeout: 3000 });
  });

  it("keeps the line and says why when nobody is signed in; Escape hides", async () => {
    const user = userEvent.setup();
    const hide = vi.fn(async () => {});
    handlers.quick_add = () => {
      throw { kind: "SIGNED_OUT", message: "You are not signed in." };
    };
    render(<QuickAdd hide={hide} />);
    const input = screen.getByTestId("quick-add-input");
    await user.type(input, "buy milk{Enter}");
    expect((await screen.findByTestId("quick-add-status")).textContent).toContain("sign in first");
    expect((input as HTMLInputElement).value).toBe("buy milk");
    expect(hide).not.toHaveBeenCalled();
    await user.keyboard("{Escape}");
    expect(hide).toHaveBeenCalledTimes(1);
  });

  it("sends nothing for an empty line", async () => {
    const user = userEvent.setup();
    render(<QuickAdd hide={async () => {}} />);
    await user.type(screen.getByTestId("quick-add-input"), "   {Enter}");
    expect(calls("quick_add")).toEqual([]);
  });
});
