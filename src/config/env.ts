/**
 * The one reader of environment variables. Values are trimmed; an empty string counts as unset;
 * malformed values fail with a {@link ConfigurationError} that names the variable, the value and
 * what is expected.
 */
import { ConfigurationError } from "../core/errors.js";
import { type NumberRule, numberProblem } from "./number-rule.js";
import type { Env } from "./options.js";

export type { Env } from "./options.js";

/**
 * Reads `name` from `env`, trimmed; `undefined` when unset or empty.
 * @internal
 */
export function readEnv(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/**
 * Reads a boolean the way the Python client does: `true`/`false`/`1`/`0`, case-insensitive.
 * @throws {ConfigurationError} for any other value.
 * @internal
 */
export function readBoolEnv(env: Env, name: string): boolean | undefined {
  const raw = readEnv(env, name);
  if (raw === undefined) return undefined;
  const lower = raw.toLowerCase();
  if (lower === "true" || lower === "1") return true;
  if (lower === "false" || lower === "0") return false;
  throw new ConfigurationError(name, `${name} must be one of true, false, 1, 0; got "${raw}". Fix: set ${name}=true or unset it.`);
}

/**
 * Reads a number within bounds.
 * @throws {ConfigurationError} naming the variable when the value is not a number or out of bounds.
 * @internal
 */
export function readNumberEnv(env: Env, name: string, rule: NumberRule = {}): number | undefined {
  const raw = readEnv(env, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  const problem = numberProblem(value, rule);
  if (problem === undefined) return value;
  throw new ConfigurationError(name, `${name} must be ${problem}; got "${raw}". Fix: correct it or unset it to use the default.`);
}

/**
 * Reads a variable that takes one of a few words, case-insensitively; `undefined` when unset.
 * @throws {ConfigurationError} naming the variable and the allowed words.
 * @example
 * readEnum(env, "MLFLOW_TS_S3_CHECKSUM", ["WHEN_REQUIRED", "WHEN_SUPPORTED"] as const)
 * @internal
 */
export function readEnum<const T extends readonly string[]>(env: Env, name: string, allowed: T): T[number] | undefined {
  const raw = readEnv(env, name);
  if (raw === undefined) return undefined;
  const match = allowed.find((value) => value.toLowerCase() === raw.toLowerCase());
  if (match !== undefined) return match;
  throw new ConfigurationError(name, `${name} must be one of ${allowed.join(", ")}; got "${raw}".`);
}

/**
 * Reads a variable that holds a JSON object; `undefined` when unset.
 * @throws {ConfigurationError} when it does not parse or is not an object.
 * @example
 * readJsonObjectEnv(env, "MLFLOW_S3_UPLOAD_EXTRA_ARGS") // { ServerSideEncryption: "AES256" }
 * @internal
 */
export function readJsonObjectEnv(env: Env, name: string): Record<string, unknown> | undefined {
  const raw = readEnv(env, name);
  if (raw === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ConfigurationError(name, `${name} must be a JSON object, e.g. {"ServerSideEncryption": "AES256"}; it does not parse.`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigurationError(name, `${name} must be a JSON object, e.g. {"ServerSideEncryption": "AES256"}.`);
  }
  return value as Record<string, unknown>;
}
