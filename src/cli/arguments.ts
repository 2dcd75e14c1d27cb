/**
 * Option parsers the commands share: repeatable options (`--tag a=1 --tag b=2`) and `KEY=VALUE`
 * pairs. A value they refuse is a usage error (commander's `InvalidArgumentError`, exit 2).
 */
import { InvalidArgumentError } from "commander";

/**
 * A commander option parser that collects every occurrence, each parsed by `parse`.
 *
 * @example
 * new Command("x").option("--tag <k=v>", "a tag (repeatable)", collect(parseKeyValue), []);
 * @internal
 */
export function collect<T>(parse: (value: string) => T): (value: string, previous: T[]) => T[] {
  return (value, previous) => [...previous, parse(value)];
}

/**
 * `KEY=VALUE` as a pair, split at the first `=` (the value may contain more; keys never do).
 *
 * @throws {InvalidArgumentError} when there is no `=` or the key is empty.
 * @example
 * parseKeyValue("team=vision"); // { key: "team", value: "vision" }
 * @internal
 */
export function parseKeyValue(text: string): { key: string; value: string } {
  const equals = text.indexOf("=");
  if (equals <= 0) throw new InvalidArgumentError(`"${text}" is not KEY=VALUE. Fix: write it as key=value, e.g. --tag team=vision.`);
  return { key: text.slice(0, equals), value: text.slice(equals + 1) };
}
