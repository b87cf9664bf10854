import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";
import { installChatLayout } from "./layout";

// Node-environment tests (`@vitest-environment node`) have no DOM to lay out.
if (typeof HTMLElement !== "undefined") installChatLayout();

afterEach(() => {
  cleanup();
  if (typeof sessionStorage !== "undefined") sessionStorage.clear();
  if (typeof localStorage !== "undefined") localStorage.clear();
});
