/**
 * MLflow's input rules, checked on the client before any request so that a bad key or value fails
 * at the call that introduced it, with an error that names the key, the rule and the fix.
 *
 * Long values: the server truncates params over 6000 and run tags over 8000 characters silently
 * when `MLFLOW_TRUNCATE_LONG_VALUES` is on (its default). mlflow-ts rejects them instead: a
 * silently truncated param is a different param (two runs that differ only past character 6000
 * would look equal), and truncation is lossy in a way the caller never sees. Truncate explicitly
 * if that is what you want.
 */
import { ValidationError } from "../core/errors.js";

/** Longest metric, param or tag key: 250 characters. */
export const MAX_KEY_LENGTH = 250;
/** Longest param value: 6000 characters. */
export const MAX_PARAM_VALUE_LENGTH = 6000;
/** Longest run tag value: 8000 characters. */
export const MAX_RUN_TAG_VALUE_LENGTH = 8000;
/**
 * Longest experiment tag value: 20 000 characters, as MLflow 3.17 validates it (servers older than
 * the `17e22815139b` migration allow 5000 and answer a longer value with their own 400).
 */
export const MAX_EXPERIMENT_TAG_VALUE_LENGTH = 20_000;
/** Longest experiment name: 500 characters. */
export const MAX_EXPERIMENT_NAME_LENGTH = 500;
/** Longest registered-model or model-version tag value: 100 000 characters. */
export const MAX_REGISTRY_TAG_VALUE_LENGTH = 100_000;

/** What a key names, for error messages. */
export type KeyKind = "metric" | "param" | "tag" | "experiment tag" | "registry tag";

// Python's `\w` is Unicode-aware: letters, digits and `_`; MLflow adds `/ . - :` and space.
const KEY_CHARACTERS = /^[\p{L}\p{N}_/.\- :]*$/u;
const RUN_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;

/**
 * Checks a metric, param or tag key: non-empty, at most 250 characters, only letters, digits,
 * `_ - . / :` and spaces, and not path-ambiguous (`a//b`, `./a`, `a/`, `/a`, `..`).
 *
 * @throws {ValidationError} naming the key and the rule.
 * @example
 * validateKey("train/loss", "metric"); // ok
 */
export function validateKey(key: unknown, kind: KeyKind): asserts key is string {
  if (typeof key === "string" && validKeys.has(key)) return;
  checkKey(key, kind);
  if (validKeys.size < MAX_CACHED_VALID_KEYS) validKeys.add(key);
}

// Keys that passed: a training loop logs the same few keys millions of times, and the checks
// below (a regex and a path normalisation) cost more than the rest of a logging call. The rules do
// not depend on the kind, so one set serves all kinds.
const MAX_CACHED_VALID_KEYS = 10_000;
const validKeys = new Set<string>();

function checkKey(key: unknown, kind: KeyKind): asserts key is string {
  if (typeof key !== "string") throw new ValidationError(String(key), "key-type", `The ${kind} key must be a string, got ${typeof key}.`);
  if (key.length === 0) throw new ValidationError(key, "key-empty", `A ${kind} key must not be empty.`);
  if (key.length > MAX_KEY_LENGTH) {
    throw new ValidationError(
      shorten(key),
      "key-length",
      `The ${kind} key "${shorten(key)}" has ${key.length} characters; MLflow allows at most ${MAX_KEY_LENGTH}. Fix: use a shorter key.`,
    );
  }
  if (!KEY_CHARACTERS.test(key)) {
    throw new ValidationError(
      key,
      "key-characters",
      `The ${kind} key "${key}" contains characters MLflow refuses; only letters, digits, "_", "-", ".", "/", ":" and spaces are allowed.`,
    );
  }
  if (isPathAmbiguous(key)) {
    throw new ValidationError(
      key,
      "key-path",
      `The ${kind} key "${key}" is path-ambiguous (MLflow refuses empty segments, "." and "..", and a leading or trailing "/"). Fix: e.g. "${normalizePosix(key).replace(/^(\.\.\/|\/)+/, "") || "name"}".`,
    );
  }
}

/**
 * True when MLflow would refuse `name` as path-ambiguous: `posixpath.normpath(name) != name`, or
 * it normalises to `.`, or starts with `..` or `/`.
 * @internal
 */
export function isPathAmbiguous(name: string): boolean {
  const normalized = normalizePosix(name);
  return normalized !== name || normalized === "." || name.startsWith("..") || name.startsWith("/");
}

/** `posixpath.normpath`. @internal */
export function normalizePosix(path: string): string {
  if (path === "") return ".";
  const leading = path.startsWith("//") && !path.startsWith("///") ? 2 : path.startsWith("/") ? 1 : 0;
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part !== ".." || (leading === 0 && parts.length === 0) || parts.at(-1) === "..") parts.push(part);
    else if (parts.length > 0) parts.pop();
  }
  const joined = "/".repeat(leading) + parts.join("/");
  return joined || ".";
}

