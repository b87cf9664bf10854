// Markdown in the assistant's messages. The renderer (MarkdownRenderer.tsx,
// with react-markdown) is loaded the first time a message needs it: a reply in
// plain sentences is shown as the paragraph Markdown would make of it, so a
// window whose messages are all plain never loads or runs the parser (about
// 9 MiB less in the web view's process, docs/benchmarks.md). Once loaded, it
// renders every message, as before.

import { memo, useEffect, useState } from "react";
import { isPlainText, MAX_MARKDOWN_CHARS } from "./markdownText";

export { MAX_MARKDOWN_CHARS, safeUrl } from "./markdownText";

type Renderer = typeof import("./MarkdownRenderer");

let renderer: Renderer | null = null;
let loading: Promise<Renderer> | null = null;

/** Loads the renderer once; a failed load is tried again on the next need. */
export function loadMarkdownRenderer(): Promise<Renderer> {
  loading ??= import("./MarkdownRenderer").then(
    (module) => (renderer = module),
    (err: unknown) => {
      loading = null;
      throw err;
    },
  );
  return loading;
}

/** Whether the renderer has been loaded in this window (tests). */
export function markdownRendererLoaded(): boolean {
  return renderer !== null;
}

export const Markdown = memo(function Markdown({ text }: { text: string }) {
  const tooLong = text.length > MAX_MARKDOWN_CHARS;
  const needsRenderer = !tooLong && renderer === null && !isPlainText(text);
  const [, setLoaded] = useState(0);
  useEffect(() => {
    if (!needsRenderer) return;
    let live = true;
    loadMarkdownRenderer().then(
      () => live && setLoaded((n) => n + 1),
      () => {
        /* the text stays as written */
      },
    );
    return () => {
      live = false;
    };
  }, [needsRenderer]);
  if (tooLong) return <div className="md md-plain">{text}</div>;
  const Body = renderer?.MarkdownBody;
  return <div className="md">{Body ? <Body text={text} /> : <p>{text}</p>}</div>;
});
