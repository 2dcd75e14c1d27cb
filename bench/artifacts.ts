/**
 * Artifact upload benchmark, mlflow-ts against the reference Python client (MLflow's
 * `log_artifact`/`log_artifacts`, i.e. boto3 `upload_file`), side by side in one run, to the same
 * S3 server through the same MLflow tracking server (direct S3 mode).
 *
 * Cases: one 1 GiB file, and a directory of 1,000 × 100 KiB files. Each upload runs in a fresh
 * process (so peak RSS is its own); the two clients alternate, `--reps` times each; the table shows
 * the median throughput, their ratio, and the largest peak RSS.
 *
 * Usage: npx tsx bench/artifacts.ts [--reps 3] [--file-mib 1024] [--files 1000] [--file-kib 100]
 *          [--cases file,dir] [--queue-size N] [--part-mib N]   (the last two tune mlflow-ts only)
 *          [--sides ours,python]   (scripts/bench-compare.sh runs `ours` alone, in two trees)
 * Settings come from .stack/env.json (scripts/stack/up) unless MLFLOW_TRACKING_URI etc. are set.
 * This is not a test: it prints a table, then the JSON result line (bench/result-line.ts), and exits 0.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { MlflowClient } from "../src/index.js";
import { writeSeededFile } from "./artifacts-data.js";
import { type BenchMetric, printResultLine } from "./result-line.js";

const exec = promisify(execFile);
const MiB = 1024 * 1024;
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");

interface Measurement {
  seconds: number;
  bytes: number;
  files: number;
  peakRssMiB: number;
  growthMiB: number;
  /** User + system CPU time of the upload, seconds. */
  cpuSeconds: number;
}

interface Case {
  name: string;
  localPath: string;
  bytes: number;
  /** Memory bound of one file's upload: (queueSize + 1) × part size + 32 MiB; none for many small files. */
  boundMiB: number | undefined;
}

const { values: args } = parseArgs({
  options: {
    reps: { type: "string", default: "3" },
    "file-mib": { type: "string", default: "1024" },
    files: { type: "string", default: "1000" },
    "file-kib": { type: "string", default: "100" },
    cases: { type: "string", default: "file,dir" },
    "queue-size": { type: "string" },
    "part-mib": { type: "string" },
    sides: { type: "string", default: "ours,python" },
  },
});
const sides = (args.sides ?? "").split(",").filter((side): side is "ours" | "python" => side === "ours" || side === "python");
if (sides.length === 0 || sides.length !== (args.sides ?? "").split(",").length)
  throw new Error(`--sides is "${args.sides}", not a list of ours and python. Fix: pass --sides ours, --sides python or --sides ours,python.`);

const env = stackEnvironment();
const reps = Number(args.reps);
const work = await mkdtemp(join(tmpdir(), "mlflow-ts-bench-"));
try {
  const cases = await prepareData(work);
  const client = new MlflowClient({ trackingUri: env.MLFLOW_TRACKING_URI, env });
  const experimentId = await client.experiments.create({ name: `bench-artifacts-${randomUUID()}` });
  const results = new Map<string, { ours: Measurement[]; python: Measurement[] }>();
  for (const benchCase of cases) {
    const entry = { ours: [] as Measurement[], python: [] as Measurement[] };
    results.set(benchCase.name, entry);
    for (let rep = 0; rep < reps; rep++) {
      for (const side of rep % 2 === 0 ? sides : [...sides].reverse()) {
        const run = await client.runs.create({ experiment_id: experimentId, run_name: `${benchCase.name}-${side}-${rep}` });
        const measured = await measure(side, run.info.run_id, benchCase);
        await client.artifacts.delete(run.info.run_id, ""); // keep the S3 server from filling up
        entry[side].push(measured);
        console.error(
          `${benchCase.name} ${side} #${rep + 1}: ${(benchCase.bytes / MiB / measured.seconds).toFixed(1)} MiB/s, CPU ${measured.cpuSeconds.toFixed(1)} s, peak RSS ${measured.peakRssMiB.toFixed(0)} MiB`,
        );
      }
    }
  }
  await client.close();
  console.log(await report(cases, results));
  printResultLine("artifacts", resultMetrics(cases, results));
} finally {
  await rm(work, { recursive: true, force: true });
}

