/**
 * The line reader of `runs log-batch`: lines split across chunks and multi-byte characters
 * reassembled, `\r\n` accepted, a last line without a newline kept, numbering from 1, and a line
 * longer than the cap dropped (reported, its memory never held) without losing the lines after it.
 */
import { describe, expect, it } from "vitest";
import { readLines } from "../../../../src/cli/input/lines.js";

async function collect(chunks: (string | Uint8Array)[], maxLineChars?: number): Promise<[number, string | undefined][]> {
  const lines: [number, string | undefined][] = [];
  async function* source(): AsyncGenerator<string | Uint8Array> {
    yield* chunks;
  }
  for await (const line of readLines(source(), maxLineChars)) lines.push([line.number, line.text]);
  return lines;
}

describe("readLines", () => {
  it("numbers lines from 1 and keeps a last line without a newline", async () => {
    expect(await collect(["a\nb\n", "c"])).toEqual([
      [1, "a"],
      [2, "b"],
      [3, "c"],
    ]);
  });

  it("joins a line split across chunks and strips \\r\\n", async () => {
    expect(await collect(['{"met', 'ric":1}\r', "\n\nx\r\n"])).toEqual([
      [1, '{"metric":1}'],
      [2, ""],
      [3, "x"],
    ]);
  });

  it("decodes a UTF-8 character split between two byte chunks", async () => {
    const bytes = new TextEncoder().encode("é\n");
    expect(await collect([bytes.subarray(0, 1), bytes.subarray(1)])).toEqual([[1, "é"]]);
  });

  it("yields nothing for empty input", async () => {
    expect(await collect([])).toEqual([]);
  });

  it("drops a line longer than the cap, even one spread over many chunks, and reads on", async () => {
    expect(await collect(["ok\n", "x".repeat(6), "x".repeat(6), "x\nafter\n"], 10)).toEqual([
      [1, "ok"],
      [2, undefined],
      [3, "after"],
    ]);
    expect(await collect(["abcdefghijkl\nz"], 10)).toEqual([
      [1, undefined],
      [2, "z"],
    ]);
    expect(await collect(["short\n", "y".repeat(20)], 10)).toEqual([
      [1, "short"],
      [2, undefined],
    ]);
  });

  it("reads only as fast as lines are taken (a consumer that stops early stops the reading)", async () => {
    let pulled = 0;
    async function* endless(): AsyncGenerator<string> {
      for (let n = 0; n < 1_000_000; n++) {
        pulled += 1;
        yield `line ${n}\n`;
      }
    }
    let taken = 0;
    for await (const _line of readLines(endless())) {
      taken += 1;
      if (taken === 5) break;
    }
    expect(pulled).toBe(5);
  });
});
