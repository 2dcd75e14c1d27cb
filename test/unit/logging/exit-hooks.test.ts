/**
 * Exit behaviour, in child processes (`node --import tsx` on the scripts in fixtures/) against a
 * tiny tracking server on 127.0.0.1 that records what it receives: an uncaught exception or an
 * unhandled rejection ends the run FAILED, SIGTERM/SIGINT end it KILLED with exit code 128 + signal,
 * a natural exit ends it FINISHED; in every case each logged point arrives first. A plain loop that
 * keeps logging after SIGINT/SIGTERM is not crashed by its own logging calls, and with the server
 * down every ending is bounded by `exitTimeoutMs` and stderr counts what was not delivered.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { journalDirEnv } from "../helpers/mock-server.js";

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
const RUN_ID = "0123456789abcdef0123456789abcdef";
const CHILD_TIMEOUT_MS = 15_000;

/** When set, log-batch answers 503: the server never takes the points. */
let logBatchUnavailable = false;
/** When set, runs/update answers 503: the final status is never set. */
let updateUnavailable = false;

interface Received {
  creates: number;
  metrics: { key: string; step: number }[];
  params: { key: string; value: string }[];
  tags: { key: string; value: string }[];
  statuses: string[];
}

let received: Received;
let server: Server;
let trackingUri: string;

/** Answers just what the fixtures need: runs/create, runs/log-batch, runs/update. */
function handle(req: IncomingMessage, res: ServerResponse): void {
  let text = "";
  req.setEncoding("utf8");
  req.on("data", (chunk: string) => (text += chunk));
  req.on("end", () => {
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    const info = { run_id: RUN_ID, experiment_id: "0", status: "RUNNING", artifact_uri: "s3://b/0/r/artifacts", lifecycle_stage: "active" };
    let reply: unknown = {};
    if (req.url === "/api/2.0/mlflow/runs/create") {
      received.creates++;
      reply = { run: { info, data: { tags: body.tags } } };
    } else if (req.url === "/api/2.0/mlflow/runs/log-batch" && logBatchUnavailable) {
      res.writeHead(503, { "content-type": "text/plain" }).end("maintenance");
      return;
    } else if (req.url === "/api/2.0/mlflow/runs/log-batch") {
      received.metrics.push(...(body.metrics as Received["metrics"]));
      received.params.push(...(body.params as Received["params"]));
      received.tags.push(...(body.tags as Received["tags"]));
    } else if (req.url === "/api/2.0/mlflow/runs/update" && updateUnavailable) {
      res.writeHead(503, { "content-type": "text/plain" }).end("maintenance");
      return;
    } else if (req.url === "/api/2.0/mlflow/runs/update") {
      received.statuses.push(String(body.status));
      reply = { run_info: { ...info, status: body.status, end_time: body.end_time } };
    } else {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error_code: "ENDPOINT_NOT_FOUND", message: req.url }));
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(reply));
  });
}

