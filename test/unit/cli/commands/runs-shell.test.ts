/**
 * `mlflow-ts runs create / log-metric / log-param / set-tag / log-batch / end / describe / delete /
 * restore` in-process against msw: the requests each sends, what it prints, exit codes (0, 1 for
 * bad lines or a deleted run, 2 for usage: no run, a bad value or status), the run id taken from
 * MLFLOW_RUN_ID, bad lines reported by number while the others are logged, the backlog of
 * `log-batch` bounded for a long input, and `describe` plain on a pipe, with sparklines on a terminal.
 */
import { afterEach, describe, expect, it } from "vitest";
import { MAX_PENDING_ENTRIES } from "../../../../src/cli/commands/runs/log-batch.js";
import type { InputStream } from "../../../../src/cli/context.js";
import { cliCaptured as cli, cliOnTerminal } from "../../helpers/cli.js";
import { API, experimentJson, type RecordedRequest, RUN_ID, record, runJson, useMockServer } from "../../helpers/mock-server.js";

const server = useMockServer();
const unhandled: string[] = [];
server.events.on("request:unhandled", ({ request }) => unhandled.push(`${request.method} ${request.url}`));
afterEach(() => {
  expect(unhandled.splice(0)).toEqual([]);
});

function stdinOf(text: string): InputStream {
  return (async function* () {
    yield Buffer.from(text);
  })();
}

/** The run as `runs/get` answers it, with `params` already logged. */
function existingRun(params: { key: string; value: string }[] = [], lifecycle = "active"): Record<string, unknown> {
  const run = runJson();
  (run.info as Record<string, unknown>).lifecycle_stage = lifecycle;
  run.data = { params, tags: [] };
  return run;
}

function batchBodies(batches: RecordedRequest[]): { metrics: unknown[]; params: unknown[]; tags: unknown[] } {
  const all = { metrics: [] as unknown[], params: [] as unknown[], tags: [] as unknown[] };
  for (const { body } of batches) {
    const b = body as { metrics?: unknown[]; params?: unknown[]; tags?: unknown[] };
    all.metrics.push(...(b.metrics ?? []));
    all.params.push(...(b.params ?? []));
    all.tags.push(...(b.tags ?? []));
  }
  return all;
}

describe("help", () => {
  it.each(["create", "log-metric", "log-param", "set-tag", "log-batch", "end", "describe", "delete", "restore"])(
    "prints help for runs %s and exits 0",
    async (name) => {
      const { code, stdout } = await cli(["runs", name, "--help"]);
      expect(code).toBe(0);
      expect(stdout).toContain(`Usage: mlflow-ts runs ${name}`);
    },
  );

  it("documents the JSON-lines format in the help of log-batch", async () => {
    expect((await cli(["runs", "log-batch", "--help"])).stdout).toContain('{"param": "lr", "value": "0.001"}');
  });
});

