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
 * Python's `str()` of a scalar, as `mlflow.log_params` stores it: `None`, `True`/`False`, a float in
 * `repr` form (`1e-07`, `1e+16`: an exponent of two digits or more once below 1e-4 or at 1e16 and
 * above; `nan`, `inf`). A whole number is written as an int: JavaScript cannot tell `1.0` from `1`.
 * @example
 * pythonStr(1e-7) // "1e-07"
 * pythonStr(null) // "None"
 * @internal
 */
export function pythonStr(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "string") return value;
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  if (Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER) return String(value);
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  if (exponent >= -4 && exponent < 16) return String(value);
  return value.toExponential().replace(/e([+-])(\d)$/, (_, sign: string, digit: string) => `e${sign}0${digit}`);
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
