/** `checkSetup()`: every check, in order, against the configuration the library would use. */

import type { ClientOptions } from "../config/options.js";
import { artifactMultipartCheck, artifactProxyCheck, artifactWriteCheck } from "./checks/artifacts.js";
import { authCheck, permissionCheck } from "./checks/auth.js";
import { clockCheck } from "./checks/clock.js";
import { configCheck } from "./checks/config.js";
import { artifactModeCheck, experimentCheck } from "./checks/experiment.js";
import { journalsCheck } from "./checks/journals.js";
import { roundTripCheck } from "./checks/round-trip.js";
import { s3BucketCheck, s3CredentialsCheck, s3EndpointCheck } from "./checks/s3.js";
import { serverReachableCheck, serverVersionCheck } from "./checks/server.js";
import { workspaceCheck } from "./checks/workspace.js";
import { DEFAULT_CHECK_TIMEOUT_MS, SetupContext } from "./context.js";
import { type CheckDefinition, runChecks } from "./runner.js";
import type { CheckSetupOptions, SetupReport } from "./types.js";

/** The checks, in the order they run (the order of {@link CHECK_IDS}). */
const CHECKS: readonly CheckDefinition<SetupContext>[] = [
  configCheck,
  journalsCheck,
  serverReachableCheck,
  serverVersionCheck,
  authCheck,
  workspaceCheck,
  experimentCheck,
  permissionCheck,
  artifactModeCheck,
  s3EndpointCheck,
  clockCheck,
  s3CredentialsCheck,
  s3BucketCheck,
  artifactProxyCheck,
  artifactWriteCheck,
  artifactMultipartCheck,
  roundTripCheck,
];

/**
 * Checks that the tracking server, the credentials, the bucket and the artifact path work, the
 * way `npx mlflow-ts doctor` does, and says how to fix what does not.
 *
 * Checks run in order (configuration, journals of dead processes waiting for delivery, server, version, authentication, workspace, experiment, write
 * permission, artifact mode, S3 endpoint, clock skew, S3 credentials, bucket, artifact proxy,
 * write/read/delete probe, multipart probe, round trip); a check whose prerequisite failed is
 * skipped with the reason. Under CI (or with `requireServer`), a missing tracking URI fails the
 * configuration check instead of checking the embedded store. Every network call has its own timeout (`timeoutMs`, 5 s) and is not
 * retried, so a dead host costs seconds, not minutes. It never throws for a broken setup: that is
 * what the report is for. No detail or hint contains a secret.
 *
 * Write probes leave nothing behind: probe objects go under
 * `<experiment artifact location>/mlflow-ts-doctor/` and are deleted; only a missing experiment is
 * created (with no name given: `mlflow-ts-doctor`, reused by later checks).
 *
 * @param options - Experiment, write probes, round trip, per-call timeout, client options.
 * @returns `{ ok, checks, durationMs }`; `ok` is false when any check failed.
 * @example
 * const report = await checkSetup({ experimentName: "mnist" });
 * if (!report.ok) {
 *   for (const check of report.checks.filter((c) => c.status === "fail")) console.error(`${check.title}: ${check.detail}\n  fix: ${check.hint}`);
 *   process.exitCode = 1;
 * }
 */
export async function checkSetup(options: CheckSetupOptions = {}): Promise<SetupReport> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const context = new SetupContext({
    experimentName: options.experimentName,
    write: options.write ?? true,
    roundTrip: options.roundTrip ?? false,
    timeoutMs,
    client: withPlainEnv(options.client ?? {}),
    requireServer: options.requireServer,
  });
  try {
    const checks = await runChecks(CHECKS, context, { callTimeoutMs: timeoutMs, signal: options.signal, onCheck: options.onCheck });
    return { ok: checks.every((check) => check.status !== "fail"), checks, durationMs: Math.round(performance.now() - started) };
  } finally {
    await context.close().catch(() => undefined);
  }
}

/** `env: process.env` is not a plain object, which the options schema refuses: pass a copy. */
function withPlainEnv(client: ClientOptions): ClientOptions {
  return client.env === undefined ? client : { ...client, env: { ...client.env } };
}
