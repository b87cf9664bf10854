// Markdown for the assistant's replies: CommonMark's blocks and inlines that
// replies use, with GitHub's tables, strikethrough, task items and bare links.
// Our own rather than react-markdown: that was 169 kB of script and ~10 MiB
// more in the web view's process once it ran (docs/benchmarks.md), for the
// same output on what replies contain (Markdown.test.tsx compares the two).
// It builds a small tree that Markdown.tsx turns into React elements, never
// HTML. Not supported, shown as written: raw HTML, reference links, footnotes.
//
// The text is untrusted and parsed again on every streamed frame, so the work
// is bounded: one pass over the lines and one over each paragraph, no regular
// expression that can backtrack over a line, nesting capped, and the few
// scans that look ahead (link targets, bare URLs, emphasis openers) draw on a
// budget proportional to the text; once it is spent they fail, and what is
// left shows as written.

export type Inline =
  | string
  | { t: "em" | "strong" | "del"; c: Inline[] }
  | { t: "code"; text: string }
  | { t: "link"; url: string; c: Inline[] }
  | { t: "image"; url: string; alt: string }
  | { t: "br" };

export type Align = "left" | "center" | "right" | null;

export type ListItem = { checked: boolean | null; c: Block[] };

export type Block =
  | { t: "p"; c: Inline[] }
  | { t: "h"; level: number; c: Inline[] }
  | { t: "code"; lang: string; text: string }
  | { t: "quote"; c: Block[] }
  | { t: "list"; ordered: boolean; start: number; tight: boolean; items: ListItem[] }
  | { t: "table"; align: Align[]; head: Inline[][]; rows: Inline[][][] }
  | { t: "hr" };

/** Look-ahead steps left for one text; shared by all its paragraphs. */
export type Work = { left: number };

/** Quotes and lists nested deeper than this show their content as a paragraph. */
const MAX_BLOCK_DEPTH = 12;
/** Emphasis and links nested deeper than this show as their text. */
const MAX_INLINE_DEPTH = 24;

/** The budget for a text: a few look-ahead steps per character. */
export function workFor(text: string): Work {
  return { left: 8 * text.length + 1024 };
}

/** The blocks of `text`. */
export function parse(text: string, work: Work = workFor(text)): Block[] {
  const lines = text.replace(/\0/g, "\uFFFD").split(/\r\n|\r|\n/).map((line) => expandTabs(line, 0));
  return new BlockParser(work).blocks(lines, 0).blocks;
}

// ---- Blocks ----------------------------------------------------------------

/** Leading tabs as spaces to the next multiple of four (as CommonMark counts them), the line starting at column `start`. */
function expandTabs(line: string, start: number): string {
  let i = 0;
  let col = start;
  let tab = false;
  while (line[i] === " " || line[i] === "\t") {
    tab ||= line[i] === "\t";
    col = line[i] === "\t" ? col + 4 - (col % 4) : col + 1;
    i++;
  }
  return tab ? " ".repeat(col - start) + line.slice(i) : line;
}

function indentOf(line: string): number {
  let i = 0;
  while (line.charCodeAt(i) === 32) i++;
  return i;
}

function isBlank(line: string): boolean {
  return indentOf(line) === line.length || /^[ \t]*$/.test(line);
}

type Fence = { ch: string; len: number; info: string; indent: number };

function fenceOpen(s: string, indent: number): Fence | null {
  const ch = s[0];
  if (ch !== "`" && ch !== "~") return null;
  let n = 0;
  while (s[n] === ch) n++;
  if (n < 3) return null;
  const info = s.slice(n).trim();
  if (ch === "`" && info.includes("`")) return null;
  return { ch, len: n, info, indent };
}

function closesFence(line: string, fence: Fence): boolean {
  const indent = indentOf(line);
  if (indent > 3) return false;
  let n = indent;
  while (line[n] === fence.ch) n++;
  return n - indent >= fence.len && isBlank(line.slice(n));
}

/** A line of three or more `-`, `*` or `_` (the same), with spaces between. */
function isBreak(s: string): boolean {
  const ch = s[0];
  if (ch !== "-" && ch !== "*" && ch !== "_") return false;
  let count = 0;
  for (const c of s) {
    if (c === ch) count++;
    else if (c !== " " && c !== "\t") return false;
  }
  return count >= 3;
}

function heading(s: string): { level: number; text: string } | null {
  let level = 0;
  while (s[level] === "#") level++;
  if (level < 1 || level > 6 || (level < s.length && s[level] !== " " && s[level] !== "\t")) return null;
  let text = s.slice(level).trim();
  // An optional closing run of #, after a space (or alone).
  let end = text.length;
  while (end > 0 && text[end - 1] === "#") end--;
  if (end < text.length && (end === 0 || text[end - 1] === " " || text[end - 1] === "\t")) text = text.slice(0, end).trim();
  return { level, text };
}

