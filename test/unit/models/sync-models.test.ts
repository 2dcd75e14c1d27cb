/**
 * The model handoff with no server, then synced: a model logged with run.logModel and registered
 * @champion in ./mlflow.db, carried by syncRuns to another store with its files and registry
 * entries, and resolved there by alias — its MLmodel naming the copy, not the source.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { MlflowClient, registerModel, startRun } from "../../../src/index.js";
import { syncRuns } from "../../../src/sync/sync-runs.js";
import { QUIET, removeTempDirs, tempDir } from "../store/sqlite/helpers.js";

afterEach(removeTempDirs);

describe("a model logged and registered in the embedded store", () => {
  it("is carried by sync with its files and alias, and its copy's MLmodel names the copy", async () => {
    const dir = tempDir();
    const from = new MlflowClient({ trackingUri: `sqlite:///${join(dir, "source.db")}`, env: QUIET });
    const to = new MlflowClient({ trackingUri: `sqlite:///${join(dir, "target.db")}`, env: QUIET });
    const experimentId = await from.experiments.create({ name: "handoff", artifact_location: join(dir, "source-artifacts") });
    const run = await startRun({ client: from, experimentId, exitHooks: false });
    const info = await run.logModel({
      flavor: "onnx",
      model: Uint8Array.from([0x08, 0x0a, 0x12, 0x00]),
      name: "churn",
      inputExample: { type: "ndarray", data: [[1, 2]] },
    });
    await run.end();
    await registerModel(info.modelUri, "churn", { client: from, alias: "champion" });
    await to.experiments.create({ name: "handoff", artifact_location: join(dir, "target-artifacts") });

    const report = await syncRuns({ from, to, experimentNames: ["handoff"] });
    expect(report.totals).toMatchObject({ runsFailed: 0, loggedModelsFailed: 0, modelVersionsFailed: 0, loggedModelsCopied: 1, modelVersionsCopied: 1 });

    const version = await to.registeredModels.getByAlias("churn", "champion");
    const copyId = version.source!.replace("models:/", "");
    expect(copyId).not.toBe(info.modelId);
    const local = await to.uris.download("models:/churn@champion", join(dir, "deploy"));
    expect(readFileSync(join(local, "model.onnx"))).toEqual(Buffer.from([0x08, 0x0a, 0x12, 0x00]));
    const mlmodel = parse(readFileSync(join(local, "MLmodel"), "utf8"), { version: "1.1" }) as Record<string, unknown>;
    const copy = await to.loggedModels.get(copyId);
    expect(mlmodel).toMatchObject({ model_id: copyId, model_uuid: copyId, artifact_path: copy.info.artifact_uri, run_id: copy.info.source_run_id });
    expect(copy.info.status).toBe("LOGGED_MODEL_READY");
    // A second sync copies nothing.
    const again = await syncRuns({ from, to, experimentNames: ["handoff"] });
    expect(again.totals).toMatchObject({ runsCopied: 0, loggedModelsCopied: 0, loggedModelsUpdated: 0, modelVersionsCopied: 0, modelVersionsUpdated: 0 });
    await Promise.all([from.close(), to.close()]);
  });
});
