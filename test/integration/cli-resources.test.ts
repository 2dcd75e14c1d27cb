/**
 * The BUILT `mlflow-ts experiments|artifacts|models` commands as child processes on the real stack,
 * each step a separate process as in a CI job, with what they wrote read back by the reference
 * Python client and PostgreSQL: an experiment created, renamed, deleted and restored as Python and
 * the experiments table see it; artifacts logged in direct-S3 and proxied modes, listed and
 * downloaded back byte-identical (and by Python's download_artifacts); a model registered with
 * aliases that Python's get_model_version_by_alias resolves. Bad input: an unknown experiment, an
 * alias that does not exist, a URI scheme no store reads.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MlflowClient } from "../../src/index.js";
import { artifactModes } from "./artifacts-support.js";
import { ensureCliBuilt, runBuiltCli } from "./support/cli.js";
import { runPython } from "./support/python.js";
import { serverUri, stackClientEnv, stackEnv, uniqueName } from "./support/stack.js";

const directEnv = (): Record<string, string> => stackClientEnv(serverUri("direct"));

interface ExperimentRows {
  python: { name: string; lifecycle_stage: string; tags: Record<string, string> };
  pg: { name: string; lifecycle_stage: string };
}

const readExperiment = (experimentId: string) =>
  runPython<ExperimentRows>("test/conformance/python/cli_resources.py", { op: "experiment", experiment_id: experimentId, pg_uri: stackEnv("STACK_PG_URI") });

const sha256 = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");

let work: string;

beforeAll(async () => {
  ensureCliBuilt();
  work = await mkdtemp(join(tmpdir(), "mlflow-ts-cli-resources-"));
}, 360_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("mlflow-ts experiments (built command)", () => {
  it("creates, renames, deletes and restores an experiment by name and id, as Python and PostgreSQL see it", async () => {
    const name = uniqueName("cli-exp");
    const created = await runBuiltCli(["experiments", "create", name, "--tag", "team=vision"], directEnv());
    expect(created.code).toBe(0);
    const id = created.stdout.trim();
    expect(id).toMatch(/^\d+$/);
    expect(await readExperiment(id)).toEqual({
      python: { name, lifecycle_stage: "active", tags: { team: "vision" } },
      pg: { name, lifecycle_stage: "active" },
    });

    expect((await runBuiltCli(["experiments", "rename", name, `${name}-b`], directEnv())).code).toBe(0);
    expect((await readExperiment(id)).pg.name).toBe(`${name}-b`);

    const deleted = await runBuiltCli(["experiments", "delete", id], directEnv());
    expect(deleted.stdout).toBe(`Deleted experiment ${id} ("${name}-b") and its runs. Undo with: mlflow-ts experiments restore ${id}\n`);
    expect(await readExperiment(id)).toMatchObject({ python: { lifecycle_stage: "deleted" }, pg: { lifecycle_stage: "deleted" } });

    // The deleted experiment is found by its name, as Python's get_experiment_by_name finds it.
    const restored = await runBuiltCli(["experiments", "restore", `${name}-b`], directEnv());
    expect(restored).toEqual({ code: 0, stdout: `Restored experiment ${id} ("${name}-b").\n`, stderr: "" });
    expect(await readExperiment(id)).toMatchObject({ python: { name: `${name}-b`, lifecycle_stage: "active" }, pg: { lifecycle_stage: "active" } });

    const described = JSON.parse((await runBuiltCli(["experiments", "describe", id, "--json"], directEnv())).stdout);
    expect(described).toMatchObject({ experiment_id: id, name: `${name}-b`, lifecycle_stage: "active", tags: [{ key: "team", value: "vision" }] });
  }, 120_000);

  it("exits 1 naming an experiment that does not exist, and 2 on a malformed tag", async () => {
    const missing = uniqueName("cli-nope");
    const unknown = await runBuiltCli(["experiments", "delete", missing], directEnv());
    expect(unknown).toMatchObject({ code: 1, stdout: "" });
    expect(unknown.stderr).toContain(`error: There is no experiment named or with id "${missing}" at ${serverUri("direct")}.`);
    const badTag = await runBuiltCli(["experiments", "create", missing, "--tag", "novalue"], directEnv());
    expect(badTag.code).toBe(2);
    expect(badTag.stderr).toContain('"novalue" is not KEY=VALUE');
  });
});

describe.each(artifactModes())("mlflow-ts artifacts, $name mode (built command)", (mode) => {
  let client: MlflowClient;
  let runId: string;
  const env = (): Record<string, string> => stackClientEnv(mode.trackingUri);
  const weights = randomBytes(2 * 1024 * 1024 + 17);

  beforeAll(async () => {
    client = new MlflowClient({ env: env() });
    const experimentId = await client.experiments.create({ name: uniqueName(`cli-art-${mode.name}`) });
    runId = (await client.runs.create({ experiment_id: experimentId })).info.run_id;
    await mkdir(join(work, mode.name, "model", "sub"), { recursive: true });
    await writeFile(join(work, mode.name, "model", "weights.bin"), weights);
    await writeFile(join(work, mode.name, "model", "sub", "config.json"), '{"layers":3}');
  });

  afterAll(async () => {
    await client.close();
  });

  it("logs a folder to MLFLOW_RUN_ID's run, lists it recursively and downloads it back byte-identical; Python reads the same bytes", async () => {
    const logged = await runBuiltCli(["artifacts", "log", join(work, mode.name, "model"), "--artifact-path", "model"], { ...env(), MLFLOW_RUN_ID: runId });
    expect(logged).toMatchObject({ code: 0, stdout: `Uploaded 2 files (2.0 MiB) to run ${runId} under model.\n` });

    const listed = await runBuiltCli(["artifacts", "list", `runs:/${runId}/model`, "--recursive", "--json"], env());
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      { path: "model/sub", is_dir: true },
      { path: "model/sub/config.json", is_dir: false, file_size: 12 },
      { path: "model/weights.bin", is_dir: false, file_size: weights.length },
    ]);
    // The run's artifact location by its own URI (s3:// or mlflow-artifacts:/) lists the same.
    const location = (await client.runs.get(runId)).info.artifact_uri;
    expect(location).toMatch(mode.uriPattern);
    const byLocation = JSON.parse((await runBuiltCli(["artifacts", "list", `${location}/model`, "--json"], env())).stdout) as { path: string }[];
    expect(byLocation.map((entry) => entry.path)).toEqual(["model/sub", "model/weights.bin"]);

    const dest = join(work, mode.name, "back");
    const downloaded = await runBuiltCli(["artifacts", "download", `runs:/${runId}/model`, "--dst", dest], env());
    expect(downloaded).toMatchObject({ code: 0, stdout: `${join(dest, "model")}\n` });
    expect((await readFile(join(dest, "model", "weights.bin"))).equals(weights)).toBe(true);
    expect(await readFile(join(dest, "model", "sub", "config.json"), "utf8")).toBe('{"layers":3}');

    const python = await runPython<{ files: Record<string, string> }>(
      "test/conformance/python/cli_resources.py",
      { op: "artifacts", uri: `runs:/${runId}/model` },
      { MLFLOW_TRACKING_URI: mode.trackingUri },
    );
    expect(python.files).toEqual({ "weights.bin": sha256(weights), "sub/config.json": sha256(Buffer.from('{"layers":3}')) });
  }, 180_000);

  it("exits 2 on a URI scheme no store reads, and 1 naming a run that does not exist", async () => {
    const scheme = await runBuiltCli(["artifacts", "list", "gs://bucket/model"], env());
    expect(scheme.code).toBe(2);
    expect(scheme.stderr).toContain('"gs://bucket/model" is not an artifact URI mlflow-ts reads (scheme "gs:")');
    const noRun = await runBuiltCli(["artifacts", "download", `runs:/${"0".repeat(32)}/model`, "--dst", join(work, "none")], env());
    expect(noRun.code).toBe(1);
    expect(noRun.stderr).toContain(`"runs:/${"0".repeat(32)}" names nothing`);
  });
});

describe("mlflow-ts models (built command)", () => {
  interface Registry {
    versions: { version: string; source: string; run_id: string; tags: Record<string, string>; aliases: string[] }[];
    by_alias: Record<string, string>;
  }

  it("registers a logged model and a run's model with aliases and tags, moves an alias, and Python resolves every alias", async () => {
    const client = new MlflowClient({ env: directEnv() });
    try {
      const experimentId = await client.experiments.create({ name: uniqueName("cli-models") });
      const runId = (await client.runs.create({ experiment_id: experimentId })).info.run_id;
      await mkdir(join(work, "models", "files"), { recursive: true });
      await writeFile(join(work, "models", "files", "config.json"), '{"layers":3}');
      const logged = await client.models.log({ runId, flavor: "files", model: join(work, "models", "files"), name: "cli_model" });
      const modelId = logged.modelUri.replace("models:/", "");
      const name = uniqueName("cli-model");

      const first = await runBuiltCli(["models", "register", modelId, name, "--alias", "champion", "--tag", "git=abc", "--json"], directEnv());
      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({ name, version: "1", source: logged.modelUri, status: "READY", aliases: ["champion"] });

      const second = await runBuiltCli(["models", "register", `runs:/${runId}/cli_model`, name, "--alias", "candidate", "--alias", "shadow"], directEnv());
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(new RegExp(`^Registered ${name} version 2 \\(READY\\) from models:/${modelId}; aliases: `));

      expect(await runBuiltCli(["models", "alias", name, "champion", "2"], directEnv())).toEqual({
        code: 0,
        stdout: `${name}@champion → version 2.\n`,
        stderr: "",
      });
      expect((await runBuiltCli(["models", "alias", name, "shadow", "--delete"], directEnv())).code).toBe(0);

      const registry = await runPython<Registry>("test/conformance/python/read_registry.py", { name });
      expect(registry.by_alias).toEqual({ champion: "2", candidate: "2" });
      expect(registry.versions.map((v) => [v.version, v.source, v.tags])).toEqual([
        ["1", logged.modelUri, { git: "abc" }],
        ["2", logged.modelUri, {}],
      ]);

      const described = await runBuiltCli(["models", "describe", `${name}@champion`], directEnv());
      expect(described.stdout.split("\n").slice(0, 2)).toEqual([`${name} version 2: READY`, `  source:   ${logged.modelUri}`]);
      const all = JSON.parse((await runBuiltCli(["models", "describe", name, "--json"], directEnv())).stdout);
      expect(all.versions.map((v: { version: string }) => v.version)).toEqual(["2", "1"]);
      expect(all.registered_model.aliases).toEqual(
        expect.arrayContaining([
          { alias: "champion", version: "2" },
          { alias: "candidate", version: "2" },
        ]),
      );

      const missing = await runBuiltCli(["models", "describe", `${name}@prod`], directEnv());
      expect(missing).toMatchObject({ code: 1, stdout: "" });
      expect(missing.stderr).toMatch(
        new RegExp(
          `^error: Registered model "${name}" has no alias "prod"; its aliases: (candidate|champion) \\(version 2\\), (candidate|champion) \\(version 2\\)\\. Fix: `,
        ),
      );
      const missingDelete = await runBuiltCli(["models", "alias", name, "prod", "--delete"], directEnv());
      expect(missingDelete.code).toBe(1);
      expect(missingDelete.stderr).toContain(`has no alias "prod"`);
    } finally {
      await client.close();
    }
  }, 240_000);
});
