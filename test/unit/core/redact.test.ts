/**
 * Secret redaction canary: a password, a token, an AWS secret key and URI userinfo are planted,
 * every error path is driven, and none of them may appear in a message, a stack, JSON, an
 * inspected object or anywhere along the `cause` chain.
 */

import { inspect } from "node:util";
import { HttpResponse } from "msw";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resolveConfig } from "../../../src/advanced.js";
import { apiErrorFromResponse } from "../../../src/core/errors.js";
import { HttpTransport } from "../../../src/core/http/transport.js";
import { excerpt, redact, redactUrl, registerBasicCredentials, registerSecret, registerSecretHeaders } from "../../../src/core/redact.js";
import { type AmbiguousResultError, type ClientOptions, MlflowClient, type MlflowError } from "../../../src/index.js";
import { API, BASE, EMPTY_HOME, mlflowError, record, SIMULATED, testClient, useMockServer } from "../helpers/mock-server.js";

const server = useMockServer();

const PASSWORD = "canary-PW-7f3a19";
const TOKEN = "canary-TOKEN-91bd22";
const AWS_SECRET = "canary-AWS-SECRET-44c1e0";
const URI_PASSWORD = "canary-URI-PW-0e2b77";
const HEADER_KEY = "canary-APIKEY-5d6e";
const BASIC = Buffer.from(`alice:${PASSWORD}`).toString("base64");
const URI_BASIC = Buffer.from(`uiuser:${URI_PASSWORD}`).toString("base64");
const CANARIES = [PASSWORD, TOKEN, AWS_SECRET, URI_PASSWORD, HEADER_KEY, BASIC, URI_BASIC, encodeURIComponent(URI_PASSWORD)];
/** Every canary in one text, in the forms a careless server or library would echo them. */
const ECHO = `user alice password ${PASSWORD} token ${TOKEN} aws ${AWS_SECRET} Authorization: Basic ${BASIC} url http://uiuser:${URI_PASSWORD}@mlflow.test:5000/x key ${HEADER_KEY}`;

const env = {
  HOME: EMPTY_HOME,
  MLFLOW_TRACKING_USERNAME: "alice",
  MLFLOW_TRACKING_PASSWORD: PASSWORD,
  MLFLOW_TRACKING_TOKEN: TOKEN,
  AWS_SECRET_ACCESS_KEY: AWS_SECRET,
};

/** A client with every canary planted: Basic from env, a token, an AWS secret, an API-key header. */
function canaryClient(options: ClientOptions = {}): MlflowClient {
  return testClient({ env, headers: { "X-Api-Key": HEADER_KEY }, maxRetries: 0, ...options });
}

/** A client whose tracking URI carries userinfo. */
function userinfoClient(): MlflowClient {
  return new MlflowClient({ trackingUri: `http://uiuser:${URI_PASSWORD}@mlflow.test:5000`, env: { HOME: EMPTY_HOME }, maxRetries: 0 });
}

/** Every text an error can show: message, stack, JSON, inspect output, and the same for each cause. */
function surfaces(error: unknown): string[] {
  const out: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 10; depth++) {
    const e = current as Error;
    out.push(String(e.message), String(e.stack), JSON.stringify(e) ?? "", inspect(e, { depth: 10, showHidden: true }), String(e));
    current = e.cause;
  }
  return out;
}

function expectNoCanary(error: unknown): void {
  expect(error).toBeInstanceOf(Error);
  for (const text of surfaces(error)) {
    for (const canary of CANARIES) expect(text, `canary ${canary} leaked`).not.toContain(canary);
  }
}

async function failure(promise: Promise<unknown>): Promise<MlflowError> {
  return promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: MlflowError) => error,
  );
}

