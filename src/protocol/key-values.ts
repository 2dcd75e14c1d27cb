/** Conversions between the two tag shapes callers use: `{ key: value }` and `[{ key, value }]`. */
import type { KeyValue } from "./entities/tracking.js";
import { stringifyValue } from "./validation.js";

/** Tags or params given either as an object or as MLflow's list of `{key, value}`. */
export type KeyValueInput = Readonly<Record<string, unknown>> | readonly { key: string; value: unknown }[];

/**
 * Normalises tags or params to MLflow's `[{key, value}]` with string values.
 *
 * @example
 * toKeyValues({ lr: 0.1 }) // [{ key: "lr", value: "0.1" }]
 * @internal
 */
export function toKeyValues(input: KeyValueInput | undefined): KeyValue[] {
  if (input === undefined) return [];
  if (Array.isArray(input)) return (input as readonly { key: string; value: unknown }[]).map(({ key, value }) => ({ key, value: stringifyValue(key, value) }));
  return Object.entries(input as Record<string, unknown>).map(([key, value]) => ({ key, value: stringifyValue(key, value) }));
}
