/**
 * Creates a new database exactly as the pinned MLflow release does (its CREATE statements, its
 * seed rows and the Default experiment), and checks that an existing one is at a schema revision
 * mlflow-ts knows before using it.
 */
import { ConfigurationError } from "../../../core/errors.js";
import type { Database } from "./database.js";
import { OLDER_REVISIONS, SCHEMA_MLFLOW_VERSION, SCHEMA_REVISION, SCHEMA_SEED_ROWS, SCHEMA_STATEMENTS } from "./schema.generated.js";

/**
 * Revisions after the pinned one whose migrations leave every table mlflow-ts reads or writes
 * unchanged, so their databases are used as they are: MLflow 3.18.0 adds skill-registry tables
 * (`e7d1f4b2a9c6`), extends the issues tables (`8b6ad64cb8f5`) and rebuilds MCP server version keys
 * (`f4a9b2c7d1e6`).
 */
export const COMPATIBLE_NEWER_REVISIONS: readonly string[] = ["e7d1f4b2a9c6", "8b6ad64cb8f5", "f4a9b2c7d1e6"];

/** Name and id of the experiment MLflow creates in every database. */
export const DEFAULT_EXPERIMENT = { id: 0, name: "Default" } as const;

/** What {@link ensureSchema} needs to know about the store. */
export interface SchemaContext {
  /** The database as a URI, for messages, e.g. `sqlite:////home/me/mlflow.db`. */
  uri: string;
  /** Artifact location of the Default experiment, e.g. `/home/me/mlruns/0`. */
  defaultExperimentArtifactLocation: string;
  /** The clock, in ms. */
  now: () => number;
}

/**
 * Creates MLflow's schema in an empty database, or checks the revision of an existing one; adds
 * the Default experiment when it is missing (as MLflow does on start-up). Runs in one exclusive
 * transaction, so two processes opening a new file at once create it once.
 * @returns The alembic revision of the database.
 * @throws {ConfigurationError} for a database at an unknown or older revision, or a file that is
 *   not an MLflow database.
 * @internal
 */
export function ensureSchema(db: Database, context: SchemaContext): string {
  return db
    .transaction(() => {
      if (tableNames(db).every((name) => name.startsWith("alembic_"))) createSchema(db);
      const revision = schemaRevision(db, tableNames(db), context.uri);
      checkRevision(revision, context.uri);
      ensureDefaultExperiment(db, context);
      return revision;
    })
    .immediate();
}

function tableNames(db: Database): string[] {
  const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[];
  return rows.map((row) => row.name);
}

function createSchema(db: Database): void {
  db.exec("DROP TABLE IF EXISTS alembic_version");
  for (const statement of SCHEMA_STATEMENTS) db.exec(statement.sql);
  for (const { table, row } of SCHEMA_SEED_ROWS) {
    const columns = Object.keys(row);
    const sql = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`;
    db.prepare(sql).run(...columns.map((c) => row[c]));
  }
}

function schemaRevision(db: Database, tables: string[], uri: string): string {
  const revision = tables.includes("alembic_version")
    ? (db.prepare("SELECT version_num FROM alembic_version").get() as { version_num: string } | undefined)?.version_num
    : undefined;
  if (revision !== undefined && tables.includes("experiments") && tables.includes("runs")) return revision;
  throw new ConfigurationError(
    "MLFLOW_TRACKING_URI",
    `${uri} is not an MLflow tracking database (it has tables, but no MLflow schema version). Fix: point MLFLOW_TRACKING_URI at another sqlite:/// file (a new file is created with MLflow's schema).`,
  );
}

function checkRevision(revision: string, uri: string): void {
  if (revision === SCHEMA_REVISION || COMPATIBLE_NEWER_REVISIONS.includes(revision)) return;
  if (OLDER_REVISIONS.includes(revision)) {
    throw new ConfigurationError(
      "MLFLOW_TRACKING_URI",
      `${uri} was written by an older MLflow (schema revision ${revision}); mlflow-ts writes the MLflow ${SCHEMA_MLFLOW_VERSION} schema (${SCHEMA_REVISION}). ` +
        `Fix: back the file up, then run \`mlflow db upgrade ${uri}\` with MLflow ${SCHEMA_MLFLOW_VERSION} or later.`,
    );
  }
  throw new ConfigurationError(
    "MLFLOW_TRACKING_URI",
    `${uri} has the MLflow schema revision ${revision}, which this version of mlflow-ts does not know (it writes the MLflow ${SCHEMA_MLFLOW_VERSION} schema, ${SCHEMA_REVISION}); it was probably written by a newer MLflow. ` +
      "Fix: upgrade mlflow-ts, or point MLFLOW_TRACKING_URI at another sqlite:/// file.",
  );
}

function ensureDefaultExperiment(db: Database, context: SchemaContext): void {
  const exists = db.prepare("SELECT 1 FROM experiments WHERE experiment_id = ?").get(DEFAULT_EXPERIMENT.id);
  if (exists) return;
  const now = context.now();
  db.prepare(
    "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time, workspace) VALUES (?, ?, ?, 'active', ?, ?, 'default')",
  ).run(DEFAULT_EXPERIMENT.id, DEFAULT_EXPERIMENT.name, context.defaultExperimentArtifactLocation, now, now);
}
