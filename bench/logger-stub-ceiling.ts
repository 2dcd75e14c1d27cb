/**
 * Benchmark (b'): mlflow-ts against the raw `log-batch` loop when the server is not the noise.
 * A stub tracking server (its own process, 127.0.0.1) reads each request body and answers `{}`
 * after a fixed delay, so both clients face the same, steady server; what differs is only the
 * client's own work (buffering, batching, serialising, HTTP). Uses the workers of
 * bench/logger-ingest.ts; the table shows the median of BENCH_REPEAT rounds.
 *
 *   npx tsx bench/logger-stub-ceiling.ts
 *   BENCH_STUB_DELAY_MS=5 BENCH_POINTS=1000000 npx tsx bench/logger-stub-ceiling.ts
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const POINTS = Number(process.env.BENCH_POINTS ?? 500_000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const DELAY_MS = Number(process.env.BENCH_STUB_DELAY_MS ?? 20);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? "1,2,4").split(",").map(Number);
const INGEST = fileURLToPath(new URL("./logger-ingest.ts", import.meta.url));
const RUN_ID = "0123456789abcdef0123456789abcdef";

// The stub: answers runs/get and runs/update (for startRun/end) and log-batch after DELAY_MS.
const STUB = `
const http = require("node:http");
const info = { run_id: "${RUN_ID}", experiment_id: "0", status: "RUNNING", artifact_uri: "", lifecycle_stage: "active" };
const server = http.createServer((req, res) => {
  req.on("data", () => undefined);
  req.on("end", () => {
    const reply = req.url.includes("/runs/get") ? { run: { info } } : req.url.includes("/runs/update") ? { run_info: info } : {};
    setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(reply)), req.url.includes("log-batch") ? ${DELAY_MS} : 0);
  });
});
server.keepAliveTimeout = 5000;
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

function startStub(): Promise<{ child: ChildProcess; uri: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["-e", STUB], { stdio: ["ignore", "pipe", "inherit"] });
    child.stdout!.setEncoding("utf8").once("data", (port: string) => resolve({ child, uri: `http://127.0.0.1:${port.trim()}` }));
  });
}

function worker(kind: "ours" | "raw", uri: string, concurrency: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", INGEST, "worker", kind, uri, RUN_ID, String(POINTS), String(concurrency)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`${kind} worker exited with ${code}`));
      const result = JSON.parse(out.trim().split("\n").at(-1)!) as { points: number; seconds: number };
      resolve(result.points / result.seconds);
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const fmt = (n: number): string => n.toLocaleString("en-US", { maximumFractionDigits: 0 });

const { child, uri } = await startStub();
try {
  console.log(
    `\nmlflow-ts vs the raw log-batch loop against a stub server answering after ${DELAY_MS} ms — node ${process.version}, ${fmt(POINTS)} points, median of ${REPEAT}\n`,
  );
  console.log("| concurrency | raw loop points/s | mlflow-ts points/s | mlflow-ts ÷ raw |");
  console.log("|---:|---:|---:|---:|");
  for (const c of CONCURRENCY) {
    const raw: number[] = [];
    const ours: number[] = [];
    for (let round = 0; round < REPEAT; round++) {
      raw.push(await worker("raw", uri, c));
      ours.push(await worker("ours", uri, c));
    }
    console.log(`| ${c} | ${fmt(median(raw))} | ${fmt(median(ours))} | ${((100 * median(ours)) / median(raw)).toFixed(1)} % |`);
  }
} finally {
  child.kill();
}
