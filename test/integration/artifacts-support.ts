/**
 * Shared pieces of the artifact integration tests: the stack's settings, a raw S3 client to
 * inspect buckets (ListMultipartUploads, HeadObject), an upload probe that measures RSS in a
 * fresh process, sha256 of files, and the Python reference client.
 */

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { dirname, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ListMultipartUploadsCommand, S3Client } from "@aws-sdk/client-s3";
import { type ClientOptions, MlflowClient } from "../../src/index.js";
import { runPython } from "./support/python.js";
import { serverUri, stackClientEnv, stackEnv, uniqueName } from "./support/stack.js";

/** Re-exported for suites that import them from here (new code: import from `./support/stack.js`). */
export { stackClientEnv, stackEnv };

/** The two artifact modes of the stack. */
export interface ArtifactMode {
  name: "direct" | "proxied";
  trackingUri: string;
  bucket: string;
  /** Scheme the server gives new runs. */
  uriPattern: RegExp;
}

export function artifactModes(): ArtifactMode[] {
  return [
    { name: "direct", trackingUri: serverUri("direct"), bucket: stackEnv("STACK_BUCKET_DIRECT"), uriPattern: /^s3:\/\// },
    { name: "proxied", trackingUri: serverUri("proxied"), bucket: stackEnv("STACK_BUCKET_PROXIED"), uriPattern: /^mlflow-artifacts:\// },
  ];
}

/** A client of one mode's server, with the default backoff (S3 retries must outlast a restart). */
export function modeClient(mode: ArtifactMode, options: ClientOptions = {}): MlflowClient {
  return new MlflowClient({ trackingUri: mode.trackingUri, env: stackClientEnv(mode.trackingUri), ...options });
}

/** A fresh run in a fresh experiment named `<prefix>-<uuid>`; returns its id and its key prefix in the bucket. */
export async function freshRun(client: MlflowClient, prefix: string): Promise<{ runId: string; artifactUri: string; keyPrefix: string }> {
  const experimentId = await client.experiments.create({ name: uniqueName(prefix) });
  const run = await client.runs.create({ experiment_id: experimentId });
  const uri = run.info.artifact_uri;
  const keyPrefix = uri.replace(/^s3:\/\/[^/]+\//, "").replace(/^mlflow-artifacts:\//, "");
  return { runId: run.info.run_id, artifactUri: uri, keyPrefix };
}

/** A raw S3 client on the stack's server, to look into buckets. */
export function inspectionS3(): S3Client {
  return new S3Client({
    endpoint: stackEnv("MLFLOW_S3_ENDPOINT_URL"),
    region: stackEnv("AWS_DEFAULT_REGION"),
    forcePathStyle: true,
    credentials: { accessKeyId: stackEnv("AWS_ACCESS_KEY_ID"), secretAccessKey: stackEnv("AWS_SECRET_ACCESS_KEY") },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/** Multipart uploads still open under `prefix` in `bucket`. */
export async function openMultipartUploads(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
  return (listed.Uploads ?? []).map((upload) => `${upload.Key} ${upload.UploadId}`);
}

/** sha256 (hex) of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

const exec = promisify(execFile);

/** What the upload probe measured in its own process. */
export interface ProbeResult {
  growthBytes: number;
  bytes: number;
  events: number;
  loaded: number;
  ms: number;
}

/**
 * Uploads in a fresh child process (`artifacts-upload-probe.ts`) and returns its RSS growth, so
 * that memory already held by earlier tests cannot hide what the upload needs.
 */
export async function probeUpload(
  mode: ArtifactMode,
  runId: string,
  source: { file: string } | { streamBytes: number },
  artifactFile: string,
  proxyMultipart = false,
): Promise<ProbeResult> {
  const probe = resolve(dirname(fileURLToPath(import.meta.url)), "artifacts-upload-probe.ts");
  const tsx = resolve(dirname(fileURLToPath(import.meta.url)), "../../node_modules/.bin/tsx");
  const [kind, what] = "file" in source ? ["file", source.file] : ["stream", String(source.streamBytes)];
  const { stdout } = await exec(tsx, [probe, mode.trackingUri, runId, kind, what, artifactFile, proxyMultipart ? "mpu" : ""], {
    env: { ...process.env, ...stackClientEnv(mode.trackingUri), NODE_NO_WARNINGS: "1" },
    timeout: 600_000,
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as ProbeResult;
}

/**
 * Runs the Python reference client (`mlflow.artifacts.download_artifacts`, artifacts-download.py)
 * against `trackingUri` and returns `{ artifact path: sha256 }` of what it downloaded.
 */
export async function pythonDownload(trackingUri: string, runId: string, artifactPath: string, destDir: string): Promise<Record<string, string>> {
  return runPython<Record<string, string>>(
    "test/integration/artifacts-download.py",
    { run_id: runId, artifact_path: artifactPath, dst_path: destDir },
    { MLFLOW_TRACKING_URI: trackingUri },
  );
}
