/**
 * `mlflowCallback(run, options)`: the Node counterpart of `mlflow.tensorflow.autolog()` for
 * TensorFlow.js — a callback for `model.fit` / `model.fitDataset` that logs the training to a run
 * under MLflow's Keras names. This file checks the arguments and binds the logic (training-logger.ts)
 * to TF.js's `Callback` class, loaded at run time (load-layers.ts) so that mlflow-ts imports no
 * TF.js package itself.
 */
import { z } from "zod";
import { ValidationError } from "../../core/errors.js";
import { ActiveRun } from "../../logging/run.js";
import type { TfjsSavable } from "../../models/flavors/tfjs.js";
import { checkLogModelOptions, type LogModelCommonOptions, type ModelInfo } from "../../models/log-model.js";
import { type TfjsCallbackBase, type TfjsCallbackClass, tfjsCallbackClass } from "./load-layers.js";
import type { TfjsCallbackHooks, TfjsEarlyStoppingCallback, TfjsEarlyStoppingState, TfjsLayersModelLike, TfjsLogs } from "./shapes.js";
import { endedRun, TrainingLogger, type TrainingLoggerSettings } from "./training-logger.js";

/**
 * Options of {@link mlflowCallback}.
 * @example
 * const early = tf.callbacks.earlyStopping({ monitor: "val_loss", patience: 3 });
 * const options: MlflowCallbackOptions = { earlyStopping: early, logModel: { registeredModelName: "churn" } };
 */
export interface MlflowCallbackOptions {
  /**
   * Log the metrics at the end of each epoch, at step = epoch (0-based, as Keras's).
   * @defaultValue true, unless `logEveryNBatches` is set
   */
  logEveryEpoch?: boolean | undefined;
  /**
   * Log the metrics every N batches instead, at step = batches trained so far (Keras's
   * `optimizer.iterations`). A whole number ≥ 1. As in MLflow's callback, it replaces per-epoch
   * logging (the same keys at two step scales would mix in one history).
   * @defaultValue undefined (per epoch)
   */
  logEveryNBatches?: number | undefined;
  /**
   * The early-stopping callback given to the same `fit` (TF.js gives callbacks no view of each
   * other): its settings are logged as params, and `stopped_epoch` (and `restored_epoch`, for one
   * that restores the best weights) as metrics.
   */
  earlyStopping?: TfjsEarlyStoppingCallback | undefined;
  /** Upload `model.summary()` as `model_summary.txt`. @defaultValue true */
  logModelSummary?: boolean | undefined;
  /**
   * At the end of training, log the model (the `tfjs` flavor, named `model`, as autolog names it):
   * `true`, or the options of `run.logModel` (`registeredModelName`, `name`, `inputExample`…).
   * @defaultValue false
   */
  logModel?: boolean | LogModelCommonOptions | undefined;
}

/**
 * The callback {@link mlflowCallback} returns: pass it in `callbacks` of `model.fit` or
 * `model.fitDataset`. It is a TF.js `Callback` whose hooks log the training (`onTrainBegin`: params
 * and the summary upload; `onEpochEnd`: the epoch's metrics; `onBatchEnd`: every N batches;
 * `onTrainEnd`: early stopping's metrics, then the summary, the model or a flush, awaited).
 */
export interface MlflowTfjsCallback extends TfjsCallbackHooks {
  /** The run the training is logged to. */
  readonly run: ActiveRun;
  /** The model logged at the end of training (with `logModel`), else undefined. */
  readonly modelInfo: ModelInfo | undefined;
}

const optionsSchema = z.strictObject({
  logEveryEpoch: z.boolean().optional(),
  logEveryNBatches: z.number().int().min(1).optional(),
  earlyStopping: z
    .custom<TfjsEarlyStoppingState>((value) => {
      const candidate = value as Partial<TfjsEarlyStoppingState> | null;
      return typeof candidate?.monitor === "string" && typeof candidate.patience === "number" && typeof candidate.minDelta === "number";
    })
    .optional(),
  logModelSummary: z.boolean().optional(),
  logModel: z.union([z.boolean(), z.record(z.string(), z.unknown())]).optional(),
});

