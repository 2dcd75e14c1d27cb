/** `mlflow-ts workspaces list|create|describe|update|delete` against a mocked workspace API: output, requests, errors. */
import { HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { cliCaptured } from "../../helpers/cli.js";
import { BASE, record, useMockServer } from "../../helpers/mock-server.js";

const server = useMockServer();
const WS = `${BASE}/api/3.0/mlflow/workspaces`;

describe("workspaces", () => {
  it("lists the workspaces as a table, and as JSON", async () => {
    record(server, "get", WS, () => ({
      workspaces: [
        { name: "default", description: "Default workspace" },
        { name: "team-a", default_artifact_root: "s3://b/a" },
      ],
    }));
    const text = await cliCaptured(["workspaces", "list"]);
    expect(text).toEqual({
      code: 0,
      stdout: "NAME     DESCRIPTION        ARTIFACT ROOT\ndefault  Default workspace  \nteam-a                      s3://b/a\n",
      stderr: "",
    });
    const json = await cliCaptured(["workspaces", "list", "--json"]);
    expect(JSON.parse(json.stdout)).toEqual([
      { name: "default", description: "Default workspace" },
      { name: "team-a", default_artifact_root: "s3://b/a" },
    ]);
  });

  it("creates, describes, updates and deletes one, sending what the flags say", async () => {
    const creates = record(server, "post", WS, () => HttpResponse.json({ workspace: { name: "team-a", description: "vision" } }, { status: 201 }));
    record(server, "get", `${WS}/:name`, () => ({ workspace: { name: "team-a", description: "vision" } }));
    const updates = record(server, "patch", `${WS}/:name`, () => ({ workspace: { name: "team-a", description: "vision", default_artifact_root: "s3://b/a" } }));
    const deletes = record(server, "delete", `${WS}/:name`, () => new HttpResponse(null, { status: 204 }));

    const created = await cliCaptured(["workspaces", "create", "team-a", "--description", "vision"]);
    expect(created).toEqual({
      code: 0,
      stdout: "Created workspace team-a.\nWorkspace team-a:\n  artifact root  (the server's)\n  description    vision\n",
      stderr: "",
    });
    expect(creates.map((r) => r.body)).toEqual([{ name: "team-a", description: "vision" }]);
    expect(JSON.parse((await cliCaptured(["workspaces", "describe", "team-a", "--json"])).stdout)).toEqual({ name: "team-a", description: "vision" });
    expect((await cliCaptured(["workspaces", "update", "team-a", "--artifact-root", "s3://b/a"])).code).toBe(0);
    expect(updates.map((r) => r.body)).toEqual([{ workspace_name: "team-a", default_artifact_root: "s3://b/a" }]);
    expect(await cliCaptured(["workspaces", "delete", "team-a", "--mode", "CASCADE"])).toEqual({ code: 0, stdout: "Deleted workspace team-a.\n", stderr: "" });
    expect(deletes.map((r) => r.query.get("mode"))).toEqual(["CASCADE"]);
  });

  it("refuses a bad name before any request, and exits 1 with the server's error and its fix on a server without workspaces", async () => {
    const creates = record(server, "post", WS);
    const bad = await cliCaptured(["workspaces", "create", "Team_A"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('Workspace name "Team_A" must be lowercase letters, digits and inner hyphens');
    expect(creates).toHaveLength(0);
    record(server, "get", WS, () =>
      HttpResponse.text(
        "Endpoint: /api/3.0/mlflow/workspaces disabled because the server is running without workspaces support. To enable workspace, run `mlflow server` with `--enable-workspaces`",
        { status: 503 },
      ),
    );
    const disabled = await cliCaptured(["workspaces", "list"]);
    expect(disabled.code).toBe(1);
    expect(disabled.stderr).toContain("Fix: this server runs without workspaces: start it with --enable-workspaces");
  });
});
