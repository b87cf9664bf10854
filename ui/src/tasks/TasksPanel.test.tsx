import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Task } from "../bindings";
import { installListLayout, ROW_PX, VIEWPORT_PX } from "../test/layout";
import { calls, handlers, resetTauriMock } from "../test/tauriMock";
import { TasksPanel } from "./TasksPanel";

installListLayout();

vi.mock("@tauri-apps/api/core", () => import("../test/tauriMock"));
vi.mock("@tauri-apps/api/event", () => import("../test/tauriMock"));

const task = (id: number, title: string, completed = false, due: Partial<Task> = {}): Task => ({
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
  ...due,
});

const counts = { all: 2, overdue: 0, today: 0, week: 0, none: 2 };

let db: Task[];

beforeEach(() => {
  resetTauriMock();
  db = [task(2, "Buy milk"), task(1, "Call mom", true)];
  handlers.tasks_list = (a) =>
    db.filter((t) => a?.status === "all" || (a?.status === "completed") === t.completed);
  handlers.tasks_counts = () => counts;
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
    expect(calls("tasks_list").at(-1)).toEqual({ status: "pending", due: null, priority: null, query: null, sort: "created", offset: 0 });
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
    expect(calls("task_add")).toEqual([{ title: "Water plants", description: null, due: null, priority: "none" }]);
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

  it("shows due chips, priority marks and groups, red when overdue", async () => {
    const now = new Date();
    const day = (offset: number) => {
      const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() + offset);
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}T00:00:00Z`;
    };
    db = [
      task(5, "Pay rent", false, { due_at: day(-2), due_all_day: true, priority: "high" }),
      task(4, "Call bank", false, { due_at: day(0), due_all_day: true }),
      task(3, "Book trip", false, { due_at: day(1), due_all_day: true, priority: "low" }),
      task(2, "Buy milk"),
    ];
    render(<TasksPanel refreshSignal={0} />);
    await waitFor(() => expect(rows()).toHaveLength(4));
    // A group's one row: the one after its heading in the list.
    const group = (key: string) => {
      const items = [...screen.getByRole("list", { name: "Tasks" }).children];
      const heading = items.indexOf(screen.getByTestId(`task-group-${key}`));
      expect(items[heading + 2]?.getAttribute("data-testid") ?? `task-group-`).toMatch(/^task-group-/);
      return within(items[heading + 1] as HTMLElement);
    };
    expect(group("overdue").getByText("Pay rent")).toBeTruthy();
    expect(group("today").getByTestId("task-due").textContent).toBe("Today");
    expect(group("upcoming").getByTestId("task-due").textContent).toBe("Tomorrow");
    expect(group("none").getByText("Buy milk")).toBeTruthy();
    const overdue = group("overdue").getByTestId("task-due");
    expect([overdue.getAttribute("data-overdue"), overdue.className]).toEqual(["true", "due-chip overdue"]);
    expect(group("overdue").getByTestId("task-priority").getAttribute("aria-label")).toBe("High priority");
    expect(screen.getByTestId("task-due-filter-none").textContent).toBe("No date 2");
  });

  it("filters by due, searches, sorts and pages through the core", async () => {
    const user = userEvent.setup();
    handlers.tasks_list = (a) => (a?.offset === 0 ? Array.from({ length: 500 }, (_, i) => task(1000 - i, `t${i}`)) : [task(1, "last one")]);
    render(<TasksPanel refreshSignal={0} />);
    const setSize = () => rows()[0]?.getAttribute("aria-setsize");
    await waitFor(() => expect(setSize()).toBe("500"));
    // Virtualised: a screenful of the 500 rows is in the page.
    expect(rows().length).toBeLessThan(VIEWPORT_PX / ROW_PX + 2 * 8 + 4);
    expect(rows()[0].getAttribute("aria-posinset")).toBe("1");
    await user.click(screen.getByTestId("tasks-more"));
    await waitFor(() => expect(setSize()).toBe("501"));
    // Scrolled to the end, the last task is there.
    const panel = screen.getByTestId("tasks-panel");
    act(() => {
      panel.scrollTop = panel.scrollHeight;
      fireEvent.scroll(panel);
    });
    await waitFor(() => expect(rows().at(-1)?.textContent).toContain("last one"));
    expect(rows().at(-1)?.getAttribute("aria-posinset")).toBe("501");
    expect(rows().length).toBeLessThan(VIEWPORT_PX / ROW_PX + 2 * 8 + 4);
    expect(calls("tasks_list").at(-1)).toMatchObject({ offset: 500 });
    expect(screen.queryByTestId("tasks-more")).toBeNull();

    handlers.tasks_list = () => [];
    await user.click(screen.getByTestId("task-due-filter-overdue"));
    await user.selectOptions(screen.getByTestId("task-sort"), "due");
    await user.type(screen.getByTestId("task-search"), "milk");
    await waitFor(() =>
      expect(calls("tasks_list").at(-1)).toEqual({ status: "all", due: "overdue", priority: null, query: "milk", sort: "due", offset: 0 }),
    );
    expect(calls("tasks_counts").at(-1)).toEqual({ status: "all", priority: null, query: "milk" });
    expect(await screen.findByText("No tasks match.")).toBeTruthy();
  });

  it("sets a due date and time and a priority in the editor, and clears them", async () => {
    const user = userEvent.setup();
    handlers.task_schedule = (a) => task(2, "Buy milk", false, { priority: a?.priority as Task["priority"] });
    render(<TasksPanel refreshSignal={0} />);
    await waitFor(() => expect(rows()).toHaveLength(2));
    const milk = () => rows().find((r) => r.getAttribute("data-task-id") === "2")!;
    await user.click(within(milk()).getByTestId("task-schedule"));
    await user.type(within(milk()).getByTestId("task-due-date"), "2026-12-24");
    await user.type(within(milk()).getByTestId("task-due-time"), "17:00");
    await user.selectOptions(within(milk()).getByTestId("task-priority-select"), "high");
    await user.click(within(milk()).getByTestId("task-schedule-save"));
    await waitFor(() => expect(calls("task_schedule")).toEqual([{ id: 2, due: "2026-12-24T17:00", priority: "high" }]));
    await waitFor(() => expect(within(milk()).queryByTestId("task-schedule-editor")).toBeNull());

    await user.click(within(milk()).getByTestId("task-schedule"));
    await user.click(within(milk()).getByTestId("task-due-clear"));
    await user.click(within(milk()).getByTestId("task-schedule-save"));
    await waitFor(() => expect(calls("task_schedule").at(-1)).toEqual({ id: 2, due: null, priority: "none" }));
  });
});
