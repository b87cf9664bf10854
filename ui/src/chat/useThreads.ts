// The thread list's data: pages of the user's threads (most recently active
// first), a debounced server-side search, rename and delete. The built-in chat
// reports the threads its turns create or retitle with `touched`.

import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { deleteThread, listThreads, renameThread, searchThreads, type FetchLike } from "./client";
import type { Page, ThreadMeta } from "./protocol";

/** Pause after the last keystroke before a search is sent. */
export const SEARCH_DELAY_MS = 250;

type Pager = {
  threads: ThreadMeta[] | null;
  after: string | null;
  hasMore: boolean;
  loading: boolean;
  error: string | null;
};

const loadingPager: Pager = { threads: null, after: null, hasMore: false, loading: true, error: null };

export type ThreadsApi = {
  /** The list, or the search results while a query is typed; null until loaded. */
  threads: ThreadMeta[] | null;
  /** Every loaded thread of the list (for the open thread's title). */
  all: ThreadMeta[] | null;
  searching: boolean;
  query: string;
  setQuery: (query: string) => void;
  hasMore: boolean;
  loading: boolean;
  error: string | null;
  loadMore: () => void;
  rename: (threadId: string, title: string) => Promise<void>;
  remove: (threadId: string) => Promise<void>;
  /** A turn created or changed this thread: merge it and move it to the top. */
  touched: (thread: ThreadMeta) => void;
  /** Reads the list again from its first page (conversations were imported). */
  reload: () => void;
};

export function messageOf(e: unknown): string {
  if (e instanceof Error && e.message) return e.message;
  return "Something went wrong. Please try again.";
}

/** Appends a page, dropping threads already shown (a thread active meanwhile moves between pages). */
function withPage(pager: Pager, page: Page<ThreadMeta>): Pager {
  const seen = new Set((pager.threads ?? []).map((t) => t.id));
  return {
    threads: [...(pager.threads ?? []), ...page.data.filter((t) => !seen.has(t.id))],
    after: page.after ?? null,
    hasMore: page.has_more && !!page.after,
    loading: false,
    error: null,
  };
}

function mapThreads(pager: Pager, f: (threads: ThreadMeta[]) => ThreadMeta[]): Pager {
  return pager.threads ? { ...pager, threads: f(pager.threads) } : pager;
}

export function useThreads(fetch: FetchLike): ThreadsApi {
  const [list, setList] = useState<Pager>(loadingPager);
  const [query, setQuery] = useState("");
  // Bumped to read the list again (conversations imported elsewhere).
  const [generation, setGeneration] = useState(0);
  // The results of one query: older answers are dropped by comparing it.
  const [found, setFound] = useState<{ query: string; pager: Pager } | null>(null);
  const trimmed = query.trim();

  useEffect(() => {
    let live = true;
    listThreads(fetch).then(
      (page) => live && setList(withPage({ ...loadingPager, threads: [] }, page)),
      (e: unknown) =>
        live && setList({ ...loadingPager, loading: false, error: `Could not load the conversations: ${messageOf(e)}` }),
    );
    return () => {
      live = false;
    };
  }, [fetch, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => {
    if (!trimmed) return;
    let live = true;
    const timer = setTimeout(() => {
      searchThreads(fetch, trimmed).then(
        (page) => live && setFound({ query: trimmed, pager: withPage({ ...loadingPager, threads: [] }, page) }),
        (e: unknown) =>
          live &&
          setFound({
            query: trimmed,
            pager: { ...loadingPager, threads: [], loading: false, error: `Search failed: ${messageOf(e)}` },
          }),
      );
    }, SEARCH_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [fetch, trimmed]);

  const searching = trimmed !== "";
  const results = searching ? (found?.query === trimmed ? found.pager : loadingPager) : null;
  const shown = results ?? list;

  // Read by the callbacks below without making them change on every render.
  const current = useRef({ shown, trimmed });
  useEffect(() => {
    current.current = { shown, trimmed };
  });

  const loadMore = useCallback(() => {
    const { shown, trimmed } = current.current;
    if (!shown.hasMore || shown.loading || !shown.after) return;
    const after = shown.after;
    const update = (f: (p: Pager) => Pager) =>
      trimmed ? setFound((r) => (r && r.query === trimmed ? { query: trimmed, pager: f(r.pager) } : r)) : setList(f);
    update((p) => ({ ...p, loading: true }));
    (trimmed ? searchThreads(fetch, trimmed, after) : listThreads(fetch, after)).then(
      (page) => update((p) => withPage(p, page)),
      (e: unknown) => update((p) => ({ ...p, loading: false, error: `Could not load more: ${messageOf(e)}` })),
    );
  }, [fetch]);

  const everywhere = useCallback((f: (threads: ThreadMeta[]) => ThreadMeta[]) => {
    setList((p) => mapThreads(p, f));
    setFound((r) => r && { ...r, pager: mapThreads(r.pager, f) });
  }, []);

  const rename = useCallback(
    async (threadId: string, title: string) => {
      const renamed = await renameThread(fetch, threadId, title);
      everywhere((ts) => ts.map((t) => (t.id === threadId ? { ...t, title: renamed.title ?? title } : t)));
    },
    [fetch, everywhere],
  );

  const remove = useCallback(
    async (threadId: string) => {
      await deleteThread(fetch, threadId);
      everywhere((ts) => ts.filter((t) => t.id !== threadId));
    },
    [fetch, everywhere],
  );

  const touched = useCallback((thread: ThreadMeta) => {
    const now = { updated_at: new Date().toISOString() };
    setList((p) => {
      const old = p.threads?.find((t) => t.id === thread.id);
      const merged = { ...old, ...thread, title: thread.title ?? old?.title, metadata: { ...old?.metadata, ...now } };
      return { ...p, threads: [merged, ...(p.threads ?? []).filter((t) => t.id !== thread.id)] };
    });
    setFound((r) => r && { ...r, pager: mapThreads(r.pager, (ts) => ts.map((t) => (t.id === thread.id ? { ...t, title: thread.title ?? t.title } : t))) });
  }, []);

  return useMemo(
    () => ({
      threads: shown.threads,
      all: list.threads,
      searching,
      query,
      setQuery,
      hasMore: shown.hasMore,
      loading: shown.loading,
      error: shown.error,
      loadMore,
      rename,
      remove,
      touched,
      reload,
    }),
    [shown, list.threads, searching, query, loadMore, rename, remove, touched, reload],
  );
}
