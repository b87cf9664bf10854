import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Progress } from "../bindings";
import { calls, handlers, resetTauriMock } from "../test/tauriMock";
import { DataSection, describeImport } from "./DataSection";

vi.mock("@tauri-apps/api/core", () => import("../test/tauriMock"));
vi.mock("@tauri-apps/api/event", () => import("../test/tauriMock"));

type ProgressChannel = { onmessage: (p: Progress) => void };

/** A command that reports progress, then waits for the test to let it finish. */
function held<T>(result: T) {
  let finish: () => void = () => {};
  let channel: ProgressChannel | null = null;
  const handler = (args: Record<string, unknown> | undefined) => {
    channel = args?.progress as ProgressChannel;
    return new Promise<T>((resolve) => {
      finish = () => resolve(result);
    });
  };
  return { handler, report: (p: Progress) => channel?.onmessage(p), finish: () => finish() };
}

beforeEach(() => {
  resetTauriMock();
});

describe("DataSection", () => {
  it("shows an export's progress, then where the file went; one job at a time", async () => {
    const user = userEvent.setup();
    const job = held({ path: "/home/ann/tasktalk-export-2026-12-02.json", bytes: 2048 });
    handlers.data_export = job.handler;
    render(<DataSection />);
    await user.click(screen.getByTestId("data-export-json"));
    expect(calls("data_export")[0]?.format).toBe("json");
    const bar = screen.getByTestId("data-progress") as HTMLProgressElement;
    job.report({ done: 40, total: 160 });
    await waitFor(() => expect([bar.value, bar.max]).toEqual([40, 160]));
    expect(screen.getByTestId("data-import").hasAttribute("disabled")).toBe(true);
    job.finish();
    await waitFor(() =>
      expect(screen.getByTestId("data-status").textContent).toBe("Saved to /home/ann/tasktalk-export-2026-12-02.json"),
    );
    expect(screen.queryByTestId("data-progress")).toBeNull();
  });

  it("exports conversations as Markdown", async () => {
    const user = userEvent.setup();
    handlers.data_export = () => ({ path: "/tmp/c.md", bytes: 10 });
    render(<DataSection />);
    await user.click(screen.getByTestId("data-export-markdown"));
    expect(calls("data_export")[0]?.format).toBe("markdown");
    await waitFor(() => expect(screen.getByTestId("data-status").textContent).toBe("Saved to /tmp/c.md"));
  });

  it("says nothing when the dialog is closed", async () => {
    const user = userEvent.setup();
    handlers.data_import = () => null;
    render(<DataSection />);
    await user.click(screen.getByTestId("data-import"));
    await waitFor(() => expect(screen.getByTestId("data-import").hasAttribute("disabled")).toBe(false));
    expect(screen.getByTestId("data-status").textContent).toBe("");
    expect(screen.queryByTestId("data-error")).toBeNull();
  });

  it("reports what an import added, and a refused file with its reason", async () => {
    const user = userEvent.setup();
    handlers.data_import = () => ({ tasks_added: 3, tasks_skipped: 1, conversations_added: 1, conversations_skipped: 0, items_added: 9 });
    render(<DataSection />);
    await user.click(screen.getByTestId("data-import"));
    await waitFor(() =>
      expect(screen.getByTestId("data-status").textContent).toBe(
        "Imported 3 tasks and 1 conversation; 1 already here was left as it was.",
      ),
    );
    handlers.data_import = () => {
      throw { kind: "IMPORT_VERSION", message: "This export is in version 2 of the format; this Tasktalk reads version 1." };
    };
    await user.click(screen.getByTestId("data-import"));
    expect((await screen.findByTestId("data-error")).textContent).toContain("version 2");
    expect(screen.getByTestId("data-status").textContent).toBe("");
  });

  it("describes imports in plain words", () => {
    const none = { tasks_added: 0, tasks_skipped: 0, conversations_added: 0, conversations_skipped: 0, items_added: 0 };
    expect(describeImport(none)).toBe("Imported 0 tasks and 0 conversations.");
    expect(describeImport({ ...none, tasks_added: 1, conversations_skipped: 2 })).toBe(
      "Imported 1 task and 0 conversations; 2 already here were left as they were.",
    );
  });
});
