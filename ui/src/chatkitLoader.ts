// Loads the ChatKit web component (<openai-chatkit>) from OpenAI's CDN, the one
// thing the UI fetches at run time. Offline, or when the CSP refuses it, the
// load fails or never finishes: callers then use the built-in chat.

export const CHATKIT_SCRIPT_URL = "https://cdn.platform.openai.com/deployments/chatkit/chatkit.js";
export const CHATKIT_ELEMENT = "openai-chatkit";
const SCRIPT_ID = "openai-chatkit-script";

export type ChatKitLoad = "ready" | "failed";

let pending: Promise<ChatKitLoad> | null = null;
let settled: ChatKitLoad | null = null;

/** How this run's load ended, or null before it ends (or before it starts). */
export function chatKitLoadResult(): ChatKitLoad | null {
  return settled;
}

export function loadChatKitElement(timeoutMs = 4000, doc: Document = document): Promise<ChatKitLoad> {
  if (typeof customElements !== "undefined" && customElements.get(CHATKIT_ELEMENT)) return Promise.resolve("ready");
  if (pending) return pending;
  const p = new Promise<ChatKitLoad>((resolve) => {
    if (typeof customElements === "undefined") {
      resolve("failed");
      return;
    }
    const timer = setTimeout(() => resolve("failed"), timeoutMs);
    customElements.whenDefined(CHATKIT_ELEMENT).then(() => {
      clearTimeout(timer);
      resolve("ready");
    });
    let script = doc.getElementById(SCRIPT_ID) as HTMLScriptElement | null;
    if (!script) {
      script = doc.createElement("script");
      script.id = SCRIPT_ID;
      script.src = CHATKIT_SCRIPT_URL;
      script.async = true;
      doc.head.appendChild(script);
    }
    script.addEventListener("error", () => {
      clearTimeout(timer);
      resolve("failed");
    });
  });
  // A failure is remembered for this run: no second 4 s wait on every visit.
  pending = p.then((r) => (settled = r));
  return pending;
}

/** Tests only. */
export function resetChatKitLoader(): void {
  pending = null;
  settled = null;
}