describe("the canary never leaks from an error", () => {
  it("the credentials are really sent (so the paths below do carry them)", async () => {
    const seen = record(server, "get", `${API}/experiments/get`, () => mlflowError(401, "UNAUTHENTICATED", ECHO));
    await failure(canaryClient().experiments.get("1"));
    expect(seen[0]!.headers.get("authorization")).toBe(`Basic ${BASIC}`);
    expect(seen[0]!.headers.get("x-api-key")).toBe(HEADER_KEY);
  });

  it("401 echoing the Authorization header", async () => {
    record(server, "get", `${API}/experiments/get`, () => mlflowError(401, "UNAUTHENTICATED", ECHO));
    const error = await failure(canaryClient().experiments.get("1"));
    expect(error.name).toBe("UnauthenticatedError");
    expectNoCanary(error);
  });

  it("403 echoing a bearer token", async () => {
    record(server, "post", `${API}/runs/create`, () => new HttpResponse(`Forbidden for Bearer ${TOKEN} ${ECHO}`, { status: 403 }));
    const error = await failure(testClient({ env: { HOME: EMPTY_HOME, MLFLOW_TRACKING_TOKEN: TOKEN }, maxRetries: 0 }).runs.create({ experiment_id: "1" }));
    expect(error.name).toBe("PermissionDeniedError");
    expectNoCanary(error);
  });

  it("500 with an HTML body echoing every canary", async () => {
    record(server, "get", `${API}/runs/get`, () => new HttpResponse(`<html><body><pre>Traceback: ${ECHO}</pre></body></html>`, { status: 500 }));
    const error = await failure(canaryClient().runs.get("abc"));
    expect(error.name).toBe("ServerError");
    expect(error.message).toContain("Traceback");
    expectNoCanary(error);
  });

  it("connection refused, with the canary in the socket error's message", async () => {
    record(server, "get", `${API}/runs/get`, () => {
      throw Object.assign(new Error(`connect ECONNREFUSED ${ECHO} ${SIMULATED}`), { code: "ECONNREFUSED", errno: -111 });
    });
    const error = await failure(canaryClient().runs.get("abc"));
    expect(error.name).toBe("ConnectionError");
    expectNoCanary(error);
  });

  it("connection refused from a client whose URI carries userinfo: the message names host:port only", async () => {
    record(server, "get", `${API}/runs/get`, () => {
      throw Object.assign(new Error(`connect ECONNREFUSED ${ECHO} ${SIMULATED}`), { code: "ECONNREFUSED", errno: -111 });
    });
    const error = await failure(userinfoClient().runs.get("abc"));
    expect(error.message).toMatch(/^Connection to mlflow\.test:5000 failed: ECONNREFUSED/);
    expectNoCanary(error);
  });

  it("a socket error without a code, whose message is all the client can show", async () => {
    record(server, "get", `${API}/runs/get`, () => {
      throw Object.assign(new Error(`socket hang up ${ECHO} ${SIMULATED}`), { code: undefined, errno: undefined });
    });
    const error = await failure(canaryClient().runs.get("abc"));
    expect(error.name).toBe("ConnectionError");
    expect(error.message).toContain("socket hang up");
    expectNoCanary(error);
  });

  it("per-attempt timeout", async () => {
    record(server, "get", `${API}/runs/get`, () => new Promise<Response>(() => {}));
    const error = await failure(userinfoClient().runs.get("abc", { timeoutMs: 30 }));
    expect(error.name).toBe("TimeoutError");
    expectNoCanary(error);
  });

  it("abort", async () => {
    record(server, "get", `${API}/runs/get`, () => new Promise<Response>(() => {}));
    const controller = new AbortController();
    const pending = failure(userinfoClient().runs.get("abc", { signal: controller.signal }));
    setTimeout(() => controller.abort(new Error(ECHO)), 10);
    const error = await pending;
    expect(error.name).toBe("AbortError");
    expectNoCanary(error);
  });

  it("ResponseValidationError on a 200 body echoing the canary", async () => {
    record(server, "get", `${API}/runs/get`, () => new HttpResponse(`login page ${ECHO}`, { status: 200 }));
    const error = await failure(canaryClient().runs.get("abc"));
    expect(error.name).toBe("ResponseValidationError");
    expectNoCanary(error);
  });

  it("AmbiguousResultError, whose cause echoes the canary", async () => {
    record(server, "post", `${API}/model-versions/create`, () => mlflowError(500, "INTERNAL_ERROR", ECHO));
    const error = await failure(canaryClient({ maxRetries: 3 }).modelVersions.create({ name: "m", source: "s3://b/k" }));
    expect(error.name).toBe("AmbiguousResultError");
    expect(error.cause).toBeDefined();
    expectNoCanary(error);
  });

  it("AmbiguousResultError of a create whose lookups fail echoing the canary", async () => {
    record(server, "post", `${API}/runs/create`, () => mlflowError(502, "BAD_GATEWAY", ECHO));
    record(server, "post", `${API}/runs/search`, () => new HttpResponse(`<html>${ECHO}</html>`, { status: 500 }));
    const error = await failure(canaryClient({ maxRetries: 2 }).runs.create({ experiment_id: "1" }));
    expect(error.name).toBe("AmbiguousResultError");
    expect(error.message).toContain("mlflow-ts.createRequestId");
    expectNoCanary(error);
    expectNoCanary((error as AmbiguousResultError).failure);
  });

  it("ConfigurationError for a misspelled secret option and for a bad URI with userinfo", () => {
    const thrown: unknown[] = [];
    const attempts: (() => unknown)[] = [
      () => resolveConfig({ env, password: PASSWORD } as unknown as ClientOptions),
      () => resolveConfig({ env, auth: { username: "alice", pasword: PASSWORD } } as unknown as ClientOptions),
      () => resolveConfig({ env: { HOME: EMPTY_HOME }, trackingUri: `http://uiuser:${URI_PASSWORD}@mlflow.test:5000/?q=1` }),
      () => resolveConfig({ env: { HOME: EMPTY_HOME, MLFLOW_TRACKING_URI: `http://uiuser:${URI_PASSWORD}@bad host:5000` } }),
      () => resolveConfig({ env, s3: { credentials: { accessKeyId: "AKIA", secretAccessKey: 5 } } } as unknown as ClientOptions),
    ];
    for (const attempt of attempts) {
      try {
        attempt();
      } catch (error) {
        thrown.push(error);
      }
    }
    expect(thrown).toHaveLength(attempts.length);
    for (const error of thrown) {
      expect((error as Error).name).toBe("ConfigurationError");
      expectNoCanary(error);
    }
  });

  it("printing the client or its configuration", () => {
    const client = canaryClient();
    for (const text of [inspect(client, { depth: 10 }), JSON.stringify(client), inspect(client.config, { depth: 10 }), JSON.stringify(client.config)]) {
      for (const canary of CANARIES) expect(text).not.toContain(canary);
    }
  });
});

