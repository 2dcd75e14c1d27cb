/**
 * The logger journals artifacts built in memory (issue #14 item 1, docs/journal.md "Artifacts built
 * in memory"): the bytes of `logText`, `logJson`, `logDict`, `logData`, `logTable` and `logImage`
 * are copied into the journal's folder as a blob, their entry synced before the upload starts and
 * acknowledged once it succeeded; an upload that failed transiently stays pending and recovery
 * uploads the blob's bytes after checking its SHA-256, reports a missing or damaged blob with the
 * fix and uploads nothing for it; above the limits, or with the journal off or degraded, the bytes
 * go from memory as before. Real files and timers, the fake tracking server of the recovery tests
 * (proxied artifacts: uploads are PUTs it records).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { HttpResponse, http } from "msw";
import sharp from "sharp";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { blobPath } from "../../../src/journal/blob.js";
import type { BlobRecord } from "../../../src/journal/entries.js";
import type { StartRunOptions } from "../../../src/logging/fluent.js";
import { recoveryLine } from "../../../src/logging/recovery/format.js";
import { recoverJournals } from "../../../src/logging/recovery/recover.js";
import type { ActiveRun } from "../../../src/logging/run.js";
import { LOGGED_ARTIFACTS_TAG } from "../../../src/protocol/tag-names.js";
import { API, BASE, testClient, useMockServer } from "../helpers/mock-server.js";
import { readFolder } from "../journal/helpers.js";
import { resumeJournaledRun } from "./helpers.js";
import { type FakeServer, fakeTracking, killOwner } from "./recovery/helpers.js";

const server = useMockServer();
const RUN = "0123456789abcdef0123456789abcdef";
const ARTIFACTS = `${BASE}/api/2.0/mlflow-artifacts/artifacts`;

let dir: string;
let fake: FakeServer;
let warnings: { message: string; code: string | undefined }[];

/** The fake server, plus what `logTable` needs of it: an empty artifact listing and `runs/set-tag`. */
function serve(): void {
  fake = fakeTracking(server);
  fake.addRun(RUN);
  server.use(
    http.get(ARTIFACTS, () => HttpResponse.json({ files: [] })),
    http.post(`${API}/runs/set-tag`, async ({ request }) => {
      const body = (await request.json()) as { run_id: string; key: string; value: string };
      fake.runs.get(body.run_id)?.tags.set(body.key, body.value);
      return HttpResponse.json({});
    }),
  );
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mlflow-ts-blob-journal-"));
  serve();
  warnings = [];
  const spy = vi.spyOn(process, "emitWarning").mockImplementation(((message: string, options?: { code?: string }) => {
    warnings.push({ message: String(message), code: options?.code });
  }) as typeof process.emitWarning);
  return () => spy.mockRestore();
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function openRun(options: StartRunOptions = {}): Promise<ActiveRun> {
  return resumeJournaledRun(dir, options, { maxRetries: 0 });
}

/** Every artifact PUT answers 503 until the handlers are reset. */
function failUploads(): void {
  server.use(http.put(`${ARTIFACTS}/*`, () => HttpResponse.json({ error_code: "TEMPORARILY_UNAVAILABLE", message: "try later" }, { status: 503 })));
}

function sha256(bytes: string | Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

async function blobRecords(path: string): Promise<BlobRecord["blob"][]> {
  const { records, damage } = await readFolder(path);
  expect(damage).toEqual([]);
  return records.flatMap((record) => (record.kind === "blob" ? [record.blob] : []));
}

function png(): Promise<Buffer> {
  return sharp({ create: { width: 4, height: 3, channels: 3, background: { r: 200, g: 30, b: 10 } } })
    .png()
    .toBuffer();
}

/** Starts recovery of the run's kept journal as the next process would, against a fresh fake server. */
async function recoverAfterKill(path: string) {
  server.resetHandlers();
  serve();
  await killOwner(path);
  return (await recoverJournals({ client: testClient(), dir })).journals;
}

describe("artifacts built in memory with a journal", () => {
  it("copy logText, logJson, logDict and logData's bytes into the journal, durable before the upload, acknowledged once uploaded", async () => {
    const run = await openRun();
    const path = run.journalPath!;
    // At each upload's PUT, the entry is already durable and its blob holds the bytes.
    const atUpload: { durable: number; blob: string }[] = [];
    server.use(
      http.put(`${ARTIFACTS}/*`, async ({ request }) => {
        const bytes = Buffer.from(await request.clone().arrayBuffer());
        atUpload.push({ durable: run.stats().durable, blob: readFileSync(blobPath(path, sha256(bytes)), "utf8") });
        return undefined; // falls through to the fake server, which records the upload
      }),
    );

    await run.logText("hello", "notes/readme.txt");
    await run.logJson({ acc: 0.9 }, "eval/summary.json");
    await run.logDict({ b: 1, a: { c: "x" } }, "config/model.yaml");
    await run.logData(new Uint8Array([0, 1, 2, 255]), "raw.bin", { artifactPath: "data" });

    const yaml = "a:\n  c: x\nb: 1\n";
    expect(atUpload).toEqual([
      { durable: 1, blob: "hello" },
      { durable: 2, blob: '{\n  "acc": 0.9\n}' },
      { durable: 3, blob: yaml },
      { durable: 4, blob: Buffer.from([0, 1, 2, 255]).toString("utf8") },
    ]);
    expect(await blobRecords(path)).toEqual([
      { artifactFile: "notes/readme.txt", sizeBytes: 5, sha256: sha256("hello") },
      { artifactFile: "eval/summary.json", sizeBytes: 16, sha256: sha256('{\n  "acc": 0.9\n}') },
      { artifactFile: "config/model.yaml", sizeBytes: yaml.length, sha256: sha256(yaml) },
      { artifactFile: "data/raw.bin", sizeBytes: 4, sha256: sha256(Buffer.from([0, 1, 2, 255])) },
    ]);
    expect(run.stats()).toMatchObject({ journaled: 4, acknowledged: 4, pending: 0 });
    expect(fake.runs.get(RUN)!.uploadBytes.get("data/raw.bin")).toEqual(Buffer.from([0, 1, 2, 255]));
    await run.end();
    expect(existsSync(path)).toBe(false);
  });

  it("journal logTable's JSON together with its mlflow.loggedArtifacts tag write, and logImage's file", async () => {
    const run = await openRun();
    const path = run.journalPath!;
    const image = await png();
    await run.logTable({ q: ["a", "b"], score: [1, 2] }, "eval/table.json");
    await run.logImage(image, "samples/red.png");

    const table = '{"columns":["q","score"],"data":[["a",1],["b",2]]}';
    expect(await blobRecords(path)).toEqual([
      { artifactFile: "eval/table.json", sizeBytes: table.length, sha256: sha256(table) },
      { artifactFile: "samples/red.png", sizeBytes: image.length, sha256: sha256(image) },
    ]);
    // The tag write was appended before the table's blob (the feed appends what was accepted first).
    const { records } = await readFolder(path);
    const tagAt = records.findIndex((r) => r.kind === "tags" && r.entries.some((e) => e.key === LOGGED_ARTIFACTS_TAG));
    const blobAt = records.findIndex((r) => r.kind === "blob");
    expect(tagAt).toBeGreaterThanOrEqual(0);
    expect(tagAt).toBeLessThan(blobAt);
    expect(fake.runs.get(RUN)!.uploadBytes.get("samples/red.png")).toEqual(image);
    expect(fake.runs.get(RUN)!.tags.get(LOGGED_ARTIFACTS_TAG)).toBe('[{"path": "eval/table.json", "type": "table"}]');
    await run.end();
    expect(existsSync(path)).toBe(false);
  });

  it("upload a stream from memory only: it is read once, so nothing is journaled", async () => {
    const run = await openRun();
    await run.logData(Readable.from([Buffer.from("streamed")]), "stream.txt");
    expect(run.stats()).toMatchObject({ journaled: 0 });
    expect(fake.runs.get(RUN)!.uploads.get("stream.txt")).toBe("streamed");
    await run.end();
  });
});

describe("an in-memory artifact whose upload failed transiently", () => {
  it("stays journaled and recovery uploads the same bytes: text, YAML dict, table and image", async () => {
    const image = await png();
    failUploads();
    const run = await openRun();
    const path = run.journalPath!;
    await expect(run.logText("hello", "notes/readme.txt")).rejects.toThrow();
    await expect(run.logDict({ lr: 0.1 }, "config.yaml")).rejects.toThrow();
    await expect(run.logTable({ q: ["a"] }, "eval/table.json")).rejects.toThrow();
    await expect(run.logImage(image, "samples/red.png")).rejects.toThrow();
    // Four blobs and the table's tag write (delivered by the batcher at the end; the uploads are what is left).
    expect(run.stats()).toMatchObject({ pending: 5 });
    await run.end();
    expect(existsSync(path)).toBe(true);

    const [report] = await recoverAfterKill(path);
    expect(report).toMatchObject({ outcome: "recovered", delivered: { artifacts: 4 }, lostBlobs: [] });
    const uploads = fake.runs.get(RUN)!.uploadBytes;
    expect(uploads.get("notes/readme.txt")?.toString()).toBe("hello");
    expect(uploads.get("config.yaml")?.toString()).toBe("lr: 0.1\n");
    expect(uploads.get("eval/table.json")?.toString()).toBe('{"columns":["q"],"data":[["a"]]}');
    expect(uploads.get("samples/red.png")).toEqual(image);
    expect(existsSync(report!.path)).toBe(false);
  });

  it("is reported with the fix, never uploaded, when its blob is missing or damaged; the journal is removed", async () => {
    failUploads();
    const run = await openRun();
    const path = run.journalPath!;
    await expect(run.logText("hello", "a.txt")).rejects.toThrow();
    await expect(run.logText("world", "b.txt")).rejects.toThrow();
    await run.end();
    await rm(blobPath(path, sha256("hello")));
    await writeFile(blobPath(path, sha256("world")), "WORLD");

    const [report] = await recoverAfterKill(path);
    expect(report).toMatchObject({
      outcome: "recovered",
      delivered: { artifacts: 0 },
      lostBlobs: [
        { artifactFile: "a.txt", sha256: sha256("hello"), state: "missing" },
        { artifactFile: "b.txt", sha256: sha256("world"), state: "damaged" },
      ],
    });
    expect(fake.runs.get(RUN)!.uploads.size).toBe(0);
    const line = recoveryLine(report!);
    expect(line).toContain("artifact a.txt not uploaded: its bytes kept in the journal are missing");
    expect(line).toContain("artifact b.txt not uploaded: its bytes kept in the journal are damaged");
    expect(line).toContain(`Fix: log it again for run ${RUN}`);
  });

  it("is acknowledged when the server refused it for good (403): recovery would be refused too", async () => {
    server.use(http.put(`${ARTIFACTS}/*`, () => HttpResponse.json({ error_code: "PERMISSION_DENIED", message: "no" }, { status: 403 })));
    const run = await openRun();
    const path = run.journalPath!;
    await expect(run.logText("hello", "a.txt")).rejects.toThrow();
    expect(run.stats()).toMatchObject({ journaled: 1, acknowledged: 1, pending: 0 });
    await run.end();
    expect(existsSync(path)).toBe(false);
  });
});

describe("in-memory artifacts not journaled", () => {
  it("above 64 MiB: uploaded from memory, one warning per run naming the limit and the fix", async () => {
    const run = await openRun();
    const big = Buffer.alloc(64 * 1024 * 1024 + 1, 7);
    await run.logData(big, "big-1.bin");
    await run.logData(big, "big-2.bin");
    expect(run.stats()).toMatchObject({ journaled: 0 });
    expect(fake.runs.get(RUN)!.uploadBytes.get("big-2.bin")?.length).toBe(big.length);
    const skipped = warnings.filter((w) => w.code === "MLFLOW_TS_JOURNAL_BLOB_SKIPPED");
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.message).toMatch(
      /"big-1\.bin" is 64\.0 MiB, above the 64\.0 MiB .* uploaded from memory only.*Fix: write it to a file and log it with logArtifact/,
    );
    await run.end();
  });

  it("with the journal off: uploaded as before", async () => {
    const run = await openRun({ journal: false });
    await run.logText("hello", "a.txt");
    expect(run.stats()).toMatchObject({ journaled: 0 });
    expect(fake.runs.get(RUN)!.uploads.get("a.txt")).toBe("hello");
    await run.end();
  });

  it("when the blob cannot be written: the journal's one degraded warning, the upload from memory", async () => {
    const run = await openRun();
    await writeFile(join(run.journalPath!, "blobs"), "a file where the blob folder goes");
    await run.logText("hello", "a.txt");
    await run.logText("again", "b.txt");
    expect(fake.runs.get(RUN)!.uploads.get("a.txt")).toBe("hello");
    expect(fake.runs.get(RUN)!.uploads.get("b.txt")).toBe("again");
    expect(warnings.filter((w) => w.code === "MLFLOW_TS_JOURNAL_DEGRADED")).toHaveLength(1);
    expect(run.stats()).toMatchObject({ journaled: 0 });
    await run.end();
  });
});
