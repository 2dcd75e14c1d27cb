/**
 * Tables on the real stack (artifacts straight to S3): the Python reference client's `load_table`
 * reads back what `run.logTable` wrote, appended rows and united columns included, and sees it
 * listed in `mlflow.loggedArtifacts` as its own `log_table` lists it; `loadTable` reads what
 * Python's `log_table` wrote.
 */
import { afterAll, describe, expect, it } from "vitest";
import { startRun } from "../../src/logging/fluent.js";
import { loadTable } from "../../src/tables/tables.js";
import { runPython } from "./support/python.js";
import { stackClient, uniqueName } from "./support/stack.js";

const client = stackClient("direct");

afterAll(() => client.close());

describe("run.logTable", () => {
  it("is read back by Python's load_table, with appended rows", async () => {
    const run = await startRun({ client, experimentName: uniqueName("log-table"), exitHooks: false });
    await run.logTable({ question: ["What is MLflow?", "What is a run?"], score: [0.9, 0.4] }, "eval/answers.json");
    await run.logTable([{ question: "What is an artifact?", latency_ms: 12 }], "eval/answers.json");
    await run.end();

    const read = await runPython<{ columns: string[]; rows: unknown[][]; logged_artifacts: unknown }>("test/conformance/python/load_table.py", {
      experiment_id: run.experimentId,
      run_id: run.runId,
      artifact_file: "eval/answers.json",
    });
    expect(read.columns).toEqual(["question", "score", "latency_ms"]);
    expect(read.rows).toEqual([
      ["What is MLflow?", 0.9, null],
      ["What is a run?", 0.4, null],
      ["What is an artifact?", null, 12],
    ]);
    expect(read.logged_artifacts).toEqual([{ path: "eval/answers.json", type: "table" }]);
  }, 120_000);

  it("loadTable reads what Python's log_table wrote, across runs, with the run id column", async () => {
    const experimentId = await client.experiments.create({ name: uniqueName("python-tables") });
    const tables = [
      { question: ["q1", "q2"], score: [0.5, 0.25] },
      { question: ["q3"], score: [1.0] },
    ];
    const { run_id: first } = await runPython<{ run_id: string }>("test/conformance/python/log_table.py", {
      experiment_id: experimentId,
      artifact_file: "t/answers.json",
      tables,
    });
    const { run_id: second } = await runPython<{ run_id: string }>("test/conformance/python/log_table.py", {
      experiment_id: experimentId,
      artifact_file: "t/answers.json",
      tables: [tables[1]],
    });

    const table = await loadTable(client, experimentId, "t/answers.json", { extraColumns: ["run_id"] });
    expect(table.columns).toEqual(["question", "score", "run_id"]);
    expect(table.data.map((row) => JSON.stringify(row)).sort()).toEqual(
      [
        ["q1", 0.5, first],
        ["q2", 0.25, first],
        ["q3", 1, first],
        ["q3", 1, second],
      ]
        .map((row) => JSON.stringify(row))
        .sort(),
    );
  }, 120_000);
});
