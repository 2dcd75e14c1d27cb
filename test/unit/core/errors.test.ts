/**
 * Errors: every MLflow `error_code` and every kind of non-JSON body maps to the right class, with
 * status, error code, method, endpoint and whether a retry may help.
 */
import { HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { apiErrorFromResponse } from "../../../src/core/errors.js";
import {
  AbortError,
  AlreadyExistsError,
  ConfigurationError,
  ConnectionError,
  ERROR_CODES,
  InvalidParameterError,
  isMlflowError,
  MlflowApiError,
  MlflowError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ResponseValidationError,
  ServerError,
  TimeoutError,
  UnauthenticatedError,
  ValidationError,
} from "../../../src/index.js";
import { API, record, testClient, useMockServer } from "../helpers/mock-server.js";

const server = useMockServer();
const context = { method: "POST", endpoint: "/api/2.0/mlflow/runs/create" };

describe("error_code mapping (reference §2.2)", () => {
  it.each([
    [400, "INVALID_PARAMETER_VALUE", InvalidParameterError, false],
    [400, "BAD_REQUEST", InvalidParameterError, false],
    [400, "RESOURCE_ALREADY_EXISTS", AlreadyExistsError, false],
    [401, "UNAUTHENTICATED", UnauthenticatedError, false],
    [401, "CUSTOMER_UNAUTHORIZED", UnauthenticatedError, false],
    [403, "PERMISSION_DENIED", PermissionDeniedError, false],
    [404, "RESOURCE_DOES_NOT_EXIST", NotFoundError, false],
    [404, "ENDPOINT_NOT_FOUND", NotFoundError, false],
    [404, "NOT_FOUND", NotFoundError, false],
    [409, "ALREADY_EXISTS", AlreadyExistsError, false],
    [409, "ABORTED", MlflowApiError, false],
    [409, "RESOURCE_CONFLICT", MlflowApiError, false],
    [429, "REQUEST_LIMIT_EXCEEDED", RateLimitError, true],
    [429, "RESOURCE_EXHAUSTED", RateLimitError, true],
    [499, "CANCELLED", MlflowApiError, false],
    [500, "INTERNAL_ERROR", ServerError, true],
    [500, "INVALID_STATE", ServerError, true],
    [500, "DATA_LOSS", ServerError, true],
    [501, "NOT_IMPLEMENTED", ServerError, false],
    [503, "TEMPORARILY_UNAVAILABLE", ServerError, true],
    [504, "DEADLINE_EXCEEDED", ServerError, true],
  ] as const)("HTTP %i %s → %o", (status, code, ErrorClass, retryable) => {
    const body = JSON.stringify({ error_code: code, message: "the server's words" });
    const error = apiErrorFromResponse({ ...context, status, body, retryable: [408, 429, 500, 502, 503, 504].includes(status) });
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toBeInstanceOf(MlflowApiError);
    expect(error).toMatchObject({ status, errorCode: code, serverMessage: "the server's words", retryable, ...context, name: ErrorClass.name });
    expect(error.message).toBe(`${code}: the server's words (HTTP ${status}, POST /api/2.0/mlflow/runs/create)`);
  });

  it.each([
    [400, "BAD_REQUEST", InvalidParameterError],
    [401, "UNAUTHENTICATED", UnauthenticatedError],
    [403, "PERMISSION_DENIED", PermissionDeniedError],
    [404, "ENDPOINT_NOT_FOUND", NotFoundError],
    [409, "ALREADY_EXISTS", AlreadyExistsError],
    [429, "RESOURCE_EXHAUSTED", RateLimitError],
    [501, "NOT_IMPLEMENTED", ServerError],
    [502, "INTERNAL_ERROR", ServerError],
    [503, "TEMPORARILY_UNAVAILABLE", ServerError],
    [504, "DEADLINE_EXCEEDED", ServerError],
    [418, "INTERNAL_ERROR", MlflowApiError],
  ] as const)("a non-JSON HTTP %i derives %s from the status, as the Python client", (status, code, ErrorClass) => {
    const error = apiErrorFromResponse({ ...context, status, body: "plain words", retryable: false });
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toMatchObject({ errorCode: code, serverMessage: "plain words" });
  });

  it("reads a body that only looks like JSON as text", () => {
    const error = apiErrorFromResponse({ ...context, status: 500, body: "{not json", retryable: true });
    expect(error).toMatchObject({ name: "ServerError", errorCode: "INTERNAL_ERROR", serverMessage: "{not json" });
  });

  it("reads JSON without error_code as text", () => {
    const error = apiErrorFromResponse({ ...context, status: 404, body: '{"detail":"Not Found"}', retryable: false });
    expect(error).toMatchObject({ errorCode: "ENDPOINT_NOT_FOUND", serverMessage: '{"detail":"Not Found"}' });
  });

  it("derives the code from the status when the body names a code MLflow does not have, keeping that code in the message", () => {
    const error = apiErrorFromResponse({ ...context, status: 403, body: '{"error_code":"GATEWAY_POLICY","message":"blocked by policy"}', retryable: false });
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error).toMatchObject({ errorCode: "PERMISSION_DENIED", serverMessage: "GATEWAY_POLICY: blocked by policy" });
    expect(ERROR_CODES).toContain(error.errorCode);
    const future = apiErrorFromResponse({
      ...context,
      status: 500,
      body: '{"error_code":"SOME_FUTURE_CODE","message":"the server\'s words"}',
      retryable: true,
    });
    expect(future).toBeInstanceOf(ServerError);
    expect(future).toMatchObject({ errorCode: "INTERNAL_ERROR", serverMessage: "SOME_FUTURE_CODE: the server's words" });
    expect(future.message).toBe("INTERNAL_ERROR: SOME_FUTURE_CODE: the server's words (HTTP 500, POST /api/2.0/mlflow/runs/create)");
  });
});

