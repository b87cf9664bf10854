// Markdown in the assistant's messages: markdownParser.ts parses it into a tree,
// rendered here as React elements. The text is untrusted: nothing becomes
// HTML, raw HTML shows as its text; only http(s) and mailto links are
// clickable, and they open in the system browser, never in this web view;
// images are not loaded, they show as links.

import { openUrl } from "@tauri-apps/plugin-opener";
import { Fragment, memo, type CSSProperties, type MouseEvent, type ReactNode } from "react";
import { parse, type Align, type Block, type Inline } from "./markdownParser";

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

function Link({ url, children }: { url: string; children: ReactNode }) {
  const safe = safeUrl(url);
  if (!safe) return <span className="md-link-off">{children}</span>;
  return (
    <a
      href={safe}
      title={safe}
      rel="noopener noreferrer"
      onClick={(e) => openExternal(e, safe)}
      onAuxClick={(e) => e.preventDefault()}
      data-testid="md-link"
    >
      {children}
    </a>
  );
}

function inline(node: Inline, key: number): ReactNode {
  if (typeof node === "string") return node;
  switch (node.t) {
    case "em":
      return <em key={key}>{node.c.map(inline)}</em>;
    case "strong":
      return <strong key={key}>{node.c.map(inline)}</strong>;
    case "del":
      return <del key={key}>{node.c.map(inline)}</del>;
    case "code":
      return <code key={key}>{node.text}</code>;
    case "br":
      return <br key={key} />;
    case "link":
      return (
        <Link key={key} url={node.url}>
          {node.c.map(inline)}
        </Link>
      );
    case "image": {
      const url = safeUrl(node.url);
      const label = `Image: ${node.alt || url || "image"}`;
      // A mailto "image" is no link at all.
      return url?.startsWith("mailto:") ? (
        <span key={key} className="md-link-off">
          {label}
        </span>
      ) : (
        <Link key={key} url={node.url}>
          {label}
        </Link>
      );
    }
  }
}

function alignment(align: Align): CSSProperties | undefined {
  return align ? { textAlign: align } : undefined;
}

/** A block; in a tight list item, a paragraph is its bare text. */
function block(node: Block, key: number, tight = false): ReactNode {
  switch (node.t) {
    case "p":
      return tight ? <Fragment key={key}>{node.c.map(inline)}</Fragment> : <p key={key}>{node.c.map(inline)}</p>;
    case "h": {
      const Heading = `h${node.level}` as "h1";
      return <Heading key={key}>{node.c.map(inline)}</Heading>;
    }
    case "code":
      return (
        <pre key={key}>
          <code className={node.lang ? `language-${node.lang}` : undefined}>{node.text}</code>
        </pre>
      );
    case "quote":
      return <blockquote key={key}>{node.c.map((b, n) => block(b, n))}</blockquote>;
    case "hr":
      return <hr key={key} />;
    case "list": {
      const items = node.items.map((item, n) => (
        <li key={n} className={item.checked === null ? undefined : "task-list-item"}>
          {item.checked !== null && (
            <>
              {/* Task boxes are read-only in a message. */}
              <input type="checkbox" checked={item.checked} disabled readOnly />{" "}
            </>
          )}
          {item.c.map((b, m) => block(b, m, node.tight))}
        </li>
      ));
      return node.ordered ? (
        <ol key={key} start={node.start === 1 ? undefined : node.start}>
          {items}
        </ol>
      ) : (
        <ul key={key}>{items}</ul>
      );
    }
    case "table":
      return (
        <table key={key}>
          <thead>
            <tr>
              {node.head.map((cell, n) => (
                <th key={n} style={alignment(node.align[n])}>
                  {cell.map(inline)}
                </th>
              ))}
            </tr>
          </thead>
          {node.rows.length > 0 && (
            <tbody>
              {node.rows.map((row, r) => (
                <tr key={r}>
                  {row.map((cell, n) => (
                    <td key={n} style={alignment(node.align[n])}>
                      {cell.map(inline)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          )}
        </table>
      );
  }
}

export const Markdown = memo(function Markdown({ text }: { text: string }) {
  if (text.length > MAX_MARKDOWN_CHARS) return <div className="md md-plain">{text}</div>;
  return <div className="md">{parse(text).map((b, n) => block(b, n))}</div>;
});
