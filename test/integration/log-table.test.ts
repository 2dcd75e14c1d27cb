/**
 * `run.logTable` on the real stack (artifacts straight to S3): the Python reference client's
 * `load_table` reads the table back, appended rows and united columns included, and sees it listed
 * in `mlflow.loggedArtifacts` as its own `log_table` lists it.
 */
import { afterAll, describe, expect, it } from "vitest";
import { startRun } from "../../src/logging/fluent.js";
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
});
