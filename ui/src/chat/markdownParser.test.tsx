// The parser against react-markdown with remark-gfm (a CommonMark- and
// GFM-conformant renderer, kept as a test dependency for this): the same text
// must give the same elements, text, link targets, alignments and task boxes.
// Then the bounds on its work for hostile text.
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import { describe, expect, it, vi } from "vitest";
import { Markdown, MAX_MARKDOWN_CHARS, safeUrl } from "./Markdown";
import { parse, workFor, type Work } from "./markdownParser";

vi.mock("@tauri-apps/plugin-opener", () => ({ openUrl: vi.fn(async () => {}) }));

// What our renderer does with links and images, on react-markdown's tree.
const components: Components = {
  a: ({ href, children }) => {
    const url = safeUrl(href);
    return url ? <a href={url}>{children}</a> : <span>{children}</span>;
  },
  img: ({ src, alt }) => {
    const url = typeof src === "string" ? safeUrl(src) : null;
    const label = `Image: ${alt || url || "image"}`;
    return url && !url.startsWith("mailto:") ? <a href={url}>{label}</a> : <span>{label}</span>;
  },
};

const BLOCKS = new Set("div p ul ol li blockquote pre table thead tbody tr th td h1 h2 h3 h4 h5 h6 hr".split(" "));
const CONTAINERS = new Set("div ul ol blockquote table thead tbody tr".split(" "));

/** Elements, text and the attributes that carry meaning; white space between blocks left out. */
function canon(node: Node): string {
  if (node.nodeType === Node.TEXT_NODE) return node.textContent ?? "";
  const el = node as HTMLElement;
  const tag = el.tagName.toLowerCase();
  const attrs = [
    tag === "a" && `href=${el.getAttribute("href")}`,
    tag === "ol" && el.getAttribute("start") && `start=${el.getAttribute("start")}`,
    (tag === "th" || tag === "td") && el.style.textAlign && `align=${el.style.textAlign}`,
    tag === "input" && `${el.getAttribute("type")} checked=${(el as HTMLInputElement).checked} disabled=${el.hasAttribute("disabled")}`,
    tag === "code" && el.className && `class=${el.className}`,
  ].filter(Boolean);
  const children = [...el.childNodes];
  const isBlock = (sibling: ChildNode | undefined) =>
    sibling?.nodeType === Node.ELEMENT_NODE && BLOCKS.has((sibling as Element).tagName.toLowerCase());
  let inner = "";
  children.forEach((child, n) => {
    if (child.nodeType !== Node.TEXT_NODE || tag === "pre" || tag === "code") {
      inner += canon(child);
      return;
    }
    let text = child.textContent ?? "";
    if (CONTAINERS.has(tag) || isBlock(children[n - 1])) text = text.trimStart();
    if (CONTAINERS.has(tag) || isBlock(children[n + 1])) text = text.trimEnd();
    inner += text;
  });
  return `<${[tag, ...attrs].join(" ")}>${inner}</${tag}>`;
}

/** Rendered to markup and read back: far quicker than mounting, for thousands of texts. */
function canonOf(element: ReactElement): string {
  const holder = document.createElement("div");
  holder.innerHTML = renderToStaticMarkup(element);
  return canon(holder.firstElementChild!);
}

function ours(text: string): string {
  return canonOf(<Markdown text={text} />);
}

function reference(text: string): string {
  return canonOf(
    <div className="md">
      <ReactMarkdown remarkPlugins={[remarkGfm]} components={components}>
        {text}
      </ReactMarkdown>
    </div>,
  );
}

/** Replies as assistants write them. */
const REPLIES = [
  "Hi! What can I do for your list today? Say \"help\" to see what I understand.",
  "Added **buy milk** (number 3), due *Friday 5 December*.",
  "Here is what is still open:\n\n1. Buy milk — due today\n2. Call the bank\n3. Water the plants",
  "## Your week\n\n### Monday\n- Dentist at 9:00\n- **Report** due\n\n### Tuesday\n- Nothing yet",
  "Done:\n\n- [x] Buy milk\n- [ ] Call Bob\n- [X] Pay rent",
  "Nested:\n\n- Work\n  - Report\n  - Slides\n    1. outline\n    2. draft\n- Home\n  * laundry",
  "A loose list:\n\n- one\n\n- two\n\n  second paragraph of two\n- three",
  "5. five\n6. six\n\n10) ten",
  "Run `tasktalk-server export --email a@b.c` or:\n\n```sh\ntasktalk-server import --email a@b.c backup.json\n```\n\nThen ``code with ` inside``.",
  "```\nno language\n  indented\n```\n\n~~~python\nprint('tilde fence')\n~~~",
  "    indented code\n    second line\n\nafter",
  "| Task | Due | Priority |\n| :--- | :-: | ---: |\n| Milk | today | **high** |\n| Bank | `fri` | low |\n| a \\| b | | x |",
  "Table after text\n\n| a | b |\n|---|---|\n| 1 | 2 |\n| 3 |\n\nAfter the table.",
  "> A quote\n> with two lines\n>\n> - and a list\n\nNot quoted.",
  "> lazy\ncontinuation",
  "See [the docs](https://example.com/docs \"Docs\") and [a wiki](https://en.wikipedia.org/wiki/Foo_(bar)).",
  "Visit www.example.org, https://example.com/a?b=1&c=2. Or (https://example.com/x). Mail me@example.com.",
  "Autolinks: <https://example.com> and <me@example.com>; not <not a link>.",
  "~~cancelled~~ and ~struck~ but ~~~not~~~",
  "snake_case_name and 2*3*4 and **bold**text and _under_score_ and *a **b** c*",
  "***both*** and **_mixed_** and *__mixed__*",
  "Line one  \nline two\\\nline three\nline four",
  "Escapes: \\*not em\\* \\_x\\_ \\# \\[x\\](y) 1\\. no list",
  "Entities: &amp; &copy; &#169; &#x1F600; &lt;b&gt;",
  "Title\n=====\n\nSubtitle\n--------\n\ntext",
  "# Heading #\n\n#NoHeading\n\n####### seven",
  "---\n\n***\n\n_ _ _",
  "Text with an ![image](https://example.com/a.png) and ![](https://example.com/b.png).",
  "Unsafe [js](javascript:alert(1)) and [rel](/x) and [empty]().",
  "A paragraph\n- interrupted by a list\n- of two",
  "A paragraph\n2. not a list",
  "- item\n\n      code in item\n- next",
  "1. Step one:\n   ```js\n   const x = 1;\n   ```\n2. Step two",
  "* [link in list](https://example.com)\n* `code` in list\n* **bold** in list",
  "Emoji 😀**bold**😀 and “*quoted*” and (*paren*)",
  "Trailing spaces   \n\n   Leading spaces",
  "Tabs:\n\n-\tone\n-\ttwo",
  "| Single |\n| --- |\n| row |",
  "- a\n- b\n\n\n- c",
  "Check https://example.com/path_(with)_parens and www.a.b/c?d=e! ok",
  "**Unclosed bold and *unclosed em\n\n`unclosed code\n\n[unclosed link](https://x",
  "Inline <b>html</b> and <!-- comment --> stay text.",
  "[www.example.com](https://example.com) and [https://a.example](https://b.example)",
  "**https://example.com/a_b_c** and _www.example.com_ and ~~www.example.com~~",
  "Go to https://example.com. Or email first.last@example.co.uk. (see www.example.com/x)",
  "https://example.com/search?q=a&amp; and www.example.com/a). done",
];