type Marker = { ordered: boolean; ch: string; start: number; width: number; rest: string };

function listMarker(s: string): Marker | null {
  const c = s[0];
  if (c === "-" || c === "+" || c === "*") {
    if (s.length > 1 && s[1] !== " " && s[1] !== "\t") return null;
    return { ordered: false, ch: c, start: 1, width: 1, rest: expandTabs(s.slice(1), 1) };
  }
  let n = 0;
  while (n < 10 && s.charCodeAt(n) >= 48 && s.charCodeAt(n) <= 57) n++;
  if (n === 0 || n > 9 || (s[n] !== "." && s[n] !== ")")) return null;
  if (s.length > n + 1 && s[n + 1] !== " " && s[n + 1] !== "\t") return null;
  return { ordered: true, ch: s[n], start: Number(s.slice(0, n)), width: n + 1, rest: expandTabs(s.slice(n + 1), n + 1) };
}

/** Whether a line (its indent removed) ends a paragraph before it. */
function interruptsParagraph(s: string): boolean {
  if (heading(s) || fenceOpen(s, 0) || s[0] === ">" || isBreak(s)) return true;
  const marker = listMarker(s);
  return marker !== null && !isBlank(marker.rest) && (!marker.ordered || marker.start === 1);
}

/** Whether `line` (its indent removed) continues a list item's paragraph whose last line was `last`. */
function isLazy(last: string, line: string): boolean {
  // Any list marker starts a sibling item instead.
  return !isBlank(last) && !interruptsParagraph(line) && !listMarker(line);
}

/** The cells of a table row; `\|` stays in the cell for the inline parser. */
function rowCells(line: string): string[] {
  let s = line.trim();
  if (s.startsWith("|")) s = s.slice(1);
  if (s.endsWith("|") && !s.endsWith("\\|")) s = s.slice(0, -1);
  const cells: string[] = [];
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\\") i++;
    else if (s[i] === "|") {
      cells.push(s.slice(from, i).trim());
      from = i + 1;
    }
  }
  cells.push(s.slice(from).trim());
  return cells;
}

function delimiterAlign(cell: string): Align | undefined {
  const left = cell.startsWith(":");
  const right = cell.endsWith(":") && cell.length > 1;
  const dashes = cell.slice(left ? 1 : 0, right ? -1 : undefined);
  if (dashes.length === 0 || /[^-]/.test(dashes)) return undefined;
  return left && right ? "center" : left ? "left" : right ? "right" : null;
}

/** The column alignments if `header` and `delimiter` open a table, else null. */
function tableStart(header: string, delimiter: string): Align[] | null {
  if (indentOf(header) > 3 || indentOf(delimiter) > 3 || !header.includes("|") || !delimiter.includes("|")) return null;
  const cells = rowCells(delimiter);
  if (cells.length !== rowCells(header).length) return null;
  const align = cells.map(delimiterAlign);
  return align.includes(undefined) ? null : (align as Align[]);
}

class BlockParser {
  constructor(private readonly work: Work) {}

