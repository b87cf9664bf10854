// Due dates as the tasks panel shows them, in the machine's zone (the one the
// desktop's core reads "today" in). A date-only due is `due_at` at 00:00Z with
// `due_all_day`: its date is the same day everywhere, so it is read from the
// text, never converted.

import type { Task } from "../bindings";

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const pad = (n: number) => String(n).padStart(2, "0");

/** `YYYY-MM-DD` of `d` in the local zone. */
export function localDay(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function addDays(day: string, days: number): string {
  const [y, m, d] = day.split("-").map(Number);
  return localDay(new Date(y, m - 1, d + days));
}

/** The local day a task is due and, for a timed due, its `HH:MM`. */
export function dueParts(task: Task): { day: string; time: string | null } | null {
  if (!task.due_at) return null;
  if (task.due_all_day) return { day: task.due_at.slice(0, 10), time: null };
  const at = new Date(task.due_at);
  return { day: localDay(at), time: `${pad(at.getHours())}:${pad(at.getMinutes())}` };
}

/** An open task whose timed due has passed, or whose date is before today. */
export function isOverdue(task: Task, now: Date): boolean {
  const due = dueParts(task);
  if (task.completed || !due || !task.due_at) return false;
  return due.time === null ? due.day < localDay(now) : new Date(task.due_at).getTime() < now.getTime();
}

/** "Today", "Tomorrow", "Yesterday" or "Fri 5 Dec" (with the year if not this one), then the time. */
export function dueLabel(task: Task, now: Date): string | null {
  const due = dueParts(task);
  if (!due) return null;
  const today = localDay(now);
  const [y, m, d] = due.day.split("-").map(Number);
  const named: Record<string, string> = {
    [today]: "Today",
    [addDays(today, 1)]: "Tomorrow",
    [addDays(today, -1)]: "Yesterday",
  };
  const weekday = WEEKDAYS[new Date(y, m - 1, d).getDay()];
  const year = y === now.getFullYear() ? "" : ` ${y}`;
  const day = named[due.day] ?? `${weekday} ${d} ${MONTHS[m - 1]}${year}`;
  return due.time ? `${day} ${due.time}` : day;
}

export type Group = "overdue" | "today" | "upcoming" | "none" | "earlier";

/** The panel's groups, in order; "earlier" holds done tasks that were due before today. */
export const GROUPS: { key: Group; label: string }[] = [
  { key: "overdue", label: "Overdue" },
  { key: "today", label: "Today" },
  { key: "upcoming", label: "Upcoming" },
  { key: "none", label: "No date" },
  { key: "earlier", label: "Earlier" },
];

export function groupOf(task: Task, now: Date): Group {
  const due = dueParts(task);
  if (!due) return "none";
  if (isOverdue(task, now)) return "overdue";
  const today = localDay(now);
  if (due.day === today) return "today";
  return due.day > today ? "upcoming" : "earlier";
}

/** What the due editor sends: `2026-12-24`, `2026-12-24T17:00`, or null for none. */
export function dueInput(day: string, time: string): string | null {
  if (!day) return null;
  return time ? `${day}T${time}` : day;
}
