/**
 * Artifact errors: one class per cause the caller can act on (credentials, permission, missing
 * bucket or object, unsafe path, unsupported store), plus a generic transfer failure per
 * direction. S3 SDK errors are never rethrown as they are: they carry `$metadata`, `$response`
 * and sometimes request details; {@link artifactErrorFromS3} keeps only the code, the status and a
 * redacted message.
 */
import { MlflowError, ValidationError } from "../core/errors.js";
import { excerpt } from "../core/redact.js";
import type { ValidationRule } from "../core/validation-rules.js";

/** What the failed call was doing. */
export type ArtifactOperation = "upload" | "download" | "list" | "delete";

/** Where an artifact error happened; every field is safe to print. */
export interface ArtifactErrorInit {
  operation: ArtifactOperation;
  /** Display form of the object or directory, e.g. `s3://mlflow/1/<run>/artifacts/model.bin`. */
  location: string;
  bucket?: string;
  key?: string;
  /** The store's error code, e.g. `AccessDenied`, or a system code such as `ECONNREFUSED`. */
  code?: string;
  /** HTTP status of the failed request, when there was one. */
  status?: number;
  /** A multipart upload that could not be aborted (its parts remain on the server). */
  uploadId?: string;
  retryable?: boolean;
  cause?: unknown;
}

/**
 * Base class of artifact transfer failures. The message says what failed, where, why, and the fix.
 *
 * @example
 * try { await client.artifacts.upload(runId, "model.onnx") }
 * catch (e) { if (e instanceof ArtifactError) console.error(e.operation, e.location, e.code) }
 */
export class ArtifactError extends MlflowError {
  readonly operation: ArtifactOperation;
  readonly location: string;
  readonly bucket: string | undefined;
  readonly key: string | undefined;
  readonly code: string | undefined;
  readonly status: number | undefined;
  readonly uploadId: string | undefined;

  constructor(message: string, init: ArtifactErrorInit) {
    super(message, { retryable: init.retryable ?? false, cause: init.cause });
    this.operation = init.operation;
    this.location = init.location;
    this.bucket = init.bucket;
    this.key = init.key;
    this.code = init.code;
    this.status = init.status;
    this.uploadId = init.uploadId;
  }
}

/** An upload failed; a multipart upload was aborted first (see {@link ArtifactError.uploadId} if not). */
export class ArtifactUploadError extends ArtifactError {}
/** A download (or the listing behind it) failed; no partial file is left in the destination. */
export class ArtifactDownloadError extends ArtifactError {}
/** The artifact store refused the credentials: unknown key id, wrong secret, expired token, clock skew, or none found. */
export class ArtifactCredentialsError extends ArtifactError {}
/** The credentials are valid but may not perform this operation on this bucket or object. */
export class ArtifactPermissionError extends ArtifactError {}
/** The bucket, object or artifact does not exist. */
export class ArtifactNotFoundError extends ArtifactError {}

/**
 * The run's artifact URI uses a scheme mlflow-ts cannot write to (e.g. `gs://`, `wasbs://`,
 * `dbfs:/`). Supported: `s3://`, `mlflow-artifacts:/`, `http(s)://…/api/2.0/mlflow-artifacts/artifacts/…`, `file:`.
 */
export class UnsupportedArtifactStoreError extends MlflowError {
  /** The scheme, e.g. `gs`. */
  readonly scheme: string;

  constructor(scheme: string, message: string) {
    super(message);
    this.scheme = scheme;
  }
}

/**
 * An artifact path was refused before any request: once percent-decoded as MLflow's server decodes
 * it, it has a `..` segment, is absolute, starts with a drive letter, or contains a backslash, a
 * control character, `#`, `;` or an empty segment (rule `proxy-decodes`: a legal name with `%XX`
 * that the tracking server's artifact proxy would change). In a directory transfer, an entry that
 * breaks a rule is skipped and reported by {@link IncompleteTransferError} instead.
 */
export class UnsafeArtifactPathError extends ValidationError {}

/** One entry a directory upload or download skipped, and why. */
export interface SkippedArtifact {
  /** Its artifact path (for an upload, the path the local file would have had). */
  path: string;
  /** The rule it broke, e.g. `parent-segment`, `fragment`, `proxy-decodes`, `outside-destination`. */
  rule: ValidationRule;
  /** The explanation, ending with a fix. */
  reason: string;
}

/**
 * A directory upload or download transferred every entry except those it had to skip: a name a
 * listing or a local folder holds that is no safe artifact path (`../x`, `a#b`), or one the
 * tracking server's artifact proxy would change. Thrown once the rest is done; nothing else was
 * aborted for them.
 *
 * @example
 * try { await client.artifacts.download(runId, "", "./out") }
 * catch (e) { if (e instanceof IncompleteTransferError) console.warn(e.skipped, "the rest is in", e.localPath) }
 */
