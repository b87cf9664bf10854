import { fireEvent, render } from "@testing-library/react";
import { openUrl } from "@tauri-apps/plugin-opener";
import { describe, expect, it, vi } from "vitest";
import { Markdown, MAX_MARKDOWN_CHARS, safeUrl } from "./Markdown";

vi.mock("@tauri-apps/plugin-opener", () => ({ openUrl: vi.fn(async () => {}) }));

function md(text: string): HTMLElement {
  return render(<Markdown text={text} />).container.firstElementChild as HTMLElement;
}

/** Everything markdown may produce; anything else in the output is a failure. */
const ALLOWED = new Set(
  "div p a span strong em del code pre ul ol li h1 h2 h3 h4 h5 h6 table thead tbody tr th td blockquote hr br input sup section".split(" "),
);

const XSS = [
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  '<svg onload="alert(1)"><circle r="1"/></svg>',
  '<iframe src="https://evil.example"></iframe>',
  "<style>body { display: none }</style>",
  '<a href="javascript:alert(1)">raw link</a>',
  '<a href="https://ok.example" onclick="alert(1)">raw link with handler</a>',
  '<div onclick="alert(1)">\n\n**bold inside a raw block**\n\n</div>',
  "<details open ontoggle=alert(1)><summary>x</summary></details>",
  "[js](javascript:alert(1))",
  "[JS](JaVaScRiPt:alert(1))",
  "[entity](&#106;avascript:alert(1))",
  "[spaces]( javascript:alert(1) )",
  "[vb](vbscript:msgbox(1))",
  "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
  "[file](file:///etc/passwd)",
  "[relative](/settings) and [anchor](#top)",
  "<javascript:alert(1)>",
  "[ref][x]\n\n[x]: javascript:alert(1)",
  "![tracker](https://evil.example/pixel.png)",
  "![js](javascript:alert(1))",
  '![data](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9ImFsZXJ0KDEpIi8+)',
  "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
];

describe("Markdown", () => {
  it("renders lists, code, links, tables, emphasis and headings", () => {
    const el = md(
      [
        "## Plan",
        "",
        "- **buy** milk",
        "- _call_ ~~Bob~~ Ann",
        "",
        "1. first",
        "2. second",
        "",
        "Run `tasks list` or:",
        "",
        "```sh",
        "tasktalk-server export --email a@b.c",
        "```",
        "",
        "| Task | Due |",
        "| --- | :-: |",
        "| Milk | today |",
        "",
        "See [the docs](https://example.com/docs) or www.example.org, mail <me@example.com>.",
      ].join("\n"),
    );
    expect(el.querySelector("h2")?.textContent).toBe("Plan");
    expect(el.querySelectorAll("ul > li")).toHaveLength(2);
    expect(el.querySelectorAll("ol > li")).toHaveLength(2);
    expect(el.querySelector("strong")?.textContent).toBe("buy");
    expect(el.querySelector("em")?.textContent).toBe("call");
    expect(el.querySelector("del")?.textContent).toBe("Bob");
    expect(el.querySelector("p > code")?.textContent).toBe("tasks list");
    expect(el.querySelector("pre > code")?.textContent).toBe("tasktalk-server export --email a@b.c\n");
    expect([...el.querySelectorAll("th")].map((c) => c.textContent)).toEqual(["Task", "Due"]);
    expect(el.querySelector("td")?.textContent).toBe("Milk");
    expect([...el.querySelectorAll("a")].map((a) => a.getAttribute("href"))).toEqual([
      "https://example.com/docs",
      "http://www.example.org/",
      "mailto:me@example.com",
    ]);
  });

  it.each(XSS)("renders no HTML, handler or unsafe URL from %j", (input) => {
    const el = md(input);
    for (const node of el.querySelectorAll("*")) {
      expect(ALLOWED.has(node.tagName.toLowerCase()), `<${node.tagName}>`).toBe(true);
      for (const attr of node.attributes) {
        expect(attr.name.startsWith("on"), attr.name).toBe(false);
        if (["href", "src", "action", "formaction", "xlink:href"].includes(attr.name)) {
          expect(attr.value).toMatch(/^(https?:\/\/|mailto:)/);
        }
      }
    }
    expect(el.querySelector("img")).toBeNull();
  });

  it("shows raw HTML as its text", () => {
    expect(md("<script>alert(1)</script>").textContent).toContain("<script>alert(1)</script>");
    const raw = md("a <b>bold</b> word");
    expect(raw.querySelector("b")).toBeNull();
    expect(raw.textContent).toBe("a <b>bold</b> word");
  });

  it("shows images as links, never loading them", () => {
    const el = md("![a chart](https://example.com/chart.png)");
    expect(el.querySelector("img")).toBeNull();
    const link = el.querySelector("a")!;
    expect(link.getAttribute("href")).toBe("https://example.com/chart.png");
    expect(link.textContent).toBe("Image: a chart");
  });

  it("opens a clicked link with the system opener and never navigates", () => {
    const before = window.location.href;
    const el = md("[docs](https://example.com/docs) and [mail](mailto:me@example.com)");
    const [web, mail] = el.querySelectorAll("a");
    expect(fireEvent.click(web)).toBe(false); // default prevented
    expect(openUrl).toHaveBeenLastCalledWith("https://example.com/docs");
    expect(fireEvent.click(mail, { ctrlKey: true })).toBe(false);
    expect(openUrl).toHaveBeenLastCalledWith("mailto:me@example.com");
    expect(fireEvent(web, new MouseEvent("auxclick", { bubbles: true, cancelable: true, button: 1 }))).toBe(false);
    expect(openUrl).toHaveBeenCalledTimes(2);
    expect(window.location.href).toBe(before);
  });

  it("makes unsafe links plain text, not links", () => {
    const el = md("[js](javascript:alert(1)) [rel](/x)");
    expect(el.querySelector("a")).toBeNull();
    expect(el.textContent).toBe("js rel");
  });

  it("keeps the DOM of streamed partial markdown stable as it grows", () => {
    const steps = ["Here is", "Here is **a li", "Here is **a list**:\n\n- one", "Here is **a list**:\n\n- one\n- two\n\n```js\nlet x", "Here is **a list**:\n\n- one\n- two\n\n```js\nlet x = 1;\n```\n| a | b |\n|---|"];
    const { container, rerender } = render(<Markdown text={steps[0]} />);
    const p = container.querySelector("p");
    for (const text of steps.slice(1)) {
      rerender(<Markdown text={text} />);
      // The first paragraph is updated in place, not replaced (no flicker).
      expect(container.querySelector("p")).toBe(p);
    }
    expect(container.querySelector("pre code")?.textContent).toBe("let x = 1;\n");
    expect(container.querySelectorAll("li")).toHaveLength(2);
  });

  it("shows an over-long text as plain text", () => {
    const el = md(`**bold** ${"x".repeat(MAX_MARKDOWN_CHARS)}`);
    expect(el.querySelector("strong")).toBeNull();
    expect(el.textContent?.startsWith("**bold**")).toBe(true);
  });

  it("accepts only absolute http(s) and mailto URLs", () => {
    expect(safeUrl("https://a.example/x?y#z")).toBe("https://a.example/x?y#z");
    expect(safeUrl("mailto:a@b.c")).toBe("mailto:a@b.c");
    for (const bad of ["javascript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)", "data:text/html,x", "/relative", "#top", "ftp://x", "", undefined]) {
      expect(safeUrl(bad), String(bad)).toBeNull();
    }
  });
});
