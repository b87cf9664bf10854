import { ChatKit, useChatKit } from "@openai/chatkit-react";
import { useEffect, useState } from "react";
import { BuiltinChat } from "./chat/BuiltinChat";
import { CHATKIT_URL } from "./chat/client";
import type { IpcFetch } from "./chatkitTransport";
import { chatKitLoadResult, loadChatKitElement, type ChatKitLoad } from "./chatkitLoader";
import { chatKitLoadedBefore, chatViewPreference, type ChatView } from "./chatView";
import type { ChatMemoryStore } from "./draft";
import * as ipc from "./ipc";
import { TasksPanel } from "./tasks/TasksPanel";
import { useColorScheme } from "./useColorScheme";

export const DEV_DOMAIN_KEY = "domain_pk_localhost_dev";
export const FALLBACK_NOTICE = "The ChatKit component could not be loaded (offline?). Using the built-in chat.";
export const AUTO_FALLBACK_STATUS = "ChatKit could not be loaded (offline?): the built-in chat is used until the next start.";

type ElementProps = {
  fetch: IpcFetch;
  domainKey: string;
  onTasksChanged: () => void;
};

function ChatKitElement({ fetch, domainKey, onTasksChanged }: ElementProps) {
  const colorScheme = useColorScheme();
  const { control } = useChatKit({
    api: { url: CHATKIT_URL, domainKey, fetch },
    theme: { colorScheme },
    frameTitle: "Tasktalk chat",
    history: { enabled: true, showDelete: true, showRename: true },
    startScreen: {
      greeting: "What should we get done?",
      prompts: [
        { label: "Add a task", prompt: "Add a task to buy milk" },
        { label: "What is still open?", prompt: "What is still open?" },
      ],
    },
    composer: { placeholder: "Ask about your tasks…" },
    onEffect: ({ name }) => {
      if (name === "tasks.changed") onTasksChanged();
    },
  });
  return <ChatKit control={control} className="chatkit-element" />;
}

export type ChatPageProps = {
  fetch: IpcFetch;
  memory: ChatMemoryStore;
  domainKey: string;
  active: boolean;
  /** Skip the ChatKit element (settings, tests). */
  builtinOnly?: boolean;
  chatkitTimeoutMs?: number;
};

type Mode = "trying" | "element" | "builtin";

/** A conversation as Markdown, into the file the person picks in the system's save dialog. */
const exportThread = (threadId: string) => ipc.commands.dataExportConversation(threadId).then((r) => r?.path ?? null);

function modeFor(view: ChatView, load: ChatKitLoad | null, autoUsesChatKit: boolean): Mode {
  if (view === "builtin" || load === "failed") return "builtin";
  if (load === "ready") return view === "chatkit" || autoUsesChatKit ? "element" : "builtin";
  // Still loading: a chosen ChatKit is waited for; Automatic shows the built-in chat meanwhile.
  return view === "chatkit" ? "trying" : "builtin";
}

export function ChatPage({ fetch, memory, domainKey, active, builtinOnly = false, chatkitTimeoutMs = 4000 }: ChatPageProps) {
  const chosen = chatViewPreference.use();
  const view: ChatView = builtinOnly ? "builtin" : chosen;
  // Decided once per start: Automatic uses ChatKit only after a run where it loaded.
  const [autoUsesChatKit] = useState(() => chatKitLoadedBefore.get() === "yes");
  const [load, setLoad] = useState<ChatKitLoad | null>(chatKitLoadResult);
  const [useBuiltin, setUseBuiltin] = useState(false);
  const [tasksSignal, setTasksSignal] = useState(0);
  const bumpTasks = () => setTasksSignal((n) => n + 1);

  // Built-in: no request to the CDN at all.
  const wantsChatKit = view !== "builtin";
  useEffect(() => {
    if (!wantsChatKit || load !== null) return;
    let live = true;
    loadChatKitElement(chatkitTimeoutMs).then((r) => {
      chatKitLoadedBefore.set(r === "ready" ? "yes" : "no");
      if (live) setLoad(r);
    });
    return () => {
      live = false;
    };
  }, [wantsChatKit, load, chatkitTimeoutMs]);

  const mode = useBuiltin ? "builtin" : modeFor(view, load, autoUsesChatKit);

  return (
    <div className="chat-page" data-testid="chat-page">
      <div className="chat-area">
        {view === "chatkit" && load === "failed" && (
          <div className="alert alert-notice chat-notice" role="status" data-testid="chat-fallback-notice">
            {FALLBACK_NOTICE}
          </div>
        )}
        {view === "auto" && load === "failed" && (
          <p className="chat-status" role="status" data-testid="chat-fallback-status">
            {AUTO_FALLBACK_STATUS}
          </p>
        )}
        {mode === "builtin" ? (
          <BuiltinChat fetch={fetch} memory={memory} onTasksChanged={bumpTasks} active={active} onExport={exportThread} />
        ) : (
          <div className="chatkit-host" aria-busy={mode === "trying"}>
            {mode === "trying" && <p className="muted center chatkit-loading">Loading the chat…</p>}
            <ChatKitElement fetch={fetch} domainKey={domainKey || DEV_DOMAIN_KEY} onTasksChanged={bumpTasks} />
            {mode === "element" && (
              <button type="button" className="link small use-builtin" onClick={() => setUseBuiltin(true)}>
                Use the built-in chat
              </button>
            )}
          </div>
        )}
      </div>
      <TasksPanel refreshSignal={tasksSignal} />
    </div>
  );
}
