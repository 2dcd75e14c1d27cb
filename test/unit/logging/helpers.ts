/**
 * Helpers of the logger's unit tests: a run on the mocked server (experiment and run creation
 * answered), a `log-batch` recorder, held responses that keep requests in flight until a test
 * releases them, a bounded wait for a condition, and a capture of process warnings.
 */
import type { SetupServerApi } from "msw/node";
import { vi } from "vitest";
import type { ClientOptions } from "../../../src/config/options.js";
import { type StartRunOptions, startRun } from "../../../src/logging/fluent.js";
import type { ActiveRun } from "../../../src/logging/run.js";
import { API, experimentJson, type RecordedRequest, RUN_ID, record, runJson, testClient } from "../helpers/mock-server.js";

/** Entities of one recorded `log-batch` request. */
export interface LogBatchBody {
  run_id: string;
  metrics: { key: string; value: number | string; timestamp: number; step: number }[];
  params: { key: string; value: string }[];
  tags: { key: string; value: string }[];
}

/** The body of a recorded `log-batch` request. */
export function batchOf(request: RecordedRequest): LogBatchBody {
  return request.body as LogBatchBody;
}

/**
 * Starts a run against the mocked server (experiment "1", run {@link RUN_ID}); exit hooks off and
 * a long flush interval unless the test sets them.
 */
export async function openTestRun(
  server: SetupServerApi,
  options: StartRunOptions = {},
  clientOptions: ClientOptions = {},
): Promise<{ run: ActiveRun; creates: RecordedRequest[] }> {
  record(server, "get", `${API}/experiments/get`, () => ({ experiment: experimentJson("1") }));
  const creates = record(server, "post", `${API}/runs/create`, () => ({ run: runJson() }));
  const run = await startRun({ client: testClient(clientOptions), experimentId: "1", exitHooks: false, flushIntervalMs: 3_600_000, ...options });
  return { run, creates };
}

/**
 * Resumes the mocked server's run {@link RUN_ID} (which the test's fake server holds) with its
 * journal in `dir`: group commits every 10 ms, exit hooks off, a long flush interval and no
 * background recovery, unless `options` / `clientOptions` say otherwise.
 */
export function resumeJournaledRun(dir: string, options: StartRunOptions = {}, clientOptions: ClientOptions = {}): Promise<ActiveRun> {
  return startRun({
    client: testClient({ ...clientOptions, env: { MLFLOW_TS_RECOVER: "false", ...clientOptions.env } }),
    runId: RUN_ID,
    exitHooks: false,
    flushIntervalMs: 3_600_000,
    journalDir: dir,
    journalCommitIntervalMs: 10,
    ...options,
  });
}

/** Records `runs/update` requests and answers with a FINISHED-style run info. */
export function recordUpdates(server: SetupServerApi): RecordedRequest[] {
  return record(server, "post", `${API}/runs/update`, (req) => {
    const body = req.body as { status?: string; end_time?: number };
    const info = runJson().info as Record<string, unknown>;
    return { run_info: { ...info, status: body.status ?? "RUNNING", end_time: body.end_time } };
  });
}

/** A gate that holds responses until {@link Gate.open} is called. */
export interface Gate {
  wait(): Promise<void>;
  open(): void;
}

/** Creates a closed {@link Gate}. */
export function gate(): Gate {
  let release!: () => void;
  const opened = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { wait: () => opened, open: () => release() };
}

export { RUN_ID };

/**
 * Waits until `done()` holds, polling every 10 ms at most `maxPolls` times.
 * @throws {Error} naming `what` when it still does not hold.
 */
export async function until(done: () => boolean, what: string, maxPolls = 500): Promise<void> {
  for (let poll = 0; poll < maxPolls && !done(); poll++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!done()) throw new Error(`gave up waiting for ${what}`);
}

/** A process warning as `process.emitWarning` was called with it. */
export interface CapturedWarning {
  message: string;
  code: string | undefined;
}

/**
 * Captures `process.emitWarning` calls into `warnings` (nothing is printed) until the returned
 * function restores it; return it from a `beforeEach`.
 */
export function captureWarnings(warnings: CapturedWarning[]): () => void {
  const spy = vi.spyOn(process, "emitWarning").mockImplementation(((warning: string | Error, options?: { code?: string }) => {
    warnings.push({ message: String(warning), code: options?.code });
  }) as typeof process.emitWarning);
  return () => spy.mockRestore();
}
