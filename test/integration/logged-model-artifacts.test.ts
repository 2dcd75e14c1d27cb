/**
 * A logged model's files on the real stack, in both artifact modes: `uploadArtifacts` puts a model
 * directory where the model's `artifact_uri` says (S3 directly, or through the server's proxy), the
 * Python client downloads it with `download_artifacts("models:/<id>")` byte for byte, and
 * `downloadArtifacts` brings it back identical.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sha256 } from "../unit/sync/fixtures.js";
import { runPython } from "./support/python.js";
import { type StackServer, serverUri, stackClient, uniqueName } from "./support/stack.js";

const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-model-files-"));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every file under `root`, relative path → sha256. */
async function hashes(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (folder: string): Promise<void> => {
    for (const entry of readdirSync(folder)) {
      const path = join(folder, entry);
      if (statSync(path).isDirectory()) await walk(path);
      else out[relative(root, path)] = await sha256(path);
    }
  };
  await walk(root);
  return out;
}

describe.each(["direct", "proxied"] as StackServer[])("a logged model's files, %s server", (server) => {
  it("are uploaded where the model says, read by Python byte for byte, and downloaded identical", async () => {
    const client = stackClient(server);
    try {
      const source = join(dir, `${server}-model`);
      mkdirSync(join(source, "weights"), { recursive: true });
      writeFileSync(join(source, "MLmodel"), "artifact_path: model\nflavors: {}\n");
      writeFileSync(join(source, "weights", "layer0.bin"), randomBytes(3 * 1024 * 1024 + 17));
      writeFileSync(join(source, "weights", "layer1.bin"), randomBytes(1024));
      const experimentId = await client.experiments.create({ name: uniqueName(`model-files-${server}`) });
      const run = await client.runs.create({ experiment_id: experimentId });
      const model = await client.loggedModels.create({ experiment_id: experimentId, name: "classifier", source_run_id: run.info.run_id });
      const modelId = model.info.model_id;

      const result = await client.loggedModels.uploadArtifacts(modelId, source);
      await client.loggedModels.finalize(modelId, "LOGGED_MODEL_READY");
      expect(result.paths.sort()).toEqual(["MLmodel", "weights/layer0.bin", "weights/layer1.bin"]);
      expect((await client.loggedModels.listArtifacts(modelId)).map((f) => f.path).sort()).toEqual(["MLmodel", "weights"]);

      const expected = await hashes(source);
      const python = await runPython<{ path: string; model_id: string; status: string }>(
        "test/conformance/python/download_model.py",
        { model_id: modelId, dest: join(dir, `${server}-python`) },
        { MLFLOW_TRACKING_URI: serverUri(server) },
      );
      expect(python).toMatchObject({ model_id: modelId, status: "READY" });
      // Python's models:/ download writes its own `registered_model_meta` file beside the model's files.
      const { registered_model_meta: _pythonMeta, ...downloaded } = await hashes(python.path);
      expect(downloaded).toEqual(expected);

      const ours = await client.loggedModels.downloadArtifacts(modelId, "", join(dir, `${server}-ours`));
      expect(await hashes(ours)).toEqual(expected);
    } finally {
      await client.close();
    }
  }, 120_000);
});
