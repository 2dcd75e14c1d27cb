/**
 * The workspace API of the embedded store (`client.workspaces`, `mlflow-ts workspaces`) over the
 * `workspaces` table of MLflow's schema, as `mlflow server --enable-workspaces` on the same file
 * answers it: its handlers' checks (`_create_workspace_handler` …) over MLflow's SQL workspace store
 * (`mlflow/store/workspace/sqlalchemy_store.py`): names ordered on list, `default` reserved, the
 * artifact root `""` clearing it, and a delete that refuses a workspace still holding resources
 * (`RESTRICT`) or moves them to `default` (`SET_DEFAULT`). `CASCADE` (which deletes experiments
 * with their runs through SQLAlchemy's ORM cascades) is left to the server.
 */
import { DEFAULT_WORKSPACE, workspaceNameProblem } from "../../../core/workspace.js";
import type { EndpointRequest } from "../../../protocol/endpoints.js";
import type { Workspace } from "../../../protocol/entities/workspace.js";
import type { StoreContext } from "../engine/context.js";
import { alreadyExists, invalidParameter, notFound, StoreException } from "../engine/errors.js";

/** A row of `workspaces`. */
interface WorkspaceRow {
  name: string;
  description: string | null;
  default_artifact_root: string | null;
  trace_archival_location: string | null;
  trace_archival_retention: string | null;
}

/**
 * The tables whose rows belong to a workspace directly (`_WORKSPACE_ROOT_MODELS`), in MLflow's
 * order; the registry's other tables follow `registered_models` by `ON UPDATE CASCADE`, runs and
 * logged models follow their experiment.
 */
const ROOT_TABLES = [
  "registered_models",
  "experiments",
  "evaluation_datasets",
  "webhooks",
  "secrets",
  "endpoints",
  "model_definitions",
  "budget_policies",
  "guardrails",
  "jobs",
  "mcp_servers",
] as const;
/** The root tables with a `name` column, checked for clashes before `SET_DEFAULT`. */
const NAMED_ROOT_TABLES = [
  "registered_models",
  "experiments",
  "evaluation_datasets",
  "webhooks",
  "endpoints",
  "model_definitions",
  "guardrails",
  "mcp_servers",
];

/** `GET workspaces`: every workspace, by name. @internal */
export function listWorkspaces(ctx: StoreContext): { workspaces: Workspace[] } {
  const rows = ctx.prepare("SELECT * FROM workspaces ORDER BY name ASC").all() as WorkspaceRow[];
  return { workspaces: rows.map(toWireWorkspace) };
}

/** `GET workspaces/{name}`. @internal */
export function getWorkspace(ctx: StoreContext, request: EndpointRequest<"workspaces.get">): { workspace: Workspace } {
  return { workspace: toWireWorkspace(workspaceRow(ctx, request.workspace_name)) };
}

/** `POST workspaces`. @internal */
export function createWorkspace(ctx: StoreContext, request: EndpointRequest<"workspaces.create">): { workspace: Workspace } {
  if (request.name === DEFAULT_WORKSPACE) throw invalidParameter(`The '${DEFAULT_WORKSPACE}' workspace is reserved and cannot be created`);
  checkName(request.name);
  if (ctx.prepare("SELECT 1 FROM workspaces WHERE name = ?").get(request.name)) {
    throw alreadyExists(`Workspace '${request.name}' already exists. Error: UNIQUE constraint failed: workspaces.name`);
  }
  ctx
    .prepare("INSERT INTO workspaces (name, description, default_artifact_root) VALUES (?, ?, ?)")
    .run(request.name, request.description ?? null, request.default_artifact_root || null);
  return { workspace: toWireWorkspace(workspaceRow(ctx, request.name)) };
}

/** `PATCH workspaces/{name}`: what is given changes, `default_artifact_root: ""` clears it. @internal */
export function updateWorkspace(ctx: StoreContext, request: EndpointRequest<"workspaces.update">): { workspace: Workspace } {
  if (request.workspace_name !== DEFAULT_WORKSPACE) checkName(request.workspace_name);
  if (request.description === undefined && request.default_artifact_root === undefined) throw invalidParameter("Workspace update must have at least one key");
  const row = workspaceRow(ctx, request.workspace_name);
  ctx
    .prepare("UPDATE workspaces SET description = ?, default_artifact_root = ? WHERE name = ?")
    .run(
      request.description ?? row.description,
      request.default_artifact_root === undefined ? row.default_artifact_root : request.default_artifact_root || null,
      row.name,
    );
  return { workspace: toWireWorkspace(workspaceRow(ctx, row.name)) };
}

