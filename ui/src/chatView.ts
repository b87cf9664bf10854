// Settings → Appearance → Chat view: which chat the main window shows.
// "auto" never makes the first screen wait on the ChatKit CDN: the built-in chat
// shows at once. ChatKit takes over only in a run that starts after one in which
// its script loaded, and then only once the script is ready again (from the web
// view's cache, moments after the start); a failure keeps the built-in chat for
// the rest of the run, and the next start is built-in-only again.

import { localPreference } from "./localPreference";

export type ChatView = "auto" | "chatkit" | "builtin";

export const chatViewPreference = localPreference<ChatView>("tasktalk.chatView", ["auto", "chatkit", "builtin"], "auto");

/** Whether ChatKit's script loaded in the last run that tried it. */
export const chatKitLoadedBefore = localPreference<"yes" | "no">("tasktalk.chatkitLoaded", ["yes", "no"], "no");