describe("runs create", () => {
  it("creates the run in MLFLOW_EXPERIMENT_NAME's experiment with system and given tags, logs the params, prints the id", async () => {
    record(server, "get", `${API}/experiments/get-by-name`, () => ({ experiment: experimentJson("4", "ci") }));
    const creates = record(server, "post", `${API}/runs/create`, () => ({ run: runJson({ experiment_id: "4" }) }));
    const batches = record(server, "post", `${API}/runs/log-batch`);
    const { code, stdout, stderr } = await cli(["runs", "create", "--run-name", "nightly", "--tag", "team=vision", "--tag", "note=a=b", "--param", "lr=0.01"], {
      MLFLOW_EXPERIMENT_NAME: "ci",
    });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toBe(`${RUN_ID}\n`);
    const body = creates[0]!.body as { experiment_id: string; run_name: string; tags: { key: string; value: string }[] };
    expect(body.experiment_id).toBe("4");
    expect(body.run_name).toBe("nightly");
    const tags = Object.fromEntries(body.tags.map((tag) => [tag.key, tag.value]));
    expect(tags).toMatchObject({ team: "vision", note: "a=b", "mlflow.runName": "nightly", "mlflow.source.type": "LOCAL" });
    expect(batches.map((b) => b.body)).toEqual([{ run_id: RUN_ID, metrics: [], params: [{ key: "lr", value: "0.01" }], tags: [] }]);
  });

  it("--export prints a line for eval, and never resumes MLFLOW_RUN_ID (create always creates)", async () => {
    const creates = record(server, "post", `${API}/runs/create`, () => ({ run: runJson() }));
    const { code, stdout } = await cli(["runs", "create", "--export"], { MLFLOW_RUN_ID: "ffffffffffffffffffffffffffffffff" });
    expect(code).toBe(0);
    expect(stdout).toBe(`export MLFLOW_RUN_ID=${RUN_ID}\n`);
    expect((creates[0]!.body as { experiment_id: string }).experiment_id).toBe("0");
  });

  it("--json prints the created run", async () => {
    record(server, "get", `${API}/experiments/get`, () => ({ experiment: experimentJson("7") }));
    record(server, "post", `${API}/runs/create`, () => ({ run: runJson({ experiment_id: "7" }) }));
    const { code, stdout } = await cli(["runs", "create", "--experiment-id", "7", "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).info).toMatchObject({ run_id: RUN_ID, experiment_id: "7", status: "RUNNING" });
  });

  it.each([
    [["--tag", "novalue"], '"novalue" is not KEY=VALUE. Fix: write it as key=value'],
    [["--param", "=1"], '"=1" is not KEY=VALUE'],
    [["--experiment-name", "a", "--experiment-id", "1"], "give --experiment-name or --experiment-id, not both"],
    [["--export", "--json"], "give --export or --json, not both"],
    [["--tag", "bad key!=1"], "bad key!"],
  ])("exits 2 before any request for %j", async (args, message) => {
    const { code, stderr } = await cli(["runs", "create", ...args]);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });
});

describe("runs log-metric, log-param, set-tag", () => {
  it("logs a metric point to MLFLOW_RUN_ID with its step and timestamp, delivered before the command exits", async () => {
    record(server, "get", `${API}/runs/get`, () => ({ run: existingRun() }));
    const batches = record(server, "post", `${API}/runs/log-batch`);
    const { code, stdout } = await cli(["runs", "log-metric", "loss", "0.25", "--step", "3", "--timestamp", "1700000000000"], { MLFLOW_RUN_ID: RUN_ID });
    expect(code).toBe(0);
    expect(stdout).toBe(`Logged metric loss=0.25 (step 3) to run ${RUN_ID}.\n`);
    expect(batchBodies(batches).metrics).toEqual([{ key: "loss", value: 0.25, timestamp: 1_700_000_000_000, step: 3 }]);
  });

  it("reads the value as Python's float(): -Infinity (after --) and NaN travel as MLflow's strings", async () => {
    record(server, "get", `${API}/runs/get`, () => ({ run: existingRun() }));
    const batches = record(server, "post", `${API}/runs/log-batch`);
    expect((await cli(["runs", "log-metric", "--run-id", RUN_ID, "--", "a", "-Infinity"])).code).toBe(0);
    expect((await cli(["runs", "log-metric", "--run-id", RUN_ID, "b", "nan"])).code).toBe(0);
    expect((await cli(["runs", "log-metric", "--run-id", RUN_ID, "c", "-1.5"])).code).toBe(0);
    expect(batchBodies(batches).metrics.map((m) => (m as { value: unknown }).value)).toEqual(["-Infinity", "NaN", -1.5]);
  });

  it("logs a param and sets a tag as the text given", async () => {
    record(server, "get", `${API}/runs/get`, () => ({ run: existingRun() }));
    const batches = record(server, "post", `${API}/runs/log-batch`);
    expect((await cli(["runs", "log-param", "--run-id", RUN_ID, "lr", "0.010"])).stdout).toBe(`Logged param lr="0.010" on run ${RUN_ID}.\n`);
    expect((await cli(["runs", "set-tag", "--run-id", RUN_ID, "stage", "eval"])).stdout).toBe(`Set tag stage="eval" on run ${RUN_ID}.\n`);
    expect(batchBodies(batches)).toEqual({ metrics: [], params: [{ key: "lr", value: "0.010" }], tags: [{ key: "stage", value: "eval" }] });
  });

  it("refuses a param the run already has with another value, sending nothing (exit 2)", async () => {
    record(server, "get", `${API}/runs/get`, () => ({ run: existingRun([{ key: "lr", value: "0.01" }]) }));
    const { code, stderr } = await cli(["runs", "log-param", "--run-id", RUN_ID, "lr", "0.02"]);
    expect(code).toBe(2);
    expect(stderr).toContain('The param "lr" was already logged in this run with value "0.01"');
  });

  it.each([
    [["runs", "log-metric", "loss", "0.5"], "no run given. Fix: pass --run-id <id>, or set MLFLOW_RUN_ID"],
    [["runs", "log-param", "lr", "1"], "no run given"],
    [["runs", "set-tag", "a", "b"], "no run given"],
    [["runs", "log-batch"], "no run given"],
    [["runs", "end"], "no run given"],
    [["runs", "describe"], "no run given"],
    [["runs", "log-metric", "--run-id", RUN_ID, "loss", "fast"], `expected a number as Python's float() reads it`],
    [["runs", "log-metric", "--run-id", RUN_ID, "loss", "0x10"], "expected a number"],
    [["runs", "log-metric", "--run-id", RUN_ID, "loss", "1", "--step", "1.5"], "expected a whole number for --step"],
    [["runs", "log-metric", "--run-id", "bad/run id", "loss", "1"], "is not a valid run id"],
    [["runs", "end", "--run-id", RUN_ID, "--status", "DONE"], "Allowed choices are FINISHED, FAILED, KILLED"],
    [["runs", "delete"], "missing required argument 'run-id'"],
  ])("exits 2 before any request: %j", async (argv, message) => {
    const { code, stderr } = await cli(argv);
    expect(stderr).toContain(message);
    expect(code).toBe(2);
  });

  it("exits 1 without logging when the run is deleted", async () => {
    record(server, "get", `${API}/runs/get`, () => ({ run: existingRun([], "deleted") }));
    const { code, stderr } = await cli(["runs", "log-metric", "--run-id", RUN_ID, "loss", "1"]);
    expect(code).toBe(1);
    expect(stderr).toContain(`Run ${RUN_ID} is deleted; nothing was logged. Fix: restore it (mlflow-ts runs restore ${RUN_ID})`);
  });
});

describe("runs log-batch", () => {
  it("logs every good line, names each bad line with its number and fix, and exits 1 counting them", async () => {
    record(server, "get", `${API}/runs/get`, () => ({ run: existingRun() }));
    const batches = record(server, "post", `${API}/runs/log-batch`);
    const input = [
      '{"metric":"loss","value":0.5,"step":1,"timestamp":1700000000001}',
      "not json",
      '{"metric":"loss","value":"NaN","step":2,"timestamp":1700000000002}',
      "",
      '{"metric":"loss"}',
      '{"param":"lr","value":"0.01"}',
      '{"tag":"stage","value":"train"}',
      '{"metric":"bad key!","value":1}',
      '{"metric":"acc","value":"-Infinity","timestamp":1700000000003}',
    ].join("\n");
    const { code, stdout, stderr } = await cli(["runs", "log-batch"], { MLFLOW_RUN_ID: RUN_ID }, stdinOf(input));
    expect(batchBodies(batches)).toEqual({
      metrics: [
        { key: "loss", value: 0.5, timestamp: 1_700_000_000_001, step: 1 },
        { key: "loss", value: "NaN", timestamp: 1_700_000_000_002, step: 2 },
        { key: "acc", value: "-Infinity", timestamp: 1_700_000_000_003, step: 0 },
      ],
      params: [{ key: "lr", value: "0.01" }],
      tags: [{ key: "stage", value: "train" }],
    });
    expect(stdout).toBe(`Logged 3 metric points, 1 param, 1 tag to run ${RUN_ID}.\n`);
    const lines = stderr.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^line 2: not valid JSON .*Fix:/);
    expect(lines[1]).toMatch(/^line 5: the metric "loss" has no "value"\. Fix:/);
    expect(lines[2]).toMatch(/^line 8: .*"bad key!"/);
    expect(lines[3]).toBe(
      "error: 3 of 9 lines were not logged: lines 2, 5, 8 (each is described above); every other line was logged. Fix: correct them and pipe them to runs log-batch again.",
    );
    expect(code).toBe(1);
  });

  it("exits 0 and logs nothing for empty input", async () => {
    record(server, "get", `${API}/runs/get`, () => ({ run: existingRun() }));
    const { code, stdout } = await cli(["runs", "log-batch", "--run-id", RUN_ID], {}, stdinOf(""));
    expect(code).toBe(0);
    expect(stdout).toBe(`Logged 0 metric points, 0 params, 0 tags to run ${RUN_ID}.\n`);
  });

  it("exits 1 with the server's refusal when a batch is refused, after reading every line", async () => {
    record(server, "get", `${API}/runs/get`, () => ({ run: existingRun() }));
    record(server, "post", `${API}/runs/log-batch`, () => new Response(JSON.stringify({ error_code: "PERMISSION_DENIED", message: "no" }), { status: 403 }));
    const { code, stderr } = await cli(["runs", "log-batch", "--run-id", RUN_ID], {}, stdinOf('{"metric":"m","value":1}\n'));
    expect(code).toBe(1);
    expect(stderr).toMatch(/PERMISSION_DENIED/);
  });

  it("pauses reading while the backlog is full, so a long input never waits in memory at once", async () => {
    const total = 60_000;
    let pulled = 0;
    let acknowledged = 0;
    let largestBacklog = 0;
    async function* lines(): AsyncGenerator<string> {
      for (let n = 0; n < total; n++) {
        pulled += 1;
        largestBacklog = Math.max(largestBacklog, pulled - acknowledged);
        yield `{"metric":"m","value":${n},"step":${n},"timestamp":1700000000000}\n`;
      }
    }
    record(server, "get", `${API}/runs/get`, () => ({ run: existingRun() }));
    let logged = 0;
    record(server, "post", `${API}/runs/log-batch`, async (request) => {
      await new Promise((resolve) => setImmediate(resolve));
      const count = (request.body as { metrics: unknown[] }).metrics.length;
      logged += count;
      acknowledged += count;
      return {};
    });
    const { code } = await cli(["runs", "log-batch", "--run-id", RUN_ID], {}, lines());
    expect(code).toBe(0);
    expect(logged).toBe(total);
    // Reading pauses within one check interval (1000 lines) of the cap.
    expect(largestBacklog).toBeLessThanOrEqual(MAX_PENDING_ENTRIES + 1_001);
  }, 60_000);
});

describe("runs end, delete, restore", () => {
  it("ends MLFLOW_RUN_ID FINISHED by default, and with --status as given", async () => {
    const updates = record(server, "post", `${API}/runs/update`, () => ({ run_info: runJson().info as object }));
    expect((await cli(["runs", "end"], { MLFLOW_RUN_ID: RUN_ID })).stdout).toBe(`Run ${RUN_ID} ended FINISHED.\n`);
    expect((await cli(["runs", "end", "--run-id", RUN_ID, "--status", "KILLED"])).code).toBe(0);
    expect(updates.map((u) => (u.body as { status: string }).status)).toEqual(["FINISHED", "KILLED"]);
    expect(updates.every((u) => typeof (u.body as { end_time: unknown }).end_time === "number")).toBe(true);
  });

  it("deletes and restores a run named on the command line", async () => {
    const deletes = record(server, "post", `${API}/runs/delete`);
    const restores = record(server, "post", `${API}/runs/restore`);
    expect((await cli(["runs", "delete", RUN_ID])).stdout).toBe(`Deleted run ${RUN_ID}. Undo with: mlflow-ts runs restore ${RUN_ID}\n`);
    expect((await cli(["runs", "restore", RUN_ID])).stdout).toBe(`Restored run ${RUN_ID}.\n`);
    expect(deletes.map((d) => d.body)).toEqual([{ run_id: RUN_ID }]);
    expect(restores.map((r) => r.body)).toEqual([{ run_id: RUN_ID }]);
  });
});

describe("runs describe", () => {
  function describedRun(): Record<string, unknown> {
    const run = runJson();
    run.data = {
      params: [{ key: "lr", value: "0.01" }],
      metrics: [
        { key: "loss", value: 0.125, timestamp: 1_700_000_000_003, step: 3 },
        { key: "acc", value: "NaN", timestamp: 1_700_000_000_001, step: 1 },
      ],
      tags: [{ key: "mlflow.runName", value: "bright-owl-42" }],
    };
    return run;
  }
  const HISTORIES: Record<string, unknown[]> = {
    loss: [
      { key: "loss", value: 0.125, timestamp: 1_700_000_000_003, step: 3 },
      { key: "loss", value: 1, timestamp: 1_700_000_000_000, step: 0 },
      { key: "loss", value: 0.5, timestamp: 1_700_000_000_001, step: 1 },
      { key: "loss", value: 0.25, timestamp: 1_700_000_000_002, step: 2 },
    ],
    acc: [{ key: "acc", value: "NaN", timestamp: 1_700_000_000_001, step: 1 }],
  };

  it("prints plain text with the latest metrics when stdout is not a terminal, and fetches no history", async () => {
    record(server, "get", `${API}/runs/get`, () => ({ run: describedRun() }));
    const { code, stdout } = await cli(["runs", "describe"], { MLFLOW_RUN_ID: RUN_ID });
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        `Run ${RUN_ID} (bright-owl-42): RUNNING`,
        "  experiment:   1",
        "  started:      2023-11-14T22:13:20Z",
        "  ended:        -",
        `  artifact URI: s3://mlflow/1/${RUN_ID}/artifacts`,
        "Params:",
        "  lr  0.01",
        "Tags:",
        "  mlflow.runName  bright-owl-42",
        "Metrics (latest):",
        "  acc   NaN (step 1)",
        "  loss  0.125 (step 3)",
        "",
      ].join("\n"),
    );
  });

  it("draws each metric's history as a sparkline with last, min and max on a terminal", async () => {
    record(server, "get", `${API}/runs/get`, () => ({ run: describedRun() }));
    const histories = record(server, "get", `${API}/metrics/get-history`, (request) => ({ metrics: HISTORIES[request.query.get("metric_key")!] }));
    const { code, stdout } = await cliOnTerminal(["runs", "describe", RUN_ID]);
    expect(code).toBe(0);
    expect(histories.map((h) => h.query.get("metric_key"))).toEqual(["acc", "loss"]);
    expect(stdout.split("\n").slice(9)).toEqual([
      "Metrics (history):",
      "  acc         last NaN (step 1)    min -      max -  1 point",
      "  loss  █▄▂▁  last 0.125 (step 3)  min 0.125  max 1  4 points",
      "",
    ]);
  });

  it("--json prints the run and every metric's history, NaN as MLflow's string", async () => {
    record(server, "get", `${API}/runs/get`, () => ({ run: describedRun() }));
    record(server, "get", `${API}/metrics/get-history`, (request) => ({ metrics: HISTORIES[request.query.get("metric_key")!] }));
    const { code, stdout } = await cli(["runs", "describe", RUN_ID, "--json"]);
    expect(code).toBe(0);
    const printed = JSON.parse(stdout);
    expect(printed.run.info.run_id).toBe(RUN_ID);
    expect(printed.metric_history).toEqual({
      acc: [{ step: 1, timestamp: 1_700_000_000_001, value: "NaN" }],
      loss: [
        { step: 0, timestamp: 1_700_000_000_000, value: 1 },
        { step: 1, timestamp: 1_700_000_000_001, value: 0.5 },
        { step: 2, timestamp: 1_700_000_000_002, value: 0.25 },
        { step: 3, timestamp: 1_700_000_000_003, value: 0.125 },
      ],
    });
  });
});
