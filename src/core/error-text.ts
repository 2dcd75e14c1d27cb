/**
 * The message of anything thrown: `error.message` for an Error, `String(error)` otherwise. One
 * helper instead of the same ternary in every catch; the caller redacts where the text leaves the
 * process.
 */

/**
 * The message of anything thrown.
 * @example
 * messageOf(new Error("boom")) // "boom"; messageOf(42) // "42"
 * @internal
 */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