/** How each option should look, for the error's fix. */
const OPTION_FIXES: Record<string, string> = {
  logEveryEpoch: "pass true or false",
  logEveryNBatches: "pass a whole number of batches of at least 1 (e.g. 10), or leave it out to log per epoch",
  earlyStopping: "pass the callback tf.callbacks.earlyStopping(…) returned, the one given to the same fit",
  logModelSummary: "pass true or false",
  logModel: "pass true, or the options of run.logModel without flavor and model (e.g. { registeredModelName: 'churn' })",
};

/**
 * A TensorFlow.js callback that logs `model.fit` / `model.fitDataset` to an MLflow run, as
 * `mlflow.tensorflow.autolog()` logs Keras: per-epoch metrics at step = epoch (or every N batches),
 * params (`epochs`, `batch_size`, `initial_epoch`, `steps_per_epoch`, `opt_name`,
 * `opt_learning_rate` and the optimizer's other settings, the layer and parameter counts, early
 * stopping's settings), `model_summary.txt`, early stopping's `stopped_epoch`, and at the end,
 * when asked, the model (`tfjs` flavor), optionally registered. Works with pure-JavaScript
 * `@tensorflow/tfjs` (CPU backend) as with `@tensorflow/tfjs-node`. Metrics go through the run's
 * batcher; the network is awaited only when training ends (the flush, the summary and the model).
 *
 * @param run - an open run (`startRun`, `withRun`).
 * @param options - see {@link MlflowCallbackOptions}.
 * @throws {ValidationError} `callback-run` when `run` is not a run, `run-ended` when it has ended,
 *   `callback-option` for an unknown or bad option (e.g. `logEveryNBatches: 0`), `tfjs-not-found`
 *   when no TF.js package can be loaded.
 * @example
 * import * as tf from "@tensorflow/tfjs";
 * import { withRun } from "mlflow-ts";
 * import { mlflowCallback } from "mlflow-ts/tfjs";
 *
 * await withRun({ experimentName: "tfjs" }, async (run) => {
 *   await model.fit(xs, ys, { epochs: 10, validationSplit: 0.2, callbacks: [mlflowCallback(run, { logModel: true })] });
 * });
 */
export function mlflowCallback(run: ActiveRun, options: MlflowCallbackOptions = {}): MlflowTfjsCallback {
  if (!(run instanceof ActiveRun)) {
    throw new ValidationError(
      "run",
      "callback-run",
      `mlflowCallback needs the run to log to as its first argument, got ${describe(run)}. Fix: mlflowCallback(run) with the run of startRun() or withRun().`,
    );
  }
  if (run.ended) throw endedRun(run.runId);
  const settings = checkOptions(options);
  const Callback = bindCallbackClass(tfjsCallbackClass());
  return new Callback(new TrainingLogger(run, settings));
}

function checkOptions(options: MlflowCallbackOptions): TrainingLoggerSettings {
  const parsed = optionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === "unrecognized_keys") {
      const key = issue.keys[0]!;
      throw optionError(key, `is not an option (valid options: ${Object.keys(optionsSchema.shape).join(", ")})`, "remove it, or fix its spelling");
    }
    const key = issue.path.map(String).join(".");
    const value = (options as Record<string, unknown>)[key];
    throw optionError(key, `is ${describe(value)}`, OPTION_FIXES[key] ?? "see MlflowCallbackOptions");
  }
  const { logEveryEpoch, logEveryNBatches, earlyStopping, logModelSummary, logModel } = parsed.data;
  if (logEveryEpoch === true && logEveryNBatches !== undefined) {
    throw optionError(
      "logEveryNBatches",
      `is ${logEveryNBatches} while logEveryEpoch is true; as in MLflow's callback, metrics are logged per epoch or every N batches, not both (the same keys at two step scales would mix in one history)`,
      "drop logEveryEpoch to log every N batches, or drop logEveryNBatches to log per epoch",
    );
  }
  if (logEveryEpoch === false && logEveryNBatches === undefined) {
    throw optionError(
      "logEveryNBatches",
      "is not set while logEveryEpoch is false, so no metric would be logged",
      "set logEveryNBatches (e.g. 10), or leave logEveryEpoch out",
    );
  }
  const modelOptions = logModel === true ? {} : logModel === false || logModel === undefined ? undefined : (logModel as LogModelCommonOptions);
  // Checked now, as run.logModel will check them: a typo must not wait for the end of training.
  if (modelOptions !== undefined) checkLogModelOptions({ ...modelOptions, flavor: "tfjs", model: NOT_YET_TRAINED });
  return {
    logEveryEpoch: logEveryEpoch ?? logEveryNBatches === undefined,
    logEveryNBatches,
    earlyStopping,
    logModelSummary: logModelSummary ?? true,
    logModel: modelOptions,
  };
}

