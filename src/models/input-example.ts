/**
 * A model's input example, written as MLflow's `_Example` writes it (`mlflow/models/utils.py`):
 * `input_example.json` (the example), `serving_input_example.json` (the request body
 * `mlflow models serve` accepts: `{"inputs": …}` or `{"dataframe_split": …}`, indented by 2) and
 * the `saved_input_example_info` block of `MLmodel` (`type`: `ndarray`, `dataframe` with
 * `pandas_orient: split`, or `json_object`). NaN becomes `null`, as MLflow's `_handle_ndarray_nans`.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ValidationError } from "../core/errors.js";
import { pythonJsonDumps } from "../core/python-format.js";

/** File name of the example inside the model folder. */
export const INPUT_EXAMPLE_FILE = "input_example.json";
/** File name of the serving request body inside the model folder. */
export const SERVING_INPUT_EXAMPLE_FILE = "serving_input_example.json";

/** Numbers nested in arrays: a tensor as nested lists (`[[1, 2, 3], [4, 5, 6]]`); a typed array is one row. */
export type NestedNumbers = number | readonly NestedNumbers[] | Float32Array | Float64Array | Int32Array | Uint8Array;

/**
 * An input example, by the kind of data it is (MLflow records the kind in `MLmodel`):
 * - `ndarray`: a tensor as nested arrays, or named tensors (`{ x: [[…]] }`), for tensor models such as ONNX;
 * - `dataframe`: a table, by columns (`{ age: [31, 45] }`) or rows (`[{ age: 31 }]`);
 * - `json`: any JSON value, as the model receives it.
 * `params`, when given, are the inference params of the example.
 *
 * @example
 * const example: InputExample = { type: "ndarray", data: [[5.1, 3.5, 1.4]] };
 */
export type InputExample =
  | { type: "ndarray"; data: NestedNumbers | Readonly<Record<string, NestedNumbers>>; params?: Record<string, unknown> | undefined }
  | {
      type: "dataframe";
      data: Readonly<Record<string, readonly unknown[]>> | readonly Readonly<Record<string, unknown>>[];
      params?: Record<string, unknown> | undefined;
    }
  | { type: "json"; data: unknown; params?: Record<string, unknown> | undefined };

/** The `saved_input_example_info` block of `MLmodel`. */
export type SavedInputExampleInfo = Record<string, string>;

/** An example ready to be written. @internal */
export interface PreparedExample {
  info: SavedInputExampleInfo;
  /** Writes the two example files into the model folder. */
  write(dir: string): Promise<void>;
}

/**
 * Checks an example and prepares its files.
 * @throws {ValidationError} (rule `input-example`) for an unknown type, a non-numeric tensor,
 *   ragged tensor rows, table columns of different lengths, or data without a JSON form.
 * @internal
 */
export function prepareExample(example: InputExample): PreparedExample {
  const info: SavedInputExampleInfo = { artifact_path: INPUT_EXAMPLE_FILE };
  let data: unknown;
  let serving: Record<string, unknown>;
  if (example?.type === "ndarray") {
    data = isNamedTensors(example.data)
      ? Object.fromEntries(Object.entries(example.data).map(([name, tensor]) => [name, tensorJson(tensor, name)]))
      : tensorJson(example.data, "data");
    info.type = "ndarray";
    serving = { inputs: data };
  } else if (example?.type === "dataframe") {
    data = splitTable(example.data);
    info.type = "dataframe";
    info.pandas_orient = "split";
    serving = { dataframe_split: data };
  } else if (example?.type === "json") {
    data = jsonValue(example.data);
    info.type = "json_object";
    serving = { inputs: data };
  } else {
    throw new ValidationError(
      "inputExample.type",
      "input-example",
      `Unknown input example type ${JSON.stringify((example as { type?: unknown })?.type)}. Fix: use { type: "ndarray" | "dataframe" | "json", data }.`,
    );
  }
  if (example.params !== undefined) {
    const params = jsonValue(example.params);
    info.params = "true";
    data = { inputs: data, params };
    serving = { ...serving, params };
  }
  info.serving_input_path = SERVING_INPUT_EXAMPLE_FILE;
  const exampleText = pythonJsonDumps(data);
  const servingText = JSON.stringify(serving, null, 2);
  return {
    info,
    async write(dir: string): Promise<void> {
      await writeFile(join(dir, INPUT_EXAMPLE_FILE), exampleText);
      await writeFile(join(dir, SERVING_INPUT_EXAMPLE_FILE), servingText);
    },
  };
}

