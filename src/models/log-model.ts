/**
 * `logModel`, as `mlflow.<flavor>.log_model` does it in MLflow 3 (`Model.log` in
 * `mlflow/models/model.py`): check everything first (flavor, model files, signature, example), so
 * that bad input leaves nothing behind; then create the logged model (linked to the run, with the
 * run's params merged in), record it as the run's output at `step` and link the run's metrics of
 * that step to it; write the flavor's files, `MLmodel`, the example and the environment files into
 * a scratch folder; upload them where the model's `artifact_uri` points; finalize READY — or
 * FAILED when anything after the creation fails. Optionally register it.
 *
 * On an MLflow 2 server (no logged models: the create fails with UnsupportedFeatureError) a model
 * of a run is logged as MLflow 2 logged it instead: see log-model-as-run-artifacts.ts.
 */
import { z } from "zod";
import type { TransferProgress } from "../artifacts/types.js";
import { ValidationError } from "../core/errors.js";
import type { LoggedModel } from "../protocol/entities/logged-model.js";
import type { ModelVersion } from "../protocol/entities/registry.js";
import type { KeyValue } from "../protocol/entities/tracking.js";
import type { KeyValueInput } from "../protocol/key-values.js";
import { validatedParams, validatedTags } from "../protocol/key-values.js";
import { UnsupportedFeatureError } from "../protocol/unsupported-feature-error.js";
import type { ModelsContext } from "./context.js";
import { journaledFinishModel, type ModelJournal } from "./finish-model.js";
import type { Flavor } from "./flavors/flavor.js";
import { FLAVORS, type FlavorName, type ModelFlavorInput } from "./flavors/index.js";
import { type InputExample, prepareExample } from "./input-example.js";
import { logModelAsRunArtifacts } from "./log-model-as-run-artifacts.js";
import type { MLmodel } from "./mlmodel.js";
import { withModelFolder } from "./model-folder.js";
import { type RegisterModelOptions, registerModel } from "./register-model.js";
import { type ModelSignature, signatureBlock } from "./signature.js";

/** Name of a logged model when none is given (`runs:/<run>/model` then reaches it). */
export const DEFAULT_MODEL_NAME = "model";

/** Options every flavor shares. */
export interface LogModelCommonOptions {
  /** The logged model's name (no `/ : . % " '`); `runs:/<run>/<name>` reaches its files. @defaultValue "model" */
  name?: string | undefined;
  /** Params of the model (the run's params are added, as MLflow does). */
  params?: KeyValueInput | undefined;
  /** Tags of the model. */
  tags?: KeyValueInput | undefined;
  /** A free-form model type, e.g. `"classifier"` (searchable). */
  modelType?: string | undefined;
  /** The training step the model belongs to (its run output, and the metrics of that step linked to it). @defaultValue 0 */
  step?: number | undefined;
  /** What the model takes and returns. */
  signature?: ModelSignature | undefined;
  /** An example input, written as `input_example.json` and `serving_input_example.json`. */
  inputExample?: InputExample | undefined;
  /** Free-form metadata, stored in `MLmodel`. */
  metadata?: Record<string, unknown> | undefined;
  /** The model's Python requirements instead of the flavor's (`mlflow==…` is added unless listed). */
  pipRequirements?: string[] | undefined;
  /** Requirements added to the flavor's. */
  extraPipRequirements?: string[] | undefined;
  /** Python of the model's environment. @defaultValue "3.11.7" */
  pythonVersion?: string | undefined;
  /** Register the model under this name once it is READY (creating the registered model when missing). */
  registeredModelName?: string | undefined;
  /** Options of that registration (alias, tags, awaitReadyMs). */
  registration?: Omit<RegisterModelOptions, "signal"> | undefined;
  /** Upload progress of the model's files. */
  onProgress?: ((progress: TransferProgress) => void) | undefined;
  /** Aborts the upload (the model is then finalized FAILED). */
  signal?: AbortSignal | undefined;
}

/**
 * Options of `run.logModel`: the flavor, the model, and the common options.
 * @example
 * const info = await run.logModel({ flavor: "onnx", model: onnxBytes, name: "churn", inputExample: { type: "ndarray", data: [[0.2, 1.5, 3]] } });
 */
export type LogModelOptions = LogModelCommonOptions & ModelFlavorInput;

/** Options of `client.models.log`: those of `run.logModel`, plus the run or experiment. */
export type ClientLogModelOptions = LogModelOptions & {
  /** The run that produced the model (its output; its params are merged in). */
  runId?: string | undefined;
  /** The experiment of the model. @defaultValue the run's */
  experimentId?: string | undefined;
};

