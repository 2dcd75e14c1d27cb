/**
 * What the TF.js callback logs as params and as the summary artifact, read from the model, its
 * optimizer, TF.js's callback params and an early-stopping callback — pure functions of those
 * objects (no logging here), under the names of names.ts and with Python's `str()` of each value,
 * so that a param reads as `mlflow.tensorflow.autolog()` would have written it (`1e-07`, `None`, `True`).
 */
import { pythonStr } from "../../core/python-format.js";
import {
  EARLY_STOPPING_PARAM_NAMES,
  FIT_PARAM_NAMES,
  KERAS_OPTIMIZER_KEYS,
  KERAS_OPTIMIZER_NAMES,
  MODEL_SIZE_PARAM_NAMES,
  OPTIMIZER_PARAM_PREFIX,
} from "./names.js";
import type { TfjsEarlyStoppingState, TfjsFitParams, TfjsLayersModelLike, TfjsOptimizerLike, TfjsWeightLike } from "./shapes.js";

/** Params as MLflow stores them: name → Python's `str()` of the value. */
export type ParamMap = Record<string, string>;

/**
 * `epochs`, `batch_size`, `initial_epoch`, `steps_per_epoch` from TF.js's callback params. A field
 * TF.js leaves null is left out when it becomes known later (`batchSize` in `fitDataset`: from the
 * first batch; `initialEpoch`: from the first epoch), and written `None` otherwise (`steps`), as
 * Keras's `fit` defaults are.
 * @internal
 */
export function fitParams(params: TfjsFitParams): ParamMap {
  const out: ParamMap = {};
  if (params.epochs != null) out[FIT_PARAM_NAMES.epochs] = pythonStr(params.epochs);
  if (params.batchSize != null) out[FIT_PARAM_NAMES.batchSize] = pythonStr(params.batchSize);
  if (params.initialEpoch != null) out[FIT_PARAM_NAMES.initialEpoch] = pythonStr(params.initialEpoch);
  out[FIT_PARAM_NAMES.steps] = pythonStr(params.steps ?? null);
  return out;
}

/**
 * `opt_name` and `opt_<key>` for every key of the optimizer's config, named as Keras names them
 * (`opt_learning_rate`, `opt_beta_1`…). Nothing for a model compiled without an optimizer.
 * @internal
 */
export function optimizerParams(optimizer: TfjsOptimizerLike | undefined): ParamMap {
  if (optimizer === undefined || optimizer === null) return {};
  const className = optimizer.getClassName();
  const out: ParamMap = { [`${OPTIMIZER_PARAM_PREFIX}name`]: KERAS_OPTIMIZER_NAMES[className] ?? className };
  const renames = { ...KERAS_OPTIMIZER_KEYS["*"], ...KERAS_OPTIMIZER_KEYS[className] };
  for (const [key, value] of Object.entries(optimizer.getConfig())) {
    const name = renames[key] ?? key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
    out[`${OPTIMIZER_PARAM_PREFIX}${name}`] = formatValue(value);
  }
  return out;
}

/**
 * `num_layers`, `total_params`, `trainable_params`, `non_trainable_params` (mlflow-ts's additions:
 * the counts the summary prints). Input layers are not counted, as a Sequential's `layers` has none.
 * @internal
 */
export function modelSizeParams(model: TfjsLayersModelLike): ParamMap {
  const trainable = countParams(model.trainableWeights);
  const nonTrainable = countParams(model.nonTrainableWeights);
  return {
    [MODEL_SIZE_PARAM_NAMES.layers]: String(model.layers.filter((layer) => layer.getClassName() !== INPUT_LAYER_CLASS).length),
    [MODEL_SIZE_PARAM_NAMES.total]: String(trainable + nonTrainable),
    [MODEL_SIZE_PARAM_NAMES.trainable]: String(trainable),
    [MODEL_SIZE_PARAM_NAMES.nonTrainable]: String(nonTrainable),
  };
}

/**
 * `monitor`, `min_delta`, `patience`, `baseline`, `restore_best_weights` of an early-stopping
 * callback. `min_delta` is the callback's field as it holds it: negative when it watches for a
 * decrease, as Keras's is (and MLflow logs).
 * @internal
 */
export function earlyStoppingParams(callback: TfjsEarlyStoppingState): ParamMap {
  return {
    [EARLY_STOPPING_PARAM_NAMES.monitor]: callback.monitor,
    [EARLY_STOPPING_PARAM_NAMES.minDelta]: pythonStr(callback.minDelta === 0 ? 0 : callback.minDelta),
    [EARLY_STOPPING_PARAM_NAMES.patience]: pythonStr(callback.patience),
    [EARLY_STOPPING_PARAM_NAMES.baseline]: pythonStr(callback.baseline ?? null),
    [EARLY_STOPPING_PARAM_NAMES.restoreBestWeights]: pythonStr(callback.restoreBestWeights === true),
  };
}

/**
 * The model's summary as `model.summary()` prints it, one line each, as MLflow's callback collects
 * it through `print_fn` (`"\n".join(lines)`).
 * @internal
 */
export function modelSummary(model: TfjsLayersModelLike): string {
  const lines: string[] = [];
  model.summary(undefined, undefined, (message?: unknown) => {
    lines.push(String(message ?? ""));
  });
  return lines.join("\n");
}

/** tfjs-layers' class name of an input layer. */
const INPUT_LAYER_CLASS = "InputLayer";

function countParams(weights: readonly TfjsWeightLike[]): number {
  let total = 0;
  for (const weight of weights) total += weight.shape.reduce<number>((size, dim) => size * (dim ?? 1), 1);
  return total;
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined || typeof value === "number" || typeof value === "boolean" || typeof value === "string") return pythonStr(value);
  return JSON.stringify(value) ?? String(value);
}
