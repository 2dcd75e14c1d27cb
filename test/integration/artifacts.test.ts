/**
 * Artifact round trips on the real stack, in both modes: direct S3 (the run's artifact URI is
 * `s3://mlflow/…`) and proxied (`mlflow-artifacts:/…` through the tracking server). What we upload
 * is read back by us and by the Python reference client, byte for byte.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededSha256, writeSeededFile } from "../../bench/artifacts-data.js";
import type { TransferProgress } from "../../src/artifacts/types.js";
import type { MlflowClient } from "../../src/index.js";
import {
  type ArtifactMode,
  artifactModes,
  freshRun,
  inspectionS3,
  modeClient,
  openMultipartUploads,
  probeUpload,
  pythonDownload,
  sha256File,
} from "./artifacts-support.js";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** (queueSize + 1) × partSize + 32 MiB at the defaults (queue 4, 8 MiB parts for a 1 GiB file). */
const FILE_MEMORY_BOUND = 5 * 8 * MiB + 32 * MiB;
/** The same bound for a stream of unknown length (64 MiB parts). */
const STREAM_MEMORY_BOUND = 5 * 64 * MiB + 32 * MiB;
const SIZES = [0, 1, 5 * MiB, 64 * MiB];

describe.each(artifactModes())("artifacts, $name mode", (mode: ArtifactMode) => {
  let client: MlflowClient;
  let runId: string;
  let keyPrefix: string;
  let work: string;
  const shas = new Map<string, string>();

  beforeAll(async () => {
    client = modeClient(mode);
    ({ runId, keyPrefix } = await freshRun(client, `artifacts-${mode.name}`));
    work = await mkdtemp(join(tmpdir(), `mlflow-ts-it-${mode.name}-`));
    await client.artifacts.uploadData(runId, "warm-up", "warm-up.txt");
  });

  afterAll(async () => {
    // The run's gigabyte of objects would otherwise fill the stack's S3 server run after run.
    await client.artifacts.delete(runId, "").catch(() => undefined);
    await client.close();
    await rm(work, { recursive: true, force: true });
  });

  it("runs of this server get the expected artifact URI scheme", async () => {
    const run = await client.runs.get(runId);
    expect(run.info.artifact_uri).toMatch(mode.uriPattern);
  });

  it.each(SIZES)("round-trips a %d-byte file byte for byte, under the key MLflow derives", async (size) => {
    const name = `file-${size}.bin`;
    const path = join(work, name);
    const sha = await writeSeededFile(path, size, name);
    shas.set(`sizes/${name}`, sha);
    const progress: TransferProgress[] = [];
    const result = await client.artifacts.upload(runId, path, { artifactPath: "sizes", onProgress: (p) => progress.push(p) });
    expect(result).toEqual({ paths: [`sizes/${name}`], bytes: size });
    expect(progress.at(-1)).toEqual({ loadedBytes: size, totalBytes: size, completedFiles: 1, totalFiles: 1, path: `sizes/${name}` });

    const head = await inspectionS3().send(new HeadObjectCommand({ Bucket: mode.bucket, Key: `${keyPrefix}/sizes/${name}` }));
    expect(head.ContentLength).toBe(size);

    const dest = join(work, `dl-${size}`);
    const local = await client.artifacts.download(runId, `sizes/${name}`, dest);
    expect(local).toBe(join(dest, "sizes", name));
    expect(await sha256File(local)).toBe(sha);
    await rm(path);
  });

  it("lists what it uploaded with sizes, as the server's own listing does", async () => {
    const ours = await client.artifacts.list(runId, "sizes");
    expect(ours).toEqual(SIZES.map((size) => ({ path: `sizes/file-${size}.bin`, is_dir: false, file_size: size })));
    const server = await client.store.call("artifacts.list", { run_id: runId, path: "sizes" });
    // The server omits zero sizes (protobuf default).
    expect(server.files.map((f) => [f.path, Number(f.file_size ?? 0)])).toEqual(ours.map((f) => [f.path, f.file_size]));
  });

  it("uploads a 1 GiB file within the memory bound (fresh process) and downloads it identical", async () => {
    const path = join(work, "one-gib.bin");
    const sha = await writeSeededFile(path, GiB, "one-gib");
    const probe = await probeUpload(mode, runId, { file: path }, "large/one-gib.bin", mode.name === "proxied");
    await rm(path);
    console.info(
      `[artifacts ${mode.name}] 1 GiB upload: ${(probe.ms / 1000).toFixed(1)} s, RSS growth ${(probe.growthBytes / MiB).toFixed(1)} MiB (bound ${FILE_MEMORY_BOUND / MiB} MiB), ${probe.events} progress events`,
    );
    expect(probe.bytes).toBe(GiB);
    expect(probe.loaded).toBe(GiB);
    expect(probe.events).toBeGreaterThan(1024);
    expect(probe.growthBytes).toBeLessThanOrEqual(FILE_MEMORY_BOUND);
    expect(await openMultipartUploads(inspectionS3(), mode.bucket, keyPrefix)).toEqual([]);
    const local = await client.artifacts.download(runId, "large/one-gib.bin", join(work, "dl-large"));
    expect(await sha256File(local)).toBe(sha);
    await rm(local);
  });

  it("uploads a Readable of unknown length within the memory bound (fresh process)", async () => {
    const size = 200 * MiB + 12_345;
    const probe = await probeUpload(mode, runId, { streamBytes: size }, "streams/unknown-length.bin");
    console.info(`[artifacts ${mode.name}] 200 MiB stream: RSS growth ${(probe.growthBytes / MiB).toFixed(1)} MiB (bound ${STREAM_MEMORY_BOUND / MiB} MiB)`);
    expect(probe.bytes).toBe(size);
    expect(probe.growthBytes).toBeLessThanOrEqual(STREAM_MEMORY_BOUND);
    const local = await client.artifacts.download(runId, "streams/unknown-length.bin", join(work, "dl-stream"));
    expect(await sha256File(local)).toBe(await seededSha256(size, "stream"));
    await rm(local);
  });

  it("uploads a 1,000-file directory in parallel with one progress, and downloads the tree identical", async () => {
    const tree = join(work, "tree");
    const expected = new Map<string, string>();
    for (let i = 0; i < 1000; i++) {
      const relative = `d${i % 10}/sub${i % 3}/f${String(i).padStart(4, "0")}.bin`;
      await mkdir(join(tree, `d${i % 10}/sub${i % 3}`), { recursive: true });
      const size = (i * 37) % 4096;
      expected.set(`tree/${relative}`, await writeSeededFile(join(tree, relative), size, relative));
    }
    let last: TransferProgress | undefined;
    const result = await client.artifacts.upload(runId, tree, { artifactPath: "tree", onProgress: (p) => (last = p) });
    expect(result.paths).toHaveLength(1000);
    expect(last?.loadedBytes).toBe(result.bytes);
    expect(last?.totalBytes).toBe(result.bytes);

    const dest = join(work, "dl-tree");
    expect(await client.artifacts.download(runId, "tree", dest)).toBe(join(dest, "tree"));
    for (const [path, sha] of expected) expect(await sha256File(join(dest, path)), path).toBe(sha);
    for (const [path, sha] of expected) if (path.startsWith("tree/d0/")) shas.set(path, sha);
  });

  it("is read back byte for byte by the Python reference client", async () => {
    await writeFile(join(work, "MLmodel"), "artifact_path: model\nflavors: {}\n");
    await client.artifacts.upload(runId, join(work, "MLmodel"), { artifactPath: "model" });
    const dest = await mkdtemp(join(tmpdir(), "mlflow-ts-py-"));
    try {
      const sizes = await pythonDownload(mode.trackingUri, runId, "sizes", dest);
      const tree = await pythonDownload(mode.trackingUri, runId, "tree/d0", dest);
      const model = await pythonDownload(mode.trackingUri, runId, "model", dest);
      const downloaded = { ...sizes, ...tree };
      expect(Object.keys(downloaded).sort()).toEqual([...shas.keys()].sort());
      for (const [path, sha] of shas) expect(downloaded[path], path).toBe(sha);
      expect(Object.keys(model)).toEqual(["model/MLmodel"]);
    } finally {
      await rm(dest, { recursive: true, force: true });
    }
  });

  it("deletes a directory so that neither we nor the server list its files", async () => {
    await client.artifacts.uploadData(runId, "a", "scratch/a.txt");
    await client.artifacts.uploadData(runId, "b", "scratch/deeper/b.txt");
    await client.artifacts.uploadData(runId, "keep", "scratch-sibling.txt");
    await client.artifacts.delete(runId, "scratch");
    const download = await mkdtemp(join(tmpdir(), "mlflow-ts-del-"));
    const files = (await client.artifacts.list(runId)).filter((f) => !f.is_dir).map((f) => f.path);
    expect(files).toContain("scratch-sibling.txt");
    await expect(client.artifacts.download(runId, "scratch/a.txt", download)).rejects.toThrow();
    await rm(download, { recursive: true, force: true });
  });
});
