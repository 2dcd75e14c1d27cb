/**
 * checkSetup on the real stack: the healthy direct, proxied and basic-auth servers pass every
 * check (and leave nothing behind), and each broken configuration fails at the expected check,
 * with a useful hint, every later check skipped, and no secret in the report.
 */

import { randomUUID } from "node:crypto";
import net from "node:net";
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSetup } from "../../src/doctor/check-setup.js";
import type { CheckId, CheckSetupOptions, SetupReport } from "../../src/doctor/types.js";
import { MlflowClient } from "../../src/index.js";
import { serverLacks } from "../../src/protocol/server-features.js";
import { inspectionS3, openMultipartUploads, stackClientEnv, stackEnv } from "./artifacts-support.js";
import { directBucketPattern, type StackServer, stackClient, stackServerVersion } from "./support/stack.js";

/** A loopback server that accepts connections and never answers. */
class SilentServer {
  readonly #server = net.createServer((socket) => this.#sockets.push(socket));
  readonly #sockets: net.Socket[] = [];

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.#server.address() as net.AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function doctor(env: Record<string, string>, options: CheckSetupOptions = {}): Promise<SetupReport> {
  return checkSetup({ experimentName: `doctor-${randomUUID()}`, ...options, client: { env } });
}

function check(report: SetupReport, id: CheckId) {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
}

/** `id` failed with a hint matching `hint`; nothing before it failed; everything after it was skipped. */
function expectFailureAt(report: SetupReport, id: CheckId, detail: RegExp, hint: RegExp): void {
  const index = report.checks.findIndex((c) => c.id === id);
  const failed = report.checks[index]!;
  expect({ id: failed.id, status: failed.status }).toEqual({ id, status: "fail" });
  expect(failed.detail).toMatch(detail);
  expect(failed.hint).toMatch(hint);
  expect(report.checks.slice(0, index).filter((c) => c.status === "fail")).toEqual([]);
  expect(report.checks.slice(index + 1).map((c) => [c.id, c.status])).toEqual(report.checks.slice(index + 1).map((c) => [c.id, "skip"]));
  expect(report.ok).toBe(false);
}

/** Keys left under `prefix` in `bucket`. */
async function keysUnder(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (listed.Contents ?? []).map((object) => object.Key ?? "");
}

const directEnv = (): Record<string, string> => stackClientEnv(stackEnv("MLFLOW_TRACKING_URI"));
const authEnv = (user: string, password: string): Record<string, string> => ({
  ...stackClientEnv(stackEnv("STACK_AUTH_URI")),
  MLFLOW_TRACKING_USERNAME: user,
  MLFLOW_TRACKING_PASSWORD: password,
});

let s3: S3Client;
beforeAll(() => {
  s3 = inspectionS3();
});
afterAll(() => {
  s3.destroy();
});

/**
 * Checks that do not apply on `server`'s MLflow version, as [id, "skip"] in the report's order: the
 * workspace check before MLflow 3.10 (no workspaces there, none configured). The version comes
 * from the client (`client.server.version()`, checked against the stack's).
 */
async function skippedByVersion(server: StackServer): Promise<[CheckId, "skip"][]> {
  const client = stackClient(server);
  try {
    return serverLacks(await stackServerVersion(client), "workspaces") ? [["workspace", "skip"]] : [];
  } finally {
    await client.close();
  }
}

