/**
 * What every handler of the embedded store works with: the database, a cache of prepared
 * statements, the clock, the default artifact root and the active workspace, plus the lookups most
 * handlers start with (a run or an experiment by id, with MLflow's not-found and not-active
 * errors). The lookups see only the active workspace, as MLflow's workspace-aware SQL store
 * scopes them (`WorkspaceAwareSqlAlchemyStore._get_query`): an experiment by its `workspace`
 * column, a run through its experiment.
 */
import type { Statement } from "better-sqlite3";
import { DEFAULT_WORKSPACE } from "../../../core/workspace.js";
import type { Database } from "./database.js";
import { invalidParameter, notFound } from "./errors.js";

/** A row of `experiments`. */
export interface ExperimentRow {
  experiment_id: number;
  name: string;
  artifact_location: string | null;
  lifecycle_stage: string | null;
  creation_time: number | null;
  last_update_time: number | null;
  workspace: string;
}

/** A row of `runs`. */
export interface RunRow {
  run_uuid: string;
  name: string | null;
  user_id: string | null;
  status: string | null;
  start_time: number | null;
  end_time: number | null;
  deleted_time: number | null;
  lifecycle_stage: string | null;
  artifact_uri: string | null;
  experiment_id: number | null;
}

/** Settings of a {@link StoreContext}. */
export interface StoreContextOptions {
  /** Root under which new experiments get `<root>/<id>`. */
  defaultArtifactRoot: string;
  /** The clock, in ms since the epoch. @defaultValue Date.now */
  now?: () => number;
  /**
   * The workspace configured for the client (`MLFLOW_WORKSPACE`, the `workspace` option), already
   * checked against MLflow's naming rule. `undefined` keeps MLflow's single-tenant store: every row
   * in `default`, experiments under `<root>/<id>`. @defaultValue undefined
   */
  workspace?: string | undefined;
}

/**
 * The database and shared lookups of one embedded store.
 * @internal
 */
export class StoreContext {
  readonly db: Database;
  readonly defaultArtifactRoot: string;
  readonly now: () => number;
  /** The workspace every handler reads and writes in: the configured one, else `default`. */
  readonly workspace: string;
  /** True when a workspace was configured: MLflow's workspace-aware store (`MLFLOW_ENABLE_WORKSPACES`). */
  readonly workspaceAware: boolean;
  readonly #statements = new Map<string, Statement>();

  constructor(db: Database, options: StoreContextOptions) {
    this.db = db;
    this.defaultArtifactRoot = options.defaultArtifactRoot;
    this.now = options.now ?? Date.now;
    this.workspace = options.workspace ?? DEFAULT_WORKSPACE;
    this.workspaceAware = options.workspace !== undefined;
  }

  /** A prepared statement, compiled once per SQL text. */
  prepare(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * The run with this id, deleted or not.
   * @throws {StoreException} `RESOURCE_DOES_NOT_EXIST` ("Run with id=… not found").
   */
  getRun(runId: string): RunRow {
    const row = this.prepare(
      "SELECT runs.* FROM runs JOIN experiments ON experiments.experiment_id = runs.experiment_id WHERE runs.run_uuid = ? AND experiments.workspace = ?",
    ).get(runId, this.workspace) as RunRow | undefined;
    if (!row) throw notFound(`Run with id=${runId} not found`);
    return row;
  }

  /**
   * The run with this id, which must be active (not deleted) to be written to.
   * @throws {StoreException} `RESOURCE_DOES_NOT_EXIST`, or `INVALID_PARAMETER_VALUE` for a deleted run.
   */
  getActiveRun(runId: string): RunRow {
    const run = this.getRun(runId);
    if (run.lifecycle_stage !== "active") {
      throw invalidParameter(`The run ${run.run_uuid} must be in the 'active' state. Current state is ${run.lifecycle_stage}.`);
    }
    return run;
  }

  /**
   * Refuses a workspace the file does not have, as `mlflow server --enable-workspaces` refuses a
   * request whose `X-MLFLOW-WORKSPACE` names none (`resolve_workspace_from_header`); `default` is
   * the schema's own and always passes.
   * @throws {StoreException} `RESOURCE_DOES_NOT_EXIST` ("Workspace '…' not found"), which the store
   *   turns into `UnknownWorkspaceError`.
   */
  checkWorkspace(): void {
    if (this.workspace === DEFAULT_WORKSPACE) return;
    if (!this.prepare("SELECT 1 FROM workspaces WHERE name = ?").get(this.workspace)) throw notFound(`Workspace '${this.workspace}' not found`);
  }

  /**
   * The experiment with this id (`""` means the Default experiment "0"), in any lifecycle stage.
   * @throws {StoreException} `INVALID_PARAMETER_VALUE` for a non-integer id, `RESOURCE_DOES_NOT_EXIST` when absent.
   */
  getExperiment(experimentId: string | undefined, stages: readonly string[] = ["active", "deleted"]): ExperimentRow {
    const id = parseExperimentId(experimentId || "0");
    const row = this.prepare("SELECT * FROM experiments WHERE experiment_id = ? AND workspace = ?").get(id, this.workspace) as ExperimentRow | undefined;
    if (!row || !stages.includes(row.lifecycle_stage ?? "")) throw notFound(`No Experiment with id=${id} exists`);
    return row;
  }
}

/**
 * An experiment id as the SQL store reads it: a base-10 integer.
 * @throws {StoreException} `INVALID_PARAMETER_VALUE` otherwise.
 * @internal
 */
export function parseExperimentId(experimentId: string | number): number {
  const text = String(experimentId).trim();
  if (!/^[-+]?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw invalidParameter(`Invalid experiment ID '${String(experimentId)}'. Experiment ID must be a valid integer.`);
  }
  return Number(text);
}
