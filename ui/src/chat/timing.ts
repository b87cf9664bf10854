// The hook the end-to-end test reads to time opening a thread:
//   performance.getEntriesByName("thread-open", "measure").at(-1).duration
// spans from the click on the thread (mark "thread-open-start") to the first
// frame painted with its messages. Only the latest of each is kept.

export const THREAD_OPEN_START = "thread-open-start";
export const THREAD_OPEN = "thread-open";

export function markThreadOpenStart(): void {
  if (typeof performance === "undefined") return;
  performance.clearMarks(THREAD_OPEN_START);
  performance.mark(THREAD_OPEN_START);
}

/** Called once the thread's messages are committed to the DOM: measures after the next paint. */
export function measureThreadOpenAfterPaint(messages: number): void {
  if (typeof performance === "undefined" || performance.getEntriesByName(THREAD_OPEN_START, "mark").length === 0) return;
  // rAF runs just before the frame is painted; a task queued from it runs after.
  requestAnimationFrame(() =>
    setTimeout(() => {
      if (performance.getEntriesByName(THREAD_OPEN_START, "mark").length === 0) return;
      performance.clearMeasures(THREAD_OPEN);
      performance.measure(THREAD_OPEN, { start: THREAD_OPEN_START, detail: { messages } });
      performance.clearMarks(THREAD_OPEN_START);
    }, 0),
  );
}
