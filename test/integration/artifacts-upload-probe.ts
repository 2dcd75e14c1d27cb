/**
 * Child process of the artifact memory tests: measures the RSS growth of one upload in a fresh
 * process, so earlier tests cannot hide it. Prints one JSON line.
 *
 * Usage: tsx artifacts-upload-probe.ts <trackingUri> <runId> <file|stream> <path-or-size> <artifactFile> [proxyMultipart]
 * The stack's settings come from the environment (MLFLOW_S3_ENDPOINT_URL, AWS_*).
 */

import { seededStream } from "../../bench/artifacts-data.js";
import { MlflowClient } from "../../src/index.js";

const [trackingUri, runId, kind, what, artifactFile, proxyMultipart] = process.argv.slice(2) as [string, string, "file" | "stream", string, string, string?];
const client = new MlflowClient({ trackingUri, artifacts: { proxyMultipartUpload: proxyMultipart === "mpu" } });
await client.artifacts.uploadData(runId, Buffer.alloc(6 * 1024 * 1024), `${artifactFile}.warm-up`);

const start = process.memoryUsage().rss;
let peak = start;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
let events = 0;
let loaded = 0;
const onProgress = (p: { loadedBytes: number }): void => {
  events++;
  loaded = p.loadedBytes;
};
const began = Date.now();
const result =
  kind === "file"
    ? await client.artifacts.upload(runId, what, { artifactPath: artifactFile.split("/").slice(0, -1).join("/") || undefined, onProgress })
    : await client.artifacts.uploadData(runId, seededStream(Number(what), "stream"), artifactFile, { onProgress });
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage().rss);
console.log(JSON.stringify({ growthBytes: peak - start, bytes: result.bytes, events, loaded, ms: Date.now() - began }));
await client.close();
