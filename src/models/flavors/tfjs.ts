/**
 * The `tfjs` flavor: a TensorFlow.js model as `model.save()` writes it with tfjs-node's
 * `file://` handler — `model.json` (topology and weights manifest) and its weight files — in the
 * model's `tfjs/` folder. Python has no loader for it (no `python_function` block), but
 * `mlflow.artifacts.download_artifacts("models:/…")` fetches the files like any model's, and
 * `loadModel()` returns the folder that `tf.loadLayersModel` reads.
 *
 * The model is either a folder holding `model.json` (and every weight file its manifest names) or a
 * live TF.js model: anything with `save(handler)` (a `LayersModel` or `GraphModel`), saved through a
 * handler that writes the same two files — so `@tensorflow/tfjs` is never imported here.
 */
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { ValidationError } from "../../core/errors.js";
import type { Flavor, PreparedFlavor } from "./flavor.js";
import { placeFile } from "./place-files.js";

/** Folder of the TF.js files inside the model folder. */
export const TFJS_DATA_DIR = "tfjs";
/** The topology file TF.js reads first. */
export const TFJS_MODEL_JSON = "model.json";
/** The weights file of a model saved through {@link TfjsSavable.save}, as tfjs-node names it. */
export const TFJS_WEIGHTS_FILE = "weights.bin";

/** What TF.js hands a save handler (`tf.io.ModelArtifacts`, the fields mlflow-ts writes). */
export interface TfjsModelArtifacts {
  modelTopology?: object | ArrayBuffer | undefined;
  weightSpecs?: unknown[] | undefined;
  weightData?: ArrayBuffer | ArrayBuffer[] | undefined;
  format?: string | undefined;
  generatedBy?: string | undefined;
  convertedBy?: string | null | undefined;
  signature?: object | undefined;
  userDefinedMetadata?: Record<string, unknown> | undefined;
  modelInitializer?: object | undefined;
  initializerSignature?: object | undefined;
  trainingConfig?: object | undefined;
}

/** What a save handler answers (`tf.io.SaveResult`). */
export interface TfjsSaveResult {
  modelArtifactsInfo: {
    dateSaved: Date;
    modelTopologyType: "JSON" | "GraphDef";
    modelTopologyBytes?: number;
    weightSpecsBytes?: number;
    weightDataBytes?: number;
  };
}

/** The handler mlflow-ts hands `model.save` (a `tf.io.IOHandler` with only `save`). */
export interface TfjsSaveHandler {
  save(artifacts: TfjsModelArtifacts): Promise<TfjsSaveResult>;
}

/** A TF.js model that can save itself (`tf.LayersModel`, `tf.GraphModel`). */
export interface TfjsSavable {
  save(handler: TfjsSaveHandler): Promise<unknown>;
}

/**
 * Options of a TF.js model.
 * @example
 * await run.logModel({ flavor: "tfjs", model: layersModel, inputExample: { type: "ndarray", data: [[0.1, 0.2]] } });
 * await run.logModel({ flavor: "tfjs", model: "./saved/classifier" }); // a folder with model.json
 */
export interface TfjsModelInput {
  flavor: "tfjs";
  /** A TF.js model object (saved through `model.save`), or a folder with `model.json` and its weight files. */
  model: TfjsSavable | string;
}

type TfjsSource =
  | { kind: "folder"; path: string; files: string[]; format: string | undefined; generatedBy: string | undefined }
  | { kind: "object"; model: TfjsSavable };

/** The `tfjs` flavor. @internal */
export const tfjsFlavor: Flavor<TfjsModelInput> = {
  name: "tfjs",
  shape: {
    flavor: z.literal("tfjs"),
    model: z.union([
      z.string().min(1),
      z.custom<TfjsSavable>((value) => typeof (value as TfjsSavable | null)?.save === "function", "a TF.js model (with save()) or a folder path"),
    ]),
  },
  async prepare(input: TfjsModelInput): Promise<PreparedFlavor> {
    const source: TfjsSource = typeof input.model === "string" ? await checkFolder(input.model) : { kind: "object", model: input.model };
    return {
      async write(dir) {
        const target = join(dir, TFJS_DATA_DIR);
        const written = source.kind === "folder" ? await copyFolder(source, target) : await saveModel(source.model, target);
        const block = {
          data: TFJS_DATA_DIR,
          model_json: `${TFJS_DATA_DIR}/${TFJS_MODEL_JSON}`,
          format: written.format ?? null,
          generated_by: written.generatedBy ?? null,
        };
        return { flavors: { tfjs: block }, data: TFJS_DATA_DIR };
      },
    };
  },
};