/** Every prefix of `secret` at least 4 characters long: none may be shown, not even cut short. */
function prefixes(secret: string): string[] {
  return Array.from({ length: secret.length - 3 }, (_, i) => secret.slice(0, i + 4));
}

describe("a secret straddling a cut is redacted before the cut", () => {
  it("a non-JSON error body is redacted whole before its 300-character excerpt is taken, wherever the cut falls", () => {
    registerBasicCredentials("uiuser", URI_PASSWORD);
    const secretStart = "http://uiuser:".length;
    for (let cut = 0; cut <= URI_PASSWORD.length; cut++) {
      const padding = "x".repeat(300 - secretStart - cut);
      const body = `<html><body>${padding}http://uiuser:${URI_PASSWORD}@mlflow.test/x and more</body></html>`;
      const error = apiErrorFromResponse({ method: "GET", endpoint: "/x", status: 500, body, retryable: true });
      for (const text of surfaces(error)) {
        for (const prefix of prefixes(URI_PASSWORD)) expect(text, `cut at ${cut}: ${prefix}`).not.toContain(prefix);
      }
    }
  });

  it("a 500 with a long text body over HTTP shows no prefix of the canary at the cut", async () => {
    const body = `${"y".repeat(290)} password ${PASSWORD} ${"z".repeat(50)}`;
    record(server, "get", `${API}/runs/get`, () => new HttpResponse(body, { status: 500 }));
    const error = await failure(canaryClient().runs.get("abc"));
    expect(error.message).toContain("…");
    for (const text of surfaces(error)) for (const prefix of prefixes(PASSWORD)) expect(text).not.toContain(prefix);
  });

  it("a streamed error body cut at 64 KiB drops the word the limit cut, so a secret there shows no prefix", async () => {
    const tags = "<i>".repeat(Math.floor((64 * 1024 - 10) / 3));
    const body = `${tags}${"x".repeat(64 * 1024 - 10 - tags.length)} ${TOKEN}${"<b>".repeat(100)}`;
    record(server, "get", `${BASE}/api/2.0/mlflow-artifacts/artifacts/x`, () => new HttpResponse(body, { status: 500 }));
    const transport = new HttpTransport(BASE, resolveConfig({ trackingUri: BASE, maxRetries: 0, env: { HOME: EMPTY_HOME, MLFLOW_TRACKING_TOKEN: TOKEN } }));
    const error = await failure(
      transport.request({ method: "GET", path: "/api/2.0/mlflow-artifacts/artifacts/x", responseType: "stream", retry: "idempotent" }, {}, () => "unreachable"),
    );
    for (const text of surfaces(error)) for (const prefix of prefixes(TOKEN)) expect(text).not.toContain(prefix);
  });

  it("excerpt() redacts before it cuts", () => {
    registerSecret("excerpt-secret-4242");
    expect(excerpt(`${"a".repeat(15)} excerpt-secret-4242`, 25)).toBe(`${"a".repeat(15)} ***`);
    expect(excerpt(`${"a".repeat(15)} excerpt-secret-4242`, 18)).toBe(`${"a".repeat(15)} **…`);
  });
});

