// Settings → Data: everything out to a file and back in. The files are picked in
// the system's own dialogs, opened by the app (the page never names a path).

import { Channel } from "@tauri-apps/api/core";
import { useState } from "react";
import type { Progress, Summary } from "../bindings";
import * as ipc from "../ipc";

type Job = "json" | "markdown" | "import";

const RUNNING: Record<Job, string> = {
  json: "Exporting…",
  markdown: "Exporting conversations…",
  import: "Importing…",
};

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** What an import did, in a sentence. */
export function describeImport(s: Summary): string {
  const added = `Imported ${plural(s.tasks_added, "task", "tasks")} and ${plural(s.conversations_added, "conversation", "conversations")}`;
  const skipped = s.tasks_skipped + s.conversations_skipped;
  return skipped > 0 ? `${added}; ${skipped} already here ${skipped === 1 ? "was left as it was" : "were left as they were"}.` : `${added}.`;
}

export function DataSection() {
  const [job, setJob] = useState<Job | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function run(next: Job) {
    if (job) return;
    setJob(next);
    setProgress(null);
    setDone(null);
    setError(null);
    const channel = new Channel<Progress>();
    channel.onmessage = setProgress;
    try {
      if (next === "import") {
        const summary = await ipc.commands.dataImport(channel);
        if (summary) setDone(describeImport(summary));
      } else {
        const written = await ipc.commands.dataExport(next, channel);
        if (written) setDone(`Saved to ${written.path}`);
      }
    } catch (e) {
      setError(ipc.toIpcError(e).message);
    } finally {
      setJob(null);
      setProgress(null);
    }
  }

  return (
    <section className="app-info" aria-labelledby="data-title" data-testid="settings-data">
      <h2 id="data-title">Your data</h2>
      <p className="muted">
        Export your tasks and conversations as one file to keep or to import into another Tasktalk, or your conversations
        as Markdown to read. An import adds only what this account does not have yet.
      </p>
      <div className="actions">
        <button type="button" className="btn" disabled={job !== null} onClick={() => void run("json")} data-testid="data-export-json">
          Export (JSON)
        </button>
        <button
          type="button"
          className="btn"
          disabled={job !== null}
          onClick={() => void run("markdown")}
          data-testid="data-export-markdown"
        >
          Export conversations (Markdown)
        </button>
        <button type="button" className="btn" disabled={job !== null} onClick={() => void run("import")} data-testid="data-import">
          Import…
        </button>
      </div>
      {job && (
        <div className="data-progress">
          <span className="muted">{RUNNING[job]}</span>
          <progress
            aria-label={RUNNING[job]}
            data-testid="data-progress"
            max={progress?.total || undefined}
            value={progress?.total ? progress.done : undefined}
          />
        </div>
      )}
      <p role="status" className="muted" data-testid="data-status">
        {done}
      </p>
      {error && (
        <div className="alert alert-error" role="alert" data-testid="data-error">
          {error}
        </div>
      )}
    </section>
  );
}
