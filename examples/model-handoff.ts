/**
 * The model hand-off from a Node training job to Python: a logistic regression is trained in Node,
 * written as ONNX, logged with run.logModel (MLmodel, signature, input example, requirements), and
 * registered as `<name>@champion`. The Python side then needs one line to load and run it —
 *
 *   python -c "import mlflow, numpy as np; print(mlflow.pyfunc.load_model('models:/<name>@champion').predict(np.array([[0.5, -1.0, 2.0]])))"
 *
 * — or one command to serve it: `mlflow models serve -m models:/<name>@champion --env-manager local`.
 *
 * Run against a server (the embedded store works too, with no variables set):
 *   MLFLOW_TRACKING_URI=http://127.0.0.1:5000 MLFLOW_S3_ENDPOINT_URL=http://127.0.0.1:9000 \
 *   AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… npx tsx examples/model-handoff.ts
 */
import { registerModel, withRun } from "../src/index.js";
import { fit, generateData, predict, toOnnx } from "./support/logistic-regression.js";

const MODEL_NAME = process.env.MODEL_NAME ?? "mlflow-ts-example-churn";
const FEATURES = 3;

async function main(): Promise<void> {
  const { x, y } = generateData(500, FEATURES);
  const sample = x.slice(0, 4);

  const info = await withRun({ experimentName: process.env.MLFLOW_EXPERIMENT_NAME ?? "mlflow-ts-model-handoff", runName: "train-churn" }, async (run) => {
    const hyper = { epochs: 300, learningRate: 0.5 };
    run.logParams(hyper);
    // 1. Train in Node; the loss goes to the run as it falls.
    const model = fit(x, y, { ...hyper, onEpoch: (epoch, loss) => run.logMetric("train/loss", loss, { step: epoch }) });
    const accuracy = predict(model, x).filter((p, i) => (p > 0.5 ? 1 : 0) === y[i]).length / x.length;
    run.logMetric("train/accuracy", accuracy, { step: hyper.epochs - 1 });

    // 2. Log it as an ONNX model that Python's pyfunc loads: the model file, MLmodel, signature, example, requirements.
    return run
      .logModel({
        flavor: "onnx",
        model: toOnnx(model),
        name: "churn",
        step: hyper.epochs - 1,
        signature: { inputs: [{ type: "tensor", dtype: "float64", shape: [-1, FEATURES] }], outputs: [{ type: "tensor", dtype: "float64", shape: [-1, 1] }] },
        inputExample: { type: "ndarray", data: sample },
      })
      .then((logged) => ({ ...logged, predictions: predict(model, sample), accuracy }));
  });
  console.log(`logged ${info.modelUri} (accuracy ${info.accuracy.toFixed(3)})`);

  // 3. Register it and make it the champion: what a deployment job and Python read.
  const version = await registerModel(info.modelUri, MODEL_NAME, { alias: "champion" });
  console.log(`registered ${MODEL_NAME} version ${version.version} as @champion (${version.status})`);

  // 4. The Python side, and what it should print for these inputs.
  console.log(
    `python -c "import mlflow, numpy as np; print(mlflow.pyfunc.load_model('models:/${MODEL_NAME}@champion').predict(np.array(${JSON.stringify(sample)})))"`,
  );
  console.log(`mlflow models serve -m models:/${MODEL_NAME}@champion --env-manager local`);
  console.log(JSON.stringify({ modelUri: `models:/${MODEL_NAME}@champion`, inputs: sample, predictions: info.predictions }));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
