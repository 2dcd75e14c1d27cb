/**
 * The artifact probes, under `<experiment artifact location>/mlflow-ts-doctor/`:
 * `artifacts.proxy` (the tracking server serves artifacts and can reach its own store),
 * `artifacts.write` (write, read back and delete a small object, through the same store runs use),
 * `artifacts.multipart` (create a multipart upload, upload one part, abort it — directly in S3, or
 * through the server's presigned parts when proxied).
 */

import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import type { CreateMultipartUploadCommandInput } from "@aws-sdk/client-s3";
import { z } from "zod";
import type { ArtifactStore } from "../../artifacts/artifact-store.js";
import { ArtifactStores } from "../../artifacts/artifact-stores.js";
import { type ArtifactLocation, joinArtifactPath } from "../../artifacts/artifact-uri.js";
import { ArtifactError } from "../../artifacts/errors.js";
import { proxyTransferModeOf } from "../../artifacts/proxy-transfer-mode.js";
import { messageOf } from "../../core/error-text.js";
import { AbortError, ConnectionError, MlflowApiError, TimeoutError } from "../../core/errors.js";
import type { HttpRequest } from "../../core/http/transport.js";
import { PROBE_FOLDER, type SetupContext } from "../context.js";
import { describeNetworkFailure, describeTrackingFailure, splitFix } from "../failures.js";
import { type CheckDefinition, type CheckOutcome, fail, notApplicable, pass, warn } from "../runner.js";
import { accessKeyLabel, describeCommonS3Failure, isS3Failure, sendS3 } from "../s3-calls.js";
import { s3Failure } from "./s3.js";

/** Largest body read back from a probe object. */
const MAX_READ_BACK_BYTES = 64 * 1024;
const MPU_PATH = "/api/2.0/mlflow-artifacts/mpu";

const mpuCreateSchema = z.object({
  upload_id: z.string().min(1),
  credentials: z.array(z.object({ url: z.string().min(1), headers: z.record(z.string(), z.string()).default({}) })).min(1),
});

/** The `artifacts.proxy` check. @internal */
export const artifactProxyCheck: CheckDefinition<SetupContext> = {
  id: "artifacts.proxy",
  title: "Artifact proxy",
  needs: ["artifacts.mode"],
  calls: 1,
  async run(context, signal) {
    const location = context.location;
    if (location?.kind !== "proxy") return notApplicable(`Artifacts are not proxied (${location ? `mode ${location.kind}` : "no artifact location"}).`);
    try {
      await (await storeFor(context)).list(PROBE_FOLDER, context.callOptions(signal));
      return pass(`The tracking server serves artifacts and lists its artifact store (${location.uri}/${PROBE_FOLDER}).`);
    } catch (error) {
      return proxyFailure(context, error, `list ${location.uri}/${PROBE_FOLDER}`);
    }
  },
};

function proxyFailure(context: SetupContext, error: unknown, action: string): CheckOutcome {
  if (error instanceof AbortError) throw error;
  if (error instanceof MlflowApiError && error.status === 503) {
    return fail(
      `The experiment's artifacts are proxied (mlflow-artifacts:), but the server does not serve them (HTTP 503: ${error.serverMessage}).`,
      "Restart the server with --serve-artifacts (and --artifacts-destination s3://<bucket>), or use an experiment whose artifact_location is s3://….",
    );
  }
  if (error instanceof MlflowApiError && error.status === 500) {
    return fail(
      `The tracking server could not ${action} in its own artifact store (HTTP 500: ${error.serverMessage}).`,
      "The server cannot reach its artifact store: check its --artifacts-destination, and MLFLOW_S3_ENDPOINT_URL and AWS_* in the server's environment; its log has the details.",
    );
  }
  const { detail, hint } = describeTrackingFailure(error, context.config!, action, context.settings.timeoutMs);
  return fail(detail, hint);
}