describe("healthy stacks pass every check", () => {
  it("direct S3: every check passes (the proxy check does not apply), and no probe object or multipart upload is left", async () => {
    const report = await doctor(directEnv(), { roundTrip: true });
    expect(report.checks.filter((c) => c.status !== "pass").map((c) => [c.id, c.status])).toEqual([
      ...(await skippedByVersion("direct")),
      ["artifacts.proxy", "skip"],
    ]);
    expect(report.ok).toBe(true);
    expect(check(report, "artifacts.mode").detail).toMatch(new RegExp(`^Direct S3: runs upload to bucket "${directBucketPattern()}"`));
    const experimentId = /id (\d+)/.exec(check(report, "experiment").detail)![1]!;
    expect(await keysUnder(s3, stackEnv("STACK_BUCKET_DIRECT"), `${experimentId}/`)).toEqual([]);
    expect(await openMultipartUploads(s3, stackEnv("STACK_BUCKET_DIRECT"), `${experimentId}/`)).toEqual([]);
  });

  it("proxied, with no S3 endpoint nor AWS credentials on this machine: every check that applies passes, through the server", async () => {
    const env = { MLFLOW_TRACKING_URI: stackEnv("STACK_PROXIED_URI"), HOME: "/nonexistent-mlflow-ts-test-home" };
    const report = await doctor(env, { roundTrip: true });
    expect(report.checks.filter((c) => c.status !== "pass").map((c) => [c.id, c.status])).toEqual([
      ...(await skippedByVersion("proxied")),
      ["s3.endpoint", "skip"],
      ["s3.credentials", "skip"],
      ["s3.bucket", "skip"],
    ]);
    expect(check(report, "artifacts.mode").detail).toMatch(/^Proxied: artifacts go through the tracking server \(mlflow-artifacts:\/\d+/);
    expect(check(report, "artifacts.multipart").detail).toMatch(/sent one part to its presigned URL/);
    const experimentId = /id (\d+)/.exec(check(report, "experiment").detail)![1]!;
    expect(await keysUnder(s3, stackEnv("STACK_BUCKET_PROXIED"), `${experimentId}/`)).toEqual([]);
    expect(await openMultipartUploads(s3, stackEnv("STACK_BUCKET_PROXIED"), `${experimentId}/`)).toEqual([]);
  });

  it("basic auth as admin: every check passes", async () => {
    const report = await doctor(authEnv(stackEnv("STACK_AUTH_ADMIN_USER"), stackEnv("STACK_AUTH_ADMIN_PASSWORD")), { roundTrip: true });
    expect(report.checks.filter((c) => c.status !== "pass").map((c) => c.id)).toEqual(["artifacts.proxy"]);
    expect(check(report, "auth").detail).toBe(`Searched experiments as user "${stackEnv("STACK_AUTH_ADMIN_USER")}".`);
  });

  it("--no-write probes without writing: a missing experiment is not created", async () => {
    const name = `doctor-readonly-${randomUUID()}`;
    const report = await doctor(directEnv(), { experimentName: name, write: false });
    expect(report.ok).toBe(true);
    expect(check(report, "experiment").status).toBe("warn");
    expect(check(report, "s3.bucket").status).toBe("pass");
    expect(["permission", "artifacts.write", "artifacts.multipart"].map((id) => check(report, id as CheckId).detail)).toEqual([
      "Write probes are off (--no-write).",
      "Write probes are off (--no-write).",
      "Write probes are off (--no-write).",
    ]);
    const client = new MlflowClient({ env: directEnv() });
    expect(await client.experiments.getByName(name)).toBeUndefined();
    await client.close();
  });
});

describe("each broken configuration fails at its check, with a hint, and skips the rest", () => {
  const silent = new SilentServer();
  let silentUrl: string;
  beforeAll(async () => {
    silentUrl = await silent.start();
  });
  afterAll(async () => {
    await silent.stop();
  });

  it("wrong port: server.reachable, connection refused", async () => {
    const uri = `http://127.0.0.1:${await closedPort()}`;
    const report = await doctor({ ...directEnv(), MLFLOW_TRACKING_URI: uri });
    expectFailureAt(
      report,
      "server.reachable",
      /Connection refused by the tracking server at http:\/\/127\.0\.0\.1:\d+/,
      /Check MLFLOW_TRACKING_URI \(now http:\/\/127\.0\.0\.1:\d+\)/,
    );
  });

  it("a tracking server that accepts connections and never answers: server.reachable, after one short timeout", async () => {
    const report = await doctor({ ...directEnv(), MLFLOW_TRACKING_URI: silentUrl });
    expectFailureAt(report, "server.reachable", /No answer from the tracking server at .* within 5 s/, /accepts it and never answers/);
  });

  it("an S3 endpoint that accepts connections and never answers: s3.endpoint", async () => {
    const report = await doctor({ ...directEnv(), MLFLOW_S3_ENDPOINT_URL: silentUrl });
    expectFailureAt(report, "s3.endpoint", /No answer from the S3 server at .* within 5 s/, /Check MLFLOW_S3_ENDPOINT_URL/);
  });

  it("an s3:// MLFLOW_S3_ENDPOINT_URL: config", async () => {
    const report = await doctor({ ...directEnv(), MLFLOW_S3_ENDPOINT_URL: "s3://mlflow" });
    expectFailureAt(report, "config", /must be the http\(s\) URL of the S3 server, not an s3:\/\/ bucket URI/, /MLFLOW_S3_ENDPOINT_URL=http:\/\/minio:9000/);
  });

  it("wrong password on the basic-auth server: auth (401), naming the user, never the password", async () => {
    const canary = `pw-canary-${randomUUID()}`;
    const report = await doctor(authEnv(stackEnv("STACK_AUTH_ADMIN_USER"), canary));
    expectFailureAt(report, "auth", /HTTP 401/, new RegExp(`MLFLOW_TRACKING_PASSWORD for user "${stackEnv("STACK_AUTH_ADMIN_USER")}"`));
    expect(JSON.stringify(report)).not.toContain(canary);
  });

  it("a read-only user on an experiment it does not own: permission (403)", async () => {
    const admin = new MlflowClient({ env: authEnv(stackEnv("STACK_AUTH_ADMIN_USER"), stackEnv("STACK_AUTH_ADMIN_PASSWORD")) });
    const name = `doctor-team-${randomUUID()}`;
    await admin.experiments.create({ name });
    await admin.close();
    const report = await doctor(authEnv(stackEnv("STACK_AUTH_READER_USER"), stackEnv("STACK_AUTH_READER_PASSWORD")), { experimentName: name });
    expect(check(report, "auth").status).toBe("pass");
    expectFailureAt(
      report,
      "permission",
      new RegExp(`User "${stackEnv("STACK_AUTH_READER_USER")}" may read but not write experiment "${name}"`),
      /grant this user EDIT/,
    );
  });

  it("wrong S3 secret: s3.credentials (SignatureDoesNotMatch), never the secret", async () => {
    const canary = `aws-secret-canary-${randomUUID()}`;
    const report = await doctor({ ...directEnv(), AWS_SECRET_ACCESS_KEY: canary });
    expectFailureAt(report, "s3.credentials", /SignatureDoesNotMatch/, /^Set AWS_SECRET_ACCESS_KEY to the secret of that access key/);
    expect(JSON.stringify(report)).not.toContain(canary);
  });

  it("unknown access key: s3.credentials (InvalidAccessKeyId)", async () => {
    const report = await doctor({ ...directEnv(), AWS_ACCESS_KEY_ID: `unknown-${randomUUID().slice(0, 8)}` });
    expectFailureAt(
      report,
      "s3.credentials",
      /does not know access key …\w{4} \(AWS_ACCESS_KEY_ID\) \(InvalidAccessKeyId\)/,
      /Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
    );
  });

  it("an experiment whose bucket does not exist: s3.bucket (NoSuchBucket), with the command that creates it", async () => {
    const bucket = `no-such-bucket-${randomUUID()}`;
    const name = `doctor-nobucket-${randomUUID()}`;
    const client = new MlflowClient({ env: directEnv() });
    await client.experiments.create({ name, artifact_location: `s3://${bucket}/x` });
    await client.close();
    const report = await doctor(directEnv(), { experimentName: name });
    expectFailureAt(
      report,
      "s3.bucket",
      new RegExp(`Bucket "${bucket}" .* does not exist on ${stackEnv("MLFLOW_S3_ENDPOINT_URL")} \\(NoSuchBucket\\)`),
      new RegExp(`aws --endpoint-url ${stackEnv("MLFLOW_S3_ENDPOINT_URL")} s3 mb s3://${bucket}`),
    );
  });

  it("an S3 endpoint that is the tracking server: s3.endpoint", async () => {
    const report = await doctor({ ...directEnv(), MLFLOW_S3_ENDPOINT_URL: stackEnv("MLFLOW_TRACKING_URI") });
    expectFailureAt(report, "s3.endpoint", /is the MLflow tracking server, not the S3 server/, /Set MLFLOW_S3_ENDPOINT_URL to the S3 server's URL/);
  });
});