  /** The blocks of `lines`, and whether blank lines separate any two of them (a loose list item). */
  blocks(lines: string[], depth: number): { blocks: Block[]; gaps: boolean } {
    const out: Block[] = [];
    let gaps = false;
    let blankBefore = false;
    const push = (block: Block) => {
      if (blankBefore && out.length > 0) gaps = true;
      blankBefore = false;
      out.push(block);
    };
    let i = 0;
    while (i < lines.length) {
      const line = lines[i];
      if (isBlank(line)) {
        blankBefore = true;
        i++;
        continue;
      }
      const indent = indentOf(line);
      if (indent >= 4) {
        const body: string[] = [];
        while (i < lines.length && (isBlank(lines[i]) || indentOf(lines[i]) >= 4)) {
          body.push(lines[i].slice(Math.min(4, indentOf(lines[i]))));
          i++;
        }
        while (isBlank(body[body.length - 1])) body.pop();
        push({ t: "code", lang: "", text: body.join("\n") + "\n" });
        if (isBlank(lines[i - 1])) blankBefore = true;
        continue;
      }
      const s = line.slice(indent);
      const fence = fenceOpen(s, indent);
      if (fence) {
        const body: string[] = [];
        for (i++; i < lines.length && !closesFence(lines[i], fence); i++) {
          body.push(lines[i].slice(Math.min(fence.indent, indentOf(lines[i]))));
        }
        i++;
        const lang = fence.info.split(/[ \t]/, 1)[0];
        push({ t: "code", lang: unescapeText(lang), text: body.length ? body.join("\n") + "\n" : "" });
        continue;
      }
      const h = heading(s);
      if (h) {
        push({ t: "h", level: h.level, c: this.inlines(h.text) });
        i++;
        continue;
      }
      if (isBreak(s)) {
        push({ t: "hr" });
        i++;
        continue;
      }
      if (s[0] === ">") {
        const body: string[] = [];
        while (i < lines.length) {
          const l = lines[i];
          const ind = indentOf(l);
          if (ind < 4 && l[ind] === ">") {
            body.push(l.slice(ind + (l[ind + 1] === " " ? 2 : 1)));
          } else if (body.length > 0 && !isBlank(l) && !isBlank(body[body.length - 1]) && !interruptsParagraph(l.slice(ind))) {
            body.push(l); // a lazy continuation of the quoted paragraph
          } else break;
          i++;
        }
        push({ t: "quote", c: this.nested(body, depth) });
        continue;
      }
      const first = listMarker(s);
      if (first) {
        const list = this.list(lines, i, first, depth);
        push(list.block);
        i = list.end;
        blankBefore = isBlank(lines[i - 1]);
        continue;
      }
      const align = i + 1 < lines.length ? tableStart(line, lines[i + 1]) : null;
      if (align) {
        const row = (l: string) => {
          const cells = rowCells(l);
          return align.map((_, n) => this.inlines(cells[n] ?? ""));
        };
        const head = row(line);
        const rows: Inline[][][] = [];
        for (i += 2; i < lines.length && !isBlank(lines[i]) && !interruptsParagraph(lines[i].slice(indentOf(lines[i]))); i++) {
          rows.push(row(lines[i]));
        }
        push({ t: "table", align, head, rows });
        continue;
      }
      // A paragraph, perhaps a setext heading.
      const para = [s];
      let level = 0;
      for (i++; i < lines.length && !isBlank(lines[i]); i++) {
        const l = lines[i];
        const ind = indentOf(l);
        const t = l.slice(ind);
        if (ind < 4) {
          const underline = t[0] === "=" || t[0] === "-" ? t.trimEnd() : "";
          if (underline && /^(?:=+|-+)$/.test(underline)) {
            level = underline[0] === "=" ? 1 : 2;
            i++;
            break;
          }
          if (interruptsParagraph(t) || (i + 1 < lines.length && tableStart(l, lines[i + 1]))) break;
        }
        para.push(t);
      }
      const text = para.join("\n").trimEnd();
      push(level ? { t: "h", level, c: this.inlines(text) } : { t: "p", c: this.inlines(text) });
    }
    return { blocks: out, gaps };
  }

  /** The list that starts at lines[i], and the index after it. */
  private list(lines: string[], i: number, first: Marker, depth: number): { block: Block; end: number } {
    const items: ListItem[] = [];
    let loose = false;
    let blankAfterItem = false;
    while (i < lines.length) {
      let next = i;
      while (next < lines.length && isBlank(lines[next])) next++;
      const line = lines[next] ?? "";
      const indent = indentOf(line);
      const s = line.slice(indent);
      const marker = indent < 4 ? listMarker(s) : null;
      if (!marker || marker.ordered !== first.ordered || marker.ch !== first.ch || isBreak(s)) break;
      if (items.length > 0 && (blankAfterItem || next > i)) loose = true;
      // Where the item's content starts: after the marker and up to four spaces.
      const pad = indentOf(marker.rest);
      const emptyStart = isBlank(marker.rest);
      const width = emptyStart || pad >= 5 ? 1 : pad;
      const column = indent + marker.width + width;
      const body = [emptyStart ? "" : marker.rest.slice(width)];
      for (i = next + 1; i < lines.length; i++) {
        const l = lines[i];
        if (isBlank(l)) {
          if (emptyStart && body.length === 1) break; // an item starts with at most one blank line
          body.push("");
          continue;
        }
        const ind = indentOf(l);
        if (ind >= column) body.push(l.slice(column));
        else if (isLazy(body[body.length - 1], l.slice(ind)) && !tableStart(l, lines[i + 1] ?? "")) {
          body.push(l.slice(ind)); // a lazy continuation of the item's paragraph
        } else break;
      }
      blankAfterItem = false;
      while (body.length > 1 && isBlank(body[body.length - 1])) {
        body.pop();
        blankAfterItem = true;
      }
      let checked: boolean | null = null;
      const box = /^\[([ xX])\][ \t]+\S/.exec(body[0]);
      if (box) {
        checked = box[1] !== " ";
        body[0] = body[0].slice(4);
      }
      if (depth < MAX_BLOCK_DEPTH) {
        const { blocks, gaps } = this.blocks(body, depth + 1);
        loose ||= gaps;
        items.push({ checked, c: blocks });
      } else items.push({ checked, c: flat(body) });
    }
    return { block: { t: "list", ordered: first.ordered, start: first.start, tight: !loose, items }, end: i };
  }

