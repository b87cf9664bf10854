// What the Markdown view decides before (and without) loading the renderer.

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

// Characters that can start Markdown or GFM syntax anywhere in a line
// (emphasis, code, links, images, HTML, entities, escapes, tables,
// strikethrough, e-mail autolinks), line breaks and tabs.
const MARKUP = /[\\`*_[\]<>&|~@\n\r\t]/;
// What only means something at the start of a line: headings, quotes, lists,
// thematic breaks, setext underlines.
const BLOCK_START = /^(?:[#>+\-=]|\d{1,9}[.)])/;
// GFM links bare URLs.
const BARE_URL = /https?:\/\/|www\./i;

/**
 * Whether Markdown would show `text` exactly as written, as one paragraph:
 * then it is shown as such without loading the renderer. Conservative: any
 * doubt means Markdown.
 */
export function isPlainText(text: string): boolean {
  return (
    text.length > 0 &&
    text === text.trim() &&
    !MARKUP.test(text) &&
    !BLOCK_START.test(text) &&
    !BARE_URL.test(text)
  );
}
