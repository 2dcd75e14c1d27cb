/**
 * Every URI form resolved as Python's mlflow.artifacts resolves it, on the same server: for each
 * URI, `client.uris.download` and `mlflow.artifacts.download_artifacts` produce the same file tree
 * (paths and bytes) and the same returned path, and `list` matches `list_artifacts` — runs:/ (files,
 * folders, a trailing slash, the run's logged model by name), models:/ by version, alias, latest,
 * logged model id and with a path inside, a version whose source is a logged model, and the
 * storage locations themselves (s3:// on the direct server, mlflow-artifacts:/ on the proxied one).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { registerModel } from "../../src/index.js";
import { fileTree } from "../unit/helpers/file-tree.js";
import { runPython } from "./support/python.js";
import { type StackServer, serverUri, stackClient, uniqueName } from "./support/stack.js";

const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-artifact-uris-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface PythonResult {
  uri: string;
  path: string | null;
  files: Record<string, string> | null;
  listing: [string, boolean, number | null][] | null;
  error: string | null;
}

describe.each(["direct", "proxied"] as StackServer[])("artifact URIs on the %s server", (server) => {
  it("download and list as mlflow.artifacts does, for every URI form", async () => {
    const client = stackClient(server);
    try {
      const experimentId = await client.experiments.create({ name: uniqueName(`uris-${server}`) });
      const run = await client.runs.create({ experiment_id: experimentId });
      const runId = run.info.run_id;
      await client.artifacts.uploadData(runId, '{"accuracy": 0.91}', "eval/summary.json");
      await client.artifacts.uploadData(runId, "plot", "eval/plots/roc.txt");
      await client.artifacts.uploadData(runId, "hello", "notes.txt");
      const source = join(dir, `${server}-model`);
      mkdirSync(join(source, "vocab"), { recursive: true });
      writeFileSync(join(source, "config.json"), '{"layers": 2}');
      writeFileSync(join(source, "vocab", "en.txt"), "a b c");
      const info = await client.models.log({ runId, flavor: "files", model: source, name: "model" });
      const name = uniqueName(`uris-${server}`);
      await registerModel(info.modelUri, name, { client, alias: "champion" });
      const runRoot = (await client.runs.get(runId)).info.artifact_uri;

      const uris = [
        `runs:/${runId}/eval`,
        `runs:/${runId}/eval/summary.json`,
        `runs:/${runId}/eval/`,
        `runs:/${runId}/model`,
        `runs:/${runId}/model/MLmodel`,
        `models:/${name}/1`,
        `models:/${name}@champion`,
        `models:/${name}/latest`,
        `models:/${name}@champion/files`,
        `models:/${name}/1/files/vocab/en.txt`,
        info.modelUri,
        `${runRoot}/eval`,
        `${runRoot}/notes.txt`,
        `${info.artifactUri}/files`,
      ];
      const python = await runPython<{ results: PythonResult[] }>(
        "test/conformance/python/download_trees.py",
        { uris, dest: join(dir, `${server}-python`) },
        { MLFLOW_TRACKING_URI: serverUri(server) },
      );
      for (const [index, uri] of uris.entries()) {
        const expected = python.results[index]!;
        expect(expected.error, `Python failed on ${uri}`).toBeNull();
        const dest = join(dir, `${server}-ours`, String(index));
        const local = await client.uris.download(uri, dest);
        expect({ uri, path: relative(dest, local), files: fileTree(dest, "sha256") }).toEqual({ uri, path: expected.path, files: expected.files });
        const listing = (await client.uris.list(uri)).map((f) => [f.path, f.is_dir, f.file_size ?? null]).sort();
        expect({ uri, listing }).toEqual({ uri, listing: expected.listing });
      }
    } finally {
      await client.close();
    }
  }, 240_000);
});
