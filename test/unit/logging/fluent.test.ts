/**
 * startRun / withRun / getActiveRun: experiment resolution in Python's order (with the create
 * race), system tags, nested runs, the active run through AsyncLocalStorage, resuming a run by id
 * or MLFLOW_RUN_ID, and option checking.
 */
import { HttpResponse } from "msw";
import { beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_IN_FLIGHT_EMBEDDED } from "../../../src/advanced.js";
import { ConfigurationError } from "../../../src/index.js";
import { exitHooksInstalled } from "../../../src/logging/exit-hooks.js";
import { getActiveRun, startRun, withRun } from "../../../src/logging/fluent.js";
import { readGitInfo } from "../../../src/logging/system/git.js";
import { API, BASE, experimentJson, mlflowError, type RecordedRequest, RUN_ID, record, runJson, testClient, useMockServer } from "../helpers/mock-server.js";
import { removeTempDirs, sqliteClient, tempDir } from "../store/sqlite/helpers.js";
import { recordUpdates } from "./helpers.js";

const server = useMockServer();
const OTHER_RUN_ID = "fedcba9876543210fedcba9876543210";

/** Answers runs/create with a run id per call (RUN_ID, then OTHER_RUN_ID…) and records the requests. */
function recordCreates(ids: string[] = [RUN_ID, OTHER_RUN_ID]): RecordedRequest[] {
  return record(server, "post", `${API}/runs/create`, (req, n) => {
    const body = req.body as { experiment_id: string; tags: { key: string; value: string }[] };
    return { run: runJson({ run_id: ids[n - 1] ?? RUN_ID, experiment_id: body.experiment_id, tags: body.tags }) };
  });
}

function tagsOf(request: RecordedRequest): Record<string, string> {
  const body = request.body as { tags: { key: string; value: string }[] };
  return Object.fromEntries(body.tags.map((tag) => [tag.key, tag.value]));
}

const base = { exitHooks: false, flushIntervalMs: 3_600_000 } as const;

