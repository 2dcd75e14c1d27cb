/** client.workspaces: the workspace API as Python's RestWorkspaceStore calls it, and what it refuses before sending. */
import { HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { AlreadyExistsError, UnsupportedFeatureError, ValidationError } from "../../../src/index.js";
import { BASE, record, testClient, useMockServer } from "../helpers/mock-server.js";

const server = useMockServer();
const WS = `${BASE}/api/3.0/mlflow/workspaces`;

describe("workspaces", () => {
  it("lists, gets, creates, updates and deletes with the server's paths, methods and bodies", async () => {
    const lists = record(server, "get", WS, () => ({ workspaces: [{ name: "default", description: "Default workspace" }, { name: "team-a" }] }));
    const creates = record(server, "post", WS, () => HttpResponse.json({ workspace: { name: "team-a", description: "vision" } }, { status: 201 }));
    const gets = record(server, "get", `${WS}/:name`, () => ({ workspace: { name: "team-a", default_artifact_root: "s3://b/team-a" } }));
    const updates = record(server, "patch", `${WS}/:name`, () => ({ workspace: { name: "team-a", description: "audio" } }));
    const deletes = record(server, "delete", `${WS}/:name`, () => new HttpResponse(null, { status: 204 }));
    const client = testClient();

    expect((await client.workspaces.list()).map((ws) => ws.name)).toEqual(["default", "team-a"]);
    expect(await client.workspaces.create({ name: "team-a", description: "vision" })).toEqual({ name: "team-a", description: "vision" });
    expect(await client.workspaces.get("team-a")).toEqual({ name: "team-a", default_artifact_root: "s3://b/team-a" });
    expect(await client.workspaces.update("team-a", { description: "audio" })).toEqual({ name: "team-a", description: "audio" });
    await client.workspaces.delete("team-a");
    await client.workspaces.delete("team-a", { mode: "SET_DEFAULT" });

    expect(lists).toHaveLength(1);
    expect(creates.map((r) => r.body)).toEqual([{ name: "team-a", description: "vision" }]);
    expect(gets.map((r) => r.path)).toEqual(["/api/3.0/mlflow/workspaces/team-a"]);
    expect(updates.map((r) => [r.path, r.body])).toEqual([["/api/3.0/mlflow/workspaces/team-a", { workspace_name: "team-a", description: "audio" }]]);
    // RESTRICT is the server's default: sent without a mode, as Python does; other modes in the query.
    expect(deletes.map((r) => [r.path, r.query.get("mode")])).toEqual([
      ["/api/3.0/mlflow/workspaces/team-a", null],
      ["/api/3.0/mlflow/workspaces/team-a", "SET_DEFAULT"],
    ]);
  });

  it("refuses bad names, the default workspace's creation or deletion and an empty update before sending", async () => {
    const seen = [
      record(server, "post", WS),
      record(server, "get", `${WS}/:name`),
      record(server, "patch", `${WS}/:name`),
      record(server, "delete", `${WS}/:name`),
    ];
    const client = testClient();
    await expect(client.workspaces.create({ name: "Team A" })).rejects.toMatchObject({ key: "name", rule: "workspace-name" });
    await expect(client.workspaces.create({ name: "default" })).rejects.toMatchObject({ rule: "workspace-name" });
    await expect(client.workspaces.get("static-files")).rejects.toThrow(/is reserved by the server.*Fix: /);
    await expect(client.workspaces.delete("default")).rejects.toThrow(/cannot be deleted\. Fix: /);
    await expect(client.workspaces.update("team-a", {})).rejects.toMatchObject({ rule: "workspace-update" });
    await expect(client.workspaces.get("../runs")).rejects.toBeInstanceOf(ValidationError);
    expect(seen.flat()).toHaveLength(0);
  });

  it("gets the default workspace by name", async () => {
    const gets = record(server, "get", `${WS}/:name`, () => ({ workspace: { name: "default" } }));
    expect(await testClient().workspaces.get("default")).toEqual({ name: "default" });
    expect(gets).toHaveLength(1);
  });

  it("reports an existing workspace as AlreadyExistsError after one request", async () => {
    const creates = record(server, "post", WS, () =>
      HttpResponse.json({ error_code: "RESOURCE_ALREADY_EXISTS", message: "Workspace 'team-a' already exists." }, { status: 400 }),
    );
    await expect(testClient().workspaces.create({ name: "team-a" })).rejects.toBeInstanceOf(AlreadyExistsError);
    expect(creates).toHaveLength(1);
  });

  it("fails with UnsupportedFeatureError on a server before MLflow 3.10", async () => {
    record(server, "get", WS, () => HttpResponse.json({ error_code: "ENDPOINT_NOT_FOUND", message: "Not found" }, { status: 404 }));
    record(server, "get", `${BASE}/version`, () => new HttpResponse("3.9.0"));
    const error = await testClient()
      .workspaces.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    expect(error).toMatchObject({ feature: "workspaces", minVersion: "3.10", serverVersion: "3.9.0" });
    expect((error as Error).message).toMatch(/^Workspaces needs MLflow ≥ 3\.10; the server at mlflow\.test:5000 runs 3\.9\.0\. Fix: .*unset MLFLOW_WORKSPACE/);
  });
});