  private nested(lines: string[], depth: number): Block[] {
    return depth < MAX_BLOCK_DEPTH ? this.blocks(lines, depth + 1).blocks : flat(lines);
  }

  private inlines(text: string): Inline[] {
    return new InlineParser(text, this.work).parse();
  }
}

/** Past the nesting cap: the lines as one paragraph of text. */
function flat(lines: string[]): Block[] {
  const text = lines.join("\n").trim();
  return text ? [{ t: "p", c: [text] }] : [];
}

// ---- Inlines ---------------------------------------------------------------

const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;
const WHITESPACE = /\s/;
const PUNCTUATION = /[\p{P}\p{S}]/u;

/** 1 for whitespace (or the edge of the text), 2 for punctuation, 0 otherwise. */
function charClass(ch: string | undefined): number {
  if (ch === undefined || WHITESPACE.test(ch)) return 1;
  return PUNCTUATION.test(ch) ? 2 : 0;
}

function codePointBefore(s: string, i: number): string | undefined {
  if (i <= 0) return undefined;
  const low = s.charCodeAt(i - 1);
  if (low >= 0xdc00 && low <= 0xdfff && i >= 2) return s.slice(i - 2, i);
  return s[i - 1];
}

function codePointAt(s: string, i: number): string | undefined {
  const cp = s.codePointAt(i);
  return cp === undefined ? undefined : String.fromCodePoint(cp);
}

const ENTITIES: Record<string, string> = {
  amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0", copy: "©", reg: "®", trade: "™",
  hellip: "…", mdash: "—", ndash: "–", laquo: "«", raquo: "»", middot: "·", times: "×", divide: "÷",
  deg: "°", plusmn: "±", euro: "€", pound: "£", yen: "¥", cent: "¢", sect: "§", para: "¶", bull: "•",
  larr: "←", rarr: "→", uarr: "↑", darr: "↓", harr: "↔", lsquo: "‘", rsquo: "’", ldquo: "“", rdquo: "”",
};
const ENTITY = /&(?:#[xX]([0-9a-fA-F]{1,6})|#([0-9]{1,7})|([A-Za-z][A-Za-z0-9]{1,31}));/y;

/** The entity at `s[at]` and its length, if it is one we know. */
function entityAt(s: string, at: number): [string, number] | null {
  ENTITY.lastIndex = at;
  const m = ENTITY.exec(s);
  if (!m) return null;
  if (m[3] !== undefined) return m[3] in ENTITIES ? [ENTITIES[m[3]], m[0].length] : null;
  const cp = parseInt(m[1] ?? m[2], m[1] !== undefined ? 16 : 10);
  const valid = cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
  return [valid ? String.fromCodePoint(cp) : "\uFFFD", m[0].length];
}

/** Backslash escapes and entities resolved, as in link targets and code languages. */
function unescapeText(s: string): string {
  if (!s.includes("\\") && !s.includes("&")) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const entity = c === "&" ? entityAt(s, i) : null;
    if (c === "\\" && i + 1 < s.length && ASCII_PUNCTUATION.test(s[i + 1])) out += s[++i];
    else if (entity) {
      out += entity[0];
      i += entity[1] - 1;
    } else out += c;
  }
  return out;
}

type NodeKind = "text" | "em" | "strong" | "del" | "code" | "link" | "image" | "br";

/** A node of the tree while emphasis is resolved: a linked list, as delimiters wrap their neighbours. */
class Node {
  first: Node | null = null;
  last: Node | null = null;
  prev: Node | null = null;
  next: Node | null = null;
  parent: Node | null = null;
  /** A delimiter run or bracket: never merged with the text around it. */
  own = false;
  constructor(
    readonly kind: NodeKind,
    public text = "",
    readonly url = "",
  ) {}

  append(child: Node) {
    child.parent = this;
    child.prev = this.last;
    child.next = null;
    if (this.last) this.last.next = child;
    else this.first = child;
    this.last = child;
  }

  insertAfter(sibling: Node) {
    sibling.parent = this.parent;
    sibling.prev = this;
    sibling.next = this.next;
    if (this.next) this.next.prev = sibling;
    else if (this.parent) this.parent.last = sibling;
    this.next = sibling;
  }

  unlink() {
    if (this.prev) this.prev.next = this.next;
    else if (this.parent) this.parent.first = this.next;
    if (this.next) this.next.prev = this.prev;
    else if (this.parent) this.parent.last = this.prev;
    this.prev = this.next = this.parent = null;
  }

