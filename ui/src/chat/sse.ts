// An incremental server-sent-events parser: feed it text as it arrives (events may
// be split anywhere, several may share a chunk) and it reports each event's data.
// Only `data:` fields matter for ChatKit; other fields and comments are ignored.

export interface SseParser {
  /** Feeds a chunk of decoded text. */
  push(text: string): void;
  /** Ends the input: dispatches a final event that lacked its blank line. */
  end(): void;
}

export function createSseParser(onData: (data: string) => void): SseParser {
  let buffer = "";
  let dataLines: string[] = [];
  let skipLeadingLf = false;

  function dispatch() {
    if (dataLines.length > 0) {
      const data = dataLines.join("\n");
      dataLines = [];
      onData(data);
    }
  }

  function line(l: string) {
    if (l === "") {
      dispatch();
      return;
    }
    if (l.startsWith(":")) return;
    const colon = l.indexOf(":");
    const field = colon === -1 ? l : l.slice(0, colon);
    if (field !== "data") return;
    let value = colon === -1 ? "" : l.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    dataLines.push(value);
  }

  return {
    push(text: string) {
      if (!text) return;
      if (skipLeadingLf && text.startsWith("\n")) text = text.slice(1);
      skipLeadingLf = false;
      buffer += text;
      let start = 0;
      for (;;) {
        const cr = buffer.indexOf("\r", start);
        const lf = buffer.indexOf("\n", start);
        if (cr === -1 && lf === -1) break;
        let end: number;
        let next: number;
        if (lf !== -1 && (cr === -1 || lf < cr)) {
          end = lf;
          next = lf + 1;
        } else {
          end = cr;
          if (cr + 1 < buffer.length) {
            next = buffer[cr + 1] === "\n" ? cr + 2 : cr + 1;
          } else {
            // A CR at the end of the chunk: its LF may start the next chunk.
            next = cr + 1;
            skipLeadingLf = true;
          }
        }
        line(buffer.slice(start, end));
        start = next;
      }
      buffer = buffer.slice(start);
    },
    end() {
      if (buffer) {
        line(buffer);
        buffer = "";
      }
      dispatch();
    },
  };
}

/**
 * A parser fed with bytes as they arrive: a UTF-8 character split across two
 * chunks is decoded whole, since the decoder keeps an unfinished one for the next.
 */
export function createSseByteParser(onData: (data: string) => void): { push(bytes: Uint8Array): void; end(): void } {
  const decoder = new TextDecoder();
  const parser = createSseParser(onData);
  return {
    push(bytes: Uint8Array) {
      parser.push(decoder.decode(bytes, { stream: true }));
    },
    end() {
      parser.push(decoder.decode());
      parser.end();
    },
  };
}

/**
 * Reads an SSE response body and calls `onEvent` with each event's parsed JSON,
 * in order, as soon as it is complete. Resolves when the body ends.
 */
export async function readSseJson(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: unknown) => void,
): Promise<void> {
  const parser = createSseByteParser((data) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return; // not JSON: ignore the event
    }
    onEvent(parsed);
  });
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.push(value);
    }
    parser.end();
  } finally {
    reader.releaseLock();
  }
}
