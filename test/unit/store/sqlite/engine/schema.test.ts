/**
 * The embedded store creates MLflow's schema in a new file and uses an existing one only at a
 * schema revision it knows; otherwise it refuses with a message that says what to run.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { MlflowClient } from "../../../../../src/client/client.js";
import { ConfigurationError } from "../../../../../src/core/errors.js";
import { OLDER_REVISIONS, SCHEMA_REVISION, SCHEMA_STATEMENTS } from "../../../../../src/store/sqlite/engine/schema.generated.js";
import { COMPATIBLE_NEWER_REVISIONS } from "../../../../../src/store/sqlite/engine/schema.js";
import { QUIET, removeTempDirs, sqliteStore, tempDir } from "../helpers.js";

afterEach(removeTempDirs);

function withDb<T>(path: string, work: (db: Database.Database) => T): T {
  const db = new Database(path);
  try {
    return work(db);
  } finally {
    db.close();
  }
}

describe("embedded store: schema", () => {
  it("creates every table, index and trigger of the pinned MLflow schema, its alembic revision and seed rows", async () => {
    const dir = tempDir();
    await (await sqliteStore(dir)).close();
    withDb(join(dir, "mlflow.db"), (db) => {
      const names = (db.prepare("SELECT name FROM sqlite_master WHERE sql IS NOT NULL").all() as { name: string }[]).map((r) => r.name).sort();
      expect(names).toEqual(SCHEMA_STATEMENTS.map((s) => s.name).sort());
      expect(db.prepare("SELECT version_num FROM alembic_version").all()).toEqual([{ version_num: SCHEMA_REVISION }]);
      expect(db.prepare("SELECT name FROM workspaces").all()).toEqual([{ name: "default" }]);
      expect(db.prepare("SELECT experiment_id, name, lifecycle_stage, workspace FROM experiments").all()).toEqual([
        { experiment_id: 0, name: "Default", lifecycle_stage: "active", workspace: "default" },
      ]);
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    });
  });

  it("keeps MLflow's rollback journal when MLFLOW_TS_SQLITE_JOURNAL_MODE=delete, and refuses other values", async () => {
    const dir = tempDir();
    const path = join(dir, "mlflow.db");
    const client = new MlflowClient({ trackingUri: `sqlite:///${path}`, env: { ...QUIET, MLFLOW_TS_SQLITE_JOURNAL_MODE: "DELETE" } });
    await client.experiments.search().all();
    await client.close();
    expect(withDb(path, (db) => db.pragma("journal_mode", { simple: true }))).toBe("delete");
    expect(() => new MlflowClient({ trackingUri: `sqlite:///${path}`, env: { ...QUIET, MLFLOW_TS_SQLITE_JOURNAL_MODE: "truncate" } })).toThrow(
      /MLFLOW_TS_SQLITE_JOURNAL_MODE must be "wal" or "delete"/,
    );
  });

  it("reopens its own database without changing it", async () => {
    const dir = tempDir();
    const first = await sqliteStore(dir);
    await first.call("experiments.create", { name: "kept" });
    await first.close();
    const second = await sqliteStore(dir);
    expect(second.schemaRevision).toBe(SCHEMA_REVISION);
    expect((await second.call("experiments.getByName", { experiment_name: "kept" })).experiment.experiment_id).toBe("1");
    await second.close();
  });

  it("refuses a database at an older revision and says to run mlflow db upgrade", async () => {
    const dir = tempDir();
    await (await sqliteStore(dir)).close();
    withDb(join(dir, "mlflow.db"), (db) => db.prepare("UPDATE alembic_version SET version_num = ?").run(OLDER_REVISIONS[3]));
    const error = await sqliteStore(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(`mlflow db upgrade sqlite:///${join(dir, "mlflow.db")}`);
  });

  it("refuses an unknown (newer) revision and says to upgrade mlflow-ts", async () => {
    const dir = tempDir();
    await (await sqliteStore(dir)).close();
    withDb(join(dir, "mlflow.db"), (db) => db.prepare("UPDATE alembic_version SET version_num = 'ffffffffffff'").run());
    await expect(sqliteStore(dir)).rejects.toThrow(/does not know.*upgrade mlflow-ts/);
  });

  it("uses databases at the revisions of MLflow 3.18, whose migrations leave the tracking tables alone", async () => {
    const dir = tempDir();
    await (await sqliteStore(dir)).close();
    withDb(join(dir, "mlflow.db"), (db) => db.prepare("UPDATE alembic_version SET version_num = ?").run(COMPATIBLE_NEWER_REVISIONS.at(-1)));
    const store = await sqliteStore(dir);
    expect(store.schemaRevision).toBe(COMPATIBLE_NEWER_REVISIONS.at(-1));
    await store.close();
  });

  it("refuses a SQLite file that is not an MLflow database, and a file that is not SQLite", async () => {
    const dir = tempDir();
    withDb(join(dir, "mlflow.db"), (db) => db.exec("CREATE TABLE notes (x TEXT)"));
    await expect(sqliteStore(dir)).rejects.toThrow(/is not an MLflow tracking database/);
    const other = tempDir();
    writeFileSync(join(other, "mlflow.db"), "this is not a database, just some text that is long enough to look like a header");
    const error = await sqliteStore(other).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/Cannot open the SQLite database .*file is not a database/);
  });

  it("adds the Default experiment when an MLflow database lacks it, as MLflow does on start-up", async () => {
    const dir = tempDir();
    await (await sqliteStore(dir)).close();
    withDb(join(dir, "mlflow.db"), (db) => db.prepare("DELETE FROM experiments").run());
    const store = await sqliteStore(dir);
    expect((await store.call("experiments.get", { experiment_id: "0" })).experiment.name).toBe("Default");
    await store.close();
  });
});
