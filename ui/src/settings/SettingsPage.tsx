import { useEffect, useId, useState, type FormEvent, type ReactNode } from "react";
import * as ipc from "../ipc";
import { PROVIDERS, type AppInfo, type LogLevel, type ProviderKind, type Settings, type SettingsUpdate } from "../bindings";
import { AppearanceSettings } from "./AppearanceSettings";
import { DataSection } from "./DataSection";

type Form = {
  dbKind: "sqlite" | "postgres";
  dbUrl: string;
  dbPassword: string;
  betterAuthSecret: string;
  providerKind: ProviderKind;
  model: string;
  baseUrl: string;
  apiKey: string;
  apiKeySet: boolean;
  jwtMode: "hs256" | "eddsa";
  domainKey: string;
  backendKind: "local" | "remote";
  backendUrl: string;
  reminders: boolean;
  quickAddShortcut: string;
  logLevel: LogLevel;
  /** Where the saved key and token go now, to tell what a change would move. */
  savedKeyServer: string | null;
  savedBackendServer: string | null;
};

/** The server a URL sends to (its origin); a URL without one stands for itself. */
function server(url: string): string {
  try {
    const origin = new URL(url.trim()).origin;
    return origin === "null" ? url.trim() : origin;
  } catch {
    return url.trim();
  }
}

/** Where a provider sends its API key; its default address when no base URL is set. */
function keyServer(kind: ProviderKind, baseUrl: string): string | null {
  if (kind === "offline") return null;
  return baseUrl.trim() ? server(baseUrl) : `default:${kind}`;
}

function toForm(s: Settings): Form {
  return {
    dbKind: s.database.kind,
    dbUrl: s.database.kind === "postgres" ? s.database.url : "",
    dbPassword: "",
    betterAuthSecret: "",
    providerKind: s.provider.kind,
    model: s.provider.model ?? "",
    baseUrl: s.provider.baseUrl ?? "",
    apiKey: "",
    apiKeySet: s.provider.apiKeySet,
    jwtMode: s.jwtMode,
    domainKey: s.chatkitDomainKey,
    backendKind: s.chatBackend.kind,
    backendUrl: s.chatBackend.kind === "remote" ? s.chatBackend.url : "",
    reminders: s.reminders,
    quickAddShortcut: s.quickAddShortcut,
    logLevel: s.logLevel,
    savedKeyServer: keyServer(s.provider.kind, s.provider.baseUrl ?? ""),
    savedBackendServer: s.chatBackend.kind === "remote" ? server(s.chatBackend.url) : null,
  };
}

/** Saving forgets the saved key: it goes only to the server it was saved for. */
function keyWillBeDropped(f: Form): boolean {
  return f.apiKeySet && !f.apiKey.trim() && keyServer(f.providerKind, f.baseUrl) !== f.savedKeyServer;
}

/** Saving asks in a system dialog before the sign-in token goes to this server. */
function tokenNeedsConfirmation(f: Form): boolean {
  return f.backendKind === "remote" && f.backendUrl.trim() !== "" && server(f.backendUrl) !== f.savedBackendServer;
}

export function toUpdate(f: Form): SettingsUpdate {
  const update: SettingsUpdate = {
    database: f.dbKind === "sqlite" ? { kind: "sqlite" } : { kind: "postgres", url: f.dbUrl.trim() },
    provider: {
      kind: f.providerKind,
      model: f.providerKind === "offline" ? null : f.model.trim() || null,
      baseUrl: f.providerKind === "offline" ? null : f.baseUrl.trim() || null,
      apiKeySet: f.apiKeySet,
    },
    jwtMode: f.jwtMode,
    chatkitDomainKey: f.domainKey.trim(),
    chatBackend: f.backendKind === "local" ? { kind: "local" } : { kind: "remote", url: f.backendUrl.trim() },
    reminders: f.reminders,
    quickAddShortcut: f.quickAddShortcut.trim(),
    logLevel: f.logLevel,
  };
  // Secrets are write-only: sent only when typed, never read back.
  if (f.apiKey && f.providerKind !== "offline") update.apiKey = f.apiKey;
  if (f.dbPassword && f.dbKind === "postgres") update.databasePassword = f.dbPassword;
  if (f.betterAuthSecret && f.dbKind === "postgres") update.betterAuthSecret = f.betterAuthSecret;
  return update;
}

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

type Errors = Partial<Record<"dbUrl" | "baseUrl" | "backendUrl" | "betterAuthSecret", string>>;

