import { memo, useCallback, useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import * as ipc from "../ipc";
import type { StatusFilter, Task } from "../bindings";

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

const MAX_TITLE = 200;

function titleError(title: string): string | null {
  if (!title.trim()) return "A task needs a title.";
  if (title.trim().length > MAX_TITLE) return `A title has at most ${MAX_TITLE} characters.`;
  return null;
}

function matches(filter: StatusFilter, task: Task): boolean {
  return filter === "all" || (filter === "completed") === task.completed;
}

type RowProps = {
  task: Task;
  onToggle: (task: Task) => void;
  onRename: (task: Task, title: string) => Promise<boolean>;
  onDelete: (task: Task) => void;
};

const TaskRow = memo(function TaskRow({ task, onToggle, onRename, onDelete }: RowProps) {
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
  return (
    <li className="task-row" data-testid="task-row" data-task-id={task.id} data-completed={String(task.completed)}>
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
      {!editing && (
        <button type="button" className="icon-btn" onClick={startEdit} aria-label={`Edit “${task.title}”`} data-testid="task-edit">
          ✎
        </button>
      )}
      <button
        type="button"
        className="icon-btn danger"
        onClick={() => onDelete(task)}
        aria-label={`Delete “${task.title}”`}
        data-testid="task-delete"
      >
        ✕
      </button>
    </li>
  );
});

export type TasksPanelProps = {
  /** Changes whenever the chat reports `tasks.changed`: reload. */
  refreshSignal: number;
};

export function TasksPanel({ refreshSignal }: TasksPanelProps) {
  const [filter, setFilter] = useState<StatusFilter>("all");
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [newTitle, setNewTitle] = useState("");
  const [adding, setAdding] = useState(false);
  const filterRef = useRef(filter);
  const loadSeq = useRef(0);

  const reload = useCallback(async () => {
    const seq = ++loadSeq.current;
    const f = filterRef.current;
    try {
      const list = await ipc.commands.tasksList(f);
      if (seq === loadSeq.current) {
        setTasks(list);
        setError(null);
      }
    } catch (e) {
      if (seq === loadSeq.current) setError(ipc.toIpcError(e).message);
    }
  }, []);

  useEffect(() => {
    filterRef.current = filter;
    void reload();
  }, [filter, reload, refreshSignal]);

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
          const f = filterRef.current;
          return matches(f, updated)
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
      const task = await ipc.commands.taskAdd(newTitle.trim(), null);
      setNewTitle("");
      setError(null);
      if (matches(filterRef.current, task)) setTasks((list) => [task, ...(list ?? []).filter((t) => t.id !== task.id)]);
    } catch (err) {
      setError(ipc.toIpcError(err).message);
    } finally {
      setAdding(false);
    }
  }

  return (
    <section className="tasks-panel" data-testid="tasks-panel" aria-labelledby="tasks-heading">
      <div className="panel-head">
        <h2 id="tasks-heading">Tasks</h2>
        <div className="segmented" role="group" aria-label="Show tasks">
          {FILTERS.map((f) => (
            <button
              key={f.value}
              type="button"
              aria-pressed={filter === f.value}
              onClick={() => setFilter(f.value)}
              data-testid={f.testId}
            >
              {f.label}
            </button>
          ))}
        </div>
      </div>
      <form className="task-add" onSubmit={onAdd}>
        <label htmlFor="task-add-input" className="visually-hidden">
          New task
        </label>
        <input
          id="task-add-input"
          placeholder="Add a task…"
          value={newTitle}
          onChange={(e) => setNewTitle(e.target.value)}
          disabled={adding}
          data-testid="task-add-input"
        />
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
        <p className="empty">{EMPTY[filter]}</p>
      ) : (
        <ul className="task-list">
          {tasks.map((t) => (
            <TaskRow key={t.id} task={t} onToggle={onToggle} onRename={onRename} onDelete={onDelete} />
          ))}
        </ul>
      )}
    </section>
  );
}
