/**
 * The real stack as integration tests see it: its settings (exported by the global setup from
 * `.stack/env.json` as `STACK_ENV_<KEY>`), unique names, and a client for each of its servers.
 *
 * @example
 * const client = stackClient("direct");
 * const id = await client.experiments.create({ name: uniqueName("rest-runs") });
 */
import { randomUUID } from "node:crypto";
import { type ClientOptions, MlflowClient } from "../../../src/index.js";

/** The MLflow servers of the stack (`workspaces`: started with `--enable-workspaces`, default versions only). */
export type StackServer = "direct" | "proxied" | "auth" | "workspaces";

/**
 * A value of `.stack/env.json`, e.g. `stackEnv("STACK_AUTH_URI")`.
 * @throws {Error} when the global setup did not run (the suite was not started through vitest's `integration` project).
 */
export function stackEnv(key: string): string {
  const value = process.env[`STACK_ENV_${key}`];
  if (!value) throw new Error(`STACK_ENV_${key} is not set: run through \`vitest run --project integration\` (its global setup reads .stack/env.json).`);
  return value;
}

/**
 * Base URL of one server: direct (artifacts straight to S3), proxied (artifacts through the server),
 * auth (basic-auth app) or workspaces (workspaces enabled, artifacts proxied).
 */
export function serverUri(server: StackServer): string {
  if (server === "proxied") return stackEnv("STACK_PROXIED_URI");
  if (server === "workspaces") return stackEnv("STACK_WORKSPACES_URI");
  if (server === "auth") return stackEnv("STACK_AUTH_URI");
  return stackEnv("MLFLOW_TRACKING_URI");
}

/**
 * The `scripts/stack` service name of one server of the stack under test, for
 * `stop-service`/`start-service`: `mlflow-direct` on the default servers, `mlflow-<version>-direct`
 * when the suites run against an extra MLflow version (`MLFLOW_TS_STACK_VERSION`).
 */
export function stackService(server: StackServer): string {
  const version = process.env.MLFLOW_TS_STACK_VERSION ?? "";
  return version === "" ? `mlflow-${server}` : `mlflow-${version}-${server}`;
}

/**
 * The environment a client of `trackingUri` reads: tracking URI, S3 endpoint and credentials, and
 * a `HOME` without `~/.mlflow/credentials`, so nothing from the machine leaks into a test.
 */
export function stackClientEnv(trackingUri: string): Record<string, string> {
  return {
    MLFLOW_TRACKING_URI: trackingUri,
    MLFLOW_S3_ENDPOINT_URL: stackEnv("MLFLOW_S3_ENDPOINT_URL"),
    AWS_ACCESS_KEY_ID: stackEnv("AWS_ACCESS_KEY_ID"),
    AWS_SECRET_ACCESS_KEY: stackEnv("AWS_SECRET_ACCESS_KEY"),
    AWS_DEFAULT_REGION: stackEnv("AWS_DEFAULT_REGION"),
    HOME: "/nonexistent-mlflow-ts-test-home",
    // Runs journal by default: into this test worker's folder (test/unit/setup-journal-dir.ts), never under HOME.
    ...(process.env.MLFLOW_TS_JOURNAL_DIR === undefined ? {} : { MLFLOW_TS_JOURNAL_DIR: process.env.MLFLOW_TS_JOURNAL_DIR }),
  };
}

/**
 * A client of one server. For `auth` it logs in as the admin unless `options.auth` says otherwise.
 * Retries are fast (backoff 50 ms) so that a test that provokes one does not wait seconds.
 */
export function stackClient(server: StackServer, options: ClientOptions = {}): MlflowClient {
  const trackingUri = options.trackingUri ?? serverUri(server);
  const auth = server === "auth" ? { username: stackEnv("STACK_AUTH_ADMIN_USER"), password: stackEnv("STACK_AUTH_ADMIN_PASSWORD") } : undefined;
  return new MlflowClient({ env: stackClientEnv(trackingUri), backoffFactorMs: 50, backoffJitterMs: 10, ...(auth ? { auth } : {}), ...options, trackingUri });
}

/**
 * The direct server's bucket (`STACK_BUCKET_DIRECT`: `mlflow`, or e.g. `mlflow-v2-14-3` under
 * `MLFLOW_TS_STACK_VERSION`) as a RegExp source, dots escaped, for artifact URI assertions.
 */
export function directBucketPattern(): string {
  return stackEnv("STACK_BUCKET_DIRECT").replaceAll(".", "\\.");
}

/**
 * The MLflow version a client's server reports (`client.server.version()`, what the SDK itself
 * decides by), checked against the version the stack started (`STACK_MLFLOW_VERSION`), so that a
 * test branching on the version branches on what the client sees, and a client pointed at the
 * wrong server fails here instead of in a confusing assertion.
 * @throws {Error} when the server reports no version or another one than the stack's.
 * @example
 * if (serverLacks(await stackServerVersion(client), "webhooks") === true) { … }
 */
export async function stackServerVersion(client: MlflowClient): Promise<string> {
  const version = await client.server.version();
  const expected = stackEnv("STACK_MLFLOW_VERSION");
  if (version !== expected) {
    throw new Error(
      `The server at ${client.server.address ?? "?"} reports MLflow ${String(version)}, the stack started ${expected}. Fix: check MLFLOW_TS_STACK_VERSION and the stack's env file.`,
    );
  }
  return version;
}

/** `<prefix>-<uuid>`: a name no other test (or earlier run of this one) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}
