/**
 * A tracking server that takes artifacts by presigned URLs only (MLflow 3.18+, `mlflow server
 * --artifacts-presigned-only`): it refuses proxied bytes both ways, so clients upload by the
 * multipart API (presigned parts, even for an empty file) and download by the URL it signs.
 * The test starts such a server from the version under test's own venv, on the stack's PostgreSQL
 * database and proxied bucket, uploads through the SDK without any S3 credentials, and has that
 * version's Python client read everything back. On a server before 3.18 the option does not exist,
 * which the test checks instead (the SDK's gate, artifacts/proxy-transfer-mode.ts, says 3.18).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PRESIGNED_TRANSFERS_SINCE } from "../../src/artifacts/proxy-transfer-mode.js";
import { MlflowClient } from "../../src/index.js";
import { releasedBefore } from "../../src/protocol/server-features.js";
import { runPython } from "./support/python.js";
import { stackEnv, uniqueName } from "./support/stack.js";

const exec = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), "mlflow-ts-presigned-"));
const version = stackEnv("STACK_MLFLOW_VERSION");
const hasPresignedOnly = releasedBefore(version, PRESIGNED_TRANSFERS_SINCE) === false;
const mlflowBin = join(dirname(stackEnv("STACK_PYTHON")), "mlflow");
/** Longest the server may take to answer /health: a loaded machine starts MLflow in 10–60 s. */
const START_TIMEOUT_MS = 150_000;