describe("the line printed when a call starts retrying shows no canary", () => {
  const SIGNATURE = "canary-SIG-6b3f0d";
  const lines = () =>
    vi
      .mocked(process.stderr.write)
      .mock.calls.map((call) => String(call[0]))
      .filter((line) => line.startsWith("mlflow-ts:"));
  beforeEach(() => {
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  });
  afterEach(() => vi.mocked(process.stderr.write).mockRestore());

  it("for a URI with userinfo, Basic and bearer credentials, an API-key header and a presigned URL", async () => {
    record(server, "get", `${API}/runs/get`, (_req, n) => (n === 1 ? new HttpResponse(`<html>${ECHO}</html>`, { status: 503 }) : { run: {} }));
    const loud = { HOME: EMPTY_HOME, MLFLOW_TS_QUIET_RETRIES: "false" };
    await new MlflowClient({ trackingUri: `http://uiuser:${URI_PASSWORD}@mlflow.test:5000`, env: loud, maxRetries: 1, backoffFactorMs: 0 }).runs
      .get("abc")
      .catch(() => undefined);
    record(server, "get", `${API}/runs/get`, (_req, n) => {
      if (n === 1) throw Object.assign(new Error(`connect ECONNREFUSED ${ECHO} ${SIMULATED}`), { code: "ECONNREFUSED", errno: -111 });
      return { run: {} };
    });
    await canaryClient({ maxRetries: 1, env: { ...env, ...loud } })
      .runs.get("abc")
      .catch(() => undefined);
    record(server, "put", "https://s3.example.com/bucket/key", (_req, n) =>
      n === 1 ? new HttpResponse("busy", { status: 503 }) : new HttpResponse(null, { status: 200 }),
    );
    const transport = new HttpTransport(BASE, resolveConfig({ trackingUri: BASE, backoffFactorMs: 0, env: { ...env, ...loud } }));
    await transport.request(
      {
        method: "PUT",
        path: "",
        url: `https://s3.example.com/bucket/key?X-Amz-Credential=AKIA&X-Amz-Signature=${SIGNATURE}`,
        body: () => Buffer.from("x"),
        retry: "idempotent",
      },
      { maxRetries: 1 },
      () => "ok",
    );

    expect(lines()).toHaveLength(3);
    expect(lines()[2]).toContain("PUT https://s3.example.com/bucket/key failed (HTTP 503");
    for (const line of lines()) for (const canary of [...CANARIES, SIGNATURE]) expect(line, `canary ${canary} leaked`).not.toContain(canary);
  });
});

