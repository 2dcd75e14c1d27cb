/**
 * Python's formatting of plain data, where MLflow stores or returns it: `json.dumps` (for the
 * `mlflow.modelVersions` tag and logged-model page tokens), `repr` (in error messages) and
 * `yaml.safe_dump` (the `MLmodel` file and the other YAML files of a model).
 */
import { stringify } from "yaml";

/**
 * `json.dumps(value)` with its defaults: `", "` and `": "` separators, non-ASCII escaped as `\uXXXX`.
 * @example
 * pythonJsonDumps([{ name: "m", version: 1 }]) // '[{"name": "m", "version": 1}]'
 * @internal
 */
export function pythonJsonDumps(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.entries(value)
      .map(([key, item]) => `${pythonJsonDumps(key)}: ${pythonJsonDumps(item)}`)
      .join(", ")}}`;
  }
  return (JSON.stringify(value) ?? "null").replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * Python's `repr` of JSON-like data (strings in single quotes, `None`, `True`, `False`).
 * @example
 * pythonRepr(["1", null]) // "['1', None]"
 * @internal
 */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "string") return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(", ")}]`;
  if (typeof value === "object")
    return `{${Object.entries(value)
      .map(([key, item]) => `'${key}': ${pythonRepr(item)}`)
      .join(", ")}}`;
  return String(value);
}

/**
 * `yaml.safe_dump(value, default_flow_style=False)` as PyYAML writes it: keys sorted, sequences
 * not indented, single quotes, and YAML 1.1 rules for what must be quoted, so that a string such
 * as `"3.11"`, `"yes"` or `"2026-12-06 11:21:59.770018"` reads back in Python as a string.
 * @example
 * pythonYamlDump({ model_version: "1", model_name: null }) // "model_name: null\nmodel_version: '1'\n"
 * @internal
 */
export function pythonYamlDump(value: unknown, options: { sortKeys?: boolean } = {}): string {
  return stringify(value, { version: "1.1", sortMapEntries: options.sortKeys ?? true, lineWidth: 0, singleQuote: true, indentSeq: false });
}
