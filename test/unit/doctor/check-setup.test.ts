/**
 * checkSetup against msw-mocked servers: clock skew from the servers' `Date` headers, and the
 * hint each broken setup gets (401 vs 403, unknown key vs wrong secret, missing bucket, region
 * redirect, deleted or missing experiment, read-only user), with the requests made counted.
 */
import { HttpResponse, http } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { checkSetup } from "../../../src/doctor/check-setup.js";
import type { CheckSetupOptions, SetupReport } from "../../../src/doctor/types.js";
import { API, BASE, EMPTY_HOME, experimentJson, mlflowError, record, socketError, useMockServer } from "../helpers/mock-server.js";

const server = useMockServer();
const unhandled: string[] = [];
server.events.on("request:unhandled", ({ request }) => unhandled.push(`${request.method} ${request.url}`));
afterEach(() => {
  expect(unhandled.splice(0)).toEqual([]);
});
const S3 = "http://s3.test:9000";
const MINUTE = 60_000;
const PROXIED = "mlflow-artifacts:/1";

/** The tracking server: every answer carries `Date: <now + skewMs>` unless `skewMs` is null. */
function trackingServer(options: { skewMs?: number | null; location?: string } = {}) {
  const headers = (): Record<string, string> => (options.skewMs === null ? {} : { Date: new Date(Date.now() + (options.skewMs ?? 0)).toUTCString() });
  const experiment = { ...experimentJson("1", "mnist"), artifact_location: options.location ?? PROXIED };
  return {
    health: record(server, "get", `${BASE}/health`, () => new HttpResponse("OK", { headers: headers() })),
    version: record(server, "get", `${BASE}/version`, () => new HttpResponse("3.17.2", { headers: headers() })),
    info: record(server, "get", `${BASE}/api/3.0/mlflow/server-info`, () =>
      HttpResponse.json({ store_type: "SqlStore", workspaces_enabled: false }, { headers: headers() }),
    ),
    search: record(server, "post", `${API}/experiments/search`, () => ({ experiments: [] })),
    getByName: record(server, "get", `${API}/experiments/get-by-name`, () => ({ experiment })),
    proxyList: record(server, "get", `${BASE}/api/2.0/mlflow-artifacts/artifacts`, () => ({})),
  };
}

