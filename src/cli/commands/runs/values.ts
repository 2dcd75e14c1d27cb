/**
 * Numbers from a shell, read as MLflow's Python client would read them: `float("nan")`, `float("-inf")`,
 * `float("1_000.5")` and `float("-0")` all work there, so `runs log-metric` and `runs log-batch`
 * accept the same spellings and store the same doubles (NaN, ±Infinity, −0). `Number()` alone
 * would also take `""` (as 0) and `"0x10"` (as 16), which Python refuses: those are refused here.
 */

/** Python's `float()` grammar for finite decimals: digits with single `_` between them, an optional fraction and exponent. */
const DECIMAL = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;
/** The non-finite spellings `float()` accepts, any case, with an optional sign. */
const NON_FINITE = /^([+-]?)(nan|inf|infinity)$/i;
/** An integer as Python's `int()` reads it (underscores between digits). */
const INTEGER = /^[+-]?\d(?:_?\d)*$/;

/**
 * Reads a metric value as Python's `float(text)` does: surrounding whitespace ignored; `nan`,
 * `inf`, `infinity` in any case and with a sign; `-0` stays −0. Returns `undefined` when Python
 * would raise `ValueError`.
 *
 * @example
 * parseFloatLikePython("-Infinity") // -Infinity
 * parseFloatLikePython("1_000.5")   // 1000.5
 * parseFloatLikePython("0x10")      // undefined
 * @internal
 */
export function parseFloatLikePython(text: string): number | undefined {
  const trimmed = text.trim();
  const special = NON_FINITE.exec(trimmed);
  if (special !== null) {
    if (special[2]!.toLowerCase() === "nan") return Number.NaN;
    return special[1] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (!DECIMAL.test(trimmed)) return undefined;
  return Number(trimmed.replaceAll("_", ""));
}

/**
 * Reads a whole number (a step, a timestamp in ms) as Python's `int(text)` does; `undefined` when
 * it is not one. Whether it fits MLflow's range is the logger's check, not this one's.
 *
 * @example
 * parseIntegerLikePython(" 1_000 ") // 1000
 * parseIntegerLikePython("1.5")     // undefined
 * @internal
 */
export function parseIntegerLikePython(text: string): number | undefined {
  const trimmed = text.trim();
  return INTEGER.test(trimmed) ? Number(trimmed.replaceAll("_", "")) : undefined;
}

/**
 * A metric value as text: NaN and ±Infinity by name, and −0 with its sign (`String(-0)` is "0").
 * @example
 * formatMetricValue(-0) // "-0"
 * @internal
 */
export function formatMetricValue(value: number): string {
  return Object.is(value, -0) ? "-0" : String(value);
}
