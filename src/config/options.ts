/**
 * The public options of the client (`new MlflowClient(options)`) with their TSDoc: what each one
 * does, the environment variable it falls back to and its default. The zod schemas that check them
 * are in schemas.ts (a type test fails to compile when the two disagree).
 */

import type { AuthProvider } from "../core/http/auth/types.js";

/** An environment to read from: `process.env` by default, a plain object in tests. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Credentials for the tracking server. Basic wins over a bearer token, as in the Python client. */
export type AuthOptions = { username: string; password: string } | { token: string };

/** S3 settings for artifact stores whose URI is `s3://…`. Each falls back to the environment. */
export interface S3Options {
  /** S3 endpoint for MinIO and other S3-compatible stores. Env `MLFLOW_S3_ENDPOINT_URL`. Must be http(s). */
  endpointUrl?: string | undefined;
  /** Skip TLS verification towards the S3 endpoint. Env `MLFLOW_S3_IGNORE_TLS`. @defaultValue false */
  ignoreTls?: boolean | undefined;
  /** Env `MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE`. `auto` uses path style when an endpoint is set, as botocore does. @defaultValue "auto" */
  addressingStyle?: "auto" | "path" | "virtual" | undefined;
  /** Env `AWS_REGION`, then `AWS_DEFAULT_REGION`. @defaultValue "us-east-1" */
  region?: string | undefined;
  /** Explicit credentials; otherwise the AWS SDK default chain (`AWS_ACCESS_KEY_ID`, profiles, IAM…). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined } | undefined;
  /** Extra `PutObject` arguments, e.g. `{ ServerSideEncryption: "AES256" }`. Env `MLFLOW_S3_UPLOAD_EXTRA_ARGS` (JSON). */
  uploadExtraArgs?: Record<string, unknown> | undefined;
  /** Env `MLFLOW_S3_EXPECTED_BUCKET_OWNER`. */
  expectedBucketOwner?: string | undefined;
  /**
   * When the AWS SDK computes request checksums. `WHEN_REQUIRED` works with MinIO-like stores that
   * reject the SDK's default CRC32 trailers. Env `MLFLOW_TS_S3_CHECKSUM`. @defaultValue "WHEN_REQUIRED"
   */
  checksum?: "WHEN_REQUIRED" | "WHEN_SUPPORTED" | undefined;
  /** Multipart part size in bytes; by default chosen from the file size (at least 8 MiB). */
  partSizeBytes?: number | undefined;
  /** Parts uploaded in parallel per file. Memory is about (queueSize + 1) × part size. @defaultValue 4 */
  queueSize?: number | undefined;
}

/** Settings for artifacts that go through the tracking server's proxy. */
export interface ArtifactOptions {
  /**
   * Use the server's multipart API for large files (parts straight to presigned S3 URLs). Env
   * `MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD`. A server that takes presigned transfers only (MLflow
   * 3.18+ `--artifacts-presigned-only`) gets multipart uploads whatever this says.
   * @defaultValue what a 3.18+ server advertises in `server-info` (its operator's opt-in, as MLflow's
   *   Python client follows it); off on servers before 3.18
   */
  proxyMultipartUpload?: boolean | undefined;
  /** Minimum file size for proxied multipart, bytes. Env `MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE`. @defaultValue 524288000 (500 MiB) */
  proxyMultipartMinBytes?: number | undefined;
  /** Part size for proxied multipart, bytes. Env `MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE`. @defaultValue 10485760 (10 MiB) */
  proxyMultipartChunkBytes?: number | undefined;
  /** Files uploaded in parallel when logging a directory. @defaultValue 8 */
  concurrency?: number | undefined;
}

/**
 * Options of {@link MlflowClient}. Every field is optional and falls back to the environment
 * variable named in its description, then to the documented default. Unknown keys are rejected.
 */
