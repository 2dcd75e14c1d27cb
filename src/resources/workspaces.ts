/**
 * `client.workspaces`: the workspaces of an MLflow 3.10+ server started with `--enable-workspaces`
 * (list, get, create, update, delete), as Python's `RestWorkspaceStore` calls them. Which workspace
 * the other resources work in is the client's `workspace` option (`MLFLOW_WORKSPACE`).
 */
import { ValidationError } from "../core/errors.js";
import type { RequestOptions } from "../core/http/transport.js";
import { DEFAULT_WORKSPACE, workspaceNameProblem } from "../core/workspace.js";
import type { Workspace, WorkspaceDeletionMode } from "../protocol/entities/workspace.js";
import { APIResource } from "./resource.js";

/** Parameters of {@link Workspaces.create} (wire names). */
export interface CreateWorkspaceParams {
  /** 2–63 lowercase letters, digits and inner hyphens; not `default` (the server's own). */
  name: string;
  /** What the workspace is for, for people. */
  description?: string | undefined;
  /**
   * Where the workspace's experiments keep their artifacts, e.g. `s3://bucket/team-a` or
   * `mlflow-artifacts:/team-a`. Default: the server's `--default-artifact-root` (with proxied
   * artifacts, under `workspaces/<name>/`).
   */
  default_artifact_root?: string | undefined;
}

/** Parameters of {@link Workspaces.update}: only what is given changes; `""` clears the artifact root. */
export interface UpdateWorkspaceParams {
  /** The new description. */
  description?: string | undefined;
  /** The new artifact root; `""` clears it (the server's `--default-artifact-root` then applies). */
  default_artifact_root?: string | undefined;
}

/**
 * The workspaces of the tracking server. A server before MLflow 3.10 fails with
 * `UnsupportedFeatureError`; one started without `--enable-workspaces` with an error that says so.
 *
 * @example
 * await client.workspaces.create({ name: "team-a", description: "vision models" });
 * for (const ws of await client.workspaces.list()) console.log(ws.name);
 * const teamA = new MlflowClient({ workspace: "team-a" }); // or MLFLOW_WORKSPACE=team-a
 */
export class Workspaces extends APIResource {
  /**
   * Every workspace the caller may see, `default` included.
   * @throws {UnsupportedFeatureError} on a server before MLflow 3.10.
   * @example
   * const names = (await client.workspaces.list()).map((ws) => ws.name); // ["default", "team-a"]
   */
  async list(options?: RequestOptions): Promise<Workspace[]> {
    return (await this.store.call("workspaces.list", {}, options)).workspaces;
  }

  /**
   * One workspace by name.
   * @throws {ValidationError} (rule `workspace-name`) for a name the server would refuse, before any request.
   * @throws {NotFoundError} when the server has no such workspace.
   * @example
   * const ws = await client.workspaces.get("team-a"); // { name: "team-a", description: "vision models" }
   */
  async get(name: string, options?: RequestOptions): Promise<Workspace> {
    checkName(name);
    return (await this.store.call("workspaces.get", { workspace_name: name }, options)).workspace;
  }

  /**
   * Creates a workspace. Not retried after an ambiguous failure (the server refuses a second one
   * with `AlreadyExistsError`).
   * @throws {ValidationError} (rule `workspace-name`) for a bad or reserved name, `default` included.
   * @throws {AlreadyExistsError} when the workspace exists.
   * @example
   * await client.workspaces.create({ name: "team-a", default_artifact_root: "s3://ml-artifacts/team-a" });
   */
  async create(params: CreateWorkspaceParams, options?: RequestOptions): Promise<Workspace> {
    if (params.name === DEFAULT_WORKSPACE) {
      throw new ValidationError(
        "name",
        "workspace-name",
        `The "${DEFAULT_WORKSPACE}" workspace is the server's own and always exists. Fix: choose another name, e.g. team-a.`,
      );
    }
    checkName(params.name);
    return (await this.store.call("workspaces.create", params, options)).workspace;
  }

  /**
   * Changes a workspace's description or artifact root (`""` clears it: the server's default applies).
   * @throws {ValidationError} for a bad name, or when nothing is given to change.
   * @throws {NotFoundError} when the server has no such workspace.
   * @example
   * await client.workspaces.update("team-a", { description: "vision and audio" });
   */
  async update(name: string, params: UpdateWorkspaceParams, options?: RequestOptions): Promise<Workspace> {
    checkName(name);
    if (params.description === undefined && params.default_artifact_root === undefined) {
      throw new ValidationError("params", "workspace-update", "A workspace update needs description or default_artifact_root. Fix: give at least one of them.");
    }
    return (await this.store.call("workspaces.update", { workspace_name: name, ...params }, options)).workspace;
  }

  /**
   * Deletes a workspace. `mode` says what happens to its experiments and models: `RESTRICT`
   * (default) refuses while it holds any, `CASCADE` deletes them, `SET_DEFAULT` moves them to `default`.
   * @throws {ValidationError} for a bad name, or `default` (which cannot be deleted).
   * @throws {NotFoundError} when the server has no such workspace.
   * @example
   * await client.workspaces.delete("team-a", { mode: "SET_DEFAULT" });
   */
  async delete(name: string, params: { mode?: WorkspaceDeletionMode | undefined } = {}, options?: RequestOptions): Promise<void> {
    if (name === DEFAULT_WORKSPACE) {
      throw new ValidationError(
        "name",
        "workspace-name",
        `The "${DEFAULT_WORKSPACE}" workspace cannot be deleted. Fix: delete the workspace you created instead.`,
      );
    }
    checkName(name);
    await this.store.call("workspaces.delete", { workspace_name: name, mode: params.mode === "RESTRICT" ? undefined : params.mode }, options);
  }
}

function checkName(name: string): void {
  const problem = typeof name === "string" ? workspaceNameProblem(name) : "must be a string";
  if (problem !== undefined) {
    throw new ValidationError(
      "name",
      "workspace-name",
      `Workspace name "${String(name)}" ${problem}. Fix: use a name like team-a (mlflow-ts workspaces list shows the server's).`,
    );
  }
}
