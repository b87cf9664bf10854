// @vitest-environment node
// The UI's SSE decoder against the byte-split fixtures it shares with the
// core's Rust decoder (tests/fixtures/sse): the same events at every split.
import { describe, expect, it } from "vitest";
import { createSseByteParser } from "./sse";

type Fixture = { about: string; stream: string; events: string[] };

const fixtures = import.meta.glob<Fixture>("../../../tests/fixtures/sse/*.json", { eager: true, import: "default" });

function decode(pieces: Uint8Array[]): string[] {
  const out: string[] = [];
  const parser = createSseByteParser((data) => out.push(data));
  for (const piece of pieces) parser.push(piece);
  parser.end();
  return out;
}

describe("the SSE fixtures shared with the core", () => {
  it("are found", () => {
    expect(Object.keys(fixtures).length).toBeGreaterThanOrEqual(5);
  });

  for (const [path, fixture] of Object.entries(fixtures)) {
    it(`${path.split("/").pop()}: the same events at every split point (${fixture.about})`, () => {
      const bytes = new TextEncoder().encode(fixture.stream);
      expect(decode([bytes]), "in one piece").toEqual(fixture.events);
      for (let cut = 0; cut <= bytes.length; cut++) {
        expect(decode([bytes.subarray(0, cut), bytes.subarray(cut)]), `split at byte ${cut}`).toEqual(fixture.events);
      }
      expect(decode(Array.from(bytes, (b) => Uint8Array.of(b))), "one byte at a time").toEqual(fixture.events);
    });
  }
});