function stackEnvironment(): Record<string, string> {
  const file = resolve(root, ".stack/env.json");
  const stack = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, string>) : {};
  const pick = (key: string): string => process.env[key] ?? stack[key] ?? "";
  return {
    MLFLOW_TRACKING_URI: pick("MLFLOW_TRACKING_URI"),
    MLFLOW_S3_ENDPOINT_URL: pick("MLFLOW_S3_ENDPOINT_URL"),
    AWS_ACCESS_KEY_ID: pick("AWS_ACCESS_KEY_ID"),
    AWS_SECRET_ACCESS_KEY: pick("AWS_SECRET_ACCESS_KEY"),
    AWS_DEFAULT_REGION: pick("AWS_DEFAULT_REGION") || "us-east-1",
    STACK_PYTHON: pick("STACK_PYTHON") || "python3",
    STACK_S3_SERVER: pick("STACK_S3_SERVER") || "unknown",
    HOME: process.env.HOME ?? tmpdir(),
    PATH: process.env.PATH ?? "",
  };
}

async function prepareData(directory: string): Promise<Case[]> {
  const wanted = (args.cases ?? "file,dir").split(",");
  const fileBytes = Number(args["file-mib"]) * MiB;
  const big = join(directory, "big.bin");
  if (wanted.includes("file")) await writeSeededFile(big, fileBytes, "bench-big");
  const tree = join(directory, "tree");
  const count = wanted.includes("dir") ? Number(args.files) : 0;
  const each = Number(args["file-kib"]) * 1024;
  for (let i = 0; i < count; i++) {
    const sub = join(tree, `d${i % 10}`);
    await mkdir(sub, { recursive: true });
    await writeSeededFile(join(sub, `f${String(i).padStart(4, "0")}.bin`), each, `bench-${i}`);
  }
  const queue = Number(args["queue-size"] ?? 4);
  const part = Number(args["part-mib"] ?? 8);
  const cases: Case[] = [
    { name: `1 file × ${fileBytes / MiB} MiB`, localPath: big, bytes: fileBytes, boundMiB: (queue + 1) * part + 32 },
    { name: `${count} files × ${each / 1024} KiB`, localPath: tree, bytes: count * each, boundMiB: undefined },
  ];
  return cases.filter((_, index) => wanted.includes(index === 0 ? "file" : "dir"));
}

async function measure(side: "ours" | "python", runId: string, benchCase: Case): Promise<Measurement> {
  const tuning = { MLFLOW_TS_BENCH_QUEUE_SIZE: args["queue-size"] ?? "", MLFLOW_TS_BENCH_PART_MIB: args["part-mib"] ?? "" };
  const childEnv = { ...env, ...tuning, NODE_NO_WARNINGS: "1", PYTHONWARNINGS: "ignore" };
  const [command, argv] =
    side === "ours"
      ? [resolve(root, "node_modules/.bin/tsx"), [resolve(here, "artifacts-upload.ts"), runId, benchCase.localPath, "bench"]]
      : [env.STACK_PYTHON!, [resolve(here, "python/artifacts_bench.py"), runId, benchCase.localPath, "bench"]];
  const { stdout } = await exec(command, argv, { env: childEnv, timeout: 30 * 60_000, maxBuffer: 4 * MiB });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as Measurement;
}