describe("experiment resolution", () => {
  it("uses an existing experiment by name without creating it", async () => {
    const lookups = record(server, "get", `${API}/experiments/get-by-name`, () => ({ experiment: experimentJson("4", "mnist") }));
    const creates = recordCreates();
    const run = await startRun({ ...base, client: testClient(), experimentName: "mnist" });
    expect(lookups[0]!.query.get("experiment_name")).toBe("mnist");
    expect(creates[0]!.body).toMatchObject({ experiment_id: "4" });
    expect(run.experimentId).toBe("4");
  });

  it("creates a missing experiment by name", async () => {
    record(server, "get", `${API}/experiments/get-by-name`, () => mlflowError(404, "RESOURCE_DOES_NOT_EXIST", "no such experiment"));
    const created = record(server, "post", `${API}/experiments/create`, () => ({ experiment_id: "9" }));
    const creates = recordCreates();
    await startRun({ ...base, client: testClient(), experimentName: "fresh" });
    expect(created[0]!.body).toMatchObject({ name: "fresh" });
    expect(creates[0]!.body).toMatchObject({ experiment_id: "9" });
  });

  it("resolves a create race by getting the experiment another process created", async () => {
    const lookups = record(server, "get", `${API}/experiments/get-by-name`, (_req, n) =>
      n === 1 ? mlflowError(404, "RESOURCE_DOES_NOT_EXIST", "no such experiment") : { experiment: experimentJson("12", "race") },
    );
    const created = record(server, "post", `${API}/experiments/create`, () => mlflowError(400, "RESOURCE_ALREADY_EXISTS", "Experiment 'race' already exists."));
    const creates = recordCreates();
    await startRun({ ...base, client: testClient(), experimentName: "race" });
    expect(lookups).toHaveLength(2);
    expect(created).toHaveLength(1);
    expect(creates[0]!.body).toMatchObject({ experiment_id: "12" });
  });

  it("refuses a deleted experiment with a clear error and creates no run", async () => {
    record(server, "get", `${API}/experiments/get-by-name`, () => ({ experiment: experimentJson("5", "old", "deleted") }));
    const creates = recordCreates();
    const error = await startRun({ ...base, client: testClient(), experimentName: "old" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/"old" \(id 5, from experimentName\) is deleted.*restore/);
    expect(creates).toHaveLength(0);
  });

  it("checks an explicit experimentId exists", async () => {
    record(server, "get", `${API}/experiments/get`, () => mlflowError(404, "RESOURCE_DOES_NOT_EXIST", "no experiment 77"));
    const error = await startRun({ ...base, client: testClient(), experimentId: "77" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).key).toBe("experimentId");
  });

  it("prefers MLFLOW_EXPERIMENT_NAME over MLFLOW_EXPERIMENT_ID when they agree", async () => {
    const lookups = record(server, "get", `${API}/experiments/get-by-name`, () => ({ experiment: experimentJson("3", "env-exp") }));
    const byId = record(server, "get", `${API}/experiments/get`, () => ({ experiment: experimentJson("3", "env-exp") }));
    const creates = recordCreates();
    await startRun({ ...base, client: testClient({ env: { MLFLOW_EXPERIMENT_NAME: "env-exp", MLFLOW_EXPERIMENT_ID: "3" } }) });
    expect(lookups).toHaveLength(1);
    expect(byId).toHaveLength(0);
    expect(creates[0]!.body).toMatchObject({ experiment_id: "3" });
  });

  it("refuses MLFLOW_EXPERIMENT_ID that contradicts MLFLOW_EXPERIMENT_NAME", async () => {
    record(server, "get", `${API}/experiments/get-by-name`, () => ({ experiment: experimentJson("3", "env-exp") }));
    const error = await startRun({ ...base, client: testClient({ env: { MLFLOW_EXPERIMENT_NAME: "env-exp", MLFLOW_EXPERIMENT_ID: "8" } }) }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ key: "MLFLOW_EXPERIMENT_ID" });
  });

  it("uses MLFLOW_EXPERIMENT_ID alone, and the Default experiment 0 when nothing is set", async () => {
    const byId = record(server, "get", `${API}/experiments/get`, () => ({ experiment: experimentJson("6", "six") }));
    const creates = recordCreates();
    await startRun({ ...base, client: testClient({ env: { MLFLOW_EXPERIMENT_ID: "6" } }) });
    await startRun({ ...base, client: testClient() });
    expect(byId.map((r) => r.query.get("experiment_id"))).toEqual(["6"]);
    expect(creates.map((r) => (r.body as { experiment_id: string }).experiment_id)).toEqual(["6", "0"]);
  });

  it("lets an explicit option win over the environment", async () => {
    record(server, "get", `${API}/experiments/get`, () => ({ experiment: experimentJson("2", "two") }));
    const creates = recordCreates();
    await startRun({ ...base, client: testClient({ env: { MLFLOW_EXPERIMENT_NAME: "ignored" } }), experimentId: "2" });
    expect(creates[0]!.body).toMatchObject({ experiment_id: "2" });
  });
});

