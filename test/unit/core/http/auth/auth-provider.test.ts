/**
 * The `auth` option as a provider, through the client and the transport: headers cached until the
 * expiry minus the skew, one provider call for concurrent requests, one refresh and one replay on
 * 401, a clear error when the provider fails or hangs, and no token in any error or stderr line.
 */
import { Readable } from "node:stream";
import { HttpResponse, http } from "msw";
import { afterEach, describe, expect, it, vi } from "vitest";
import { resolveConfig } from "../../../../../src/advanced.js";
import { HttpTransport } from "../../../../../src/core/http/transport.js";
import { type AuthProvider, type AuthProviderContext, AuthProviderError, UnauthenticatedError } from "../../../../../src/index.js";
import { API, BASE, EMPTY_HOME, experimentJson, mlflowError, record, testClient, useMockServer } from "../../../helpers/mock-server.js";
import { advance, observe, useRetryClock } from "../../../helpers/timers.js";

const server = useMockServer();

afterEach(() => {
  vi.useRealTimers();
});

/** A provider handing out `tok-1-…`, `tok-2-…` in turn, each valid for `lifetimeMs` (none: no expiry). */
function rotating(lifetimeMs?: number, delayMs = 0): { provider: AuthProvider; calls: AuthProviderContext[]; tokens: string[] } {
  const calls: AuthProviderContext[] = [];
  const tokens: string[] = [];
  const provider: AuthProvider = async (context) => {
    calls.push(context);
    const token = `tok-${calls.length}-s3cr3tv4lu3-${"x".repeat(16)}`;
    tokens.push(token);
    if (delayMs > 0) await new Promise((resolve) => setImmediate(resolve));
    return { headers: { Authorization: `Bearer ${token}` }, expiresAtMs: lifetimeMs === undefined ? undefined : Date.now() + lifetimeMs };
  };
  return { provider, calls, tokens };
}

/** Every 8-character slice of `secret`: what a partial leak would show. */
function prefixes(secret: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 8 <= secret.length; i++) out.push(secret.slice(i, i + 8));
  return out;
}

function expectNoSecret(text: string, secrets: string[]): void {
  for (const secret of secrets) for (const part of [secret, ...prefixes(secret.replace(/^tok-\d+-/, ""))]) expect(text).not.toContain(part);
}

