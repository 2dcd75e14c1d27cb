/**
 * Shared msw set-up for the unit tests: one server per test file with `onUnhandledRequest: "error"`,
 * a recorder that keeps every request a handler saw (method, path, query, JSON body, headers), and
 * a client factory whose environment is empty (no real `~/.mlflow/credentials`, no real env).
 */
import { HttpResponse, http, type JsonBodyType } from "msw";
import { type SetupServer, type SetupServerApi, setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, vi } from "vitest";
import { type ClientOptions, MlflowClient } from "../../../src/index.js";

/** Tracking URI of the mocked server. */
export const BASE = "http://mlflow.test:5000";
/** Prefix of every tracking endpoint on the mocked server. */
export const API = `${BASE}/api/2.0/mlflow`;
/** A HOME without `.mlflow/credentials`, so no test reads the developer's real credentials. */
export const EMPTY_HOME = "/nonexistent-mlflow-ts-test-home";

/** Starts one msw server for the calling test file; unhandled requests fail the test. */
export function useMockServer(): SetupServerApi {
  const server = setupServer() as SetupServerApi;
  beforeAll(() => {
    server.listen({ onUnhandledRequest: "error" });
    silenceSimulatedErrors();
  });
  afterEach(() => server.resetHandlers());
  afterAll(() => {
    server.close();
    vi.restoreAllMocks();
  });
  return server;
}

/**
 * msw logs every error a handler throws, including the socket errors tests throw on purpose (see
 * {@link socketError}); those lines are dropped, anything else a handler throws is still printed.
 */
function silenceSimulatedErrors(): void {
  const original = console.error.bind(console);
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    const text = args.map((arg) => (arg instanceof Error ? arg.message : String(arg))).join(" ");
    if (text.includes(SIMULATED) || text.includes("Encountered an unhandled exception during the handler lookup")) return;
    original(...args);
  });
}

/** One request as a handler saw it. */
export interface RecordedRequest {
  method: string;
  /** Path without host and query, e.g. `/api/2.0/mlflow/runs/get`. */
  path: string;
  query: URLSearchParams;
  /** Parsed JSON body; the raw text when it is not JSON; `undefined` for requests without a body. */
  body: unknown;
  headers: Headers;
}

type Method = "get" | "post" | "patch" | "delete" | "put";
type Reply = Response | JsonBodyType | Promise<Response | JsonBodyType>;

/**
 * Installs a handler for `method url` that records each request and answers with `reply(request,
 * n)` (n counts from 1). A plain value is sent as JSON with status 200.
 */
export function record(server: SetupServer, method: Method, url: string, reply: (req: RecordedRequest, n: number) => Reply = () => ({})): RecordedRequest[] {
  const seen: RecordedRequest[] = [];
  server.use(
    http[method](url, async ({ request }) => {
      const text = await request.text();
      const target = new URL(request.url);
      const recorded: RecordedRequest = {
        method: request.method,
        path: target.pathname,
        query: target.searchParams,
        body: parseBody(text),
        headers: request.headers,
      };
      seen.push(recorded);
      const answer = await reply(recorded, seen.length);
      return answer instanceof Response ? answer : HttpResponse.json(answer);
    }),
  );
  return seen;
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * A client on the mocked server with an empty environment and no backoff (unless overridden). The
 * line printed when a call starts retrying is hidden (`MLFLOW_TS_QUIET_RETRIES`) unless `env` says otherwise.
 */
export function testClient(options: ClientOptions = {}): MlflowClient {
  return new MlflowClient({
    trackingUri: BASE,
    backoffFactorMs: 0,
    backoffJitterMs: 0,
    ...options,
    env: { HOME: EMPTY_HOME, MLFLOW_TS_QUIET_RETRIES: "true", ...journalDirEnv(), ...options.env },
  });
}

/**
 * The journal folder of this test worker (test/unit/setup-journal-dir.ts), for clients and child
 * processes whose environment is not `process.env`: runs journal by default, never under HOME.
 */
export function journalDirEnv(): Record<string, string> {
  const dir = process.env.MLFLOW_TS_JOURNAL_DIR;
  return dir === undefined ? {} : { MLFLOW_TS_JOURNAL_DIR: dir };
}

/** An error a resolver can throw to make the request fail like a socket error with `code`. */
export function socketError(code: "ECONNREFUSED" | "ECONNRESET" | "ETIMEDOUT" | "ENOTFOUND", message = code): Error {
  return Object.assign(new Error(`${message} ${SIMULATED}`), { code, errno: -1, syscall: "connect" });
}

/** Marks errors thrown on purpose by handlers, so the server does not log them. */
export const SIMULATED = "(simulated)";

/** A JSON error body as MLflow sends it. */
export function mlflowError(status: number, errorCode: string, message: string, headers?: Record<string, string>): Response {
  return HttpResponse.json({ error_code: errorCode, message }, { status, headers });
}

/** A 32-hex run id. */
export const RUN_ID = "0123456789abcdef0123456789abcdef";

/** A run as the server sends it: int64 fields as numbers, NaN as a string, empty lists omitted. */
export function runJson(overrides: { run_id?: string; experiment_id?: string; tags?: { key: string; value: string }[] } = {}): Record<string, unknown> {
  const runId = overrides.run_id ?? RUN_ID;
  return {
    info: {
      run_id: runId,
      run_uuid: runId,
      run_name: "bright-owl-42",
      experiment_id: overrides.experiment_id ?? "1",
      user_id: "alice",
      status: "RUNNING",
      start_time: 1_700_000_000_000,
      artifact_uri: `s3://mlflow/1/${runId}/artifacts`,
      lifecycle_stage: "active",
    },
    data: { tags: overrides.tags ?? [{ key: "mlflow.runName", value: "bright-owl-42" }] },
    inputs: {},
    outputs: {},
  };
}

/** An experiment as the server sends it. */
export function experimentJson(id = "1", name = "mnist", lifecycle: "active" | "deleted" = "active"): Record<string, unknown> {
  return {
    experiment_id: id,
    name,
    artifact_location: `s3://mlflow/${id}`,
    lifecycle_stage: lifecycle,
    last_update_time: 1_700_000_000_001,
    creation_time: 1_700_000_000_000,
  };
}

/** A model version as the server sends it (`version` is a string). */
export function modelVersionJson(name = "fraud", version = "3"): Record<string, unknown> {
  return {
    name,
    version,
    creation_timestamp: 1_700_000_000_000,
    last_updated_timestamp: "1700000000005",
    current_stage: "None",
    source: `runs:/${RUN_ID}/model`,
    run_id: RUN_ID,
    status: "READY",
  };
}

/** A registered model as the server sends it. */
export function registeredModelJson(name = "fraud"): Record<string, unknown> {
  return { name, creation_timestamp: 1_700_000_000_000, last_updated_timestamp: 1_700_000_000_000, aliases: [{ alias: "champion", version: "3" }] };
}

/** A logged model as the server sends it. */
export function loggedModelJson(id = "m-0123456789abcdef0123456789abcdef"): Record<string, unknown> {
  return {
    info: {
      model_id: id,
      experiment_id: "1",
      name: "classifier",
      creation_timestamp_ms: 1_700_000_000_000,
      last_updated_timestamp_ms: "1700000000001",
      artifact_uri: `s3://mlflow/1/models/${id}/artifacts`,
      status: "LOGGED_MODEL_PENDING",
      creator_id: 7,
    },
    data: { params: [{ key: "lr", value: "0.1" }], metrics: [{ key: "acc", value: "NaN", timestamp: 5, step: 1 }] },
  };
}