/** The `artifacts.write` check. @internal */
export const artifactWriteCheck: CheckDefinition<SetupContext> = {
  id: "artifacts.write",
  title: "Artifact write/read/delete",
  needs: ["s3.bucket", "artifacts.proxy"],
  calls: 3,
  async run(context, signal) {
    if (!context.settings.write) return notApplicable("Write probes are off (--no-write).");
    if (!context.location) return notApplicable("No artifact location to probe.");
    const store = await storeFor(context);
    // The probe file sits in a directory of its own, and the directory is what is deleted: MLflow
    // 2.20's artifact proxy deletes only what is under a directory, never a single file.
    const folder = `${PROBE_FOLDER}/probe-${randomUUID()}`;
    const file = `${folder}/probe.txt`;
    const content = Buffer.from(`mlflow-ts doctor probe, written ${new Date().toISOString()}; safe to delete.\n`);
    const where = `${store.location}/${file}`;
    const options = context.callOptions(signal);
    try {
      await store.upload({ kind: "bytes", data: content }, file, options);
    } catch (error) {
      // A write that timed out may still land: remove it, as far as the store lets us.
      await store.delete(folder, options).catch(() => undefined);
      return artifactFailure(context, error, `write ${where}`);
    }
    try {
      const opened = await store.open(file, options);
      const read = await readLimited(opened.stream);
      if (!read.equals(content)) {
        return fail(
          `Read back ${read.length} bytes from ${where}, not the ${content.length} written.`,
          "Something between this machine and the store changes objects (a proxy, an encoding rule): check the store's configuration.",
        );
      }
    } catch (error) {
      await store.delete(folder, options).catch(() => undefined);
      return artifactFailure(context, error, `read back ${where}`);
    }
    try {
      await store.delete(folder, options);
    } catch (error) {
      const { detail, hint } = diagnose(context, error, `delete ${where}`);
      return warn(`Wrote and read back ${where}, but ${lowerFirst(detail)} Runs can log artifacts; deleting them (mlflow gc) will fail.`, hint);
    }
    return pass(`Wrote, read back and deleted ${where} (${content.length} bytes).`);
  },
};

/** The `artifacts.multipart` check. @internal */
export const artifactMultipartCheck: CheckDefinition<SetupContext> = {
  id: "artifacts.multipart",
  title: "Multipart upload",
  needs: ["artifacts.write"],
  calls: 3,
  async run(context, signal) {
    if (!context.settings.write) return notApplicable("Write probes are off (--no-write).");
    const location = context.location;
    if (location?.kind === "s3") return s3Multipart(context, location, signal);
    if (location?.kind === "proxy") return proxyMultipart(context, location, signal);
    return notApplicable("Local artifact stores have no multipart uploads.");
  },
};

async function s3Multipart(context: SetupContext, location: Extract<ArtifactLocation, { kind: "s3" }>, signal: AbortSignal): Promise<CheckOutcome> {
  const settings = context.config!.s3;
  const key = joinArtifactPath(location.prefix, PROBE_FOLDER, `multipart-${randomUUID()}.bin`);
  const where = `s3://${location.bucket}/${key}`;
  const input = {
    ...(settings.uploadExtraArgs as Partial<CreateMultipartUploadCommandInput>),
    Bucket: location.bucket,
    Key: key,
    ContentType: "application/octet-stream",
    ExpectedBucketOwner: settings.expectedBucketOwner,
  };
  let uploadId: string | undefined;
  try {
    const created = await sendS3(context, signal, (s3, abortSignal, sdk) => s3.send(new sdk.CreateMultipartUploadCommand(input), { abortSignal }));
    uploadId = created.UploadId;
    if (!uploadId)
      return fail(
        `The S3 server answered CreateMultipartUpload for ${where} without an UploadId.`,
        "The S3 server does not implement multipart uploads correctly; large artifacts will fail.",
      );
    const part = {
      Bucket: location.bucket,
      Key: key,
      UploadId: uploadId,
      PartNumber: 1,
      Body: Buffer.alloc(1024, 0x2a),
      ExpectedBucketOwner: settings.expectedBucketOwner,
    };
    await sendS3(context, signal, (s3, abortSignal, sdk) => s3.send(new sdk.UploadPartCommand(part), { abortSignal }));
  } catch (error) {
    if (uploadId) await abortS3(context, location.bucket, key, uploadId, signal).catch(() => undefined);
    if (!isS3Failure(error)) throw error;
    return s3Failure(context, error, `${uploadId ? "upload a part to" : "start a multipart upload of"} ${where}`);
  }
  const aborted = await abortS3(context, location.bucket, key, uploadId, signal).then(
    () => undefined,
    (error: unknown) => error,
  );
  if (aborted !== undefined) {
    if (!isS3Failure(aborted)) throw aborted;
    const common = describeCommonS3Failure(aborted, context, `abort the multipart upload of ${where}`);
    return fail(
      common?.detail ?? `Could not abort the multipart upload of ${where} (${aborted.code ?? `HTTP ${aborted.status}`}): its part stays in the bucket.`,
      common?.hint ??
        `Grant access key ${accessKeyLabel(context)} s3:AbortMultipartUpload on the bucket (failed uploads would otherwise leave parts behind), then remove this one: aws s3api abort-multipart-upload --bucket ${location.bucket} --key ${key} --upload-id ${uploadId}.`,
    );
  }
  return pass(`Created a multipart upload at ${where}, uploaded one part and aborted it.`);
}

