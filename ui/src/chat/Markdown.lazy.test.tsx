// Before the renderer is loaded: a file of its own, so that no other test has
// loaded it yet (each test file gets its own modules).
import { render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { Markdown, markdownRendererLoaded } from "./Markdown";

vi.mock("@tauri-apps/plugin-opener", () => ({ openUrl: vi.fn(async () => {}) }));

describe("Markdown before any message needed it", () => {
  it("shows plain replies without loading the renderer, and loads it for the first reply with Markdown", async () => {
    const plain = render(<Markdown text="Hi! What can I do for your list today?" />);
    expect(plain.container.innerHTML).toBe('<div class="md"><p>Hi! What can I do for your list today?</p></div>');
    expect(markdownRendererLoaded()).toBe(false);

    const marked = render(<Markdown text="Done: **buy milk** is complete." />);
    // Until it arrives the text shows as written.
    expect(marked.container.querySelector("p")?.textContent).toBe("Done: **buy milk** is complete.");
    expect((await screen.findByText("buy milk")).tagName).toBe("STRONG");
    expect(markdownRendererLoaded()).toBe(true);
    // Once loaded, a message that needs it renders at once, without the text-as-written step.
    plain.rerender(<Markdown text="Hi again, [now](https://a.example) a link." />);
    expect(plain.container.querySelector("a")?.getAttribute("href")).toBe("https://a.example/");
  });
});