function validate(f: Form): Errors {
  const e: Errors = {};
  if (f.dbKind === "postgres" && !/^postgres(ql)?:\/\/.+/.test(f.dbUrl.trim())) {
    e.dbUrl = "Enter a PostgreSQL URL, like postgres://user@host:5432/tasktalk.";
  }
  if (f.providerKind === "openai-compatible" && !isHttpUrl(f.baseUrl.trim())) {
    e.baseUrl = "Enter the server's base URL, like http://localhost:11434/v1.";
  } else if (f.providerKind !== "offline" && f.baseUrl.trim() && !isHttpUrl(f.baseUrl.trim())) {
    e.baseUrl = "Enter an http:// or https:// URL, or leave it empty.";
  }
  if (f.backendKind === "remote" && !isHttpUrl(f.backendUrl.trim())) {
    e.backendUrl = "Enter the ChatKit endpoint URL, like https://example.com/chatkit.";
  }
  if (f.betterAuthSecret && f.betterAuthSecret.length < 32) {
    e.betterAuthSecret = "BETTER_AUTH_SECRET must have at least 32 characters.";
  }
  return e;
}

function Row({ label, children, hint, error }: { label: string; children: (id: string, describedBy?: string) => ReactNode; hint?: ReactNode; error?: string }) {
  const id = useId();
  const describedBy = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id, describedBy)}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : (
        hint && (
          <p className="field-hint" id={`${id}-hint`}>
            {hint}
          </p>
        )
      )}
    </div>
  );
}

type InputRowProps = {
  label: string;
  hint?: ReactNode;
  error?: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  /** A write-only secret: a password input the browser does not fill in. */
  secret?: boolean;
};

