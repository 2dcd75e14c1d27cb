/**
 * `workspace`: whether the workspace configured (`MLFLOW_WORKSPACE`, the `workspace` option) can be
 * used on this server — the server has workspaces (MLflow 3.10+ started with `--enable-workspaces`)
 * and has that one — and, with none configured, whether the server can do without one (it has a
 * `default` workspace). One `GET /api/3.0/mlflow/workspaces` at most. On the embedded store, whether
 * the file's `workspaces` table has the configured workspace (every RPC in another fails).
 */
import type { SetupContext } from "../context.js";
import { type CheckDefinition, fail, notApplicable, pass, warn } from "../runner.js";

/** The `workspace` check. @internal */
export const workspaceCheck: CheckDefinition<SetupContext> = {
  id: "workspace",
  title: "Workspace",
  needs: ["auth"],
  calls: 2,
  async run(context, signal) {
    const workspace = context.config?.workspace;
    const client = context.client;
    if (!client) return notApplicable("No client.");
    if (!context.transport) {
      if (workspace === undefined) return notApplicable("The embedded store, and no workspace configured: runs go to its default workspace.");
      let names: string[];
      try {
        names = (await client.workspaces.list(context.callOptions(signal))).map((ws) => ws.name);
      } catch (error) {
        return fail(`Listing the embedded store's workspaces failed: ${(error as Error).message}`, "Check that the database file can be opened.");
      }
      if (names.includes(workspace)) return pass(`Workspace "${workspace}" exists in the embedded store ${client.trackingUri}.`);
      return fail(
        `MLFLOW_WORKSPACE is "${workspace}", which the embedded store ${client.trackingUri} does not have (it has: ${names.join(", ")}).`,
        `Create it (mlflow-ts workspaces create ${workspace}, with the same MLFLOW_TRACKING_URI) or set MLFLOW_WORKSPACE to one of: ${names.join(", ")}.`,
      );
    }
    const info = context.serverInfo;
    if (info === undefined) {
      if (workspace === undefined)
        return notApplicable("No workspaces on this server (no /api/3.0/mlflow/server-info: MLflow before 3.10), and none configured.");
      return fail(
        `MLFLOW_WORKSPACE is "${workspace}", but the server has no workspaces (no /api/3.0/mlflow/server-info: MLflow before 3.10, or it refused the request).`,
        "Unset MLFLOW_WORKSPACE, or run MLflow 3.10+ started with --enable-workspaces.",
      );
    }
    if (info.workspaces_enabled !== true) {
      if (workspace === undefined) return pass("The server runs without workspaces, and none is configured.");
      return fail(
        `MLFLOW_WORKSPACE is "${workspace}", but the server runs without workspaces: it refuses every request that names one (FEATURE_DISABLED).`,
        "Unset MLFLOW_WORKSPACE, or start the server with --enable-workspaces.",
      );
    }
    let names: string[];
    try {
      names = (await client.workspaces.list(context.callOptions(signal))).map((ws) => ws.name);
    } catch (error) {
      return warn(`Workspaces are on, but listing them failed: ${(error as Error).message}`, "Check that these credentials may list workspaces.");
    }
    const listed = names.join(", ") || "none";
    if (workspace === undefined) {
      if (names.includes("default")) return pass(`Workspaces are on; requests go to the default workspace (the server lists: ${listed}).`);
      return fail(
        `Workspaces are on and the server lists no default workspace (it lists: ${listed}), so requests must name one; MLFLOW_WORKSPACE is unset.`,
        `Set MLFLOW_WORKSPACE to one of: ${listed}.`,
      );
    }
    if (names.includes(workspace)) return pass(`Workspace "${workspace}" exists on the server.`);
    return fail(
      `MLFLOW_WORKSPACE is "${workspace}", which the server does not list (it lists: ${listed}).`,
      `Create it (mlflow-ts workspaces create ${workspace}) or set MLFLOW_WORKSPACE to one of: ${listed}.`,
    );
  },
};