export interface ClientOptions {
  /** Tracking server URL (its path is the base path) or `sqlite:///file.db`. Env `MLFLOW_TRACKING_URI`. @defaultValue "sqlite:///mlflow.db" */
  trackingUri?: string | undefined;
  /**
   * Credentials: fixed ones ({@link AuthOptions}), or an {@link AuthProvider} for credentials that
   * change (called for the first request, before the expiry it states, and once on a 401; see
   * `mlflow-ts/auth` for a token file, a command and OAuth2 client credentials). Env
   * `MLFLOW_TRACKING_USERNAME` + `MLFLOW_TRACKING_PASSWORD` (Basic), else `MLFLOW_TRACKING_TOKEN`
   * (Bearer), else `MLFLOW_TS_TRACKING_TOKEN_COMMAND` or `MLFLOW_TS_TRACKING_TOKEN_FILE`.
   */
  auth?: AuthOptions | AuthProvider | undefined;
  /** Per-request timeout in ms. Env `MLFLOW_HTTP_REQUEST_TIMEOUT` (seconds). @defaultValue 120000 */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt, 0–10. Env `MLFLOW_HTTP_REQUEST_MAX_RETRIES`. @defaultValue 7 */
  maxRetries?: number | undefined;
  /** Backoff factor in ms: retry n waits min(120 s, factor × 2^(n−1)) plus jitter. Env `MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR` (seconds). @defaultValue 2000 */
  backoffFactorMs?: number | undefined;
  /** Maximum random extra wait per retry, ms. Env `MLFLOW_HTTP_REQUEST_BACKOFF_JITTER` (seconds). @defaultValue 1000 */
  backoffJitterMs?: number | undefined;
  /** Deadline of one call including all retries, ms. Env `MLFLOW_TS_HTTP_REQUEST_DEADLINE` (seconds). @defaultValue 600000 */
  deadlineMs?: number | undefined;
  /**
   * How long a call retries while nothing listens at the server's address (`ECONNREFUSED`, or a
   * host name that does not resolve) and the server has not answered since the client was created,
   * ms; then it fails. A server that answered before gets the full retry curve (a restart).
   * Env `MLFLOW_TS_HTTP_UNREACHABLE_DEADLINE` (seconds). @defaultValue 10000
   */
  unreachableDeadlineMs?: number | undefined;
  /** Idle time before a kept-alive socket is closed, ms. @defaultValue 1500 */
  keepAliveIdleMs?: number | undefined;
  /** Maximum sockets per host. @defaultValue 64 */
  maxSockets?: number | undefined;
  /**
   * The MLflow workspace (MLflow 3.10+ servers started with `--enable-workspaces`): sent as the
   * `X-MLFLOW-WORKSPACE` header of every tracking, registry and proxied-artifact request, as the
   * Python client sends it (not on the workspace API, whose path names the workspace). A name of
   * 2–63 lowercase letters, digits and inner hyphens, or `default`. The embedded store does not
   * honour it yet. Env `MLFLOW_WORKSPACE`.
   * @defaultValue none: the server's default workspace
   */
  workspace?: string | undefined;
  /** Extra headers sent with every tracking request (e.g. for an access proxy). */
  headers?: Record<string, string> | undefined;
  /** Skip TLS verification. Env `MLFLOW_TRACKING_INSECURE_TLS`. Conflicts with `serverCertPath`. @defaultValue false */
  insecureTls?: boolean | undefined;
  /** CA bundle (PEM) that signs the server's certificate. Env `MLFLOW_TRACKING_SERVER_CERT_PATH`. */
  serverCertPath?: string | undefined;
  /** Client certificate and key (one PEM file) for mutual TLS. Env `MLFLOW_TRACKING_CLIENT_CERT_PATH`. */
  clientCertPath?: string | undefined;
  /** S3 settings for `s3://` artifact locations. */
  s3?: S3Options | undefined;
  /** Proxied-artifact settings. */
  artifacts?: ArtifactOptions | undefined;
  /**
   * Offline mode: when the tracking URI is a server, log to a local embedded store kept for that
   * server in `MLFLOW_TS_OFFLINE_DIR` (default `~/.cache/mlflow-ts/offline`) and make no request
   * to it; `mlflow-ts sync --offline` delivers the runs later. An embedded-store URI is unaffected.
   * Env `MLFLOW_TS_OFFLINE`. @defaultValue false
   */
  offline?: boolean | undefined;
  /** Environment to read instead of `process.env` (useful in tests). */
  env?: Record<string, string | undefined> | undefined;
}