  /** Moves every sibling after this one, up to `end` (excluded), into `into`. */
  moveFollowingInto(into: Node, end: Node | null) {
    let n = this.next;
    while (n && n !== end) {
      const following: Node | null = n.next;
      n.unlink();
      into.append(n);
      n = following;
    }
  }
}

type Delimiter = {
  node: Node;
  ch: string;
  count: number;
  readonly canOpen: boolean;
  readonly canClose: boolean;
  prev: Delimiter | null;
  next: Delimiter | null;
};

type Bracket = { node: Node; image: boolean; active: boolean; delimiters: Delimiter | null; prev: Bracket | null };

const SPECIAL = new Set(["\n", "\\", "`", "*", "_", "~", "[", "]", "!", "<", "&", "@", "h", "H", "w", "W"]);
const TRAILING_PUNCTUATION = new Set([..."?!.,:;*_~'\"]}>"]);

class InlineParser {
  private pos = 0;
  private readonly root = new Node("text");
  private delimiters: Delimiter | null = null;
  private brackets: Bracket | null = null;
  /** Start offsets of backtick runs by length, and how far each list has been consumed. */
  private backticks: Map<number, { at: number[]; next: number }> | null = null;

  constructor(
    private readonly s: string,
    private readonly work: Work,
  ) {}

  /** One look-ahead step; false once the text's budget is spent. */
  private step(): boolean {
    return --this.work.left >= 0;
  }

