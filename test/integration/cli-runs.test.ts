/**
 * A run driven from a shell, as a multi-step CI job drives it: each step a separate `bash -c` with
 * the BUILT `mlflow-ts` command, the run id passed from step to step in MLFLOW_RUN_ID through an
 * env file (what `$GITHUB_ENV` does between the steps of a GitHub Actions job). Five steps —
 * `eval "$(mlflow-ts runs create --export)"`, JSON lines piped to `runs log-batch`, `artifacts log`,
 * `runs end`, `runs describe --json` — then what the server stored, counted in PostgreSQL and read
 * back by MLflow's Python client: every entry once, the artifact, the run FINISHED. Bad input on
 * the real server: malformed lines (named by number, the others stored), an unknown status and a
 * missing run id (usage errors, exit 2, nothing changed).
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MlflowClient } from "../../src/index.js";
import { ensureCliBuilt } from "./support/cli.js";
import { runPython } from "./support/python.js";
import { serverUri, stackClient, stackClientEnv, stackEnv, uniqueName } from "./support/stack.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = join(ROOT, "dist/cli/main.js");
/** Longest one step may run before it is killed. */
const STEP_TIMEOUT_MS = 120_000;

interface StepOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunRows {
  metrics: Record<string, number>;
  params: Record<string, string>;
  tags: Record<string, string>;
  status: string;
  steps: Record<string, number[]>;
}

interface Readback {
  status: string;
  end_time: number | null;
  params: Record<string, string>;
  tags: Record<string, string>;
  histories: Record<string, [number, number | string][]>;
  artifacts: Record<string, string>;
}

let client: MlflowClient;
let work: string;
const experimentName = uniqueName("cli-runs");

/**
 * One CI step: `script` in a fresh `bash -c` where `mlflow-ts` is the built command, with the
 * stack's client environment, the experiment, and the variables the earlier steps appended to
 * `envFile` (NAME=value lines, as `$GITHUB_ENV` holds them); `$STEP_ENV` names that file.
 */