describe("non-JSON bodies through the client", () => {
  const client = () => testClient({ maxRetries: 0 });

  it("HTML 404 from an unknown route: NotFoundError with the page's text, tags stripped", async () => {
    record(
      server,
      "get",
      `${API}/experiments/get`,
      () =>
        new HttpResponse(
          "<!doctype html><html><head><title>404 Not Found</title><style>p{}</style></head><body><h1>Not Found</h1><p>The requested URL was not found on the server.</p></body></html>",
          {
            status: 404,
            headers: { "Content-Type": "text/html", "x-request-id": "req-1" },
          },
        ),
    );
    const error = await client()
      .experiments.get("1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({
      status: 404,
      errorCode: "ENDPOINT_NOT_FOUND",
      method: "GET",
      endpoint: "/api/2.0/mlflow/experiments/get",
      retryable: false,
      requestId: "req-1",
    });
    expect((error as Error).message).toBe(
      "ENDPOINT_NOT_FOUND: 404 Not Found Not Found The requested URL was not found on the server. (HTTP 404, GET /api/2.0/mlflow/experiments/get)",
    );
  });

  it("text/plain 503 from a disabled endpoint: retryable ServerError", async () => {
    record(
      server,
      "post",
      `${API}/runs/create`,
      () =>
        new HttpResponse("Endpoint: /api/2.0/mlflow/runs/create disabled due to the mlflow server running with `--artifacts-only`.", {
          status: 503,
          headers: { "Content-Type": "text/plain" },
        }),
    );
    const error = await client()
      .runs.create({ experiment_id: "1" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({
      status: 503,
      errorCode: "TEMPORARILY_UNAVAILABLE",
      method: "POST",
      endpoint: "/api/2.0/mlflow/runs/create",
      retryable: true,
    });
    expect((error as Error).message).toContain("--artifacts-only");
  });

  it("text 403 from the security middleware: PermissionDeniedError that quotes it", async () => {
    record(
      server,
      "post",
      `${API}/experiments/create`,
      () => new HttpResponse("Invalid Host header - possible DNS rebinding attack detected", { status: 403 }),
    );
    const error = await client()
      .experiments.create({ name: "e" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error).toMatchObject({ status: 403, errorCode: "PERMISSION_DENIED", retryable: false });
    expect((error as Error).message).toBe(
      "PERMISSION_DENIED: Invalid Host header - possible DNS rebinding attack detected (HTTP 403, POST /api/2.0/mlflow/experiments/create)",
    );
  });

  it("empty 500: ServerError saying the body was empty", async () => {
    record(server, "get", `${API}/runs/get`, () => new HttpResponse(null, { status: 500 }));
    const error = await client()
      .runs.get("abc")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 500, errorCode: "INTERNAL_ERROR", serverMessage: "(empty body)", retryable: true });
  });

  it("empty 404 from an unimplemented RPC: NotFoundError", async () => {
    record(server, "get", `${API}/runs/get`, () => new HttpResponse("", { status: 404 }));
    await expect(client().runs.get("abc")).rejects.toMatchObject({ name: "NotFoundError", errorCode: "ENDPOINT_NOT_FOUND", serverMessage: "(empty body)" });
  });

  it("a long HTML 500 is cut to 300 characters", async () => {
    record(server, "get", `${API}/runs/get`, () => new HttpResponse(`<html><body>${"Traceback line. ".repeat(100)}</body></html>`, { status: 500 }));
    const error = (await client()
      .runs.get("abc")
      .catch((e: unknown) => e)) as ServerError;
    expect(error.serverMessage).toHaveLength(301);
    expect(error.serverMessage.endsWith("…")).toBe(true);
  });

  it("a 200 that is not a JSON object: ResponseValidationError quoting its start", async () => {
    record(server, "get", `${API}/runs/get`, () => new HttpResponse("<html><body>Please log in</body></html>", { status: 200 }));
    const error = await client()
      .runs.get("abc")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as Error).message).toMatch(
      /^Unexpected response from GET \/api\/2.0\/mlflow\/runs\/get: expected a JSON object but got "<html><body>Please log in<\/body><\/html>"\. Is the tracking URI/,
    );
  });

  it("a 200 JSON body of the wrong shape: ResponseValidationError listing the issues", async () => {
    record(server, "get", `${API}/runs/get`, () => ({ run: { info: { run_id: 5 } } }));
    const error = (await client()
      .runs.get("abc")
      .catch((e: unknown) => e)) as ResponseValidationError;
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error.message).toContain("the body does not match the runs.get response schema");
    expect(error.issues).toEqual(expect.arrayContaining([expect.stringMatching(/^run\.info\.run_id: /), expect.stringMatching(/^run\.info\.experiment_id: /)]));
  });
});

