/**
 * Artifact path safety, checked before any request and on every name a store lists.
 *
 * The rule is MLflow's own server-side guard (`validate_path_is_safe` in `mlflow/utils/uri.py`),
 * judged on the path as the server sees it: percent-decoded until it stops changing (at most 10
 * times, as `_decode`). The decoded path must not contain `#` or `\`, hold a `..` segment, be
 * absolute (or a `file:` URI) or start with a drive letter. So `acc 100%25.png` (decoded:
 * `acc 100%.png`) is a legal name, while `%2e%2e/x` and its double and triple encodings
 * (CVE-2024-1560) are refused. On top of that the client refuses, raw or decoded, what MLflow lets
 * through but what means something else to some server or store: control characters, `;` (path
 * parameters, CVE-2024-1593), and empty or `.` segments.
 *
 * A name that changes when decoded is legal, and S3 and the local disk keep it as it is. The
 * tracking server's artifact proxy, though, decodes every path it is given (it would store
 * `acc 100%25.png` as `acc 100%.png`, and read the other file back): the proxied store refuses such
 * a name with {@link checkProxiedArtifactPath}, for that file only.
 */
import type { ValidationRule } from "../core/validation-rules.js";
import { UnsafeArtifactPathError } from "./errors.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this pattern's purpose
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
const DRIVE_LETTER = /^[a-zA-Z]:/;
const FILE_URI = /^file:/i;
const ESCAPES = /(?:%[0-9a-fA-F]{2})+/g;
/** Decoding rounds before MLflow gives up on a path (`_decode`). */
const MAX_DECODE_ROUNDS = 10;
const utf8 = new TextDecoder("utf-8", { fatal: false });

/**
 * Checks an artifact path relative to a run's artifact root (`model/weights.bin`, `eval`) and
 * returns it (not decoded) without a trailing `/`. The empty string (the root) is accepted only
 * when `allowRoot` is true.
 *
 * @param path - The path to check.
 * @param argument - Name of the argument, used in the error (`artifactPath`, `artifactFile`, `path`).
 * @param allowRoot - Whether `""` (the artifact root) is acceptable. @defaultValue false
 * @returns The path, with one trailing `/` removed.
 * @throws {UnsafeArtifactPathError} naming the argument, the rule (`parent-segment`, `absolute`,
 *   `drive-letter`, `backslash`, `control-character`, `fragment`, `path-parameter`,
 *   `percent-encoding` (decoding does not settle), `empty-segment`, `empty`) and a fix.
 * @example
 * checkArtifactPath("model/weights.bin", "artifactFile"); // "model/weights.bin"
 * checkArtifactPath("plots/acc 100%25.png", "artifactFile"); // accepted: decodes to a safe path
 * checkArtifactPath("a/%2e%2e/b", "artifactFile");        // throws (parent-segment)
 */
export function checkArtifactPath(path: string, argument: string, allowRoot = false): string {
  if (typeof path !== "string") throw unsafe(argument, "type", `${argument} must be a string, got ${typeof path}.`);
  const trimmed = path.endsWith("/") && path.length > 1 ? path.slice(0, -1) : path;
  if (trimmed === "") {
    if (allowRoot) return "";
    throw unsafe(argument, "empty", `${argument} must not be empty.`);
  }
  const rule = firstViolation(trimmed);
  if (rule === undefined) return trimmed;
  throw unsafe(argument, rule, `${argument} ${JSON.stringify(path)} is refused: ${EXPLANATIONS[rule]}`);
}

/**
 * The artifact file `file` inside the folder `directory` (checked; none or `""` is the root).
 * @throws {UnsafeArtifactPathError} for an unsafe `directory`.
 * @example
 * joinArtifactPath("eval", "summary.json"); // "eval/summary.json"
 */
export function joinArtifactPath(directory: string | undefined, file: string): string {
  if (directory === undefined || directory === "") return file;
  return `${checkArtifactPath(directory, "artifactPath", true)}/${file}`;
}

/**
 * True when `path` passes {@link checkArtifactPath} (the root excluded).
 * @example
 * isSafeArtifactPath("a/b.txt"); // true
 * isSafeArtifactPath("a/%2e%2e/b"); // false
 */
export function isSafeArtifactPath(path: string): boolean {
  return typeof path === "string" && path !== "" && firstViolation(path) === undefined;
}

/**
 * `path` percent-decoded as MLflow's server decodes it before use (`_decode`: Python's `unquote`,
 * repeated until the text stops changing); `undefined` when it has not settled after 10 rounds.
 *
 * @example
 * decodeArtifactPath("acc 100%25.png"); // "acc 100%.png"
 * decodeArtifactPath("%252e%252e");     // ".."
 */
