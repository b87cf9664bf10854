import { useVirtualizer } from "@tanstack/react-virtual";
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type CSSProperties,
  type FormEvent,
  type KeyboardEvent,
} from "react";
import * as ipc from "../ipc";
import type { DueCounts, DueFilter, Priority, Sort, StatusFilter, Task } from "../bindings";
import { GROUPS, dueInput, dueLabel, dueParts, groupOf, isOverdue, type Group } from "./dates";

const FILTERS: { value: StatusFilter; label: string; testId: string }[] = [
  { value: "all", label: "All", testId: "task-filter-all" },
  { value: "pending", label: "Open", testId: "task-filter-pending" },
  { value: "completed", label: "Done", testId: "task-filter-completed" },
];

const EMPTY: Record<StatusFilter, string> = {
  all: "No tasks yet. Add one here or ask the assistant.",
  pending: "Nothing open. Well done!",
  completed: "No finished tasks yet.",
};

/** The due filters, each with its count; `null` is any due. */
const DUE_FILTERS: { value: DueFilter | null; label: string; count: keyof DueCounts }[] = [
  { value: null, label: "Any", count: "all" },
  { value: "overdue", label: "Overdue", count: "overdue" },
  { value: "today", label: "Today", count: "today" },
  { value: "week", label: "Week", count: "week" },
  { value: "none", label: "No date", count: "none" },
];

const SORTS: { value: Sort; label: string }[] = [
  { value: "created", label: "Newest" },
  { value: "due", label: "Due date" },
  { value: "priority", label: "Priority" },
];

const PRIORITIES: { value: Priority; label: string; mark: string }[] = [
  { value: "none", label: "No priority", mark: "" },
  { value: "low", label: "Low priority", mark: "!" },
  { value: "medium", label: "Medium priority", mark: "!!" },
  { value: "high", label: "High priority", mark: "!!!" },
];

/** What one page of the list holds (the core's page limit). */
const PAGE = 500;
const MAX_TITLE = 200;
const MAX_QUERY = 200;

function titleError(title: string): string | null {
  if (!title.trim()) return "A task needs a title.";
  if (title.trim().length > MAX_TITLE) return `A title has at most ${MAX_TITLE} characters.`;
  return null;
}

function matches(filter: StatusFilter, task: Task): boolean {
  return filter === "all" || (filter === "completed") === task.completed;
}

/** A first guess at a row's height; each row is measured once rendered. */
const ESTIMATED_ROW_PX = 37;
/** Rows kept rendered above and below the visible ones. */
const OVERSCAN_ROWS = 8;

type Handlers = {
  onToggle: (task: Task) => void;
  onRename: (task: Task, title: string) => Promise<boolean>;
  onSchedule: (task: Task, due: string | null, priority: Priority) => Promise<boolean>;
  onDelete: (task: Task) => void;
};

/**
 * A row's place in the virtual list (`index`, `style`, `measure`) and among all
 * the tasks listed (`position` of `total`, announced: most rows are not in the page).
 */
type RowProps = Handlers & {
  index: number;
  position: number;
  total: number;
  style: CSSProperties;
  measure: (el: HTMLElement | null) => void;
  task: Task;
  now: Date;
};

function PrioritySelect(props: { value: Priority; onChange: (p: Priority) => void; disabled?: boolean; testId: string }) {
  return (
    <select
      value={props.value}
      onChange={(e) => props.onChange(e.target.value as Priority)}
      disabled={props.disabled}
      aria-label="Priority"
      data-testid={props.testId}
    >
      {PRIORITIES.map((p) => (
        <option key={p.value} value={p.value}>
          {p.label}
        </option>
      ))}
    </select>
  );
}

