/**
 * Artifact failures on the real stack: abort mid-upload (nothing left on the server), the S3
 * server stopped mid-upload, wrong credentials, a missing bucket. Every failure must be a typed
 * error without secrets, and no multipart upload may be left open.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeSeededFile } from "../../bench/artifacts-data.js";
import { ArtifactCredentialsError, ArtifactError, ArtifactNotFoundError } from "../../src/artifacts/errors.js";
import { AbortError, MlflowClient } from "../../src/index.js";
import { artifactModes, freshRun, inspectionS3, modeClient, openMultipartUploads, sha256File } from "./artifacts-support.js";
import { stackClientEnv, stackEnv } from "./support/stack.js";

const MiB = 1024 * 1024;
const CANARY_SECRET = "canary-secret-7f3a9d2e1b";
const exec = promisify(execFile);
const [direct, proxied] = artifactModes() as [ReturnType<typeof artifactModes>[number], ReturnType<typeof artifactModes>[number]];

let work: string;
let bigFile: string;
let bigSha: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "mlflow-ts-faults-"));
  bigFile = join(work, "big.bin");
  bigSha = await writeSeededFile(bigFile, 384 * MiB, "faults");
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Uploads `bigFile`, calling `at` once when `fraction` of it has gone out. */
async function uploadWith(client: MlflowClient, runId: string, fraction: number, at: () => void, signal?: AbortSignal): Promise<unknown> {
  let fired = false;
  return client.artifacts
    .upload(runId, bigFile, {
      artifactPath: "big",
      signal,
      onProgress: (p) => {
        if (!fired && p.totalBytes && p.loadedBytes >= p.totalBytes * fraction) {
          fired = true;
          at();
        }
      },
    })
    .then(
      () => "ok",
      (error: unknown) => error,
    );
}

function expectNoSecret(error: unknown): void {
  const texts = [
    String((error as Error).message),
    String((error as Error).stack),
    JSON.stringify(error),
    String(((error as Error).cause as Error | undefined)?.message),
  ];
  for (const text of texts) {
    expect(text).not.toContain(CANARY_SECRET);
    expect(text).not.toContain(stackEnv("AWS_SECRET_ACCESS_KEY"));
    expect(text).not.toMatch(/X-Amz-Signature=[0-9a-f]{16}/i);
  }
}

describe("abort mid-upload", () => {
  it("direct: rejects with AbortError, leaves no multipart upload and no object", async () => {
    const client = modeClient(direct);
    const { runId, keyPrefix } = await freshRun(client, "artifacts-abort-direct");
    const controller = new AbortController();
    const outcome = await uploadWith(client, runId, 0.3, () => controller.abort(), controller.signal);
    expect(outcome).toBeInstanceOf(AbortError);
    const s3 = inspectionS3();
    expect(await openMultipartUploads(s3, direct.bucket, keyPrefix)).toEqual([]);
    await expect(s3.send(new HeadObjectCommand({ Bucket: direct.bucket, Key: `${keyPrefix}/big/big.bin` }))).rejects.toMatchObject({ name: "NotFound" });
    await client.close();
  });

  it("proxied multipart: rejects with AbortError and the server aborts the multipart upload", async () => {
    const client = modeClient(proxied, { artifacts: { proxyMultipartUpload: true, proxyMultipartMinBytes: MiB } });
    const { runId, keyPrefix } = await freshRun(client, "artifacts-abort-proxied");
    const controller = new AbortController();
    const outcome = await uploadWith(client, runId, 0.3, () => controller.abort(), controller.signal);
    expect(outcome).toBeInstanceOf(AbortError);
    expect(await openMultipartUploads(inspectionS3(), proxied.bucket, keyPrefix)).toEqual([]);
    expect((await client.artifacts.list(runId, "big")).map((f) => f.path)).toEqual([]);
    await client.close();
  });
});