describe("auth provider", () => {
  it("sends the provider's headers and calls it once while its answer is fresh (reason initial)", async () => {
    const { provider, calls, tokens } = rotating(60_000);
    const seen = record(server, "get", `${API}/experiments/get`, () => ({ experiment: experimentJson() }));
    const client = testClient({ auth: provider });
    for (let i = 0; i < 5; i++) await client.experiments.get("1");
    expect(calls.map((c) => c.reason)).toEqual(["initial"]);
    expect(seen.map((r) => r.headers.get("authorization"))).toEqual(Array(5).fill(`Bearer ${tokens[0]}`));
  });

  it("calls the provider again a quarter of the lifetime before the expiry (reason expired), not before", async () => {
    useRetryClock();
    const { provider, calls, tokens } = rotating(8_000);
    const seen = record(server, "get", `${API}/experiments/get`, () => ({ experiment: experimentJson() }));
    const client = testClient({ auth: provider });
    const get = async (): Promise<void> => {
      const outcome = observe(client.experiments.get("1"));
      await advance(0);
      expect(outcome.settled && outcome.error === undefined).toBe(true);
    };
    await get();
    await advance(5_900); // 8 s lifetime: refreshed 2 s before the expiry, at 6 s
    await get();
    expect(calls).toHaveLength(1);
    await advance(200);
    await get();
    expect(calls.map((c) => c.reason)).toEqual(["initial", "expired"]);
    expect(seen.map((r) => r.headers.get("authorization"))).toEqual([`Bearer ${tokens[0]}`, `Bearer ${tokens[0]}`, `Bearer ${tokens[1]}`]);
  });

  it("caps the skew at 30 s for long-lived tokens", async () => {
    useRetryClock();
    const { provider, calls } = rotating(3_600_000);
    record(server, "get", `${API}/experiments/get`, () => ({ experiment: experimentJson() }));
    const client = testClient({ auth: provider });
    const get = async (): Promise<void> => {
      const outcome = observe(client.experiments.get("1"));
      await advance(0);
      expect(outcome.error).toBeUndefined();
    };
    await get();
    await advance(3_600_000 - 31_000);
    await get();
    expect(calls).toHaveLength(1);
    await advance(2_000);
    await get();
    expect(calls).toHaveLength(2);
  });

  it("shares one provider call among 50 concurrent requests", async () => {
    const { provider, calls, tokens } = rotating(60_000, 1);
    const seen = record(server, "get", `${API}/experiments/get`, () => ({ experiment: experimentJson() }));
    const client = testClient({ auth: provider });
    await Promise.all(Array.from({ length: 50 }, () => client.experiments.get("1")));
    expect(calls).toHaveLength(1);
    expect(new Set(seen.map((r) => r.headers.get("authorization")))).toEqual(new Set([`Bearer ${tokens[0]}`]));
  });

  it("on a 401 refreshes once (reason unauthorized) and replays the request once, whatever its retry policy", async () => {
    const { provider, calls, tokens } = rotating();
    const seen = record(server, "post", `${API}/runs/log-batch`, (req) =>
      req.headers.get("authorization") === `Bearer ${tokens[0]}` ? mlflowError(401, "UNAUTHENTICATED", "expired token") : {},
    );
    const client = testClient({ auth: provider, maxRetries: 0 });
    await client.runs.logBatch("0123456789abcdef0123456789abcdef", { params: [{ key: "lr", value: "0.1" }] });
    expect(calls.map((c) => c.reason)).toEqual(["initial", "unauthorized"]);
    expect(seen.map((r) => r.headers.get("authorization"))).toEqual([`Bearer ${tokens[0]}`, `Bearer ${tokens[1]}`]);
    expect(seen[1]!.body).toEqual(seen[0]!.body);
  });

  it("50 concurrent requests refused with the same token share one refresh, each replayed once", async () => {
    const { provider, calls, tokens } = rotating(undefined, 1);
    const seen = record(server, "get", `${API}/experiments/get`, (req) =>
      req.headers.get("authorization") === `Bearer ${tokens[0]}` ? mlflowError(401, "UNAUTHENTICATED", "expired") : { experiment: experimentJson() },
    );
    const client = testClient({ auth: provider });
    await Promise.all(Array.from({ length: 50 }, () => client.experiments.get("1")));
    expect(calls.map((c) => c.reason)).toEqual(["initial", "unauthorized"]);
    expect(seen).toHaveLength(100);
  });

  it("a second 401 fails with UnauthenticatedError, after exactly two requests, with no token in it", async () => {
    const { provider, calls, tokens } = rotating();
    const seen = record(server, "get", `${API}/experiments/get`, (req) => mlflowError(401, "UNAUTHENTICATED", `refused ${req.headers.get("authorization")}`));
    const error = await testClient({ auth: provider })
      .experiments.get("1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect(seen).toHaveLength(2);
    expect(calls).toHaveLength(2);
    expectNoSecret(`${(error as Error).message}\n${(error as Error).stack}\n${JSON.stringify(error)}`, tokens);
  });

  it("replays a raw-body upload after a 401 by opening its body again", async () => {
    const { provider, tokens } = rotating();
    const bodies: string[] = [];
    server.use(
      http.put(`${BASE}/api/2.0/mlflow-artifacts/artifacts/x/model.bin`, async ({ request }) => {
        bodies.push(await request.text());
        return request.headers.get("authorization") === `Bearer ${tokens[0]}` ? new HttpResponse("no", { status: 401 }) : HttpResponse.json({});
      }),
    );
    const transport = new HttpTransport(BASE, resolveConfig({ trackingUri: BASE, auth: provider, env: { HOME: EMPTY_HOME } }));
    let opened = 0;
    await transport.request(
      {
        method: "PUT",
        path: "/api/2.0/mlflow-artifacts/artifacts/x/model.bin",
        body: () => (opened++, Readable.from([Buffer.from("weights")])),
        retry: "idempotent",
      },
      {},
      () => undefined,
    );
    expect(opened).toBe(2);
    expect(bodies).toEqual(["weights", "weights"]);
    transport.close();
  });

  it("does not send the provider's headers to an absolute URL (a presigned part)", async () => {
    const { provider, calls } = rotating();
    const seen = record(server, "put", "http://s3.test:9000/bucket/part", () => ({}));
    const transport = new HttpTransport(BASE, resolveConfig({ trackingUri: BASE, auth: provider, env: { HOME: EMPTY_HOME } }));
    await transport.request(
      { method: "PUT", path: "", url: "http://s3.test:9000/bucket/part", body: () => Buffer.from("x"), retry: "idempotent" },
      {},
      () => undefined,
    );
    expect(seen[0]!.headers.get("authorization")).toBeNull();
    expect(calls).toHaveLength(0);
    transport.close();
  });

  it("a provider that throws fails the call with AuthProviderError naming it, the reason and a fix; nothing is sent; its secret is masked", async () => {
    const secret = "leaky-refresh-token-0123456789";
    resolveConfig({ trackingUri: BASE, auth: { token: secret }, env: { HOME: EMPTY_HOME } }); // registers it, as any configured credential
    const seen = record(server, "get", `${API}/experiments/get`, () => ({ experiment: experimentJson() }));
    const provider: AuthProvider = async () => {
      throw new Error(`vault said no to ${secret}`);
    };
    const error = (await testClient({ auth: provider })
      .experiments.get("1")
      .catch((e: unknown) => e)) as AuthProviderError;
    expect(error).toBeInstanceOf(AuthProviderError);
    expect(error).toMatchObject({ provider: "auth option", reason: "initial", retryable: false });
    expect(error.message).toMatch(/^The auth provider auth option failed \(called for reason "initial"\): it threw vault said no to \*\*\*\. Fix: /);
    expectNoSecret(`${error.message}\n${error.stack}`, [secret]);
    expect(seen).toHaveLength(0);
  });

  it("retries a provider failure marked retryable, with the request's retries", async () => {
    let n = 0;
    const provider: AuthProvider = async () => {
      n++;
      if (n < 3) throw Object.assign(new Error("token service busy"), { retryable: true });
      return { headers: { Authorization: "Bearer fine-token-123456" } };
    };
    const seen = record(server, "get", `${API}/experiments/get`, () => ({ experiment: experimentJson() }));
    await testClient({ auth: provider }).experiments.get("1");
    expect(n).toBe(3);
    expect(seen).toHaveLength(1);
  });

  it("a provider that answers something other than headers fails with a clear error", async () => {
    const provider = (async () => ({ headers: { Authorization: 42 } })) as unknown as AuthProvider;
    const error = await testClient({ auth: provider })
      .experiments.get("1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthProviderError);
    expect((error as Error).message).toMatch(/answered something other than \{ headers.*headers\.Authorization.*Fix: resolve to/);
  });

  it("a provider that never answers fails after its 30 s timeout, aborting its signal", async () => {
    useRetryClock();
    let signal: AbortSignal | undefined;
    const provider: AuthProvider = (context) => {
      signal = context.signal;
      return new Promise(() => undefined);
    };
    const outcome = observe(testClient({ auth: provider, maxRetries: 0, timeoutMs: 600_000 }).experiments.get("1"));
    await advance(29_000);
    expect(outcome.settled).toBe(false);
    await advance(1_000);
    expect(outcome.error).toBeInstanceOf(AuthProviderError);
    expect((outcome.error as Error).message).toContain("no answer within 30000 ms");
    expect((outcome.error as AuthProviderError).retryable).toBe(true);
    expect(signal?.aborted).toBe(true);
  });

  it("the provider's headers never show in the retry notice on stderr, nor in the client's config", async () => {
    const { provider, tokens } = rotating();
    const stderr: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    try {
      record(server, "get", `${API}/experiments/get`, (req, n) =>
        n === 1 ? mlflowError(503, "TEMPORARILY_UNAVAILABLE", `busy, got ${req.headers.get("authorization")}`) : { experiment: experimentJson() },
      );
      const client = testClient({ auth: provider, env: { MLFLOW_TS_QUIET_RETRIES: "false" } });
      await client.experiments.get("1");
      expect(stderr.join("")).toContain("retrying");
      expectNoSecret(stderr.join("") + JSON.stringify(client.config) + String(client), tokens);
      expect(JSON.stringify(client.config)).toContain('"auth":{"kind":"provider","source":"auth option"}');
    } finally {
      spy.mockRestore();
    }
  });
});