/** The headline figures of mlflow-ts per case: median MiB/s and the largest peak RSS. */
function resultMetrics(cases: Case[], results: Map<string, { ours: Measurement[]; python: Measurement[] }>): Record<string, BenchMetric> {
  const metrics: Record<string, BenchMetric> = {};
  for (const benchCase of cases) {
    const { ours } = results.get(benchCase.name)!;
    if (ours.length === 0) continue;
    metrics[`MiBPerSecond(${benchCase.name})`] = { value: benchCase.bytes / MiB / median(ours.map((m) => m.seconds)), better: "higher" };
    metrics[`peakRssMiB(${benchCase.name})`] = { value: Math.max(...ours.map((m) => m.peakRssMiB)), better: "lower" };
  }
  return metrics;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function report(cases: Case[], results: Map<string, { ours: Measurement[]; python: Measurement[] }>): Promise<string> {
  const lines = [
    "| Case | mlflow-ts MiB/s (median) | Python MiB/s (median) | Ratio | mlflow-ts CPU s | Python CPU s | mlflow-ts peak RSS | Python peak RSS | mlflow-ts RSS growth (max) | Bound |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const benchCase of cases) {
    const { ours, python } = results.get(benchCase.name)!;
    // A side that did not run (--sides) shows as "—".
    const show = (runs: Measurement[], figure: (runs: Measurement[]) => number, digits: number, unit = "") =>
      runs.length === 0 ? "—" : `${figure(runs).toFixed(digits)}${unit}`;
    const rate = (runs: Measurement[]) => benchCase.bytes / MiB / median(runs.map((m) => m.seconds));
    const cpu = (runs: Measurement[]) => median(runs.map((m) => m.cpuSeconds));
    const peak = (runs: Measurement[]) => Math.max(...runs.map((m) => m.peakRssMiB));
    const growth = (runs: Measurement[]) => Math.max(...runs.map((m) => m.growthMiB));
    const ratio = ours.length > 0 && python.length > 0 ? `${(rate(ours) / rate(python)).toFixed(2)}×` : "—";
    const bound =
      benchCase.boundMiB === undefined || ours.length === 0
        ? "n/a"
        : `${benchCase.boundMiB} MiB ${growth(ours) <= benchCase.boundMiB ? "(within)" : "(EXCEEDED)"}`;
    lines.push(
      `| ${benchCase.name} | ${show(ours, rate, 1)} | ${show(python, rate, 1)} | ${ratio} | ${show(ours, cpu, 1)} | ${show(python, cpu, 1)} | ` +
        `${show(ours, peak, 0, " MiB")} | ${show(python, peak, 0, " MiB")} | ${show(ours, growth, 0, " MiB")} | ${bound} |`,
    );
  }
  const tuning =
    args["queue-size"] || args["part-mib"] ? ` mlflow-ts tuned: queueSize ${args["queue-size"] ?? 4}, part size ${args["part-mib"] ?? "auto"} MiB.` : "";
  return [
    `Artifact upload benchmark, ${reps} runs per client and case (median throughput; peak RSS = largest of the runs).${tuning}`,
    "",
    ...lines,
    "",
    await machine(),
  ].join("\n");
}

async function machine(): Promise<string> {
  const versions = await exec(env.STACK_PYTHON!, ["-c", "import sys, mlflow, boto3; print(sys.version.split()[0], mlflow.__version__, boto3.__version__)"], {
    env: { ...env, PYTHONWARNINGS: "ignore" },
  }).then(
    ({ stdout }) => stdout.trim().split(" "),
    () => ["?", "?", "?"],
  );
  const sdk = (JSON.parse(readFileSync(resolve(root, "node_modules/@aws-sdk/client-s3/package.json"), "utf8")) as { version: string }).version;
  return [
    `Machine: ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM; S3 server: ${env.STACK_S3_SERVER} on loopback.`,
    `mlflow-ts: Node ${process.version}, @aws-sdk/client-s3 ${sdk}. Python ${versions[0]}, mlflow ${versions[1]}, boto3 ${versions[2]}.`,
  ].join("\n");
}