/**
 * Checks a param value (converted to a string) against the 6000-character limit.
 * @throws {ValidationError} when it is longer.
 */
export function validateParamValue(key: string, value: string): void {
  if (value.length <= MAX_PARAM_VALUE_LENGTH) return;
  throw new ValidationError(
    key,
    "value-length",
    `The param "${key}" has a value of ${value.length} characters; MLflow allows at most ${MAX_PARAM_VALUE_LENGTH}. mlflow-ts refuses rather than truncating silently. Fix: shorten it, or log it as an artifact.`,
  );
}

/**
 * Checks a run tag value against the 8000-character limit.
 * @throws {ValidationError} when it is longer.
 */
export function validateRunTagValue(key: string, value: string): void {
  if (value.length <= MAX_RUN_TAG_VALUE_LENGTH) return;
  throw new ValidationError(
    key,
    "value-length",
    `The tag "${key}" has a value of ${value.length} characters; MLflow allows at most ${MAX_RUN_TAG_VALUE_LENGTH}. mlflow-ts refuses rather than truncating silently. Fix: shorten it, or log it as an artifact.`,
  );
}

/**
 * Checks an experiment tag value against the 5000-character limit.
 * @throws {ValidationError} when it is longer.
 */
export function validateExperimentTagValue(key: string, value: string): void {
  if (value.length <= MAX_EXPERIMENT_TAG_VALUE_LENGTH) return;
  throw new ValidationError(
    key,
    "value-length",
    `The experiment tag "${key}" has a value of ${value.length} characters; MLflow allows at most ${MAX_EXPERIMENT_TAG_VALUE_LENGTH}. Fix: shorten it.`,
  );
}

/**
 * Checks a registry tag value against the 100 000-character limit.
 * @throws {ValidationError} when it is longer.
 */
export function validateRegistryTagValue(key: string, value: string): void {
  if (value.length <= MAX_REGISTRY_TAG_VALUE_LENGTH) return;
  throw new ValidationError(
    key,
    "value-length",
    `The registry tag "${key}" has a value of ${value.length} characters; MLflow allows at most ${MAX_REGISTRY_TAG_VALUE_LENGTH}. Fix: shorten it.`,
  );
}

/**
 * Checks an experiment name: a non-empty string of at most 500 characters.
 * @throws {ValidationError} otherwise.
 */
export function validateExperimentName(name: unknown): asserts name is string {
  if (typeof name !== "string" || name === "") {
    throw new ValidationError("name", "experiment-name", `An experiment name must be a non-empty string, got ${shorten(describe(name))}.`);
  }
  if (name.length > MAX_EXPERIMENT_NAME_LENGTH) {
    throw new ValidationError(
      "name",
      "experiment-name",
      `The experiment name has ${name.length} characters; MLflow allows at most ${MAX_EXPERIMENT_NAME_LENGTH}.`,
    );
  }
}

/**
 * Checks a registered model name as MLflow 3.17 does: non-empty, no `/` or `:`, not path-ambiguous.
 * @param key - The argument at fault, for the error (`name` or `new_name`).
 * @throws {ValidationError} otherwise.
 * @example
 * validateModelName("fraud-detector"); // ok
 */
export function validateModelName(name: unknown, key = "name"): asserts name is string {
  if (typeof name !== "string" || name.trim() === "") {
    throw new ValidationError(key, "model-name", `A registered model name must be a non-empty string, got ${shorten(describe(name))}.`);
  }
  if (/[/:]/.test(name)) {
    throw new ValidationError(
      key,
      "model-name",
      `The registered model name "${name}" contains "/" or ":", which MLflow refuses. Fix: e.g. "${name.replace(/[/:]+/g, "-")}".`,
    );
  }
  if (isPathAmbiguous(name)) {
    throw new ValidationError(key, "model-name", `The registered model name "${name}" is path-ambiguous ("." or ".."-like). Fix: pick another name.`);
  }
}

/**
 * Checks a page size: a whole number from 1 to `max` (when the server has a maximum).
 * @param key - The argument at fault, e.g. `max_results`.
 * @throws {ValidationError} otherwise, saying to page with `for await` instead of raising it.
 * @example
 * validateMaxResults("max_results", 1000, 50_000); // ok
 */
export function validateMaxResults(key: string, value: number, max?: number): void {
  if (Number.isSafeInteger(value) && value >= 1 && (max === undefined || value <= max)) return;
  const range = max === undefined ? "of at least 1" : `from 1 to ${max}`;
  const fix = max === undefined ? "" : ` Fix: keep ${key} at most ${max} and iterate with \`for await\` to read every page.`;
  throw new ValidationError(key, "max-results", `${key} must be a whole number ${range} (the server refuses others), got ${String(value)}.${fix}`);
}

