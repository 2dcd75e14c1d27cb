/**
 * The input of `mlflow-ts runs log-batch`: one JSON object per line, each a metric point, a param
 * or a tag (docs/cli.md, "The JSON-lines format"). This file turns one line into one entry or into
 * the reason it is not one; it does no I/O, so every rule is tested without a server.
 *
 *     {"metric": "loss", "value": 0.25, "step": 3, "timestamp": 1733500000000}
 *     {"param": "lr", "value": "0.001"}
 *     {"tag": "stage", "value": "train"}
 *
 * JSON has no NaN or Infinity, so a metric value may also be a string `float()` reads in Python
 * ("NaN", "Infinity", "-Infinity", "-0", "1e-3").
 */
import { parseFloatLikePython } from "./values.js";

/** One entry of the input, ready for the logger (which still checks keys and lengths). */
export type LineEntry =
  | { kind: "metric"; key: string; value: number; step: number | undefined; timestamp: number | undefined }
  | { kind: "param" | "tag"; key: string; value: string };

/** What one line holds: an entry, nothing (a blank line), or the reason it is refused. */
export type ParsedLine = { entry: LineEntry } | { blank: true } | { problem: string };

const KINDS = ["metric", "param", "tag"] as const;
const FIELDS: Record<(typeof KINDS)[number], ReadonlySet<string>> = {
  metric: new Set(["metric", "value", "step", "timestamp"]),
  param: new Set(["param", "value"]),
  tag: new Set(["tag", "value"]),
};
const EXAMPLE = '{"metric": "loss", "value": 0.25, "step": 3}, {"param": "lr", "value": "0.001"} or {"tag": "stage", "value": "train"}';

/**
 * Reads one line of `runs log-batch` input. The problem, when there is one, says what is wrong and
 * ends with the fix; the caller adds the line number.
 *
 * @example
 * parseEntryLine('{"metric": "loss", "value": "NaN", "step": 2}')
 * // { entry: { kind: "metric", key: "loss", value: NaN, step: 2, timestamp: undefined } }
 * parseEntryLine('{"metric": "loss"}') // { problem: 'the metric "loss" has no "value". Fix: …' }
 * @internal
 */
export function parseEntryLine(text: string): ParsedLine {
  if (text.trim() === "") return { blank: true };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { problem: `not valid JSON (${(error as Error).message}). Fix: write one JSON object per line, e.g. ${EXAMPLE}.` };
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    return { problem: `expected a JSON object, got ${describe(parsed)}. Fix: write one object per line, e.g. ${EXAMPLE}.` };
  }
  const object = parsed as Record<string, unknown>;
  const kinds = KINDS.filter((kind) => kind in object);
  if (kinds.length !== 1) {
    const found = kinds.length === 0 ? "none of them" : kinds.map((kind) => `"${kind}"`).join(" and ");
    return { problem: `an entry names exactly one of "metric", "param" or "tag"; this one has ${found}. Fix: one entry per line, e.g. ${EXAMPLE}.` };
  }
  const kind = kinds[0]!;
  const key = object[kind];
  if (typeof key !== "string") return { problem: `"${kind}" must be the ${kind}'s key as a string, got ${describe(key)}. Fix: e.g. {"${kind}": "loss", …}.` };
  const unknown = Object.keys(object).find((field) => !FIELDS[kind].has(field));
  if (unknown !== undefined) {
    return {
      problem: `unknown field "${unknown}" in a ${kind} entry (a ${kind} has ${[...FIELDS[kind]].map((f) => `"${f}"`).join(", ")}). Fix: remove it or correct its name.`,
    };
  }
  if (!("value" in object)) return { problem: `the ${kind} "${key}" has no "value". Fix: add "value": ….` };
  return kind === "metric" ? metricEntry(key, object) : keyValueEntry(kind, key, object.value);
}

function metricEntry(key: string, object: Record<string, unknown>): ParsedLine {
  const value = metricValue(object.value);
  if (value === undefined) {
    return {
      problem: `the value of metric "${key}" must be a number, or a string such as "NaN", "Infinity", "-Infinity"; got ${describe(object.value)}. Fix: write the number (JSON has no NaN/Infinity: quote those).`,
    };
  }
  const step = wholeNumber(object.step);
  if (step === null)
    return { problem: `the step of metric "${key}" must be a whole number, got ${describe(object.step)}. Fix: e.g. "step": 3, or leave it out (0).` };
  const timestamp = wholeNumber(object.timestamp);
  if (timestamp === null) {
    return {
      problem: `the timestamp of metric "${key}" must be whole milliseconds since the epoch, got ${describe(object.timestamp)}. Fix: e.g. "timestamp": 1733500000000, or leave it out (now).`,
    };
  }
  return { entry: { kind: "metric", key, value, step, timestamp } };
}

function keyValueEntry(kind: "param" | "tag", key: string, value: unknown): ParsedLine {
  if (typeof value === "string") return { entry: { kind, key, value } };
  if ((typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean") return { entry: { kind, key, value: String(value) } };
  return {
    problem: `the value of ${kind} "${key}" must be a string (or a number or boolean, stored as text), got ${describe(value)}. Fix: quote it, e.g. "value": "0.001".`,
  };
}

function metricValue(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  return typeof value === "string" ? parseFloatLikePython(value) : undefined;
}

/** `undefined` when absent, `null` when not a whole number. */
function wholeNumber(value: unknown): number | undefined | null {
  if (value === undefined) return undefined;
  return typeof value === "number" && Number.isInteger(value) ? value : null;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