describe("redact()", () => {
  it("masks Authorization header values in text and JSON", () => {
    expect(redact("Authorization: Basic dXNlcjpwYXNzd29yZA==")).toBe("Authorization: ***");
    expect(redact('{"authorization":"Bearer eyJhbGciOi.abc.def","x":1}')).toBe('{"authorization":"***","x":1}');
    expect(redact("proxy-authorization=token abc123")).toBe("proxy-authorization=***");
  });

  it("masks presigned-URL signatures and credentials in query strings", () => {
    const url =
      "https://s3.example.com/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20260101%2Fus-east-1&X-Amz-Signature=deadbeef&X-Amz-Security-Token=FQoG&partNumber=2";
    expect(redactUrl(url)).toBe(
      "https://s3.example.com/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=***&X-Amz-Signature=***&X-Amz-Security-Token=***&partNumber=2",
    );
    expect(redact("https://blob.example.com/c?sig=abc%2Bdef&se=2026")).toBe("https://blob.example.com/c?sig=***&se=2026");
  });

  it("masks URI userinfo", () => {
    expect(redact("GET http://bob:hunter22@host:5000/api")).toBe("GET http://***@host:5000/api");
    expect(redact("postgresql://mlflow:pg-secret@db:5432/mlflow")).toBe("postgresql://***@db:5432/mlflow");
    expect(redact("see https://host/a@b")).toBe("see https://host/a@b");
  });

  it("masks a registered secret in its plain, URL-encoded and base64 forms", () => {
    const secret = "reg1stered/secret+value";
    registerSecret(secret);
    expect(redact(`a ${secret} b`)).toBe("a *** b");
    expect(redact(`a ${encodeURIComponent(secret)} b`)).toBe("a *** b");
    expect(redact(`a ${Buffer.from(secret).toString("base64")} b`)).toBe("a *** b");
  });

  it("masks a registered secret in its URL-decoded, lower-case-hex, form-encoded and strictly encoded forms", () => {
    const secret = "canary pw!(x)/y*'";
    registerSecret(secret);
    const forms = [
      encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
      new URLSearchParams({ p: secret }).toString().slice(2),
      encodeURIComponent(secret).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`.toUpperCase()),
      Buffer.from(secret).toString("base64url"),
      Buffer.from(secret).toString("base64").replace(/=+$/, ""),
    ];
    for (const form of forms) expect(redact(`<${form}>`), form).toBe("<***>");
    registerSecret("canary%2Fencoded%20pw");
    expect(redact("pw is canary/encoded pw.")).toBe("pw is ***.");
  });

  it("masks a password inside the base64 Basic token of any user name, and the decoded pair of a Basic header", () => {
    const password = "basic-canary-pw-93af";
    registerSecret(password);
    for (const user of ["a", "ab", "abc", "someone-else"]) {
      const token = Buffer.from(`${user}:${password}`).toString("base64");
      const out = redact(`basic ${token} end`);
      expect(out, user).toMatch(/^basic [A-Za-z0-9+/]*\*\*\* end$/);
      const shown = Buffer.from(out.slice("basic ".length, out.indexOf("***")), "base64").toString("latin1");
      for (const prefix of prefixes(password)) expect(shown, user).not.toContain(prefix);
    }
    registerSecretHeaders({ Authorization: `Basic ${Buffer.from("carol:hdr-basic-pw-77").toString("base64")}` });
    expect(redact("login carol:hdr-basic-pw-77 failed; password hdr-basic-pw-77")).toBe("login *** failed; password ***");
  });

  it("ignores secrets too short to mask safely", () => {
    registerSecret("abc");
    expect(redact("abc abc")).toBe("abc abc");
  });

  it("registers the values of credential headers only", () => {
    registerSecretHeaders({ "X-Api-Key": "hdr-key-1234", Cookie: "session=cookie-5678", "X-Trace": "trace-visible-1" });
    expect(redact("hdr-key-1234 session=cookie-5678 trace-visible-1")).toBe("*** *** trace-visible-1");
  });

  it("masks credentials of per-call headers before any error can show them", async () => {
    record(server, "get", `${API}/runs/get`, () => mlflowError(403, "PERMISSION_DENIED", "bad token per-call-tok-8765"));
    const error = await failure(testClient({ maxRetries: 0 }).runs.get("abc", { headers: { Authorization: "Bearer per-call-tok-8765" } }));
    expect(error.message).not.toContain("per-call-tok-8765");
    expect(BASE).toContain("mlflow.test");
  });
});
