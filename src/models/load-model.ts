/**
 * `loadModel`: a model's files by URI, downloaded into a folder, with its `MLmodel` read and the
 * path of the model data its flavor names (`tfjs/` for a TF.js model, `model.onnx`, `files/`).
 * What to run the data with is the caller's choice (`tf.loadLayersModel`, onnxruntime-node…).
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DownloadOptions } from "../artifacts/types.js";
import { ValidationError } from "../core/errors.js";
import type { ModelsContext } from "./context.js";
import { type MLmodel, readMLmodel } from "./mlmodel.js";

/** Flavors that describe the model itself, checked in this order (`python_function` only says how Python loads it). */
const PREFERRED_FLAVORS = ["tfjs", "onnx", "files"];

/** A model downloaded by {@link loadModel}. */
export interface LoadedModel {
  /** The folder holding the model's files and its `MLmodel`. */
  path: string;
  /** The flavor whose data `dataPath` is. */
  flavor: string;
  /** The model data: the flavor block's `data`, resolved under `path` (a file or a folder). */
  dataPath: string;
  /** The parsed `MLmodel`. */
  mlmodel: MLmodel;
}

/** Options of {@link loadModel}. */
export interface LoadModelOptions extends DownloadOptions {
  /** Download into this folder. @defaultValue a new temporary folder (removing it is the caller's) */
  destDir?: string | undefined;
  /** The flavor whose data to point at. @defaultValue the model's first of tfjs, onnx, files, else its first flavor */
  flavor?: string | undefined;
}

/**
 * Downloads a model by URI and reads its `MLmodel`.
 * @throws {ArtifactNotFoundError} when the URI names nothing.
 * @throws {ValidationError} when the files are not an MLflow model, or lack the asked flavor.
 * @internal
 */
export async function loadModel(ctx: ModelsContext, uri: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const { destDir, flavor: wanted, ...download } = options;
  const dest = destDir ?? (await mkdtemp(join(tmpdir(), "mlflow-ts-load-model-")));
  const path = await ctx.uris.download(uri, dest, download);
  const mlmodel = await readMLmodel(path);
  const names = Object.keys(mlmodel.flavors);
  const flavor = wanted ?? PREFERRED_FLAVORS.find((name) => names.includes(name)) ?? names.find((name) => name !== "python_function") ?? names[0];
  const block = flavor === undefined ? undefined : mlmodel.flavors[flavor];
  if (flavor === undefined || block === undefined) {
    throw new ValidationError(
      "flavor",
      "model-flavor",
      `The model at "${uri}" has no ${wanted === undefined ? "flavor" : `"${wanted}" flavor`} (it has: ${names.join(", ") || "none"}). Fix: ask for one of its flavors.`,
    );
  }
  const data = typeof block.data === "string" ? block.data : ".";
  return { path, flavor, dataPath: join(path, ...data.split("/")), mlmodel };
}