describe("the S3 server stops mid-upload", () => {
  let stopped = false;
  afterAll(async () => {
    if (stopped) await exec("bash", ["scripts/stack/start-service", "s3"], { timeout: 120_000 });
  });

  it("direct: either completes after the server returns or fails typed, and leaves no parts behind", async () => {
    const client = modeClient(direct);
    const { runId, keyPrefix } = await freshRun(client, "artifacts-s3-outage");
    let outage: Promise<void> | undefined;
    let stoppedAt = Number.POSITIVE_INFINITY;
    const outcome = await uploadWith(client, runId, 0.2, () => {
      outage = (async () => {
        stopped = true;
        await exec("bash", ["scripts/stack/stop-service", "s3"], { timeout: 60_000 });
        stoppedAt = Date.now();
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        await exec("bash", ["scripts/stack/start-service", "s3"], { timeout: 120_000 });
        stopped = false;
      })();
    });
    const endedAt = Date.now();
    await outage;
    expect(stoppedAt, "the S3 server must go down while the upload runs").toBeLessThan(endedAt);
    console.info(`[artifacts faults] S3 outage during upload → ${outcome === "ok" ? "completed after retries" : (outcome as Error).message}`);
    if (outcome === "ok") {
      const local = await client.artifacts.download(runId, "big/big.bin", join(work, "after-outage"));
      expect(await sha256File(local)).toBe(bigSha);
      await client.artifacts.delete(runId, "big");
    } else {
      expect(outcome).toBeInstanceOf(ArtifactError);
      expect((outcome as ArtifactError).bucket).toBe(direct.bucket);
      expect((outcome as ArtifactError).key).toBe(`${keyPrefix}/big/big.bin`);
      expectNoSecret(outcome);
      await expect(inspectionS3().send(new HeadObjectCommand({ Bucket: direct.bucket, Key: `${keyPrefix}/big/big.bin` }))).rejects.toMatchObject({
        name: "NotFound",
      });
    }
    expect(await openMultipartUploads(inspectionS3(), direct.bucket, keyPrefix)).toEqual([]);
    await client.close();
  });
});

describe("credentials and buckets", () => {
  it.each([
    ["an unknown access key id", { accessKeyId: "AKIAMLFLOWTSWRONG", secretAccessKey: CANARY_SECRET }],
    ["a wrong secret key", { accessKeyId: "", secretAccessKey: CANARY_SECRET }],
  ])("refuses %s with ArtifactCredentialsError naming the cause, without the secret", async (_what, credentials) => {
    const accessKeyId = credentials.accessKeyId || stackEnv("AWS_ACCESS_KEY_ID");
    const setup = modeClient(direct);
    const { runId } = await freshRun(setup, "artifacts-bad-credentials");
    const client = new MlflowClient({
      trackingUri: direct.trackingUri,
      env: stackClientEnv(direct.trackingUri),
      s3: { credentials: { accessKeyId, secretAccessKey: CANARY_SECRET } },
    });
    const error = await client.artifacts.uploadData(runId, "x", "a.txt").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactCredentialsError);
    expect((error as ArtifactCredentialsError).code).toMatch(/InvalidAccessKeyId|SignatureDoesNotMatch/);
    expect((error as Error).message).toMatch(/Fix: check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
    expectNoSecret(error);
    await client.close();
    await setup.close();
  });

  it("reports a missing bucket as ArtifactNotFoundError naming it", async () => {
    // Listing, not writing: SeaweedFS (the stack's S3 server) creates a missing bucket on the first
    // PutObject, where AWS and MinIO answer NoSuchBucket (that mapping is unit-tested).
    const client = modeClient(direct);
    const bucket = `mlflow-ts-missing-${randomUUID().slice(0, 8)}`;
    const experimentId = await client.experiments.create({ name: `artifacts-missing-bucket-${randomUUID()}`, artifact_location: `s3://${bucket}/x` });
    const run = await client.runs.create({ experiment_id: experimentId });
    const error = await client.artifacts.list(run.info.run_id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactNotFoundError);
    expect((error as ArtifactNotFoundError).code).toBe("NoSuchBucket");
    expect((error as Error).message).toContain(`bucket "${bucket}" does not exist`);
    expect((error as Error).message).toContain("MLFLOW_S3_ENDPOINT_URL");
    await client.close();
  });
});