/** A labelled text input (a URL, a name) or secret input, marked invalid while it has an error. */
function InputRow({ label, hint, error, value, onChange, placeholder, secret }: InputRowProps) {
  return (
    <Row label={label} hint={hint} error={error}>
      {(id, d) => (
        <input
          id={id}
          aria-describedby={d}
          aria-invalid={error ? true : undefined}
          {...(secret ? { type: "password", autoComplete: "off" } : { spellCheck: false })}
          value={value}
          placeholder={placeholder}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Row>
  );
}

export type SettingsPageProps = {
  onBack: () => void;
  onSaved: (settings: Settings) => void;
};

export function SettingsPage({ onBack, onSaved }: SettingsPageProps) {
  const [form, setForm] = useState<Form | null>(null);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [errors, setErrors] = useState<Errors>({});
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [result, setResult] = useState<{ apiKeyDropped: boolean } | null>(null);
  const [openLogsError, setOpenLogsError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    ipc.commands.settingsGet().then(
      (s) => live && setForm(toForm(s)),
      (e: unknown) => live && setLoadError(ipc.toIpcError(e).message),
    );
    ipc.commands.appInfo().then(
      (i) => live && setInfo(i),
      () => {
        /* the information block just stays empty */
      },
    );
    return () => {
      live = false;
    };
  }, []);

  function set<K extends keyof Form>(key: K, value: Form[K]) {
    setForm((f) => (f ? { ...f, [key]: value } : f));
    setResult(null);
  }

  function openLogsFolder() {
    setOpenLogsError(null);
    ipc.commands.openLogsFolder().catch((err: unknown) => setOpenLogsError(ipc.toIpcError(err).message));
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!form || saving) return;
    const found = validate(form);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setSaving(true);
    setSaveError(null);
    setResult(null);
    try {
      const r = await ipc.commands.settingsSet(toUpdate(form));
      setForm(toForm(r.settings));
      setResult({ apiKeyDropped: r.apiKeyDropped });
      onSaved(r.settings);
      ipc.commands.appInfo().then(setInfo, () => {});
    } catch (err) {
      setSaveError(ipc.toIpcError(err).message);
    } finally {
      setSaving(false);
    }
  }

  return (
    <main className="settings-page" data-testid="settings-page" aria-labelledby="settings-title">
      <div className="settings-head">
        <button type="button" className="btn" onClick={onBack} data-testid="back-to-chat">
          ← Back to chat
        </button>
        <h1 id="settings-title">Settings</h1>
      </div>

      {loadError && (
        <div className="alert alert-error" role="alert">
          {loadError}
        </div>
      )}

      <AppearanceSettings />

      {form && (
        <form className="settings-form" onSubmit={save} noValidate aria-busy={saving}>
          <fieldset>
            <legend>Database</legend>
            <div className="radio-row" role="radiogroup" aria-label="Database">
              <label>
                <input type="radio" name="db" checked={form.dbKind === "sqlite"} onChange={() => set("dbKind", "sqlite")} /> Bundled
                SQLite (this computer only)
              </label>
              <label>
                <input type="radio" name="db" checked={form.dbKind === "postgres"} onChange={() => set("dbKind", "postgres")} />{" "}
                PostgreSQL (shared with the web version or other computers)
              </label>
            </div>
            {form.dbKind === "postgres" && (
              <>
                <InputRow
                  label="PostgreSQL URL"
                  error={errors.dbUrl}
                  hint="Without the password; enter it below."
                  value={form.dbUrl}
                  placeholder="postgres://tasktalk@db.example.com:5432/tasktalk"
                  onChange={(v) => set("dbUrl", v)}
                />
                <InputRow
                  label="Database password"
                  hint="Stored with the other secrets; leave empty to keep the saved one. Before a saved password goes to another server, Tasktalk asks you in a system dialog."
                  secret
                  value={form.dbPassword}
                  onChange={(v) => set("dbPassword", v)}
                />
                <InputRow
                  label="BETTER_AUTH_SECRET"
                  error={errors.betterAuthSecret}
                  hint="The web version's secret, for a shared database (HS256 tokens). Leave empty to keep the saved one."
                  secret
                  value={form.betterAuthSecret}
                  onChange={(v) => set("betterAuthSecret", v)}
                />
              </>
            )}
          </fieldset>

          <fieldset>
            <legend>Assistant</legend>
            <Row label="Chat provider">
              {(id) => (
                <select id={id} value={form.providerKind} onChange={(e) => set("providerKind", e.target.value as ProviderKind)}>
                  {PROVIDERS.map((provider) => (
                    <option key={provider.kind} value={provider.kind}>
                      {provider.label}
                    </option>
                  ))}
                </select>
              )}
            </Row>
            {form.providerKind !== "offline" && (
              <>
                <InputRow label="Model" hint={PROVIDERS.find((provider) => provider.kind === form.providerKind)?.modelHint} value={form.model} onChange={(v) => set("model", v)} />
                <InputRow
                  label="Base URL"
                  error={errors.baseUrl}
                  hint={form.providerKind === "openai-compatible" ? "Required." : "Optional: leave empty for the provider's default."}
                  value={form.baseUrl}
                  placeholder={form.providerKind === "openai-compatible" ? "http://localhost:11434/v1" : ""}
                  onChange={(v) => set("baseUrl", v)}
                />
                <InputRow
                  label="API key"
                  hint={
                    keyWillBeDropped(form) ? (
                      <span data-testid="settings-api-key-will-drop">
                        The saved key is only sent to the server it was saved for: saving this change forgets it. Enter it again to keep
                        using one.
                      </span>
                    ) : form.apiKeySet ? (
                      <>
                        <span className="badge" data-testid="settings-api-key-saved">
                          saved
                        </span>{" "}
                        A key is saved. Type a new one to replace it.
                      </>
                    ) : (
                      "Not saved yet. It is stored with the other secrets and never shown again."
                    )
                  }
                  secret
                  placeholder={form.apiKeySet ? "•••••••• (saved)" : ""}
                  value={form.apiKey}
                  onChange={(v) => set("apiKey", v)}
                />
              </>
            )}
          </fieldset>

          <fieldset>
            <legend>Chat</legend>
            <Row label="Chat back end">
              {(id) => (
                <select id={id} value={form.backendKind} onChange={(e) => set("backendKind", e.target.value as Form["backendKind"])}>
                  <option value="local">This app (local)</option>
                  <option value="remote">A remote ChatKit endpoint</option>
                </select>
              )}
            </Row>
            {form.backendKind === "remote" && (
              <InputRow
                label="ChatKit endpoint URL"
                error={errors.backendUrl}
                hint={
                  tokenNeedsConfirmation(form) && (
                    <span data-testid="settings-confirm-notice">
                      Your sign-in token goes to this server with every message: when you save, Tasktalk asks you to allow it in a system
                      dialog, outside this window.
                    </span>
                  )
                }
                value={form.backendUrl}
                placeholder="https://tasks.example.com/chatkit"
                onChange={(v) => set("backendUrl", v)}
              />
            )}
            <InputRow
              label="ChatKit domain key"
              hint="Leave empty to use the local development key."
              value={form.domainKey}
              placeholder="domain_pk_…"
              onChange={(v) => set("domainKey", v)}
            />
            <Row label="Token signing (JWT)" hint="HS256 with BETTER_AUTH_SECRET, or EdDSA with Better Auth's JWKS key.">
              {(id, d) => (
                <select id={id} aria-describedby={d} value={form.jwtMode} onChange={(e) => set("jwtMode", e.target.value as Form["jwtMode"])}>
                  <option value="hs256">HS256 (shared secret)</option>
                  <option value="eddsa">EdDSA (JWKS)</option>
                </select>
              )}
            </Row>
          </fieldset>

          <fieldset>
            <legend>Desktop</legend>
            <div className="radio-row">
              <label>
                <input
                  type="checkbox"
                  checked={form.reminders}
                  onChange={(e) => set("reminders", e.target.checked)}
                  data-testid="settings-reminders"
                />{" "}
                Show a notification at each task&apos;s reminder time (Tasktalk keeps running in the tray when its window is closed)
              </label>
            </div>
            <InputRow
              label="Quick add shortcut"
              hint="Opens the quick-add window from anywhere, like CommandOrControl+Alt+N or Super+Shift+Space. Leave empty for none; the tray menu's Quick add always works."
              value={form.quickAddShortcut}
              placeholder="CommandOrControl+Alt+N"
              onChange={(v) => set("quickAddShortcut", v)}
            />
            <Row label="Log detail" hint="What goes to the log file (see Open logs folder below). RUST_LOG, when set, decides instead.">
              {(id, d) => (
                <select
                  id={id}
                  aria-describedby={d}
                  value={form.logLevel}
                  onChange={(e) => set("logLevel", e.target.value as LogLevel)}
                  data-testid="settings-log-level"
                >
                  <option value="error">Errors only</option>
                  <option value="warn">Warnings</option>
                  <option value="info">Normal</option>
                  <option value="debug">Detailed (for a bug report)</option>
                  <option value="trace">Everything</option>
                </select>
              )}
            </Row>
          </fieldset>

          {saveError && (
            <div className="alert alert-error" role="alert" data-testid="settings-error">
              {saveError}
            </div>
          )}
          <div role="status" className="save-status">
            {result && "Saved."}
            {result?.apiKeyDropped && (
              <span data-testid="settings-api-key-dropped">
                {" "}
                The saved API key was deleted because the provider&apos;s server changed; enter it again to use it there.
              </span>
            )}
          </div>
          <div className="actions">
            <button type="submit" className="btn btn-primary" disabled={saving} data-testid="settings-save">
              {saving ? "Saving…" : "Save"}
            </button>
          </div>
        </form>
      )}

      <section className="app-info" aria-labelledby="about-title">
        <h2 id="about-title">About this installation</h2>
        {info ? (
          <dl>
            <dt>Version</dt>
            <dd>{info.version}</dd>
            <dt>Database</dt>
            <dd>{info.database}</dd>
            <dt>Secrets stored in</dt>
            <dd data-testid="settings-secret-storage">
              {info.secretStorage === "keyring" ? "the system keyring" : "a file"}
              {info.secretStorageDetail ? ` (${info.secretStorageDetail})` : ""}
            </dd>
            <dt>Chat provider</dt>
            <dd>{info.provider}</dd>
            <dt>Data folder</dt>
            <dd className="mono">{info.dataDir}</dd>
            <dt>Logs folder</dt>
            <dd className="mono" data-testid="settings-logs-dir">
              {info.logsDir}
            </dd>
          </dl>
        ) : (
          <p className="muted">Loading…</p>
        )}
        <div className="actions">
          <button type="button" className="btn" onClick={openLogsFolder} data-testid="open-logs-folder">
            Open logs folder
          </button>
        </div>
        {openLogsError && (
          <div className="alert alert-error" role="alert" data-testid="open-logs-error">
            {openLogsError}
          </div>
        )}
      </section>

      <DataSection />

      {info && <McpSection config={info.mcpClientConfig} />}
    </main>
  );
}

/** What to paste into an MCP client (Claude Desktop, Jan…) so it works on these tasks. */
function McpSection({ config }: { config: string }) {
  const [copied, setCopied] = useState<"idle" | "copied" | "failed">("idle");
  const copy = () => {
    navigator.clipboard.writeText(config).then(
      () => setCopied("copied"),
      () => setCopied("failed"),
    );
  };
  return (
    <section className="app-info" aria-labelledby="mcp-title">
      <h2 id="mcp-title">Use your tasks from another assistant (MCP)</h2>
      <p className="muted">
        Claude Desktop, Jan and other MCP clients can add, list, complete, rename and delete your tasks while you are
        signed in here. Add this to the client&apos;s MCP servers:
      </p>
      <pre className="mono" data-testid="settings-mcp-config">
        {config}
      </pre>
      <button type="button" onClick={copy}>
        Copy
      </button>
      <span role="status" className="muted">
        {copied === "copied" ? " Copied." : copied === "failed" ? " Could not copy; select the text instead." : ""}
      </span>
    </section>
  );
}
