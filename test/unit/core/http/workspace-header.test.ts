/**
 * MLFLOW_WORKSPACE travels on every request to the tracking server as the Python client sends it
 * (`X-MLFLOW-WORKSPACE`): tracking, registry, the artifact proxy (multipart included), the logger
 * and the CLI; not on the workspace API (its path names the workspace), not to presigned URLs, and
 * not over a header the caller set. The server's answers about workspaces carry a "Fix: …".
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpResponse, http } from "msw";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigurationError, MlflowApiError, startRun, UnknownWorkspaceError } from "../../../../src/index.js";
import { cliCaptured } from "../../helpers/cli.js";
import { API, BASE, experimentJson, type RecordedRequest, RUN_ID, record, runJson, testClient, useMockServer } from "../../helpers/mock-server.js";

const server = useMockServer();
const HEADER = "x-mlflow-workspace";
const scratch = mkdtempSync(join(tmpdir(), "mlflow-ts-workspace-header-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const workspaceOf = (requests: RecordedRequest[]) => requests.map((r) => r.headers.get(HEADER));

describe("the workspace header", () => {
  it("is sent on tracking and registry requests when MLFLOW_WORKSPACE is set, and not at all when it is unset", async () => {
    const runs = record(server, "get", `${API}/runs/get`, () => ({ run: runJson() }));
    const models = record(server, "post", `${API}/registered-models/create`, () => ({ registered_model: { name: "fraud" } }));
    const client = testClient({ env: { MLFLOW_WORKSPACE: " team-a " } });
    await client.runs.get(RUN_ID);
    await client.registeredModels.create({ name: "fraud" });
    await testClient().runs.get(RUN_ID);
    expect(workspaceOf(runs)).toEqual(["team-a", null]);
    expect(workspaceOf(models)).toEqual(["team-a"]);
  });

  it("takes the workspace option over MLFLOW_WORKSPACE", async () => {
    const runs = record(server, "get", `${API}/runs/get`, () => ({ run: runJson() }));
    await testClient({ workspace: "team-b", env: { MLFLOW_WORKSPACE: "team-a" } }).runs.get(RUN_ID);
    expect(workspaceOf(runs)).toEqual(["team-b"]);
  });

  it("leaves a workspace header the caller set alone, in any letter case", async () => {
    const runs = record(server, "get", `${API}/runs/get`, () => ({ run: runJson() }));
    const client = testClient({ workspace: "team-a", headers: { "x-mlflow-workspace": "from-headers" } });
    await client.runs.get(RUN_ID);
    await testClient({ workspace: "team-a" }).runs.get(RUN_ID, { headers: { "X-Mlflow-Workspace": "per-call" } });
    expect(workspaceOf(runs)).toEqual(["from-headers", "per-call"]);
  });

  it("is sent on proxied artifact uploads and multipart calls, but not to the presigned part URLs", async () => {
    const proxied = runJson();
    (proxied.info as Record<string, unknown>).artifact_uri = `mlflow-artifacts:/1/${RUN_ID}/artifacts`;
    record(server, "get", `${API}/runs/get`, () => ({ run: proxied }));
    const puts = record(server, "put", `${BASE}/api/2.0/mlflow-artifacts/artifacts/*`, () => new HttpResponse(null, { status: 200 }));
    const partUrl = "http://s3.test:9000/bucket/upload";
    const creates = record(server, "post", `${BASE}/api/2.0/mlflow-artifacts/mpu/create/*`, () => ({
      upload_id: "u1",
      credentials: [{ url: `${partUrl}?partNumber=1&X-Amz-Signature=abc`, part_number: 1, headers: {} }],
    }));
    const completes = record(server, "post", `${BASE}/api/2.0/mlflow-artifacts/mpu/complete/*`, () => ({}));
    const parts = record(server, "put", partUrl, () => new HttpResponse(null, { headers: { ETag: '"e1"' } }));
    const small = join(scratch, "small.txt");
    const big = join(scratch, "big.bin");
    writeFileSync(small, "x");
    writeFileSync(big, Buffer.alloc(2000, 1));
    const client = testClient({ workspace: "team-a", artifacts: { proxyMultipartUpload: true, proxyMultipartMinBytes: 1000, proxyMultipartChunkBytes: 4096 } });
    await client.artifacts.upload(RUN_ID, small);
    await client.artifacts.upload(RUN_ID, big);
    expect(workspaceOf(puts)).toEqual(["team-a"]);
    expect(workspaceOf(creates)).toEqual(["team-a"]);
    expect(workspaceOf(completes)).toEqual(["team-a"]);
    expect(workspaceOf(parts)).toEqual([null]);
  });

  it("is sent on every request of a run the logger drives", async () => {
    const experiments = record(server, "get", `${API}/experiments/get`, () => ({ experiment: experimentJson("1") }));
    const creates = record(server, "post", `${API}/runs/create`, () => ({ run: runJson() }));
    const batches = record(server, "post", `${API}/runs/log-batch`);
    const updates = record(server, "post", `${API}/runs/update`, () => ({ run_info: runJson().info }));
    const run = await startRun({ client: testClient({ env: { MLFLOW_WORKSPACE: "team-a" } }), experimentId: "1", exitHooks: false });
    run.logMetric("loss", 0.5, { step: 1 });
    run.logParams({ lr: 0.1 });
    await run.end();
    const all = [...experiments, ...creates, ...batches, ...updates];
    expect(creates).toHaveLength(1);
    expect(batches.length).toBeGreaterThan(0);
    expect(new Set(workspaceOf(all))).toEqual(new Set(["team-a"]));
  });

  it("is sent by the CLI when MLFLOW_WORKSPACE is set", async () => {
    const searches = record(server, "post", `${API}/experiments/search`, () => ({ experiments: [experimentJson("4", "mnist")] }));
    const { code } = await cliCaptured(["experiments", "list"], { MLFLOW_WORKSPACE: "team-a" });
    expect(code).toBe(0);
    expect(workspaceOf(searches)).toEqual(["team-a"]);
  });

  it("is not sent on the workspace API, whose path names the workspace", async () => {
    const lists = record(server, "get", `${BASE}/api/3.0/mlflow/workspaces`, () => ({ workspaces: [{ name: "default" }] }));
    const gets = record(server, "get", `${BASE}/api/3.0/mlflow/workspaces/:name`, () => ({ workspace: { name: "team-b" } }));
    const client = testClient({ workspace: "team-a" });
    await client.workspaces.list();
    await client.workspaces.get("team-b");
    expect(workspaceOf([...lists, ...gets])).toEqual([null, null]);
  });
});

describe("a workspace name", () => {
  it("is checked at construction with the server's rule, naming the variable and the fix", () => {
    for (const bad of ["Team_A", "a", "-team", "api", "x".repeat(64)]) {
      const error = (() => {
        try {
          testClient({ env: { MLFLOW_WORKSPACE: bad } });
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error).toMatchObject({ key: "MLFLOW_WORKSPACE" });
      expect((error as Error).message).toMatch(/^MLFLOW_WORKSPACE ".*" (must|is reserved).*\. Fix: /);
    }
    expect(() => testClient({ workspace: "Nope" })).toThrow(/^workspace "Nope" must be lowercase letters, digits and inner hyphens/);
    expect(testClient({ workspace: "default" }).config.workspace).toBe("default");
    expect(testClient({ env: { MLFLOW_WORKSPACE: "   " } }).config.workspace).toBeUndefined();
  });
});

describe("the server's answers about workspaces", () => {
  it("a workspace the server does not have: not retried, with a fix naming the commands", async () => {
    const runs = record(server, "get", `${API}/runs/get`, () =>
      HttpResponse.json({ error_code: "RESOURCE_DOES_NOT_EXIST", message: "Workspace 'team-x' not found" }, { status: 404 }),
    );
    const error = await testClient({ workspace: "team-x" })
      .runs.get(RUN_ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownWorkspaceError);
    expect((error as Error).message).toContain("Workspace 'team-x' not found");
    expect((error as Error).message).toMatch(/Fix: create the workspace \(mlflow-ts workspaces create team-x\) or set MLFLOW_WORKSPACE/);
    expect(runs).toHaveLength(1);
  });

  it("a server without workspaces: its 500 FEATURE_DISABLED and its workspace API's 503 are not retried, and say how to fix it", async () => {
    const runs = record(server, "get", `${API}/runs/get`, () =>
      HttpResponse.json(
        { error_code: "FEATURE_DISABLED", message: "Workspace APIs are not available: workspaces are not enabled on this server" },
        { status: 500 },
      ),
    );
    server.use(
      http.get(`${BASE}/api/3.0/mlflow/workspaces`, () =>
        HttpResponse.text(
          "Endpoint: /api/3.0/mlflow/workspaces disabled because the server is running without workspaces support. To enable workspace, run `mlflow server` with `--enable-workspaces`",
          { status: 503 },
        ),
      ),
    );
    const client = testClient({ workspace: "team-a", maxRetries: 3 });
    const featureDisabled = await client.runs.get(RUN_ID).catch((e: unknown) => e);
    expect(featureDisabled).toBeInstanceOf(MlflowApiError);
    expect(featureDisabled).toMatchObject({ errorCode: "FEATURE_DISABLED", retryable: false });
    expect((featureDisabled as Error).message).toMatch(/Fix: this server runs without workspaces: unset MLFLOW_WORKSPACE/);
    expect(runs).toHaveLength(1);
    const disabledApi = await client.workspaces.list().catch((e: unknown) => e);
    expect(disabledApi).toMatchObject({ status: 503, retryable: false });
    expect((disabledApi as Error).message).toMatch(/Fix: this server runs without workspaces: start it with --enable-workspaces/);
  });
});
