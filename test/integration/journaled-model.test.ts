/**
 * A `logModel` killed in the middle of its upload, finished by recovery, on the real stack (issue
 * #14 item 1, docs/journal.md "Models"): a job (`fixtures/model-writer.ts`) logs a model folder
 * with the real logger while its S3 endpoint answers reads and holds every write, and is SIGKILLed
 * once the model's entry (its folder in the journal, its files by SHA-256) is on disk. Recovery,
 * with the real S3 endpoint, finishes the model with `logModel`'s own finishing step, and the
 * Python client reads it back: on MLflow 3 the logged model READY (`get_logged_model`) with its
 * files byte-identical (`download_artifacts("models:/<id>")`); on an MLflow 2 server
 * (`MLFLOW_TS_STACK_VERSION=2.22.5`: the model goes into the run's artifacts) the run's
 * `mlflow.log-model.history` listing it once and its files byte-identical under `runs:/<run>/clf`.
 * A file changed after the kill fails the model instead (UPLOAD_FAILED on MLflow 3), the reason
 * in the report. Either way the run ends KILLED.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { ModelEntry } from "../../src/journal/entries.js";
import { startFixture } from "../unit/journal/child.js";
import { readFolder } from "../unit/journal/helpers.js";
import { hangingS3 } from "./support/hanging-s3.js";
import { expectRecoveredKilled, useKillSuite } from "./support/kill-trials.js";
import { runPython } from "./support/python.js";
import { serverUri, stackClientEnv, stackEnv, stackServerVersion } from "./support/stack.js";

const WRITER = fileURLToPath(new URL("./fixtures/model-writer.ts", import.meta.url));

const suite = useKillSuite("journaled-model");

interface ModelReadBack {
  files: Record<string, string>;
  status: string | null;
  history: string[] | null;
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Runs the child until it is killed mid-upload with its model journaled; returns what it left. */
async function killDuringLogModel(prefix: string) {
  const dir = await suite.tempDir(prefix);
  const journals = join(dir, "journals");
  const modelDir = join(dir, "model-src");
  await mkdir(modelDir);
  const weights = randomBytes(200_000);
  const config = Buffer.from(JSON.stringify({ layers: [64, 32], activation: "relu" }));
  await writeFile(join(modelDir, "weights.bin"), weights);
  await writeFile(join(modelDir, "config.json"), config);
  const s3 = await hangingS3({ forwardReadsTo: stackEnv("MLFLOW_S3_ENDPOINT_URL") });
  try {
    const env = { ...stackClientEnv(serverUri("direct")), MLFLOW_S3_ENDPOINT_URL: s3.url, MLFLOW_TS_QUIET_RETRIES: "true" };
    const child = startFixture(WRITER, [journals, suite.experimentId, modelDir], env);
    const runId = (await child.waitFor((l) => l.startsWith("run "))).slice(4);
    const path = (await child.waitFor((l) => l.startsWith("path "))).slice(5);
    const [, kind, model] = (await child.waitFor((l) => l.startsWith("journaled "))).split(" ");
    // An MLflow 2 server has no logged models: the model goes into the run's artifacts.
    const version = await stackServerVersion(suite.client);
    expect(kind, child.stderr()).toBe(version.startsWith("2.") ? "run-artifacts" : "logged-model");
    // Killed mid-upload: once the first write of the model's files reached S3 (and hangs there).
    await expect.poll(() => s3.writesHeld(), { timeout: 20_000, interval: 50 }).toBeGreaterThan(0);
    await child.kill();
    const { records } = await readFolder(path);
    const entry = records.flatMap((r) => (r.kind === "model" ? [r.model] : []))[0] as ModelEntry;
    return { dir, journals, path, child, runId, kind: kind as ModelEntry["target"]["kind"], model: model!, entry, weights, config };
  } finally {
    await s3.close();
  }
}

describe("a job killed in the middle of logModel's upload", () => {
  it("recovery uploads the model's files and finishes it as logModel would (read back by Python, byte-identical), and ends the run KILLED", async () => {
    const killed = await killDuringLogModel("mlflow-ts-journaled-model-");
    expect(killed.entry.files.map((f) => f.localPath).sort()).toEqual(expect.arrayContaining(["MLmodel", "files/config.json", "files/weights.bin"]));

    const recovered = await expectRecoveredKilled(suite, killed.journals, killed.runId, killed.child);
    expect(recovered).toMatchObject({ failedModels: [], models: [{ model: killed.model, target: killed.kind, outcome: "finished" }] });

    const back = await runPython<ModelReadBack>("test/integration/model-readback.py", {
      model_uri: killed.kind === "logged-model" ? `models:/${killed.model}` : `runs:/${killed.runId}/clf`,
      dst_path: join(killed.dir, "download"),
      ...(killed.kind === "logged-model" ? { model_id: killed.model } : { run_id: killed.runId }),
    });
    expect(back.files["files/weights.bin"]).toBe(sha256(killed.weights));
    expect(back.files["files/config.json"]).toBe(sha256(killed.config));
    // Every file journaled arrived (Python's download of a models:/ URI adds its own registered_model_meta).
    expect(
      Object.keys(back.files)
        .filter((f) => f !== "registered_model_meta")
        .sort(),
    ).toEqual(killed.entry.files.map((f) => f.localPath).sort());
    if (killed.kind === "logged-model") expect(back.status).toBe("READY");
    else expect(back.history).toEqual(["clf"]);
  });

  it("recovery fails the model, naming the file, when a file of its folder changed after the kill, and ends the run KILLED", async () => {
    const killed = await killDuringLogModel("mlflow-ts-journaled-model-changed-");
    await writeFile(join(killed.path, killed.entry.folder, "files", "config.json"), "{}");

    const recovered = await expectRecoveredKilled(suite, killed.journals, killed.runId, killed.child);
    expect(recovered.models).toMatchObject([{ model: killed.model, outcome: "failed" }]);
    expect(recovered.models[0]!.reason).toMatch(/its file files\/config\.json is changed since logModel journaled it.*Fix: log the model again/);
    if (killed.kind === "logged-model") expect((await suite.client.loggedModels.get(killed.model)).info.status).toBe("LOGGED_MODEL_UPLOAD_FAILED");
    else expect((await suite.client.runs.get(killed.runId)).data.tags.find((t) => t.key === "mlflow.log-model.history")).toBeUndefined();
  });
});
