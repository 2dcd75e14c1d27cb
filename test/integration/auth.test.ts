/**
 * Authentication against the real basic-auth server of the stack (`--app-name basic-auth`,
 * `default_permission = READ`): good credentials work from options, environment and URI userinfo;
 * a wrong password is a 401 that is not retried; the read-only user gets 403 on writes; a bearer
 * token is refused with a clear 401; and no password or token reaches any error text.
 */
import { randomUUID } from "node:crypto";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MlflowClient, PermissionDeniedError, UnauthenticatedError } from "../../src/index.js";
import { startProxy } from "./support/http-proxy.js";
import { serverUri, stackClient, stackClientEnv, stackEnv, uniqueName } from "./support/stack.js";

const admin = stackClient("auth");
let experimentId: string;
let runId: string;

beforeAll(async () => {
  experimentId = await admin.experiments.create({ name: uniqueName("auth") });
  runId = (await admin.runs.create({ experiment_id: experimentId })).info.run_id;
});

afterAll(async () => {
  await admin.close();
});

/** A secret and the forms it would take in a leaked Authorization header. */
function secretForms(secret: string, username = stackEnv("STACK_AUTH_ADMIN_USER")): string[] {
  return [secret, Buffer.from(`${username}:${secret}`).toString("base64"), encodeURIComponent(secret)];
}

/** Every text a caller could print about an error: message, stack, JSON, inspect, causes. */
function everyText(error: unknown): string {
  const parts = [String(error), (error as Error).stack ?? "", JSON.stringify(error), inspect(error, { depth: 8 })];
  let cause = (error as { cause?: unknown }).cause;
  for (let depth = 0; cause !== undefined && depth < 5; depth++) {
    parts.push(String(cause), (cause as Error).stack ?? "", inspect(cause, { depth: 8 }));
    cause = (cause as { cause?: unknown }).cause;
  }
  return parts.join("\n");
}

function readerCredentials(): { username: string; password: string } {
  return { username: stackEnv("STACK_AUTH_READER_USER"), password: stackEnv("STACK_AUTH_READER_PASSWORD") };
}