/** The due date's picker (a date, and a time or none) and the priority. */
function ScheduleEditor({ task, onSave, onClose }: { task: Task; onSave: RowProps["onSchedule"]; onClose: () => void }) {
  const due = dueParts(task);
  const [day, setDay] = useState(due?.day ?? "");
  const [time, setTime] = useState(due?.time ?? "");
  const [priority, setPriority] = useState<Priority>(task.priority);
  const [saving, setSaving] = useState(false);

  async function save(e: FormEvent) {
    e.preventDefault();
    setSaving(true);
    const ok = await onSave(task, dueInput(day, time), priority);
    setSaving(false);
    if (ok) onClose();
  }

  return (
    <form className="task-schedule" onSubmit={save} data-testid="task-schedule-editor">
      <label>
        Due
        <input type="date" value={day} onChange={(e) => setDay(e.target.value)} data-testid="task-due-date" />
      </label>
      <input
        type="time"
        value={time}
        disabled={!day}
        onChange={(e) => setTime(e.target.value)}
        aria-label="Due time (optional)"
        data-testid="task-due-time"
      />
      <PrioritySelect value={priority} onChange={setPriority} testId="task-priority-select" />
      <button type="submit" className="btn btn-small btn-primary" disabled={saving} data-testid="task-schedule-save">
        Save
      </button>
      <button
        type="button"
        className="btn btn-small"
        onClick={() => {
          setDay("");
          setTime("");
        }}
        data-testid="task-due-clear"
      >
        No date
      </button>
      <button type="button" className="btn btn-small" onClick={onClose}>
        Cancel
      </button>
    </form>
  );
}

function TaskRow({ index, position, total, style, measure, task, now, onToggle, onRename, onSchedule, onDelete }: RowProps) {
  const [scheduling, setScheduling] = useState(false);
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(task.title);
  const [saving, setSaving] = useState(false);
  const savingRef = useRef(false);
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (editing) inputRef.current?.select();
  }, [editing]);

  function startEdit() {
    setValue(task.title);
    setEditing(true);
  }

  async function save() {
    if (savingRef.current) return;
    if (value.trim() === task.title) {
      setEditing(false);
      return;
    }
    setSaving(true);
    savingRef.current = true;
    const ok = await onRename(task, value);
    savingRef.current = false;
    setSaving(false);
    if (ok) setEditing(false);
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === "Enter") {
      e.preventDefault();
      void save();
    } else if (e.key === "Escape") {
      e.preventDefault();
      setEditing(false);
      setValue(task.title);
    }
  }

  const checkboxId = `task-${task.id}-done`;
  const due = dueLabel(task, now);
  const overdue = isOverdue(task, now);
  const priority = PRIORITIES.find((p) => p.value === task.priority);
  return (
    <li
      ref={measure}
      data-index={index}
      style={style}
      aria-posinset={position}
      aria-setsize={total}
      className="task-row"
      data-testid="task-row"
      data-task-id={task.id}
      data-completed={String(task.completed)}
    >
      <input
        id={checkboxId}
        type="checkbox"
        checked={task.completed}
        onChange={() => onToggle(task)}
        aria-label={task.completed ? `Mark “${task.title}” as open` : `Mark “${task.title}” as done`}
        data-testid="task-checkbox"
      />
      {editing ? (
        <input
          ref={inputRef}
          className="task-edit-input"
          value={value}
          maxLength={MAX_TITLE + 50}
          readOnly={saving}
          onChange={(e) => setValue(e.target.value)}
          onKeyDown={onKeyDown}
          onBlur={() => {
            if (!savingRef.current) {
              setEditing(false);
              setValue(task.title);
            }
          }}
          aria-label="Task title"
          data-testid="task-title"
        />
      ) : (
        <span
          className={task.completed ? "task-title done" : "task-title"}
          onDoubleClick={startEdit}
          title={task.description ?? undefined}
          data-testid="task-title"
        >
          {task.title}
        </span>
      )}
      {priority?.mark && (
        <span className={`priority-mark ${task.priority}`} title={priority.label} aria-label={priority.label} data-testid="task-priority">
          {priority.mark}
        </span>
      )}
      {due && (
        <span
          className={overdue ? "due-chip overdue" : "due-chip"}
          title={overdue ? "Overdue" : undefined}
          data-testid="task-due"
          data-overdue={String(overdue)}
        >
          {due}
        </span>
      )}
      {!editing && (
        <button type="button" className="icon-btn" onClick={startEdit} aria-label={`Edit “${task.title}”`} data-testid="task-edit">
          ✎
        </button>
      )}
      <button
        type="button"
        className="icon-btn"
        onClick={() => setScheduling((open) => !open)}
        aria-label={`Due date and priority of “${task.title}”`}
        aria-expanded={scheduling}
        data-testid="task-schedule"
      >
        📅
      </button>
      <button
        type="button"
        className="icon-btn danger"
        onClick={() => onDelete(task)}
        aria-label={`Delete “${task.title}”`}
        data-testid="task-delete"
      >
        ✕
      </button>
      {scheduling && <ScheduleEditor task={task} onSave={onSchedule} onClose={() => setScheduling(false)} />}
    </li>
  );
}

