/**
 * Retries, backoff, Retry-After, timeouts, the deadline and aborts, counted in requests with fake
 * timers; and retry safety per endpoint: non-idempotent creates are not repeated after an
 * ambiguous failure, recoverable creates find their lost result instead of duplicating it.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpResponse, http, type JsonBodyType } from "msw";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resolveConfig } from "../../../../src/advanced.js";
import { HttpTransport } from "../../../../src/core/http/transport.js";
import { MAX_BACKOFF_MS } from "../../../../src/core/retry/backoff.js";
import { retryAfterMs } from "../../../../src/core/retry/policy.js";
import {
  AbortError,
  AlreadyExistsError,
  AmbiguousResultError,
  ConnectionError,
  InvalidParameterError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  TimeoutError,
  UnauthenticatedError,
} from "../../../../src/index.js";
import {
  API,
  BASE,
  EMPTY_HOME,
  experimentJson,
  loggedModelJson,
  mlflowError,
  modelVersionJson,
  type RecordedRequest,
  RUN_ID,
  record,
  registeredModelJson,
  runJson,
  SIMULATED,
  socketError,
  testClient,
  useMockServer,
} from "../../helpers/mock-server.js";
import { advance, flushIO, observe, useRetryClock } from "../../helpers/timers.js";

const server = useMockServer();

/**
 * What MLflow 3.17.2 answers (HTTP 400, `BAD_REQUEST`) when a request waited 30 s for a database
 * connection: SQLAlchemy's pool timeout, seen on the real stack under load (test/integration/load.test.ts).
 */
const POOL_EXHAUSTED_MESSAGE =
  "QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00 (Background on this error at: https://sqlalche.me/e/21/3o7r)";

/** Answers 503 `failures` times, then 200 with `ok`. */
function flaky(failures: number, ok: JsonBodyType, failure: () => Response = () => new HttpResponse("busy", { status: 503 })) {
  return (_req: RecordedRequest, n: number) => (n <= failures ? failure() : ok);
}

/** A handler that never answers: it waits until the client gives up on the request. */
function hang(): Promise<Response> {
  return new Promise(() => {});
}

describe("Retry-After", () => {
  it("reads Retry-After as seconds or as an HTTP date, capped at 120 s", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMs("3", now)).toBe(3000);
    expect(retryAfterMs(" 1.5 ", now)).toBe(1500);
    expect(retryAfterMs("Thu, 01 Jan 2026 00:00:05 GMT", now)).toBe(5000);
    expect(retryAfterMs("Wed, 31 Dec 2025 23:59:00 GMT", now)).toBe(0);
    expect(retryAfterMs("3600", now)).toBe(MAX_BACKOFF_MS);
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});