function s3Error(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  const xml = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>r1</RequestId></Error>`;
  return new HttpResponse(xml, { status, headers: { "Content-Type": "application/xml", ...headers } });
}

const LIST_BUCKETS = "<ListAllMyBucketsResult><Buckets><Bucket><Name>mlflow</Name></Bucket></Buckets><Owner><ID>o</ID></Owner></ListAllMyBucketsResult>";
const LIST_OBJECTS = "<ListBucketResult><Name>mlflow</Name><KeyCount>0</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>";

/** The S3 server: `GET /` unsigned is the endpoint probe, signed it is ListBuckets; `GET /mlflow` is ListObjectsV2. */
function s3Server(options: { skewMs?: number; listBuckets?: () => Response; listObjects?: () => Response } = {}) {
  const date = (): Record<string, string> => ({ Date: new Date(Date.now() + (options.skewMs ?? 0)).toUTCString() });
  const seen = { probe: 0, listBuckets: 0, listObjects: [] as URLSearchParams[] };
  server.use(
    http.get(`${S3}/`, ({ request }) => {
      if (!request.headers.get("authorization")) {
        seen.probe += 1;
        return s3Error(403, "AccessDenied", "Access Denied", date());
      }
      seen.listBuckets += 1;
      return options.listBuckets?.() ?? new HttpResponse(LIST_BUCKETS, { headers: { "Content-Type": "application/xml", ...date() } });
    }),
    http.get(`${S3}/mlflow`, ({ request }) => {
      seen.listObjects.push(new URL(request.url).searchParams);
      return options.listObjects?.() ?? new HttpResponse(LIST_OBJECTS, { headers: { "Content-Type": "application/xml", ...date() } });
    }),
  );
  return seen;
}

/** The proxied artifact routes over an in-memory map, logging each operation. */
function proxiedObjectStore() {
  const stored = new Map<string, Buffer>();
  const log: string[] = [];
  const prefix = `${BASE}/api/2.0/mlflow-artifacts`;
  const pathOf = (url: string, route: string): string => decodeURIComponent(new URL(url).pathname.replace(`/api/2.0/mlflow-artifacts/${route}/`, ""));
  server.use(
    http.put(`${prefix}/artifacts/*`, async ({ request }) => {
      const path = pathOf(request.url, "artifacts");
      log.push(`PUT ${path}`);
      stored.set(path, Buffer.from(await request.arrayBuffer()));
      return HttpResponse.json({});
    }),
    http.get(`${prefix}/artifacts/*`, ({ request }) => {
      const path = pathOf(request.url, "artifacts");
      log.push(`GET ${path}`);
      const body = stored.get(path);
      return body ? new HttpResponse(body) : mlflowError(404, "RESOURCE_DOES_NOT_EXIST", "no file");
    }),
    http.delete(`${prefix}/artifacts/*`, ({ request }) => {
      const path = pathOf(request.url, "artifacts");
      log.push(`DELETE ${path}`);
      // as MLflow 3.16+ does: the path and what is under it
      for (const key of [...stored.keys()]) if (key === path || key.startsWith(`${path}/`)) stored.delete(key);
      return HttpResponse.json({});
    }),
    http.post(`${prefix}/mpu/create/*`, ({ request }) => {
      log.push(`MPU-CREATE ${pathOf(request.url, "mpu/create")}`);
      return mlflowError(501, "NOT_IMPLEMENTED", "Multipart upload is not supported for the current artifact repository");
    }),
  );
  return { stored, log };
}

const S3_ENV = {
  MLFLOW_S3_ENDPOINT_URL: S3,
  AWS_ACCESS_KEY_ID: "AKIAUNITTEST0001",
  AWS_SECRET_ACCESS_KEY: "unit-secret-canary-5b7e21",
  AWS_DEFAULT_REGION: "us-east-1",
};

function doctor(env: Record<string, string> = {}, options: CheckSetupOptions = {}): Promise<SetupReport> {
  return checkSetup({
    write: false,
    timeoutMs: 2_000,
    experimentName: "mnist",
    ...options,
    client: { env: { HOME: EMPTY_HOME, MLFLOW_TRACKING_URI: BASE, ...env } },
  });
}

function find(report: SetupReport, id: string) {
  const check = report.checks.find((c) => c.id === id);
  if (!check) throw new Error(`no check ${id}`);
  return check;
}

/** Statuses of every check after `id`. */
function statusesAfter(report: SetupReport, id: string): string[] {
  const index = report.checks.findIndex((c) => c.id === id);
  return report.checks.slice(index + 1).map((c) => c.status);
}

describe("clock skew from the servers' Date headers", () => {
  it("passes when the tracking server's clock agrees with this machine's", async () => {
    trackingServer({ skewMs: 0 });
    const report = await doctor();
    expect(find(report, "clock")).toMatchObject({ status: "pass", hint: null });
    expect(find(report, "clock").detail).toMatch(/within 1 s of the tracking server/);
    expect(report.ok).toBe(true);
  });

  it("warns from one minute of skew, saying which way and how to synchronise", async () => {
    trackingServer({ skewMs: 5 * MINUTE });
    const report = await doctor();
    const clock = find(report, "clock");
    expect(clock.status).toBe("warn");
    expect(clock.detail).toMatch(/5 min \d+ s behind the tracking server/);
    expect(clock.hint).toMatch(/NTP/);
    expect(report.ok).toBe(true);
  });

  it("fails beyond fifteen minutes, where S3 refuses SigV4 signatures", async () => {
    trackingServer({ skewMs: -20 * MINUTE });
    const report = await doctor();
    const clock = find(report, "clock");
    expect(clock.status).toBe("fail");
    expect(clock.detail).toMatch(/20 min \d+ s ahead of the tracking server/);
    expect(clock.detail).toContain("RequestTimeTooSkewed");
    expect(report.ok).toBe(false);
  });

  it("compares against the S3 server too, and reports the worst of the two", async () => {
    trackingServer({ skewMs: 0, location: "s3://mlflow/1" });
    s3Server({ skewMs: 16 * MINUTE });
    const report = await doctor(S3_ENV);
    const clock = find(report, "clock");
    expect(clock.status).toBe("fail");
    expect(clock.detail).toMatch(/within 1 s of the tracking server, and 16 min \d+ s behind the S3 server/);
  });

  it("skips (without blocking anything) when no server sends a Date header", async () => {
    trackingServer({ skewMs: null });
    const report = await doctor();
    expect(find(report, "clock")).toMatchObject({ status: "skip", detail: expect.stringMatching(/No server sent a Date header/) });
    expect(find(report, "artifacts.write").detail).toMatch(/Write probes are off/);
  });
});

describe("what each broken setup is told", () => {
  it("asks for credentials on a 401 when none are configured", async () => {
    const mocks = trackingServer();
    server.use(http.post(`${API}/experiments/search`, () => new HttpResponse("You are not authenticated.", { status: 401 })));
    const report = await doctor();
    const auth = find(report, "auth");
    expect(auth.status).toBe("fail");
    expect(auth.detail).toContain("HTTP 401");
    expect(auth.hint).toMatch(/MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD.*MLFLOW_TRACKING_TOKEN/);
    expect(statusesAfter(report, "auth").every((status) => status === "skip")).toBe(true);
    expect(mocks.getByName).toHaveLength(0);
  });

  it("names the user and the password variable on a 401 with basic credentials, never the password", async () => {
    trackingServer();
    const searches = record(server, "post", `${API}/experiments/search`, () => new HttpResponse("no", { status: 401 }));
    const report = await doctor({ MLFLOW_TRACKING_USERNAME: "alice", MLFLOW_TRACKING_PASSWORD: "pw-canary-3f9a17" });
    expect(find(report, "auth").hint).toMatch(/MLFLOW_TRACKING_PASSWORD for user "alice"/);
    expect(JSON.stringify(report)).not.toContain("pw-canary-3f9a17");
    expect(searches).toHaveLength(1);
    expect(searches[0]?.body).toEqual({ max_results: 1 });
  });

  it("never shows a prefix of a password that a /health body echoes across the 20-character cut", async () => {
    trackingServer();
    server.use(http.get(`${BASE}/health`, () => new HttpResponse("OK pw=pw-canary-77c1d0 ok")));
    const report = await doctor({ MLFLOW_TRACKING_USERNAME: "alice", MLFLOW_TRACKING_PASSWORD: "pw-canary-77c1d0" });
    const detail = find(report, "server.reachable").detail;
    expect(detail).toMatch(/^GET \/health answered 200 /);
    expect(JSON.stringify(report)).not.toMatch(/pw-ca/);
  });

  it("explains a 403 from the host check with --allowed-hosts, and another 403 as a missing permission", async () => {
    trackingServer();
    server.use(http.post(`${API}/experiments/search`, () => new HttpResponse("Invalid Host header - possible DNS rebinding attack detected", { status: 403 })));
    expect(find(await doctor(), "auth").hint).toMatch(/--allowed-hosts "mlflow\.test:5000"/);
    server.use(http.post(`${API}/experiments/search`, () => new HttpResponse("Permission denied", { status: 403 })));
    const denied = find(await doctor(), "auth");
    expect(denied.hint).toMatch(/READ/);
    expect(denied.hint).not.toMatch(/allowed-hosts/);
  });

  it("probes write permission by deleting a tag that does not exist: 404 passes, 403 fails as read-only", async () => {
    trackingServer();
    const probes = record(server, "post", `${API}/experiments/delete-experiment-tag`, (_req, n) =>
      n === 1 ? mlflowError(404, "RESOURCE_DOES_NOT_EXIST", "No tag with name") : new HttpResponse("Permission denied", { status: 403 }),
    );
    proxiedObjectStore();
    const allowed = await doctor({}, { write: true });
    expect(find(allowed, "permission").status).toBe("pass");
    expect(find(allowed, "artifacts.write").status).toBe("pass");
    const report = await doctor({ MLFLOW_TRACKING_USERNAME: "reader", MLFLOW_TRACKING_PASSWORD: "reader-pw-canary" }, { write: true });
    const permission = find(report, "permission");
    expect(permission.status).toBe("fail");
    expect(permission.detail).toMatch(/User "reader" may read but not write experiment "mnist" \(id 1\)/);
    expect(permission.hint).toMatch(/EDIT/);
    expect(statusesAfter(report, "permission").every((status) => status === "skip")).toBe(true);
    expect(probes).toHaveLength(2);
    expect(probes[0]?.body).toMatchObject({ experiment_id: "1", key: expect.stringMatching(/^mlflow-ts\.doctor\.probe-[0-9a-f-]{36}$/) });
  });

  it("tells an unknown access key from a wrong secret", async () => {
    trackingServer({ location: "s3://mlflow/1" });
    s3Server({ listBuckets: () => s3Error(403, "InvalidAccessKeyId", "The access key ID you provided does not exist in our records.") });
    const unknown = find(await doctor(S3_ENV), "s3.credentials");
    expect(unknown.status).toBe("fail");
    expect(unknown.detail).toMatch(/does not know access key …0001 \(AWS_ACCESS_KEY_ID\)/);
    expect(unknown.hint).toMatch(/AWS_ACCESS_KEY_ID/);

    s3Server({ listBuckets: () => s3Error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match.") });
    const report = await doctor(S3_ENV);
    const wrongSecret = find(report, "s3.credentials");
    expect(wrongSecret.detail).toMatch(/SignatureDoesNotMatch/);
    expect(wrongSecret.hint).toMatch(/^Set AWS_SECRET_ACCESS_KEY to the secret of that access key/);
    expect(JSON.stringify(report)).not.toContain(S3_ENV.AWS_SECRET_ACCESS_KEY);
    expect(statusesAfter(report, "s3.credentials").every((status) => status === "skip")).toBe(true);
  });

  it("gives the command that creates a missing bucket", async () => {
    trackingServer({ location: "s3://mlflow/1" });
    const seen = s3Server({ listObjects: () => s3Error(404, "NoSuchBucket", "The specified bucket does not exist") });
    const report = await doctor(S3_ENV);
    const bucket = find(report, "s3.bucket");
    expect(bucket.status).toBe("fail");
    expect(bucket.detail).toMatch(/Bucket "mlflow" .* does not exist on http:\/\/s3\.test:9000 \(NoSuchBucket\)/);
    expect(bucket.hint).toContain("aws --endpoint-url http://s3.test:9000 s3 mb s3://mlflow");
    expect(bucket.hint).toContain("mc mb <alias>/mlflow");
    expect(seen).toMatchObject({ probe: 1, listBuckets: 1 });
    expect(seen.listObjects).toHaveLength(1);
    expect(seen.listObjects[0]?.get("prefix")).toBe("1/");
    expect(seen.listObjects[0]?.get("max-keys")).toBe("1");
  });

  it("explains a region redirect with the bucket's real region", async () => {
    trackingServer({ location: "s3://mlflow/1" });
    s3Server({
      listObjects: () =>
        s3Error(301, "PermanentRedirect", "The bucket you are attempting to access must be addressed using the specified endpoint.", {
          "x-amz-bucket-region": "eu-west-1",
        }),
    });
    const bucket = find(await doctor(S3_ENV), "s3.bucket");
    expect(bucket.status).toBe("fail");
    expect(bucket.detail).toMatch(/region eu-west-1, not us-east-1/);
    expect(bucket.hint).toBe("Set AWS_DEFAULT_REGION=eu-west-1 (or AWS_REGION).");
  });

  it("refuses an s3:// MLFLOW_S3_ENDPOINT_URL before any request, and skips everything else", async () => {
    const report = await doctor({ ...S3_ENV, MLFLOW_S3_ENDPOINT_URL: "s3://mlflow" });
    expect(find(report, "config")).toMatchObject({ status: "fail" });
    expect(find(report, "config").hint).toMatch(/^Correct MLFLOW_S3_ENDPOINT_URL, e\.g\. MLFLOW_S3_ENDPOINT_URL=http:\/\/minio:9000/);
    expect(statusesAfter(report, "config").every((status) => status === "skip")).toBe(true);
  });

  it("reports conflicting TLS settings as a configuration failure instead of throwing", async () => {
    const report = await doctor({ MLFLOW_TRACKING_INSECURE_TLS: "true", MLFLOW_TRACKING_SERVER_CERT_PATH: "/etc/hostname" });
    expect(find(report, "config")).toMatchObject({ status: "fail", hint: "Unset one of them." });
  });

  it("falls back to /version for a server without /health", async () => {
    const mocks = trackingServer();
    server.use(http.get(`${BASE}/health`, () => new HttpResponse("<html>Not Found</html>", { status: 404 })));
    const report = await doctor();
    expect(find(report, "server.reachable")).toMatchObject({ status: "pass", detail: "The server has no /health; GET /version answered 200." });
    expect(mocks.version).toHaveLength(2);
    expect(find(report, "server.version").detail).toBe("MLflow 3.17.2; store SqlStore, workspaces off; every feature mlflow-ts uses is available.");
  });

  it("names the features an older server lacks, with the release that has each", async () => {
    trackingServer();
    server.use(http.get(`${BASE}/version`, () => new HttpResponse("2.22.5")));
    server.use(http.get(`${BASE}/api/3.0/mlflow/server-info`, () => new HttpResponse("<html>Not Found</html>", { status: 404 })));
    const report = await doctor();
    expect(find(report, "server.version")).toMatchObject({
      status: "pass",
      detail:
        "MLflow 2.22.5; no /api/3.0/mlflow/server-info (a server before MLflow 3.10); unavailable on this server: logged models (MLflow ≥ 3.0), " +
        "run outputs (logged models a run produced) (MLflow ≥ 3.0), deleting an experiment tag (MLflow ≥ 3.2), model-registry webhooks (MLflow ≥ 3.3), " +
        "the USE permission (MLflow ≥ 3.9), per-user permission grants (MLflow ≥ 3.13), the DENY permission (MLflow ≥ 3.17).",
    });
  });

  describe("the workspace check", () => {
    function workspacesServer(enabled: boolean, names: string[] = ["default", "team-a"]) {
      trackingServer();
      server.use(http.get(`${BASE}/api/3.0/mlflow/server-info`, () => HttpResponse.json({ store_type: "SqlStore", workspaces_enabled: enabled })));
      return record(server, "get", `${BASE}/api/3.0/mlflow/workspaces`, () => ({ workspaces: names.map((name) => ({ name })) }));
    }

    it("passes a workspace the server lists, asking the workspace API once and without the workspace header", async () => {
      const lists = workspacesServer(true);
      expect(find(await doctor({ MLFLOW_WORKSPACE: "team-a" }), "workspace")).toMatchObject({
        status: "pass",
        detail: 'Workspace "team-a" exists on the server.',
      });
      expect(lists).toHaveLength(1);
      expect(lists[0]!.headers.get("x-mlflow-workspace")).toBeNull();
    });

    it("fails a workspace the server does not list, with the command that creates it", async () => {
      workspacesServer(true);
      expect(find(await doctor({ MLFLOW_WORKSPACE: "team-x" }), "workspace")).toMatchObject({
        status: "fail",
        detail: 'MLFLOW_WORKSPACE is "team-x", which the server does not list (it lists: default, team-a).',
        hint: "Create it (mlflow-ts workspaces create team-x) or set MLFLOW_WORKSPACE to one of: default, team-a.",
      });
    });

    it("fails a workspace on a server without workspaces, and passes no workspace there without asking the workspace API", async () => {
      const lists = workspacesServer(false);
      expect(find(await doctor({ MLFLOW_WORKSPACE: "team-a" }), "workspace")).toMatchObject({
        status: "fail",
        hint: "Unset MLFLOW_WORKSPACE, or start the server with --enable-workspaces.",
      });
      expect(find(await doctor(), "workspace")).toMatchObject({ status: "pass", detail: "The server runs without workspaces, and none is configured." });
      expect(lists).toHaveLength(0);
    });

    it("fails a workspace on a server before MLflow 3.10, and skips the check there when none is configured", async () => {
      trackingServer();
      server.use(http.get(`${BASE}/version`, () => new HttpResponse("3.9.0")));
      server.use(http.get(`${BASE}/api/3.0/mlflow/server-info`, () => HttpResponse.json({ error_code: "ENDPOINT_NOT_FOUND", message: "x" }, { status: 404 })));
      expect(find(await doctor({ MLFLOW_WORKSPACE: "team-a" }), "workspace")).toMatchObject({
        status: "fail",
        hint: "Unset MLFLOW_WORKSPACE, or run MLflow 3.10+ started with --enable-workspaces.",
      });
      expect(find(await doctor(), "workspace").status).toBe("skip");
    });

    it("fails no workspace on a server whose workspaces have no default, naming the ones to choose from", async () => {
      workspacesServer(true, ["team-a", "team-b"]);
      expect(find(await doctor(), "workspace")).toMatchObject({ status: "fail", hint: "Set MLFLOW_WORKSPACE to one of: team-a, team-b." });
    });
  });

  it("fails a deleted experiment with the command that restores it", async () => {
    trackingServer();
    record(server, "get", `${API}/experiments/get-by-name`, () => ({ experiment: experimentJson("7", "mnist", "deleted") }));
    const experiment = find(await doctor(), "experiment");
    expect(experiment.status).toBe("fail");
    expect(experiment.hint).toContain("mlflow experiments restore --experiment-id 7");
  });

  it("creates a missing experiment when writes are on, and only checks the Default experiment's location when they are off", async () => {
    trackingServer();
    record(server, "get", `${API}/experiments/get-by-name`, () => mlflowError(404, "RESOURCE_DOES_NOT_EXIST", "no such experiment"));
    const gets = record(server, "get", `${API}/experiments/get`, (req) => {
      const id = req.query.get("experiment_id")!;
      return { experiment: { ...experimentJson(id, "x"), artifact_location: `mlflow-artifacts:/${id}` } };
    });
    const creates = record(server, "post", `${API}/experiments/create`, () => ({ experiment_id: "9" }));

    const readOnly = await doctor({}, { write: false });
    expect(find(readOnly, "experiment").status).toBe("warn");
    expect(find(readOnly, "experiment").detail).toMatch(/does not exist.*Default experiment's location mlflow-artifacts:\/0/);
    expect(creates).toHaveLength(0);
    expect(gets.map((g) => g.query.get("experiment_id"))).toEqual(["0"]);

    record(server, "post", `${API}/experiments/delete-experiment-tag`, () => mlflowError(404, "RESOURCE_DOES_NOT_EXIST", "No tag"));
    const objects = proxiedObjectStore();
    const written = await doctor({}, { write: true, experimentName: "new-one" });
    expect(find(written, "experiment")).toMatchObject({ status: "pass", detail: expect.stringMatching(/^Created experiment "new-one" \(id 9/) });
    expect(creates.map((c) => c.body)).toEqual([{ name: "new-one", tags: [] }]);
    expect(find(written, "artifacts.write")).toMatchObject({ status: "pass" });
    expect(find(written, "artifacts.multipart").detail).toMatch(/HTTP 501.*Not needed: MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD is off/);
    expect(objects.log).toEqual([
      expect.stringMatching(/^PUT 9\/mlflow-ts-doctor\/probe-[0-9a-f-]{36}\/probe\.txt$/),
      expect.stringMatching(/^GET 9\/mlflow-ts-doctor\/probe-/),
      expect.stringMatching(/^DELETE 9\/mlflow-ts-doctor\/probe-/),
      "MPU-CREATE 9/mlflow-ts-doctor",
    ]);
    expect(objects.stored.size).toBe(0);
  });

  it("warns when a presigned part URL is unreachable from here, and fails when proxied multipart is enabled", async () => {
    trackingServer();
    record(server, "post", `${API}/experiments/delete-experiment-tag`, () => mlflowError(404, "RESOURCE_DOES_NOT_EXIST", "No tag"));
    proxiedObjectStore();
    const aborts = record(server, "post", `${BASE}/api/2.0/mlflow-artifacts/mpu/abort/*`, () => ({}));
    server.use(
      http.post(`${BASE}/api/2.0/mlflow-artifacts/mpu/create/*`, () =>
        HttpResponse.json({
          upload_id: "u-1",
          credentials: [{ url: "http://minio.internal:9000/b/k?partNumber=1&uploadId=u-1&X-Amz-Signature=abc", part_number: 1, headers: {} }],
        }),
      ),
      http.put("http://minio.internal:9000/*", () => {
        throw socketError("ENOTFOUND");
      }),
    );
    const off = find(await doctor({}, { write: true }), "artifacts.multipart");
    expect(off.status).toBe("warn");
    expect(off.detail).toMatch(/presigned \(http:\/\/minio\.internal:9000\).*does not resolve.*Not used now/);
    expect(off.hint).toMatch(/MLFLOW_S3_ENDPOINT_URL must be an address clients can use/);
    expect(off.detail + off.hint).not.toContain("abc");
    const on = find(await doctor({ MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD: "true" }, { write: true }), "artifacts.multipart");
    expect(on.status).toBe("fail");
    expect(aborts.map((a) => a.body)).toEqual([
      { path: expect.stringMatching(/^multipart-/), upload_id: "u-1" },
      { path: expect.stringMatching(/^multipart-/), upload_id: "u-1" },
    ]);
  });

  it("does not start a proxied multipart upload when server-info says the destination cannot do one", async () => {
    trackingServer();
    server.use(http.get(`${BASE}/api/3.0/mlflow/server-info`, () => HttpResponse.json({ store_type: "SqlStore", multipart_uploads_enabled: false })));
    record(server, "post", `${API}/experiments/delete-experiment-tag`, () => mlflowError(404, "RESOURCE_DOES_NOT_EXIST", "No tag"));
    const objects = proxiedObjectStore();
    const multipart = find(await doctor({}, { write: true }), "artifacts.multipart");
    expect(multipart).toMatchObject({ status: "pass", detail: expect.stringMatching(/server-info says so.*Not needed/) });
    expect(objects.log.filter((line) => line.startsWith("MPU"))).toEqual([]);
  });
});