/** A fixed pseudo-random sequence of short texts with Markdown's characters, so a failure can be reproduced. */
function* randomTexts(count: number): Generator<string> {
  const alphabet = [..."ab xy", "*", "**", "_", "`", "~~", "\n", "\n\n", "- ", "1. ", "# ", "> ", "[a](b)", "[", "]", "(", ")", "!", "\\", ".", ","];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < count; i++) {
    const length = 1 + Math.floor(next() * 14);
    yield Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join("");
  }
}

describe("markdown parser", () => {
  it.each(REPLIES)("renders %j as react-markdown does", (text) => {
    expect(ours(text)).toBe(reference(text));
  });

  it("renders 1 500 random short texts as react-markdown does", () => {
    const differ: string[] = [];
    for (const text of randomTexts(1500)) if (ours(text) !== reference(text)) differ.push(text);
    expect(differ).toEqual([]);
  }, 60_000);

  it("never runs out of look-ahead on replies as written", () => {
    for (const text of REPLIES) {
      const work: Work = workFor(text);
      parse(text, work);
      expect(work.left, JSON.stringify(text)).toBeGreaterThan(0);
    }
  });

  // Each is the longest text parsed, built to make a naive parser rescan it.
  const HOSTILE: [string, string][] = [
    ["unclosed link targets", "[x](y".repeat(MAX_MARKDOWN_CHARS / 5)],
    ["nested parentheses", "[x](" + "(".repeat(MAX_MARKDOWN_CHARS - 4)],
    ["bare links in parentheses", "(www.x".repeat(MAX_MARKDOWN_CHARS / 6)],
    ["unmatched emphasis", "*x _x ".repeat(MAX_MARKDOWN_CHARS / 6)],
    ["alternating delimiters", "*_".repeat(MAX_MARKDOWN_CHARS / 2)],
    ["backtick runs of every length", Array.from({ length: 440 }, (_, n) => "`".repeat(n + 1) + "x").join("")],
    ["unclosed brackets", "[x".repeat(MAX_MARKDOWN_CHARS / 2)],
    ["angle brackets", "<x".repeat(MAX_MARKDOWN_CHARS / 2)],
    ["deep quotes", ">".repeat(MAX_MARKDOWN_CHARS - 1) + "x"],
    ["deep lists", "- ".repeat(MAX_MARKDOWN_CHARS / 2 - 1) + "x"],
    ["deep emphasis", "*x ".repeat(MAX_MARKDOWN_CHARS / 6) + "x* ".repeat(MAX_MARKDOWN_CHARS / 6)],
    ["many table columns", "|x".repeat(MAX_MARKDOWN_CHARS / 4 - 1) + "\n" + "|-".repeat(MAX_MARKDOWN_CHARS / 4 - 1)],
    ["e-mail look-alikes", "a@".repeat(MAX_MARKDOWN_CHARS / 2)],
  ];

  it.each(HOSTILE)("parses %s within its budget and loses no text", (_, text) => {
    expect(text.length).toBeLessThanOrEqual(MAX_MARKDOWN_CHARS);
    const work = workFor(text);
    const budget = work.left;
    const blocks = parse(text, work);
    // Past the budget, each attempt at a construct costs one step more at most.
    expect(budget - work.left).toBeLessThanOrEqual(budget + text.length);
    const shown = render(<Markdown text={text} />).container.textContent ?? "";
    const letters = (t: string) => t.split("x").length - 1;
    expect(letters(shown)).toBe(letters(text));
    expect(blocks.length).toBeGreaterThan(0);
  });

  it("stops looking ahead once the budget is spent, and shows the rest as written", () => {
    const text = "[x](y".repeat(2000);
    const work: Work = { left: 100 };
    const blocks = parse(text, work);
    expect(work.left).toBeLessThan(0);
    expect(blocks).toEqual([{ t: "p", c: [text] }]);
  });
});
