/**
 * Builds the S3 client from the resolved configuration, the way MLflow's boto3 client is set up
 * (`MLFLOW_S3_ENDPOINT_URL`, `MLFLOW_S3_IGNORE_TLS`, addressing style, region, the default
 * credential chain), with the settings MinIO-like servers need.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { withoutAwsNodeVersionNotice } from "../../config/process-env.js";
import type { ResolvedConfig } from "../../config/resolve.js";
import { S3RetryStrategy } from "./s3-retry-strategy.js";

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
 * - Credentials: the configuration's `s3.credentials` (the option, else `AWS_ACCESS_KEY_ID`/
 *   `AWS_SECRET_ACCESS_KEY`(/`AWS_SESSION_TOKEN`) of the environment it read, so the `env` option
 *   works), else the AWS SDK default chain (profiles, SSO, web identity, IMDS…).
 * - Retries: the SDK's retry middleware with `maxAttempts` = `maxRetries + 1` (8 by default) and
 *   the transport's backoff curve capped at 20 s per wait ({@link S3RetryStrategy}), so each request
 *   (each part of a multipart upload on its own) rides out about a minute of S3 outage.
 * - Sockets: enough for `artifacts.concurrency` files × `s3.queueSize` parts, plus spares;
 *   idle timeout = `timeoutMs`; `MLFLOW_S3_IGNORE_TLS` turns certificate checks off; no
 *   `Expect: 100-continue`, so part uploads reuse kept-alive sockets.
 * - No AWS SDK notice about Node.js versions on stderr (see `withoutAwsNodeVersionNotice` in config/process-env.ts).
 *
 * @example
 * const s3 = createS3Client(resolveConfig());
 * @internal
 */
export function createS3Client(config: ResolvedConfig): S3Client {
  const s3 = config.s3;
  const maxSockets = Math.max(config.artifacts.concurrency * s3.queueSize + SPARE_SOCKETS, 50);
  return withoutAwsNodeVersionNotice(
    () =>
      new S3Client({
        endpoint: s3.endpointUrl,
        region: s3.region,
        forcePathStyle: s3.forcePathStyle,
        // A copy: the SDK annotates it, the configuration is frozen.
        credentials: s3.credentials ? { ...s3.credentials } : undefined,
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
