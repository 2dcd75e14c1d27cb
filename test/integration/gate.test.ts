/**
 * `mlflow-ts gate` (the built command, as CI runs it) against the real stack: a candidate that
 * passes, one that fails, the tolerance edge, a metric the candidate lacks, an alias that does not
 * exist, `--json` parsed, the Markdown summary written, the first model bootstrapped, and two gates
 * promoting at once as separate processes (one wins, the other fails clearly, the alias points at
 * the winner's version). The registry is read back with the Python client
 * (`MlflowClient.get_model_version_by_alias`).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MlflowClient } from "../../src/index.js";
import { ensureCliBuilt, runBuiltCli } from "./support/cli.js";
import { runPython } from "./support/python.js";
import { serverUri, stackClient, stackClientEnv, uniqueName } from "./support/stack.js";

const client: MlflowClient = stackClient("direct");
const env = (): Record<string, string> => stackClientEnv(serverUri("direct"));
const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-gate-"));
let experimentId: string;

interface Registry {
  versions: { version: string; source: string; aliases: string[] }[];
  by_alias: Record<string, string>;
}

/** A run with these latest metrics, and a logged model of it: returns the model's `models:/<id>` URI and the run id. */
async function candidate(metrics: Record<string, number>): Promise<{ modelUri: string; runId: string }> {
  const run = await client.runs.create({ experiment_id: experimentId });
  const runId = run.info.run_id;
  await client.runs.logBatch(runId, { metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: Date.now(), step: 0 })) });
  const info = await client.models.log({ runId, flavor: "onnx", model: Uint8Array.from([0x08, 0x08, 0x12, 0x04, 0x74, 0x65, 0x73, 0x74]), name: "model" });
  return { modelUri: info.modelUri, runId };
}

/** A registered model whose `champion` is a version with these metrics. */
async function championOf(metrics: Record<string, number>): Promise<{ name: string; version: string }> {
  const name = uniqueName("gate");
  const { modelUri } = await candidate(metrics);
  const version = await client.models.register(modelUri, name, { alias: "champion" });
  return { name, version: version.version };
}

beforeAll(async () => {
  ensureCliBuilt();
  experimentId = await client.experiments.create({ name: uniqueName("gate") });
}, 360_000);

afterAll(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("mlflow-ts gate against the champion", () => {
  it("passes and exits 0 when the candidate is better, and prints the table", async () => {
    const { name } = await championOf({ "val/accuracy": 0.9, latency_ms: 20 });
    const { modelUri } = await candidate({ "val/accuracy": 0.91, latency_ms: 19 });
    const out = await runBuiltCli(["gate", modelUri, "--name", name, "--metric", "val/accuracy:max:0.005", "--metric", "latency_ms:min"], env());
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/METRIC\s+DIRECTION\s+TOLERANCE\s+BASELINE\s+CANDIDATE\s+DELTA\s+RESULT/);
    expect(out.stdout).toMatch(/val\/accuracy\s+max\s+0\.005\s+0\.9\s+0\.91\s+\+0\.01\s+pass/);
    expect(out.stdout).toContain("Gate passed: 2 of 2 checks.");
  }, 120_000);

  it("fails with exit 1 and names the metric when the candidate is worse by more than the tolerance", async () => {
    const { name } = await championOf({ "val/accuracy": 0.9 });
    const { modelUri } = await candidate({ "val/accuracy": 0.894 });
    const out = await runBuiltCli(["gate", modelUri, "--name", name, "--metric", "val/accuracy:max:0.005"], env());
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/FAIL: worse by 0\.006\d*, more than the tolerance 0\.005/);
    expect(out.stdout).toContain("Gate failed: 1 of 1 checks failed (val/accuracy).");
  }, 120_000);

  it("passes a candidate exactly at the tolerance, and fails one just beyond it", async () => {
    const { name } = await championOf({ "val/accuracy": 0.9, loss: 0.2 });
    const edge = await candidate({ "val/accuracy": 0.895, loss: 0.21 });
    const beyond = await candidate({ "val/accuracy": 0.8949, loss: 0.2101 });
    const args = (uri: string) => ["gate", uri, "--name", name, "--metric", "val/accuracy:max:0.005", "--metric", "loss:min:5%", "--json"];
    const atEdge = await runBuiltCli(args(edge.modelUri), env());
    const past = await runBuiltCli(args(beyond.modelUri), env());
    expect([atEdge.code, past.code]).toEqual([0, 1]);
    const checks = (stdout: string) => (JSON.parse(stdout) as { checks: { key: string; passed: boolean }[] }).checks.map((c) => [c.key, c.passed]);
    expect(checks(atEdge.stdout)).toEqual([
      ["val/accuracy", true],
      ["loss", true],
    ]);
    expect(checks(past.stdout)).toEqual([
      ["val/accuracy", false],
      ["loss", false],
    ]);
  }, 180_000);

  it("fails with exit 1 and a clear message when the candidate lacks a metric", async () => {
    const { name } = await championOf({ "val/accuracy": 0.9, f1: 0.8 });
    const { modelUri } = await candidate({ "val/accuracy": 0.95 });
    const out = await runBuiltCli(["gate", modelUri, "--name", name, "--metric", "val/accuracy:max", "--metric", "f1:max"], env());
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/f1\s+max\s+0\s+0\.8\s+-\s+-\s+FAIL: the candidate has no such metric/);
  }, 120_000);

  it("exits 2 naming the alias and the fix when the baseline alias does not exist", async () => {
    const { name } = await championOf({ "val/accuracy": 0.9 });
    const { modelUri } = await candidate({ "val/accuracy": 0.95 });
    const out = await runBuiltCli(["gate", modelUri, "--name", name, "--alias", "prod", "--metric", "val/accuracy:max"], env());
    expect(out.code).toBe(2);
    expect(out.stdout).toBe("");
    expect(out.stderr).toContain(`error: The baseline models:/${name}@prod names no version: registered model "${name}" has no alias "prod"`);
    expect(out.stderr).toContain("Fix: for the first model");
  }, 120_000);

  it("prints one parseable JSON document with --json and appends the Markdown summary to $GITHUB_STEP_SUMMARY", async () => {
    const { name, version } = await championOf({ "val/accuracy": 0.9 });
    const { modelUri, runId } = await candidate({ "val/accuracy": Number.NaN });
    const summary = join(dir, "summary.md");
    const out = await runBuiltCli(["gate", modelUri, "--name", name, "--metric", "val/accuracy:max", "--json"], { ...env(), GITHUB_STEP_SUMMARY: summary });
    expect(out.code).toBe(1);
    const report = JSON.parse(out.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      passed: false,
      candidate: { uri: modelUri, runId },
      baseline: { uri: `models:/${name}@champion`, name, version },
      checks: [{ key: "val/accuracy", baseline: 0.9, candidate: "NaN", delta: null, passed: false, reason: "the candidate's value is NaN" }],
      promotion: null,
    });
    const markdown = readFileSync(summary, "utf8");
    expect(markdown).toContain("### mlflow-ts gate: failed");
    expect(markdown).toContain("| `val/accuracy` | max | 0 | 0.9 | NaN | - | **FAIL: the candidate's value is NaN** |");
  }, 120_000);
});