/**
 * What `logModel` logged, as Python's `ModelInfo`.
 * @example
 * const { modelUri } = await run.logModel({ flavor: "files", model: "./out" }); // "models:/m-…"
 */
export interface ModelInfo {
  /** The logged model's id, `m-…`; `undefined` when an MLflow 2 server got the model as run artifacts. */
  modelId: string | undefined;
  /**
   * `models:/<model id>`, or `runs:/<run id>/<name>` for a model logged as run artifacts (MLflow 2
   * server): what `registerModel`, `downloadArtifacts` and Python's loaders take.
   */
  modelUri: string;
  name: string;
  /** The run the model belongs to, when there is one. */
  runId: string | undefined;
  /** Where its files are. */
  artifactUri: string;
  /** The `MLmodel` document written. */
  mlmodel: MLmodel;
  /** The logged model as the server has it now (READY); `undefined` for a model logged as run artifacts. */
  loggedModel: LoggedModel | undefined;
  /** The registered version, when `registeredModelName` was given. */
  registeredModelVersion: ModelVersion | undefined;
}

const commonShape = {
  name: z.string().optional(),
  params: z.unknown().optional(),
  tags: z.unknown().optional(),
  modelType: z.string().optional(),
  step: z.number().int().min(0).optional(),
  signature: z.unknown().optional(),
  inputExample: z.unknown().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  pipRequirements: z.array(z.string()).optional(),
  extraPipRequirements: z.array(z.string()).optional(),
  pythonVersion: z
    .string()
    .regex(/^\d+\.\d+(\.\d+)?$/, "a Python version such as 3.11 or 3.11.7")
    .optional(),
  registeredModelName: z.string().min(1).optional(),
  registration: z.record(z.string(), z.unknown()).optional(),
  onProgress: z.function().optional(),
  signal: z.instanceof(AbortSignal).optional(),
  runId: z.string().min(1).optional(),
  experimentId: z.string().min(1).optional(),
};

/**
 * Logs a model; see the module comment for the steps.
 *
 * @param extraTags - Tags added before the user's (the logger's system tags).
 * @param journal - The run's journal (the logger's): the model's folder is written and journaled
 *   there before its upload, so that recovery finishes a killed `logModel` (docs/journal.md).
 * @throws {ValidationError} before any request for an unknown flavor or option, a missing or
 *   malformed model file, a bad signature or example, a bad name, param or tag.
 * @throws the upload's or the server's error after the model was created (it is then FAILED).
 * @internal
 */
export async function logModel(
  ctx: ModelsContext,
  options: ClientLogModelOptions,
  extraTags: Readonly<Record<string, string>> = {},
  journal?: ModelJournal,
): Promise<ModelInfo> {
  const input = checkLogModelOptions(options);
  const flavor = FLAVORS[input.flavor] as unknown as Flavor<ModelFlavorInput>;
  const prepared = await flavor.prepare(input);
  const signature = input.signature === undefined ? undefined : signatureBlock(input.signature);
  const example = input.inputExample === undefined ? undefined : prepareExample(input.inputExample);
  const name = input.name ?? DEFAULT_MODEL_NAME;
  const tags = validatedTags({ ...extraTags, ...Object.fromEntries(validatedTags(input.tags).map((tag) => [tag.key, tag.value])) });
  const userParams = validatedParams(input.params);
  const step = input.step ?? 0;

  const run = input.runId === undefined ? undefined : await ctx.runs.get(input.runId);
  const experimentId = input.experimentId ?? run?.info.experiment_id;
  if (experimentId === undefined)
    throw new ValidationError(
      "experimentId",
      "model-experiment",
      "A model belongs to an experiment. Fix: pass runId (the run that trained it) or experimentId.",
    );
  const params = mergeParams(userParams, run?.data.params ?? []);
  const folder = {
    prepared,
    example,
    signature,
    metadata: input.metadata,
    pythonVersion: input.pythonVersion,
    pipRequirements: input.pipRequirements,
    extraPipRequirements: input.extraPipRequirements,
  };
  let created: LoggedModel;
  try {
    created = await ctx.loggedModels.create({ experiment_id: experimentId, name, model_type: input.modelType, source_run_id: input.runId, params, tags });
  } catch (error) {
    // An MLflow 2 server has no logged models: the model goes into the run's artifacts, as MLflow 2 logged it.
    if (!(error instanceof UnsupportedFeatureError && error.feature === "logged-models") || run === undefined) throw error;
    const logged = await logModelAsRunArtifacts(ctx, { run, name, folder, userParams, input }, journal);
    return { ...logged, modelId: undefined, name, runId: run.info.run_id, loggedModel: undefined };
  }
  const modelId = created.info.model_id;

  let mlmodel: MLmodel;
  let loggedModel: LoggedModel;
  try {
    if (input.runId !== undefined) {
      await ctx.runs.logOutputs(input.runId, [{ model_id: modelId, step }]);
      await linkRunMetrics(ctx, input.runId, modelId, step, run?.data.metrics.map((metric) => metric.key) ?? []);
    }
    const identity = { artifact_path: created.info.artifact_uri, model_id: modelId, model_uuid: modelId, run_id: input.runId };
    const target = { kind: "logged-model", modelId } as const;
    const finishing = { onProgress: input.onProgress, signal: input.signal };
    ({ mlmodel, uploaded: loggedModel } = await withModelFolder(
      { ...folder, identity },
      (dir) => journaledFinishModel(ctx, journal, target, dir, finishing),
      await journal?.modelFolder(),
    ));
  } catch (error) {
    // As MLflow's `_use_logged_model`: a model whose files did not all arrive is marked failed.
    await ctx.loggedModels.finalize(modelId, "LOGGED_MODEL_UPLOAD_FAILED").catch(() => undefined);
    throw error;
  }

  const registeredModelVersion =
    input.registeredModelName === undefined
      ? undefined
      : await registerModel(ctx, `models:/${modelId}`, input.registeredModelName, {
          ...(input.registration ?? {}),
          tags: input.registration?.tags ?? input.tags,
          signal: input.signal,
        });
  return {
    modelId,
    modelUri: `models:/${modelId}`,
    name: loggedModel.info.name || name,
    runId: input.runId,
    artifactUri: loggedModel.info.artifact_uri,
    mlmodel,
    loggedModel,
    registeredModelVersion,
  };
}

