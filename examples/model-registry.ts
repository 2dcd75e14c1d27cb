/**
 * Model registry from TypeScript: a training run's output folder becomes an MLflow 3 logged model
 * (run.logModel with the generic "files" flavor: its files, and an MLmodel that names them), is
 * registered as a new version with the alias `champion` (registerModel waits until it is READY), and
 * is found again by alias — the steps a deployment job or a CI check reads. Python's
 * `mlflow.artifacts.download_artifacts("models:/<name>@champion")` downloads the same files; for a
 * model Python loads and serves, see examples/model-handoff.ts (ONNX).
 *
 * Run against a server (the embedded store works too, with no variables set):
 *   MLFLOW_TRACKING_URI=http://127.0.0.1:5000 MLFLOW_S3_ENDPOINT_URL=http://127.0.0.1:9000 \
 *   AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… npx tsx examples/model-registry.ts
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { downloadArtifacts, MlflowClient, registerModel, withRun } from "../src/index.js";

const MODEL_NAME = process.env.MODEL_NAME ?? "mlflow-ts-example-classifier";

async function main(): Promise<void> {
  const client = new MlflowClient();
  const work = await mkdtemp(join(tmpdir(), "mlflow-ts-registry-"));
  try {
    // 1. A training run that writes its model to a folder and logs it as a model of the run.
    const info = await withRun({ client, experimentName: process.env.MLFLOW_EXPERIMENT_NAME ?? "mlflow-ts-registry", runName: "train" }, async (run) => {
      run.logParams({ layers: 2, lr: 0.01 });
      run.logMetric("val/accuracy", 0.93);
      await mkdir(join(work, "model"), { recursive: true });
      await writeFile(join(work, "model", "weights.json"), JSON.stringify({ w: [0.1, -0.4], b: 0.02 }));
      await writeFile(join(work, "model", "labels.txt"), "cat\ndog\n");
      return run.logModel({ flavor: "files", model: join(work, "model"), name: "classifier", modelType: "classifier" });
    });
    console.log(
      `logged model ${info.modelId}: ${Object.keys(info.mlmodel.flavors).join(", ")} flavor, READY=${info.loggedModel?.info.status === "LOGGED_MODEL_READY"}`,
    );

    // 2. Registered as a new version, which becomes the champion.
    const version = await registerModel(info.modelUri, MODEL_NAME, { client, alias: "champion" });
    console.log(`registered ${MODEL_NAME} version ${version.version} as @champion`);

    // 3. What a deployment job does: resolve the champion and download its files by URI.
    const champion = await client.uris.resolveModel(`models:/${MODEL_NAME}@champion`);
    const local = await downloadArtifacts(`models:/${MODEL_NAME}@champion`, join(work, "deploy"), { client });
    console.log(
      `@champion is version ${champion.version} (run ${champion.modelVersion?.run_id}); files at ${champion.artifactUri}: ${(await readdir(join(local, "files"))).sort().join(", ")}`,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
    await client.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