  parse(): Inline[] {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s[this.pos];
      switch (c) {
        case "\n":
          this.lineEnd();
          break;
        case "\\":
          this.backslash();
          break;
        case "`":
          this.codeSpan();
          break;
        case "*":
        case "_":
        case "~":
          this.delimiterRun(c);
          break;
        case "[":
          this.openBracket(false, 1);
          break;
        case "!":
          if (s[this.pos + 1] === "[") this.openBracket(true, 2);
          else this.text(c, 1);
          break;
        case "]":
          this.closeBracket();
          break;
        case "<":
          if (!this.angleAutolink()) this.text(c, 1);
          break;
        case "&": {
          const entity = entityAt(s, this.pos);
          if (entity) this.text(entity[0], entity[1]);
          else this.text(c, 1);
          break;
        }
        case "@":
          if (!this.emailAutolink()) this.text(c, 1);
          break;
        default:
          if (!this.bareAutolink()) this.plainRun();
      }
    }
    this.processEmphasis(null);
    return toInlines(this.root, 0);
  }

  /**
   * Text as a node of its own: growing one string and then reading its end
   * (a line's trailing spaces, an e-mail's user) would copy it each time.
   * Neighbours are joined when the tree is exported.
   */
  private text(value: string, consumed: number) {
    this.pos += consumed;
    this.root.append(new Node("text", value));
  }

  private plainRun() {
    const s = this.s;
    let end = this.pos + 1;
    while (end < s.length && !SPECIAL.has(s[end])) end++;
    this.text(s.slice(this.pos, end), end - this.pos);
  }

  private lineEnd() {
    const last = this.root.last;
    let hard = false;
    if (last && last.kind === "text" && !last.own) {
      const trimmed = last.text.replace(/ +$/, "");
      hard = last.text.length - trimmed.length >= 2;
      last.text = trimmed;
    }
    this.pos++;
    if (hard) this.lineBreak();
    else this.text("\n", 0);
    while (this.s[this.pos] === " ") this.pos++;
  }

  private lineBreak() {
    this.root.append(new Node("br"));
    // As react-markdown does: the line ending follows the <br>.
    this.root.append(new Node("text", "\n"));
  }

  private backslash() {
    const next = this.s[this.pos + 1];
    if (next === "\n") {
      this.pos += 2;
      this.lineBreak();
      while (this.s[this.pos] === " ") this.pos++;
    } else if (next !== undefined && ASCII_PUNCTUATION.test(next)) {
      // A node of its own: an escaped character never joins a delimiter run or a bare link.
      this.text(next, 2);
      this.root.last!.own = true;
    } else this.text("\\", 1);
  }

  private codeSpan() {
    const s = this.s;
    let n = 0;
    while (s[this.pos + n] === "`") n++;
    const close = this.closingBackticks(this.pos + n, n);
    if (close < 0) {
      this.text("`".repeat(n), n);
      return;
    }
    let code = s.slice(this.pos + n, close).replace(/\n/g, " ");
    if (code.length > 2 && code[0] === " " && code[code.length - 1] === " " && code.trim() !== "") code = code.slice(1, -1);
    this.root.append(new Node("code", code));
    this.pos = close + n;
  }

  /** The start of the next run of exactly `n` backticks at or after `from`, or -1. */
  private closingBackticks(from: number, n: number): number {
    if (!this.backticks) {
      this.backticks = new Map();
      const s = this.s;
      for (let i = 0; i < s.length; ) {
        if (s[i] !== "`") {
          i++;
          continue;
        }
        let j = i;
        while (s[j] === "`") j++;
        const runs = this.backticks.get(j - i) ?? { at: [], next: 0 };
        runs.at.push(i);
        this.backticks.set(j - i, runs);
        i = j;
      }
    }
    const runs = this.backticks.get(n);
    if (!runs) return -1;
    // Queries only move forward, so each list is walked once.
    while (runs.next < runs.at.length && runs.at[runs.next] < from) runs.next++;
    return runs.next < runs.at.length ? runs.at[runs.next] : -1;
  }

  private delimiterRun(ch: string) {
    const s = this.s;
    const start = this.pos;
    let end = start;
    while (s[end] === ch) end++;
    const count = end - start;
    const node = new Node("text", s.slice(start, end));
    this.root.append(node);
    this.pos = end;
    node.own = true;
    if (ch === "~" && count > 2) return;
    const before = charClass(codePointBefore(s, start));
    const after = charClass(codePointAt(s, end));
    // As in micromark with GFM: a run next to a '~' counts as flanking on that side.
    const tilde = ch !== "~";
    const left = (after !== 1 && (after !== 2 || before !== 0)) || (tilde && s[end] === "~");
    const right = (before !== 1 && (before !== 2 || after !== 0)) || (tilde && s[start - 1] === "~");
    const canOpen = ch === "_" ? left && (!right || before === 2) : left;
    const canClose = ch === "_" ? right && (!left || after === 2) : right;
    if (!canOpen && !canClose) return;
    const delimiter: Delimiter = { node, ch, count, canOpen, canClose, prev: this.delimiters, next: null };
    if (this.delimiters) this.delimiters.next = delimiter;
    this.delimiters = delimiter;
  }

  private removeDelimiter(d: Delimiter) {
    if (d.prev) d.prev.next = d.next;
    if (d.next) d.next.prev = d.prev;
    else this.delimiters = d.prev;
  }

  private openBracket(image: boolean, length: number) {
    const node = new Node("text", image ? "![" : "[");
    node.own = true;
    this.root.append(node);
    this.pos += length;
    this.brackets = { node, image, active: true, delimiters: this.delimiters, prev: this.brackets };
  }

  private closeBracket() {
    const opener = this.brackets;
    this.pos++;
    if (!opener || !opener.active) {
      if (opener) this.brackets = opener.prev;
      this.text("]", 0);
      return;
    }
    const target = this.linkTarget(this.pos);
    this.brackets = opener.prev;
    if (!target) {
      this.text("]", 0);
      return;
    }
    const link = new Node(opener.image ? "image" : "link", "", target.url);
    opener.node.moveFollowingInto(link, null);
    // A bare or <…> link in a link's text is only text.
    for (let n = link.first; n; n = n.next) {
      if (n.kind === "link") {
        const text = new Node("text", textOf(n));
        n.insertAfter(text);
        n.unlink();
        n = text;
      }
    }
    this.root.append(link);
    opener.node.unlink();
    this.processEmphasis(opener.delimiters);
    this.pos = target.end;
    // No link inside a link: the brackets before this one cannot make one now.
    if (!opener.image) for (let b = this.brackets; b; b = b.prev) if (!b.image) b.active = false;
  }

  /** `(destination "title")` at `at`: the destination and where it ends, or null. */
  private linkTarget(at: number): { url: string; end: number } | null {
    const s = this.s;
    if (s[at] !== "(") return null;
    let i = this.skipSpace(at + 1);
    let url: string;
    if (s[i] === "<") {
      const start = i + 1;
      for (i = start; i < s.length && s[i] !== ">"; i++) {
        if (!this.step() || s[i] === "\n" || s[i] === "<") return null;
        if (s[i] === "\\") i++;
      }
      if (s[i] !== ">") return null;
      url = s.slice(start, i);
      i++;
    } else {
      const start = i;
      let depth = 0;
      for (; i < s.length; i++) {
        if (!this.step()) return null;
        const c = s.charCodeAt(i);
        if (c <= 32 || c === 127) break;
        if (c === 92 /* \ */ && ASCII_PUNCTUATION.test(s[i + 1] ?? "")) i++;
        else if (c === 40 /* ( */ && ++depth > 32) return null;
        else if (c === 41 /* ) */ && depth-- === 0) break;
      }
      if (depth > 0) return null;
      url = s.slice(start, i);
    }
    const afterUrl = i;
    i = this.skipSpace(i);
    const open = s[i];
    if (i > afterUrl && (open === '"' || open === "'" || open === "(")) {
      const close = open === "(" ? ")" : open;
      for (i++; i < s.length && s[i] !== close; i++) {
        if (!this.step() || (open === "(" && s[i] === "(")) return null;
        if (s[i] === "\\") i++;
      }
      if (s[i] !== close) return null;
      i = this.skipSpace(i + 1);
    }
    if (s[i] !== ")") return null;
    return { url: unescapeText(url), end: i + 1 };
  }

  /** Past spaces, tabs and at most one line ending. */
  private skipSpace(i: number): number {
    let newline = false;
    while (i < this.s.length) {
      const c = this.s[i];
      if (c === "\n" && !newline) newline = true;
      else if (c !== " " && c !== "\t") break;
      i++;
    }
    return i;
  }

  /** `<scheme:…>` or `<user@host>`. */
  private angleAutolink(): boolean {
    const s = this.s;
    let i = this.pos + 1;
    while (i < s.length && s[i] !== ">") {
      if (!this.step()) return false;
      const c = s.charCodeAt(i);
      if (c <= 32 || s[i] === "<") return false;
      i++;
    }
    if (s[i] !== ">") return false;
    const inner = s.slice(this.pos + 1, i);
    let url: string;
    if (/^[A-Za-z][A-Za-z0-9+.-]{1,31}:/.test(inner)) url = inner;
    else if (/^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(inner)) {
      url = `mailto:${inner}`;
    } else return false;
    const link = new Node("link", "", url);
    link.append(new Node("text", inner));
    this.root.append(link);
    this.pos = i + 1;
    return true;
  }

  /** A bare `www.`, `http://` or `https://` link (GitHub's autolink literal). */
  private bareAutolink(): boolean {
    const s = this.s;
    const c = s[this.pos];
    const second = s[this.pos + 1];
    if (!((c === "h" || c === "H") && (second === "t" || second === "T")) && !((c === "w" || c === "W") && (second === "w" || second === "W"))) {
      return false;
    }
    const head = s.slice(this.pos, this.pos + 8).toLowerCase();
    const www = head.startsWith("www.");
    const scheme = head.startsWith("http://") ? 7 : head.startsWith("https://") ? 8 : 0;
    if (!www && !scheme) return false;
    // After white space or punctuation only, as remark-gfm has it.
    if (charClass(codePointBefore(s, this.pos)) === 0) return false;
    // The domain: letters, digits, '-', '_' and '.', no '_' in its last two labels.
    let i = this.pos + (www ? 4 : scheme);
    const domainStart = i;
    while (i < s.length) {
      if (!this.step()) return false;
      const ch = codePointAt(s, i)!;
      if (ch !== "-" && ch !== "." && ch !== "_" && charClass(ch) !== 0) break;
      i += ch.length;
    }
    let domainEnd = i;
    while (domainEnd > domainStart && (s[domainEnd - 1] === "." || s[domainEnd - 1] === "_")) domainEnd--;
    const labels = s.slice(domainStart, domainEnd).split(".");
    if (domainEnd === domainStart || labels.slice(-2).some((l) => l.includes("_"))) return false;
    // The path: up to white space, '<', or a ']' that closes a link's text.
    for (i = domainEnd; i < s.length && s[i] !== "<" && !WHITESPACE.test(s[i]); i++) {
      if (!this.step()) return false;
      if (s[i] === "]" && (s[i + 1] === "(" || s[i + 1] === "[")) break;
    }
    const end = this.trimLinkEnd(this.pos, i);
    if (end <= domainStart) return false;
    const text = s.slice(this.pos, end);
    const link = new Node("link", "", www ? `http://${text}` : text);
    link.append(new Node("text", text));
    this.root.append(link);
    this.pos = end;
    return true;
  }

  /** Where a bare link ends once trailing punctuation, unmatched ')' and an entity-like end are left out. */
  private trimLinkEnd(start: number, end: number): number {
    const s = this.s;
    let open = 0;
    let close = 0;
    for (let i = start; i < end; i++) {
      if (s[i] === "(") open++;
      else if (s[i] === ")") close++;
    }
    for (;;) {
      const last = s[end - 1];
      let entity = end - 2;
      while (last === ";" && entity > start && /[A-Za-z0-9]/.test(s[entity])) entity--;
      if (last === ";" && s[entity] === "&" && entity < end - 2) end = entity;
      else if (TRAILING_PUNCTUATION.has(last)) end--;
      else if (last === ")" && close > open) {
        end--;
        close--;
      } else return end;
    }
  }

  /** `user@host.tld` in running text, the '@' at pos. */
  private emailAutolink(): boolean {
    const s = this.s;
    const last = this.root.last;
    if (!last || last.kind !== "text" || last.own) return false;
    let local = last.text.length;
    while (local > 0 && /[A-Za-z0-9.+_-]/.test(last.text[local - 1])) local--;
    if (local === last.text.length) return false;
    let i = this.pos + 1;
    while (i < s.length && /[A-Za-z0-9._-]/.test(s[i])) {
      if (!this.step()) return false;
      i++;
    }
    while (i > this.pos + 1 && s[i - 1] === ".") i--;
    const domain = s.slice(this.pos + 1, i);
    if (!domain.includes(".") || /[-_]$/.test(domain) || !/[A-Za-z0-9]$/.test(domain)) return false;
    const address = `${last.text.slice(local)}@${domain}`;
    last.text = last.text.slice(0, local);
    if (last.text === "") last.unlink();
    const link = new Node("link", "", `mailto:${address}`);
    link.append(new Node("text", address));
    this.root.append(link);
    this.pos = i;
    return true;
  }

  /** CommonMark's "process emphasis", for the delimiters above `bottom`. */
  private processEmphasis(bottom: Delimiter | null) {
    const openersBottom = new Map<string, Delimiter | null>();
    let closer = this.delimiters;
    if (closer === bottom) closer = null;
    while (closer && closer.prev !== bottom) closer = closer.prev;
    while (closer) {
      if (!closer.canClose) {
        closer = closer.next;
        continue;
      }
      const key = `${closer.ch}${closer.canOpen ? 1 : 0}${closer.count % 3}`;
      const floor = openersBottom.has(key) ? openersBottom.get(key)! : bottom;
      let opener = closer.prev;
      let found = false;
      while (opener && opener !== bottom && opener !== floor && this.step()) {
        // CommonMark's rule of three, on the runs' lengths left (as micromark counts them).
        const odd =
          closer.ch !== "~" && (closer.canOpen || opener.canClose) && closer.count % 3 !== 0 && (opener.count + closer.count) % 3 === 0;
        if (opener.ch === closer.ch && opener.canOpen && !odd && (closer.ch !== "~" || opener.count === closer.count)) {
          found = true;
          break;
        }
        opener = opener.prev;
      }
      if (!found || !opener) {
        const old = closer;
        closer = closer.next;
        openersBottom.set(key, old.prev);
        if (!old.canOpen) this.removeDelimiter(old);
        continue;
      }
      const used = closer.ch === "~" ? closer.count : closer.count >= 2 && opener.count >= 2 ? 2 : 1;
      opener.count -= used;
      closer.count -= used;
      opener.node.text = opener.node.text.slice(used);
      closer.node.text = closer.node.text.slice(used);
      const wrap = new Node(closer.ch === "~" ? "del" : used === 2 ? "strong" : "em");
      opener.node.moveFollowingInto(wrap, closer.node);
      opener.node.insertAfter(wrap);
      opener.next = closer;
      closer.prev = opener;
      if (opener.count === 0) {
        opener.node.unlink();
        this.removeDelimiter(opener);
      }
      if (closer.count === 0) {
        const next: Delimiter | null = closer.next;
        closer.node.unlink();
        this.removeDelimiter(closer);
        closer = next;
      }
    }
    while (this.delimiters && this.delimiters !== bottom) this.removeDelimiter(this.delimiters);
  }
}

