/**
 * The doctor's `workspace` check on the embedded store: with MLFLOW_WORKSPACE set, the file must
 * have that workspace (every RPC in another fails with UnknownWorkspaceError); with none, the
 * check does not apply. The report is stopped right after the check.
 */
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MlflowClient } from "../../../src/client/client.js";
import { type CheckResult, checkSetup } from "../../../src/index.js";
import { EMPTY_HOME } from "../helpers/mock-server.js";
import { QUIET, removeTempDirs, tempDir } from "../store/sqlite/helpers.js";

afterEach(removeTempDirs);

async function workspaceCheck(env: Record<string, string>): Promise<CheckResult> {
  const stop = new AbortController();
  const report = await checkSetup({
    write: false,
    roundTrip: false,
    signal: stop.signal,
    onCheck: (check) => {
      if (check.id === "workspace") stop.abort();
    },
    client: { env: { HOME: EMPTY_HOME, ...QUIET, ...env } },
  });
  return report.checks.find((check) => check.id === "workspace")!;
}

describe("doctor: the workspace check on the embedded store", () => {
  it("fails a workspace the file does not have, with the command that creates it, and passes it once created", async () => {
    const uri = `sqlite:///${join(tempDir(), "mlflow.db")}`;
    expect(await workspaceCheck({ MLFLOW_TRACKING_URI: uri, MLFLOW_WORKSPACE: "team-a" })).toMatchObject({
      status: "fail",
      detail: `MLFLOW_WORKSPACE is "team-a", which the embedded store ${uri} does not have (it has: default).`,
      hint: "Create it (mlflow-ts workspaces create team-a, with the same MLFLOW_TRACKING_URI) or set MLFLOW_WORKSPACE to one of: default.",
    });
    const client = new MlflowClient({ trackingUri: uri, env: QUIET });
    await client.workspaces.create({ name: "team-a" });
    await client.close();
    expect(await workspaceCheck({ MLFLOW_TRACKING_URI: uri, MLFLOW_WORKSPACE: "team-a" })).toMatchObject({
      status: "pass",
      detail: `Workspace "team-a" exists in the embedded store ${uri}.`,
    });
  });

  it("does not apply without a workspace", async () => {
    const uri = `sqlite:///${join(tempDir(), "mlflow.db")}`;
    expect(await workspaceCheck({ MLFLOW_TRACKING_URI: uri })).toMatchObject({
      status: "skip",
      detail: "The embedded store, and no workspace configured: runs go to its default workspace.",
    });
  });
});
