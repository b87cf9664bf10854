// Markdown for the assistant's messages. The text comes from a model (or from
// whatever a remote ChatKit server sends), so it is untrusted: react-markdown
// builds React elements, never HTML strings, and shows raw HTML as its literal
// text; only http(s) and mailto links are clickable, and they open in the
// system browser, never in this web view; images are not loaded, they show as
// links.

import { openUrl } from "@tauri-apps/plugin-opener";
import { memo, type MouseEvent, type ReactNode } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";

/** Longer texts show as plain text: parsing is repeated on every streamed frame. */
export const MAX_MARKDOWN_CHARS = 100_000;

const LINK_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

/** The URL if it is an absolute http(s) or mailto URL, else null (javascript:, data:, relative…). */
export function safeUrl(url: string | undefined | null): string | null {
  if (!url) return null;
  try {
    const u = new URL(url.trim());
    return LINK_PROTOCOLS.has(u.protocol) ? u.href : null;
  } catch {
    return null;
  }
}

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

export const Markdown = memo(function Markdown({ text }: { text: string }) {
  if (text.length > MAX_MARKDOWN_CHARS) return <div className="md md-plain">{text}</div>;
  return (
    <div className="md">
      <ReactMarkdown remarkPlugins={remarkPlugins} components={components} urlTransform={urlTransform}>
        {text}
      </ReactMarkdown>
    </div>
  );
});
