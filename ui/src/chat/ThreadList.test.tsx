import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { ThreadMeta } from "./protocol";
import { groupByDay, ThreadList } from "./ThreadList";
import { useThreads } from "./useThreads";

type Body = { type: string; params: Record<string, unknown> };

const DAY = 24 * 60 * 60 * 1000;

function thread(id: string, title: string, ago: number): ThreadMeta {
  const at = new Date(Date.now() - ago).toISOString();
  return { id, title, created_at: at, metadata: { updated_at: at } };
}

/** A ChatKit server holding `threads` (most recently active first) that pages, searches titles, renames and deletes. */
function threadServer(initial: ThreadMeta[]) {
  let threads = initial.slice();
  const requests: Body[] = [];
  const page = (all: ThreadMeta[], params: Record<string, unknown>) => {
    const limit = Number(params.limit ?? 20);
    const start = params.after ? all.findIndex((t) => t.id === params.after) + 1 : 0;
    const data = all.slice(start, start + limit);
    const hasMore = start + limit < all.length;
    return Response.json({ data, has_more: hasMore, after: hasMore ? data.at(-1)?.id : null });
  };
  const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body)) as Body;
    requests.push(body);
    const p = body.params;
    switch (body.type) {
      case "threads.list":
        return page(threads, p);
      case "threads.search": {
        const words = String(p.query).toLowerCase().split(/\s+/);
        return page(
          threads.filter((t) => words.every((w) => (t.title ?? "").toLowerCase().includes(w))),
          p,
        );
      }
      case "threads.update":
        threads = threads.map((t) => (t.id === p.thread_id ? { ...t, title: String(p.title) } : t));
        return Response.json(threads.find((t) => t.id === p.thread_id));
      case "threads.delete":
        threads = threads.filter((t) => t.id !== p.thread_id);
        return Response.json({});
      default:
        return Response.json({ error: { message: "unexpected" } }, { status: 400 });
    }
  });
  return { fetch, requests };
}

type HarnessProps = {
  fetch: typeof globalThis.fetch;
  onOpen: (t: ThreadMeta) => void;
  onDeleted: (id: string) => void;
  onExport?: (id: string) => Promise<string | null>;
};

function Harness({ fetch, onOpen, onDeleted, onExport }: HarnessProps) {
  const list = useThreads(fetch);
  return <ThreadList list={list} activeId={null} active onOpen={onOpen} onNew={() => {}} onDeleted={onDeleted} onExport={onExport} />;
}

function renderList(threads: ThreadMeta[], onExport?: (id: string) => Promise<string | null>) {
  const server = threadServer(threads);
  const onOpen = vi.fn();
  const onDeleted = vi.fn();
  const user = userEvent.setup();
  render(<Harness fetch={server.fetch} onOpen={onOpen} onDeleted={onDeleted} onExport={onExport} />);
  return { ...server, onOpen, onDeleted, user };
}

const shownTitles = () => screen.queryAllByTestId("thread-item").map((i) => i.querySelector(".thread-title")?.textContent);
const row = (title: string) => screen.getAllByTestId("thread-item").find((i) => i.textContent?.includes(title)) as HTMLElement;

