// Moves files with `git mv` and rewrites every relative module specifier that points at a moved file
// or sits in one, keeping the ".js" extension NodeNext needs, so that a move commit holds renames and
// import lines only (git keeps the history: `git log --follow`). The tool of the restructuring of
// issue #13 (plan section 3.1): the move commits C3-C8 run it, and so does a branch opened before
// them, with the same lists, to follow the moves; C15 deletes it.
//
// It sees static imports and re-exports, `import()`, `import type`, and `new URL("./x", import.meta.url)`
// (relative to the file, as `fileURLToPath` uses it). It cannot see a path inside any other string
// (a child process's script, a coverage glob, a doc): after moving it lists every tracked file that
// still names an old path, to fix by hand in the same commit.
//
// Usage: node scripts/restructure/move-files.mjs [--dry-run] moves.json [more.json ...]
//   moves.json: [["src/a.ts", "src/b/a.ts"], ["src/setup", "src/doctor"], ...] (a folder moves every tracked file in it)
// Then: npx biome check --write <the touched files> (import order follows the new paths) and npx tsc --noEmit.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve, sep } from "node:path";
import ts from "typescript";

const args = process.argv.slice(2);
const dryRun = args.includes("--dry-run");
const lists = args.filter((arg) => arg !== "--dry-run");
if (lists.length === 0) {
  console.error("Usage: node scripts/restructure/move-files.mjs [--dry-run] moves.json [more.json ...]");
  process.exit(2);
}
const git = (...gitArgs) => execFileSync("git", gitArgs, { encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
const tracked = git("ls-files", "-z").split("\0").filter(Boolean);
const trackedSet = new Set(tracked.map((file) => resolve(file)));

/** Every file move (absolute paths), folders expanded to their tracked files. */
const moves = new Map();
/** The moves as given (files and folders), for mapping any path, a folder included. */
const roots = [];
for (const list of lists) {
  for (const [from, to] of JSON.parse(readFileSync(list, "utf8"))) {
    const [absFrom, absTo] = [resolve(from), resolve(to)];
    if (!existsSync(absFrom)) throw new Error(`${list}: "${from}" does not exist. Fix: list paths as they are before the move.`);
    roots.push([absFrom, absTo]);
    if (statSync(absFrom).isDirectory()) {
      for (const file of trackedSet) if (file.startsWith(absFrom + sep)) moves.set(file, absTo + file.slice(absFrom.length));
    } else if (trackedSet.has(absFrom)) {
      moves.set(absFrom, absTo);
    } else {
      throw new Error(`${list}: "${from}" is not tracked by git. Fix: commit it first, or move it by hand.`);
    }
  }
}
for (const target of moves.values()) {
  if (existsSync(target)) throw new Error(`"${relative(".", target)}" already exists. Fix: move it first, or choose another name.`);
}
/** Where a path (a file or a folder) is after the moves. */
const newPath = (path) => {
  if (moves.has(path)) return moves.get(path);
  for (const [from, to] of roots) if (path === from || path.startsWith(from + sep)) return to + path.slice(from.length);
  return path;
};
const moved = (path) => newPath(path) !== path;

/** The source file a relative module specifier names (".js" written, ".ts" on disk). */
const toSource = (spec, fromDir) => {
  const abs = resolve(fromDir, spec);
  for (const candidate of [abs.replace(/\.js$/, ".ts"), abs.replace(/\.mjs$/, ".mts"), abs]) if (existsSync(candidate)) return candidate;
  return undefined;
};
/** The relative path of target from a folder, "./" first (a folder keeps its trailing slash). */
const toRelative = (target, fromDir, trailingSlash) => {
  const rel = relative(fromDir, target).split(sep).join("/") || ".";
  return `${rel.startsWith(".") ? "" : "./"}${rel}${trailingSlash ? "/" : ""}`;
};
/** The module specifier of a source file from a folder: ".ts" is written ".js" (NodeNext). */
const toSpec = (target, fromDir) =>
  toRelative(target, fromDir, false)
    .replace(/\.ts$/, ".js")
    .replace(/\.mts$/, ".mjs");
/** `new URL("./relative", import.meta.url)`: a path relative to the file, as written (no extension change). */
const URL_PATTERN = /new URL\(\s*(["'])(\.\.?\/[^"'\n]*)\1\s*,\s*import\.meta\.url\s*\)/g;

let edits = 0;
const rewritten = new Map();
const unresolved = [];
for (const file of tracked.map((f) => resolve(f)).filter((f) => /\.(ts|mts|mjs)$/.test(f))) {
  const text = readFileSync(file, "utf8");
  const oldDir = dirname(file);
  const newDir = dirname(newPath(file));
  const changes = [];
  for (const ref of ts.preProcessFile(text, true, true).importedFiles) {
    if (!ref.fileName.startsWith(".")) continue;
    const target = toSource(ref.fileName, oldDir);
    if (!target) {
      if (moved(file)) unresolved.push(`${relative(".", file)}: "${ref.fileName}"`);
      continue;
    }
    if (!moved(file) && !moved(target)) continue;
    const spec = toSpec(newPath(target), newDir);
    const at = text.indexOf(ref.fileName, ref.pos);
    if (spec !== ref.fileName) changes.push({ pos: at, end: at + ref.fileName.length, spec });
  }
  for (const match of text.matchAll(URL_PATTERN)) {
    const written = match[2];
    const target = resolve(oldDir, written);
    if (!moved(file) && !moved(target)) continue;
    const replacement = toRelative(newPath(target), newDir, written.endsWith("/"));
    const at = match.index + match[0].indexOf(written);
    if (replacement !== written) changes.push({ pos: at, end: at + written.length, spec: replacement });
  }
  if (changes.length === 0) continue;
  let out = text;
  for (const change of changes.sort((a, b) => b.pos - a.pos)) out = out.slice(0, change.pos) + change.spec + out.slice(change.end);
  rewritten.set(file, out);
  edits += changes.length;
}

if (!dryRun) {
  for (const [from, to] of moves) {
    mkdirSync(dirname(to), { recursive: true });
    git("mv", relative(".", from), relative(".", to));
  }
  for (const [file, out] of rewritten) writeFileSync(newPath(file), out);
}
console.log(`${dryRun ? "would move" : "moved"} ${moves.size} files; ${edits} specifiers rewritten in ${rewritten.size} files`);
for (const line of unresolved) console.log(`unresolved relative import in a moved file (check it): ${line}`);

// Paths in other strings: every tracked file (the moved ones included) that still names an old path.
// The two baselines are not listed: they are regenerated (below), not edited.
const BASELINES = [".dependency-cruiser-known-violations.json", ".biome-known-findings.json"];
const oldPaths = roots.map(([from]) => relative(".", from).split(sep).join("/"));
const mentions = new Set();
for (const old of oldPaths) {
  try {
    const pathspec = [".", ...BASELINES.map((file) => `:(exclude)${file}`)];
    for (const line of git("grep", "-n", "-F", "-e", old, "--", ...pathspec)
      .trim()
      .split("\n"))
      if (line) mentions.add(line);
  } catch {
    // git grep exits 1 when nothing matches
  }
}
if (mentions.size > 0) {
  console.log(`\n${mentions.size} lines still name an old path (strings, docs, globs). Fix them by hand in the same commit:`);
  for (const line of [...mentions].sort()) console.log(`  ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`);
}
if (!dryRun) {
  console.log("\nThen: npx biome check --write on the touched files, npx tsc -p tsconfig.json --noEmit, and regenerate the");
  console.log("baselines, whose entries name the old paths: npm run layers:baseline; node scripts/restructure/lint-baseline.mjs");
}