async function step(script: string, envFile: string, extraEnv: Record<string, string> = {}): Promise<StepOutcome> {
  const carried = Object.fromEntries(
    (await readFile(envFile, "utf8").catch(() => ""))
      .split("\n")
      .filter((line) => line.includes("="))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: work,
    ...stackClientEnv(serverUri("direct")),
    MLFLOW_EXPERIMENT_NAME: experimentName,
    STEP_ENV: envFile,
    ...carried,
    ...extraEnv,
  };
  const prelude = `set -eo pipefail\nmlflow-ts() { "${process.execPath}" "${BIN}" "$@"; }\n`;
  return new Promise((done, fail) => {
    const child = spawn("bash", ["-c", prelude + script], { env, cwd: work, stdio: ["ignore", "pipe", "pipe"], timeout: STEP_TIMEOUT_MS });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

function runRows(runId: string): Promise<{ runs: Record<string, RunRows> }> {
  return runPython("test/integration/run-rows.py", { run_ids: [runId], pg_uri: stackEnv("STACK_PG_URI"), steps: true });
}

/** JSON lines for log-batch: 200 loss points (one NaN), -Infinity and -0, two params, a tag. */
function batchInput(): string {
  const lines: string[] = [];
  for (let step = 0; step < 200; step++) {
    const value = step === 100 ? '"NaN"' : String(1 / (step + 1));
    lines.push(`{"metric": "loss", "value": ${value}, "step": ${step}, "timestamp": ${1_733_500_000_000 + step}}`);
  }
  lines.push('{"metric": "floor", "value": "-Infinity", "step": 0}', '{"metric": "zero", "value": "-0", "step": 0}');
  lines.push('{"param": "lr", "value": "0.001"}', '{"param": "epochs", "value": 3}', '{"tag": "stage", "value": "train"}');
  return `${lines.join("\n")}\n`;
}

beforeAll(async () => {
  ensureCliBuilt();
  client = stackClient("direct");
  work = await mkdtemp(join(tmpdir(), "cli-runs-"));
}, 360_000);

afterAll(async () => {
  const experiment = await client.experiments.getByName(experimentName).catch(() => undefined);
  if (experiment) await client.experiments.delete(experiment.experiment_id).catch(() => undefined);
  await client.close();
  await rm(work, { recursive: true, force: true });
});

describe("a five-step shell job, one process per step", () => {
  it("create → log-batch from stdin → artifacts log → end → describe: everything stored once, the run FINISHED", async () => {
    const envFile = join(work, "five-step.env");
    await writeFile(join(work, "input.jsonl"), batchInput());
    await writeFile(join(work, "report.txt"), "accuracy 0.91\n");

    // Step 1: the run is created, RUNNING, and its id handed on (eval, then the env file for later steps).
    const create = await step(
      'eval "$(mlflow-ts runs create --run-name five-step --tag ci=yes --param seed=7 --export)"\necho "MLFLOW_RUN_ID=$MLFLOW_RUN_ID" >> "$STEP_ENV"',
      envFile,
    );
    expect(create.stderr).toBe("");
    expect(create.code).toBe(0);
    const runId = /^MLFLOW_RUN_ID=(\w{32})$/m.exec(await readFile(envFile, "utf8"))?.[1];
    expect(runId).toBeDefined();
    // The creating process has exited; the run stays RUNNING (no exit hook ended it).
    expect((await client.runs.get(runId!)).info.status).toBe("RUNNING");

    // Step 2: JSON lines piped in.
    const log = await step("cat input.jsonl | mlflow-ts runs log-batch", envFile);
    expect(log.stderr).toBe("");
    expect(log.stdout).toBe(`Logged 202 metric points, 2 params, 1 tag to run ${runId}.\n`);
    expect(log.code).toBe(0);

    // Step 3: an artifact, to the run MLFLOW_RUN_ID names.
    const upload = await step("mlflow-ts artifacts log report.txt --artifact-path reports", envFile);
    expect(upload.code).toBe(0);

    // Step 4: the end.
    const end = await step("mlflow-ts runs end", envFile);
    expect(end.stdout).toBe(`Run ${runId} ended FINISHED.\n`);
    expect(end.code).toBe(0);

    // Step 5: the description a later step (or a person) reads.
    const described = await step("mlflow-ts runs describe --json", envFile);
    expect(described.code).toBe(0);
    const printed = JSON.parse(described.stdout) as {
      run: { info: { status: string; artifact_uri: string } };
      metric_history: Record<string, { step: number; value: unknown }[]>;
    };
    expect(printed.run.info.status).toBe("FINISHED");
    expect(printed.metric_history.loss).toHaveLength(200);
    expect(printed.metric_history.loss![100]).toMatchObject({ step: 100, value: "NaN" });

    // PostgreSQL: every row once.
    const rows = (await runRows(runId!)).runs[runId!]!;
    expect(rows.status).toBe("FINISHED");
    expect(rows.metrics).toEqual({ loss: 200, floor: 1, zero: 1 });
    expect(rows.steps.loss).toEqual(Array.from({ length: 200 }, (_, index) => index));
    expect(rows.params).toEqual({ seed: "7", lr: "0.001", epochs: "3" });
    expect(rows.tags).toMatchObject({ ci: "yes", stage: "train", "mlflow.runName": "five-step" });

    // The Python client: the same run, values as Python would have logged them.
    const back = await runPython<Readback>("test/integration/cli-run-readback.py", { run_id: runId });
    expect(back.status).toBe("FINISHED");
    expect(back.end_time).toBeGreaterThan(0);
    expect(back.params).toEqual({ seed: "7", lr: "0.001", epochs: "3" });
    expect(back.tags).toMatchObject({ ci: "yes", stage: "train" });
    expect(back.histories.loss).toHaveLength(200);
    expect(back.histories.loss![0]).toEqual([0, 1]);
    expect(back.histories.loss![100]).toEqual([100, "NaN"]);
    expect(back.histories.loss![199]).toEqual([199, 1 / 200]);
    // The SQL store keeps -Infinity as the lowest double and -0 as 0, as it does for Python's log_metric.
    expect(back.histories.floor).toEqual([[0, -Number.MAX_VALUE]]);
    expect(back.histories.zero).toEqual([[0, 0]]);
    expect(back.artifacts).toEqual({ "reports/report.txt": "accuracy 0.91\n" });
  }, 300_000);
});

describe("bad input on the real server", () => {
  it("malformed lines are named by number, exit 1, and every other line is stored", async () => {
    const envFile = join(work, "bad-lines.env");
    expect((await step('echo "MLFLOW_RUN_ID=$(mlflow-ts runs create --run-name bad-lines)" >> "$STEP_ENV"', envFile)).code).toBe(0);
    const runId = /^MLFLOW_RUN_ID=(\w{32})$/m.exec(await readFile(envFile, "utf8"))![1]!;
    const input = [
      '{"metric": "m", "value": 1, "step": 1}',
      '{"metric": "m", "value": 2, "step": 2',
      '{"metric": "m", "value": "two", "step": 3}',
      '{"metric": "m", "value": 4, "step": 4}',
      '{"param": "p", "value": {"nested": true}}',
      '{"param": "p", "value": "ok"}',
      '{"tag": "t", "value": "x", "extra": 1}',
    ].join("\n");
    await writeFile(join(work, "bad.jsonl"), input);
    const outcome = await step("mlflow-ts runs log-batch < bad.jsonl", envFile);
    expect(outcome.code).toBe(1);
    const stderr = outcome.stderr.trimEnd().split("\n");
    expect(stderr.map((line) => /^line (\d+):/.exec(line)?.[1] ?? "summary")).toEqual(["2", "3", "5", "7", "summary"]);
    expect(stderr[4]).toBe(
      "error: 4 of 7 lines were not logged: lines 2, 3, 5, 7 (each is described above); every other line was logged. Fix: correct them and pipe them to runs log-batch again.",
    );
    expect(outcome.stdout).toBe(`Logged 2 metric points, 1 param, 0 tags to run ${runId}.\n`);
    const rows = (await runRows(runId)).runs[runId]!;
    expect(rows.steps.m).toEqual([1, 4]);
    expect(rows.params).toEqual({ p: "ok" });
    expect(rows.tags.t).toBeUndefined();
    expect(rows.status).toBe("RUNNING");
  }, 180_000);

  it("an unknown status and a missing run id are usage errors (exit 2) that change nothing", async () => {
    const envFile = join(work, "usage.env");
    expect((await step('echo "MLFLOW_RUN_ID=$(mlflow-ts runs create --run-name usage)" >> "$STEP_ENV"', envFile)).code).toBe(0);
    const runId = /^MLFLOW_RUN_ID=(\w{32})$/m.exec(await readFile(envFile, "utf8"))![1]!;

    const unknownStatus = await step("mlflow-ts runs end --status DONE", envFile);
    expect(unknownStatus.code).toBe(2);
    expect(unknownStatus.stderr).toContain("argument 'DONE' is invalid. Allowed choices are FINISHED, FAILED, KILLED.");

    const noRun = await step('echo \'{"metric": "m", "value": 1}\' | mlflow-ts runs log-batch', join(work, "no-such.env"));
    expect(noRun.code).toBe(2);
    expect(noRun.stderr).toContain('error: no run given. Fix: pass --run-id <id>, or set MLFLOW_RUN_ID (e.g. eval "$(mlflow-ts runs create --export)").');
    const noRunEnd = await step("mlflow-ts runs end", join(work, "no-such.env"));
    expect(noRunEnd.code).toBe(2);

    const rows = (await runRows(runId)).runs[runId]!;
    expect(rows.status).toBe("RUNNING");
    expect(rows.metrics).toEqual({});
  }, 180_000);
});
