// @vitest-environment node
import { describe, expect, it } from "vitest";
import { createSseParser, readSseJson } from "./sse";

function collect() {
  const out: string[] = [];
  return { out, parser: createSseParser((d) => out.push(d)) };
}

describe("createSseParser", () => {
  it("joins an event split across chunks at any point", () => {
    const text = 'data: {"type":"a","text":"hello world"}\n\ndata: {"type":"b"}\n\n';
    // Every possible split into two chunks, and byte-by-byte.
    for (let i = 0; i <= text.length; i++) {
      const { out, parser } = collect();
      parser.push(text.slice(0, i));
      parser.push(text.slice(i));
      expect(out, `split at ${i}`).toEqual(['{"type":"a","text":"hello world"}', '{"type":"b"}']);
    }
    const { out, parser } = collect();
    for (const ch of text) parser.push(ch);
    expect(out).toEqual(['{"type":"a","text":"hello world"}', '{"type":"b"}']);
  });

  it("does not dispatch an event before its blank line", () => {
    const { out, parser } = collect();
    parser.push('data: {"n":1}\n');
    expect(out).toEqual([]);
    parser.push("\n");
    expect(out).toEqual(['{"n":1}']);
  });

  it("dispatches several events from one chunk, in order", () => {
    const { out, parser } = collect();
    parser.push('data: {"n":1}\n\ndata: {"n":2}\n\ndata: {"n":3}\n\ndata: {"n":');
    expect(out).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    parser.push("4}\n\n");
    expect(out).toEqual(['{"n":1}', '{"n":2}', '{"n":3}', '{"n":4}']);
  });

  it("handles CRLF and CR line ends (also split between chunks), comments and other fields", () => {
    const { out, parser } = collect();
    parser.push(": keep-alive\r\nevent: x\r\ndata: one\r");
    parser.push("\n\r\ndata:two\r\rid: 5\ndata: a\ndata: b\n\n");
    expect(out).toEqual(["one", "two", "a\nb"]);
  });

  it("end() dispatches a last event without its blank line", () => {
    const { out, parser } = collect();
    parser.push('data: {"last":true}');
    parser.end();
    expect(out).toEqual(['{"last":true}']);
  });
});

describe("readSseJson", () => {
  it("parses a byte stream whose chunks split events and UTF-8 characters", async () => {
    const bytes = new TextEncoder().encode('data: {"t":"héllo ✓"}\n\ndata: {"t":"2"}\n\n');
    const cut = [0, 14, 15, 21, 22, 30, bytes.length]; // 14/15 split the é, 21/22 the ✓
    const chunks = cut.slice(1).map((end, i) => bytes.slice(cut[i], end));
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (const ch of chunks) c.enqueue(ch);
        c.close();
      },
    });
    const events: unknown[] = [];
    await readSseJson(body, (e) => events.push(e));
    expect(events).toEqual([{ t: "héllo ✓" }, { t: "2" }]);
  });
});
