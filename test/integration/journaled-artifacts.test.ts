/**
 * Journaled artifacts on the real stack (issue #14 item 1): a job logs two files with the real
 * logger while its S3 endpoint accepts connections and never answers (so no upload can finish), and
 * is SIGKILLed once both are journaled (path, size, mtime, SHA-256, synced before the uploads
 * start). One file is then rewritten. `recoverJournals`, with the real S3 endpoint, uploads the
 * unchanged file (the Python client downloads it byte-identical), reports the changed one with the
 * fix and uploads nothing in its place, and ends the run KILLED.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { recoveryLine } from "../../src/logging/recovery/format.js";
import { startFixture } from "../unit/journal/child.js";
import { readFolder } from "../unit/journal/helpers.js";
import { hangingS3 } from "./support/hanging-s3.js";
import { expectRecoveredKilled, useKillSuite } from "./support/kill-trials.js";
import { runPython } from "./support/python.js";
import { serverUri, stackClientEnv } from "./support/stack.js";

const WRITER = fileURLToPath(new URL("./fixtures/artifact-writer.ts", import.meta.url));

const suite = useKillSuite("journaled-artifacts");

describe("a job killed after journaling its artifacts, before uploading them", () => {
  it("recovery uploads the unchanged file byte-identical (read back by Python), reports the changed one, and ends the run KILLED", async () => {
    const dir = await suite.tempDir("mlflow-ts-journaled-artifacts-");
    const files = join(dir, "files");
    const journals = join(dir, "journals");
    await mkdir(files);
    const weights = join(files, "weights.bin");
    const notes = join(files, "notes.txt");
    await writeFile(weights, randomBytes(3 * 1024 * 1024 + 17));
    await writeFile(notes, "notes as logged");
    const s3 = await hangingS3();
    try {
      const env = { ...stackClientEnv(serverUri("direct")), MLFLOW_S3_ENDPOINT_URL: s3.url, MLFLOW_TS_QUIET_RETRIES: "true" };
      const child = startFixture(WRITER, [journals, suite.experimentId, weights, notes], env);
      const runId = (await child.waitFor((l) => l.startsWith("run "))).slice(4);
      const path = (await child.waitFor((l) => l.startsWith("path "))).slice(5);
      expect(await child.waitFor((l) => l.startsWith("journaled ")), child.stderr()).toBe("journaled 2");
      await child.kill();

      // What the dead job left: both files journaled, by hash.
      const { records } = await readFolder(path);
      // Both calls hash concurrently: the order of their entries is the order their hashes finished.
      const journaled = records.flatMap((r) => (r.kind === "artifact" ? [r.artifact] : [])).sort((a, b) => a.artifactPath.localeCompare(b.artifactPath));
      const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
      expect(journaled).toMatchObject([
        { localPath: weights, artifactPath: "a0", sha256: sha(await readFile(weights)) },
        { localPath: notes, artifactPath: "a1", sha256: sha(await readFile(notes)) },
      ]);
      expect(await suite.client.artifacts.list(runId, "a0")).toEqual([]); // nothing reached S3

      await writeFile(notes, "notes rewritten after the kill");
      const recovered = await expectRecoveredKilled(suite, journals, runId, child);
      expect(recovered).toMatchObject({ delivered: { artifacts: 1 }, changedArtifacts: [{ localPath: notes, artifactPath: "a1", state: "changed" }] });
      expect(recoveryLine(recovered)).toContain(`artifact a1/notes.txt not uploaded: ${notes} changed since it was logged`);

      const downloaded = await runPython<Record<string, string>>("test/integration/artifacts-download.py", {
        run_id: runId,
        artifact_path: "a0",
        dst_path: join(dir, "download"),
      });
      expect(downloaded).toEqual({ "a0/weights.bin": sha(await readFile(weights)) });
      expect(await suite.client.artifacts.list(runId, "a1")).toEqual([]); // the rewritten bytes were not uploaded
      expect((await suite.client.runs.get(runId)).info.status).toBe("KILLED");
    } finally {
      await s3.close();
    }
  });
});
