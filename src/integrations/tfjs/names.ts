/**
 * The names the TF.js callback logs under, as MLflow's Keras autolog names them, so that a run
 * logged from Node reads like one logged by `mlflow.tensorflow.autolog()` (same params, metrics and
 * artifact; the same queries and UI columns). Every table cites where the pinned MLflow (3.17.2,
 * `mlflow/tensorflow/`) writes the name; what TF.js names differently is mapped here, in one place.
 */

/**
 * Params from the arguments of `fit` (`log_fn_args_as_params` over Keras's `fit` signature, and
 * the `batch_size` it infers: `mlflow/tensorflow/__init__.py` lines 1280–1320), keyed by the field of
 * TF.js's callback params (`configureCallbacks` in tfjs-layers `base_callbacks.js`) they come from.
 * @internal
 */
export const FIT_PARAM_NAMES = {
  epochs: "epochs",
  batchSize: "batch_size",
  initialEpoch: "initial_epoch",
  steps: "steps_per_epoch",
} as const;

/** The prefix of the optimizer's config params (`opt_<key>`: `mlflow/tensorflow/callback.py` line 72). @internal */
export const OPTIMIZER_PARAM_PREFIX = "opt_";

/**
 * Keras's default optimizer names (the `name` key of `optimizer.get_config()`, logged as
 * `opt_name`), keyed by TF.js's `getClassName()`. TF.js's `Momentum` is Keras's `SGD` with momentum.
 * @internal
 */
export const KERAS_OPTIMIZER_NAMES: Readonly<Record<string, string>> = {
  SGD: "SGD",
  Momentum: "SGD",
  Adam: "adam",
  Adamax: "adamax",
  RMSProp: "rmsprop",
  Adagrad: "adagrad",
  Adadelta: "adadelta",
};

/**
 * Keras's `get_config()` keys for TF.js's `getConfig()` keys that are not a plain camelCase →
 * snake_case change (`learningRate` → `learning_rate` needs no entry). RMSProp's `decay` is the
 * discount Keras calls `rho`.
 * @internal
 */
export const KERAS_OPTIMIZER_KEYS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "*": { beta1: "beta_1", beta2: "beta_2", useNesterov: "nesterov" },
  RMSProp: { decay: "rho" },
};

/**
 * Params of an `EarlyStopping` callback (`mlflow/tensorflow/__init__.py` lines 1177–1183), keyed
 * by the TF.js field they come from.
 * @internal
 */
export const EARLY_STOPPING_PARAM_NAMES = {
  monitor: "monitor",
  minDelta: "min_delta",
  patience: "patience",
  baseline: "baseline",
  restoreBestWeights: "restore_best_weights",
} as const;

/** Early stopping's metrics (`mlflow/tensorflow/__init__.py` lines 1205 and 1220). @internal */
export const STOPPED_EPOCH_METRIC = "stopped_epoch";
/** @internal */
export const RESTORED_EPOCH_METRIC = "restored_epoch";

/** Prefix of the metrics of a validation pass (`mlflow/tensorflow/callback.py` line 102). @internal */
export const VALIDATION_METRIC_PREFIX = "validation_";
/** Prefix TF.js (and Keras) give validation metrics in the epoch logs. @internal */
export const TFJS_VALIDATION_PREFIX = "val_";

/** The model summary artifact (`mlflow/tensorflow/callback.py` line 81). @internal */
export const MODEL_SUMMARY_FILE = "model_summary.txt";

/** The logged model's name (`log_model(history.model, "model", …)`: `mlflow/tensorflow/__init__.py` line 1266). @internal */
export const AUTOLOG_MODEL_NAME = "model";

/**
 * Counts MLflow's autolog does not log as params (they are only in `model_summary.txt`); mlflow-ts
 * adds them, named after the summary's lines ("Total params", "Trainable params", "Non-trainable params").
 * @internal
 */
export const MODEL_SIZE_PARAM_NAMES = {
  layers: "num_layers",
  total: "total_params",
  trainable: "trainable_params",
  nonTrainable: "non_trainable_params",
} as const;

/** Keys of TF.js's batch logs that are positions, not metrics (`batch`, `size`). @internal */
export const TFJS_BATCH_LOG_FIELDS: ReadonlySet<string> = new Set(["batch", "size"]);
