/**
 * Artifacts built in memory through the journal on the real stack (issue #14 item 1): a job calls
 * `logText`, `logDict` (JSON and YAML), `logTable` and `logImage` with the real logger while its S3
 * endpoint answers reads (forwarded to the stack's S3: `logTable` lists the run's artifacts first)
 * and never answers writes, so no upload can finish; it is SIGKILLed once the five blobs are
 * journaled and a `logModel` after them has created its logged model (PENDING) and journaled its
 * folder (its upload hangs: killed mid-upload). `recoverJournals`, with the real S3 endpoint, uploads
 * the artifacts from the journal's blobs and finishes the model with logModel's own finishing step;
 * the Python client reads every artifact back identical (`load_text`, `load_dict`, `load_table`, the
 * image's bytes), the logged model READY with its files byte-identical (`get_logged_model`,
 * `download_artifacts("models:/<id>")`), and the run ends KILLED.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { startFixture } from "../unit/journal/child.js";
import { readFolder } from "../unit/journal/helpers.js";
import { hangingS3 } from "./support/hanging-s3.js";
import { expectRecoveredKilled, useKillSuite } from "./support/kill-trials.js";
import { runPython } from "./support/python.js";
import { serverUri, stackClientEnv, stackEnv } from "./support/stack.js";

const WRITER = fileURLToPath(new URL("./fixtures/blob-writer.ts", import.meta.url));

const suite = useKillSuite("journaled-blobs");

interface ReadBack {
  text: string;
  dicts: Record<string, unknown>;
  yamls: Record<string, unknown>;
  table: { columns: string[]; data: unknown[][] };
  image_sha256: string;
}

describe("a job killed after journaling artifacts built in memory, before uploading them", () => {
  it("recovery uploads them from the journal and finishes the killed logModel (read back identical by Python, the model READY), and ends the run KILLED", async () => {
    const dir = await suite.tempDir("mlflow-ts-journaled-blobs-");
    const journals = join(dir, "journals");
    const pngFile = join(dir, "red.png");
    const png = await sharp({ create: { width: 8, height: 5, channels: 3, background: { r: 200, g: 30, b: 10 } } })
      .png()
      .toBuffer();
    await writeFile(pngFile, png);
    const s3 = await hangingS3({ forwardReadsTo: stackEnv("MLFLOW_S3_ENDPOINT_URL") });
    try {
      const env = { ...stackClientEnv(serverUri("direct")), MLFLOW_S3_ENDPOINT_URL: s3.url, MLFLOW_TS_QUIET_RETRIES: "true" };
      const child = startFixture(WRITER, [journals, suite.experimentId, pngFile], env);
      const runId = (await child.waitFor((l) => l.startsWith("run "))).slice(4);
      const path = (await child.waitFor((l) => l.startsWith("path "))).slice(5);
      expect(await child.waitFor((l) => l.startsWith("journaled ")), child.stderr()).toBe("journaled 5");
      const modelId = (await child.waitFor((l) => l.startsWith("model "))).slice(6);
      expect(modelId, child.stderr()).toMatch(/^m-/);
      await child.kill();
      expect(s3.writesHeld()).toBeGreaterThan(0); // the uploads had started and hung

      // What the dead job left: five blob entries, each blob on disk under its SHA-256.
      const { records } = await readFolder(path);
      const blobs = records.flatMap((r) => (r.kind === "blob" ? [r.blob] : []));
      expect(blobs.map((b) => b.artifactFile).sort()).toEqual([
        "config/params.json",
        "config/train.yaml",
        "eval/answers.json",
        "notes/readme.txt",
        "samples/red.png",
      ]);
      for (const blob of blobs) expect(existsSync(join(path, "blobs", blob.sha256))).toBe(true);
      expect(await suite.client.artifacts.list(runId, "notes")).toEqual([]); // nothing reached S3

      const recovered = await expectRecoveredKilled(suite, journals, runId, child);
      expect(recovered).toMatchObject({
        delivered: { artifacts: 5 },
        lostBlobs: [],
        changedArtifacts: [],
        failedModels: [],
        models: [{ model: modelId, target: "logged-model", outcome: "finished" }],
      });
      const model = await runPython<{ files: Record<string, string>; status: string }>("test/integration/model-readback.py", {
        model_uri: `models:/${modelId}`,
        model_id: modelId,
        dst_path: join(dir, "model"),
      });
      expect(model.status).toBe("READY");
      expect(model.files["files/red.png"]).toBe(createHash("sha256").update(png).digest("hex"));
      expect(Object.keys(model.files)).toContain("MLmodel");

      const back = await runPython<ReadBack>("test/integration/blob-readback.py", {
        run_id: runId,
        text: "notes/readme.txt",
        dicts: ["config/params.json"],
        yamls: ["config/train.yaml"],
        table: "eval/answers.json",
        image: "samples/red.png",
        dst_path: join(dir, "download"),
      });
      expect(back).toEqual({
        text: "notes of the run\nline two ✓\n",
        dicts: { "config/params.json": { lr: 0.001, layers: [64, 32], name: "mlp" } },
        yamls: { "config/train.yaml": { optimizer: { name: "adam", beta: 0.9 }, epochs: 3 } },
        table: {
          columns: ["question", "score"],
          data: [
            ["What is MLflow?", 0.9],
            ["Why a journal?", 0.75],
          ],
        },
        image_sha256: createHash("sha256").update(png).digest("hex"),
      });
      expect((await suite.client.runs.get(runId)).info.status).toBe("KILLED");
    } finally {
      await s3.close();
    }
  });
});
