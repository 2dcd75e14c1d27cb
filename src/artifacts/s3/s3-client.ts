/**
 * Builds the S3 client from the resolved configuration, the way MLflow's boto3 client is set up
 * (`MLFLOW_S3_ENDPOINT_URL`, `MLFLOW_S3_IGNORE_TLS`, addressing style, region, the default
 * credential chain), with the settings MinIO-like servers need.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { readEnv } from "../../config/env.js";
import type { ResolvedConfig } from "../../config/resolve.js";
import { registerSecret } from "../../core/redact.js";
import { S3RetryStrategy } from "./s3-retry-strategy.js";

/**
 * The AWS SDK's switch for its Node.js-version notice. Under Node < 22 the SDK prints an eight-line
 * `NodeVersionSupportWarning` (about its releases of 2027) through `process.emitWarning` the first
 * time a process builds a client — into every training script's log, about nothing its user can act
 * on here. The SDK reads this variable, its documented off switch (aws/aws-sdk-js-v3#7983), while
 * the client is constructed, then never again.
 */
const NODE_VERSION_NOTICE_SWITCH = "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED";

/** Connection timeout towards the S3 server: 10 s (or the request timeout, if shorter). */
const CONNECT_TIMEOUT_MS = 10_000;
/** Sockets kept for other S3 calls (listing, HeadObject) besides the parts in flight. */
const SPARE_SOCKETS = 8;

/**
 * Creates the S3 client used for every `s3://` artifact location of one {@link MlflowClient}.
 *
 * - `endpoint` = `MLFLOW_S3_ENDPOINT_URL`; `forcePathStyle` when an endpoint is set (as botocore
 *   does with addressing style `auto`) or when the style is `path`; region defaults to `us-east-1`.
 * - Checksums: `requestChecksumCalculation` and `responseChecksumValidation` follow
 *   `s3.checksum` (default `WHEN_REQUIRED`, which MinIO-like servers accept).
 * - Credentials: `s3.credentials`, else `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`(/`AWS_SESSION_TOKEN`)
 *   from the environment the configuration read (so the `env` option works), else the AWS SDK
 *   default chain (profiles, SSO, web identity, IMDS…).
 * - Retries: the SDK's retry middleware with `maxAttempts` = `maxRetries + 1` (8 by default) and
 *   the transport's backoff curve capped at 20 s per wait ({@link S3RetryStrategy}), so each request
 *   (each part of a multipart upload on its own) rides out about a minute of S3 outage.
 * - Sockets: enough for `artifacts.concurrency` files × `s3.queueSize` parts, plus spares;
 *   idle timeout = `timeoutMs`; `MLFLOW_S3_IGNORE_TLS` turns certificate checks off; no
 *   `Expect: 100-continue`, so part uploads reuse kept-alive sockets.
 * - No AWS SDK notice about Node.js versions on stderr (see {@link NODE_VERSION_NOTICE_SWITCH}).
 *
 * @example
 * const s3 = createS3Client(resolveConfig());
 * @internal
 */
export function createS3Client(config: ResolvedConfig): S3Client {
  const s3 = config.s3;
  const maxSockets = Math.max(config.artifacts.concurrency * s3.queueSize + SPARE_SOCKETS, 50);
  return withoutNodeVersionNotice(
    () =>
      new S3Client({
        endpoint: s3.endpointUrl,
        region: s3.region,
        forcePathStyle: s3.forcePathStyle,
        credentials: credentialsFrom(config),
        maxAttempts: config.http.maxRetries + 1,
        retryStrategy: new S3RetryStrategy(config.http.maxRetries + 1, config.http.backoffFactorMs, config.http.backoffJitterMs),
        requestChecksumCalculation: s3.checksum,
        responseChecksumValidation: s3.checksum,
        // With `Expect: 100-continue` the SDK opens a new, non-kept-alive connection per part; the
        // saving (not sending a part the server would refuse) is small next to that.
        expectContinueHeader: false,
        requestHandler: {
          httpAgent: { keepAlive: true, maxSockets },
          httpsAgent: { keepAlive: true, maxSockets, rejectUnauthorized: !s3.ignoreTls },
          connectionTimeout: Math.min(CONNECT_TIMEOUT_MS, config.http.timeoutMs),
          socketTimeout: config.http.timeoutMs,
        },
      }),
  );
}

/**
 * Runs `create` (an S3 client's constructor) with the SDK's Node-version notice switched off: the
 * variable is set only for that synchronous call and removed after it, so no other code sees it,
 * and every other warning of the process (the user's own `process.emitWarning` included) prints as
 * before. A value the user set — `false` to see the notice — is left alone.
 */
function withoutNodeVersionNotice<T>(create: () => T): T {
  // biome-ignore lint/style/noProcessEnv: the AWS SDK reads this switch from process.env itself, so configuration cannot pass it
  const processEnv = process.env;
  if (processEnv[NODE_VERSION_NOTICE_SWITCH] !== undefined) return create();
  processEnv[NODE_VERSION_NOTICE_SWITCH] = "true";
  try {
    return create();
  } finally {
    delete processEnv[NODE_VERSION_NOTICE_SWITCH];
  }
}

function credentialsFrom(config: ResolvedConfig): S3ClientCredentials | undefined {
  if (config.s3.credentials) return { ...config.s3.credentials }; // a copy: the SDK annotates it, the config is frozen
  const accessKeyId = readEnv(config.env, "AWS_ACCESS_KEY_ID");
  const secretAccessKey = readEnv(config.env, "AWS_SECRET_ACCESS_KEY");
  if (accessKeyId === undefined || secretAccessKey === undefined) return undefined;
  const sessionToken = readEnv(config.env, "AWS_SESSION_TOKEN");
  registerSecret(secretAccessKey);
  registerSecret(sessionToken);
  return { accessKeyId, secretAccessKey, sessionToken };
}

type S3ClientCredentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
