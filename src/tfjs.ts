/**
 * `mlflow-ts/tfjs`: the TensorFlow.js callback, the Node counterpart of
 * `mlflow.tensorflow.autolog()`. An entry of its own so that the root entry never touches TF.js;
 * TF.js (`@tensorflow/tfjs`, `@tensorflow/tfjs-node` or `@tensorflow/tfjs-layers`) is an optional
 * peer dependency, loaded when the first callback is made.
 *
 * @example
 * import * as tf from "@tensorflow/tfjs";
 * import { withRun } from "mlflow-ts";
 * import { mlflowCallback } from "mlflow-ts/tfjs";
 *
 * await withRun({ experimentName: "tfjs" }, async (run) => {
 *   await model.fit(xs, ys, { epochs: 10, callbacks: [mlflowCallback(run, { logModel: true })] });
 * });
 *
 * @packageDocumentation
 * @module mlflow-ts/tfjs
 */
export { type MlflowCallbackOptions, type MlflowTfjsCallback, mlflowCallback } from "./integrations/tfjs/callback.js";
export type { TfjsCallbackHooks, TfjsEarlyStoppingCallback, TfjsLogs, TfjsScalarLike } from "./integrations/tfjs/shapes.js";
