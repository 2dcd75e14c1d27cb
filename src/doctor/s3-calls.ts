/**
 * S3 calls of the setup checks: one call with the check's timeout, what its failure says (code,
 * status, the bucket's real region), and how to explain the failures every S3 check can meet —
 * network, unknown key, wrong secret, clock, region — with the variable to fix.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { loadS3Runtime, type S3Runtime } from "../artifacts/s3/lazy-s3.js";
import { LinkedAbort } from "../core/signals.js";
import type { SetupContext } from "./context.js";
import { type Diagnosis, describeNetworkFailure } from "./failures.js";

/** What a failed S3 call says, and nothing else of the SDK error (which carries request details). */
export interface S3Failure {
  /** S3 error code (`NoSuchBucket`, `SignatureDoesNotMatch`…) or system code (`ECONNREFUSED`, `ETIMEDOUT`). */
  code: string | undefined;
  status: number | undefined;
  message: string;
  /** The bucket's region, when the server said (`x-amz-bucket-region`, or `Region` in the error body). */
  bucketRegion: string | undefined;
}

/** Fix for TLS trust problems towards the S3 server. */
const S3_TLS_FIX = "NODE_EXTRA_CA_CERTS=<ca.pem> (or MLFLOW_S3_IGNORE_TLS=true, for tests only)";

/**
 * Makes one S3 call with the check's signal and the per-call timeout (the client itself does not
 * retry: the doctor's configuration has no retries).
 *
 * @param call - Sends one command with the given client and signal; `sdk` holds the command classes
 *   (loaded with the S3 store at the first S3 call, see artifacts/s3/lazy-s3.ts).
 * @throws {S3Failure} — a plain object, never the SDK error.
 * @example
 * await sendS3(context, signal, (s3, abortSignal, sdk) => s3.send(new sdk.ListBucketsCommand({}), { abortSignal }));
 * @internal
 */
export async function sendS3<T>(
  context: SetupContext,
  signal: AbortSignal,
  call: (s3: S3Client, abortSignal: AbortSignal, sdk: S3Runtime) => Promise<T>,
): Promise<T> {
  const link = new LinkedAbort(signal);
  link.abortAfter(context.settings.timeoutMs, "timeout");
  try {
    const sdk = await loadS3Runtime();
    return await call(await context.s3(), link.signal, sdk);
  } catch (error) {
    throw toFailure(error, link.cause);
  } finally {
    link.dispose();
  }
}

/** Whether `value` is what {@link sendS3} throws. @internal */
export function isS3Failure(value: unknown): value is S3Failure {
  return typeof value === "object" && value !== null && "bucketRegion" in value && "message" in value && !(value instanceof Error);
}

interface SdkErrorShape {
  name?: unknown;
  Code?: unknown;
  code?: unknown;
  message?: unknown;
  Region?: unknown;
  Endpoint?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $response?: { headers?: Record<string, string | undefined> };
}

function toFailure(error: unknown, cause: string | undefined): S3Failure {
  const sdk = (error ?? {}) as SdkErrorShape;
  const status = typeof sdk.$metadata?.httpStatusCode === "number" ? sdk.$metadata.httpStatusCode : undefined;
  const message = typeof sdk.message === "string" ? sdk.message : String(error);
  if (cause === "timeout" || sdk.name === "TimeoutError") return { code: "ETIMEDOUT", status, message, bucketRegion: undefined };
  const code = [sdk.Code, sdk.code, sdk.name].find((value): value is string => typeof value === "string" && value !== "Error" && value !== "UnknownError");
  return { code, status, message, bucketRegion: regionOf(sdk) };
}

function regionOf(sdk: SdkErrorShape): string | undefined {
  const header = sdk.$response?.headers?.["x-amz-bucket-region"];
  if (header) return header;
  if (typeof sdk.Region === "string" && sdk.Region) return sdk.Region;
  const endpoint = typeof sdk.Endpoint === "string" ? sdk.Endpoint : "";
  return (
    /s3[.-]([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws/.exec(endpoint)?.[1] ?? /expecting '([^']+)'/.exec(typeof sdk.message === "string" ? sdk.message : "")?.[1]
  );
}

/** The S3 endpoint in use, safe to print. @internal */
export function s3EndpointOf(context: SetupContext): string {
  const s3 = context.config!.s3;
  return s3.endpointUrl ?? `https://s3.${s3.region}.amazonaws.com`;
}

/**
 * The access key in use, as the AWS CLI shows it (last four characters), and where it comes from.
 * @internal
 */
