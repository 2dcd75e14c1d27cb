/**
 * Configuration: every environment variable and option with its unit and default, the order
 * constructor option > environment > default, strict options, and the error message of every
 * bad value.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { inspect } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../../src/advanced.js";
import { type ClientOptions, ConfigurationError, MlflowClient } from "../../../src/index.js";
import { EMPTY_HOME } from "../helpers/mock-server.js";

const scratch = mkdtempSync(join(tmpdir(), "mlflow-ts-config-"));
const pem = join(scratch, "ca.pem");
writeFileSync(pem, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Resolves with only `env` as the environment (and a HOME without credentials). */
function resolveWith(env: Record<string, string>, options: ClientOptions = {}) {
  return resolveConfig({ ...options, env: { HOME: EMPTY_HOME, ...env } });
}

/** The ConfigurationError that resolving throws. */
function configError(env: Record<string, string>, options: ClientOptions = {}): ConfigurationError {
  try {
    resolveWith(env, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error("expected a ConfigurationError");
}

describe("defaults", () => {
  it("match the Python client when nothing is set", () => {
    const config = resolveWith({});
    expect(config.tracking).toEqual({ kind: "sqlite", path: resolve("mlflow.db"), uri: `sqlite:///${resolve("mlflow.db")}`, isDefault: true });
    expect(config.auth).toEqual({ kind: "none" });
    expect(config.workspace).toBeUndefined();
    expect(config.http).toEqual({
      timeoutMs: 120_000,
      maxRetries: 7,
      backoffFactorMs: 2_000,
      backoffJitterMs: 1_000,
      deadlineMs: 600_000,
      unreachableDeadlineMs: 10_000,
      quietRetries: false,
      keepAliveIdleMs: 1_500,
      maxSockets: 64,
      headers: {},
      tls: { insecure: false, caPath: undefined, clientCertPath: undefined },
    });
    expect(config.s3).toEqual({
      endpointUrl: undefined,
      ignoreTls: false,
      forcePathStyle: false,
      addressingStyle: "auto",
      region: "us-east-1",
      credentials: undefined,
      credentialsSource: "default chain",
      uploadExtraArgs: {},
      expectedBucketOwner: undefined,
      checksum: "WHEN_REQUIRED",
      partSizeBytes: undefined,
      queueSize: 4,
    });
    expect(config.artifacts).toEqual({
      // not configured: a 3.18+ server's server-info decides, as for MLflow 3.18's Python client
      proxyMultipartUpload: undefined,
      proxyMultipartMinBytes: 524_288_000,
      proxyMultipartChunkBytes: 10_485_760,
      concurrency: 8,
    });
    expect(config.fluent).toEqual({ experimentName: undefined, experimentId: undefined, runId: undefined });
    expect(config.logger).toEqual({
      flushIntervalMs: 1_000,
      maxInFlight: 16, // the embedded store; 2 on a tracking server
      deliveryTimeoutMs: 600_000,
      maxBufferedEntries: 1_000_000,
      exitTimeoutMs: 30_000,
      spillAfterMs: 30_000,
      retryInitialDelayMs: 250,
      retryMaxDelayMs: 10_000,
      exitHooks: true,
    });
    expect(config.systemMetrics).toEqual({ enabled: false, samplingIntervalMs: 10_000, samplesBeforeLogging: 1, nodeId: undefined });
    expect(config.systemTags).toEqual({ runContext: {} });
    expect(config.embeddedStore).toEqual({ journalMode: "wal", quiet: false });
    expect(config.journal).toEqual({
      enabled: false, // the embedded store; on for a tracking server
      dir: `${EMPTY_HOME}/.cache/mlflow-ts/journal`,
      commitIntervalMs: 100,
      commitBytes: 1024 * 1024,
      syncIntervalMs: 0,
      segmentBytes: 16 * 1024 * 1024,
      recover: true, // applied only while the journal is on (resolveJournalOptions)
      quietRecovery: false,
    });
    expect(config.doctor).toEqual({ ciJob: false, awsEndpointUrlS3: undefined });
  });

  it("is frozen", () => {
    const config = resolveWith({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.http)).toBe(true);
    expect(Object.isFrozen(config.http.headers)).toBe(true);
  });
});

describe("environment variables (names and units of the Python client)", () => {
  it.each([
    ["MLFLOW_HTTP_REQUEST_TIMEOUT", "30", (c: ReturnType<typeof resolveWith>) => c.http.timeoutMs, 30_000],
    ["MLFLOW_HTTP_REQUEST_TIMEOUT", "0.5", (c: ReturnType<typeof resolveWith>) => c.http.timeoutMs, 500],
    ["MLFLOW_HTTP_REQUEST_MAX_RETRIES", "3", (c: ReturnType<typeof resolveWith>) => c.http.maxRetries, 3],
    ["MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0", (c: ReturnType<typeof resolveWith>) => c.http.maxRetries, 0],
    ["MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "1", (c: ReturnType<typeof resolveWith>) => c.http.backoffFactorMs, 1_000],
    ["MLFLOW_HTTP_REQUEST_BACKOFF_JITTER", "0.25", (c: ReturnType<typeof resolveWith>) => c.http.backoffJitterMs, 250],
    ["MLFLOW_TS_HTTP_REQUEST_DEADLINE", "90", (c: ReturnType<typeof resolveWith>) => c.http.deadlineMs, 90_000],
    ["MLFLOW_TS_HTTP_UNREACHABLE_DEADLINE", "30", (c: ReturnType<typeof resolveWith>) => c.http.unreachableDeadlineMs, 30_000],
    ["MLFLOW_TS_QUIET_RETRIES", "1", (c: ReturnType<typeof resolveWith>) => c.http.quietRetries, true],
    ["MLFLOW_TRACKING_INSECURE_TLS", "true", (c: ReturnType<typeof resolveWith>) => c.http.tls.insecure, true],
    ["MLFLOW_TRACKING_INSECURE_TLS", "1", (c: ReturnType<typeof resolveWith>) => c.http.tls.insecure, true],
    ["MLFLOW_TRACKING_INSECURE_TLS", "FALSE", (c: ReturnType<typeof resolveWith>) => c.http.tls.insecure, false],
    ["MLFLOW_TRACKING_SERVER_CERT_PATH", pem, (c: ReturnType<typeof resolveWith>) => c.http.tls.caPath, pem],
    ["MLFLOW_TRACKING_CLIENT_CERT_PATH", pem, (c: ReturnType<typeof resolveWith>) => c.http.tls.clientCertPath, pem],
    ["MLFLOW_EXPERIMENT_NAME", "mnist", (c: ReturnType<typeof resolveWith>) => c.fluent.experimentName, "mnist"],
    ["MLFLOW_EXPERIMENT_ID", "12", (c: ReturnType<typeof resolveWith>) => c.fluent.experimentId, "12"],
    ["MLFLOW_RUN_ID", "abc", (c: ReturnType<typeof resolveWith>) => c.fluent.runId, "abc"],
    ["MLFLOW_S3_IGNORE_TLS", "true", (c: ReturnType<typeof resolveWith>) => c.s3.ignoreTls, true],
    ["MLFLOW_S3_EXPECTED_BUCKET_OWNER", "123456789012", (c: ReturnType<typeof resolveWith>) => c.s3.expectedBucketOwner, "123456789012"],
    [
      "MLFLOW_S3_UPLOAD_EXTRA_ARGS",
      '{"ServerSideEncryption":"AES256"}',
      (c: ReturnType<typeof resolveWith>) => c.s3.uploadExtraArgs,
      { ServerSideEncryption: "AES256" },
    ],
    ["MLFLOW_TS_S3_CHECKSUM", "when_supported", (c: ReturnType<typeof resolveWith>) => c.s3.checksum, "WHEN_SUPPORTED"],
    ["AWS_DEFAULT_REGION", "eu-west-3", (c: ReturnType<typeof resolveWith>) => c.s3.region, "eu-west-3"],
    ["MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD", "true", (c: ReturnType<typeof resolveWith>) => c.artifacts.proxyMultipartUpload, true],
    ["MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE", "1048576", (c: ReturnType<typeof resolveWith>) => c.artifacts.proxyMultipartMinBytes, 1_048_576],
    ["MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE", "5242880", (c: ReturnType<typeof resolveWith>) => c.artifacts.proxyMultipartChunkBytes, 5_242_880],
  ] as const)("%s=%s is read", (name, value, read, expected) => {
    expect(read(resolveWith({ [name]: value }))).toEqual(expected);
  });

  it("trims values and treats an empty value as unset", () => {
    expect(resolveWith({ MLFLOW_HTTP_REQUEST_TIMEOUT: " 10 " }).http.timeoutMs).toBe(10_000);
    expect(resolveWith({ MLFLOW_HTTP_REQUEST_TIMEOUT: "" }).http.timeoutMs).toBe(120_000);
  });

  it("prefers AWS_REGION over AWS_DEFAULT_REGION", () => {
    expect(resolveWith({ AWS_REGION: "ap-south-1", AWS_DEFAULT_REGION: "eu-west-3" }).s3.region).toBe("ap-south-1");
  });

  it("uses path-style addressing when an S3 endpoint is set, as botocore does with 'auto'", () => {
    expect(resolveWith({ MLFLOW_S3_ENDPOINT_URL: "http://minio:9000/" }).s3).toMatchObject({ endpointUrl: "http://minio:9000", forcePathStyle: true });
    expect(resolveWith({ MLFLOW_S3_ENDPOINT_URL: "http://minio:9000", MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE: "virtual" }).s3.forcePathStyle).toBe(false);
    expect(resolveWith({ MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE: "path" }).s3).toMatchObject({ forcePathStyle: true, addressingStyle: "path" });
  });

  it("reads the tracking URI: its path is the base path, a trailing slash is dropped", () => {
    expect(resolveWith({ MLFLOW_TRACKING_URI: "https://mlflow.example.com/team-a/" }).tracking).toEqual({
      kind: "rest",
      baseUrl: "https://mlflow.example.com/team-a",
      displayUri: "https://mlflow.example.com/team-a",
    });
    expect(resolveWith({ MLFLOW_TRACKING_URI: "http://127.0.0.1:5000" }).tracking).toMatchObject({ baseUrl: "http://127.0.0.1:5000" });
  });

  it("reads sqlite URIs, relative to the working directory or absolute", () => {
    expect(resolveWith({ MLFLOW_TRACKING_URI: "sqlite:///runs.db" }).tracking).toEqual({
      kind: "sqlite",
      path: resolve("runs.db"),
      uri: `sqlite:///${resolve("runs.db")}`,
      isDefault: false,
    });
    expect(resolveWith({ MLFLOW_TRACKING_URI: "sqlite:////tmp/x.db" }).tracking).toMatchObject({ path: "/tmp/x.db" });
  });
});

describe("the sections of the SDK resolved with the client's configuration", () => {
  it("takes S3 credentials from the s3.credentials option, else from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, and says which", () => {
    const env = { AWS_ACCESS_KEY_ID: "AKIAENV", AWS_SECRET_ACCESS_KEY: "env-secret", AWS_SESSION_TOKEN: "env-token" };
    expect(resolveWith(env).s3).toMatchObject({
      credentials: { accessKeyId: "AKIAENV", secretAccessKey: "env-secret", sessionToken: "env-token" },
      credentialsSource: "AWS_ACCESS_KEY_ID",
    });
    const credentials = { accessKeyId: "AKIAOPT", secretAccessKey: "opt-secret" };
    expect(resolveWith(env, { s3: { credentials } }).s3).toMatchObject({ credentials, credentialsSource: "s3.credentials option" });
    expect(resolveWith({ AWS_ACCESS_KEY_ID: "AKIAENV" }).s3).toMatchObject({ credentials: undefined, credentialsSource: "default chain" });
    expect(JSON.stringify(resolveWith(env))).not.toContain("env-secret");
  });

  it("reads the run context, the embedded store's, the logger's and the doctor's variables once, at construction", () => {
    const config = resolveWith(
      {
        MLFLOW_RUN_CONTEXT: '{"job": "nightly", "shard": 3}',
        MLFLOW_TS_SQLITE_JOURNAL_MODE: "DELETE",
        MLFLOW_TS_QUIET_LOCAL_STORE: "1",
        MLFLOW_TS_MAX_IN_FLIGHT: "4",
        CI: "true",
        AWS_ENDPOINT_URL_S3: "http://minio:9000",
      },
      { trackingUri: "http://127.0.0.1:5000" },
    );
    expect(config.systemTags.runContext).toEqual({ job: "nightly", shard: "3" });
    expect(config.embeddedStore).toEqual({ journalMode: "delete", quiet: true });
    expect(config.logger.maxInFlight).toBe(4);
    expect(config.journal.enabled).toBe(true); // on by default for a tracking server
    expect(config.doctor).toEqual({ ciJob: true, awsEndpointUrlS3: "http://minio:9000" });
    expect(resolveWith({ CI: "false" }).doctor.ciJob).toBe(false);
  });

  it("fails at construction, naming the variable, for a malformed run context, journal mode or logger setting", () => {
    expect(configError({ MLFLOW_RUN_CONTEXT: "[1, 2]" })).toMatchObject({ key: "MLFLOW_RUN_CONTEXT" });
    expect(configError({ MLFLOW_TS_SQLITE_JOURNAL_MODE: "truncate" }).message).toMatch(/must be "wal" or "delete".*Fix:/);
    expect(configError({ MLFLOW_TS_EXIT_TIMEOUT_MS: "-1" })).toMatchObject({ key: "MLFLOW_TS_EXIT_TIMEOUT_MS" });
  });
});

describe("precedence: constructor option > environment > default", () => {
  const env = {
    MLFLOW_TRACKING_URI: "http://env-host:5000",
    MLFLOW_HTTP_REQUEST_TIMEOUT: "30",
    MLFLOW_HTTP_REQUEST_MAX_RETRIES: "2",
    MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: "3",
    MLFLOW_HTTP_REQUEST_BACKOFF_JITTER: "0.5",
    MLFLOW_TS_HTTP_REQUEST_DEADLINE: "60",
    MLFLOW_TS_HTTP_UNREACHABLE_DEADLINE: "2.5",
    MLFLOW_TS_QUIET_RETRIES: "true",
    MLFLOW_TRACKING_INSECURE_TLS: "true",
    MLFLOW_S3_ENDPOINT_URL: "http://env-minio:9000",
    MLFLOW_S3_IGNORE_TLS: "true",
    MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE: "virtual",
    AWS_REGION: "eu-west-1",
    MLFLOW_TRACKING_TOKEN: "env-token-123",
  };

  it("takes the environment over the defaults", () => {
    const config = resolveWith(env);
    expect(config.tracking).toMatchObject({ baseUrl: "http://env-host:5000" });
    expect(config.http).toMatchObject({
      timeoutMs: 30_000,
      maxRetries: 2,
      backoffFactorMs: 3_000,
      backoffJitterMs: 500,
      deadlineMs: 60_000,
      unreachableDeadlineMs: 2_500,
      quietRetries: true,
      tls: { insecure: true },
    });
    expect(config.s3).toMatchObject({ endpointUrl: "http://env-minio:9000", ignoreTls: true, addressingStyle: "virtual", region: "eu-west-1" });
    expect(config.auth).toMatchObject({ kind: "bearer", token: "env-token-123" });
  });

  it("takes constructor options over the environment", () => {
    const config = resolveWith(env, {
      trackingUri: "http://option-host:5000",
      timeoutMs: 1_000,
      maxRetries: 0,
      backoffFactorMs: 10,
      backoffJitterMs: 0,
      deadlineMs: 5_000,
      unreachableDeadlineMs: 0,
      insecureTls: false,
      auth: { token: "option-token-456" },
      s3: { endpointUrl: "https://option-minio", ignoreTls: false, addressingStyle: "path", region: "us-west-2" },
    });
    expect(config.tracking).toMatchObject({ baseUrl: "http://option-host:5000" });
    expect(config.http).toMatchObject({
      timeoutMs: 1_000,
      maxRetries: 0,
      backoffFactorMs: 10,
      backoffJitterMs: 0,
      deadlineMs: 5_000,
      unreachableDeadlineMs: 0,
      tls: { insecure: false },
    });
    expect(config.s3).toMatchObject({ endpointUrl: "https://option-minio", ignoreTls: false, forcePathStyle: true, region: "us-west-2" });
    expect(config.auth).toEqual({ kind: "bearer", token: "option-token-456", source: "auth option" });
  });

  it("reads process.env when no env option is given", () => {
    const saved = process.env.MLFLOW_EXPERIMENT_NAME;
    process.env.MLFLOW_EXPERIMENT_NAME = "from-process-env";
    try {
      expect(resolveConfig({ trackingUri: "http://h:5000" }).fluent.experimentName).toBe("from-process-env");
    } finally {
      if (saved === undefined) delete process.env.MLFLOW_EXPERIMENT_NAME;
      else process.env.MLFLOW_EXPERIMENT_NAME = saved;
    }
  });
  it("accepts process.env itself as the env option", () => {
    expect(resolveConfig({ trackingUri: "http://h:5000", env: process.env }).tracking).toMatchObject({ kind: "rest" });
  });

  it("refuses an env option that is not an object", () => {
    expect(() => resolveConfig({ env: ["MLFLOW_TRACKING_URI=x"] as never })).toThrow(/Invalid option "env": expected an object of strings/);
  });
});

describe("authentication", () => {
  it("uses Basic for username + password and prefers it over a token, as the Python client", () => {
    expect(resolveWith({ MLFLOW_TRACKING_USERNAME: "alice", MLFLOW_TRACKING_PASSWORD: "pw-1234", MLFLOW_TRACKING_TOKEN: "tok-1234" }).auth).toEqual({
      kind: "basic",
      username: "alice",
      password: "pw-1234",
      source: "MLFLOW_TRACKING_USERNAME/PASSWORD",
    });
  });

  it("turns userinfo in the tracking URI into Basic auth and keeps it out of displayUri", () => {
    const config = resolveWith({ MLFLOW_TRACKING_URI: "http://bob:p%40ss-word@mlflow.test:5000/prefix" });
    expect(config.auth).toEqual({ kind: "basic", username: "bob", password: "p@ss-word", source: "tracking URI userinfo" });
    expect(config.tracking).toEqual({ kind: "rest", baseUrl: "http://mlflow.test:5000/prefix", displayUri: "http://mlflow.test:5000/prefix" });
    const client = new MlflowClient({ trackingUri: "http://bob:p%40ss-word@mlflow.test:5000/prefix", env: { HOME: EMPTY_HOME } });
    expect(client.trackingUri).toBe("http://mlflow.test:5000/prefix");
    expect(inspect(client, { depth: 10 })).not.toContain("p@ss-word");
  });

  describe("~/.mlflow/credentials", () => {
    const home = join(scratch, "home");
    mkdirSync(join(home, ".mlflow"), { recursive: true });
    const file = join(home, ".mlflow", "credentials");
    writeFileSync(file, "[other]\nmlflow_tracking_username = nobody\n\n[mlflow]\nmlflow_tracking_username = carol\nmlflow_tracking_password = file-pw-99\n");

    it("is read for Basic auth, with the file as the source", () => {
      expect(resolveConfig({ env: { HOME: home } }).auth).toEqual({ kind: "basic", username: "carol", password: "file-pw-99", source: file });
    });

    it("is overridden field by field by the environment", () => {
      expect(resolveConfig({ env: { HOME: home, MLFLOW_TRACKING_USERNAME: "dave" } }).auth).toMatchObject({ username: "dave", password: "file-pw-99" });
    });

    it("wins over MLFLOW_TRACKING_TOKEN, as Basic does in the Python client", () => {
      expect(resolveConfig({ env: { HOME: home, MLFLOW_TRACKING_TOKEN: "tok-5678" } }).auth).toMatchObject({ kind: "basic", username: "carol" });
    });
  });
});

describe("strict options", () => {
  it("refuses a misspelled option, naming the key, its value and the valid options", () => {
    const error = configError({}, { timeoutMS: 5000 } as unknown as ClientOptions);
    expect(error.key).toBe("timeoutMS");
    expect(error.message).toBe(
      `Invalid option "timeoutMS" = 5000: unknown option (valid options: ${Object.keys({ trackingUri: 0, auth: 0, timeoutMs: 0, maxRetries: 0, backoffFactorMs: 0, backoffJitterMs: 0, deadlineMs: 0, unreachableDeadlineMs: 0, keepAliveIdleMs: 0, maxSockets: 0, workspace: 0, headers: 0, insecureTls: 0, serverCertPath: 0, clientCertPath: 0, s3: 0, artifacts: 0, offline: 0, env: 0 }).join(", ")}).`,
    );
  });

  it("refuses a misspelled nested option", () => {
    const error = configError({}, { s3: { endpointURL: "http://minio:9000" } } as unknown as ClientOptions);
    expect(error.key).toBe("s3.endpointURL");
    expect(error.message).toMatch(/^Invalid option "s3.endpointURL" = "http:\/\/minio:9000": unknown option \(valid options: endpointUrl, ignoreTls,/);
  });

  it("refuses a value of the wrong type or range, naming it", () => {
    expect(configError({}, { timeoutMs: "5" } as unknown as ClientOptions).message).toMatch(/^Invalid option "timeoutMs" = "5": .*expected number/);
    expect(configError({}, { maxRetries: 11 }).message).toMatch(/^Invalid option "maxRetries" = 11: .*10/);
    expect(configError({}, { timeoutMs: -1 }).key).toBe("timeoutMs");
  });

  it("never quotes the value of a secret-looking option", () => {
    const error = configError({}, { password: "hunter2-canary" } as unknown as ClientOptions);
    expect(error.message).toMatch(/^Invalid option "password" = \*\*\*: unknown option/);
    expect(error.message).not.toContain("hunter2-canary");
  });
});

describe("bad values fail with a message naming the variable and what is expected", () => {
  it.each([
    [
      { MLFLOW_HTTP_REQUEST_TIMEOUT: "abc" },
      "MLFLOW_HTTP_REQUEST_TIMEOUT",
      'MLFLOW_HTTP_REQUEST_TIMEOUT must be a number of at least 0.001 seconds; got "abc". Fix: correct it or unset it to use the default.',
    ],
    [{ MLFLOW_HTTP_REQUEST_TIMEOUT: "0" }, "MLFLOW_HTTP_REQUEST_TIMEOUT", "MLFLOW_HTTP_REQUEST_TIMEOUT must be a number of at least 0.001 seconds"],
    [
      { MLFLOW_HTTP_REQUEST_MAX_RETRIES: "11" },
      "MLFLOW_HTTP_REQUEST_MAX_RETRIES",
      'MLFLOW_HTTP_REQUEST_MAX_RETRIES must be a whole number from 0 to 10; got "11"',
    ],
    [{ MLFLOW_HTTP_REQUEST_MAX_RETRIES: "-1" }, "MLFLOW_HTTP_REQUEST_MAX_RETRIES", "from 0 to 10"],
    [{ MLFLOW_HTTP_REQUEST_MAX_RETRIES: "2.5" }, "MLFLOW_HTTP_REQUEST_MAX_RETRIES", "whole number"],
    [{ MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: "121" }, "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "from 0 to 120 seconds"],
    [{ MLFLOW_HTTP_REQUEST_BACKOFF_JITTER: "-1" }, "MLFLOW_HTTP_REQUEST_BACKOFF_JITTER", "at least 0 seconds"],
    [{ MLFLOW_TS_HTTP_UNREACHABLE_DEADLINE: "-1" }, "MLFLOW_TS_HTTP_UNREACHABLE_DEADLINE", "at least 0 seconds"],
    [{ MLFLOW_TS_QUIET_RETRIES: "yes" }, "MLFLOW_TS_QUIET_RETRIES", 'MLFLOW_TS_QUIET_RETRIES must be one of true, false, 1, 0; got "yes"'],
    [{ MLFLOW_TRACKING_INSECURE_TLS: "yes" }, "MLFLOW_TRACKING_INSECURE_TLS", 'MLFLOW_TRACKING_INSECURE_TLS must be one of true, false, 1, 0; got "yes"'],
    [{ MLFLOW_S3_IGNORE_TLS: "on" }, "MLFLOW_S3_IGNORE_TLS", "must be one of true, false, 1, 0"],
    [
      { MLFLOW_TRACKING_INSECURE_TLS: "true", MLFLOW_TRACKING_SERVER_CERT_PATH: pem },
      "MLFLOW_TRACKING_INSECURE_TLS",
      "cannot be combined with MLFLOW_TRACKING_SERVER_CERT_PATH",
    ],
    [
      { MLFLOW_TRACKING_SERVER_CERT_PATH: "/no/such/ca.pem" },
      "MLFLOW_TRACKING_SERVER_CERT_PATH",
      'MLFLOW_TRACKING_SERVER_CERT_PATH points at "/no/such/ca.pem", which does not exist',
    ],
    [{ MLFLOW_TRACKING_CLIENT_CERT_PATH: "/no/such/client.pem" }, "MLFLOW_TRACKING_CLIENT_CERT_PATH", "does not exist"],
    [
      { MLFLOW_S3_ENDPOINT_URL: "s3://mlflow" },
      "MLFLOW_S3_ENDPOINT_URL",
      'MLFLOW_S3_ENDPOINT_URL must be the http(s) URL of the S3 server, not an s3:// bucket URI: got "s3://mlflow"',
    ],
    [{ MLFLOW_S3_ENDPOINT_URL: "minio:9000" }, "MLFLOW_S3_ENDPOINT_URL", "must start with http:// or https://"],
    [{ MLFLOW_S3_ENDPOINT_URL: "http://" }, "MLFLOW_S3_ENDPOINT_URL", 'MLFLOW_S3_ENDPOINT_URL is not a valid URL: "http://"'],
    [{ MLFLOW_TRACKING_URI: "http://exa mple.com:5000" }, "MLFLOW_TRACKING_URI", 'MLFLOW_TRACKING_URI is not a valid URL: "http://exa mple.com:5000"'],
    [{ MLFLOW_TRACKING_URI: "http://host:5000/?x=1" }, "MLFLOW_TRACKING_URI", "must not carry a query or fragment"],
    [
      { MLFLOW_TRACKING_URI: "file:///tmp/mlruns" },
      "MLFLOW_TRACKING_URI",
      "points at a local FileStore, which MLflow deprecates and mlflow-ts does not write. Fix: use sqlite:///mlflow.db",
    ],
    [{ MLFLOW_TRACKING_URI: "./mlruns" }, "MLFLOW_TRACKING_URI", "local FileStore"],
    [
      { MLFLOW_TRACKING_URI: "localhost:5000" },
      "MLFLOW_TRACKING_URI",
      'MLFLOW_TRACKING_URI "localhost:5000" has no scheme. Fix: write it as a URL, e.g. http://localhost:5000.',
    ],
    [
      { MLFLOW_TRACKING_URI: "postgresql://u@db/mlflow" },
      "MLFLOW_TRACKING_URI",
      'uses "postgresql:": mlflow-ts reaches a database only through an MLflow server',
    ],
    [{ MLFLOW_TRACKING_URI: "databricks" }, "MLFLOW_TRACKING_URI", "local FileStore"],
    [{ MLFLOW_TRACKING_URI: "databricks://profile" }, "MLFLOW_TRACKING_URI", "Databricks tracking is not supported"],
    [{ MLFLOW_TRACKING_URI: "ftp://host/x" }, "MLFLOW_TRACKING_URI", 'unsupported scheme "ftp:"'],
    [{ MLFLOW_TRACKING_URI: "sqlite://relative.db" }, "MLFLOW_TRACKING_URI", "is not a SQLite URI of the form sqlite:///relative.db"],
    [{ MLFLOW_TRACKING_USERNAME: "alice" }, "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_USERNAME is set but MLFLOW_TRACKING_PASSWORD is not"],
    [{ MLFLOW_TRACKING_PASSWORD: "pw-1234" }, "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD is set but MLFLOW_TRACKING_USERNAME is not"],
    [{ MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE: "dns" }, "MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE", 'must be one of auto, path, virtual; got "dns"'],
    [{ MLFLOW_S3_UPLOAD_EXTRA_ARGS: "{oops" }, "MLFLOW_S3_UPLOAD_EXTRA_ARGS", "must be a JSON object"],
    [{ MLFLOW_S3_UPLOAD_EXTRA_ARGS: "[1]" }, "MLFLOW_S3_UPLOAD_EXTRA_ARGS", "must be a JSON object"],
    [{ MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE: "1.5" }, "MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE", "a whole number of at least 1 bytes"],
  ])("%o", (env, key, message) => {
    const error = configError(env);
    expect(error.key).toBe(key);
    expect(error.message).toContain(message);
  });

  it("names the option instead of the variable when the value came from an option", () => {
    expect(configError({}, { trackingUri: "ftp://x" }).key).toBe("trackingUri");
    expect(configError({}, { s3: { endpointUrl: "s3://bucket" } }).key).toBe("s3.endpointUrl");
    expect(configError({}, { serverCertPath: "/no/such.pem" }).key).toBe("serverCertPath");
  });
});

describe("printing the configuration", () => {
  it("shows no credential in console.log or JSON.stringify", () => {
    const config = resolveWith(
      { MLFLOW_TRACKING_URI: "http://h:5000", MLFLOW_TRACKING_USERNAME: "alice", MLFLOW_TRACKING_PASSWORD: "printed-canary-pw" },
      {
        s3: { credentials: { accessKeyId: "AKIA", secretAccessKey: "printed-canary-secret" } },
      },
    );
    for (const text of [inspect(config, { depth: 10 }), JSON.stringify(config)]) {
      expect(text).not.toContain("printed-canary");
      expect(text).toContain("basic");
    }
    expect(config.auth).toMatchObject({ password: "printed-canary-pw" });
    expect(config.s3.credentials?.secretAccessKey).toBe("printed-canary-secret");
  });
});

describe("credentials that change (auth providers)", () => {
  const URI = { MLFLOW_TRACKING_URI: "http://mlflow.test:5000" };

  it("takes an async function as the auth option, shown in the config only as its kind and source", () => {
    const provider = async () => ({ headers: { Authorization: "Bearer never-shown-token" } });
    const config = resolveWith(URI, { auth: provider });
    expect(config.auth).toEqual({ kind: "provider", provider, source: "auth option" });
    expect(JSON.stringify(config)).toContain('"auth":{"kind":"provider","source":"auth option"}');
    expect(inspect(config)).not.toContain("provider:");
  });

  it.each([
    ["MLFLOW_TS_TRACKING_TOKEN_COMMAND", "echo token"],
    ["MLFLOW_TS_TRACKING_TOKEN_FILE", "/var/run/secrets/tokens/mlflow-token"],
  ])("%s gives a provider", (name, value) => {
    expect(resolveWith({ ...URI, [name]: value }).auth).toMatchObject({ kind: "provider", source: name });
  });

  it("Basic credentials from the environment win over a token command, as they win over MLFLOW_TRACKING_TOKEN", () => {
    const env = { ...URI, MLFLOW_TRACKING_USERNAME: "bob", MLFLOW_TRACKING_PASSWORD: "pw-123456", MLFLOW_TS_TRACKING_TOKEN_COMMAND: "echo x" };
    expect(resolveWith(env).auth.kind).toBe("basic");
  });

  it("refuses two sources of the bearer token at once, naming both", () => {
    const error = configError({ ...URI, MLFLOW_TRACKING_TOKEN: "fixed-token-1234", MLFLOW_TS_TRACKING_TOKEN_FILE: "/t" });
    expect(error.key).toBe("MLFLOW_TS_TRACKING_TOKEN_FILE");
    expect(error.message).toBe(
      "MLFLOW_TRACKING_TOKEN and MLFLOW_TS_TRACKING_TOKEN_FILE are both set, and each gives the bearer token. Fix: unset all but one (MLFLOW_TS_TRACKING_TOKEN_COMMAND and MLFLOW_TS_TRACKING_TOKEN_FILE are for tokens that change).",
    );
  });

  it("checks MLFLOW_TS_TRACKING_TOKEN_COMMAND_TIMEOUT as seconds", () => {
    const error = configError({ ...URI, MLFLOW_TS_TRACKING_TOKEN_COMMAND: "echo x", MLFLOW_TS_TRACKING_TOKEN_COMMAND_TIMEOUT: "soon" });
    expect(error.key).toBe("MLFLOW_TS_TRACKING_TOKEN_COMMAND_TIMEOUT");
  });

  it("refuses an auth option that is neither credentials nor a function, without quoting it", () => {
    const error = configError(URI, { auth: "Bearer abc" as never });
    expect(error.message).toMatch(/^Invalid option "auth" = \*\*\*: /);
  });
});
