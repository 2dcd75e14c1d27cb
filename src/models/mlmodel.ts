/**
 * The `MLmodel` file: the YAML document at the root of an MLflow model that names its flavors and
 * records where it came from (`mlflow/models/model.py`, `Model.to_dict`). Written with PyYAML's
 * layout (keys sorted, YAML 1.1 quoting) so that Python's `Model.load` reads back exactly what was
 * meant: `utc_time_created` and version strings stay strings.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { ValidationError } from "../core/errors.js";
import { pythonYamlDump } from "../core/python-format.js";
import type { SavedInputExampleInfo } from "./input-example.js";
import type { SignatureBlock } from "./signature.js";

/** The model's description file at the root of its folder. */
export const MLMODEL_FILE = "MLmodel";

/**
 * The fields of an `MLmodel` document (MLflow 3). Flavor blocks are free-form: each flavor module
 * writes its own.
 */
export interface MLmodel {
  /** Where the model's files are (a logged model: its artifact location). */
  artifact_path?: string | undefined;
  /** Flavor name → flavor block, e.g. `{ onnx: {…}, python_function: {…} }`. */
  flavors: Record<string, Record<string, unknown>>;
  /** The MLflow release whose format this is. */
  mlflow_version?: string | undefined;
  /** The logged model (`m-…`). */
  model_id?: string | undefined;
  model_size_bytes?: number | undefined;
  model_uuid?: string | undefined;
  run_id?: string | undefined;
  signature?: SignatureBlock | undefined;
  saved_input_example_info?: SavedInputExampleInfo | undefined;
  /** `YYYY-MM-DD HH:MM:SS.ffffff`, UTC. */
  utc_time_created?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
  [field: string]: unknown;
}

/**
 * The `MLmodel` text.
 * @example
 * mlmodelYaml({ flavors: { files: { data: "files" } }, mlflow_version: "3.17.2" });
 * @internal
 */
export function mlmodelYaml(model: MLmodel): string {
  const withoutUndefined = Object.fromEntries(Object.entries(model).filter(([, value]) => value !== undefined));
  return pythonYamlDump(withoutUndefined);
}

/**
 * Python's `str(datetime.now(timezone.utc).replace(tzinfo=None))`: `2026-12-06 11:21:59.770000`.
 * @internal
 */
export function utcTimeCreated(date: Date = new Date()): string {
  const iso = date.toISOString(); // 2026-12-06T11:21:59.770Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${iso.slice(20, 23)}000`;
}

/**
 * Reads and parses `<dir>/MLmodel`.
 * @throws {ValidationError} (rule `mlmodel`) when the file is missing or is not an MLmodel document.
 * @internal
 */
export async function readMLmodel(dir: string): Promise<MLmodel> {
  const text = await readFile(join(dir, MLMODEL_FILE), "utf8").catch(() => undefined);
  if (text === undefined)
    throw new ValidationError(
      MLMODEL_FILE,
      "mlmodel",
      `${join(dir, MLMODEL_FILE)} does not exist, so this is not an MLflow model folder. Fix: download the model by its models:/ URI, or log it with logModel().`,
    );
  const parsed = parse(text, { version: "1.1" }) as unknown;
  if (parsed === null || typeof parsed !== "object" || typeof (parsed as MLmodel).flavors !== "object" || (parsed as MLmodel).flavors === null) {
    throw new ValidationError(MLMODEL_FILE, "mlmodel", `${join(dir, MLMODEL_FILE)} has no "flavors" map, so it is not an MLmodel document.`);
  }
  return parsed as MLmodel;
}

/** Where a logged model lives: its id, files and run (for {@link rebaseMLmodel}). */
export interface ModelHome {
  modelId: string;
  artifactUri: string;
  runId: string | undefined;
}

/**
 * An `MLmodel` text moved from one logged model to its copy (sync): `model_id`, `model_uuid`,
 * `artifact_path` and `run_id` that named the source now name the copy; every other field, and a
 * field that named something else, is left as it was. Returns `undefined` when nothing changes.
 * @internal
 */
export function rebaseMLmodel(text: string, from: ModelHome, to: ModelHome): string | undefined {
  let model: MLmodel | null;
  try {
    model = parse(text, { version: "1.1" }) as MLmodel | null;
  } catch {
    return undefined; // not YAML: not an MLmodel this could have written, so left as it is
  }
  if (model === null || typeof model !== "object" || typeof model.flavors !== "object") return undefined;
  let changed = false;
  const swap = (field: keyof MLmodel, before: string | undefined, after: string | undefined): void => {
    if (before === undefined || model[field] !== before) return;
    if (after === undefined) delete model[field];
    else model[field] = after;
    changed = true;
  };
  swap("model_id", from.modelId, to.modelId);
  swap("model_uuid", from.modelId, to.modelId);
  swap("artifact_path", from.artifactUri, to.artifactUri);
  swap("run_id", from.runId, to.runId);
  return changed ? mlmodelYaml(model) : undefined;
}
