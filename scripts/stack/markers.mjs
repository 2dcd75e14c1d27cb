// Writes generated text into a Markdown file between `<!-- NAME:begin -->` and `<!-- NAME:end -->`,
// the one way the matrix's tables (matrix-table.mjs, routes-survey.ts) get into the docs, so that
// no table there is typed by hand.
import { readFileSync, writeFileSync } from "node:fs";

/**
 * Replaces what stands between the two markers of `name` in `path` with `text`.
 * @throws {Error} when the file lacks the markers, naming them.
 */
export function writeBetweenMarkers(path, name, text) {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const content = readFileSync(path, "utf8");
  const a = content.indexOf(begin);
  const b = content.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${path} has no ${begin} … ${end} block. Fix: add the two marker lines where the table goes`);
  writeFileSync(path, `${content.slice(0, a + begin.length)}\n${text}\n${content.slice(b)}`);
}
