/**
 * Artifacts: uploads a directory with one progress bar line, a JSON report from memory and a
 * stream of unknown length, lists them, downloads them back, and shows how to abort an upload and
 * what the typed errors look like. Works in both modes: runs whose artifact URI is `s3://…`
 * (direct to the bucket, needs MLFLOW_S3_ENDPOINT_URL and AWS_* for MinIO-like servers) and
 * `mlflow-artifacts:/…` (through the tracking server).
 *
 * Run:
 *   MLFLOW_TRACKING_URI=http://127.0.0.1:5000 MLFLOW_S3_ENDPOINT_URL=http://127.0.0.1:9000 \
 *   AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… npx tsx examples/upload-artifacts.ts
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { AbortError, ArtifactCredentialsError, ArtifactError, MlflowClient } from "../src/index.js";

async function main(): Promise<void> {
  const client = new MlflowClient();
  const experimentName = process.env.MLFLOW_EXPERIMENT_NAME ?? "mlflow-ts-artifacts";
  const experimentId = (await client.experiments.getByName(experimentName))?.experiment_id ?? (await client.experiments.create({ name: experimentName }));
  const run = await client.runs.create({ experiment_id: experimentId, run_name: "upload-artifacts" });
  const runId = run.info.run_id;
  console.log(`Run ${runId}, artifacts at ${run.info.artifact_uri}`);

  const work = await mkdtemp(join(tmpdir(), "mlflow-ts-example-"));
  try {
    // A directory: files go up in parallel (8 at a time by default) with one aggregated progress.
    const model = join(work, "model");
    await mkdir(join(model, "weights"), { recursive: true });
    await writeFile(join(model, "MLmodel"), "artifact_path: model\nflavors: {}\n");
    await writeFile(join(model, "weights", "layer-0.bin"), Buffer.alloc(12 * 1024 * 1024, 1));
    const uploaded = await client.artifacts.upload(runId, model, {
      artifactPath: "model",
      onProgress: ({ loadedBytes, totalBytes }) => process.stdout.write(`\r  model: ${loadedBytes}/${totalBytes} bytes`),
    });
    console.log(`\n  uploaded ${uploaded.paths.length} files (${uploaded.bytes} bytes)`);

    // Data from memory, and a stream whose length is not known in advance.
    await client.artifacts.uploadData(runId, JSON.stringify({ accuracy: 0.93 }, null, 2), "eval/report.json");
    await client.artifacts.uploadData(runId, Readable.from(["epoch 1\n", "epoch 2\n"]), "logs/train.log");

    for (const file of await client.artifacts.list(runId, "model")) console.log(`  ${file.is_dir ? "dir " : "file"} ${file.path} ${file.file_size ?? ""}`);
    const local = await client.artifacts.download(runId, "model", join(work, "downloaded"));
    console.log(`  downloaded to ${local}`);

    // Aborting: the promise rejects with AbortError, and a multipart upload is aborted on the server.
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 10);
    await client.artifacts.uploadData(runId, Buffer.alloc(64 * 1024 * 1024), "aborted.bin", { signal: controller.signal }).catch((error: unknown) => {
      if (error instanceof AbortError) console.log("  upload aborted, nothing left behind");
      else throw error;
    });
  } catch (error) {
    if (error instanceof ArtifactCredentialsError) console.error(`Check the S3 credentials: ${error.message}`);
    else if (error instanceof ArtifactError) console.error(`${error.operation} failed at ${error.location}: ${error.message}`);
    throw error;
  } finally {
    await rm(work, { recursive: true, force: true });
    await client.runs.update(runId, { status: "FINISHED", end_time: Date.now() });
    await client.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
