/**
 * Lines of a stream (stdin) one at a time, with memory bounded by one chunk plus one line whatever
 * the input's size: the stream is read only as fast as the consumer takes lines (async iteration
 * of a Readable pauses it between reads), and a line longer than `maxLineChars` is not kept — it is
 * reported as too long and skipped up to its end, so a file without newlines cannot fill memory.
 * `readline` does neither bound, hence this small reader.
 */

/** One line of the input (without its `\n` or `\r\n`), numbered from 1. */
export interface InputLine {
  number: number;
  /** The text, or `undefined` when the line was longer than `maxLineChars` (its text is dropped). */
  text: string | undefined;
}

/** Longest line kept, characters: 1 MiB of text, far more than a metric, param or tag needs. */
export const DEFAULT_MAX_LINE_CHARS = 1024 * 1024;

/**
 * Splits `source` (UTF-8 bytes or strings) into lines; a last line without a newline is a line.
 *
 * @param maxLineChars - longest line kept, characters (default {@link DEFAULT_MAX_LINE_CHARS}).
 * @example
 * for await (const line of readLines(process.stdin)) console.log(line.number, line.text);
 * @internal
 */
export async function* readLines(source: AsyncIterable<string | Uint8Array>, maxLineChars = DEFAULT_MAX_LINE_CHARS): AsyncGenerator<InputLine> {
  const decoder = new TextDecoder("utf-8");
  let partial = "";
  let tooLong = false;
  let number = 0;
  for await (const chunk of source) {
    const text = typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
      const piece = text.slice(start, end);
      start = end + 1;
      number += 1;
      const kept = !tooLong && partial.length + piece.length <= maxLineChars;
      yield { number, text: kept ? stripCarriageReturn(partial + piece) : undefined };
      partial = "";
      tooLong = false;
    }
    if (tooLong) continue;
    partial += text.slice(start);
    if (partial.length > maxLineChars) {
      partial = "";
      tooLong = true;
    }
  }
  partial += decoder.decode();
  if (partial !== "" || tooLong) yield { number: number + 1, text: tooLong ? undefined : stripCarriageReturn(partial) };
}

function stripCarriageReturn(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}