/** A group's heading, or a task and its place (from 1) among all the tasks listed. */
type ListRow = { kind: "group"; group: Group; label: string } | { kind: "task"; task: Task; position: number };

/**
 * The rows, under their group's heading when there is more than one group.
 * Only the rows in view in the panel (and a few around) are in the DOM: a
 * page of 500 tasks costs what a screenful costs (each row is ~50 kB in the
 * web view's process, docs/benchmarks.md).
 */
function TaskList({
  rows,
  now,
  scrollElement,
  total,
  ...handlers
}: Handlers & { rows: ListRow[]; total: number; now: Date; scrollElement: () => HTMLElement | null }) {
  const listRef = useRef<HTMLUListElement>(null);
  // Where the list starts in the panel that scrolls it (after the heading, filters and the add row).
  const [offset, setOffset] = useState(0);
  // The panel renders anew (and `rows` with it) whenever what is above the list may have changed.
  useLayoutEffect(() => setOffset(listRef.current?.offsetTop ?? 0), [rows]);
  // The compiler leaves this component unmemoised, as wanted: it renders with the panel, whose `rows` are new each time.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: scrollElement,
    estimateSize: () => ESTIMATED_ROW_PX,
    overscan: OVERSCAN_ROWS,
    scrollMargin: offset,
    getItemKey: (i) => {
      const row = rows[i];
      return row.kind === "group" ? `group-${row.group}` : row.task.id;
    },
  });
  return (
    <ul ref={listRef} className="task-list" aria-label="Tasks" style={{ height: virtualizer.getTotalSize() }}>
      {virtualizer.getVirtualItems().map((item) => {
        const row = rows[item.index];
        const style = { transform: `translateY(${item.start - offset}px)` };
        return row.kind === "group" ? (
          <li
            key={item.key}
            ref={virtualizer.measureElement}
            data-index={item.index}
            style={style}
            className="task-group-head"
            data-testid={`task-group-${row.group}`}
          >
            <h3 className={row.group === "overdue" ? "task-group-title overdue" : "task-group-title"}>{row.label}</h3>
          </li>
        ) : (
          <TaskRow
            key={item.key}
            index={item.index}
            position={row.position}
            total={total}
            style={style}
            measure={virtualizer.measureElement}
            task={row.task}
            now={now}
            {...handlers}
          />
        );
      })}
    </ul>
  );
}

export type TasksPanelProps = {
  /** Changes whenever the chat reports `tasks.changed`: reload. */
  refreshSignal: number;
};

/** What the list shows: the server filters, sorts and pages by these. */
type View = { status: StatusFilter; due: DueFilter | null; sort: Sort; query: string };

/** Whether a task changed here still belongs in the list without asking the core again. */
function stillShown(view: View, task: Task): boolean {
  return view.due === null && !view.query.trim() && matches(view.status, task);
}

