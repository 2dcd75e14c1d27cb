/**
 * Model registry from TypeScript: a training run produces a model directory, which becomes an
 * MLflow 3 logged model (its files uploaded where the model's artifact URI points), is registered
 * as a new version of a registered model, gets the alias `champion`, and is found again by alias —
 * the steps a deployment job or a CI check reads. Python's `mlflow.artifacts.download_artifacts(
 * "models:/<name>@champion")` downloads the same files.
 *
 * Run against a server (the embedded store works too, with no variables set):
 *   MLFLOW_TRACKING_URI=http://127.0.0.1:5000 MLFLOW_S3_ENDPOINT_URL=http://127.0.0.1:9000 \
 *   AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… npx tsx examples/model-registry.ts
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AlreadyExistsError, MlflowClient, withRun } from "../src/index.js";

const MODEL_NAME = process.env.MODEL_NAME ?? "mlflow-ts-example-classifier";

async function main(): Promise<void> {
  const client = new MlflowClient();
  const work = await mkdtemp(join(tmpdir(), "mlflow-ts-registry-"));
  try {
    // 1. A training run that writes its model to a local directory.
    const { runId, experimentId } = await withRun({ client, experimentName: process.env.MLFLOW_EXPERIMENT_NAME ?? "mlflow-ts-registry", runName: "train" }, async (run) => {
      run.logParams({ layers: 2, lr: 0.01 });
      run.logMetric("val/accuracy", 0.93);
      await mkdir(join(work, "model"), { recursive: true });
      await writeFile(join(work, "model", "weights.json"), JSON.stringify({ w: [0.1, -0.4], b: 0.02 }));
      await writeFile(join(work, "model", "MLmodel"), "flavors: {}\nmetadata:\n  framework: example\n");
      return { runId: run.runId, experimentId: run.experimentId };
    });

    // 2. The model directory as an MLflow 3 logged model of that run.
    const model = await client.loggedModels.create({ experiment_id: experimentId, name: "classifier", source_run_id: runId, params: { layers: 2 } });
    const modelId = model.info.model_id;
    const uploaded = await client.loggedModels.uploadArtifacts(modelId, join(work, "model"));
    await client.loggedModels.finalize(modelId, "LOGGED_MODEL_READY");
    console.log(`logged model ${modelId}: ${uploaded.paths.length} files, ${uploaded.bytes} bytes`);

    // 3. Registered as a new version, which becomes the champion.
    try {
      await client.registeredModels.create({ name: MODEL_NAME, description: "Example classifier logged from TypeScript" });
    } catch (error) {
      if (!(error instanceof AlreadyExistsError)) throw error; // registered by an earlier run of this example
    }
    const version = await client.modelVersions.create({ name: MODEL_NAME, source: `models:/${modelId}`, run_id: runId, model_id: modelId });
    await client.registeredModels.setAlias(MODEL_NAME, "champion", version.version);
    console.log(`registered ${MODEL_NAME} version ${version.version} as @champion`);

    // 4. What a deployment job does: find the champion and download its files.
    const champion = await client.registeredModels.getByAlias(MODEL_NAME, "champion");
    const uri = await client.modelVersions.getDownloadUri(MODEL_NAME, champion.version);
    const local = await client.loggedModels.downloadArtifacts(modelId, "", join(work, "deploy"));
    console.log(`@champion is version ${champion.version} (run ${champion.run_id}); files at ${uri}, downloaded to ${local}`);
  } finally {
    await rm(work, { recursive: true, force: true });
    await client.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
