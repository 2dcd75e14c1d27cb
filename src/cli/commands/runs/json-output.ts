/**
 * `--json` output of the `runs` subcommands: pretty-printed, with NaN and ±Infinity as the
 * strings MLflow's REST API uses ("NaN", "Infinity", "-Infinity") — `JSON.stringify` alone would
 * print them as `null`, which reads back as a missing value.
 */
import { wireReplacer } from "../../../core/wire.js";
import type { CliContext } from "../../context.js";

/**
 * Prints `value` as indented JSON on stdout, non-finite numbers as MLflow's strings.
 * @example
 * printJson(context, { value: Number.NaN }); // {"value": "NaN"}
 * @internal
 */
export function printJson(context: CliContext, value: unknown): void {
  context.print(JSON.stringify(value, wireReplacer, 2));
}
