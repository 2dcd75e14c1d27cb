/**
 * TensorFlow.js training logged as `mlflow.tensorflow.autolog()` logs Keras: a small classifier
 * trained in pure JavaScript (the CPU backend, no native download) on generated points, with
 * `mlflowCallback` in `fit`'s callbacks. The run gets the loss and accuracy of every epoch (step =
 * epoch) for training and validation, the optimizer and fit settings as params (`opt_name`,
 * `opt_learning_rate`, `epochs`, `batch_size`…), early stopping's settings and `stopped_epoch`,
 * `model_summary.txt`, and the trained model (`tfjs` flavor), registered when MODEL_NAME is set.
 *
 * With `@tensorflow/tfjs` (or `@tensorflow/tfjs-node`, faster) the imports are one line:
 * `import * as tf from "@tensorflow/tfjs"` and `tf.sequential`, `tf.layers`, `tf.callbacks`.
 *
 * Run against a server (the embedded store works too, with no variables set):
 *   MLFLOW_TRACKING_URI=http://127.0.0.1:5000 MLFLOW_S3_ENDPOINT_URL=http://127.0.0.1:9000 \
 *   AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… npx tsx examples/tfjs-autolog.ts
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { withRun } from "../src/index.js";
import { mlflowCallback } from "../src/tfjs.js";

const SAMPLES = 400;
const EPOCHS = 30;

/** Points in the plane, labelled 1 inside the unit circle: a boundary a linear model cannot draw. */
function points(): { xs: tf.Tensor2D; ys: tf.Tensor2D } {
  const xs = tf.randomUniform([SAMPLES, 2], -1.5, 1.5, "float32", 42) as tf.Tensor2D;
  const ys = tf.tidy(() => tf.cast(tf.less(tf.sum(tf.square(xs), 1, true), 1), "float32")) as tf.Tensor2D;
  return { xs, ys };
}

function classifier(): tfl.Sequential {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 16, inputShape: [2], activation: "relu", kernelInitializer: tfl.initializers.heNormal({ seed: 1 }) }),
      tfl.layers.dense({ units: 1, activation: "sigmoid", kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.05), loss: "binaryCrossentropy", metrics: ["accuracy"] });
  return model;
}

async function main(): Promise<void> {
  await tf.setBackend("cpu");
  const { xs, ys } = points();
  const model = classifier();
  const registeredModelName = process.env.MODEL_NAME;
  await withRun({ experimentName: process.env.MLFLOW_EXPERIMENT_NAME ?? "mlflow-ts-tfjs", runName: "tfjs-autolog" }, async (run) => {
    const earlyStopping = tfl.callbacks.earlyStopping({ monitor: "val_loss", patience: 3 });
    const callback = mlflowCallback(run, { earlyStopping, logModel: registeredModelName === undefined ? true : { registeredModelName } });
    const history = await model.fit(xs, ys, { epochs: EPOCHS, batchSize: 32, validationSplit: 0.2, verbose: 0, callbacks: [earlyStopping, callback] });

    const epochs = history.epoch.length;
    const accuracy = (history.history.val_acc as number[])[epochs - 1]!;
    console.log(`run ${run.runId}: ${epochs} epochs logged${epochs < EPOCHS ? " (early stopping)" : ""}, val_acc ${accuracy.toFixed(3)}`);
    const info = callback.modelInfo!;
    console.log(`logged ${info.modelUri} (${Object.keys(info.mlmodel.flavors).join(", ")} flavor)`);
    if (info.registeredModelVersion !== undefined) console.log(`registered ${info.registeredModelVersion.name} version ${info.registeredModelVersion.version}`);
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