describe("basic auth on the real server", () => {
  it("lets the admin create, log and read", async () => {
    await admin.runs.logMetric(runId, "loss", 0.5, { step: 1 });
    await admin.runs.setTag(runId, "who", "admin");
    const run = await admin.runs.get(runId);
    expect(run.data.metrics).toEqual([expect.objectContaining({ key: "loss", value: 0.5, step: 1 })]);
    expect(run.data.tags).toContainEqual({ key: "who", value: "admin" });
  });

  it("takes the credentials from MLFLOW_TRACKING_USERNAME/PASSWORD and from URI userinfo", async () => {
    const { username, password } = readerCredentials();
    const fromEnv = new MlflowClient({ env: { ...stackClientEnv(serverUri("auth")), MLFLOW_TRACKING_USERNAME: username, MLFLOW_TRACKING_PASSWORD: password } });
    const userinfoUri = serverUri("auth").replace("://", `://${encodeURIComponent(username)}:${encodeURIComponent(password)}@`);
    const fromUri = new MlflowClient({ trackingUri: userinfoUri, env: stackClientEnv(userinfoUri) });
    try {
      expect((await fromEnv.experiments.get(experimentId)).experiment_id).toBe(experimentId);
      expect((await fromUri.runs.get(runId)).info.run_id).toBe(runId);
      expect(fromUri.trackingUri).not.toContain(password);
      expect(inspect(fromUri, { depth: 8 }) + JSON.stringify(fromUri)).not.toContain(password);
    } finally {
      await fromEnv.close();
      await fromUri.close();
    }
  });

  it("answers a wrong password with UnauthenticatedError (401), sends it once despite retries, and never shows the password", async () => {
    const canary = `canary-pw-${randomUUID()}`;
    const proxy = await startProxy(serverUri("auth"));
    const client = stackClient("auth", { trackingUri: proxy.url, auth: { username: stackEnv("STACK_AUTH_ADMIN_USER"), password: canary }, maxRetries: 5 });
    try {
      const error = await client.experiments.get(experimentId).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(UnauthenticatedError);
      expect(error).toMatchObject({ status: 401, errorCode: "UNAUTHENTICATED", retryable: false, method: "GET", endpoint: "/api/2.0/mlflow/experiments/get" });
      expect((error as Error).message).toMatch(/not authenticated/);
      expect(proxy.requests).toHaveLength(1);
      expect(proxy.requests[0]!.authorization).toMatch(/^Basic /);
      for (const form of secretForms(canary)) expect(everyText(error)).not.toContain(form);
    } finally {
      await client.close();
      await proxy.close();
    }
  });

  it("keeps a wrong password given as URI userinfo out of every error text", async () => {
    const canary = `canary-uri-${randomUUID()}`;
    const uri = serverUri("auth").replace("://", `://admin:${canary}@`);
    const client = new MlflowClient({ trackingUri: uri, env: stackClientEnv(uri), maxRetries: 0 });
    try {
      const error = await client.runs.create({ experiment_id: experimentId }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnauthenticatedError);
      for (const form of secretForms(canary, "admin")) expect(everyText(error)).not.toContain(form);
      expect(client.trackingUri).not.toContain(canary);
    } finally {
      await client.close();
    }
  });

  it("lets the read-only user read but answers its writes with PermissionDeniedError (403), not retried", async () => {
    const { password } = readerCredentials();
    const proxy = await startProxy(serverUri("auth"));
    const reader = stackClient("auth", { trackingUri: proxy.url, auth: readerCredentials(), maxRetries: 5 });
    try {
      expect((await reader.runs.get(runId)).info.run_id).toBe(runId);

      const writes = [
        () => reader.experiments.setTag(experimentId, "by", "reader"),
        () => reader.runs.create({ experiment_id: experimentId }),
        () => reader.runs.logMetric(runId, "loss", 1),
        () => reader.runs.logBatch(runId, { params: { p: 1 } }),
        () => reader.experiments.delete(experimentId),
      ];
      for (const write of writes) {
        const before = proxy.requests.length;
        const error = await write().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PermissionDeniedError);
        expect(error).toMatchObject({ status: 403, errorCode: "PERMISSION_DENIED", retryable: false });
        expect((error as Error).message).toMatch(/Permission denied/);
        for (const form of secretForms(password, stackEnv("STACK_AUTH_READER_USER"))) expect(everyText(error)).not.toContain(form);
        expect(proxy.requests.length - before).toBe(1);
      }
      const run = await admin.runs.get(runId);
      expect(run.data.params).toEqual([]);
      expect((await admin.experiments.get(experimentId)).lifecycle_stage).toBe("active");
    } finally {
      await reader.close();
      await proxy.close();
    }
  });

  it("sends a configured bearer token (option or MLFLOW_TRACKING_TOKEN), which the basic-auth app refuses with a clear 401 that does not show the token", async () => {
    const canary = `canary-token-${randomUUID()}`;
    const proxy = await startProxy(serverUri("auth"));
    const fromOption = stackClient("auth", { trackingUri: proxy.url, auth: { token: canary }, maxRetries: 0 });
    const fromEnv = new MlflowClient({ env: { ...stackClientEnv(proxy.url), MLFLOW_TRACKING_TOKEN: canary }, maxRetries: 0 });
    try {
      for (const client of [fromOption, fromEnv]) {
        const error = await client.experiments.get(experimentId).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UnauthenticatedError);
        expect((error as Error).message).toMatch(/^UNAUTHENTICATED: You are not authenticated\..*\(HTTP 401, GET \/api\/2\.0\/mlflow\/experiments\/get\)$/);
        expect(everyText(error)).not.toContain(canary);
      }
      expect(proxy.requests.map((r) => r.authorization)).toEqual([`Bearer ${canary}`, `Bearer ${canary}`]);
    } finally {
      await fromOption.close();
      await fromEnv.close();
      await proxy.close();
    }
  });

  it("answers a request without credentials with UnauthenticatedError", async () => {
    const anonymous = new MlflowClient({ trackingUri: serverUri("auth"), env: stackClientEnv(serverUri("auth")), maxRetries: 0 });
    try {
      await expect(anonymous.experiments.get(experimentId)).rejects.toMatchObject({ constructor: UnauthenticatedError, status: 401 });
    } finally {
      await anonymous.close();
    }
  });
});
