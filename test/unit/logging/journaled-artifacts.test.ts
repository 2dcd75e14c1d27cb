/**
 * The logger journals its artifact uploads (issue #14 item 1, docs/journal.md "Journaled
 * artifacts"): every file of `logArtifact`/`logArtifacts` is journaled by path, size, mtime and
 * SHA-256 and synced before the upload, acknowledged once it succeeded; an upload that failed
 * transiently stays pending and recovery uploads the file if it is unchanged, reports it (with the
 * fix) if it changed or vanished, and never uploads other bytes. Real files and timers, the fake
 * tracking server of the recovery tests (proxied artifacts: uploads are PUTs it records).
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpResponse, http } from "msw";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ArtifactRecord } from "../../../src/journal/entries.js";
import type { StartRunOptions } from "../../../src/logging/fluent.js";
import { recoveryLine } from "../../../src/logging/recovery/format.js";
import { recoverJournals } from "../../../src/logging/recovery/recover.js";
import type { ActiveRun } from "../../../src/logging/run.js";
import { BASE, testClient, useMockServer } from "../helpers/mock-server.js";
import { readFolder } from "../journal/helpers.js";
import { resumeJournaledRun } from "./helpers.js";
import { type FakeServer, fakeTracking, killOwner } from "./recovery/helpers.js";

const server = useMockServer();
const RUN = "0123456789abcdef0123456789abcdef";

let dir: string;
let files: string;
let fake: FakeServer;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mlflow-ts-artifact-journal-"));
  files = await mkdtemp(join(tmpdir(), "mlflow-ts-artifact-files-"));
  fake = fakeTracking(server);
  fake.addRun(RUN);
  const spy = vi.spyOn(process, "emitWarning").mockImplementation((() => undefined) as typeof process.emitWarning);
  return () => spy.mockRestore();
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(files, { recursive: true, force: true });
});

function openRun(options: StartRunOptions = {}): Promise<ActiveRun> {
  return resumeJournaledRun(dir, options, { maxRetries: 0 });
}

/** Every artifact PUT answers 503 until `restore()`. */
function failUploads(): void {
  server.use(
    http.put(`${BASE}/api/2.0/mlflow-artifacts/artifacts/*`, () =>
      HttpResponse.json({ error_code: "TEMPORARILY_UNAVAILABLE", message: "try later" }, { status: 503 }),
    ),
  );
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

async function artifactRecords(path: string): Promise<ArtifactRecord["artifact"][]> {
  const { records, damage } = await readFolder(path);
  expect(damage).toEqual([]);
  return records.flatMap((record) => (record.kind === "artifact" ? [record.artifact] : []));
}

describe("logArtifact and logArtifacts with a journal", () => {
  it("journal each file by path, artifact folder, size and SHA-256 before uploading, and acknowledge it once uploaded", async () => {
    await writeFile(join(files, "model.onnx"), "weights v1");
    await mkdir(join(files, "ckpt", "deep"), { recursive: true });
    await writeFile(join(files, "ckpt", "a.bin"), "aaa");
    await writeFile(join(files, "ckpt", "deep", "b.bin"), "bbbb");
    const run = await openRun();
    const path = run.journalPath!;
    // The upload's PUT sees the entry already durable in the journal.
    let durableAtUpload: number | undefined;
    server.use(
      http.put(`${BASE}/api/2.0/mlflow-artifacts/artifacts/*`, () => {
        durableAtUpload ??= run.stats().durable;
        return undefined; // falls through to the fake server, which records the upload
      }),
    );

    await run.logArtifact(join(files, "model.onnx"), { artifactPath: "model" });
    await run.logArtifacts(join(files, "ckpt"), { artifactPath: "checkpoints" });

    expect(durableAtUpload).toBe(1);
    expect(await artifactRecords(path)).toEqual([
      { localPath: join(files, "model.onnx"), artifactPath: "model", sizeBytes: 10, mtimeMs: expect.any(Number), sha256: sha256("weights v1") },
      { localPath: join(files, "ckpt", "a.bin"), artifactPath: "checkpoints", sizeBytes: 3, mtimeMs: expect.any(Number), sha256: sha256("aaa") },
      { localPath: join(files, "ckpt", "deep", "b.bin"), artifactPath: "checkpoints/deep", sizeBytes: 4, mtimeMs: expect.any(Number), sha256: sha256("bbbb") },
    ]);
    expect(run.stats()).toMatchObject({ journaled: 3, acknowledged: 3, pending: 0 });
    expect(Object.fromEntries(fake.runs.get(RUN)!.uploads)).toEqual({
      "model/model.onnx": "weights v1",
      "checkpoints/a.bin": "aaa",
      "checkpoints/deep/b.bin": "bbbb",
    });
    await run.end();
    expect(existsSync(path)).toBe(false);
  });

  it("journal nothing for a path that does not exist: the upload fails with its usual error", async () => {
    const run = await openRun();
    await expect(run.logArtifact(join(files, "absent.bin"))).rejects.toThrow(/absent\.bin/);
    expect(run.stats()).toMatchObject({ journaled: 0, pending: 0 });
    await run.end();
  });
});

describe("an upload that failed transiently", () => {
  it("stays journaled (pending) and is uploaded by recovery once the process is gone", async () => {
    await writeFile(join(files, "model.onnx"), "weights v1");
    failUploads();
    const run = await openRun();
    const path = run.journalPath!;
    await expect(run.logArtifact(join(files, "model.onnx"), { artifactPath: "model" })).rejects.toThrow();
    expect(run.stats()).toMatchObject({ journaled: 1, acknowledged: 0, pending: 1 });
    await run.end();
    expect(existsSync(path)).toBe(true); // kept for recovery

    server.resetHandlers();
    fake = fakeTracking(server);
    fake.addRun(RUN);
    await killOwner(path);
    const { journals } = await recoverJournals({ client: testClient(), dir });
    expect(journals[0]).toMatchObject({ outcome: "recovered", delivered: { artifacts: 1 }, changedArtifacts: [] });
    expect(Object.fromEntries(fake.runs.get(RUN)!.uploads)).toEqual({ "model/model.onnx": "weights v1" });
  });

  it("is reported, never uploaded, when the file changed or vanished before recovery, each with the fix", async () => {
    await writeFile(join(files, "model.onnx"), "weights v1");
    await writeFile(join(files, "notes.txt"), "notes");
    failUploads();
    const run = await openRun();
    const path = run.journalPath!;
    await expect(run.logArtifact(join(files, "model.onnx"), { artifactPath: "model" })).rejects.toThrow();
    await expect(run.logArtifact(join(files, "notes.txt"))).rejects.toThrow();
    await run.end();
    await writeFile(join(files, "model.onnx"), "weights v2 (retrained)");
    await rm(join(files, "notes.txt"));

    server.resetHandlers();
    fake = fakeTracking(server);
    fake.addRun(RUN);
    await killOwner(path);
    const { journals } = await recoverJournals({ client: testClient(), dir });
    const report = journals[0]!;
    expect(report).toMatchObject({
      outcome: "recovered",
      delivered: { artifacts: 0 },
      changedArtifacts: [
        { localPath: join(files, "model.onnx"), artifactPath: "model", state: "changed" },
        { localPath: join(files, "notes.txt"), artifactPath: "", state: "missing" },
      ],
    });
    expect(fake.runs.get(RUN)!.uploads.size).toBe(0);
    const line = recoveryLine(report);
    expect(line).toContain(`artifact model/model.onnx not uploaded: ${join(files, "model.onnx")} changed since it was logged`);
    expect(line).toContain(`artifact notes.txt not uploaded: ${join(files, "notes.txt")} no longer exists`);
    expect(line).toContain(
      `Fix: if the file now holds what the run should have, upload it with \`npx mlflow-ts upload ${RUN} ${join(files, "model.onnx")} --artifact-path model\``,
    );
  });

  it("is acknowledged when the server refused it for good (403): recovery would be refused too", async () => {
    await writeFile(join(files, "model.onnx"), "weights v1");
    server.use(
      http.put(`${BASE}/api/2.0/mlflow-artifacts/artifacts/*`, () => HttpResponse.json({ error_code: "PERMISSION_DENIED", message: "no" }, { status: 403 })),
    );
    const run = await openRun();
    const path = run.journalPath!;
    await expect(run.logArtifact(join(files, "model.onnx"))).rejects.toThrow();
    expect(run.stats()).toMatchObject({ journaled: 1, acknowledged: 1, pending: 0 });
    await run.end();
    expect(existsSync(path)).toBe(false);
  });
});

describe("without a journal", () => {
  it("uploads as before and journals nothing (journal: false)", async () => {
    await writeFile(join(files, "model.onnx"), "weights v1");
    const run = await openRun({ journal: false });
    await run.logArtifact(join(files, "model.onnx"));
    expect(run.stats()).toMatchObject({ journaled: 0 });
    expect(Object.fromEntries(fake.runs.get(RUN)!.uploads)).toEqual({ "model.onnx": "weights v1" });
    await run.end();
  });
});
