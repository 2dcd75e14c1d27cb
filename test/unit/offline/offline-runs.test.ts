/**
 * Runs in offline mode: `startRun` against a tracking server with `MLFLOW_TS_OFFLINE=true` logs to
 * the offline store and sends nothing (the strict mock server fails the test on any request), says
 * so in one stderr line (unless quiet), refuses clearly to resume a run the offline store does not
 * hold, and the listings (`listOfflineStores`, `recover --list`, the doctor's `journals` check)
 * show what waits for delivery.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { runCli } from "../../../src/cli/program.js";
import { resolveConfig } from "../../../src/config/resolve.js";
import { journalsCheck } from "../../../src/doctor/checks/journals.js";
import { SetupContext } from "../../../src/doctor/context.js";
import { ConfigurationError, MlflowClient, startRun } from "../../../src/index.js";
import { resolveClient } from "../../../src/logging/fluent.js";
import { listOfflineStores, OFFLINE_DELIVERED_TAG } from "../../../src/store/offline/offline-store.js";
import { BASE, EMPTY_HOME, useMockServer } from "../helpers/mock-server.js";
import { captureStderr } from "../helpers/stderr.js";
import { removeTempDirs, tempDir } from "../store/sqlite/helpers.js";

useMockServer(); // no handler: any request to the server fails the test
afterEach(() => {
  vi.restoreAllMocks();
  removeTempDirs();
});

const base = { exitHooks: false, flushIntervalMs: 3_600_000 } as const;

function offlineEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return { HOME: EMPTY_HOME, MLFLOW_TRACKING_URI: BASE, MLFLOW_TS_OFFLINE: "true", MLFLOW_TS_OFFLINE_DIR: dir, MLFLOW_HTTP_REQUEST_MAX_RETRIES: "0", ...extra };
}

describe("startRun offline", () => {
  it("logs params, metrics, tags and the end status to the offline store, and sends nothing to the server", async () => {
    const dir = tempDir();
    const client = new MlflowClient({ env: offlineEnv(dir) });
    const stderr = captureStderr();
    const run = await startRun({ ...base, client, experimentName: "air-gapped", params: { lr: 0.01 }, tags: { team: "vision" } });
    for (let step = 0; step < 50; step++) run.logMetric("loss", 1 / (step + 1), { step });
    await run.end();
    vi.restoreAllMocks();

    const [store] = await listOfflineStores(dir);
    expect(store).toMatchObject({ trackingUri: BASE, waiting: 1, runs: [{ runId: run.runId, status: "FINISHED", deliveredRunId: undefined }] });
    const logged = await client.runs.get(run.runId);
    expect(logged.data.paramsByKey).toMatchObject({ lr: "0.01" });
    expect(logged.data.tagsByKey).toMatchObject({ team: "vision" });
    expect(await client.metrics.getHistory(run.runId, "loss")).toHaveLength(50);
    const line = stderr.filter((text) => text.includes("offline"));
    expect(line).toEqual([
      `mlflow-ts: run ${run.runId} is offline (MLFLOW_TS_OFFLINE=true): kept in ${store!.folder} for ${BASE}; nothing is sent. Deliver it later with: npx mlflow-ts sync --offline (the server gives it a new run id).\n`,
    ]);
    await client.close();
  });

  it("logs offline with MLFLOW_WORKSPACE set: the offline store keeps the run outside workspaces (the workspace is where sync --offline delivers it)", async () => {
    const dir = tempDir();
    const client = new MlflowClient({ env: offlineEnv(dir, { MLFLOW_WORKSPACE: "team-a" }) });
    captureStderr();
    const run = await startRun({ ...base, client, experimentName: "air-gapped" });
    run.logMetric("loss", 0.5, { step: 1 });
    await run.end();
    vi.restoreAllMocks();
    expect(client.config.workspace).toBe("team-a");
    const [store] = await listOfflineStores(dir);
    expect(store).toMatchObject({ waiting: 1, runs: [{ runId: run.runId, status: "FINISHED" }] });
    expect(await client.metrics.getHistory(run.runId, "loss")).toHaveLength(1);
    expect((await client.experiments.getByName("air-gapped"))?.workspace).toBe("default");
    await client.close();
  });

  it("startRun's offline option turns offline mode on without MLFLOW_TS_OFFLINE: the run goes to the offline store and nothing is sent", async () => {
    const dir = tempDir();
    const env = { HOME: EMPTY_HOME, MLFLOW_TRACKING_URI: BASE, MLFLOW_TS_OFFLINE_DIR: dir, MLFLOW_TS_QUIET_OFFLINE: "true" };
    const run = await startRun({ ...base, client: { env }, offline: true, experimentName: "air-gapped" });
    run.logMetric("loss", 0.5, { step: 1 });
    await run.end();
    expect(run.client.config.offline.enabled).toBe(true);
    const [store] = await listOfflineStores(dir);
    expect(store).toMatchObject({ trackingUri: BASE, waiting: 1, runs: [{ runId: run.runId, status: "FINISHED" }] });
    expect(await run.client.metrics.getHistory(run.runId, "loss")).toHaveLength(1);
    await run.client.close();
  });

  it("the stderr line names what turned offline mode on: the offline option, not MLFLOW_TS_OFFLINE, when the option did", async () => {
    const dir = tempDir();
    const env = { HOME: EMPTY_HOME, MLFLOW_TRACKING_URI: BASE, MLFLOW_TS_OFFLINE_DIR: dir };
    const stderr = captureStderr();
    const run = await startRun({ ...base, client: { env }, offline: true, experimentName: "air-gapped" });
    await run.end();
    vi.restoreAllMocks();
    const [store] = await listOfflineStores(dir);
    expect(stderr.filter((text) => text.includes("offline"))).toEqual([
      `mlflow-ts: run ${run.runId} is offline (the offline: true option): kept in ${store!.folder} for ${BASE}; nothing is sent. Deliver it later with: npx mlflow-ts sync --offline (the server gives it a new run id).\n`,
    ]);
    expect(run.client.config.offline.source).toBe("option");
    await run.client.close();
  });

  it("startRun's offline: false wins over MLFLOW_TS_OFFLINE=true (option > environment), and contradicting a client instance is refused with the fix", async () => {
    const env = offlineEnv(tempDir());
    expect(resolveClient({ env }, false).config.offline.enabled).toBe(false);
    expect(resolveClient({ env }, undefined).config.offline.enabled).toBe(true);
    const client = new MlflowClient({ env });
    const error = await startRun({ ...base, client, offline: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/"offline": false contradicts the given client.*Fix: /);
    await client.close();
  });

  it("prints nothing with MLFLOW_TS_QUIET_OFFLINE=true", async () => {
    const client = new MlflowClient({ env: offlineEnv(tempDir(), { MLFLOW_TS_QUIET_OFFLINE: "true" }) });
    const stderr = captureStderr();
    const run = await startRun({ ...base, client });
    await run.end();
    vi.restoreAllMocks();
    expect(stderr).toEqual([]);
    await client.close();
  });

  it("refuses to resume, offline, a run the offline store does not hold (a server's run id in MLFLOW_RUN_ID)", async () => {
    const serverRunId = "0123456789abcdef0123456789abcdef";
    const client = new MlflowClient({ env: offlineEnv(tempDir(), { MLFLOW_RUN_ID: serverRunId, MLFLOW_TS_QUIET_OFFLINE: "true" }) });
    const error = await startRun({ ...base, client }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).message).toMatch(
      new RegExp(`^Cannot resume run ${serverRunId} offline: the offline store for ${BASE} \\(.+\\) has no such run\\.`),
    );
    expect((error as ConfigurationError).message).toContain("Fix: unset MLFLOW_RUN_ID");
    expect((error as ConfigurationError).message).toContain("resume it online (MLFLOW_TS_OFFLINE unset)");
    await client.close();
  });

  it("resumes an offline run offline, and a resumed run waits for delivery again", async () => {
    const dir = tempDir();
    const env = offlineEnv(dir, { MLFLOW_TS_QUIET_OFFLINE: "true" });
    const first = new MlflowClient({ env });
    const run = await startRun({ ...base, client: first });
    await run.end();
    await first.runs.setTag(run.runId, OFFLINE_DELIVERED_TAG, "ffffffffffffffffffffffffffffffff"); // as sync --offline marks it
    expect((await listOfflineStores(dir))[0]).toMatchObject({ waiting: 0 });

    const second = new MlflowClient({ env: { ...env, MLFLOW_RUN_ID: run.runId } });
    const resumed = await startRun({ ...base, client: second });
    expect(resumed.runId).toBe(run.runId);
    resumed.logMetric("loss", 0.1, { step: 99 });
    await resumed.end();
    expect((await listOfflineStores(dir))[0]).toMatchObject({ waiting: 1, runs: [{ runId: run.runId, deliveredRunId: undefined }] });
    await Promise.all([first.close(), second.close()]);
  });
});

describe("listing offline runs", () => {
  it("has no stores when the offline folder does not exist", async () => {
    expect(await listOfflineStores("/nonexistent-mlflow-ts-offline")).toEqual([]);
  });

  it("recover --list shows the offline runs waiting and the command that delivers them", async () => {
    const dir = tempDir();
    const env = offlineEnv(dir, { MLFLOW_TS_QUIET_OFFLINE: "true" });
    const client = new MlflowClient({ env });
    const run = await startRun({ ...base, client, runName: "on-a-plane" });
    await run.end();
    await client.close();

    const stdout: string[] = [];
    const io = { stdout: { write: (text: string) => stdout.push(text) }, stderr: { write: () => true }, env: { ...env, MLFLOW_TS_JOURNAL_DIR: tempDir() } };
    expect(await runCli(["recover", "--list"], io)).toBe(0);
    const text = stdout.join("");
    expect(text).toMatch(new RegExp(`${run.runId}\\s+on-a-plane\\s+FINISHED\\s+${BASE}\\s+\\d{4}-`));
    expect(text).toContain("1 offline run waits for delivery. Run: mlflow-ts sync --offline");
  });
});

describe("mlflow-ts sync", () => {
  async function sync(argv: string[], env: Record<string, string>) {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const io = { stdout: { write: (text: string) => stdout.push(text) }, stderr: { write: (text: string) => stderr.push(text) }, env };
    const code = await runCli(["sync", ...argv], io);
    return { code, stdout: stdout.join(""), stderr: stderr.join("") };
  }

  it("still requires --to without --offline (exit 2)", async () => {
    const result = await sync([], offlineEnv(tempDir()));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("required option '--to <uri>' not specified (or --offline");
  });

  it("refuses --offline with --from (exit 2)", async () => {
    const result = await sync(["--offline", "--from", "sqlite:///mlflow.db"], offlineEnv(tempDir()));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--offline.*cannot be used with option '--from/);
  });

  it("--offline with no offline store delivers nothing and says so", async () => {
    const dir = tempDir();
    const result = await sync(["--offline"], offlineEnv(dir));
    expect(result).toMatchObject({ code: 0, stdout: `No offline runs in ${dir}: nothing to deliver.\n` });
  });
});

describe("doctor: offline runs waiting", () => {
  async function journalsOutcome(env: Record<string, string>) {
    const context = new SetupContext({ experimentName: undefined, write: false, roundTrip: false, timeoutMs: 1000, client: { env }, requireServer: false });
    context.config = resolveConfig({ env });
    return journalsCheck.run(context, new AbortController().signal);
  }

  it("warns with the count and sync --offline, offline and online alike, and passes once they are delivered", async () => {
    const dir = tempDir();
    const env = offlineEnv(dir, { MLFLOW_TS_QUIET_OFFLINE: "true", MLFLOW_TS_JOURNAL_DIR: tempDir() });
    const client = new MlflowClient({ env });
    const run = await startRun({ ...base, client });
    await run.end();

    const offline = await journalsOutcome(env);
    expect(offline).toMatchObject({ status: "warn", detail: `1 offline run (MLFLOW_TS_OFFLINE) waits for delivery to ${BASE}, kept in ${dir}.` });
    expect(offline.hint).toContain("mlflow-ts sync --offline");
    const online = await journalsOutcome({ ...env, MLFLOW_TS_OFFLINE: "false" });
    expect(online).toMatchObject({ status: "warn", detail: offline.detail });
    const otherServer = await journalsOutcome({ ...env, MLFLOW_TS_OFFLINE: "false", MLFLOW_TRACKING_URI: "http://elsewhere:5000" });
    expect(otherServer.status).toBe("pass");

    await client.runs.setTag(run.runId, OFFLINE_DELIVERED_TAG, "ffffffffffffffffffffffffffffffff");
    expect(await journalsOutcome(env)).toMatchObject({ status: "pass", detail: `No offline run waits for delivery to ${BASE} in ${dir}.` });
    await client.close();
  });
});
