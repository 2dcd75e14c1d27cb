/**
 * Bounds of a numeric setting and the sentence that explains a value outside them, shared by the
 * environment reader (env.ts) and the checks of numeric arguments (`flush({ timeoutMs })`), so a
 * variable and an option with the same rule fail with the same words.
 */

/** Bounds and unit of a numeric setting. */
export interface NumberRule {
  /** Inclusive minimum. */
  min?: number;
  /** Inclusive maximum. */
  max?: number;
  /** Reject fractional values. */
  integer?: boolean;
  /** Unit named in the error message, e.g. "seconds". */
  unit?: string;
}

/**
 * Describes what is wrong with `value` under `rule`, or `undefined` when it is fine.
 * @example
 * numberProblem(-1, { min: 0, integer: true, unit: "milliseconds" }) // "a whole number of at least 0 milliseconds"
 * @internal
 */
export function numberProblem(value: number, rule: NumberRule): string | undefined {
  const unit = rule.unit ? ` ${rule.unit}` : "";
  const kind = rule.integer ? "a whole number" : "a number";
  const range =
    rule.min !== undefined && rule.max !== undefined
      ? ` from ${rule.min} to ${rule.max}`
      : rule.min !== undefined
        ? ` of at least ${rule.min}`
        : rule.max !== undefined
          ? ` of at most ${rule.max}`
          : "";
  const expected = `${kind}${range}${unit}`;
  if (!Number.isFinite(value)) return expected;
  if (rule.integer && !Number.isInteger(value)) return expected;
  if (rule.min !== undefined && value < rule.min) return expected;
  if (rule.max !== undefined && value > rule.max) return expected;
  return undefined;
}