/**
 * Checks `logModel` options (flavor, model, every common option) as the call would, before any
 * request; also used by callers that log a model later (the TF.js callback, at the end of training).
 * @throws {ValidationError} `unknown-flavor` or `model-option`.
 * @internal
 */
export function checkLogModelOptions(options: ClientLogModelOptions): ClientLogModelOptions {
  const flavorName = (options as { flavor?: unknown } | undefined)?.flavor;
  if (typeof flavorName !== "string" || !Object.hasOwn(FLAVORS, flavorName)) {
    throw new ValidationError(
      "flavor",
      "unknown-flavor",
      `Unknown model flavor ${JSON.stringify(flavorName)}. mlflow-ts writes ${Object.keys(FLAVORS)
        .map((name) => `"${name}"`)
        .join(", ")}. ` + 'Fix: use "onnx" for an ONNX model Python serves, "tfjs" for a TensorFlow.js model, or "files" for any folder.',
    );
  }
  const flavor = FLAVORS[flavorName as FlavorName];
  const result = z.strictObject({ ...commonShape, ...flavor.shape }).safeParse(options);
  if (result.success) return options;
  const issue = result.error.issues[0]!;
  const key = issue.code === "unrecognized_keys" ? issue.keys[0]! : issue.path.map(String).join(".");
  const detail = issue.code === "unrecognized_keys" ? `unknown option for the ${flavorName} flavor` : issue.message;
  throw new ValidationError(key, "model-option", `Invalid logModel option "${key}": ${detail}. Fix: see the LogModelOptions of the "${flavorName}" flavor.`);
}

/** The model's params and the run's, the run's winning (as `{**params, **run.data.params}`). */
function mergeParams(own: KeyValue[], fromRun: readonly KeyValue[]): KeyValue[] {
  const merged = new Map(own.map((param) => [param.key, param.value]));
  for (const param of fromRun) merged.set(param.key, param.value);
  return [...merged].map(([key, value]) => ({ key, value }));
}

/**
 * `log_model_metrics_for_step`: the run's metric points at `step` that have no model are logged
 * again with this model's id, which links them to it.
 */
async function linkRunMetrics(ctx: ModelsContext, runId: string, modelId: string, step: number, keys: readonly string[]): Promise<void> {
  const points = [];
  for (const key of new Set(keys)) {
    const history = await ctx.metrics.getHistoryBulkInterval({ run_ids: [runId], metric_key: key, start_step: step, end_step: step });
    for (const point of history) {
      if (point.step === step && !point.model_id)
        points.push({
          key,
          value: point.value,
          timestamp: point.timestamp,
          step,
          model_id: modelId,
          dataset_name: point.dataset_name,
          dataset_digest: point.dataset_digest,
        });
    }
  }
  if (points.length > 0) await ctx.runs.logBatch(runId, { metrics: points });
}