async function abortS3(context: SetupContext, bucket: string, key: string, uploadId: string, signal: AbortSignal): Promise<void> {
  const input = { Bucket: bucket, Key: key, UploadId: uploadId, ExpectedBucketOwner: context.config!.s3.expectedBucketOwner };
  await sendS3(context, signal, (s3, abortSignal, sdk) => s3.send(new sdk.AbortMultipartUploadCommand(input), { abortSignal }));
}

/**
 * The server's multipart API: `mpu/create` for one part, a PUT of that part to its presigned URL
 * (straight to the server's S3, without MLflow credentials), then `mpu/abort`.
 */
async function proxyMultipart(context: SetupContext, location: Extract<ArtifactLocation, { kind: "proxy" }>, signal: AbortSignal): Promise<CheckOutcome> {
  const transport = context.transport!;
  const directory = joinArtifactPath(location.root, PROBE_FOLDER);
  const name = `multipart-${randomUUID()}.bin`;
  const where = `${location.uri}/${PROBE_FOLDER}/${name}`;
  const options = context.callOptions(signal);
  const mode = await proxyTransferModeOf(context.config!.artifacts.proxyMultipartUpload, context.client!.server, options);
  const enabled = mode.multipart || mode.presignedOnly;
  if (context.serverInfo?.multipart_uploads_enabled === false) return multipartUnsupported(enabled, "its /api/3.0/mlflow/server-info says so");
  let created: z.infer<typeof mpuCreateSchema>;
  try {
    const request = mpuRequest(location, transport.baseUrl, "create", directory, { path: name, num_parts: 1 });
    created = await transport.request(request, options, (res) => mpuCreateSchema.parse(JSON.parse(String(res.body))));
  } catch (error) {
    if (error instanceof MlflowApiError && (error.status === 501 || /not supported/i.test(error.serverMessage))) {
      return multipartUnsupported(enabled, `HTTP ${error.status}: ${error.serverMessage}`);
    }
    return proxyFailure(context, error, `start a multipart upload of ${where}`);
  }
  const part = created.credentials[0]!;
  const body = Buffer.alloc(1024, 0x2a);
  const partFailure = await transport
    .request(
      { method: "PUT", path: "", url: part.url, headers: { ...part.headers, "Content-Length": String(body.length) }, body: () => body, retry: "idempotent" },
      options,
      () => undefined,
    )
    .then(
      () => undefined,
      (error: unknown) => error,
    );
  const abortFailure = await transport
    .request(mpuRequest(location, transport.baseUrl, "abort", directory, { path: name, upload_id: created.upload_id }), options, () => undefined)
    .then(
      () => undefined,
      (error: unknown) => error,
    );
  if (partFailure !== undefined) return presignedPartFailure(context, partFailure, part.url, enabled);
  if (abortFailure !== undefined) return proxyFailure(context, abortFailure, `abort the multipart upload of ${where}`);
  return pass(`Started a multipart upload of ${where} through the server, sent one part to its presigned URL (${new URL(part.url).origin}) and aborted it.`);
}

