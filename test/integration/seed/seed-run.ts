/**
 * The seed deployment's job as a user writes it (run by seed-setup.test.ts in a child process whose
 * environment holds only MLFLOW_TRACKING_URI, MLFLOW_S3_ENDPOINT_URL and the AWS_* credentials): a
 * run with params, a metric history and an artifact that goes straight to the bucket. Prints
 * `{"runId": …, "artifactPath": …}` on its last line.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRun } from "../../../src/index.js";

/** Points of the metric history: more than one log-batch request's worth is not needed here. */
const STEPS = 50;

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "mlflow-ts-seed-"));
  try {
    await using run = await startRun({ experimentName: process.env.MLFLOW_EXPERIMENT_NAME ?? "seed", runName: "seed-run" });
    run.logParams({ lr: 0.01, optimizer: "sgd" });
    for (let step = 0; step < STEPS; step++) run.logMetric("loss", 1 / (step + 1), { step });
    await writeFile(join(dir, "summary.txt"), "seed set-up: direct S3 artifacts\n");
    await run.logArtifact(join(dir, "summary.txt"), { artifactPath: "reports" });
    await run.end();
    console.log(JSON.stringify({ runId: run.runId, artifactPath: "reports/summary.txt" }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
