import { act, fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { installListLayout, ROW_PX, VIEWPORT_PX } from "../test/layout";
import { MessageList, type MessageListProps } from "./MessageList";
import type { ChatMessage } from "./state";

installListLayout();

function thread(n: number): ChatMessage[] {
  return Array.from({ length: n }, (_, i): ChatMessage =>
    i % 2 === 0
      ? { kind: "user", id: `u${i}`, text: `question ${i}`, pending: false }
      : { kind: "assistant", id: `a${i}`, parts: [`answer **${i}**`], streaming: false },
  );
}

const props: Omit<MessageListProps, "messages"> = {
  threadKey: "thr_long",
  streaming: false,
  loading: false,
  progress: null,
  error: null,
  onRetry: () => {},
  emptyHint: "Say something",
};

const rows = () => document.querySelectorAll(".message-row");
const texts = () => [...rows()].map((r) => r.textContent);

/** jsdom fires no scroll event of its own: tell the list it moved, as a browser would. */
function scrollTo(list: HTMLElement, top: number) {
  list.scrollTop = top;
  fireEvent.scroll(list);
}

describe("MessageList", () => {
  it("renders a 2 000-message thread as a screenful of rows, scrolled to the newest", () => {
    const { rerender } = render(<MessageList {...props} messages={thread(2000)} />);
    const list = screen.getByRole("log");
    expect(list.getAttribute("aria-live")).toBe("polite");
    // Stuck to the bottom: the browser then reports the scroll.
    act(() => fireEvent.scroll(list));
    rerender(<MessageList {...props} messages={thread(2000)} />);
    expect(rows().length).toBeGreaterThan(0);
    expect(rows().length).toBeLessThan(VIEWPORT_PX / ROW_PX + 2 * 8 + 4);
    expect(texts()).toContain("answer 1999");
    expect(texts()).not.toContain("question 0");
    expect(list.scrollTop).toBe(list.scrollHeight);
  });

  it("follows a streaming answer at the bottom, and keeps the place when scrolled up", () => {
    const messages = thread(400);
    const { rerender } = render(<MessageList {...props} messages={messages} streaming />);
    const list = screen.getByRole("log");
    act(() => scrollTo(list, list.scrollHeight));

    // A new answer streams in: the list follows it.
    const streaming: ChatMessage = { kind: "assistant", id: "a_new", parts: ["Hel"], streaming: true };
    rerender(<MessageList {...props} messages={[...messages, streaming]} streaming />);
    expect(list.scrollTop).toBe(list.scrollHeight);
    act(() => fireEvent.scroll(list));
    expect(texts()).toContain("Hel");

    // The person scrolls up to read: more text arrives, the place stays, and
    // the old rows coming into view are not announced as news.
    expect(list.getAttribute("aria-live")).toBe("polite");
    act(() => scrollTo(list, 0));
    expect(texts()).toContain("question 0");
    expect(list.getAttribute("aria-live")).toBe("off");
    rerender(<MessageList {...props} messages={[...messages, { ...streaming, parts: ["Hello, more"] }]} streaming />);
    expect(list.scrollTop).toBe(0);
    expect(texts()).toContain("question 0");

    // Another thread opens: at its bottom again.
    rerender(<MessageList {...props} threadKey="thr_other" messages={thread(50)} />);
    expect(list.scrollTop).toBe(list.scrollHeight);
    expect(list.getAttribute("aria-live")).toBe("polite");
  });

  it("shows user messages as plain text and assistant messages as markdown", () => {
    render(
      <MessageList
        {...props}
        messages={[
          { kind: "user", id: "u", text: "**not bold** [x](https://a.example)", pending: false },
          { kind: "assistant", id: "a", parts: ["**bold**"], streaming: false },
        ]}
      />,
    );
    const user = screen.getByTestId("message-user");
    expect(user.querySelector("strong, a")).toBeNull();
    expect(user.textContent).toBe("**not bold** [x](https://a.example)");
    expect(screen.getByTestId("message-assistant").querySelector("strong")?.textContent).toBe("bold");
  });
});