export function decodeArtifactPath(path: string): string | undefined {
  let current = path;
  for (let round = 0; round < MAX_DECODE_ROUNDS; round++) {
    const decoded = pythonUnquote(current);
    if (decoded === current) return current;
    current = decoded;
  }
  return undefined;
}

/**
 * Checks that the tracking server's artifact proxy will use `path` as it is: the proxy
 * percent-decodes every path, so a (legal) name with a `%XX` sequence would be stored, listed or
 * read under another name.
 *
 * @throws {UnsafeArtifactPathError} with rule `proxy-decodes`, naming both names and the fix.
 * @example
 * checkProxiedArtifactPath("model/weights.bin", "artifactFile"); // ok
 * checkProxiedArtifactPath("acc 100%25.png", "artifactFile");    // throws (proxy-decodes)
 */
export function checkProxiedArtifactPath(path: string, argument: string): void {
  const decoded = decodeArtifactPath(path);
  if (decoded === path) return;
  throw unsafe(
    argument,
    "proxy-decodes",
    `${argument} ${JSON.stringify(path)} cannot go through the tracking server's artifact proxy: the server percent-decodes artifact paths, ` +
      `so it would use ${decoded === undefined ? "another name" : JSON.stringify(decoded)} instead. Fix: rename it without "%XX" sequences, ` +
      "or give the experiment an s3:// artifact location (direct access keeps names as they are).",
  );
}

type Rule =
  | "control-character"
  | "backslash"
  | "fragment"
  | "path-parameter"
  | "percent-encoding"
  | "absolute"
  | "drive-letter"
  | "parent-segment"
  | "empty-segment";

const EXPLANATIONS: Record<Rule, string> = {
  "control-character": "it contains a control character (raw or percent-encoded). Fix: rename the file.",
  backslash: 'it contains "\\" (raw or percent-encoded), which some servers treat as a separator. Fix: use "/" between directories.',
  fragment: 'it contains "#" (raw or percent-encoded), which a URL would cut off. Fix: rename the file.',
  "path-parameter": 'it contains ";" (raw or percent-encoded), which some servers read as a path parameter. Fix: rename the file.',
  "percent-encoding": "its percent-escapes (%XX) still decode to something new after 10 rounds, which MLflow refuses. Fix: rename the file.",
  absolute: 'it is absolute (or a file: URI) once percent-decoded. Fix: give a path relative to the run\'s artifact root, e.g. "model/weights.bin".',
  "drive-letter": "it starts with a drive letter once percent-decoded. Fix: give a path relative to the run's artifact root.",
  "parent-segment": 'it contains a ".." segment once percent-decoded, which would leave the run\'s artifact root. Fix: remove it.',
  "empty-segment": 'it contains an empty or "." segment ("a//b", "./a"), raw or percent-decoded. Fix: write it as a plain relative path, e.g. "a/b".',
};

function firstViolation(path: string): Rule | undefined {
  const decoded = decodeArtifactPath(path);
  if (decoded === undefined) return "percent-encoding";
  // Every character of the raw path is in the decoded one except the escapes, which only add
  // characters: the decoded path is checked, and the raw one for its segments.
  if (CONTROL_CHARACTER.test(decoded)) return "control-character";
  if (decoded.includes("\\")) return "backslash";
  if (decoded.includes("#")) return "fragment";
  if (decoded.includes(";")) return "path-parameter";
  if (decoded.startsWith("/") || FILE_URI.test(decoded)) return "absolute";
  if (DRIVE_LETTER.test(decoded)) return "drive-letter";
  const segments = decoded.split("/");
  if (segments.includes("..")) return "parent-segment";
  if (hasEmptySegment(segments) || hasEmptySegment(path.split("/"))) return "empty-segment";
  return undefined;
}

function hasEmptySegment(segments: string[]): boolean {
  return segments.some((segment) => segment === "" || segment === ".");
}

/**
 * Python's `urllib.parse.unquote`: each run of `%XX` escapes becomes its bytes, read as UTF-8
 * with invalid sequences replaced by U+FFFD; anything else (`%`, `%zz`) stays as it is.
 */
function pythonUnquote(text: string): string {
  if (!text.includes("%")) return text;
  return text.replace(ESCAPES, (run) => {
    const bytes = new Uint8Array(run.length / 3);
    for (let index = 0; index < bytes.length; index++) bytes[index] = Number.parseInt(run.slice(index * 3 + 1, index * 3 + 3), 16);
    return utf8.decode(bytes);
  });
}

function unsafe(argument: string, rule: ValidationRule, message: string): UnsafeArtifactPathError {
  return new UnsafeArtifactPathError(argument, rule, message);
}