describe("system tags", () => {
  it("tags new runs like the Python client; description becomes the note; user tags win", async () => {
    const creates = recordCreates();
    const client = testClient({ env: { MLFLOW_TRACKING_USERNAME: "alice", MLFLOW_TRACKING_PASSWORD: "pw-1234" } });
    await startRun({
      ...base,
      client,
      runName: "baseline",
      description: "first try",
      tags: { team: "vision", "mlflow.source.type": "JOB" },
    });
    const body = creates[0]!.body as { run_name: string; user_id: string; start_time: number };
    const tags = tagsOf(creates[0]!);
    expect(tags).toMatchObject({
      "mlflow.user": "alice",
      "mlflow.source.name": process.argv[1],
      "mlflow.source.type": "JOB",
      "mlflow.runName": "baseline",
      "mlflow.note.content": "first try",
      team: "vision",
    });
    // The work tree of the main script (vitest's worker here), read from .git: the same commit.
    expect(tags["mlflow.source.git.commit"]).toBe(readGitInfo(process.argv[1]!).commit);
    expect(body.run_name).toBe("baseline");
    expect(body.user_id).toBe("alice");
    expect(body.start_time).toBeGreaterThan(1_700_000_000_000);
  });

  it("adds the tags of MLFLOW_RUN_CONTEXT and logs the params option right away", async () => {
    const creates = recordCreates();
    const batches = record(server, "post", `${API}/runs/log-batch`);
    const run = await startRun({ ...base, client: testClient({ env: { MLFLOW_RUN_CONTEXT: '{"job": "nightly"}' } }), params: { lr: 0.1 } });
    expect(tagsOf(creates[0]!)).toMatchObject({ job: "nightly" });
    await run.flush();
    expect((batches[0]!.body as { params: unknown[] }).params).toEqual([{ key: "lr", value: "0.1" }]);
  });
});