/** Stands for the model in the early check of the logModel options (the model comes at the end of training). */
const NOT_YET_TRAINED: TfjsSavable = { save: async () => undefined };

function optionError(key: string, problem: string, fix: string): ValidationError {
  return new ValidationError(key, "callback-option", `The mlflowCallback option "${key}" ${problem}. Fix: ${fix}.`);
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "function") return "a function";
  return `a${Array.isArray(value) ? "n array" : ` ${value.constructor?.name ?? "object"}`}`;
}

type BoundCallbackClass = new (logger: TrainingLogger) => MlflowTfjsCallback;
const boundClasses = new WeakMap<TfjsCallbackClass, BoundCallbackClass>();

/** The subclass of TF.js's `Callback` whose hooks call the logger (one per TF.js copy). */
function bindCallbackClass(Base: TfjsCallbackClass): BoundCallbackClass {
  const known = boundClasses.get(Base);
  if (known !== undefined) return known;
  class MlflowCallback extends Base implements MlflowTfjsCallback {
    readonly #logger: TrainingLogger;
    constructor(logger: TrainingLogger) {
      super();
      this.#logger = logger;
    }
    get run(): ActiveRun {
      return this.#logger.run;
    }
    get modelInfo(): ModelInfo | undefined {
      return this.#logger.modelInfo;
    }
    override async onTrainBegin(): Promise<void> {
      loggerOf(this).trainBegin(modelOf(this), this.params ?? {});
    }
    override onTrainEnd(): Promise<void> {
      return loggerOf(this).trainEnd(modelOf(this));
    }
    override async onEpochBegin(epoch: number): Promise<void> {
      loggerOf(this).epochBegin(epoch);
    }
    override onEpochEnd(epoch: number, logs?: TfjsLogs): Promise<void> {
      return loggerOf(this).epochEnd(epoch, logs);
    }
    override onBatchEnd(_batch: number, logs?: TfjsLogs): Promise<void> {
      return loggerOf(this).batchEnd(logs);
    }
    /** The logger, or why TF.js called the hook on something else (a second copy of TF.js wrapped this callback). */
    static logger(self: unknown): TrainingLogger {
      if (self instanceof MlflowCallback) return self.#logger;
      throw new ValidationError(
        "callbacks",
        "tfjs-copies",
        "model.fit treated the mlflowCallback as plain hooks: the model comes from another copy of @tensorflow/tfjs-layers than the one mlflow-ts found. " +
          "Fix: install one copy (npm ls @tensorflow/tfjs-layers; npm dedupe), or run from the project folder that has your TF.js.",
      );
    }
  }
  const loggerOf = (self: unknown): TrainingLogger => MlflowCallback.logger(self);
  boundClasses.set(Base, MlflowCallback);
  return MlflowCallback;
}

function modelOf(callback: TfjsCallbackBase): TfjsLayersModelLike {
  if (callback.model === undefined) {
    throw new ValidationError(
      "callbacks",
      "tfjs-copies",
      "TF.js called the mlflowCallback without setting its model. Fix: pass it in callbacks of model.fit or model.fitDataset.",
    );
  }
  return callback.model;
}
