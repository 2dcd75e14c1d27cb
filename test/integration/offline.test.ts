/**
 * Offline mode end to end on the real stack: a training process with the environment of a job
 * that logs to the direct server (with credentials in its tracking URI) plus MLFLOW_TS_OFFLINE=true
 * logs params, tags, a 5,000-point history and an artifact; PostgreSQL then holds nothing of it,
 * and nothing it wrote shows the credentials. `mlflow-ts sync --offline` (the built command, with
 * MLFLOW_TS_OFFLINE still set) delivers the run: PostgreSQL holds it exactly once under a new id
 * carrying the offline id, the Python client reads back every point, param, tag and the artifact's
 * bytes; a second sync sends nothing and `recover --list` shows nothing waiting. A malformed
 * MLFLOW_TS_OFFLINE stops the job at its first call, naming the key, the rule and the fix.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AbortError } from "../../src/index.js";
import { type OfflineSyncReport, syncOfflineStores } from "../../src/sync/sync-offline.js";
import { ensureCliBuilt, runBuiltCli } from "./support/cli.js";
import { runPython } from "./support/python.js";
import { serverUri, stackClientEnv, stackEnv, uniqueName } from "./support/stack.js";

const TRAINING = fileURLToPath(new URL("./fixtures/offline-training.ts", import.meta.url));
/** Longest the training child may run. */
const CHILD_LIMIT_MS = 120_000;
const SECRET = "offline-secret-pw";

interface Rows {
  metrics: Record<string, number>;
  params: Record<string, string>;
  tags: Record<string, string>;
  status: string;
  steps: Record<string, number[]>;
}

interface PythonRun {
  info: { run_id: string; status: string; run_name: string };
  params: Record<string, string>;
  tags: Record<string, string>;
  histories: Record<string, { step: number; value: number; timestamp: number }[]>;
}

let dir: string;
let offlineDir: string;
let artifact: string;
const experimentName = uniqueName("offline");

beforeAll(async () => {
  ensureCliBuilt();
  dir = await mkdtemp(join(tmpdir(), "mlflow-ts-offline-it-"));
  offlineDir = join(dir, "offline");
  artifact = join(dir, "weights.bin");
  await writeFile(artifact, randomBytes(64 * 1024));
}, 360_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the training process; resolves its exit code, stdout and stderr. */
function train(env: Record<string, string>, experiment = experimentName): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", TRAINING, experiment, artifact], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: CHILD_LIMIT_MS,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function serverRows(experiment = experimentName): Promise<{ experiments: number; runs: Record<string, Rows> }> {
  return runPython("test/integration/run-rows.py", { experiment_name: experiment, pg_uri: stackEnv("STACK_PG_URI"), steps: true });
}