/** `DELETE workspaces/{name}` with `RESTRICT` (the default) or `SET_DEFAULT`. @internal */
export function deleteWorkspace(ctx: StoreContext, request: EndpointRequest<"workspaces.delete">): Record<string, never> {
  const name = request.workspace_name;
  if (name === DEFAULT_WORKSPACE) throw invalidParameter(`The '${DEFAULT_WORKSPACE}' workspace is reserved and cannot be deleted`);
  checkName(name);
  const mode = request.mode ?? "RESTRICT";
  workspaceRow(ctx, name);
  if (mode === "CASCADE") {
    throw new StoreException(
      "NOT_IMPLEMENTED",
      `Deleting workspace '${name}' with mode CASCADE is not supported by the embedded SQLite store. ` +
        "Fix: delete its experiments and registered models first and use RESTRICT, move them with SET_DEFAULT, or serve the file with `mlflow server --enable-workspaces` and delete it there.",
    );
  }
  if (mode === "RESTRICT") {
    for (const table of ROOT_TABLES) {
      const { count } = ctx.prepare(`SELECT count(*) AS count FROM ${table} WHERE workspace = ?`).get(name) as { count: number };
      if (count > 0) {
        throw new StoreException(
          "INVALID_STATE",
          `Cannot delete workspace '${name}': table '${table}' still contains ${count} resource(s). Remove or reassign them before deleting the workspace.`,
        );
      }
    }
  } else {
    checkSetDefaultConflicts(ctx, name);
    for (const table of ROOT_TABLES) ctx.prepare(`UPDATE ${table} SET workspace = ? WHERE workspace = ?`).run(DEFAULT_WORKSPACE, name);
  }
  ctx.prepare("DELETE FROM workspaces WHERE name = ?").run(name);
  return {};
}

function checkSetDefaultConflicts(ctx: StoreContext, name: string): void {
  const conflicts: string[] = [];
  for (const table of NAMED_ROOT_TABLES) {
    const rows = ctx
      .prepare(`SELECT name FROM ${table} WHERE workspace = ? AND name IN (SELECT name FROM ${table} WHERE workspace = ?)`)
      .all(name, DEFAULT_WORKSPACE) as { name: string }[];
    for (const row of rows) conflicts.push(`  - ${table}: '${row.name}'`);
  }
  if (conflicts.length === 0) return;
  throw new StoreException(
    "INVALID_STATE",
    `Cannot reassign resources from workspace '${name}' to '${DEFAULT_WORKSPACE}': the following names already exist in the default workspace and would cause conflicts:\n${conflicts.join("\n")}\nRename or remove the conflicting resources before retrying.`,
  );
}

function workspaceRow(ctx: StoreContext, name: string): WorkspaceRow {
  const row = ctx.prepare("SELECT * FROM workspaces WHERE name = ?").get(name) as WorkspaceRow | undefined;
  if (!row) throw notFound(`Workspace '${name}' not found`);
  return row;
}

function checkName(name: string): void {
  const problem = workspaceNameProblem(name);
  if (problem !== undefined) throw invalidParameter(`Invalid workspace name '${name}': it ${problem}.`);
}

function toWireWorkspace(row: WorkspaceRow): Workspace {
  const workspace: Workspace = { name: row.name };
  if (row.description !== null) workspace.description = row.description;
  if (row.default_artifact_root !== null) workspace.default_artifact_root = row.default_artifact_root;
  if (row.trace_archival_location !== null || row.trace_archival_retention !== null) {
    workspace.trace_archival_config = {
      ...(row.trace_archival_location === null ? {} : { location: row.trace_archival_location }),
      ...(row.trace_archival_retention === null ? {} : { retention: row.trace_archival_retention }),
    };
  }
  return workspace;
}