describe("ThreadList", () => {
  it("groups threads by last activity into Today, Yesterday and Older, in the local time zone", async () => {
    const now = new Date(2026, 11, 2, 0, 30);
    const at = (d: Date) => ({ id: d.toISOString(), created_at: "2020-01-01T00:00:00Z", metadata: { updated_at: d.toISOString() } });
    const groups = groupByDay(
      [at(new Date(2026, 11, 1, 23, 59)), at(new Date(2026, 11, 2, 0, 1)), at(new Date(2026, 10, 30, 23, 59)), at(new Date(2026, 11, 1, 0, 0))],
      now,
    );
    expect(groups.map((g) => [g.label, g.threads.length])).toEqual([["Today", 1], ["Yesterday", 2], ["Older", 1]]);
    expect(groups[1].threads[0].id).toBe(new Date(2026, 11, 1, 23, 59).toISOString());

    renderList([thread("t1", "this morning", 0), thread("t2", "a while ago", 10 * DAY), thread("t3", "last night", DAY)]);
    const sections = await screen.findAllByTestId("thread-group");
    expect(sections.map((s) => [s.querySelector("h3")?.textContent, within(s).getAllByTestId("thread-item").length])).toEqual([
      ["Today", 1],
      ["Yesterday", 1],
      ["Older", 1],
    ]);
  });

  it("pages past the first 50 threads with Load more", async () => {
    const many = Array.from({ length: 120 }, (_, n) => thread(`t${n}`, `thread ${n}`, n * 1000));
    const { user, requests } = renderList(many);
    await waitFor(() => expect(shownTitles()).toHaveLength(50));
    await user.click(screen.getByTestId("thread-load-more"));
    await waitFor(() => expect(shownTitles()).toHaveLength(100));
    expect(requests.at(-1)).toEqual({ type: "threads.list", params: { limit: 50, order: "desc", after: "t49" } });
    await user.click(screen.getByTestId("thread-load-more"));
    await waitFor(() => expect(shownTitles()).toHaveLength(120));
    expect(screen.queryByTestId("thread-load-more")).toBeNull();
    expect(shownTitles()[119]).toBe("thread 119");
  });

  it("renames inline: Enter saves, Escape cancels", async () => {
    const { user, requests } = renderList([thread("t1", "groceries", 0)]);
    await screen.findByText("groceries");
    await user.click(screen.getByTestId("thread-rename"));
    const input = screen.getByTestId("thread-rename-input");
    expect(document.activeElement).toBe(input);
    await user.clear(input);
    await user.type(input, "Weekly shop{Escape}");
    expect(screen.queryByTestId("thread-rename-input")).toBeNull();
    expect(shownTitles()).toEqual(["groceries"]);
    expect(requests.some((r) => r.type === "threads.update")).toBe(false);

    await user.click(screen.getByTestId("thread-rename"));
    await user.clear(screen.getByTestId("thread-rename-input"));
    await user.type(screen.getByTestId("thread-rename-input"), "  Weekly shop {Enter}");
    await waitFor(() => expect(shownTitles()).toEqual(["Weekly shop"]));
    expect(requests.at(-1)).toEqual({ type: "threads.update", params: { thread_id: "t1", title: "Weekly shop" } });
  });

  it("exports a conversation as Markdown and says where it went; a closed dialog says nothing", async () => {
    const onExport = vi.fn<(id: string) => Promise<string | null>>();
    onExport.mockResolvedValueOnce(null).mockResolvedValueOnce("/home/ann/groceries.md").mockRejectedValueOnce(new Error("disk full"));
    const { user } = renderList([thread("t1", "groceries", 0)], onExport);
    await screen.findByText("groceries");
    const button = screen.getByRole("button", { name: "Export “groceries” as Markdown" });
    await user.click(button);
    expect(onExport).toHaveBeenLastCalledWith("t1");
    await waitFor(() => expect(button.hasAttribute("disabled")).toBe(false));
    expect(screen.queryByTestId("thread-exported")).toBeNull();
    await user.click(button);
    expect((await screen.findByTestId("thread-exported")).textContent).toBe("Saved to /home/ann/groceries.md");
    await user.click(button);
    expect((await screen.findByRole("alert")).textContent).toBe("Could not export: disk full");
    expect(screen.queryByTestId("thread-exported")).toBeNull();
  });

  it("has no export action where no export is offered", async () => {
    renderList([thread("t1", "groceries", 0)]);
    await screen.findByText("groceries");
    expect(screen.queryByTestId("thread-export")).toBeNull();
  });

  it("deletes only after an in-app confirmation", async () => {
    const confirm = vi.spyOn(window, "confirm");
    const { user, requests, onDeleted } = renderList([thread("t1", "keep me", 0), thread("t2", "drop me", 1000)]);
    await screen.findByText("drop me");
    await user.click(within(row("drop me")).getByTestId("thread-delete"));
    const dialog = screen.getByRole("alertdialog");
    expect(dialog.textContent).toContain("drop me");
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(requests.some((r) => r.type === "threads.delete")).toBe(false);

    await user.click(within(row("drop me")).getByTestId("thread-delete"));
    await user.click(screen.getByTestId("thread-confirm-delete"));
    await waitFor(() => expect(shownTitles()).toEqual(["keep me"]));
    expect(requests.at(-1)).toEqual({ type: "threads.delete", params: { thread_id: "t2" } });
    expect(onDeleted).toHaveBeenCalledWith("t2");
    expect(confirm).not.toHaveBeenCalled();
  });

  it("searches on the server once typing pauses and returns to the list when cleared", async () => {
    const { user, requests } = renderList([thread("t1", "buy oat milk", 0), thread("t2", "plan the week", 1000), thread("t3", "milk run", 2 * DAY)]);
    await screen.findByText("plan the week");
    const search = screen.getByTestId("thread-search");
    await user.type(search, "MILK");
    await waitFor(() => expect(shownTitles()).toEqual(["buy oat milk", "milk run"]));
    expect(requests.filter((r) => r.type === "threads.search")).toEqual([
      { type: "threads.search", params: { query: "MILK", limit: 50 } },
    ]);
    expect(screen.queryByTestId("thread-group")).toBeNull();

    await user.clear(search);
    await user.type(search, "nothing like it");
    await screen.findByTestId("search-empty");

    await user.clear(search);
    expect(shownTitles()).toEqual(["buy oat milk", "plan the week", "milk run"]);
    expect(screen.getAllByTestId("thread-group")).toHaveLength(2);
  });

  it("focuses search with Ctrl/Cmd+K, moves with the arrow keys and opens with Enter", async () => {
    const { user, onOpen } = renderList([thread("t1", "first", 0), thread("t2", "second", 1000), thread("t3", "third", 2000)]);
    await screen.findByText("third");
    await user.keyboard("{Control>}k{/Control}");
    expect(document.activeElement).toBe(screen.getByTestId("thread-search"));
    (document.activeElement as HTMLElement).blur();
    fireEvent.keyDown(window, { key: "k", metaKey: true });
    expect(document.activeElement).toBe(screen.getByTestId("thread-search"));

    const button = (title: string) => within(row(title)).getByText(title).closest("button");
    await user.keyboard("{ArrowDown}");
    expect(document.activeElement).toBe(button("first"));
    await user.keyboard("{ArrowDown}{ArrowDown}{ArrowDown}");
    expect(document.activeElement).toBe(button("third"));
    await user.keyboard("{ArrowUp}");
    expect(document.activeElement).toBe(button("second"));
    await user.keyboard("{Enter}");
    expect(onOpen).toHaveBeenCalledWith(expect.objectContaining({ id: "t2" }));
  });
});
