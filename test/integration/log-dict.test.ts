/**
 * `run.logDict` on the real stack: Python's `mlflow.artifacts.load_dict` reads the YAML and the
 * JSON files it writes back to the same dictionary (YAML with PyYAML's safe_load: load_dict reads JSON only).
 */
import { afterAll, describe, expect, it } from "vitest";
import { startRun } from "../../src/logging/fluent.js";
import { runPython } from "./support/python.js";
import { stackClient, uniqueName } from "./support/stack.js";

const client = stackClient("direct");

afterAll(() => client.close());

describe("run.logDict", () => {
  it("writes YAML for .yaml and JSON otherwise, read back by Python (load_dict, yaml.safe_load)", async () => {
    const value = { model: { layers: 3, dropout: 0.1, name: "mlp: v2" }, tags: ["a", "b"], enabled: true, note: null };
    const run = await startRun({ client, experimentName: uniqueName("log-dict"), exitHooks: false });
    await run.logDict(value, "config/model.yaml");
    await run.logDict(value, "config/model.json");
    await run.end();

    for (const artifactFile of ["config/model.yaml", "config/model.json"]) {
      const read = await runPython<{ value: unknown }>("test/conformance/python/load_dict.py", { run_id: run.runId, artifact_file: artifactFile });
      expect(read.value, artifactFile).toEqual(value);
    }
  }, 120_000);
});
