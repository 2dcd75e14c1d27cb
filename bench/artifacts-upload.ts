/**
 * One timed upload by mlflow-ts, run in its own process by `bench/artifacts.ts` so that its peak
 * RSS is its own. Prints one JSON line: seconds, bytes, peak RSS and RSS growth (MiB), CPU seconds.
 *
 * Usage: tsx bench/artifacts-upload.ts <runId> <localPath> <artifactPath>
 * Environment: MLFLOW_TRACKING_URI, MLFLOW_S3_ENDPOINT_URL, AWS_* (as for any client);
 * MLFLOW_TS_BENCH_QUEUE_SIZE and MLFLOW_TS_BENCH_PART_MIB override s3.queueSize / s3.partSizeBytes.
 */
import { MlflowClient } from "../src/index.js";

const MiB = 1024 * 1024;
const [runId, localPath, artifactPath] = process.argv.slice(2) as [string, string, string];
const queueSize = Number(process.env.MLFLOW_TS_BENCH_QUEUE_SIZE) || undefined;
const partSizeBytes = Number(process.env.MLFLOW_TS_BENCH_PART_MIB) * MiB || undefined;
const client = new MlflowClient({ s3: { queueSize, partSizeBytes } });
// Load the S3 SDK and open a socket first, as Python's first call does before its timer starts.
await client.artifacts.uploadData(runId, "warm-up", `${artifactPath}-warm-up.txt`);

const baseline = process.memoryUsage().rss;
let peak = baseline;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
const cpuBefore = process.cpuUsage();
const started = process.hrtime.bigint();
const result = await client.artifacts.upload(runId, localPath, { artifactPath });
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpuBefore);
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage().rss);
console.log(
  JSON.stringify({
    seconds,
    bytes: result.bytes,
    files: result.paths.length,
    peakRssMiB: Math.max(peak, process.resourceUsage().maxRSS * 1024) / MiB,
    growthMiB: (peak - baseline) / MiB,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  }),
);
await client.close();
