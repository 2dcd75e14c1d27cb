/**
 * What the TF.js callback does at each point of training, apart from TF.js's class machinery
 * (callback.ts binds it): MLflow's Keras callback and autolog, step for step
 * (`mlflow/tensorflow/callback.py`, `_log_early_stop_callback_metrics` in
 * `mlflow/tensorflow/__init__.py`). Every point goes through the run's batcher (`logMetrics`
 * is synchronous and buffered); the network is awaited only at the end of training (flush, the
 * summary upload, the model). The per-batch path does a counter and a modulo, and allocates nothing.
 */

import { ValidationError } from "../../core/errors.js";
import { pythonStr } from "../../core/python-format.js";
import type { ActiveRun } from "../../logging/run.js";
import type { LogModelCommonOptions, ModelInfo } from "../../models/log-model.js";
import {
  AUTOLOG_MODEL_NAME,
  FIT_PARAM_NAMES,
  MODEL_SUMMARY_FILE,
  RESTORED_EPOCH_METRIC,
  STOPPED_EPOCH_METRIC,
  TFJS_BATCH_LOG_FIELDS,
  TFJS_VALIDATION_PREFIX,
  VALIDATION_METRIC_PREFIX,
} from "./names.js";
import { earlyStoppingParams, fitParams, modelSizeParams, modelSummary, optimizerParams } from "./params.js";
import type { TfjsEarlyStoppingState, TfjsFitParams, TfjsLayersModelLike, TfjsLogs } from "./shapes.js";

/** The callback's options once checked. @internal */
export interface TrainingLoggerSettings {
  logEveryEpoch: boolean;
  logEveryNBatches: number | undefined;
  earlyStopping: TfjsEarlyStoppingState | undefined;
  logModelSummary: boolean;
  logModel: LogModelCommonOptions | undefined;
}

const DONE: Promise<void> = Promise.resolve();

/** One run's logging of TF.js training. @internal */
export class TrainingLogger {
  readonly run: ActiveRun;
  readonly #settings: TrainingLoggerSettings;
  /** Batches trained since the callback was made (Keras's `optimizer.iterations`). */
  #globalStep = 0;
  #batchSizeLogged = false;
  #initialEpochLogged = false;
  #firstEpoch: number | undefined;
  #summaryUpload: Promise<unknown> | undefined;
  /** The epoch logs, kept only to find the restored epoch of early stopping. */
  #history: { epoch: number; values: Record<string, number> }[] = [];
  #modelInfo: ModelInfo | undefined;

  constructor(run: ActiveRun, settings: TrainingLoggerSettings) {
    this.run = run;
    this.#settings = settings;
  }

  /** The model logged at the end of training, when `logModel` asked for it. */
  get modelInfo(): ModelInfo | undefined {
    return this.#modelInfo;
  }

  /** Params (fit, optimizer, sizes, early stopping) and the summary upload, started here and awaited at the end. */
  trainBegin(model: TfjsLayersModelLike, params: TfjsFitParams): void {
    if (this.run.ended) throw endedRun(this.run.runId);
    const early = this.#settings.earlyStopping;
    this.run.logParams({
      ...fitParams(params),
      ...optimizerParams(model.optimizer),
      ...modelSizeParams(model),
      ...(early === undefined ? {} : earlyStoppingParams(early)),
    });
    this.#batchSizeLogged = params.batchSize != null;
    this.#initialEpochLogged = params.initialEpoch != null;
    this.#firstEpoch = undefined;
    this.#history = [];
    if (this.#settings.logModelSummary) {
      const upload = this.run.logText(modelSummary(model), MODEL_SUMMARY_FILE);
      // Awaited (and its error thrown) at the end of training; never an unhandled rejection before.
      upload.catch(() => undefined);
      this.#summaryUpload = upload;
    }
  }