/** The text of a node's descendants (a loop: emphasis can nest as deep as the text is long). */
function textOf(node: Node): string {
  let out = "";
  let n = node.first;
  while (n && n !== node) {
    if (n.kind === "text" || n.kind === "code") out += n.text;
    else if (n.kind === "br") out += "\n";
    if (n.first) {
      n = n.first;
      continue;
    }
    while (n && n !== node && !n.next) n = n.parent;
    if (n && n !== node) n = n.next;
  }
  return out;
}

/** The linked nodes as the exported tree; past the nesting cap, as text. */
function toInlines(parent: Node, depth: number): Inline[] {
  const out: Inline[] = [];
  const pushText = (text: string) => {
    if (text === "") return;
    if (typeof out[out.length - 1] === "string") out[out.length - 1] += text;
    else out.push(text);
  };
  for (let n = parent.first; n; n = n.next) {
    switch (n.kind) {
      case "text":
        pushText(n.text);
        break;
      case "br":
        out.push({ t: "br" });
        break;
      case "code":
        out.push({ t: "code", text: n.text });
        break;
      case "image":
        out.push({ t: "image", url: n.url, alt: textOf(n) });
        break;
      default:
        if (depth >= MAX_INLINE_DEPTH) pushText(textOf(n));
        else if (n.kind === "link") out.push({ t: "link", url: n.url, c: toInlines(n, depth + 1) });
        else out.push({ t: n.kind, c: toInlines(n, depth + 1) });
    }
  }
  return out;
}