async function listFiles(root: string): Promise<string[]> {
  return (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe("offline mode (MLFLOW_TS_OFFLINE) on the real stack", () => {
  it("logs offline with nothing on the server, then sync --offline delivers everything exactly once, and a second sync sends nothing", async () => {
    const server = serverUri("direct");
    const withCredentials = server.replace("://", `://ada:${SECRET}@`);
    const jobEnv = { ...stackClientEnv(withCredentials), MLFLOW_TS_OFFLINE: "true", MLFLOW_TS_OFFLINE_DIR: offlineDir };

    const { code, stdout, stderr } = await train(jobEnv);
    expect(code, stderr).toBe(0);
    const offlineRunId = /^run (\w{32})$/m.exec(stdout)?.[1];
    expect(offlineRunId, stdout).toBeDefined();
    expect(stderr).toMatch(
      new RegExp(`^mlflow-ts: run ${offlineRunId} is offline \\(MLFLOW_TS_OFFLINE=true\\): kept in ${offlineDir}/\\S+ for ${server}; nothing is sent\\.`, "m"),
    );
    expect(stderr).not.toContain(SECRET);
    // Nothing reached the server: PostgreSQL has no such experiment.
    expect(await serverRows()).toEqual({ experiments: 0, runs: {} });
    // What offline mode wrote names the server, never its credentials.
    for (const file of await listFiles(offlineDir)) {
      expect(file).not.toContain(SECRET);
      expect((await readFile(file)).includes(SECRET), file).toBe(false);
    }

    // MLFLOW_TS_OFFLINE still set in the shell: sync forces its target online.
    const syncEnv = { ...stackClientEnv(server), MLFLOW_TS_OFFLINE: "true", MLFLOW_TS_OFFLINE_DIR: offlineDir };
    const first = await runBuiltCli(["sync", "--offline", "--json"], syncEnv);
    expect(first.code, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout) as OfflineSyncReport;
    expect(report.ok).toBe(true);
    expect(report.stores).toHaveLength(1);
    const store = report.stores[0]!;
    expect(store).toMatchObject({ trackingUri: server, marked: 1 });
    expect(store.report!.runs).toMatchObject([{ sourceRunId: offlineRunId, action: "copy", outcome: "done", metricPoints: 5000, artifactFiles: 1 }]);
    const serverRunId = store.report!.runs[0]!.targetRunId!;
    expect(serverRunId).not.toBe(offlineRunId);

    // Exactly once in PostgreSQL: one experiment, one run, 5,000 rows, every step once.
    const delivered = await serverRows();
    expect(delivered.experiments).toBe(1);
    expect(Object.keys(delivered.runs)).toEqual([serverRunId]);
    const rows = delivered.runs[serverRunId]!;
    expect(rows.status).toBe("FINISHED");
    expect(rows.metrics).toEqual({ loss: 5000 });
    expect(rows.steps.loss).toEqual(Array.from({ length: 5000 }, (_, step) => step));
    expect(rows.params).toEqual({ lr: "0.001", layers: "3" });
    expect(rows.tags).toMatchObject({ team: "vision", phase: "trained", "mlflow.runName": "offline-training", "mlflow-ts.sync.sourceRunId": offlineRunId });

    // The reference client reads it back: history, params, tags, and the artifact's bytes.
    const { runs } = await runPython<{ runs: PythonRun[] }>("test/conformance/python/read_run.py", { run_ids: [serverRunId], history_keys: ["loss"] });
    const read = runs[0]!;
    expect(read.info).toMatchObject({ run_id: serverRunId, status: "FINISHED", run_name: "offline-training" });
    expect(read.params).toEqual({ lr: "0.001", layers: "3" });
    expect(read.tags).toMatchObject({ team: "vision", phase: "trained" });
    expect(read.histories.loss).toHaveLength(5000);
    expect(read.histories.loss![4999]).toMatchObject({ step: 4999, value: 1 / 5000, timestamp: 1.7e12 + 4999 });
    const downloaded = await runPython<Record<string, string>>("test/integration/artifacts-download.py", {
      run_id: serverRunId,
      artifact_path: "model",
      dst_path: join(dir, "download"),
    });
    expect(downloaded).toEqual({
      "model/weights.bin": createHash("sha256")
        .update(await readFile(artifact))
        .digest("hex"),
    });

    // A second sync sends nothing, and nothing waits any more.
    const second = await runBuiltCli(["sync", "--offline", "--json"], syncEnv);
    expect(second.code, second.stderr).toBe(0);
    const again = (JSON.parse(second.stdout) as OfflineSyncReport).stores[0]!;
    expect(again.report!.runs).toMatchObject([{ sourceRunId: offlineRunId, targetRunId: serverRunId, action: "skip", outcome: "skipped" }]);
    expect(again.report!.totals).toMatchObject({ metricPoints: 0, params: 0, tags: 0, artifactFiles: 0, runsCopied: 0 });
    expect(again.marked).toBe(0);
    const after = await serverRows();
    expect(Object.keys(after.runs)).toEqual([serverRunId]);
    expect(after.runs[serverRunId]!.metrics).toEqual({ loss: 5000 });
    const listed = await runBuiltCli(["recover", "--list", "--dir", join(dir, "journal")], syncEnv);
    expect(listed.stdout).toContain("No offline run waits for delivery (1 offline run already delivered).");
  }, 300_000);

  it("stops a job with MLFLOW_TS_OFFLINE=maybe, naming the key, the rule and the fix, before anything is logged", async () => {
    const experiment = uniqueName("offline-maybe");
    const env = { ...stackClientEnv(serverUri("direct")), MLFLOW_TS_OFFLINE: "maybe", MLFLOW_TS_OFFLINE_DIR: join(dir, "bad") };
    const { code, stderr } = await train(env, experiment);
    expect(code).not.toBe(0);
    expect(stderr).toContain('MLFLOW_TS_OFFLINE must be one of true, false, 1, 0; got "maybe". Fix: set MLFLOW_TS_OFFLINE=true or unset it.');
    expect(await serverRows(experiment)).toEqual({ experiments: 0, runs: {} });
  }, 180_000);

  it("resumes a delivery interrupted after the history was sent, with every point still once", async () => {
    const server = serverUri("direct");
    const experiment = uniqueName("offline-resume");
    const resumeDir = join(dir, "offline-resume");
    const trained = await train(
      { ...stackClientEnv(server), MLFLOW_TS_OFFLINE: "true", MLFLOW_TS_OFFLINE_DIR: resumeDir, MLFLOW_TS_QUIET_OFFLINE: "true" },
      experiment,
    );
    expect(trained.code, trained.stderr).toBe(0);
    const offlineRunId = /^run (\w{32})$/m.exec(trained.stdout)?.[1];

    const controller = new AbortController();
    await expect(
      syncOfflineStores({
        dir: resumeDir,
        env: stackClientEnv(server),
        signal: controller.signal,
        onProgress: (event) => {
          if (event.type === "run-step" && event.step === "metrics") controller.abort();
        },
      }),
    ).rejects.toThrow(AbortError);
    const cut = Object.values((await serverRows(experiment)).runs);
    expect(cut).toHaveLength(1);
    expect(cut[0]!.tags).toMatchObject({ "mlflow-ts.sync.state": "incomplete", "mlflow-ts.sync.sourceRunId": offlineRunId });
    const waiting = await runBuiltCli(["recover", "--list", "--dir", join(dir, "journal")], { ...stackClientEnv(server), MLFLOW_TS_OFFLINE_DIR: resumeDir });
    expect(waiting.stdout).toContain("1 offline run waits for delivery. Run: mlflow-ts sync --offline");

    const resumed = await runBuiltCli(["sync", "--offline", "--json"], { ...stackClientEnv(server), MLFLOW_TS_OFFLINE_DIR: resumeDir });
    expect(resumed.code, resumed.stderr).toBe(0);
    const store = (JSON.parse(resumed.stdout) as OfflineSyncReport).stores[0]!;
    expect(store.report!.runs).toMatchObject([{ sourceRunId: offlineRunId, action: "resume", outcome: "done" }]);
    expect(store.marked).toBe(1);
    const rows = await serverRows(experiment);
    expect(Object.keys(rows.runs)).toHaveLength(1);
    const run = Object.values(rows.runs)[0]!;
    expect(run.status).toBe("FINISHED");
    expect(run.tags["mlflow-ts.sync.state"]).toBe("complete");
    expect(run.metrics).toEqual({ loss: 5000 });
    expect(run.steps.loss).toEqual(Array.from({ length: 5000 }, (_, step) => step));
  }, 300_000);
});
