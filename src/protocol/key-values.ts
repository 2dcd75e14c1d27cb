/**
 * Conversions between the two tag shapes callers use (`{ key: value }` and `[{ key, value }]`), and
 * the checked conversions of params, run tags and registry tags (MLflow's rules, validation.ts).
 */

import { ValidationError } from "../core/errors.js";
import type { KeyValue } from "./entities/tracking.js";
import { stringifyValue, validateKey, validateParamValue, validateRegistryTagValue, validateRunTagValue } from "./validation.js";

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

/**
 * Validates params: keys, values of at most 6000 characters, no key twice.
 * @throws {ValidationError}
 * @internal
 */
export function validatedParams(input: KeyValueInput | undefined): KeyValue[] {
  const params = toKeyValues(input);
  const seen = new Set<string>();
  for (const param of params) {
    validateKey(param.key, "param");
    validateParamValue(param.key, param.value);
    if (seen.has(param.key))
      throw new ValidationError(
        param.key,
        "duplicate-param",
        `The param "${param.key}" appears twice in one batch; MLflow refuses duplicate param keys in a batch.`,
      );
    seen.add(param.key);
  }
  return params;
}

/**
 * Validates run tags: keys and values of at most 8000 characters.
 * @throws {ValidationError}
 * @internal
 */
export function validatedTags(input: KeyValueInput | undefined): KeyValue[] {
  const tags = toKeyValues(input);
  for (const tag of tags) {
    validateKey(tag.key, "tag");
    validateRunTagValue(tag.key, tag.value);
  }
  return tags;
}

/** @internal */
export function validatedRegistryTags(input: KeyValueInput | undefined): KeyValue[] {
  const tags = toKeyValues(input);
  for (const tag of tags) {
    validateKey(tag.key, "registry tag");
    validateRegistryTagValue(tag.key, tag.value);
  }
  return tags;
}
