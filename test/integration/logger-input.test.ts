/**
 * `run.logInput` on the real server: the dataset and its context tag are stored as MLflow stores
 * `mlflow.log_input`'s, and a run search by `dataset.context` finds the run.
 */
import { afterAll, describe, expect, it } from "vitest";
import { startRun } from "../../src/logging/fluent.js";
import { stackClient, uniqueName } from "./support/stack.js";

const client = stackClient("direct");

afterAll(() => client.close());

describe("run.logInput", () => {
  it("stores the dataset with its context, and runs are found by it", async () => {
    const run = await startRun({ client, experimentName: uniqueName("log-input"), exitHooks: false });
    const dataset = {
      name: "mnist",
      digest: "8e1f2a9c",
      source_type: "http",
      source: '{"url": "https://example.com/mnist.npz"}',
      schema: '{"mlflow_colspec": []}',
    };
    await run.logInput(dataset, { context: "training", tags: { split: "train" } });
    await run.end();

    const stored = await client.runs.get(run.runId);
    expect(stored.inputs.dataset_inputs).toEqual([
      {
        dataset,
        tags: [
          { key: "mlflow.data.context", value: "training" },
          { key: "split", value: "train" },
        ],
      },
    ]);
    const found = await client.runs.search({ experiment_ids: [run.experimentId], filter: "dataset.context = 'training' AND dataset.name = 'mnist'" });
    expect(found.map((r) => r.info.run_id)).toEqual([run.runId]);
  }, 60_000);
});