  /** `initial_epoch` when TF.js did not say (`fitDataset`): the first epoch trained. */
  epochBegin(epoch: number): void {
    this.#firstEpoch ??= epoch;
    if (this.#initialEpochLogged) return;
    this.#initialEpochLogged = true;
    this.run.logParam(FIT_PARAM_NAMES.initialEpoch, pythonStr(epoch));
  }

  /** The epoch's metrics at step = epoch, and `validation_<name>` for each `val_<name>`. */
  async epochEnd(epoch: number, logs: TfjsLogs | undefined): Promise<void> {
    const values = await readLogs(logs);
    if (this.#settings.logEveryEpoch && Object.keys(values).length > 0) this.run.logMetrics(values, { step: epoch });
    const validation: Record<string, number> = {};
    let validated = false;
    for (const [key, value] of Object.entries(values)) {
      if (!key.startsWith(TFJS_VALIDATION_PREFIX)) continue;
      validation[VALIDATION_METRIC_PREFIX + key.slice(TFJS_VALIDATION_PREFIX.length)] = value;
      validated = true;
    }
    if (validated) this.run.logMetrics(validation, { step: this.#settings.logEveryEpoch ? epoch : this.#globalStep });
    if (this.#settings.earlyStopping !== undefined) this.#history.push({ epoch, values });
  }

  /** Every N batches, the batch's metrics at step = batches trained so far; otherwise nothing. */
  batchEnd(logs: TfjsLogs | undefined): Promise<void> {
    this.#globalStep++;
    if (!this.#batchSizeLogged) this.#logBatchSize(logs);
    const every = this.#settings.logEveryNBatches;
    if (every === undefined || this.#globalStep % every !== 0) return DONE;
    return this.#logBatch(logs, this.#globalStep);
  }

  /** Early stopping's metrics, then the summary upload, then the model (or a flush). */
  async trainEnd(model: TfjsLayersModelLike): Promise<void> {
    this.#logEarlyStopping(model);
    const upload = this.#summaryUpload;
    this.#summaryUpload = undefined;
    if (upload !== undefined) await upload;
    const logModel = this.#settings.logModel;
    if (logModel === undefined) {
      await this.run.flush();
      return;
    }
    this.#modelInfo = await this.run.logModel({ ...logModel, name: logModel.name ?? AUTOLOG_MODEL_NAME, flavor: "tfjs", model });
  }

  #logBatchSize(logs: TfjsLogs | undefined): void {
    const size = logs?.size;
    if (typeof size !== "number") return;
    this.#batchSizeLogged = true;
    this.run.logParam(FIT_PARAM_NAMES.batchSize, pythonStr(size));
  }

  async #logBatch(logs: TfjsLogs | undefined, step: number): Promise<void> {
    const values = await readLogs(logs, TFJS_BATCH_LOG_FIELDS);
    if (Object.keys(values).length > 0) this.run.logMetrics(values, { step });
  }

  /**
   * `_log_early_stop_callback_metrics`: when early stopping stopped training, `stopped_epoch`; when
   * it restored the best weights, `restored_epoch` (the first epoch whose monitored value is the
   * best) and that epoch's metrics again at step `stopped_epoch + 1`.
   */
  #logEarlyStopping(model: TfjsLayersModelLike): void {
    const early = this.#settings.earlyStopping;
    if (early === undefined || !model.stopTraining) return;
    const stoppedEpoch = early.stoppedEpoch ?? 0;
    this.run.logMetrics({ [STOPPED_EPOCH_METRIC]: stoppedEpoch });
    if (early.restoreBestWeights !== true || early.bestWeights == null || early.best === undefined) return;
    const bestIndex = this.#history.findIndex(({ values }) => values[early.monitor] === early.best);
    if (bestIndex < 0) return;
    const restoredEpoch = (this.#firstEpoch ?? 0) + bestIndex;
    this.run.logMetrics({ [RESTORED_EPOCH_METRIC]: restoredEpoch });
    const restored = this.#history.find(({ epoch }) => epoch === restoredEpoch);
    if (restored !== undefined && Object.keys(restored.values).length > 0) this.run.logMetrics(restored.values, { step: stoppedEpoch + 1 });
  }
}

/** The logs as numbers, reading scalars TF.js has not read yet (without disposing them: TF.js does). */
async function readLogs(logs: TfjsLogs | undefined, skip?: ReadonlySet<string>): Promise<Record<string, number>> {
  const values: Record<string, number> = {};
  if (logs === undefined || logs === null) return values;
  for (const [key, value] of Object.entries(logs)) {
    if (skip?.has(key)) continue;
    values[key] = typeof value === "number" ? value : ((await value.data())[0] ?? Number.NaN);
  }
  return values;
}

/**
 * The error of a callback whose run has ended.
 * @internal
 */
export function endedRun(runId: string): ValidationError {
  return new ValidationError(
    "run",
    "run-ended",
    `Run ${runId} has ended, so mlflowCallback cannot log the training to it. Fix: train while the run is open (inside withRun, or before run.end()), or pass a new run.`,
  );
}
