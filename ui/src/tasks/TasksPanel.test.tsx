import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Task } from "../bindings";
import { calls, handlers, resetTauriMock } from "../test/tauriMock";
import { TasksPanel } from "./TasksPanel";

vi.mock("@tauri-apps/api/core", () => import("../test/tauriMock"));
vi.mock("@tauri-apps/api/event", () => import("../test/tauriMock"));

const task = (id: number, title: string, completed = false): Task => ({
  id,
  title,
  description: null,
  completed,
  created_at: "2026-11-21T10:00:00Z",
  updated_at: "2026-11-21T10:00:00Z",
  due_at: null,
  due_all_day: false,
  priority: "none",
  remind_at: null,
  completed_at: null,
});

let db: Task[];

beforeEach(() => {
  resetTauriMock();
  db = [task(2, "Buy milk"), task(1, "Call mom", true)];
  handlers.tasks_list = (a) =>
    db.filter((t) => a?.status === "all" || (a?.status === "completed") === t.completed);
});

const rows = () => screen.queryAllByTestId("task-row");

describe("TasksPanel", () => {
  it("lists, filters and shows empty states", async () => {
    const user = userEvent.setup();
    render(<TasksPanel refreshSignal={0} />);
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(rows().map((r) => [r.getAttribute("data-task-id"), r.getAttribute("data-completed")])).toEqual([
      ["2", "false"],
      ["1", "true"],
    ]);
    await user.click(screen.getByTestId("task-filter-pending"));
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(calls("tasks_list").at(-1)).toEqual({ status: "pending" });
    db = [];
    await user.click(screen.getByTestId("task-filter-completed"));
    expect(await screen.findByText("No finished tasks yet.")).toBeTruthy();
  });

  it("reloads when the refresh signal changes", async () => {
    const { rerender } = render(<TasksPanel refreshSignal={0} />);
    await waitFor(() => expect(rows()).toHaveLength(2));
    db = [task(3, "New from chat"), ...db];
    rerender(<TasksPanel refreshSignal={1} />);
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(rows()[0].textContent).toContain("New from chat");
  });

  it("toggles optimistically and reverts with an inline error on failure", async () => {
    const user = userEvent.setup();
    let release!: () => void;
    handlers.task_set_completed = () =>
      new Promise((_, reject) => (release = () => reject({ kind: "TASK_NOT_FOUND", message: "That task no longer exists." })));
    render(<TasksPanel refreshSignal={0} />);
    await waitFor(() => expect(rows()).toHaveLength(2));
    await user.click(within(rows()[0]).getByTestId("task-checkbox"));
    expect(rows()[0].getAttribute("data-completed")).toBe("true"); // before the answer
    expect(calls("task_set_completed")).toEqual([{ id: 2, completed: true }]);
    release();
    expect((await screen.findByTestId("tasks-error")).textContent).toBe("That task no longer exists.");
    expect(rows()[0].getAttribute("data-completed")).toBe("false");
  });

  it("adds, renames with Enter, cancels with Escape, and deletes", async () => {
    const user = userEvent.setup();
    handlers.task_add = (a) => task(9, String(a?.title));
    handlers.task_update = (a) => ({ ...task(2, String(a?.title)) });
    handlers.task_delete = () => null;
    render(<TasksPanel refreshSignal={0} />);
    await waitFor(() => expect(rows()).toHaveLength(2));

    await user.click(screen.getByTestId("task-add-submit"));
    expect(screen.getByTestId("tasks-error").textContent).toMatch(/needs a title/);
    expect(calls("task_add")).toHaveLength(0);

    await user.type(screen.getByTestId("task-add-input"), "  Water plants {Enter}");
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(calls("task_add")).toEqual([{ title: "Water plants", description: null }]);
    expect(rows()[0].getAttribute("data-task-id")).toBe("9");
    expect(screen.queryByTestId("tasks-error")).toBeNull();

    const milk = () => rows().find((r) => r.getAttribute("data-task-id") === "2")!;
    await user.dblClick(within(milk()).getByTestId("task-title"));
    const edit = within(milk()).getByTestId("task-title") as HTMLInputElement;
    await user.clear(edit);
    await user.type(edit, "Buy oat milk{Escape}");
    expect(calls("task_update")).toHaveLength(0);
    expect(within(milk()).getByTestId("task-title").textContent).toBe("Buy milk");

    await user.click(within(milk()).getByTestId("task-edit"));
    const edit2 = within(milk()).getByTestId("task-title") as HTMLInputElement;
    await user.clear(edit2);
    await user.type(edit2, "Buy oat milk{Enter}");
    await waitFor(() => expect(within(milk()).getByTestId("task-title").textContent).toBe("Buy oat milk"));
    expect(calls("task_update")).toEqual([{ id: 2, title: "Buy oat milk", description: null }]);

    await user.click(within(milk()).getByTestId("task-delete"));
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(calls("task_delete")).toEqual([{ id: 2 }]);
  });
});