/** Runs a fixture; `onReady` is called when it prints "ready". Resolves with its exit code and output. */
function runFixture(
  name: string,
  onReady?: (child: ChildProcess) => void,
  env: Record<string, string> = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", `${FIXTURES}${name}`], {
      env: { PATH: process.env.PATH, HOME: "/nonexistent-mlflow-ts-test-home", MLFLOW_TRACKING_URI: trackingUri, ...journalDirEnv(), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    let stdout = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${name} did not exit within ${CHILD_TIMEOUT_MS} ms; stderr: ${stderr}`));
    }, CHILD_TIMEOUT_MS);
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      if (chunk.includes("ready")) onReady?.(child);
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, stdout });
    });
  });
}

/** The counters the loop fixture prints at exit. */
function loopStats(stdout: string): { logged: number; sent: number; failed: number; ignored: number } {
  const line = stdout.split("\n").find((text) => text.startsWith("stats "));
  if (line === undefined) throw new Error(`the fixture printed no stats; stdout: ${stdout}`);
  return JSON.parse(line.slice("stats ".length)) as { logged: number; sent: number; failed: number; ignored: number };
}

function steps(): number[] {
  return received.metrics.map((m) => m.step).sort((a, b) => a - b);
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  trackingUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  logBatchUnavailable = false;
  updateUnavailable = false;
  received = { creates: 0, metrics: [], params: [], tags: [], statuses: [] };
});

describe("exit behaviour", () => {
  it("ends the run FAILED on an uncaught exception, after delivering every point, and exits 1", async () => {
    const { code, stderr } = await runFixture("log-then-throw.ts");
    expect(code).toBe(1);
    expect(stderr).toContain("training diverged");
    expect(received.statuses).toEqual(["FAILED"]);
    expect(steps()).toEqual(range(2500));
  });

  it("leaves FINISHED a run that a top-level await using block ended as an exception left it (the documented caveat)", async () => {
    const { code, stderr } = await runFixture("await-using-then-throw.ts");
    expect(code).toBe(1);
    expect(stderr).toContain("training diverged");
    expect(received.statuses).toEqual(["FINISHED"]);
    expect(steps()).toEqual(range(500));
  });

  it("ends the run FAILED on an unhandled rejection and exits 1", async () => {
    const { code, stderr } = await runFixture("log-then-reject.ts");
    expect(code).toBe(1);
    expect(stderr).toContain("data loader failed");
    expect(received.statuses).toEqual(["FAILED"]);
    expect(steps()).toEqual(range(1500));
  });

  it("ends the run KILLED on SIGTERM after delivering every point, and exits 143", async () => {
    const { code } = await runFixture("log-then-wait.ts", (child) => child.kill("SIGTERM"));
    expect(code).toBe(143);
    expect(received.statuses).toEqual(["KILLED"]);
    expect(steps()).toEqual(range(3000));
    expect(received.tags).toEqual([{ key: "phase", value: "training" }]);
  });

  it("ends the run KILLED on SIGINT and exits 130", async () => {
    const { code } = await runFixture("log-then-wait.ts", (child) => child.kill("SIGINT"));
    expect(code).toBe(130);
    expect(received.statuses).toEqual(["KILLED"]);
    expect(steps()).toEqual(range(3000));
  });

  it("ends the run FINISHED on a natural exit with every point, param and tag delivered", async () => {
    const { code, stderr } = await runFixture("log-then-return.ts");
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(received.statuses).toEqual(["FINISHED"]);
    expect(steps()).toEqual(range(5000));
    expect(received.params).toEqual([{ key: "lr", value: "0.01" }]);
    expect(received.tags).toEqual([{ key: "phase", value: "done" }]);
  });

  it("does not hang when the server refuses the points: the exit flush is bounded and says what is pending in the journal", async () => {
    logBatchUnavailable = true;
    const { code, stderr } = await runFixture("log-then-return.ts", undefined, { MLFLOW_TS_EXIT_TIMEOUT_MS: "1500" });
    expect(code).toBe(0);
    expect(stderr).toMatch(/5002 entries are pending, kept in the journal at \S*mlflow-ts-unit-journal-/);
    expect(received.metrics).toHaveLength(0);
    expect(received.statuses).toEqual(["FINISHED"]);
  });

  it("without the journal, does not hang when the server refuses the points and says what was lost", async () => {
    logBatchUnavailable = true;
    const { code, stderr } = await runFixture("log-then-return.ts", undefined, { MLFLOW_TS_EXIT_TIMEOUT_MS: "1500", MLFLOW_TS_JOURNAL: "false" });
    expect(code).toBe(0);
    expect(stderr).toMatch(/5000 metrics, 1 param, 1 tag could not be delivered/);
    expect(received.metrics).toHaveLength(0);
    expect(received.statuses).toEqual(["FINISHED"]);
  });

  it("stops and delivers a plain loop that keeps logging after SIGTERM: exit 143, KILLED, every point logged before the signal, no crash", async () => {
    const { code, stderr, stdout } = await runFixture("log-until-signal.ts", (child) => child.kill("SIGTERM"));
    expect(stderr).not.toMatch(/Unhandled|run-ended|has ended/);
    expect(code).toBe(143);
    expect(received.statuses).toEqual(["KILLED"]);
    const stats = loopStats(stdout);
    expect(stats).toMatchObject({ failed: 0, queued: 0, inFlight: 0 });
    expect(stats.logged).toBeGreaterThan(1000);
    // Every entry logged before the signal: the param, and each step's point.
    expect(received.params).toEqual([{ key: "lr", value: "0.01" }]);
    expect(steps()).toEqual(range(stats.logged - 1));
    if (stats.ignored > 0) expect(stderr).toContain(`${stats.ignored} entries logged after SIGTERM began ending the run were ignored`);
  });

  it("stops a plain loop that keeps logging after SIGINT with exit code 130 and the run KILLED", async () => {
    const { code, stderr, stdout } = await runFixture("log-until-signal.ts", (child) => child.kill("SIGINT"));
    expect(stderr).not.toMatch(/Unhandled|run-ended|has ended/);
    expect(code).toBe(130);
    expect(received.statuses).toEqual(["KILLED"]);
    expect(steps()).toEqual(range(loopStats(stdout).logged - 1));
  });

  it("exits 143 within exitTimeoutMs when the server is down at SIGTERM, counting on stderr what is pending in the journal", async () => {
    logBatchUnavailable = true;
    updateUnavailable = true;
    let signalledAt = 0;
    const { code, stderr, stdout } = await runFixture(
      "log-until-signal.ts",
      (child) => {
        signalledAt = Date.now();
        child.kill("SIGTERM");
      },
      { MLFLOW_TS_EXIT_TIMEOUT_MS: "2000" },
    );
    // The exit deadline plus a generous grace for a loaded machine; without the bound it was minutes.
    expect(Date.now() - signalledAt).toBeLessThan(2_000 + 8_000);
    expect(code).toBe(143);
    const { logged } = loopStats(stdout);
    expect(stderr).toMatch(
      new RegExp(
        `was not ended KILLED — the status update failed: .*; it stays RUNNING on the server\\. ${logged} entries are pending, kept in the journal at `,
      ),
    );
    expect(stderr).not.toMatch(/Unhandled|run-ended|has ended/);
    expect(received.statuses).toEqual([]);
  });

  it("prints the counts of what is pending in the journal at a natural exit when the status update fails too", async () => {
    logBatchUnavailable = true;
    updateUnavailable = true;
    const { code, stderr } = await runFixture("log-then-return.ts", undefined, { MLFLOW_TS_EXIT_TIMEOUT_MS: "1500" });
    expect(code).toBe(0);
    expect(stderr).toMatch(
      /was not ended FINISHED — the status update failed: .*; it stays RUNNING on the server\. 5002 entries are pending, kept in the journal at /,
    );
  });

  it("ends within exitTimeoutMs on an uncaught exception while the server is down, exits 1 and counts on stderr what is pending in the journal", async () => {
    logBatchUnavailable = true;
    updateUnavailable = true;
    const startedAt = Date.now();
    const { code, stderr } = await runFixture("log-then-throw.ts", undefined, { MLFLOW_TS_EXIT_TIMEOUT_MS: "1500" });
    // The exit deadline plus a generous grace for the child's start on a loaded machine.
    expect(Date.now() - startedAt).toBeLessThan(1_500 + 10_000);
    expect(code).toBe(1);
    expect(stderr).toContain("training diverged");
    expect(stderr).toMatch(
      /was not ended FAILED — the status update failed: .*; it stays RUNNING on the server\. 2500 entries are pending, kept in the journal at /,
    );
  });

  it("leaves SIGTERM to a program that listens for it", async () => {
    const { code } = await runFixture("own-sigterm-handler.ts", (child) => child.kill("SIGTERM"));
    expect(code).toBe(0);
    expect(received.statuses).toEqual(["FINISHED"]);
  });
});
