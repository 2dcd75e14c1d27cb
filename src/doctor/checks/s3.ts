/**
 * The direct-S3 checks, each one step further than the last: `s3.endpoint` (something answers at
 * `MLFLOW_S3_ENDPOINT_URL`), `s3.credentials` (the server accepts the signature: unknown key and
 * wrong secret told apart) and `s3.bucket` (the experiment's bucket exists, may be listed, and is
 * in the configured region).
 */
import type { SetupContext } from "../context.js";
import { ProbeError, probeHttp } from "../http-probe.js";
import { type CheckDefinition, type CheckOutcome, fail, notApplicable, pass } from "../runner.js";
import {
  accessKeyLabel,
  describeCommonS3Failure,
  describeOtherS3Failure,
  isS3Failure,
  isTrackingServer,
  type S3Failure,
  s3EndpointOf,
  sendS3,
} from "../s3-calls.js";

function notDirect(context: SetupContext): CheckOutcome | undefined {
  const location = context.location;
  if (location?.kind === "s3") return undefined;
  if (location?.kind === "proxy") return notApplicable("Artifacts are proxied by the tracking server: this machine needs no S3 access.");
  if (location?.kind === "local") return notApplicable("Artifacts go to a local path: no S3 involved.");
  return notApplicable("No artifact location to check.");
}

/** The `s3.endpoint` check. @internal */
export const s3EndpointCheck: CheckDefinition<SetupContext> = {
  id: "s3.endpoint",
  title: "S3 endpoint reachable",
  needs: ["artifacts.mode"],
  calls: 1,
  async run(context, signal) {
    const skip = notDirect(context);
    if (skip) return skip;
    const endpoint = s3EndpointOf(context);
    const configured = context.config!.s3.endpointUrl !== undefined;
    if (configured && isTrackingServer(context, endpoint)) {
      return fail(
        `MLFLOW_S3_ENDPOINT_URL (${endpoint}) is the MLflow tracking server, not the S3 server.`,
        "Set MLFLOW_S3_ENDPOINT_URL to the S3 server's URL (e.g. http://minio:9000), the one the tracking server's --default-artifact-root bucket lives on.",
      );
    }
    const started = Date.now();
    try {
      const answer = await probeHttp(`${endpoint}/`, { timeoutMs: context.settings.timeoutMs, insecure: context.config!.s3.ignoreTls, signal });
      context.recordDate("S3 server", answer.date, started, Date.now());
      const server = answer.server ? ` (server: ${answer.server})` : "";
      const source = configured ? "" : " MLFLOW_S3_ENDPOINT_URL is not set, so this is AWS S3.";
      return pass(`${endpoint} answered HTTP ${answer.status}${server}.${source}`);
    } catch (error) {
      if (!(error instanceof ProbeError)) throw error;
      return s3Failure(context, { code: error.code, status: undefined, message: error.message, bucketRegion: undefined }, "reach the S3 server");
    }
  },
};

/** The `s3.credentials` check. @internal */
export const s3CredentialsCheck: CheckDefinition<SetupContext> = {
  id: "s3.credentials",
  title: "S3 credentials",
  needs: ["s3.endpoint"],
  calls: 1,
  async run(context, signal) {
    const skip = notDirect(context);
    if (skip) return skip;
    const key = accessKeyLabel(context);
    try {
      await sendS3(context, signal, (s3, abortSignal, sdk) => s3.send(new sdk.ListBucketsCommand({}), { abortSignal }));
      return pass(`The S3 server accepts access key ${key}: ListBuckets succeeded.`);
    } catch (error) {
      if (!isS3Failure(error)) throw error;
      if (error.code === "AccessDenied") {
        return pass(`The S3 server accepts access key ${key}; the key may not list all buckets (AccessDenied on ListBuckets), which runs do not need.`);
      }
      return s3Failure(context, error, "list buckets");
    }
  },
};

/** The `s3.bucket` check. @internal */
export const s3BucketCheck: CheckDefinition<SetupContext> = {
  id: "s3.bucket",
  title: "S3 bucket",
  needs: ["s3.credentials"],
  calls: 1,
  async run(context, signal) {
    const skip = notDirect(context);
    if (skip) return skip;
    const location = context.location as Extract<SetupContext["location"], { kind: "s3" }>;
    const { bucket, prefix } = location;
    const request = { Bucket: bucket, Prefix: prefix ? `${prefix}/` : undefined, MaxKeys: 1, ExpectedBucketOwner: context.config!.s3.expectedBucketOwner };
    try {
      await sendS3(context, signal, (s3, abortSignal, sdk) => s3.send(new sdk.ListObjectsV2Command(request), { abortSignal }));
      return pass(`Bucket "${bucket}" exists and access key ${accessKeyLabel(context)} may list it${prefix ? ` under "${prefix}/"` : ""}.`);
    } catch (error) {
      if (!isS3Failure(error)) throw error;
      if (error.code === "NoSuchBucket") return noSuchBucket(context, bucket);
      if (error.code === "AccessDenied") {
        return fail(
          `Access key ${accessKeyLabel(context)} may not list bucket "${bucket}" (AccessDenied).`,
          `Grant it s3:ListBucket on arn:aws:s3:::${bucket}, and s3:GetObject, s3:PutObject, s3:DeleteObject and s3:AbortMultipartUpload on arn:aws:s3:::${bucket}/* (MinIO: mc admin policy attach).`,
        );
      }
      return s3Failure(context, error, `list bucket "${bucket}"`);
    }
  },
};

function noSuchBucket(context: SetupContext, bucket: string): CheckOutcome {
  const endpoint = context.config!.s3.endpointUrl;
  const create = endpoint
    ? `aws --endpoint-url ${endpoint} s3 mb s3://${bucket} (or, with MinIO's client: mc mb <alias>/${bucket})`
    : `aws s3 mb s3://${bucket} --region ${context.config!.s3.region}`;
  return fail(
    `Bucket "${bucket}" (from the experiment's artifact location ${context.location?.uri}) does not exist on ${s3EndpointOf(context)} (NoSuchBucket).`,
    `Create it: ${create}. If it should exist, check that MLFLOW_S3_ENDPOINT_URL is the S3 server the tracking server writes to (its --default-artifact-root).`,
  );
}

/** Explains an S3 failure; shared by the S3 checks and the artifact probes. @internal */
export function s3Failure(context: SetupContext, failure: S3Failure, action: string): CheckOutcome {
  const { detail, hint } = describeCommonS3Failure(failure, context, action) ?? describeOtherS3Failure(failure, action);
  return fail(detail, hint);
}
