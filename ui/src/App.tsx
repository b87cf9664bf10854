import { Channel, invoke } from "@tauri-apps/api/core";
import { useCallback, useEffect, useState } from "react";
import { AuthPage } from "./auth/AuthPage";
import { ChatPage } from "./ChatPage";
import { createIpcFetch, type IpcFetch } from "./chatkitTransport";
import { createChatMemoryStore } from "./draft";
import * as ipc from "./ipc";
import type { Settings, User } from "./bindings";
import { SettingsPage } from "./settings/SettingsPage";

export const SESSION_EXPIRED_NOTICE = "Your session has expired. Please sign in again.";

type Auth =
  | { status: "loading" }
  | { status: "signed-out"; notice: string | null }
  | { status: "signed-in"; user: User };

export type AppProps = {
  /** Injected in tests; the real IPC fetch otherwise. */
  fetch?: IpcFetch;
  builtinChatOnly?: boolean;
};

export function App({ fetch: injectedFetch, builtinChatOnly }: AppProps = {}) {
  const [auth, setAuth] = useState<Auth>({ status: "loading" });
  const [page, setPage] = useState<"chat" | "settings">("chat");
  const [settings, setSettings] = useState<Settings | null>(null);
  const [memory] = useState(createChatMemoryStore);
  const [ipcFetch] = useState<IpcFetch>(
    () => injectedFetch ?? createIpcFetch({ invoke, Channel, onUnauthorized: ipc.notifySessionEnded }),
  );

  // The session ended under us (a command or a chat request said so): back to
  // sign-in with a notice. The chat draft stays in `memory`.
  const expire = useCallback(() => {
    ipcFetch.clearToken();
    setAuth((a) => (a.status === "signed-in" ? { status: "signed-out", notice: SESSION_EXPIRED_NOTICE } : a));
  }, [ipcFetch]);
  useEffect(() => ipc.onSessionEnded(expire), [expire]);

  useEffect(() => {
    let live = true;
    ipc.commands.currentSession().then(
      (s) => live && setAuth(s ? { status: "signed-in", user: s.user } : { status: "signed-out", notice: null }),
      (e: unknown) => {
        if (!live) return;
        const err = ipc.toIpcError(e);
        setAuth({ status: "signed-out", notice: ipc.isSessionEnded(err) ? SESSION_EXPIRED_NOTICE : err.message });
      },
    );
    return () => {
      live = false;
    };
  }, []);

  const signedIn = auth.status === "signed-in";
  useEffect(() => {
    if (!signedIn) return;
    let live = true;
    ipc.commands.settingsGet().then(
      (s) => live && setSettings(s),
      () => {
        /* the defaults apply */
      },
    );
    return () => {
      live = false;
    };
  }, [signedIn]);

  const onSignIn = useCallback(
    async (email: string, password: string) => {
      const s = await ipc.commands.signIn(email, password);
      ipcFetch.clearToken();
      setPage("chat");
      setAuth({ status: "signed-in", user: s.user });
    },
    [ipcFetch],
  );

  const onSignUp = useCallback(
    async (name: string, email: string, password: string) => {
      const s = await ipc.commands.signUp(email, name, password);
      ipcFetch.clearToken();
      setPage("chat");
      setAuth({ status: "signed-in", user: s.user });
    },
    [ipcFetch],
  );

  async function onSignOut() {
    try {
      await ipc.commands.signOut();
    } catch {
      /* signed out locally either way */
    }
    ipcFetch.clearToken();
    memory.clear();
    setSettings(null);
    setAuth({ status: "signed-out", notice: null });
  }

  if (auth.status === "loading") {
    return (
      <div className="splash" role="status">
        Loading Tasktalk…
      </div>
    );
  }

  if (auth.status === "signed-out") {
    return <AuthPage notice={auth.notice} onSignIn={onSignIn} onSignUp={onSignUp} />;
  }

  const user = auth.user;
  return (
    <div className="app">
      <header className="app-header">
        <span className="brand">Tasktalk</span>
        <span className="spacer" />
        <span className="user" title={user.email}>
          <span data-testid="user-name">{user.name || user.email}</span>
          {user.name && <span className="user-email">{user.email}</span>}
        </span>
        <button
          type="button"
          className="btn"
          onClick={() => setPage("settings")}
          aria-pressed={page === "settings"}
          data-testid="open-settings"
        >
          Settings
        </button>
        <button type="button" className="btn" onClick={onSignOut} data-testid="sign-out">
          Sign out
        </button>
      </header>
      <div className="app-body" hidden={page !== "chat"}>
        <ChatPage
          fetch={ipcFetch}
          memory={memory}
          domainKey={settings?.chatkitDomainKey ?? ""}
          active={page === "chat"}
          builtinOnly={builtinChatOnly}
        />
      </div>
      {page === "settings" && (
        <div className="app-body">
          <SettingsPage onBack={() => setPage("chat")} onSaved={setSettings} />
        </div>
      )}
    </div>
  );
}