/**
 * Checks a run id: a letter or digit, then up to 255 letters, digits, `_` or `-`.
 * @throws {ValidationError} otherwise.
 */
export function validateRunId(runId: unknown): asserts runId is string {
  if (typeof runId === "string" && RUN_ID.test(runId)) return;
  throw new ValidationError(
    "run_id",
    "run-id",
    `${shorten(describe(runId))} is not a valid run id (MLflow run ids look like 32 hex characters, e.g. "0f3c…").`,
  );
}

/**
 * Checks that an id used in a URL path segment cannot change the route.
 * @throws {ValidationError} for empty, `.` or `..` ids.
 */
export function validatePathId(name: string, value: unknown): asserts value is string {
  if (typeof value === "string" && value !== "" && value !== "." && value !== "..") return;
  throw new ValidationError(name, "path-id", `${name} must be a non-empty id, got ${shorten(describe(value))}.`);
}

/**
 * Checks a metric value: a number (NaN and ±Infinity are allowed and sent as MLflow expects).
 * Booleans, strings and bigints are refused, as in the Python client.
 * @throws {ValidationError} otherwise.
 */
export function validateMetricValue(key: string, value: unknown): asserts value is number {
  if (typeof value === "number") return;
  throw new ValidationError(key, "metric-value", `The metric "${key}" must have a number value, got ${typeof value} ${shorten(describe(value))}.`);
}

/**
 * Checks a metric timestamp (ms since the epoch) and step: whole numbers within ±(2^53 − 1) (a
 * `number` beyond is already rounded, so it is refused rather than sent changed), timestamp ≥ 0.
 * @throws {ValidationError} otherwise, with rule `metric-timestamp` or `metric-step`.
 * @example
 * validateMetricPosition("loss", Date.now(), 12); // ok
 * validateMetricPosition("loss", Date.now(), 2 ** 53); // throws: beyond the exact range
 */
export function validateMetricPosition(key: string, timestamp: unknown, step: unknown): void {
  if (typeof timestamp !== "number" || !Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new ValidationError(
      key,
      "metric-timestamp",
      `The metric "${key}" has timestamp ${describe(timestamp)}; expected whole milliseconds since the epoch (e.g. Date.now())${beyondExactRange(timestamp)}.`,
    );
  }
  if (typeof step !== "number" || !Number.isSafeInteger(step)) {
    throw new ValidationError(key, "metric-step", `The metric "${key}" has step ${describe(step)}; expected a whole number${beyondExactRange(step)}.`);
  }
}

/** The explanation for an integer beyond ±(2^53 − 1), given as a number (already rounded) or a bigint. */
function beyondExactRange(value: unknown): string {
  const integer = typeof value === "bigint" || (typeof value === "number" && Number.isInteger(value));
  if (!integer || (typeof value === "number" && Number.isSafeInteger(value))) return "";
  return (
    " within ±9007199254740991 (2^53 − 1): beyond it a JavaScript number is no longer exact" +
    (typeof value === "number" ? ", so this one may already have been rounded" : ", and mlflow-ts reads and writes numbers only") +
    ". Fix: use a step counter (not time.time_ns()) and milliseconds"
  );
}

/**
 * Converts a param or tag value to the string MLflow stores, as Python's `str()` would.
 * @throws {ValidationError} for `undefined`, functions and symbols.
 */
export function stringifyValue(key: string, value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value === null) return "null";
  if (typeof value === "object") return stringifyObject(key, value);
  throw new ValidationError(key, "value-type", `The value of "${key}" is ${typeof value}; expected a string, number, boolean or JSON-serialisable object.`);
}

function stringifyObject(key: string, value: object): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    throw new ValidationError(key, "value-type", `The value of "${key}" cannot be converted to JSON (${(error as Error).message}). Fix: pass a string.`);
  }
}

/** A value as it would be written in code, for error messages (never throws, unlike JSON.stringify on a bigint). */
function describe(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  return JSON.stringify(value) ?? String(value);
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Longest alias: 255 characters. */
export const MAX_ALIAS_LENGTH = 255;

/**
 * Checks an alias as MLflow does.
 * @throws {ValidationError}
 * @internal
 */
export function validateAlias(alias: string): void {
  if (!/^[\w-]+$/.test(alias) || alias.length > MAX_ALIAS_LENGTH) {
    throw new ValidationError(alias, "alias", `The alias "${alias}" is invalid: use 1–${MAX_ALIAS_LENGTH} letters, digits, "_" or "-".`);
  }
  if (alias.toLowerCase() === "latest" || /^v\d+$/i.test(alias)) {
    throw new ValidationError(
      alias,
      "alias-reserved",
      `The alias "${alias}" is reserved by MLflow ("latest" and "v<number>"). Fix: pick another name, e.g. "champion".`,
    );
  }
}