describe("active and nested runs", () => {
  // Runs left by earlier tests would be the active run: end them first.
  beforeEach(async () => {
    recordUpdates(server);
    record(server, "post", `${API}/runs/log-batch`);
    for (let run = getActiveRun(); run !== undefined; run = getActiveRun()) await run.end().catch(() => undefined);
    server.resetHandlers();
  });

  it("nests a run under the active run, in the parent's experiment, and ends withRun's run FINISHED", async () => {
    const lookups = record(server, "get", `${API}/experiments/get`, () => ({ experiment: experimentJson("7", "seven") }));
    const creates = recordCreates();
    const updates = recordUpdates(server);
    const result = await withRun({ ...base, client: testClient(), experimentId: "7" }, async (outer) => {
      expect(getActiveRun()).toBe(outer);
      const child = await startRun({ ...base, client: testClient({ env: { MLFLOW_EXPERIMENT_ID: "99" } }), nested: true });
      expect(tagsOf(creates[1]!)["mlflow.parentRunId"]).toBe(RUN_ID);
      expect(creates[1]!.body).toMatchObject({ experiment_id: "7" });
      expect(lookups).toHaveLength(1);
      await child.end();
      return 42;
    });
    expect(result).toBe(42);
    expect(tagsOf(creates[0]!)["mlflow.parentRunId"]).toBeUndefined();
    expect(updates.map((u) => u.body)).toEqual([
      expect.objectContaining({ run_id: OTHER_RUN_ID, status: "FINISHED" }),
      expect.objectContaining({ run_id: RUN_ID, status: "FINISHED" }),
    ]);
    expect(getActiveRun()).toBeUndefined();
  });

  it("puts a run under an explicit parentRunId, in that run's experiment", async () => {
    const parents = record(server, "get", `${API}/runs/get`, () => ({ run: runJson({ run_id: OTHER_RUN_ID, experiment_id: "3" }) }));
    const creates = recordCreates();
    await startRun({ ...base, client: testClient(), parentRunId: OTHER_RUN_ID });
    expect(parents[0]!.query.get("run_id")).toBe(OTHER_RUN_ID);
    expect(creates[0]!.body).toMatchObject({ experiment_id: "3" });
    expect(tagsOf(creates[0]!)["mlflow.parentRunId"]).toBe(OTHER_RUN_ID);
  });

  it("gives each concurrent withRun its own active run", async () => {
    recordCreates();
    recordUpdates(server);
    const seen: string[] = [];
    await Promise.all(
      [0, 1].map((i) =>
        withRun({ ...base, client: testClient() }, async (run) => {
          await new Promise((resolve) => setTimeout(resolve, 10 * (2 - i)));
          seen.push(`${run.runId === getActiveRun()?.runId}`);
        }),
      ),
    );
    expect(seen).toEqual(["true", "true"]);
  });

  it("ends withRun's run FAILED when the body throws, and rethrows", async () => {
    recordCreates();
    const updates = recordUpdates(server);
    const error = await withRun({ ...base, client: testClient() }, () => {
      throw new Error("diverged");
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe("diverged");
    expect(updates.map((u) => (u.body as { status: string }).status)).toEqual(["FAILED"]);
  });

  it("makes a run from startRun the active run until it ends", async () => {
    recordCreates();
    recordUpdates(server);
    const run = await startRun({ ...base, client: testClient() });
    expect(getActiveRun()).toBe(run);
    await run.end();
    expect(getActiveRun()).toBeUndefined();
  });
});

describe("resuming", () => {
  function stoppedRun(status = "FINISHED", lifecycle = "active") {
    const run = runJson();
    return {
      run: {
        ...run,
        info: { ...(run.info as object), status, end_time: 1_700_000_000_500, lifecycle_stage: lifecycle },
        data: { params: [{ key: "lr", value: "0.1" }], tags: [] },
      },
    };
  }

  it("resumes by runId: status back to RUNNING with the old end time kept, known params checked at the call", async () => {
    const gets = record(server, "get", `${API}/runs/get`, () => stoppedRun());
    const updates = recordUpdates(server);
    const creates = recordCreates();
    const batches = record(server, "post", `${API}/runs/log-batch`);
    const run = await startRun({ ...base, client: testClient(), runId: RUN_ID, tags: { resumed: "yes" } });
    expect(gets).toHaveLength(1);
    expect(creates).toHaveLength(0);
    expect(updates[0]!.body).toEqual({ run_id: RUN_ID, status: "RUNNING" });
    expect(run.info.status).toBe("RUNNING");
    expect(() => run.logParam("lr", 0.2)).toThrow(expect.objectContaining({ rule: "param-changed" }));
    run.logParam("lr", 0.1);
    await run.flush();
    expect(batches.map((b) => b.body)).toEqual([expect.objectContaining({ params: [], tags: [{ key: "resumed", value: "yes" }] })]);
  });

  it("resumes MLFLOW_RUN_ID once; the next startRun creates a new run", async () => {
    record(server, "get", `${API}/runs/get`, () => stoppedRun());
    recordUpdates(server);
    const creates = recordCreates([OTHER_RUN_ID]);
    const client = testClient({ env: { MLFLOW_RUN_ID: RUN_ID } });
    const resumed = await startRun({ ...base, client });
    const fresh = await startRun({ ...base, client });
    expect(resumed.runId).toBe(RUN_ID);
    expect(fresh.runId).toBe(OTHER_RUN_ID);
    expect(creates).toHaveLength(1);
  });

  it("refuses a params option that changes a param of the resumed run, before writing to it", async () => {
    record(server, "get", `${API}/runs/get`, () => stoppedRun());
    const updates = recordUpdates(server);
    await expect(startRun({ ...base, client: testClient(), runId: RUN_ID, params: { lr: 0.5 } })).rejects.toMatchObject({ key: "lr", rule: "param-changed" });
    expect(updates).toHaveLength(0);
  });

  it("attaches to a run that is already RUNNING without writing to it", async () => {
    record(server, "get", `${API}/runs/get`, () => stoppedRun("RUNNING"));
    const updates = recordUpdates(server);
    await startRun({ ...base, client: testClient(), runId: RUN_ID });
    expect(updates).toHaveLength(0);
  });

  it("refuses to resume a deleted run", async () => {
    record(server, "get", `${API}/runs/get`, () => stoppedRun("FINISHED", "deleted"));
    const updates = recordUpdates(server);
    await expect(startRun({ ...base, client: testClient(), runId: RUN_ID })).rejects.toMatchObject({ key: "runId" });
    expect(updates).toHaveLength(0);
  });
});

describe("process hooks", () => {
  it("installs the exit hooks once while runs are active and removes them with the last run", async () => {
    recordCreates();
    recordUpdates(server);
    const before = { sigterm: process.listenerCount("SIGTERM"), beforeExit: process.listenerCount("beforeExit") };
    const first = await startRun({ client: testClient(), flushIntervalMs: 3_600_000 });
    const second = await startRun({ client: testClient(), flushIntervalMs: 3_600_000 });
    expect(exitHooksInstalled()).toBe(true);
    expect(process.listenerCount("SIGTERM")).toBe(before.sigterm + 1);
    expect(process.listenerCount("beforeExit")).toBe(before.beforeExit + 1);
    await first.end();
    expect(exitHooksInstalled()).toBe(true);
    await second.end();
    expect(exitHooksInstalled()).toBe(false);
    expect(process.listenerCount("SIGTERM")).toBe(before.sigterm);
    expect(process.listenerCount("beforeExit")).toBe(before.beforeExit);
  });
});

describe("options", () => {
  it("refuses unknown options and malformed environment values (with the client's configuration), naming them", async () => {
    await expect(startRun({ ...base, client: testClient(), flushIntervalMS: 5 } as never)).rejects.toMatchObject({ key: "flushIntervalMS" });
    await expect(startRun({ ...base, client: testClient(), maxInFlight: 0 })).rejects.toMatchObject({ key: "maxInFlight" });
    const env = { MLFLOW_TS_FLUSH_INTERVAL_MS: "soon" };
    expect(() => testClient({ env })).toThrow(expect.objectContaining({ key: "MLFLOW_TS_FLUSH_INTERVAL_MS" }));
    await expect(startRun({ exitHooks: false, client: { trackingUri: BASE, env } })).rejects.toMatchObject({ key: "MLFLOW_TS_FLUSH_INTERVAL_MS" });
  });

  it("reads the logger settings from the client's environment, options first", async () => {
    recordCreates();
    const env = {
      MLFLOW_TS_FLUSH_INTERVAL_MS: "250",
      MLFLOW_TS_MAX_IN_FLIGHT: "4",
      MLFLOW_TS_DELIVERY_TIMEOUT_MS: "60000",
      MLFLOW_TS_MAX_BUFFERED_ENTRIES: "5000",
      MLFLOW_TS_EXIT_TIMEOUT_MS: "1000",
    };
    const run = await startRun({ exitHooks: false, client: testClient({ env }), maxInFlight: 3 });
    expect(run.loggerOptions).toMatchObject({ flushIntervalMs: 250, maxInFlight: 3, deliveryTimeoutMs: 60_000, maxBufferedEntries: 5000, exitTimeoutMs: 1000 });
  });

  it("keeps 2 log-batch requests in flight on a server and 16 on the embedded store, unless told otherwise", async () => {
    recordCreates();
    const remote = await startRun({ exitHooks: false, client: testClient() });
    expect(remote.loggerOptions.maxInFlight).toBe(DEFAULT_MAX_IN_FLIGHT);
    const local = sqliteClient(tempDir());
    const embedded = await startRun({ exitHooks: false, client: local });
    expect(embedded.loggerOptions.maxInFlight).toBe(DEFAULT_MAX_IN_FLIGHT_EMBEDDED);
    const told = await startRun({ exitHooks: false, client: local, maxInFlight: 2 });
    expect(told.loggerOptions.maxInFlight).toBe(2);
    await Promise.all([embedded.end(), told.end()]);
    await local.close();
    removeTempDirs();
  });

  it("refuses experimentId together with experimentName", async () => {
    await expect(startRun({ ...base, client: testClient(), experimentId: "1", experimentName: "x" })).rejects.toBeInstanceOf(ConfigurationError);
  });

  it("surfaces the server's refusal to create the run", async () => {
    record(server, "post", `${API}/runs/create`, () => HttpResponse.json({ error_code: "PERMISSION_DENIED", message: "no write" }, { status: 403 }));
    await expect(startRun({ ...base, client: testClient() })).rejects.toMatchObject({ status: 403 });
  });
});