function mpuRequest(
  location: Extract<ArtifactLocation, { kind: "proxy" }>,
  trackingBaseUrl: string,
  action: "create" | "abort",
  directory: string,
  json: unknown,
): HttpRequest {
  const path = `${MPU_PATH}/${action}/${directory.split("/").map(encodeURIComponent).join("/")}`;
  const request: HttpRequest = { method: "POST", path, json, retry: "idempotent" };
  return location.serverUrl === trackingBaseUrl ? request : { ...request, url: `${location.serverUrl}${path}` };
}

function multipartUnsupported(enabled: boolean, evidence: string): CheckOutcome {
  const detail = `The server cannot do multipart uploads for its artifact destination (${evidence}); files go as one PUT each.`;
  if (!enabled) return pass(`${detail} Not needed: MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD is off.`);
  return warn(
    detail,
    "Nothing breaks (uploads fall back to one PUT); for multi-GiB files point the server's --artifacts-destination at S3, GCS or Azure Blob.",
  );
}

/** A part URL the server presigned for its own S3 endpoint may not be reachable from here. */
function presignedPartFailure(context: SetupContext, error: unknown, url: string, enabled: boolean): CheckOutcome {
  const origin = new URL(url).origin;
  const network =
    error instanceof TimeoutError || error instanceof ConnectionError
      ? describeNetworkFailure(
          error instanceof TimeoutError ? "ETIMEDOUT" : error.code,
          { name: "the S3 server", url: origin, variable: "the server's MLFLOW_S3_ENDPOINT_URL" },
          context.settings.timeoutMs,
        )
      : { detail: `The S3 server refused the part: ${messageOf(error)}`, hint: "" };
  const detail = `Proxied multipart sends parts straight to the S3 address the server presigned (${origin}), and that failed: ${network.detail}`;
  const hint = `Make ${origin} reachable from clients (the tracking server's MLFLOW_S3_ENDPOINT_URL must be an address clients can use), or leave MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD off (the default) so uploads go through the server.`;
  return enabled ? fail(detail, hint) : warn(`${detail} Not used now: MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD is off.`, hint);
}

/**
 * The store runs of the experiment use, built on the doctor's client (short timeouts, no retries)
 * and its own S3 client (it records `Date` headers).
 */
async function storeFor(context: SetupContext): Promise<ArtifactStore> {
  const location = context.location!;
  const s3 = location.kind === "s3" ? await context.s3() : undefined;
  return new ArtifactStores(context.client!.config, context.transport, s3, context.client!.server).forLocation(location);
}

function artifactFailure(context: SetupContext, error: unknown, action: string): CheckOutcome {
  const { detail, hint } = diagnose(context, error, action);
  return fail(detail, hint);
}

/** Explains a failed store call: S3 codes as the S3 checks do, proxy answers as the proxy check does. */
function diagnose(context: SetupContext, error: unknown, action: string): { detail: string; hint: string } {
  if (error instanceof AbortError) throw error;
  if (error instanceof ArtifactError && context.location?.kind === "s3") {
    const failure = { code: error.code, status: error.status, message: error.message, bucketRegion: undefined };
    const common = describeCommonS3Failure(failure, context, action);
    if (common) return common;
    if (error.code === "AccessDenied") {
      return {
        detail: `Access key ${accessKeyLabel(context)} may not ${action} (AccessDenied).`,
        hint: `Grant it s3:PutObject, s3:GetObject and s3:DeleteObject on arn:aws:s3:::${context.location.bucket}/*.`,
      };
    }
  }
  if (error instanceof ArtifactError || !(error instanceof MlflowApiError || error instanceof ConnectionError || error instanceof TimeoutError)) {
    return splitFix(`Could not ${action}: ${messageOf(error)}`, "Check the artifact store's configuration and permissions.");
  }
  const outcome = proxyFailure(context, error, action);
  return { detail: outcome.detail, hint: outcome.hint ?? "" };
}

async function readLimited(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    chunks.push(buffer);
    size += buffer.length;
    if (size > MAX_READ_BACK_BYTES) break;
  }
  stream.destroy();
  return Buffer.concat(chunks);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