export function accessKeyLabel(context: SetupContext): string {
  const s3 = context.config!.s3;
  const id = s3.credentials?.accessKeyId;
  if (id === undefined) return "from the AWS default chain (AWS_PROFILE, SSO, instance role…)";
  return `…${id.slice(-4)} (${s3.credentialsSource})`;
}

/**
 * Explains the failures any S3 call can meet; undefined for the codes the calling check explains
 * itself (`NoSuchBucket`, `AccessDenied`…).
 *
 * @param action - What was attempted, e.g. `list bucket "mlflow"`.
 * @internal
 */
export function describeCommonS3Failure(failure: S3Failure, context: SetupContext, action: string): Diagnosis | undefined {
  const endpoint = s3EndpointOf(context);
  const key = accessKeyLabel(context);
  const region = context.config!.s3.region;
  const target = { name: "the S3 server", url: endpoint, variable: "MLFLOW_S3_ENDPOINT_URL" };
  switch (failure.code) {
    case "InvalidAccessKeyId":
      return {
        detail: `The S3 server ${endpoint} does not know access key ${key} (InvalidAccessKeyId).`,
        hint: `Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to a key of that S3 server; a key of another server or AWS account is unknown there (check MLFLOW_S3_ENDPOINT_URL too).`,
      };
    case "SignatureDoesNotMatch":
      return {
        detail: `The S3 server knows access key ${key} but rejects the request signature (SignatureDoesNotMatch): the secret key does not belong to that key.`,
        hint: "Set AWS_SECRET_ACCESS_KEY to the secret of that access key. If it is right, a proxy in front of the S3 server may rewrite the Host header or path, or the server needs path-style addressing (MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE=path).",
      };
    case "RequestTimeTooSkewed":
      return {
        detail: "The S3 server refuses signed requests because this machine's clock differs from its own by more than 15 minutes (RequestTimeTooSkewed).",
        hint: "Synchronise this machine's clock (NTP: timedatectl set-ntp true, or chronyc makestep).",
      };
    case "ExpiredToken":
    case "InvalidToken":
    case "TokenRefreshRequired":
      return {
        detail: `The session token of access key ${key} is expired or invalid (${failure.code}).`,
        hint: "Refresh the credentials: a new AWS_SESSION_TOKEN, or aws sso login for a profile.",
      };
    case "CredentialsProviderError":
      return {
        detail: "No AWS credentials were found for the S3 server.",
        hint: "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), as the MLflow Python client reads them.",
      };
    case "AuthorizationHeaderMalformed":
    case "PermanentRedirect":
    case "301":
      return wrongRegion(failure, action, region);
  }
  if (failure.status === 301) return wrongRegion(failure, action, region);
  if (failure.status === undefined) {
    const diagnosis = describeNetworkFailure(failure.code, target, context.settings.timeoutMs, S3_TLS_FIX);
    if (context.config!.s3.endpointUrl) return diagnosis;
    return {
      ...diagnosis,
      hint: `${diagnosis.hint} If the bucket is on MinIO, SeaweedFS, Ceph or another S3-compatible server, set MLFLOW_S3_ENDPOINT_URL=http://<host>:<port>.`,
    };
  }
  return undefined;
}

function wrongRegion(failure: S3Failure, action: string, region: string): Diagnosis {
  const where = failure.bucketRegion ? `region ${failure.bucketRegion}` : "another region";
  return {
    detail: `Could not ${action}: the bucket is in ${where}, not ${region} (${failure.code ?? `HTTP ${failure.status}`}: S3 redirects or refuses requests signed for the wrong region).`,
    hint: `Set AWS_DEFAULT_REGION=${failure.bucketRegion ?? "<the bucket's region>"} (or AWS_REGION).`,
  };
}

/** The generic explanation of an S3 failure no rule covers. @internal */
export function describeOtherS3Failure(failure: S3Failure, action: string): Diagnosis {
  const what = [failure.code, failure.status === undefined ? undefined : `HTTP ${failure.status}`].filter(Boolean).join(", ");
  return {
    detail: `Could not ${action} (${what || "error"}): ${failure.message}`,
    hint: "The S3 server's log has the details; check MLFLOW_S3_ENDPOINT_URL and the AWS_* variables.",
  };
}

/** True when `endpoint` is the tracking server itself (a common mix-up). @internal */
export function isTrackingServer(context: SetupContext, endpoint: string): boolean {
  const tracking = context.config!.tracking;
  if (tracking.kind !== "rest") return false;
  try {
    return new URL(endpoint).origin === new URL(tracking.baseUrl).origin;
  } catch {
    return false;
  }
}
