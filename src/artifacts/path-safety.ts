/**
 * Artifact path safety, checked before any request and on every name a server lists.
 *
 * Stricter than MLflow's server-side guard (`validate_path_is_safe` in `mlflow/utils/uri.py`,
 * which percent-decodes repeatedly, then refuses `#`, `\`, `..` segments, absolute paths and drive
 * letters): the client also refuses `;` (path-parameter smuggling, CVE-2024-1593), control
 * characters, empty and `.` segments, and any percent-escape at all, because a path that changes
 * when decoded means one thing to the client and another to the server (CVE-2024-1560).
 */
import { UnsafeArtifactPathError } from "./errors.js";

const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
const PERCENT_ESCAPE = /%[0-9a-fA-F]{2}/;
const DRIVE_LETTER = /^[a-zA-Z]:/;

/**
 * Checks an artifact path relative to a run's artifact root (`model/weights.bin`, `eval`) and
 * returns it without a trailing `/`. The empty string (the root) is accepted only when
 * `allowRoot` is true.
 *
 * @param path - The path to check.
 * @param argument - Name of the argument, used in the error (`artifactPath`, `artifactFile`, `path`).
 * @param allowRoot - Whether `""` (the artifact root) is acceptable. @defaultValue false
 * @returns The path, with one trailing `/` removed.
 * @throws {UnsafeArtifactPathError} naming the argument, the rule (`parent-segment`, `absolute`,
 *   `drive-letter`, `backslash`, `control-character`, `fragment`, `path-parameter`,
 *   `percent-encoding`, `empty-segment`, `empty`) and a fix.
 * @example
 * checkArtifactPath("model/weights.bin", "artifactFile"); // "model/weights.bin"
 * checkArtifactPath("../etc/passwd", "artifactFile");     // throws (parent-segment)
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
 * True when `path` passes {@link checkArtifactPath} (the root excluded).
 * @example
 * isSafeArtifactPath("a/b.txt"); // true
 * isSafeArtifactPath("a/%2e%2e/b"); // false
 */
export function isSafeArtifactPath(path: string): boolean {
  return typeof path === "string" && path !== "" && firstViolation(path) === undefined;
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
  "control-character": "it contains a control character. Fix: rename the file.",
  backslash: 'it contains "\\", which some servers treat as a separator. Fix: use "/" between directories.',
  fragment: 'it contains "#", which a URL would cut off. Fix: rename the file.',
  "path-parameter": 'it contains ";", which some servers read as a path parameter. Fix: rename the file.',
  "percent-encoding": "it contains a percent-escape (%XX), which would decode to another path on the server. Fix: rename the file.",
  absolute: 'it is absolute. Fix: give a path relative to the run\'s artifact root, e.g. "model/weights.bin".',
  "drive-letter": "it starts with a drive letter. Fix: give a path relative to the run's artifact root.",
  "parent-segment": 'it contains a ".." segment, which would leave the run\'s artifact root. Fix: remove it.',
  "empty-segment": 'it contains an empty or "." segment ("a//b", "./a"). Fix: write it as a plain relative path, e.g. "a/b".',
};

function firstViolation(path: string): Rule | undefined {
  if (CONTROL_CHARACTER.test(path)) return "control-character";
  if (path.includes("\\")) return "backslash";
  if (path.includes("#")) return "fragment";
  if (path.includes(";")) return "path-parameter";
  if (changesWhenDecoded(path)) return "percent-encoding";
  if (path.startsWith("/")) return "absolute";
  if (DRIVE_LETTER.test(path)) return "drive-letter";
  const segments = path.split("/");
  if (segments.includes("..")) return "parent-segment";
  if (segments.some((segment) => segment === "" || segment === ".")) return "empty-segment";
  return undefined;
}

/**
 * Any valid `%XX` escape decodes to a different text, so "changes under repeated percent-decoding"
 * (MLflow decodes up to 10 times) is the same as "contains a valid escape".
 */
function changesWhenDecoded(path: string): boolean {
  return PERCENT_ESCAPE.test(path);
}

function unsafe(argument: string, rule: string, message: string): UnsafeArtifactPathError {
  return new UnsafeArtifactPathError(argument, rule, message);
}