async function checkFolder(path: string): Promise<TfjsSource> {
  const modelJson = join(path, TFJS_MODEL_JSON);
  const text = await readFile(modelJson, "utf8").catch(() => undefined);
  if (text === undefined)
    throw new ValidationError(
      "model",
      "tfjs-model-missing",
      `${modelJson} does not exist. Fix: pass the folder model.save("file://<folder>") wrote, or the model object itself.`,
    );
  let json: { modelTopology?: unknown; format?: string; generatedBy?: string; weightsManifest?: { paths?: unknown }[] };
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    throw new ValidationError("model", "tfjs-model-format", `${modelJson} is not JSON. Fix: pass the folder model.save() wrote.`);
  }
  if (json === null || typeof json !== "object" || json.modelTopology === undefined || !Array.isArray(json.weightsManifest)) {
    throw new ValidationError(
      "model",
      "tfjs-model-format",
      `${modelJson} has no modelTopology and weightsManifest, so it is not a TF.js model. Fix: pass the folder model.save() wrote.`,
    );
  }
  const files = json.weightsManifest.flatMap((group) => (Array.isArray(group.paths) ? group.paths.map(String) : []));
  for (const file of files) {
    if (file.includes("..") || file.startsWith("/") || file.includes("\\"))
      throw new ValidationError("model", "tfjs-weights-path", `${modelJson} names the weight file "${file}", outside its folder; refused.`);
    if (!(await stat(join(path, file)).catch(() => undefined))?.isFile()) {
      throw new ValidationError(
        "model",
        "tfjs-weights-missing",
        `${modelJson} names the weight file "${file}", which is not in ${path}. Fix: copy every file model.save() wrote.`,
      );
    }
  }
  return { kind: "folder", path, files, format: json.format, generatedBy: json.generatedBy };
}

async function copyFolder(source: Extract<TfjsSource, { kind: "folder" }>, target: string): Promise<{ format?: string; generatedBy?: string }> {
  for (const file of [TFJS_MODEL_JSON, ...source.files]) await placeFile(join(source.path, file), join(target, file));
  return { format: source.format, generatedBy: source.generatedBy };
}

/** `model.save(handler)` with a handler that writes what tfjs-node's `file://` handler writes. */
async function saveModel(model: TfjsSavable, target: string): Promise<{ format?: string; generatedBy?: string }> {
  let saved: { format?: string; generatedBy?: string } | undefined;
  await model.save({
    async save(artifacts: TfjsModelArtifacts) {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new ValidationError(
          "model",
          "tfjs-model-format",
          "The TF.js model has a binary (GraphDef) topology, which the model.json format cannot hold. Fix: log the folder tf converter wrote instead.",
        );
      }
      const weightData = artifacts.weightData === undefined ? [] : Array.isArray(artifacts.weightData) ? artifacts.weightData : [artifacts.weightData];
      const weights = Buffer.concat(weightData.map((buffer) => Buffer.from(buffer)));
      const modelJson: Record<string, unknown> = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
      };
      for (const key of ["signature", "userDefinedMetadata", "modelInitializer", "initializerSignature", "trainingConfig"] as const) {
        if (artifacts[key] !== undefined) modelJson[key] = artifacts[key];
      }
      await mkdir(target, { recursive: true });
      await writeFile(join(target, TFJS_MODEL_JSON), JSON.stringify(modelJson));
      await writeFile(join(target, TFJS_WEIGHTS_FILE), weights);
      saved = { format: artifacts.format, generatedBy: artifacts.generatedBy };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" as const, weightDataBytes: weights.byteLength } };
    },
  });
  if (saved === undefined)
    throw new ValidationError(
      "model",
      "tfjs-model-format",
      "model.save(handler) returned without handing the handler the model. Fix: pass a TF.js LayersModel or GraphModel.",
    );
  return saved;
}
