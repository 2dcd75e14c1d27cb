/**
 * The parts of TensorFlow.js the callback reads, as structural types: mlflow-ts's declarations never
 * name a `@tensorflow/*` package, so the `mlflow-ts/tfjs` types compile whether a project has
 * `@tensorflow/tfjs`, `@tensorflow/tfjs-node` or only `@tensorflow/tfjs-layers` (or none of them,
 * for a project that never imports this entry). Each type lists only the members used.
 */
import type { TfjsSavable } from "../../models/flavors/tfjs.js";

/** A scalar tensor as TF.js puts it in the training logs (`tf.Scalar`). */
export interface TfjsScalarLike {
  /** Reads the value (the callback reads it without disposing the tensor: TF.js does). */
  data(): Promise<ArrayLike<number>>;
}

/** TF.js's training logs: numbers, or scalars not yet read (`UnresolvedLogs`). */
export type TfjsLogs = Readonly<Record<string, number | TfjsScalarLike>>;

/** The hooks TF.js calls on a callback during `fit` / `fitDataset` (tfjs-layers' `BaseCallback`). */
export interface TfjsCallbackHooks {
  /** Before the first epoch. */
  onTrainBegin(logs?: TfjsLogs): Promise<void>;
  /** After the last epoch (or when training stopped). */
  onTrainEnd(logs?: TfjsLogs): Promise<void>;
  /** Before each epoch (`epoch` counts from 0, or from `initialEpoch`). */
  onEpochBegin(epoch: number, logs?: TfjsLogs): Promise<void>;
  /** After each epoch, with its metrics (`loss`, `val_loss`…). */
  onEpochEnd(epoch: number, logs?: TfjsLogs): Promise<void>;
  /** Before each batch. */
  onBatchBegin(batch: number, logs?: TfjsLogs): Promise<void>;
  /** After each batch, with its metrics and `batch`, `size`. */
  onBatchEnd(batch: number, logs?: TfjsLogs): Promise<void>;
}

/** A weight of a layer (`tf.LayerVariable`): its shape gives its parameter count. */
export interface TfjsWeightLike {
  readonly shape: readonly (number | null)[];
}

/** An optimizer (`tf.Optimizer`): `getClassName()` (e.g. `"Adam"`) and `getConfig()` (e.g. `{ learningRate: 0.001 }`). */
export interface TfjsOptimizerLike {
  getClassName(): string;
  getConfig(): Record<string, unknown>;
}

/** A layer (`tf.layers.Layer`): its class name tells input layers from the others. */
export interface TfjsLayerLike {
  getClassName(): string;
}

/**
 * A layers model (`tf.LayersModel`), the members the callback reads. TF.js hands callbacks the
 * model `fit` trains: for a `tf.Sequential`, the functional model inside it, whose layers start with
 * its `InputLayer`.
 */
export interface TfjsLayersModelLike extends TfjsSavable {
  readonly layers: readonly TfjsLayerLike[];
  readonly trainableWeights: readonly TfjsWeightLike[];
  readonly nonTrainableWeights: readonly TfjsWeightLike[];
  readonly optimizer?: TfjsOptimizerLike | undefined;
  readonly stopTraining: boolean;
  summary(lineLength?: number, positions?: number[], printFn?: (message?: unknown, ...rest: unknown[]) => void): void;
}

/**
 * An early-stopping callback as a caller passes it: `tf.callbacks.earlyStopping(…)`. TF.js declares
 * its settings protected, so the type asks only for its hooks; the callback reads its `monitor`,
 * `minDelta`, `patience`, `baseline` and `stoppedEpoch` at run time (and refuses an object without them).
 */
export interface TfjsEarlyStoppingCallback {
  /** Resets its state (TF.js calls it). */
  onTrainBegin(logs?: TfjsLogs): Promise<void>;
  /** Compares the monitored value with the best so far and stops the training (TF.js calls it). */
  onEpochEnd(epoch: number, logs?: TfjsLogs): Promise<void>;
}

/**
 * The fields of tfjs-layers' `EarlyStopping` the callback reads: its settings, and what it records
 * while training (`stoppedEpoch`; `best` and `bestWeights` when it restores the best weights —
 * TF.js's own does not yet, a subclass may).
 */
export interface TfjsEarlyStoppingState {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly baseline?: number | undefined;
  readonly restoreBestWeights?: boolean | undefined;
  readonly stoppedEpoch?: number | undefined;
  readonly best?: number | undefined;
  readonly bestWeights?: unknown;
}

/**
 * What TF.js hands every callback before training (`callback.params`, from `configureCallbacks`):
 * `batchSize` is null in `fitDataset` (the dataset batches), `steps` is the steps per epoch when known.
 */
export interface TfjsFitParams {
  readonly epochs?: number | null | undefined;
  readonly initialEpoch?: number | null | undefined;
  readonly batchSize?: number | null | undefined;
  readonly steps?: number | null | undefined;
  readonly samples?: number | null | undefined;
}
