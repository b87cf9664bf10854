import { describe, expect, it } from "vitest";
import type { Task } from "../bindings";
import { dueInput, dueLabel, groupOf, isOverdue } from "./dates";

const due = (due_at: string | null, due_all_day: boolean, completed = false): Task => ({
  id: 1,
  title: "t",
  description: null,
  completed,
  created_at: "2026-12-01T10:00:00Z",
  updated_at: "2026-12-01T10:00:00Z",
  due_at,
  due_all_day,
  priority: "none",
  remind_at: null,
  completed_at: null,
});

// Tuesday 1 December 2026, 12:00 local.
const now = new Date(2026, 11, 1, 12, 0);
const localIso = (d: Date) => d.toISOString();

describe("due dates", () => {
  it("names near days and spells out the others, with the time of a timed due", () => {
    expect(dueLabel(due("2026-12-01T00:00:00Z", true), now)).toBe("Today");
    expect(dueLabel(due("2026-12-02T00:00:00Z", true), now)).toBe("Tomorrow");
    expect(dueLabel(due("2026-11-30T00:00:00Z", true), now)).toBe("Yesterday");
    expect(dueLabel(due("2026-12-04T00:00:00Z", true), now)).toBe("Fri 4 Dec");
    expect(dueLabel(due("2027-01-05T00:00:00Z", true), now)).toBe("Tue 5 Jan 2027");
    expect(dueLabel(due(localIso(new Date(2026, 11, 4, 17, 30)), false), now)).toBe("Fri 4 Dec 17:30");
    expect(dueLabel(due(null, false), now)).toBeNull();
  });

  it("is overdue when open and past: a time before now, a date before today", () => {
    expect(isOverdue(due(localIso(new Date(2026, 11, 1, 11, 0)), false), now)).toBe(true);
    expect(isOverdue(due(localIso(new Date(2026, 11, 1, 13, 0)), false), now)).toBe(false);
    expect(isOverdue(due("2026-12-01T00:00:00Z", true), now)).toBe(false);
    expect(isOverdue(due("2026-11-30T00:00:00Z", true), now)).toBe(true);
    expect(isOverdue(due("2026-11-30T00:00:00Z", true, true), now)).toBe(false);
    expect(groupOf(due("2026-11-30T00:00:00Z", true, true), now)).toBe("earlier");
    expect(groupOf(due(localIso(new Date(2026, 11, 1, 13, 0)), false), now)).toBe("today");
  });

  it("sends a date, a date and time, or nothing", () => {
    expect(dueInput("2026-12-24", "")).toBe("2026-12-24");
    expect(dueInput("2026-12-24", "17:00")).toBe("2026-12-24T17:00");
    expect(dueInput("", "17:00")).toBeNull();
  });
});
