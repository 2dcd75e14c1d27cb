/**
 * What every handler of the embedded store works with: the database, a cache of prepared
 * statements, the clock and the default artifact root, plus the lookups most handlers start with
 * (a run or an experiment by id, with MLflow's not-found and not-active errors).
 */
import type { Statement } from "better-sqlite3";
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
}

/**
 * The database and shared lookups of one embedded store.
 * @internal
 */
export class StoreContext {
  readonly db: Database;
  readonly defaultArtifactRoot: string;
  readonly now: () => number;
  readonly #statements = new Map<string, Statement>();

  constructor(db: Database, options: StoreContextOptions) {
    this.db = db;
    this.defaultArtifactRoot = options.defaultArtifactRoot;
    this.now = options.now ?? Date.now;
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
    const row = this.prepare("SELECT * FROM runs WHERE run_uuid = ?").get(runId) as RunRow | undefined;
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
   * The experiment with this id (`""` means the Default experiment "0"), in any lifecycle stage.
   * @throws {StoreException} `INVALID_PARAMETER_VALUE` for a non-integer id, `RESOURCE_DOES_NOT_EXIST` when absent.
   */
  getExperiment(experimentId: string | undefined, stages: readonly string[] = ["active", "deleted"]): ExperimentRow {
    const id = parseExperimentId(experimentId || "0");
    const row = this.prepare("SELECT * FROM experiments WHERE experiment_id = ?").get(id) as ExperimentRow | undefined;
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
