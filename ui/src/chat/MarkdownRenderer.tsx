// The Markdown renderer proper, loaded on demand by Markdown.tsx: react-markdown
// and remark-gfm are a third of the UI's script, and most replies are plain
// sentences that never need them. The text is untrusted: react-markdown builds
// React elements, never HTML strings, and shows raw HTML as its literal text;
// only http(s) and mailto links are clickable, and they open in the system
// browser, never in this web view; images are not loaded, they show as links.

import { openUrl } from "@tauri-apps/plugin-opener";
import type { MouseEvent, ReactNode } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import { safeUrl } from "./markdownText";

function openExternal(e: MouseEvent<HTMLAnchorElement>, url: string) {
  // Never a navigation of the app's own window, whatever the button or modifier.
  e.preventDefault();
  openUrl(url).catch(() => {
    /* the capability refused it or no browser is set: the link simply does nothing */
  });
}

function ExternalLink({ url, children }: { url: string; children: ReactNode }) {
  return (
    <a
      href={url}
      title={url}
      rel="noopener noreferrer"
      onClick={(e) => openExternal(e, url)}
      onAuxClick={(e) => e.preventDefault()}
      data-testid="md-link"
    >
      {children}
    </a>
  );
}

const components: Components = {
  a({ href, children }) {
    const url = safeUrl(href);
    return url ? <ExternalLink url={url}>{children}</ExternalLink> : <span className="md-link-off">{children}</span>;
  },
  img({ src, alt }) {
    const url = typeof src === "string" ? safeUrl(src) : null;
    const label = alt || url || "image";
    return url && !url.startsWith("mailto:") ? (
      <ExternalLink url={url}>{`Image: ${label}`}</ExternalLink>
    ) : (
      <span className="md-link-off">{`Image: ${label}`}</span>
    );
  },
  // Task-list boxes are read-only in a message.
  input({ type, checked }) {
    return type === "checkbox" ? <input type="checkbox" checked={checked ?? false} disabled readOnly /> : null;
  },
};

const remarkPlugins = [remarkGfm];

// Unsafe URLs become empty before the components above see them (defence in depth).
const urlTransform = (url: string) => safeUrl(url) ?? "";

/** The text's Markdown as React elements. */
export function MarkdownBody({ text }: { text: string }) {
  return (
    <ReactMarkdown remarkPlugins={remarkPlugins} components={components} urlTransform={urlTransform}>
      {text}
    </ReactMarkdown>
  );
}
