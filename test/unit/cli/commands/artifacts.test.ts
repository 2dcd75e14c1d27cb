/**
 * `mlflow-ts artifacts list|log|download` in-process on the embedded store (artifacts on the local
 * disk): a folder logged to the run MLFLOW_RUN_ID names, listed (flat, recursive, JSON) and
 * downloaded back byte for byte; the usage errors of a missing run id and a URI scheme no store reads.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cliEmbedded } from "../../helpers/cli.js";
import { removeTempDirs, sqliteClient, tempDir } from "../../store/sqlite/helpers.js";

afterEach(removeTempDirs);

/** A run in a fresh embedded store, and a local folder `model/` with a file at the top and one below. */
async function runAndFolder(): Promise<{ dir: string; runId: string; folder: string; bytes: Buffer }> {
  const dir = tempDir();
  const client = sqliteClient(dir);
  const experimentId = await client.experiments.create({ name: "cli", artifact_location: join(dir, "artifacts") });
  const run = await client.runs.create({ experiment_id: experimentId });
  await client.close();
  const folder = join(dir, "local", "model");
  mkdirSync(join(folder, "sub"), { recursive: true });
  const bytes = randomBytes(4096);
  writeFileSync(join(folder, "weights.bin"), bytes);
  writeFileSync(join(folder, "sub", "notes.txt"), "hello\n");
  return { dir, runId: run.info.run_id, folder, bytes };
}

describe("artifacts log, list, download", () => {
  it("logs a folder to MLFLOW_RUN_ID's run, lists it flat, recursively and as JSON, and downloads it back byte-identical", async () => {
    const { dir, runId, folder, bytes } = await runAndFolder();
    const logged = await cliEmbedded(["artifacts", "log", folder, "--artifact-path", "model"], dir, { MLFLOW_RUN_ID: runId });
    expect(logged.code).toBe(0);
    expect(logged.stdout).toBe(`Uploaded 2 files (4.0 KiB) to run ${runId} under model.\n`);

    expect((await cliEmbedded(["artifacts", "list", `runs:/${runId}/`], dir)).stdout).toBe("PATH    SIZE\nmodel/  -\n");
    const recursive = await cliEmbedded(["artifacts", "list", `runs:/${runId}/model`, "-r"], dir);
    expect(recursive.stdout.trimEnd().split("\n")).toEqual([
      "PATH                 SIZE",
      "model/sub/           -",
      "model/sub/notes.txt  6 B",
      "model/weights.bin    4.0 KiB",
    ]);
    const json = JSON.parse((await cliEmbedded(["artifacts", "list", `runs:/${runId}/model`, "--json"], dir)).stdout);
    expect(json).toEqual([
      { path: "model/sub", is_dir: true },
      { path: "model/weights.bin", is_dir: false, file_size: 4096 },
    ]);

    const downloaded = await cliEmbedded(["artifacts", "download", `runs:/${runId}/model`, "--dst", join(dir, "out")], dir);
    expect(downloaded).toEqual({ code: 0, stdout: `${join(dir, "out", "model")}\n`, stderr: expect.any(String) });
    expect(readFileSync(join(dir, "out", "model", "weights.bin")).equals(bytes)).toBe(true);
    expect(readFileSync(join(dir, "out", "model", "sub", "notes.txt"), "utf8")).toBe("hello\n");
  });

  it("logs a single file to --run-id, which wins over MLFLOW_RUN_ID", async () => {
    const { dir, runId, folder } = await runAndFolder();
    const logged = await cliEmbedded(["artifacts", "log", join(folder, "sub", "notes.txt"), "--run-id", runId], dir, { MLFLOW_RUN_ID: "f".repeat(32) });
    expect(logged.stdout).toBe(`Uploaded 1 file (6 B) to run ${runId}.\n`);
    expect(JSON.parse((await cliEmbedded(["artifacts", "list", `runs:/${runId}/`, "--json"], dir)).stdout)).toEqual([
      { path: "notes.txt", is_dir: false, file_size: 6 },
    ]);
  });

  it("downloads into a new temporary folder when --dst is not given, and prints its path", async () => {
    const { dir, runId, folder } = await runAndFolder();
    await cliEmbedded(["artifacts", "log", folder, "--run-id", runId], dir);
    const { code, stdout } = await cliEmbedded(["artifacts", "download", `runs:/${runId}/sub/notes.txt`], dir);
    expect(code).toBe(0);
    expect(readFileSync(stdout.trimEnd(), "utf8")).toBe("hello\n");
    expect(stdout).toMatch(/mlflow-ts-artifacts-[^/]+\/notes\.txt\n$/);
  });
});

describe("artifacts errors", () => {
  it("exits 2 when no run is named by --run-id or MLFLOW_RUN_ID", async () => {
    const { dir, folder } = await runAndFolder();
    const { code, stderr } = await cliEmbedded(["artifacts", "log", folder], dir);
    expect(code).toBe(2);
    expect(stderr).toBe("error: No run to log to. Fix: pass --run-id <id>, or set MLFLOW_RUN_ID.\n");
  });

  it.each([["list"], ["download"]])("artifacts %s exits 2 on a URI scheme no artifact store reads", async (command) => {
    const dir = tempDir();
    const { code, stderr } = await cliEmbedded(["artifacts", command, "gs://bucket/model"], dir);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^error: "gs:\/\/bucket\/model" is not an artifact URI mlflow-ts reads \(scheme "gs:"\)\. Fix: use runs:\/<run id>\/<path>, models:/,
    );
  });

  it("exits 1 naming the URI when the run does not exist", async () => {
    const dir = tempDir();
    const { code, stderr } = await cliEmbedded(["artifacts", "list", `runs:/${"a".repeat(32)}/model`], dir);
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`^error: "runs:/${"a".repeat(32)}" names nothing: .* Fix: check the run id`));
  });
});
