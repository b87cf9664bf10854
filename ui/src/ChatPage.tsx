import { ChatKit, useChatKit } from "@openai/chatkit-react";
import { useEffect, useState } from "react";
import { BuiltinChat } from "./chat/BuiltinChat";
import { CHATKIT_URL } from "./chat/client";
import type { IpcFetch } from "./chatkitTransport";
import { loadChatKitElement } from "./chatkitLoader";
import type { ChatMemoryStore } from "./draft";
import { TasksPanel } from "./tasks/TasksPanel";
import { useColorScheme } from "./useColorScheme";

export const DEV_DOMAIN_KEY = "domain_pk_localhost_dev";
export const FALLBACK_NOTICE = "The ChatKit component could not be loaded (offline?). Using the built-in chat.";

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

export function ChatPage({ fetch, memory, domainKey, active, builtinOnly = false, chatkitTimeoutMs = 4000 }: ChatPageProps) {
  const [mode, setMode] = useState<Mode>(builtinOnly ? "builtin" : "trying");
  const [failed, setFailed] = useState(false);
  const [tasksSignal, setTasksSignal] = useState(0);
  const bumpTasks = () => setTasksSignal((n) => n + 1);

  useEffect(() => {
    if (builtinOnly) return;
    let live = true;
    loadChatKitElement(chatkitTimeoutMs).then((r) => {
      if (!live) return;
      setMode(r === "ready" ? "element" : "builtin");
      setFailed(r !== "ready");
    });
    return () => {
      live = false;
    };
  }, [builtinOnly, chatkitTimeoutMs]);

  return (
    <div className="chat-page" data-testid="chat-page">
      <div className="chat-area">
        {failed && (
          <div className="alert alert-notice chat-notice" role="status" data-testid="chat-fallback-notice">
            {FALLBACK_NOTICE}
          </div>
        )}
        {mode === "builtin" ? (
          <BuiltinChat fetch={fetch} memory={memory} onTasksChanged={bumpTasks} active={active} />
        ) : (
          <div className="chatkit-host" aria-busy={mode === "trying"}>
            {mode === "trying" && <p className="muted center chatkit-loading">Loading the chat…</p>}
            <ChatKitElement fetch={fetch} domainKey={domainKey || DEV_DOMAIN_KEY} onTasksChanged={bumpTasks} />
            {mode === "element" && (
              <button type="button" className="link small use-builtin" onClick={() => setMode("builtin")}>
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
