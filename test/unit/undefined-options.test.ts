/**
 * An option given as `undefined` is an option left out: `startRun({ runName: process.env.RUN_NAME })`
 * with the variable unset, and every other option read straight from an environment that may not
 * set it, behave exactly as if the key were absent (the types say so under
 * exactOptionalPropertyTypes; test/types/consumer.ts checks that side).
 */
import { afterAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/advanced.js";
import { checkSetup } from "../../src/doctor/check-setup.js";
import {
  type ArtifactOptions,
  type CheckSetupOptions,
  type ClientOptions,
  type LoggerOptions,
  type RequestOptions,
  type S3Options,
  type StartRunOptions,
  startRun,
} from "../../src/index.js";
import { API, EMPTY_HOME, RUN_ID, record, runJson, testClient, useMockServer } from "./helpers/mock-server.js";
import { removeTempDirs, sqliteClient, tempDir } from "./store/sqlite/helpers.js";

const server = useMockServer();
afterAll(removeTempDirs);

/** Every key of `T`, each set to `undefined`: the compiler refuses the literal when a key is missing. */
type AllUndefined<T> = { [K in keyof Required<T>]: undefined };

const S3_UNDEFINED: AllUndefined<S3Options> = {
  endpointUrl: undefined,
  ignoreTls: undefined,
  addressingStyle: undefined,
  region: undefined,
  credentials: undefined,
  uploadExtraArgs: undefined,
  expectedBucketOwner: undefined,
  checksum: undefined,
  partSizeBytes: undefined,
  queueSize: undefined,
};
const ARTIFACTS_UNDEFINED: AllUndefined<ArtifactOptions> = {
  proxyMultipartUpload: undefined,
  proxyMultipartMinBytes: undefined,
  proxyMultipartChunkBytes: undefined,
  concurrency: undefined,
};
const CLIENT_UNDEFINED: Omit<AllUndefined<ClientOptions>, "env"> = {
  trackingUri: undefined,
  auth: undefined,
  timeoutMs: undefined,
  maxRetries: undefined,
  backoffFactorMs: undefined,
  backoffJitterMs: undefined,
  deadlineMs: undefined,
  unreachableDeadlineMs: undefined,
  keepAliveIdleMs: undefined,
  maxSockets: undefined,
  workspace: undefined,
  headers: undefined,
  insecureTls: undefined,
  serverCertPath: undefined,
  clientCertPath: undefined,
  s3: undefined,
  artifacts: undefined,
  offline: undefined,
};
const LOGGER_UNDEFINED: AllUndefined<LoggerOptions> = {
  flushIntervalMs: undefined,
  maxInFlight: undefined,
  deliveryTimeoutMs: undefined,
  maxBufferedEntries: undefined,
  exitTimeoutMs: undefined,
  spillAfterMs: undefined,
  retryInitialDelayMs: undefined,
  retryMaxDelayMs: undefined,
  exitHooks: undefined,
};
const START_UNDEFINED: Omit<AllUndefined<StartRunOptions>, "client" | "experimentName" | keyof LoggerOptions> = {
  offline: undefined,
  experimentId: undefined,
  runId: undefined,
  runName: undefined,
  description: undefined,
  tags: undefined,
  params: undefined,
  nested: undefined,
  parentRunId: undefined,
  logSystemMetrics: undefined,
  journal: undefined,
  journalDir: undefined,
  journalCommitIntervalMs: undefined,
  journalSyncIntervalMs: undefined,
  journalSegmentBytes: undefined,
  journalRecover: undefined,
};
const REQUEST_UNDEFINED: AllUndefined<RequestOptions> = {
  signal: undefined,
  timeoutMs: undefined,
  maxRetries: undefined,
  deadlineMs: undefined,
  headers: undefined,
};

describe("options given as undefined", () => {
  it("resolve to the same client configuration as options left out", () => {
    const env = { HOME: EMPTY_HOME, MLFLOW_TRACKING_URI: "http://mlflow.test:5000" };
    const omitted = resolveConfig({ env });
    const given = resolveConfig({ ...CLIENT_UNDEFINED, env });
    const nested = resolveConfig({ ...CLIENT_UNDEFINED, s3: S3_UNDEFINED, artifacts: ARTIFACTS_UNDEFINED, env });
    expect(JSON.stringify(given)).toBe(JSON.stringify(omitted));
    expect(JSON.stringify(nested)).toBe(JSON.stringify(omitted));
    expect(given.http).toEqual(omitted.http);
  });

  it("start a run exactly as options left out (runName from an unset variable)", async () => {
    const client = sqliteClient(tempDir());
    const run = await startRun({
      ...START_UNDEFINED,
      ...LOGGER_UNDEFINED,
      exitHooks: false,
      client,
      experimentName: "undefined-options",
      runName: process.env.MLFLOW_TS_UNSET_RUN_NAME,
    });
    run.logMetric("loss", 0.5, { step: undefined, timestamp: undefined });
    await run.end({ status: undefined, timeoutMs: undefined });
    const stored = await client.runs.get(run.runId);
    expect(stored.info.status).toBe("FINISHED");
    expect(stored.info.run_name).not.toBe("");
    expect(stored.data.metrics).toMatchObject([{ key: "loss", value: 0.5, step: 0 }]);
  });

  it("send the same request as options left out", async () => {
    const seen = record(server, "post", `${API}/runs/search`, () => ({ runs: [runJson()] }));
    const client = testClient();
    const omitted = await client.runs.search({ experiment_ids: ["1"] });
    const given = await client.runs.search(
      { experiment_ids: ["1"], filter: undefined, order_by: undefined, run_view_type: undefined, max_results: undefined, page_token: undefined },
      REQUEST_UNDEFINED,
    );
    expect(given).toEqual(omitted);
    expect(seen.map((r) => r.body)).toEqual([
      { experiment_ids: ["1"], max_results: 1000 },
      { experiment_ids: ["1"], max_results: 1000 },
    ]);
    expect(given[0]!.info.run_id).toBe(RUN_ID);
  });

  it("check the setup exactly as options left out", async () => {
    const options: AllUndefined<CheckSetupOptions> = {
      experimentName: undefined,
      write: undefined,
      roundTrip: undefined,
      timeoutMs: undefined,
      client: undefined,
      signal: undefined,
      onCheck: undefined,
      requireServer: undefined,
    };
    const dir = tempDir();
    const env = { HOME: EMPTY_HOME, MLFLOW_TRACKING_URI: `sqlite:///${dir}/mlflow.db`, MLFLOW_TS_QUIET_LOCAL_STORE: "true" };
    const report = await checkSetup({ ...options, client: { env }, write: false });
    expect(report.checks.find((c) => c.id === "config")).toMatchObject({ status: "pass" });
  });
});