export function TasksPanel({ refreshSignal }: TasksPanelProps) {
  const [view, setView] = useState<View>({ status: "all", due: null, sort: "created", query: "" });
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [counts, setCounts] = useState<DueCounts | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [newTitle, setNewTitle] = useState("");
  const [newDue, setNewDue] = useState("");
  const [newPriority, setNewPriority] = useState<Priority>("none");
  const [adding, setAdding] = useState(false);
  const [now, setNow] = useState(() => new Date());
  const viewRef = useRef(view);
  const loadSeq = useRef(0);
  const panelRef = useRef<HTMLElement>(null);
  const scrollElement = useCallback(() => panelRef.current, []);
  const filter = view.status;

  /** Page `offset` of the list (appended after the first) and the filters' counts. */
  const load = useCallback(async (offset: number) => {
    const seq = ++loadSeq.current;
    const v = viewRef.current;
    const query = v.query.trim() || null;
    try {
      const [list, counted] = await Promise.all([
        ipc.commands.tasksList(v.status, v.due, null, query, v.sort, offset),
        ipc.commands.tasksCounts(v.status, null, query),
      ]);
      if (seq === loadSeq.current) {
        setTasks((shown) => (offset === 0 ? list : [...(shown ?? []), ...list]));
        setCounts(counted);
        setMore(list.length === PAGE);
        setNow(new Date());
        setError(null);
      }
    } catch (e) {
      if (seq === loadSeq.current) setError(ipc.toIpcError(e).message);
    }
  }, []);
  const reload = useCallback(() => load(0), [load]);

  useEffect(() => {
    viewRef.current = view;
    void reload();
  }, [view, reload, refreshSignal]);

  useEffect(() => {
    if (!ipc.inTauri()) return;
    let unlisten: (() => void) | null = null;
    let active = true;
    ipc
      .onTasksChanged(() => void reload())
      .then((u) => {
        if (active) unlisten = u;
        else u();
      })
      .catch(() => {
        /* events unavailable: the chat's effect still refreshes */
      });
    return () => {
      active = false;
      unlisten?.();
    };
  }, [reload]);

  const onToggle = useCallback(
    async (task: Task) => {
      const completed = !task.completed;
      loadSeq.current++; // a reload in flight would overwrite the optimistic state
      setTasks((list) => list?.map((t) => (t.id === task.id ? { ...t, completed } : t)) ?? list);
      try {
        const updated = await ipc.commands.taskSetCompleted(task.id, completed);
        setTasks((list) => {
          if (!list) return list;
          return matches(viewRef.current.status, updated)
            ? list.map((t) => (t.id === updated.id ? updated : t))
            : list.filter((t) => t.id !== updated.id);
        });
        setError(null);
      } catch (e) {
        setTasks((list) => list?.map((t) => (t.id === task.id ? { ...t, completed: task.completed } : t)) ?? list);
        setError(ipc.toIpcError(e).message);
      }
    },
    [],
  );

  const onRename = useCallback(async (task: Task, title: string) => {
    const problem = titleError(title);
    if (problem) {
      setError(problem);
      return false;
    }
    try {
      const updated = await ipc.commands.taskUpdate(task.id, title.trim(), null);
      setTasks((list) => list?.map((t) => (t.id === updated.id ? updated : t)) ?? list);
      setError(null);
      return true;
    } catch (e) {
      setError(ipc.toIpcError(e).message);
      return false;
    }
  }, []);

  const onSchedule = useCallback(
    async (task: Task, due: string | null, priority: Priority) => {
      try {
        await ipc.commands.taskSchedule(task.id, due, priority);
        await reload(); // the task may move between groups, filters and places in the sort
        return true;
      } catch (e) {
        setError(ipc.toIpcError(e).message);
        return false;
      }
    },
    [reload],
  );

  const onDelete = useCallback(async (task: Task) => {
    try {
      await ipc.commands.taskDelete(task.id);
      setTasks((list) => list?.filter((t) => t.id !== task.id) ?? list);
      setError(null);
    } catch (e) {
      setError(ipc.toIpcError(e).message);
    }
  }, []);

  async function onAdd(e: FormEvent) {
    e.preventDefault();
    if (adding) return;
    const problem = titleError(newTitle);
    if (problem) {
      setError(problem);
      return;
    }
    setAdding(true);
    try {
      const task = await ipc.commands.taskAdd(newTitle.trim(), null, newDue || null, newPriority);
      setNewTitle("");
      setNewDue("");
      setNewPriority("none");
      setError(null);
      if (view.sort === "created" && stillShown(view, task)) {
        setTasks((list) => [task, ...(list ?? []).filter((t) => t.id !== task.id)]);
      } else {
        await reload();
      }
    } catch (err) {
      setError(ipc.toIpcError(err).message);
    } finally {
      setAdding(false);
    }
  }

  const grouped = new Map<Group, Task[]>(GROUPS.map((g) => [g.key, []]));
  for (const t of tasks ?? []) grouped.get(groupOf(t, now))?.push(t);
  const shownGroups = GROUPS.filter((g) => (grouped.get(g.key) ?? []).length > 0);
  const rows: ListRow[] = [];
  let position = 0;
  for (const g of shownGroups) {
    if (shownGroups.length > 1) rows.push({ kind: "group", group: g.key, label: g.label });
    for (const task of grouped.get(g.key) ?? []) rows.push({ kind: "task", task, position: ++position });
  }
  const searching = view.query.trim() !== "" || view.due !== null;

  return (
    <section ref={panelRef} className="tasks-panel" data-testid="tasks-panel" aria-labelledby="tasks-heading">
      <div className="panel-head">
        <h2 id="tasks-heading">Tasks</h2>
        <div className="segmented" role="group" aria-label="Show tasks">
          {FILTERS.map((f) => (
            <button
              key={f.value}
              type="button"
              aria-pressed={filter === f.value}
              onClick={() => setView((v) => ({ ...v, status: f.value }))}
              data-testid={f.testId}
            >
              {f.label}
            </button>
          ))}
        </div>
      </div>
      <div className="task-filters">
        <div className="segmented" role="group" aria-label="Due">
          {DUE_FILTERS.map((f) => (
            <button
              key={f.count}
              type="button"
              aria-pressed={view.due === f.value}
              onClick={() => setView((v) => ({ ...v, due: f.value }))}
              data-testid={`task-due-filter-${f.count}`}
            >
              {f.label}
              {counts && <span className="count"> {counts[f.count]}</span>}
            </button>
          ))}
        </div>
        <select
          value={view.sort}
          onChange={(e) => setView((v) => ({ ...v, sort: e.target.value as Sort }))}
          aria-label="Sort by"
          data-testid="task-sort"
        >
          {SORTS.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
        <input
          type="search"
          className="task-search"
          placeholder="Search…"
          value={view.query}
          maxLength={MAX_QUERY}
          onChange={(e) => setView((v) => ({ ...v, query: e.target.value }))}
          aria-label="Search tasks"
          data-testid="task-search"
        />
      </div>
      <form className="task-add" onSubmit={onAdd}>
        <label htmlFor="task-add-input" className="visually-hidden">
          New task
        </label>
        <input
          id="task-add-input"
          className="task-add-title"
          placeholder="Add a task…"
          value={newTitle}
          onChange={(e) => setNewTitle(e.target.value)}
          disabled={adding}
          data-testid="task-add-input"
        />
        <input
          type="date"
          value={newDue}
          onChange={(e) => setNewDue(e.target.value)}
          disabled={adding}
          aria-label="Due date (optional)"
          data-testid="task-add-due"
        />
        <PrioritySelect value={newPriority} onChange={setNewPriority} disabled={adding} testId="task-add-priority" />
        <button type="submit" className="btn" disabled={adding} data-testid="task-add-submit">
          Add
        </button>
      </form>
      {error && (
        <div className="alert alert-error" role="alert" data-testid="tasks-error">
          {error}
        </div>
      )}
      {tasks === null ? (
        !error && <p className="muted">Loading tasks…</p>
      ) : tasks.length === 0 ? (
        <p className="empty">{searching ? "No tasks match." : EMPTY[filter]}</p>
      ) : (
        <TaskList
          rows={rows}
          total={position}
          now={now}
          scrollElement={scrollElement}
          onToggle={onToggle}
          onRename={onRename}
          onSchedule={onSchedule}
          onDelete={onDelete}
        />
      )}
      {more && (
        <button type="button" className="btn btn-small" onClick={() => void load(tasks?.length ?? 0)} data-testid="tasks-more">
          Show more
        </button>
      )}
    </section>
  );
}
