// Shared fake of the Tauri IPC for component tests: `vi.mock` the two API modules
// with these, then script `handlers` per command.
import { vi } from "vitest";

export type Handler = (args: Record<string, unknown> | undefined) => unknown;

export const handlers: Record<string, Handler> = {};

export const invoke = vi.fn(async (cmd: string, args?: Record<string, unknown>) => {
  const h = handlers[cmd];
  if (!h) throw { kind: "unknown_command", message: `Unexpected command ${cmd}` };
  return h(args);
});

export function calls(cmd: string): (Record<string, unknown> | undefined)[] {
  return invoke.mock.calls.filter((c) => c[0] === cmd).map((c) => c[1]);
}

export function resetTauriMock(): void {
  invoke.mockClear();
  for (const k of Object.keys(handlers)) delete handlers[k];
}

export class Channel<T> {
  onmessage: (m: T) => void = () => {};
}

export const listen = vi.fn(async () => () => {});
