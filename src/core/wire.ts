/**
 * Wire encoding shared by every endpoint: MLflow's JSON differs from plain JSON in two ways that
 * matter to a JavaScript client. Non-finite doubles travel as the strings `"NaN"`, `"Infinity"` and
 * `"-Infinity"` (`JSON.stringify(NaN)` would send `null`, which the server refuses), and int64
 * fields may arrive as numbers or as numeric strings.
 */
import { z } from "zod";

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

/** Schema of an int64 field: accepts a number or a numeric string, yields a number. */
export const int64 = z.union([z.number(), z.string().regex(/^-?\d+$/, "expected an integer string")]).transform(Number);

/** Schema of a double field: accepts numbers and MLflow's string spellings of NaN and ±Infinity. */
export const double = z
  .union([z.number(), z.string()])
  .transform((value, ctx) => {
    const decoded = decodeDouble(value);
    if (typeof value === "string" && Number.isNaN(decoded) && value.trim().toLowerCase() !== "nan") {
      ctx.addIssue({ code: "custom", message: `expected a double, got "${value}"` });
      return z.NEVER;
    }
    return decoded;
  });