export class IncompleteTransferError extends ArtifactError {
  /** The entries skipped, each with its rule and reason. */
  readonly skipped: SkippedArtifact[];
  /** Artifact paths that were transferred. */
  readonly transferred: string[];
  /** Bytes transferred. */
  readonly bytes: number;
  /** Where a download wrote the rest (`destDir/<path>`); `undefined` for uploads. */
  readonly localPath: string | undefined;

  constructor(init: {
    operation: "upload" | "download";
    location: string;
    skipped: SkippedArtifact[];
    transferred: string[];
    bytes: number;
    localPath?: string;
  }) {
    const verb = init.operation === "upload" ? "Uploaded" : "Downloaded";
    const shown = init.skipped.slice(0, SKIPPED_IN_MESSAGE).map((entry) => `${JSON.stringify(entry.path)} (${entry.reason})`);
    if (init.skipped.length > SKIPPED_IN_MESSAGE) shown.push(`… ${init.skipped.length - SKIPPED_IN_MESSAGE} more`);
    super(
      `${verb} ${init.transferred.length} of ${init.transferred.length + init.skipped.length} files (${init.location}); skipped ${init.skipped.length}: ${shown.join("; ")}`,
      { operation: init.operation, location: init.location, code: "Skipped" },
    );
    this.skipped = init.skipped;
    this.transferred = init.transferred;
    this.bytes = init.bytes;
    this.localPath = init.localPath;
  }
}

/** Skipped entries described in an {@link IncompleteTransferError}'s message; `skipped` has all. */
const SKIPPED_IN_MESSAGE = 5;

interface S3Rule {
  kind: typeof ArtifactError;
  explain: (ctx: { bucket?: string; operation: ArtifactOperation }) => string;
}

const CREDENTIALS_FIX = "Fix: check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the AWS profile) against the S3 server's users.";

/** What each S3 error code means and how to fix it. */
const S3_RULES: Record<string, S3Rule> = {
  AccessDenied: {
    kind: ArtifactPermissionError,
    explain: ({ bucket, operation }) =>
      `the credentials are valid but may not ${operation} in bucket "${bucket}". Fix: grant s3:PutObject, s3:GetObject, s3:ListBucket, s3:DeleteObject and s3:AbortMultipartUpload on that bucket to this access key.`,
  },
  AllAccessDisabled: {
    kind: ArtifactPermissionError,
    explain: ({ bucket }) => `all access to bucket "${bucket}" is disabled. Fix: ask the storage administrator.`,
  },
  NoSuchBucket: {
    kind: ArtifactNotFoundError,
    explain: ({ bucket }) =>
      `bucket "${bucket}" does not exist on this S3 server. Fix: create it, or check MLFLOW_S3_ENDPOINT_URL: the client must use the same S3 server as the tracking server.`,
  },
  NoSuchKey: { kind: ArtifactNotFoundError, explain: () => "the artifact does not exist. Fix: list the run's artifacts to check the path." },
  NotFound: { kind: ArtifactNotFoundError, explain: () => "the artifact does not exist. Fix: list the run's artifacts to check the path." },
  NoSuchUpload: {
    kind: ArtifactUploadError,
    explain: () => "the multipart upload no longer exists (aborted, or removed by a lifecycle rule). Fix: upload again.",
  },
  InvalidAccessKeyId: { kind: ArtifactCredentialsError, explain: () => `the S3 server does not know this access key id. ${CREDENTIALS_FIX}` },
  SignatureDoesNotMatch: {
    kind: ArtifactCredentialsError,
    explain: () => `the request signature does not match: the secret access key is wrong, or a proxy rewrites requests. ${CREDENTIALS_FIX}`,
  },
  RequestTimeTooSkewed: {
    kind: ArtifactCredentialsError,
    explain: () => "this machine's clock differs from the S3 server's by more than 15 minutes, so signatures are refused. Fix: synchronise the clock (NTP).",
  },
  ExpiredToken: {
    kind: ArtifactCredentialsError,
    explain: () => "the session token has expired. Fix: refresh the credentials (AWS_SESSION_TOKEN or the profile).",
  },
  InvalidToken: {
    kind: ArtifactCredentialsError,
    explain: () => "the session token is malformed or invalid. Fix: refresh the credentials (AWS_SESSION_TOKEN or the profile).",
  },
  CredentialsProviderError: {
    kind: ArtifactCredentialsError,
    explain: () =>
      "no AWS credentials were found. Fix: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, an AWS profile, or s3.credentials in the client options.",
  },
  AuthorizationHeaderMalformed: {
    kind: ArtifactCredentialsError,
    explain: () => "the S3 server expects another region. Fix: set AWS_DEFAULT_REGION to the bucket's region (us-east-1 for most MinIO-like servers).",
  },
  PermanentRedirect: {
    kind: ArtifactUploadError,
    explain: ({ bucket }) =>
      `bucket "${bucket}" lives in another region or endpoint. Fix: set AWS_DEFAULT_REGION to the bucket's region, or MLFLOW_S3_ENDPOINT_URL.`,
  },
  EntityTooLarge: { kind: ArtifactUploadError, explain: () => "the object or a part is larger than the server allows (5 GiB per part in S3)." },
  TooManyParts: { kind: ArtifactUploadError, explain: () => "the upload needs more than 10,000 parts. Fix: set s3.partSizeBytes larger." },
  NotImplemented: {
    kind: ArtifactUploadError,
    explain: () =>
      "the S3 server does not implement a feature this request used (often checksums). Fix: keep MLFLOW_TS_S3_CHECKSUM=WHEN_REQUIRED (the default).",
  },
};