describe("mlflow-ts gate --promote", () => {
  it("bootstraps the first model, then promotes a better one and blocks a worse one; Python reads the alias back", async () => {
    const name = uniqueName("gate-promote");
    const first = await candidate({ "val/accuracy": 0.8 });
    const args = (uri: string, ...more: string[]) => ["gate", uri, "--name", name, "--metric", "val/accuracy:max", "--promote", "--settle-ms", "200", ...more];
    const noBaseline = await runBuiltCli(args(first.modelUri), env());
    expect(noBaseline.code).toBe(2);
    expect(noBaseline.stderr).toContain("--promote --bootstrap");
    const boot = await runBuiltCli(args(first.modelUri, "--bootstrap", "--summary", join(dir, "boot.md")), env());
    expect(boot.stderr).toBe("");
    expect(boot.code).toBe(0);
    expect(boot.stdout).toContain(`Promoted: models:/${name}@champion → version 1.`);
    expect(readFileSync(join(dir, "boot.md"), "utf8")).toContain(`Promoted: models:/${name}@champion → version 1.`);

    const better = await candidate({ "val/accuracy": 0.85 });
    expect((await runBuiltCli(args(better.modelUri), env())).code).toBe(0);
    const worse = await candidate({ "val/accuracy": 0.84 });
    const blocked = await runBuiltCli(args(worse.modelUri), env());
    expect(blocked.code).toBe(1);
    expect(blocked.stdout).toContain(`Not promoted: a check failed; models:/${name}@champion is unchanged.`);

    const registry = await runPython<Registry>("test/conformance/python/read_registry.py", { name });
    expect(registry.by_alias).toEqual({ champion: "2" });
    expect(registry.versions.map((v) => v.source)).toEqual([first.modelUri, better.modelUri]);
  }, 240_000);

  it("two gates promoting at once: exactly one wins, the other fails clearly, the alias points at the winner", async () => {
    const { name, version: baseline } = await championOf({ "val/accuracy": 0.9 });
    const a = await candidate({ "val/accuracy": 0.91 });
    const b = await candidate({ "val/accuracy": 0.92 });
    const gate = (uri: string) => runBuiltCli(["gate", uri, "--name", name, "--metric", "val/accuracy:max", "--promote", "--json"], env());
    const outcomes = await Promise.all([gate(a.modelUri), gate(b.modelUri)]);
    const reports = outcomes.map((out) => JSON.parse(out.stdout) as { promotion: { status: string; version?: string; message?: string } });
    const winners = reports.filter((report) => report.promotion.status === "promoted");
    const losers = outcomes.filter((_, i) => reports[i]!.promotion.status !== "promoted");
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(losers[0]!.code).toBe(1);
    expect(losers[0]!.stderr).toMatch(/error: (baseline moved|lost the race): .*Fix: re-run the gate against the new baseline\./);
    expect(outcomes.map((out) => out.code).sort()).toEqual([0, 1]);

    const registry = await runPython<Registry>("test/conformance/python/read_registry.py", { name });
    expect(registry.by_alias.champion).toBe(winners[0]!.promotion.version);
    // Every version the alias ever pointed at was checked: the baseline, and the candidates registered by the gates.
    const checked = new Set([baseline, ...reports.map((report) => report.promotion.version).filter((v) => v !== undefined)]);
    expect(registry.versions.every((v) => checked.has(v.version))).toBe(true);
  }, 240_000);
});