describe("the hierarchy", () => {
  it("puts every error under MlflowError, with its class name as name", () => {
    const errors: MlflowError[] = [
      new ConfigurationError("K", "m"),
      new ValidationError("k", "key-characters", "m"),
      new ConnectionError({ ...context, address: "127.0.0.1:5000", detail: "d", retryable: true }),
      new TimeoutError({ ...context, timeoutMs: 1, kind: "request", retryable: true }),
      new AbortError(),
      new ResponseValidationError({ ...context, detail: "d" }),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(MlflowError);
      expect(isMlflowError(error)).toBe(true);
      expect(error.name).toBe(error.constructor.name);
    }
    expect(isMlflowError(new Error("x"))).toBe(false);
    expect(new AbortError().retryable).toBe(false);
    expect(new ValidationError("k", "key-characters", "m")).toMatchObject({ key: "k", rule: "key-characters", retryable: false });
  });

  it("keeps only the class name, code and redacted message of a foreign cause", () => {
    const foreign = Object.assign(new TypeError("failed http://u:cause-secret-1@h/x"), {
      code: "ECONNRESET",
      config: { headers: { Authorization: "Bearer t" } },
    });
    const error = new MlflowError("wrapped", { cause: foreign });
    const cause = error.cause as Error & { code?: string; config?: unknown };
    expect(cause).not.toBe(foreign);
    expect(cause).toMatchObject({ name: "TypeError", code: "ECONNRESET", message: "failed http://***@h/x" });
    expect(cause.config).toBeUndefined();
    expect(cause.stack).toBe("TypeError: failed http://***@h/x");
    expect(new MlflowError("w", { cause: "http://u:pw-secret-2@h" }).cause).toBe("http://***@h");
  });

  it("serialises to a plain object with its fields", () => {
    const error = apiErrorFromResponse({
      ...context,
      status: 404,
      body: '{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"no run"}',
      retryable: false,
      requestId: "r-9",
    });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: "NotFoundError",
      message: "RESOURCE_DOES_NOT_EXIST: no run (HTTP 404, POST /api/2.0/mlflow/runs/create)",
      retryable: false,
      status: 404,
      errorCode: "RESOURCE_DOES_NOT_EXIST",
      serverMessage: "no run",
      method: "POST",
      endpoint: "/api/2.0/mlflow/runs/create",
      requestId: "r-9",
    });
  });
});