describe("retries of idempotent calls", () => {
  it.each([408, 429, 500, 502, 503, 504])("retries HTTP %i and returns the later success", async (status) => {
    const seen = record(
      server,
      "get",
      `${API}/experiments/get`,
      flaky(1, { experiment: experimentJson() }, () => new HttpResponse("x", { status })),
    );
    await expect(testClient().experiments.get("1")).resolves.toMatchObject({ experiment_id: "1" });
    expect(seen).toHaveLength(2);
  });

  it.each([
    [400, "INVALID_PARAMETER_VALUE", InvalidParameterError],
    [401, "UNAUTHENTICATED", UnauthenticatedError],
    [403, "PERMISSION_DENIED", PermissionDeniedError],
    [404, "RESOURCE_DOES_NOT_EXIST", NotFoundError],
  ] as const)("does not retry HTTP %i", async (status, code, ErrorClass) => {
    const seen = record(server, "get", `${API}/experiments/get`, () => mlflowError(status, code, "no"));
    const error = await testClient()
      .experiments.get("1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toMatchObject({ status, errorCode: code, retryable: false });
    expect(seen).toHaveLength(1);
  });

  it("retries MLflow's 400 for an exhausted connection pool: the server is overloaded, the request is fine", async () => {
    const seen = record(
      server,
      "post",
      `${API}/runs/log-batch`,
      flaky(2, {}, () => mlflowError(400, "BAD_REQUEST", POOL_EXHAUSTED_MESSAGE)),
    );
    await testClient().runs.logBatch(RUN_ID, { params: { a: 1 } });
    expect(seen).toHaveLength(3);
  });

  // MLflow 3.17.2's answer when a request's rows are committed by a concurrent one between its
  // duplicate lookup and its insert (a recovery racing a killed process's last request, seen in CI).
  it.each([
    [
      "PostgreSQL",
      '(raised as a result of Query-invoked autoflush)\n(psycopg2.errors.UniqueViolation) duplicate key value violates unique constraint "metric_pk"\nDETAIL:  Key (key, "timestamp", step, run_uuid, value, is_nan)=(m1, 1700000003988, 3988, 9813b780, 997, f) already exists.',
    ],
    ["PostgreSQL, latest_metrics", '(psycopg2.errors.UniqueViolation) duplicate key value violates unique constraint "latest_metric_pk"'],
    [
      "SQLite",
      "(sqlite3.IntegrityError) UNIQUE constraint failed: metrics.key, metrics.timestamp, metrics.step, metrics.run_uuid, metrics.value, metrics.is_nan",
    ],
    ["MySQL", "(pymysql.err.IntegrityError) (1062, \"Duplicate entry 'm1-1700000003988-3988-9813b780-997-0' for key 'metrics.PRIMARY'\")"],
    ["SQL Server", "Violation of PRIMARY KEY constraint 'param_pk'. Cannot insert duplicate key in object 'dbo.params'."],
  ])("retries MLflow's 400 for two requests racing on the same rows (%s): another attempt finds them committed", async (_db, message) => {
    const seen = record(
      server,
      "post",
      `${API}/runs/log-batch`,
      flaky(1, {}, () => mlflowError(400, "BAD_REQUEST", message)),
    );
    await testClient().runs.logBatch(RUN_ID, { metrics: [{ key: "m1", value: 997, timestamp: 1700000003988, step: 3988 }] });
    expect(seen).toHaveLength(2);
  });

  it.each([
    ["a unique constraint of another table", '(psycopg2.errors.UniqueViolation) duplicate key value violates unique constraint "experiment_tag_pk"'],
    [
      "a changed param",
      "Changing param values is not allowed. Param with key='lr' was already logged with value='0.1' for run ID='r'. Attempted logging new value '0.2'.",
    ],
  ])("does not retry a 400 for %s", async (_what, message) => {
    const seen = record(server, "post", `${API}/runs/log-batch`, () => mlflowError(400, "INVALID_PARAMETER_VALUE", message));
    const error = await testClient()
      .runs.logBatch(RUN_ID, { params: { lr: 0.2 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidParameterError);
    expect(seen).toHaveLength(1);
  });

  it("reports an exhausted pool, once retries are spent, as a retryable ServerError that keeps the server's status and code", async () => {
    record(server, "post", `${API}/runs/log-batch`, () => mlflowError(400, "BAD_REQUEST", POOL_EXHAUSTED_MESSAGE));
    const error = await testClient({ maxRetries: 0 })
      .runs.logBatch(RUN_ID, { params: { a: 1 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).not.toBeInstanceOf(InvalidParameterError);
    expect(error).toMatchObject({ status: 400, errorCode: "BAD_REQUEST", retryable: true });
  });

  it.each(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "ENOTFOUND"] as const)("retries a network error (%s)", async (code) => {
    const seen = record(server, "post", `${API}/runs/log-batch`, (_req, n) => {
      if (n === 1) throw socketError(code);
      return {};
    });
    await testClient().runs.logBatch(RUN_ID, { params: { a: 1 } });
    expect(seen).toHaveLength(2);
  });

  it("gives up after maxRetries and throws the last failure", async () => {
    const seen = record(server, "post", `${API}/runs/set-tag`, () => mlflowError(503, "TEMPORARILY_UNAVAILABLE", "down"));
    const error = await testClient({ maxRetries: 2 })
      .runs.setTag(RUN_ID, "k", "v")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({
      status: 503,
      errorCode: "TEMPORARILY_UNAVAILABLE",
      retryable: true,
      method: "POST",
      endpoint: "/api/2.0/mlflow/runs/set-tag",
    });
    expect(seen).toHaveLength(3);
  });

  it("takes maxRetries per call over the constructor option, and the constructor option over the environment", async () => {
    const seen = record(server, "get", `${API}/experiments/get`, () => new HttpResponse("down", { status: 502 }));
    const fromEnv = testClient({ env: { MLFLOW_HTTP_REQUEST_MAX_RETRIES: "1" } });
    await expect(fromEnv.experiments.get("1")).rejects.toBeInstanceOf(ServerError);
    expect(seen).toHaveLength(2);

    const fromOption = testClient({ maxRetries: 3, env: { MLFLOW_HTTP_REQUEST_MAX_RETRIES: "1" } });
    await expect(fromOption.experiments.get("1")).rejects.toBeInstanceOf(ServerError);
    expect(seen).toHaveLength(2 + 4);

    await expect(fromOption.experiments.get("1", { maxRetries: 0 })).rejects.toBeInstanceOf(ServerError);
    expect(seen).toHaveLength(2 + 4 + 1);
  });
});

describe("backoff timing (fake timers)", () => {
  const random = vi.spyOn(Math, "random");
  beforeEach(() => useRetryClock());
  afterEach(() => {
    vi.useRealTimers();
    random.mockReset();
  });
  afterAll(() => random.mockRestore());

  it("waits 0, 4, 8, 16, 32, 64, 120 s between the default 7 retries", async () => {
    random.mockReturnValue(0);
    const times: number[] = [];
    record(server, "get", `${API}/experiments/get`, () => {
      times.push(Date.now());
      return new HttpResponse("busy", { status: 503 });
    });
    const client = testClient({ backoffFactorMs: undefined, backoffJitterMs: undefined });
    const outcome = observe(client.experiments.get("1"));

    await advance(0);
    expect(times).toHaveLength(2);
    await advance(3999);
    expect(times).toHaveLength(2);
    await advance(1);
    expect(times).toHaveLength(3);
    for (const wait of [8000, 16000, 32000, 64000, 120000]) await advance(wait);

    expect(times).toHaveLength(8);
    expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual([0, 4000, 8000, 16000, 32000, 64000, 120000]);
    expect(outcome.error).toBeInstanceOf(ServerError);
  });

  it("adds jitter in [0, jitter) from the second retry on", async () => {
    random.mockReturnValue(0.5);
    const times: number[] = [];
    record(server, "get", `${API}/experiments/get`, (_req, n) => {
      times.push(Date.now());
      return n <= 2 ? new HttpResponse("busy", { status: 503 }) : { experiment: experimentJson() };
    });
    const outcome = observe(testClient({ backoffFactorMs: 1000, backoffJitterMs: 1000 }).experiments.get("1"));
    await advance(0);
    await advance(2499);
    expect(times).toHaveLength(2);
    await advance(1);
    expect(times).toHaveLength(3);
    await flushIO();
    expect(outcome.value).toMatchObject({ experiment_id: "1" });
  });

  it("honours Retry-After in seconds", async () => {
    const times: number[] = [];
    record(server, "get", `${API}/experiments/get`, (_req, n) => {
      times.push(Date.now());
      return n === 1 ? mlflowError(429, "REQUEST_LIMIT_EXCEEDED", "slow down", { "Retry-After": "7" }) : { experiment: experimentJson() };
    });
    const outcome = observe(testClient({ backoffFactorMs: 1000 }).experiments.get("1"));
    await advance(6999);
    expect(times).toHaveLength(1);
    await advance(1);
    expect(times).toHaveLength(2);
    expect(outcome.value).toMatchObject({ experiment_id: "1" });
  });

  it("honours Retry-After as an HTTP date", async () => {
    const times: number[] = [];
    record(server, "get", `${API}/experiments/get`, (_req, n) => {
      times.push(Date.now());
      const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 5000).toUTCString();
      return n === 1 ? new HttpResponse("busy", { status: 503, headers: { "Retry-After": at } }) : { experiment: experimentJson() };
    });
    const outcome = observe(testClient().experiments.get("1"));
    await advance(0);
    expect(times).toHaveLength(1);
    await advance(6000);
    expect(times).toHaveLength(2);
    expect(times[1]! - times[0]!).toBeGreaterThan(4000);
    expect(times[1]! - times[0]!).toBeLessThanOrEqual(6000);
    expect(outcome.value).toMatchObject({ experiment_id: "1" });
  });

  it("does not start a wait that would end past the deadline, and names the last failure", async () => {
    const times: number[] = [];
    record(server, "get", `${API}/experiments/get`, () => {
      times.push(Date.now());
      return mlflowError(503, "TEMPORARILY_UNAVAILABLE", "maintenance");
    });
    const outcome = observe(testClient({ backoffFactorMs: 2000, deadlineMs: 10_000 }).experiments.get("1"));
    await advance(0);
    await advance(4000);
    expect(outcome.settled).toBe(true);
    expect(times).toEqual([times[0], times[0], times[0]! + 4000]);
    expect(outcome.error).toBeInstanceOf(TimeoutError);
    expect(outcome.error).toMatchObject({ kind: "deadline", timeoutMs: 10_000, cause: expect.any(ServerError) });
    expect((outcome.error as Error).message).toMatch(/Deadline exceeded after 10000 ms .*maintenance/);
  });

  it("enforces the deadline during a slow attempt", async () => {
    const seen = record(server, "get", `${API}/experiments/get`, () => hang());
    const outcome = observe(testClient({ timeoutMs: 60_000 }).experiments.get("1", { deadlineMs: 1_000 }));
    await advance(999);
    expect(outcome.settled).toBe(false);
    await advance(1);
    expect(outcome.error).toBeInstanceOf(TimeoutError);
    expect(outcome.error).toMatchObject({ kind: "deadline", timeoutMs: 1_000 });
    expect(seen).toHaveLength(1);
  });

  it("times out one attempt after timeoutMs and retries it", async () => {
    const seen = record(server, "get", `${API}/experiments/get`, (_req, n) => (n === 1 ? hang() : { experiment: experimentJson() }));
    const outcome = observe(testClient({ timeoutMs: 5_000 }).experiments.get("1"));
    await advance(4_999);
    expect(seen).toHaveLength(1);
    // The aborted socket closes on a 1 ms timer inside the mocked HTTP stack.
    await advance(10);
    expect(seen).toHaveLength(2);
    expect(outcome.value).toMatchObject({ experiment_id: "1" });
  });

  it("reports a TimeoutError of kind request when no retry is left", async () => {
    record(server, "get", `${API}/experiments/get`, () => hang());
    const outcome = observe(testClient({ env: { MLFLOW_HTTP_REQUEST_TIMEOUT: "2" } }).experiments.get("1", { maxRetries: 0 }));
    await advance(2_000);
    expect(outcome.error).toBeInstanceOf(TimeoutError);
    expect(outcome.error).toMatchObject({ kind: "request", timeoutMs: 2_000, retryable: true, method: "GET", endpoint: "/api/2.0/mlflow/experiments/get" });
  });

  it("aborts during a request with AbortError and sends nothing more", async () => {
    const seen = record(server, "get", `${API}/experiments/get`, () => hang());
    const controller = new AbortController();
    const outcome = observe(testClient().experiments.get("1", { signal: controller.signal }));
    await advance(100);
    controller.abort();
    await advance(0);
    expect(outcome.error).toBeInstanceOf(AbortError);
    expect((outcome.error as Error).message).toContain("GET /api/2.0/mlflow/experiments/get was aborted");
    await advance(600_000);
    expect(seen).toHaveLength(1);
  });

  it("aborts during a backoff wait with AbortError", async () => {
    const seen = record(server, "get", `${API}/experiments/get`, () => new HttpResponse("busy", { status: 503 }));
    const controller = new AbortController();
    const outcome = observe(testClient({ backoffFactorMs: 10_000 }).experiments.get("1", { signal: controller.signal }));
    await advance(1_000);
    expect(seen).toHaveLength(2);
    expect(outcome.settled).toBe(false);
    controller.abort();
    await advance(0);
    expect(outcome.error).toBeInstanceOf(AbortError);
    await advance(600_000);
    expect(seen).toHaveLength(2);
  });

  it("sends nothing when the signal is already aborted", async () => {
    const seen = record(server, "get", `${API}/experiments/get`, () => ({ experiment: experimentJson() }));
    await expect(testClient().experiments.get("1", { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    expect(seen).toHaveLength(0);
  });
});

describe("nothing listens at the server's address (fake timers)", () => {
  beforeEach(() => useRetryClock());
  afterEach(() => vi.useRealTimers());

  /** Records when each attempt was made; `refuse()` decides whether it is refused. */
  function refusingServer(refuse: () => boolean) {
    const times: number[] = [];
    record(server, "get", `${API}/experiments/get`, () => {
      times.push(Date.now());
      if (refuse()) throw socketError("ECONNREFUSED");
      return { experiment: experimentJson() };
    });
    return { offsets: () => times.map((t) => t - times[0]!) };
  }

  async function settle(outcome: { settled: boolean }, maxSeconds: number): Promise<void> {
    for (let second = 0; second < maxSeconds && !outcome.settled; second++) await advance(1_000);
  }

  it("gives up at the unreachable deadline (10 s) when the server never answered: attempts at 0, 0, 4 and 10 s, not the 4-minute curve", async () => {
    const fake = refusingServer(() => true);
    const outcome = observe(testClient({ backoffFactorMs: 2_000, backoffJitterMs: 0 }).experiments.get("1"));
    await settle(outcome, 300);

    expect(fake.offsets()).toEqual([0, 0, 4_000, 10_000]);
    const error = outcome.error as ConnectionError;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: "ECONNREFUSED", address: "mlflow.test:5000", retryable: true });
    expect(error.message).toMatch(
      /^Connection to mlflow\.test:5000 failed: ECONNREFUSED \(nothing listens at that address\); nothing has answered there since this client was created \(4 attempts in 10 s\) \(GET \/api\/2\.0\/mlflow\/experiments\/get\)\. Fix: .*MLFLOW_TS_HTTP_UNREACHABLE_DEADLINE/,
    );
  });

  it("takes the unreachable deadline from unreachableDeadlineMs and MLFLOW_TS_HTTP_UNREACHABLE_DEADLINE (seconds)", async () => {
    const fake = refusingServer(() => true);
    const fromOption = observe(testClient({ backoffFactorMs: 2_000, unreachableDeadlineMs: 0 }).experiments.get("1"));
    await settle(fromOption, 300);
    expect(fake.offsets()).toEqual([0]);
    expect(fromOption.error).toBeInstanceOf(ConnectionError);

    const fake2 = refusingServer(() => true);
    const fromEnv = observe(testClient({ backoffFactorMs: 2_000, env: { MLFLOW_TS_HTTP_UNREACHABLE_DEADLINE: "5" } }).experiments.get("1"));
    await settle(fromEnv, 300);
    expect(fake2.offsets()).toEqual([0, 0, 4_000, 5_000]);
  });

  it("rides out a server that answered before and then refuses (a restart) on the whole curve", async () => {
    let down = false;
    const fake = refusingServer(() => down);
    const client = testClient({ backoffFactorMs: 2_000, backoffJitterMs: 0 });
    const first = observe(client.experiments.get("1"));
    await settle(first, 5);
    expect(first.value).toBeDefined();

    down = true;
    setTimeout(() => (down = false), 50_000);
    const outcome = observe(client.experiments.get("1"));
    await settle(outcome, 300);

    expect(outcome.value).toMatchObject({ experiment_id: "1" });
    expect(
      fake
        .offsets()
        .slice(1)
        .map((t) => t - fake.offsets()[1]!),
    ).toEqual([0, 0, 4_000, 12_000, 28_000, 60_000]);
  });

  it("keeps the whole curve for timeouts at start-up (the server may be slow, not absent)", async () => {
    const seen = record(server, "get", `${API}/experiments/get`, () => hang());
    const outcome = observe(testClient({ backoffFactorMs: undefined, backoffJitterMs: undefined, timeoutMs: 1_000 }).experiments.get("1"));
    await settle(outcome, 400);
    expect(seen).toHaveLength(8);
    expect(outcome.error).toBeInstanceOf(TimeoutError);
  });
});

describe("the line printed when a call starts retrying", () => {
  const stderr = () =>
    vi
      .mocked(process.stderr.write)
      .mock.calls.map((call) => String(call[0]))
      .filter((line) => line.startsWith("mlflow-ts:"));
  beforeEach(() => {
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  });
  afterEach(() => vi.mocked(process.stderr.write).mockRestore());
  const loud = { env: { MLFLOW_TS_QUIET_RETRIES: "false" } };

  it("is one line at the first retry, naming the URL and what is retried; the later retries print nothing", async () => {
    record(server, "get", `${API}/experiments/get`, (_req, n) => (n <= 3 ? new HttpResponse("busy", { status: 503 }) : { experiment: experimentJson() }));
    const client = testClient(loud);
    await client.experiments.get("1");
    expect(stderr()).toEqual([
      "mlflow-ts: GET http://mlflow.test:5000/api/2.0/mlflow/experiments/get failed (HTTP 503 TEMPORARILY_UNAVAILABLE); retrying, up to 7 times within 600 s. Set MLFLOW_TS_QUIET_RETRIES=true to hide this line.\n",
    ]);
  });

  it("is printed once per outage: not again for other calls until the server answered 2xx", async () => {
    let busy = true;
    record(server, "get", `${API}/experiments/get`, () => (busy ? new HttpResponse("busy", { status: 503 }) : { experiment: experimentJson() }));
    const client = testClient({ ...loud, maxRetries: 2 });
    await client.experiments.get("1").catch(() => undefined);
    await client.experiments.get("1").catch(() => undefined);
    expect(stderr()).toHaveLength(1);
    busy = false;
    await client.experiments.get("1");
    busy = true;
    await client.experiments.get("1").catch(() => undefined);
    expect(stderr()).toHaveLength(2);
  });

  it("says when nothing listens and for how long that is retried", async () => {
    record(server, "get", `${BASE}/prefix/api/2.0/mlflow/experiments/get`, (_req, n) => {
      if (n === 1) throw socketError("ECONNREFUSED");
      return { experiment: experimentJson() };
    });
    await testClient({ ...loud, trackingUri: "http://mlflow.test:5000/prefix" })
      .experiments.get("1")
      .catch(() => undefined);
    expect(stderr()).toEqual([
      "mlflow-ts: cannot reach http://mlflow.test:5000/prefix/api/2.0/mlflow/experiments/get (ECONNREFUSED: nothing listens at that address); retrying GET for up to 10 s, as the server has not answered this client yet. Set MLFLOW_TS_QUIET_RETRIES=true to hide this line.\n",
    ]);
  });

  it("is hidden by MLFLOW_TS_QUIET_RETRIES=true", async () => {
    record(server, "get", `${API}/experiments/get`, (_req, n) => (n === 1 ? new HttpResponse("busy", { status: 503 }) : { experiment: experimentJson() }));
    await testClient({ env: { MLFLOW_TS_QUIET_RETRIES: "true" } }).experiments.get("1");
    expect(stderr()).toEqual([]);
  });

  it("is not printed for a call without retries", async () => {
    record(server, "get", `${API}/experiments/get`, () => new HttpResponse("busy", { status: 503 }));
    await testClient({ ...loud, maxRetries: 0 })
      .experiments.get("1")
      .catch(() => undefined);
    expect(stderr()).toEqual([]);
  });
});

describe("non-idempotent creates (model versions, logged models)", () => {
  const creates = [
    {
      name: "model-versions/create",
      url: `${API}/model-versions/create`,
      ok: { model_version: modelVersionJson() },
      call: () => testClient().modelVersions.create({ name: "fraud", source: "s3://b/m" }),
    },
    {
      name: "logged-models create",
      url: `${API}/logged-models`,
      ok: { model: loggedModelJson() },
      call: () => testClient().loggedModels.create({ experiment_id: "1" }),
    },
  ];

  describe.each(creates)("$name", ({ url, ok, call }) => {
    it.each([
      ["a 500", () => mlflowError(500, "INTERNAL_ERROR", "boom"), ServerError],
      ["a 502", () => new HttpResponse("bad gateway", { status: 502 }), ServerError],
      [
        "a connection reset",
        () => {
          throw socketError("ECONNRESET");
        },
        ConnectionError,
      ],
    ] as const)("is not retried after %s: AmbiguousResultError", async (_what, failure, CauseClass) => {
      const seen = record(server, "post", url, (_req, n) => (n === 1 ? failure() : ok));
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AmbiguousResultError);
      expect((error as AmbiguousResultError).cause).toBeInstanceOf(CauseClass);
      expect((error as Error).message).toMatch(/not retried because a retry could create a duplicate/);
      expect(seen).toHaveLength(1);
    });

    it.each([
      [
        "connection refused",
        () => {
          throw socketError("ECONNREFUSED");
        },
      ],
      ["429", () => mlflowError(429, "REQUEST_LIMIT_EXCEEDED", "slow")],
      ["503", () => new HttpResponse("unavailable", { status: 503 })],
    ] as const)("is retried after %s (the server did not act on it)", async (_what, failure) => {
      const seen = record(server, "post", url, (_req, n) => (n === 1 ? failure() : ok));
      await expect(call()).resolves.toBeDefined();
      expect(seen).toHaveLength(2);
    });
  });

  it("is not retried after a per-attempt timeout", async () => {
    useRetryClock();
    try {
      const seen = record(server, "post", `${API}/model-versions/create`, () => hang());
      const outcome = observe(testClient({ timeoutMs: 1_000 }).modelVersions.create({ name: "fraud", source: "s3://b/m" }));
      await advance(1_000);
      expect(outcome.error).toBeInstanceOf(AmbiguousResultError);
      expect((outcome.error as AmbiguousResultError).cause).toBeInstanceOf(TimeoutError);
      await advance(60_000);
      expect(seen).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("is not retried after an ambiguous failure even with maxRetries 0", async () => {
    const seen = record(server, "post", `${API}/model-versions/create`, () => mlflowError(500, "INTERNAL_ERROR", "boom"));
    await expect(testClient({ maxRetries: 0 }).modelVersions.create({ name: "fraud", source: "s3://b/m" })).rejects.toBeInstanceOf(AmbiguousResultError);
    expect(seen).toHaveLength(1);
  });
});

/** A fake server that stores runs, and whose first create is processed but answered with `lost`. */
function runServer(lost: "processed" | "not-processed", failure: () => Response) {
  const runs: Record<string, unknown>[] = [];
  const creates = record(server, "post", `${API}/runs/create`, (req, n) => {
    if (n === 1 && lost === "not-processed") return failure();
    const tags = (req.body as { tags: { key: string; value: string }[] }).tags;
    const run = runJson({ run_id: `${n}`.padStart(32, "0"), tags });
    runs.push(run);
    return n === 1 ? failure() : { run };
  });
  const searches = record(server, "post", `${API}/runs/search`, (req) => {
    const body = req.body as { filter: string; experiment_ids: string[]; max_results: number };
    const requestId = /= '([^']+)'$/.exec(body.filter)?.[1];
    const found = runs.filter((run) =>
      (run.data as { tags: { key: string; value: string }[] }).tags.some((t) => t.key === "mlflow-ts.createRequestId" && t.value === requestId),
    );
    return { runs: found.slice(0, body.max_results) };
  });
  return { runs, creates, searches };
}

describe("recoverable creates (runs, experiments, registered models)", () => {
  it.each([
    ["a 500", () => mlflowError(500, "INTERNAL_ERROR", "lost")],
    [
      "a connection reset",
      () => {
        throw socketError("ECONNRESET");
      },
    ],
  ] as const)("runs.create: a run created by an attempt whose answer was %s is found, not duplicated", async (_what, failure) => {
    const fake = runServer("processed", failure);
    const run = await testClient().runs.create({ experiment_id: "1", run_name: "r" });

    expect(fake.runs).toHaveLength(1);
    expect(fake.creates).toHaveLength(1);
    expect(fake.searches).toHaveLength(1);
    expect(run.info.run_id).toBe((fake.runs[0]!.info as { run_id: string }).run_id);
    const requestId = (fake.creates[0]!.body as { tags: { key: string; value: string }[] }).tags.find((t) => t.key === "mlflow-ts.createRequestId")!.value;
    expect(fake.searches[0]!.body).toEqual({ experiment_ids: ["1"], filter: `tags.\`mlflow-ts.createRequestId\` = '${requestId}'`, max_results: 1 });
  });

  it("runs.create: when the lost attempt created nothing, the create is sent again with the same request id", async () => {
    const fake = runServer("not-processed", () => {
      throw socketError("ECONNRESET");
    });
    await testClient().runs.create({ experiment_id: "1" });
    expect(fake.runs).toHaveLength(1);
    expect(fake.creates).toHaveLength(2);
    expect(fake.searches).toHaveLength(1);
    const ids = fake.creates.map((c) => (c.body as { tags: { key: string; value: string }[] }).tags.at(-1)!.value);
    expect(ids[0]).toBe(ids[1]);
  });

  it("runs.create: a failure before the server could act (503) is retried without a search", async () => {
    const fake = runServer("not-processed", () => new HttpResponse("unavailable", { status: 503 }));
    await testClient().runs.create({ experiment_id: "1" });
    expect(fake.runs).toHaveLength(1);
    expect(fake.creates).toHaveLength(2);
    expect(fake.searches).toHaveLength(0);
  });

  it("runs.create: with no retry left, the lost run is still looked up once", async () => {
    const fake = runServer("processed", () => mlflowError(502, "BAD_GATEWAY", "lost"));
    const run = await testClient({ maxRetries: 0 }).runs.create({ experiment_id: "1" });
    expect(run.info.run_id).toBe((fake.runs[0]!.info as { run_id: string }).run_id);
    expect(fake.creates).toHaveLength(1);
    expect(fake.searches).toHaveLength(1);
  });

  it("runs.create: with no retry left and nothing found, the failure is reported", async () => {
    const fake = runServer("not-processed", () => mlflowError(500, "INTERNAL_ERROR", "crashed"));
    await expect(testClient({ maxRetries: 0 }).runs.create({ experiment_id: "1" })).rejects.toBeInstanceOf(ServerError);
    expect(fake.creates).toHaveLength(1);
    expect(fake.searches).toHaveLength(1);
  });

  it("experiments.create: an experiment created by a lost attempt is found by name, not created twice", async () => {
    const experiments: Record<string, unknown>[] = [];
    const creates = record(server, "post", `${API}/experiments/create`, (req) => {
      const name = (req.body as { name: string }).name;
      if (experiments.some((e) => e.name === name)) return mlflowError(400, "RESOURCE_ALREADY_EXISTS", "exists");
      experiments.push(experimentJson("42", name));
      throw socketError("ECONNRESET");
    });
    const lookups = record(server, "get", `${API}/experiments/get-by-name`, (req) => {
      const found = experiments.find((e) => e.name === req.query.get("experiment_name"));
      return found ? { experiment: found } : mlflowError(404, "RESOURCE_DOES_NOT_EXIST", "none");
    });
    await expect(testClient().experiments.create({ name: "mnist" })).resolves.toBe("42");
    expect(experiments).toHaveLength(1);
    expect(creates).toHaveLength(1);
    expect(lookups).toHaveLength(1);
  });

  it("experiments.create: a deleted experiment of the same name is not taken for the lost one", async () => {
    const creates = record(server, "post", `${API}/experiments/create`, (_req, n) =>
      n === 1 ? mlflowError(500, "INTERNAL_ERROR", "lost") : mlflowError(400, "RESOURCE_ALREADY_EXISTS", "Experiment 'mnist' already exists in deleted state."),
    );
    const lookups = record(server, "get", `${API}/experiments/get-by-name`, () => ({ experiment: experimentJson("9", "mnist", "deleted") }));
    await expect(testClient().experiments.create({ name: "mnist" })).rejects.toBeInstanceOf(AlreadyExistsError);
    expect(creates).toHaveLength(2);
    expect(lookups).toHaveLength(1);
  });

  it("registeredModels.create: a model created by a lost attempt is found by name", async () => {
    const creates = record(server, "post", `${API}/registered-models/create`, () => mlflowError(504, "DEADLINE_EXCEEDED", "gateway timeout"));
    const lookups = record(server, "get", `${API}/registered-models/get`, () => ({ registered_model: registeredModelJson("fraud") }));
    await expect(testClient().registeredModels.create({ name: "fraud" })).resolves.toMatchObject({ name: "fraud" });
    expect(creates).toHaveLength(1);
    expect(lookups).toHaveLength(1);
  });

  it("a lookup refused for good is reported, not guessed past: the create's AmbiguousResultError, the lookup's failure as cause", async () => {
    const creates = record(server, "post", `${API}/registered-models/create`, () => mlflowError(500, "INTERNAL_ERROR", "x"));
    const lookups = record(server, "get", `${API}/registered-models/get`, () => mlflowError(403, "PERMISSION_DENIED", "read denied"));
    const error = (await testClient()
      .registeredModels.create({ name: "fraud" })
      .catch((e: unknown) => e)) as AmbiguousResultError;
    expect(error).toBeInstanceOf(AmbiguousResultError);
    expect(error).toMatchObject({ method: "POST", endpoint: "/api/2.0/mlflow/registered-models/create", lookingFor: 'a registered model named "fraud"' });
    expect(error.cause).toBeInstanceOf(PermissionDeniedError);
    expect(error.failure).toBeInstanceOf(ServerError);
    expect(creates).toHaveLength(1);
    expect(lookups).toHaveLength(1);
  });

  it("runs.create: when every lookup fails, the error is the create's, with the lookup's failure as cause (not a ConnectionError of runs/search)", async () => {
    const creates = record(server, "post", `${API}/runs/create`, () => {
      throw socketError("ECONNRESET");
    });
    const searches = record(server, "post", `${API}/runs/search`, () => {
      throw socketError("ECONNREFUSED");
    });
    const error = (await testClient({ maxRetries: 3 })
      .runs.create({ experiment_id: "1" })
      .catch((e: unknown) => e)) as AmbiguousResultError;
    expect(error).toBeInstanceOf(AmbiguousResultError);
    expect(error).toMatchObject({ method: "POST", endpoint: "/api/2.0/mlflow/runs/create" });
    expect(error.message).toMatch(
      /^POST \/api\/2\.0\/mlflow\/runs\/create failed after the request may have been processed \(Connection to mlflow\.test:5000 failed: ECONNRESET/,
    );
    expect(error.message).toMatch(
      /looking for a run tagged mlflow-ts\.createRequestId = '[0-9a-f-]{36}' in experiment 1 failed too \(Connection to mlflow\.test:5000 failed: ECONNREFUSED .*runs\/search.*Fix: search for it/,
    );
    expect(error.cause).toMatchObject({ name: "ConnectionError", code: "ECONNREFUSED", endpoint: "/api/2.0/mlflow/runs/search" });
    expect(error.failure).toMatchObject({ name: "ConnectionError", code: "ECONNRESET", endpoint: "/api/2.0/mlflow/runs/create" });
    expect(creates).toHaveLength(1);
    expect(searches).toHaveLength(6);
  });

  it("registeredModels.create: when nothing was created the create is retried", async () => {
    const creates = record(server, "post", `${API}/registered-models/create`, (_req, n) =>
      n === 1 ? mlflowError(500, "INTERNAL_ERROR", "x") : { registered_model: registeredModelJson("fraud") },
    );
    const lookups = record(server, "get", `${API}/registered-models/get`, () => mlflowError(404, "RESOURCE_DOES_NOT_EXIST", "none"));
    await expect(testClient().registeredModels.create({ name: "fraud" })).resolves.toMatchObject({ name: "fraud" });
    expect(creates).toHaveLength(2);
    expect(lookups).toHaveLength(1);
  });
});

/** A fake server whose runs/create never answers and commits the run `commitAfterMs` after it arrived (or never). */
function slowCommitServer(commitAfterMs: number | undefined) {
  const runs: Record<string, unknown>[] = [];
  const creates = record(server, "post", `${API}/runs/create`, (req) => {
    const tags = (req.body as { tags: { key: string; value: string }[] }).tags;
    if (commitAfterMs !== undefined) setTimeout(() => runs.push(runJson({ run_id: `${runs.length + 1}`.padStart(32, "0"), tags })), commitAfterMs);
    return hang();
  });
  const searches = record(server, "post", `${API}/runs/search`, (req) => {
    const requestId = /= '([^']+)'$/.exec((req.body as { filter: string }).filter)?.[1];
    return { runs: runs.filter((run) => (run.data as { tags: { key: string; value: string }[] }).tags.some((t) => t.value === requestId)) };
  });
  return { runs, creates, searches };
}

describe("creates the server commits after the client's per-attempt timeout", () => {
  beforeEach(() => useRetryClock());
  afterEach(() => vi.useRealTimers());

  it("runs.create: the run committed 1.5 s in, after a 500 ms timeout, is found by the lookups; with maxRetries 3 the server still has one run", async () => {
    const fake = slowCommitServer(1_500);
    const outcome = observe(testClient({ timeoutMs: 500, maxRetries: 3, backoffFactorMs: 2_000 }).runs.create({ experiment_id: "1" }));
    for (let step = 0; step < 40 && !outcome.settled; step++) await advance(250);

    expect(outcome.error).toBeUndefined();
    expect(fake.runs).toHaveLength(1);
    expect(fake.creates).toHaveLength(1);
    expect(fake.searches).toHaveLength(3);
    expect((outcome.value as { info: { run_id: string } }).info.run_id).toBe((fake.runs[0]!.info as { run_id: string }).run_id);
    await advance(60_000);
    expect(fake.creates).toHaveLength(1);
  });

  it("runs.create: when no lookup finds the run, AmbiguousResultError names the request id tag, and the create is never sent again", async () => {
    const fake = slowCommitServer(undefined);
    const outcome = observe(testClient({ timeoutMs: 500, maxRetries: 3, backoffFactorMs: 2_000 }).runs.create({ experiment_id: "1" }));
    for (let step = 0; step < 200 && !outcome.settled; step++) await advance(250);

    const error = outcome.error as AmbiguousResultError;
    expect(error).toBeInstanceOf(AmbiguousResultError);
    const requestId = (fake.creates[0]!.body as { tags: { key: string; value: string }[] }).tags.find((t) => t.key === "mlflow-ts.createRequestId")!.value;
    expect(error.lookingFor).toBe(`a run tagged mlflow-ts.createRequestId = '${requestId}' in experiment 1`);
    expect(error.message).toContain(
      `a run tagged mlflow-ts.createRequestId = '${requestId}' in experiment 1 was not found in 6 lookups, and the server may still be processing the request, so it was not sent again`,
    );
    expect(error.message).toMatch(/Fix: search for it \(client\.runs\.search\(.*\)\) before creating the run again\.$/);
    expect(error.cause).toBeInstanceOf(TimeoutError);
    expect(fake.searches).toHaveLength(6);
    await advance(60_000);
    expect(fake.creates).toHaveLength(1);
  });

  it("runs.create: no lookup starts past the deadline", async () => {
    const fake = slowCommitServer(undefined);
    const outcome = observe(testClient({ timeoutMs: 500, maxRetries: 3, backoffFactorMs: 2_000, deadlineMs: 2_500 }).runs.create({ experiment_id: "1" }));
    for (let step = 0; step < 40 && !outcome.settled; step++) await advance(250);
    expect(outcome.error).toBeInstanceOf(AmbiguousResultError);
    expect(fake.searches).toHaveLength(3);
    expect(fake.creates).toHaveLength(1);
  });

  it("experiments.create after a gateway's 504: looked up with backoff and never sent again", async () => {
    const creates = record(server, "post", `${API}/experiments/create`, () => new HttpResponse("gateway timeout", { status: 504 }));
    const lookups = record(server, "get", `${API}/experiments/get-by-name`, () => mlflowError(404, "RESOURCE_DOES_NOT_EXIST", "none"));
    const outcome = observe(testClient({ maxRetries: 3, backoffFactorMs: 2_000 }).experiments.create({ name: "mnist" }));
    for (let step = 0; step < 200 && !outcome.settled; step++) await advance(250);
    expect(outcome.error).toBeInstanceOf(AmbiguousResultError);
    expect((outcome.error as AmbiguousResultError).lookingFor).toBe('an active experiment named "mnist"');
    expect(creates).toHaveLength(1);
    expect(lookups).toHaveLength(6);
  });
});

describe("other failures", () => {
  it("reports a refused connection as a retryable ConnectionError with its code and a hint", async () => {
    const seen = record(server, "get", `${API}/experiments/get`, () => {
      throw socketError("ECONNREFUSED");
    });
    const error = await testClient({ maxRetries: 1 })
      .experiments.get("1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: "ECONNREFUSED", retryable: true, method: "GET", endpoint: "/api/2.0/mlflow/experiments/get" });
    expect((error as Error).message).toMatch(/ECONNREFUSED \(nothing listens at that address/);
    expect(seen).toHaveLength(2);
  });

  it.each([
    ["http://mlflow.test:5000", "mlflow.test:5000"],
    ["http://mlflow.test", "mlflow.test:80"],
    ["https://user:canary-pw-in-uri-1@mlflow.test/prefix", "mlflow.test:443"],
    ["http://[::1]:5001", "[::1]:5001"],
  ])("names host:port of %s in every ConnectionError, never credentials, and ends with a fix", async (trackingUri, address) => {
    server.use(
      http.all("*", () => {
        throw socketError("ECONNRESET");
      }),
    );
    const error = (await testClient({ trackingUri, maxRetries: 0 })
      .experiments.get("1")
      .catch((e: unknown) => e)) as ConnectionError;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.address).toBe(address);
    expect(error.message).toMatch(
      new RegExp(
        `^Connection to ${address.replace(/[[\]]/g, "\\$&")} failed: ECONNRESET \\(the server closed the connection\\) \\(GET /[^)]*experiments/get\\)\\. Fix: .+`,
      ),
    );
    expect(JSON.stringify(error)).not.toContain("canary-pw-in-uri-1");
  });

  it("finds ECONNREFUSED inside a happy-eyeballs AggregateError without a code of its own", async () => {
    const refused = (address: string) => Object.assign(new Error(`connect ECONNREFUSED ${address} ${SIMULATED}`), { code: "ECONNREFUSED", errno: -111 });
    record(server, "get", `${API}/experiments/get`, () => {
      throw Object.assign(new AggregateError([refused("::1:5000"), refused("127.0.0.1:5000")], SIMULATED), { code: undefined, errno: undefined });
    });
    const error = await testClient({ maxRetries: 0 })
      .experiments.get("1")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "ConnectionError", code: "ECONNREFUSED" });
  });

  it("does not retry a 200 whose body is not MLflow JSON", async () => {
    const seen = record(
      server,
      "get",
      `${API}/experiments/get`,
      () => new HttpResponse("<html>login</html>", { status: 200, headers: { "Content-Type": "text/html" } }),
    );
    await expect(testClient().experiments.get("1")).rejects.toMatchObject({ name: "ResponseValidationError" });
    expect(seen).toHaveLength(1);
  });

  it("maps 429 to a retryable RateLimitError once retries are spent", async () => {
    record(server, "get", `${API}/experiments/get`, () => mlflowError(429, "RESOURCE_EXHAUSTED", "quota", { "Retry-After": "0" }));
    const error = await testClient({ maxRetries: 1 })
      .experiments.get("1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ retryable: true, retryAfterMs: 0 });
  });
});

describe("raw requests (artifact transfers use these)", () => {
  const transport = () =>
    new HttpTransport(
      BASE,
      resolveConfig({ trackingUri: BASE, backoffFactorMs: 0, backoffJitterMs: 0, env: { HOME: EMPTY_HOME, MLFLOW_TRACKING_TOKEN: "raw-token-1234" } }),
    );

  it("reads the error body of a streamed response, at most 64 KiB of it", async () => {
    record(server, "get", `${BASE}/api/2.0/mlflow-artifacts/artifacts/x`, () => new HttpResponse(`missing ${"word ".repeat(20_000)}`, { status: 404 }));
    const error = await transport()
      .request({ method: "GET", path: "/api/2.0/mlflow-artifacts/artifacts/x", responseType: "stream", retry: "idempotent" }, {}, () => "unreachable")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).serverMessage).toMatch(/^missing [word ]+…$/);
  });

  it("hands a 2xx streamed body to the caller unread", async () => {
    record(server, "get", `${BASE}/api/2.0/mlflow-artifacts/artifacts/x`, () => new HttpResponse("file bytes", { status: 200 }));
    const text = await transport().request(
      { method: "GET", path: "/api/2.0/mlflow-artifacts/artifacts/x", responseType: "stream", retry: "idempotent" },
      {},
      async (res) => {
        const chunks: Buffer[] = [];
        for await (const chunk of res.body as AsyncIterable<Buffer>) chunks.push(chunk);
        return Buffer.concat(chunks).toString();
      },
    );
    expect(text).toBe("file bytes");
  });

  it("sends no MLflow credentials to an absolute URL and labels it without its query", async () => {
    const seen = record(server, "put", "https://s3.example.com/bucket/key", () => new HttpResponse(null, { status: 403 }));
    const error = await transport()
      .request(
        {
          method: "PUT",
          path: "",
          url: "https://s3.example.com/bucket/key?X-Amz-Signature=abc&partNumber=1",
          body: () => Buffer.from("part"),
          retry: "idempotent",
        },
        { maxRetries: 0 },
        () => "ok",
      )
      .catch((e: unknown) => e);
    expect(seen[0]!.headers.get("authorization")).toBeNull();
    expect(error).toMatchObject({ name: "PermissionDeniedError", endpoint: "https://s3.example.com/bucket/key" });
  });

  it("re-opens a raw body for each attempt", async () => {
    const seen = record(server, "put", `${BASE}/api/2.0/mlflow-artifacts/artifacts/f`, (_req, n) => (n === 1 ? new HttpResponse("busy", { status: 503 }) : {}));
    let opened = 0;
    const body = () => {
      opened++;
      return Buffer.from("payload");
    };
    await transport().request({ method: "PUT", path: "/api/2.0/mlflow-artifacts/artifacts/f", body, retry: "idempotent" }, {}, () => undefined);
    expect(seen).toHaveLength(2);
    expect(opened).toBe(2);
    expect(seen[0]!.headers.get("authorization")).toBe("Bearer raw-token-1234");
  });

  it("loads the CA bundle and client certificate named in the configuration", () => {
    const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-tls-"));
    const pem = join(dir, "cert.pem");
    writeFileSync(pem, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
    try {
      const client = testClient({ trackingUri: "https://mlflow.test", env: { MLFLOW_TRACKING_SERVER_CERT_PATH: pem, MLFLOW_TRACKING_CLIENT_CERT_PATH: pem } });
      expect(client.config.http.tls).toEqual({ insecure: false, caPath: pem, clientCertPath: pem });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