function isNamedTensors(data: unknown): data is Readonly<Record<string, NestedNumbers>> {
  return data !== null && typeof data === "object" && !Array.isArray(data) && !ArrayBuffer.isView(data);
}

/** A tensor as nested lists: rectangular, numbers only (NaN → null). */
function tensorJson(tensor: unknown, name: string): unknown {
  const shape: number[] = [];
  const walk = (value: unknown, depth: number): unknown => {
    if (typeof value === "number") {
      if (depth !== shape.length && shape.length > 0) ragged(name);
      return Number.isNaN(value) ? null : value;
    }
    const items = ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<number>) : value;
    if (!Array.isArray(items))
      throw new ValidationError(
        `inputExample.${name}`,
        "input-example",
        `The ndarray example "${name}" holds ${typeof value}; a tensor example holds numbers in nested arrays. Fix: use { type: "json", data } for other data.`,
      );
    if (shape.length === depth) shape.push(items.length);
    else if (shape[depth] !== items.length) ragged(name);
    return items.map((item) => walk(item, depth + 1));
  };
  return walk(tensor, 0);
}

function ragged(name: string): never {
  throw new ValidationError(
    `inputExample.${name}`,
    "input-example",
    `The ndarray example "${name}" is ragged (rows of different lengths); numpy needs a rectangular array. Fix: pad the rows or use { type: "json", data }.`,
  );
}

/** A table in pandas' split orientation without the index, as `_convert_dataframe_to_split_dict`. */
function splitTable(data: unknown): { columns: string[]; data: unknown[][] } {
  if (Array.isArray(data)) {
    const rows = data as Record<string, unknown>[];
    const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
    return { columns, data: rows.map((row) => columns.map((column) => cell(row[column]))) };
  }
  if (data === null || typeof data !== "object")
    throw new ValidationError("inputExample.data", "input-example", "A dataframe example is a table: columns ({ age: [31, 45] }) or rows ([{ age: 31 }]).");
  const byColumn = data as Record<string, readonly unknown[]>;
  const columns = Object.keys(byColumn);
  const lengths = new Set(columns.map((column) => (Array.isArray(byColumn[column]) ? byColumn[column]!.length : -1)));
  if (lengths.size > 1 || lengths.has(-1))
    throw new ValidationError(
      "inputExample.data",
      "input-example",
      `Every column of a dataframe example needs the same number of values, got ${columns.map((c) => `${c}: ${Array.isArray(byColumn[c]) ? byColumn[c]!.length : "not a list"}`).join(", ")}.`,
    );
  const rowCount = columns.length === 0 ? 0 : byColumn[columns[0]!]!.length;
  return { columns, data: Array.from({ length: rowCount }, (_, row) => columns.map((column) => cell(byColumn[column]![row]))) };
}

function cell(value: unknown): unknown {
  if (value === undefined || (typeof value === "number" && Number.isNaN(value))) return null;
  return jsonValue(value);
}

function jsonValue(value: unknown): unknown {
  const text = JSON.stringify(value) as string | undefined;
  if (text === undefined)
    throw new ValidationError(
      "inputExample",
      "input-example",
      `The input example has no JSON form (${typeof value}). Fix: use plain numbers, strings, arrays and objects.`,
    );
  return JSON.parse(text);
}
