/**
 * Wire encoding shared by every endpoint: MLflow's JSON differs from plain JSON in two ways that
 * matter to a JavaScript client. Non-finite doubles travel as the strings `"NaN"`, `"Infinity"` and
 * `"-Infinity"` (`JSON.stringify(NaN)` would send `null`, which the server refuses), and int64
 * fields may arrive as numbers or as numeric strings.
 *
 * Int64 fields are read exactly or not at all: a value within ±(2^53 − 1) is a `number`, which
 * holds it exactly; a value beyond cannot be a `number` without being rounded, so the read fails
 * with {@link UnsafeIntegerError} naming the field instead of returning a changed value. Detection
 * needs no slower parser: `JSON.parse` rounds any integer literal beyond 2^53 − 1 to a magnitude of
 * at least 2^53, which `Number.isSafeInteger` refuses, so one check per field finds every one.
 */
import { z } from "zod";
import { type RequestContext, UnsafeIntegerError } from "./errors.js";

/** A double as MLflow's JSON carries it. */
export type WireDouble = number | "NaN" | "Infinity" | "-Infinity";

/**
 * Encodes a double for the wire: finite numbers unchanged, NaN and ±Infinity as strings.
 *
 * @example
 * encodeDouble(NaN) // "NaN"
 */
export function encodeDouble(value: number): WireDouble {
  if (Number.isFinite(value)) return value;
  if (Number.isNaN(value)) return "NaN";
  return value > 0 ? "Infinity" : "-Infinity";
}

/**
 * `JSON.stringify` replacer that encodes every non-finite number, so no double is ever sent as
 * `null` whatever endpoint carries it.
 * @internal
 */
export function wireReplacer(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? encodeDouble(value) : value;
}

/**
 * Serialises a request body with {@link wireReplacer}.
 * @internal
 */
export function toWireJson(body: unknown): string {
  return JSON.stringify(body, wireReplacer);
}

const NON_FINITE: Record<string, number> = {
  nan: Number.NaN,
  infinity: Number.POSITIVE_INFINITY,
  "+infinity": Number.POSITIVE_INFINITY,
  inf: Number.POSITIVE_INFINITY,
  "-infinity": Number.NEGATIVE_INFINITY,
  "-inf": Number.NEGATIVE_INFINITY,
};

/**
 * Decodes a double from the wire: a number, a numeric string, or NaN/Infinity spelled as strings.
 * @internal
 */
export function decodeDouble(value: number | string): number {
  if (typeof value === "number") return value;
  const special = NON_FINITE[value.trim().toLowerCase()];
  return special ?? Number(value);
}

/** Prefix of the issue {@link int64} raises for a value beyond ±(2^53 − 1); the value follows it. */
const UNSAFE_INT64_ISSUE = "int64 beyond the exact range of a number: ";

/**
 * Schema of an int64 field: accepts a number, a numeric string or a bigint and yields a number,
 * when that number is the exact value; beyond ±(2^53 − 1) it raises an issue that
 * {@link unsafeIntegerError} turns into an {@link UnsafeIntegerError}.
 */
export const int64 = z.union([z.number(), z.bigint(), z.string().regex(/^-?\d+$/, "expected an integer string")]).transform((value, ctx) => {
  if (typeof value === "number") {
    if (Number.isSafeInteger(value) || !Number.isInteger(value)) return value;
    // Already rounded by the JSON parser (or the database driver): say so, not a false exact value.
    ctx.addIssue({ code: "custom", message: `${UNSAFE_INT64_ISSUE}about ${value.toFixed(0)}` });
    return z.NEVER;
  }
  const exact = BigInt(value);
  if (exact <= BigInt(Number.MAX_SAFE_INTEGER) && exact >= BigInt(Number.MIN_SAFE_INTEGER)) return Number(exact);
  ctx.addIssue({ code: "custom", message: `${UNSAFE_INT64_ISSUE}${exact}` });
  return z.NEVER;
});

/**
 * The {@link UnsafeIntegerError} for the first int64 field of a response that a number cannot hold
 * exactly, or `undefined` when `issues` hold none.
 * @internal
 */
export function unsafeIntegerError(issues: readonly z.core.$ZodIssue[], context: RequestContext): UnsafeIntegerError | undefined {
  const issue = issues.find((candidate) => candidate.message.startsWith(UNSAFE_INT64_ISSUE));
  if (issue === undefined) return undefined;
  const field = issue.path
    .map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`))
    .join("")
    .replace(/^\./, "");
  return new UnsafeIntegerError({ ...context, field, value: issue.message.slice(UNSAFE_INT64_ISSUE.length) });
}

/** Schema of a double field: accepts numbers and MLflow's string spellings of NaN and ±Infinity. */
export const double = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const decoded = decodeDouble(value);
  if (typeof value === "string" && Number.isNaN(decoded) && value.trim().toLowerCase() !== "nan") {
    ctx.addIssue({ code: "custom", message: `expected a double, got "${value}"` });
    return z.NEVER;
  }
  return decoded;
});