let server: ChildProcess | undefined;
let serverLog = "";
let trackingUri = "";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function waitForHealth(uri: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server?.exitCode !== null) throw new Error(`the presigned-only server exited during start-up:\n${serverLog.slice(-3000)}`);
    const ok = await fetch(`${uri}/health`, { signal: AbortSignal.timeout(2000) }).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the presigned-only server did not answer /health within ${START_TIMEOUT_MS} ms:\n${serverLog.slice(-3000)}`);
}

const sha = (data: Buffer): string => createHash("sha256").update(data).digest("hex");

describe(`a presigned-only server (MLflow ${PRESIGNED_TRANSFERS_SINCE}+ --artifacts-presigned-only)`, () => {
  beforeAll(async () => {
    if (!hasPresignedOnly) return;
    const port = await freePort();
    trackingUri = `http://127.0.0.1:${port}`;
    server = spawn(
      mlflowBin,
      [
        "server",
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        "--workers",
        "1",
        // the version's own database, shared with its other servers (as servers behind one load balancer share it)
        "--backend-store-uri",
        // psycopg2 by name: SQLAlchemy 2.1's default PostgreSQL driver is psycopg 3, which the venvs do not have
        stackEnv("STACK_PG_URI").replace(/^postgresql:/, "postgresql+psycopg2:"),
        "--serve-artifacts",
        "--artifacts-destination",
        `s3://${stackEnv("STACK_BUCKET_PROXIED")}/presigned-only`,
        "--artifacts-presigned-only",
      ],
      {
        env: {
          PATH: process.env.PATH ?? "",
          HOME: scratch,
          MLFLOW_S3_ENDPOINT_URL: stackEnv("MLFLOW_S3_ENDPOINT_URL"),
          AWS_ACCESS_KEY_ID: stackEnv("AWS_ACCESS_KEY_ID"),
          AWS_SECRET_ACCESS_KEY: stackEnv("AWS_SECRET_ACCESS_KEY"),
          AWS_DEFAULT_REGION: stackEnv("AWS_DEFAULT_REGION"),
          MLFLOW_DISABLE_TELEMETRY: "true",
          DO_NOT_TRACK: "true",
        },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      },
    );
    const keep = (chunk: Buffer): void => {
      serverLog = (serverLog + chunk.toString()).slice(-20_000);
    };
    server.stdout?.on("data", keep);
    server.stderr?.on("data", keep);
    await waitForHealth(trackingUri);
  }, START_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    if (server?.pid !== undefined && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once("exit", resolve));
      process.kill(-server.pid, "SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (server.exitCode === null) process.kill(-server.pid, "SIGKILL");
    }
    rmSync(scratch, { recursive: true, force: true });
  });

  it("refuses proxied bytes; the SDK, with no S3 credentials, uploads files, an empty file, bytes and a folder by presigned multipart, downloads them by presigned URLs, and Python reads them back byte for byte (before 3.18: the option does not exist)", async () => {
    if (!hasPresignedOnly) {
      const help = await exec(mlflowBin, ["server", "--help"], { timeout: 120_000, env: { PATH: process.env.PATH ?? "", HOME: scratch } });
      expect(help.stdout).toContain("--serve-artifacts");
      expect(help.stdout).not.toContain("--artifacts-presigned-only");
      return;
    }
    // No AWS_* and no MLFLOW_S3_ENDPOINT_URL: everything goes through URLs the server signs.
    const client = new MlflowClient({ trackingUri, env: { HOME: scratch, MLFLOW_TS_JOURNAL_DIR: join(scratch, "journal") } });
    try {
      const info = await client.server.info();
      expect(info?.artifacts_presigned_only).toBe(true);
      const experimentId = await client.experiments.create({ name: uniqueName("presigned-only") });
      const run = await client.runs.create({ experiment_id: experimentId });
      const runId = run.info.run_id;
      expect(run.info.artifact_uri).toMatch(/^mlflow-artifacts:\//);

      // The server's own refusal of a proxied PUT, as an old client meets it.
      const refused = await fetch(`${trackingUri}/api/2.0/mlflow-artifacts/artifacts/${run.info.artifact_uri.replace("mlflow-artifacts:/", "")}/probe.txt`, {
        method: "PUT",
        body: "x",
        signal: AbortSignal.timeout(10_000),
      });
      expect(refused.status).toBe(403);

      const big = Buffer.alloc(3 * 1024 * 1024 + 17);
      for (let i = 0; i < big.length; i++) big[i] = (i * 131 + 7) % 251;
      const folder = join(scratch, "model");
      mkdirSync(join(folder, "sub"), { recursive: true });
      writeFileSync(join(folder, "weights.bin"), big);
      writeFileSync(join(folder, "sub", "config.json"), '{"layers":3}');
      writeFileSync(join(folder, "EMPTY"), "");
      await client.artifacts.upload(runId, folder, { artifactPath: "model" });
      await client.artifacts.uploadData(runId, "accuracy 0.91\n", "eval/summary.txt");

      const expected: Record<string, string> = {
        "model/weights.bin": sha(big),
        "model/sub/config.json": sha(Buffer.from('{"layers":3}')),
        "model/EMPTY": sha(Buffer.alloc(0)),
        "eval/summary.txt": sha(Buffer.from("accuracy 0.91\n")),
      };
      const listed = await client.artifacts.list(runId, "model");
      expect(listed.map((f) => [f.path, f.is_dir ? "dir" : f.file_size])).toEqual([
        ["model/EMPTY", 0],
        ["model/sub", "dir"],
        ["model/weights.bin", big.length],
      ]);

      const dest = join(scratch, "download");
      await client.artifacts.download(runId, "", dest);
      for (const [path, digest] of Object.entries(expected)) expect({ path, sha: sha(readFileSync(join(dest, path))) }).toEqual({ path, sha: digest });

      const python = await runPython<{ results: { files: Record<string, string> | null; error: string | null }[] }>(
        "test/conformance/python/download_trees.py",
        { uris: [`runs:/${runId}/`], dest: join(scratch, "python") },
        { MLFLOW_TRACKING_URI: trackingUri, AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "", MLFLOW_S3_ENDPOINT_URL: "" },
      );
      expect(python.results[0]!.error).toBeNull();
      expect(python.results[0]!.files).toEqual(expected);
    } finally {
      await client.close();
    }
  }, 300_000);
});
