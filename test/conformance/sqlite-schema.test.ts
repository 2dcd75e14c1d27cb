/**
 * The embedded store's database is MLflow's: the schema mlflow-ts creates equals, statement for
 * statement, what MLflow's own migrations create at the pinned revision; the Default experiment
 * and seed rows are MLflow's; and `mlflow db upgrade` accepts the file after mlflow-ts filled it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { SCHEMA_MLFLOW_VERSION, SCHEMA_REVISION } from "../../src/store/sqlite/engine/schema.generated.js";
import { COMPATIBLE_NEWER_REVISIONS } from "../../src/store/sqlite/engine/schema.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { interop, mlflowCli, normalizedSchema, pythonMlflowVersion } from "./sqlite-python.js";

const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-schema-"));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function createWithMlflowTs(path: string): Promise<void> {
  const store = await openSqliteStore(path, { quiet: true, defaultArtifactRoot: join(dir, "mlruns") });
  await store.close();
}

function query(path: string, sql: string): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

describe("conformance: embedded store schema", () => {
  it("creates exactly the tables, columns, constraints, indexes and trigger MLflow's migrations create at the pinned revision", async () => {
    const ours = join(dir, "ours.db");
    const theirs = join(dir, "theirs.db");
    await createWithMlflowTs(ours);
    await interop(dir, "schema", theirs, SCHEMA_REVISION);
    const expected = normalizedSchema(theirs);
    expect(expected.length).toBeGreaterThan(200);
    expect(normalizedSchema(ours)).toEqual(expected);
    expect(query(ours, "SELECT version_num FROM alembic_version")).toEqual(query(theirs, "SELECT version_num FROM alembic_version"));
  });

  it("seeds the Default experiment and the default workspace as MLflow does when it creates a database", async () => {
    const ours = join(dir, "seed-ours.db");
    const theirs = join(dir, "seed-theirs.db");
    await createWithMlflowTs(ours);
    writeFileSync(join(dir, "no-queries.json"), "{}");
    await interop(dir, "read", theirs, join(dir, "no-queries.json"));
    // With the pinned release itself, the database its client creates is also ours, statement for statement.
    if ((await pythonMlflowVersion(dir)) === SCHEMA_MLFLOW_VERSION) expect(normalizedSchema(ours)).toEqual(normalizedSchema(theirs));
    const defaults = "SELECT experiment_id, name, artifact_location, lifecycle_stage, workspace FROM experiments";
    expect(query(ours, defaults)).toEqual(query(theirs, defaults));
    expect(query(ours, "SELECT * FROM workspaces")).toEqual(query(theirs, "SELECT * FROM workspaces"));
  });

  it("lets `mlflow db upgrade` run on a database mlflow-ts created and filled, and still opens it afterwards", async () => {
    const path = join(dir, "upgrade.db");
    const store = await openSqliteStore(path, { quiet: true, defaultArtifactRoot: join(dir, "mlruns") });
    const { run } = await store.call("runs.create", { experiment_id: "0", run_name: "before-upgrade" });
    await store.call("runs.logBatch", {
      run_id: run.info.run_id,
      metrics: [{ key: "m", value: "NaN", timestamp: 1, step: 0 }],
      params: [{ key: "p", value: "1" }],
    });
    await store.close();
    await mlflowCli(dir, "db", "upgrade", `sqlite:///${path}`);
    const [row] = query(path, "SELECT version_num FROM alembic_version") as { version_num: string }[];
    const revision = row?.version_num;
    expect([SCHEMA_REVISION, ...COMPATIBLE_NEWER_REVISIONS]).toContain(revision);
    const reopened = await openSqliteStore(path, { quiet: true });
    expect((await reopened.call("runs.get", { run_id: run.info.run_id })).run.data.params).toEqual([{ key: "p", value: "1" }]);
    await reopened.close();
  });
});
