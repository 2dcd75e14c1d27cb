/**
 * Tables as MLflow's log_table writes them: split JSON, columns or rows in, rows appended to an
 * existing table with the columns united, and the mlflow.loggedArtifacts tag kept as Python keeps it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ArtifactNotFoundError } from "../../../src/artifacts/errors.js";
import { ValidationError } from "../../../src/core/errors.js";
import { startRun } from "../../../src/logging/fluent.js";
import { LOGGED_ARTIFACTS_TAG } from "../../../src/protocol/tag-names.js";
import { appendTables, loadTable, logTable, toSplitTable } from "../../../src/tables/tables.js";
import { removeTempDirs, sqliteClient, tempDir } from "../store/sqlite/helpers.js";

afterEach(removeTempDirs);

describe("the split table", () => {
  it("takes columns or rows; a missing cell, undefined or NaN is null", () => {
    expect(toSplitTable({ q: ["a", "b"], score: [1, Number.NaN] })).toEqual({
      columns: ["q", "score"],
      data: [
        ["a", 1],
        ["b", null],
      ],
    });
    expect(toSplitTable([{ q: "a" }, { q: "b", extra: true }])).toEqual({
      columns: ["q", "extra"],
      data: [
        ["a", null],
        ["b", true],
      ],
    });
    expect(toSplitTable({})).toEqual({ columns: [], data: [] });
  });

  it("refuses columns of different lengths, naming them", () => {
    expect(() => toSplitTable({ q: ["a", "b"], score: [1] })).toThrow(/q: 2, score: 1/);
  });

  it("appends as pd.concat does: the existing columns first, then the new ones", () => {
    expect(appendTables({ columns: ["a", "b"], data: [[1, 2]] }, { columns: ["b", "c"], data: [[3, 4]] })).toEqual({
      columns: ["a", "b", "c"],
      data: [
        [1, 2, null],
        [null, 3, 4],
      ],
    });
  });
});

describe("logTable on a run (embedded store, local artifacts)", () => {
  it("writes the table, appends to it, and lists it once in mlflow.loggedArtifacts", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const experimentId = await client.experiments.create({ name: "tables", artifact_location: join(dir, "artifacts") });
    const run = await startRun({ client, experimentId, exitHooks: false });

    await run.logTable({ question: ["What is MLflow?"], score: [0.5] }, "eval/answers.json");
    await run.logTable([{ question: "What is a run?", latency_ms: 12 }], "eval/answers.json");
    await logTable(client, run.runId, { other: [1] }, "other.json");

    const file = join(dir, "artifacts", run.runId, "artifacts", "eval", "answers.json");
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({
      columns: ["question", "score", "latency_ms"],
      data: [
        ["What is MLflow?", 0.5, null],
        ["What is a run?", null, 12],
      ],
    });
    const tags = (await client.runs.get(run.runId)).data.tags;
    expect(tags.find((tag) => tag.key === LOGGED_ARTIFACTS_TAG)?.value).toBe(
      '[{"path": "eval/answers.json", "type": "table"}, {"path": "other.json", "type": "table"}]',
    );
    await run.end();
    await client.close();
  });

  it("refuses a file that is not .json, and leaves a non-table file with that name alone", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const experimentId = await client.experiments.create({ name: "tables", artifact_location: join(dir, "artifacts") });
    const run = await startRun({ client, experimentId, exitHooks: false });
    await expect(run.logTable({ a: [1] }, "t.parquet")).rejects.toMatchObject({ key: "artifactFile", rule: "table-file" });
    await run.logText("not a table", "notes.json");
    await expect(run.logTable({ a: [1] }, "notes.json")).rejects.toBeInstanceOf(ValidationError);
    expect(readFileSync(join(dir, "artifacts", run.runId, "artifacts", "notes.json"), "utf8")).toBe("not a table");
    await run.end();
    await client.close();
  });
});

describe("loadTable (embedded store)", () => {
  it("reads the table of every run that logged it, with run columns, and only the runs asked for", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const experimentId = await client.experiments.create({ name: "tables", artifact_location: join(dir, "artifacts") });
    const first = await startRun({ client, experimentId, exitHooks: false, tags: { model: "small" } });
    await first.logTable({ q: ["a"], score: [1] }, "answers.json");
    await first.end();
    const second = await startRun({ client, experimentId, exitHooks: false, tags: { model: "large" } });
    await second.logTable({ q: ["b", "c"], score: [2, 3] }, "answers.json");
    await second.end();
    const other = await startRun({ client, experimentId, exitHooks: false });
    await other.logTable({ x: [1] }, "other.json");
    await other.end();

    const all = await loadTable(client, experimentId, "answers.json", { extraColumns: ["run_id", "tags.model", "q"] });
    expect(all.columns).toEqual(["q", "score", "run_id", "tags.model", "q_"]);
    const rows = all.data.map((row) => row.slice(0, 2).concat(row[3]));
    expect(rows.sort()).toEqual([
      ["a", 1, "small"],
      ["b", 2, "large"],
      ["c", 3, "large"],
    ]);
    expect(all.data.find((row) => row[0] === "a")![2]).toBe(first.runId);

    const one = await loadTable(client, experimentId, "answers.json", { runIds: [second.runId] });
    expect(one).toEqual({
      columns: ["q", "score"],
      data: [
        ["b", 2],
        ["c", 3],
      ],
    });
    await expect(loadTable(client, experimentId, "missing.json")).rejects.toBeInstanceOf(ArtifactNotFoundError);
    await client.close();
  });
});