const NETWORK_HINTS: Record<string, string> = {
  ECONNREFUSED: "nothing listens at the S3 endpoint. Fix: check MLFLOW_S3_ENDPOINT_URL and that the S3 server is running.",
  ENOTFOUND:
    "the S3 host name does not resolve. Fix: check MLFLOW_S3_ENDPOINT_URL; for MinIO-like servers keep path-style addressing (MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE=path or auto).",
  ECONNRESET: "the S3 server closed the connection.",
  ETIMEDOUT: "the S3 server did not answer in time.",
  EPIPE: "the S3 server closed the connection while the body was being sent.",
  DEPTH_ZERO_SELF_SIGNED_CERT:
    "the S3 server uses a self-signed certificate. Fix: set MLFLOW_S3_IGNORE_TLS=true (or trust its CA through NODE_EXTRA_CA_CERTS).",
  SELF_SIGNED_CERT_IN_CHAIN: "the S3 server's certificate is signed by a private CA. Fix: NODE_EXTRA_CA_CERTS=<ca.pem>, or MLFLOW_S3_IGNORE_TLS=true.",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the S3 server's certificate chain is unknown. Fix: NODE_EXTRA_CA_CERTS=<ca.pem>, or MLFLOW_S3_IGNORE_TLS=true.",
};

const GENERIC_BY_OPERATION: Record<ArtifactOperation, typeof ArtifactError> = {
  upload: ArtifactUploadError,
  download: ArtifactDownloadError,
  list: ArtifactError,
  delete: ArtifactError,
};

/** The parts of an AWS SDK error we read; everything else on it is dropped. */
interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown; attempts?: unknown };
  $retryable?: unknown;
}

/**
 * Turns an error thrown by the AWS SDK (or by the network under it) into an {@link ArtifactError}
 * subclass whose message names the operation, the location, the S3 code and the fix. The SDK
 * error itself is not kept: only its name, code and redacted message survive as `cause`.
 *
 * @param error - Whatever the SDK threw.
 * @param context - The operation and the object it concerned.
 * @example
 * catch (e) { throw artifactErrorFromS3(e, { operation: "upload", location: "s3://b/k", bucket: "b", key: "k" }) }
 * @internal
 */
export function artifactErrorFromS3(error: unknown, context: Omit<ArtifactErrorInit, "code" | "status" | "cause" | "retryable">): ArtifactError {
  if (error instanceof ArtifactError) return error;
  const sdk = (error ?? {}) as SdkErrorShape;
  const code = s3Code(sdk);
  const status = typeof sdk.$metadata?.httpStatusCode === "number" ? sdk.$metadata.httpStatusCode : undefined;
  const attempts = typeof sdk.$metadata?.attempts === "number" && sdk.$metadata.attempts > 1 ? `, after ${sdk.$metadata.attempts} attempts` : "";
  const rule = code === undefined ? undefined : S3_RULES[code];
  const network = code === undefined ? undefined : NETWORK_HINTS[code];
  const detail = rule?.explain({ bucket: context.bucket, operation: context.operation }) ?? network ?? describeMessage(sdk.message);
  const Kind = rule?.kind ?? GENERIC_BY_OPERATION[context.operation];
  const where = status === undefined ? "" : ` (HTTP ${status}${attempts})`;
  const message = `${capitalize(context.operation)} of ${context.location} failed: ${code ?? "error"}${where}: ${detail}`;
  const retryable = network !== undefined || (status !== undefined && status >= 500);
  return new Kind(message, { ...context, code, status, retryable, cause: error });
}

function s3Code(sdk: SdkErrorShape): string | undefined {
  for (const candidate of [sdk.Code, sdk.code, sdk.name]) {
    if (typeof candidate === "string" && candidate !== "Error" && candidate !== "S3ServiceException") return candidate;
  }
  return undefined;
}

function describeMessage(message: unknown): string {
  if (typeof message !== "string" || message === "" || message === "UnknownError") return "the S3 server gave no details.";
  return excerpt(message, 300);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
