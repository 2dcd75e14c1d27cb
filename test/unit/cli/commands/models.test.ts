/**
 * `mlflow-ts models register|alias|describe` in-process on the embedded store: a run's model and a
 * bare logged-model id registered with aliases and tags, aliases moved and deleted, describe by
 * name, alias and version (text and JSON), and the errors: an alias that does not exist (naming
 * the model, the alias and the aliases it has), an unknown model, malformed arguments.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cliEmbedded } from "../../helpers/cli.js";
import { removeTempDirs, sqliteClient, tempDir } from "../../store/sqlite/helpers.js";

afterEach(removeTempDirs);

/** An embedded store with a run whose artifacts hold `model/MLmodel`, and a logged model. */
async function fixture(): Promise<{ dir: string; runId: string; modelId: string }> {
  const dir = tempDir();
  const client = sqliteClient(dir);
  const experimentId = await client.experiments.create({ name: "cli", artifact_location: join(dir, "artifacts") });
  const run = await client.runs.create({ experiment_id: experimentId });
  writeFileSync(join(dir, "MLmodel"), "flavors: {}\n");
  await client.artifacts.upload(run.info.run_id, join(dir, "MLmodel"), { artifactPath: "model" });
  const model = await client.loggedModels.create({ experiment_id: experimentId, name: "churn" });
  await client.loggedModels.uploadArtifacts(model.info.model_id, join(dir, "MLmodel"));
  await client.close();
  return { dir, runId: run.info.run_id, modelId: model.info.model_id };
}

describe("models register", () => {
  it("registers a run's model with two aliases and a tag, and prints the version", async () => {
    const { dir, runId } = await fixture();
    const { code, stdout, stderr } = await cliEmbedded(
      ["models", "register", `runs:/${runId}/model`, "churn", "--alias", "champion", "--alias", "candidate", "--tag", "git=abc"],
      dir,
    );
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toMatch(/^Registered churn version 1 \(READY\) from .*artifacts.*\/model; aliases: (candidate, champion|champion, candidate)\.\n$/);
    const version = JSON.parse((await cliEmbedded(["models", "describe", "churn@candidate", "--json"], dir)).stdout);
    expect(version).toMatchObject({ name: "churn", version: "1", run_id: runId, tags: [{ key: "git", value: "abc" }] });
    expect([...version.aliases].sort()).toEqual(["candidate", "champion"]);
  });

  it("reads a bare logged-model id as models:/<id>, and prints the version as JSON", async () => {
    const { dir, modelId } = await fixture();
    const { code, stdout } = await cliEmbedded(["models", "register", modelId, "churn", "--wait", "--json"], dir);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ name: "churn", version: "1", source: `models:/${modelId}`, status: "READY" });
  });

  it("exits 2 on a malformed alias before registering anything", async () => {
    const { dir, runId } = await fixture();
    const { code, stderr } = await cliEmbedded(["models", "register", `runs:/${runId}/model`, "churn", "--alias", "ok", "--alias", "not ok"], dir);
    expect(code).toBe(2);
    expect(stderr).toContain('The alias "not ok" is invalid');
    expect((await cliEmbedded(["models", "describe", "churn"], dir)).code).toBe(1);
  });
});

describe("models alias", () => {
  it("points an alias at a version, moves it, and deletes it", async () => {
    const { dir, runId } = await fixture();
    await cliEmbedded(["models", "register", `runs:/${runId}/model`, "churn"], dir);
    await cliEmbedded(["models", "register", `runs:/${runId}/model`, "churn"], dir);
    expect(await cliEmbedded(["models", "alias", "churn", "champion", "1"], dir)).toEqual({ code: 0, stdout: "churn@champion → version 1.\n", stderr: "" });
    await cliEmbedded(["models", "alias", "churn", "champion", "2"], dir);
    expect(JSON.parse((await cliEmbedded(["models", "describe", "churn@champion", "--json"], dir)).stdout).version).toBe("2");
    expect((await cliEmbedded(["models", "alias", "churn", "champion", "--delete"], dir)).stdout).toBe("Deleted alias churn@champion.\n");
    expect(JSON.parse((await cliEmbedded(["models", "describe", "churn", "--json"], dir)).stdout).registered_model.aliases).toEqual([]);
  });

  it("exits 1 on deleting an alias that does not exist, listing the aliases the model has", async () => {
    const { dir, runId } = await fixture();
    await cliEmbedded(["models", "register", `runs:/${runId}/model`, "churn", "--alias", "champion"], dir);
    const { code, stderr } = await cliEmbedded(["models", "alias", "churn", "prod", "--delete"], dir);
    expect(code).toBe(1);
    expect(stderr).toBe(
      'error: Registered model "churn" has no alias "prod"; its aliases: champion (version 1). Fix: use one of those, or set it with mlflow-ts models alias churn prod <version>.\n',
    );
  });

  it("exits 1 naming a version that does not exist", async () => {
    const { dir, runId } = await fixture();
    await cliEmbedded(["models", "register", `runs:/${runId}/model`, "churn"], dir);
    const { code, stderr } = await cliEmbedded(["models", "alias", "churn", "champion", "9"], dir);
    expect(code).toBe(1);
    expect(stderr).toBe('error: Registered model "churn" has no version 9. Fix: mlflow-ts models describe churn lists its versions.\n');
  });

  it.each([
    [["churn", "champion"], 'Which version should "champion" point at?'],
    [["churn", "champion", "3", "--delete"], '--delete removes the alias, so no version goes with it (got "3")'],
    [["churn", "latest", "3"], 'The alias "latest" is reserved'],
  ])("exits 2 on %j without a request", async (args, message) => {
    const dir = tempDir();
    const { code, stderr } = await cliEmbedded(["models", "alias", ...args], dir);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });
});

describe("models describe", () => {
  it("prints a registered model: aliases, tags and every version, newest first", async () => {
    const { dir, runId } = await fixture();
    await cliEmbedded(["models", "register", `runs:/${runId}/model`, "churn"], dir);
    await cliEmbedded(["models", "register", `runs:/${runId}/model`, "churn", "--alias", "champion"], dir);
    const lines = (await cliEmbedded(["models", "describe", "models:/churn"], dir)).stdout.trimEnd().split("\n");
    expect(lines[0]).toBe('Registered model "churn"');
    expect(lines.slice(3, 6)).toEqual(["Aliases:", "  champion  version 2", "Tags: none"]);
    expect(lines[6]).toBe("Versions:");
    expect(lines[7]).toMatch(/^VERSION +STATUS +ALIASES +RUN +SOURCE$/);
    expect(lines[8]).toMatch(new RegExp(`^2 +READY +champion +${runId} +.*model$`));
    expect(lines[9]).toMatch(new RegExp(`^1 +READY +- +${runId} +.*model$`));
  });

  it("prints one version by number: source, run, aliases and tags", async () => {
    const { dir, runId } = await fixture();
    await cliEmbedded(["models", "register", `runs:/${runId}/model`, "churn", "--tag", "git=abc"], dir);
    const lines = (await cliEmbedded(["models", "describe", "churn/1"], dir)).stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("churn version 1: READY");
    expect(lines[2]).toBe(`  run:      ${runId}`);
    expect(lines[4]).toBe("  aliases:  -");
    expect(lines.slice(-2)).toEqual(["Tags:", "  git  abc"]);
  });

  it("exits 1 on an alias that does not exist, naming the model and the alias and listing the aliases it has", async () => {
    const { dir, runId } = await fixture();
    await cliEmbedded(["models", "register", `runs:/${runId}/model`, "churn"], dir);
    const { code, stdout, stderr } = await cliEmbedded(["models", "describe", "churn@champion"], dir);
    expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
    expect(stderr).toBe(
      'error: Registered model "churn" has no alias "champion"; it has no aliases. Fix: use one of those, or set it with mlflow-ts models alias churn champion <version>.\n',
    );
  });

  it("exits 1 naming a registered model that does not exist", async () => {
    const dir = tempDir();
    const { code, stderr } = await cliEmbedded(["models", "describe", "nope"], dir);
    expect(code).toBe(1);
    expect(stderr).toContain('There is no registered model named "nope". Fix: check the name');
  });

  it.each([["churn/v1"], ["churn/1@a"], ["@champion"], ["models:/"]])("exits 2 on the malformed reference %s", async (ref) => {
    const dir = tempDir();
    const { code, stderr } = await cliEmbedded(["models", "describe", ref], dir);
    expect(code).toBe(2);
    expect(stderr).toContain("is not <name>, <name>@<alias> or <name>/<version>. Fix: e.g. churn, churn@champion or churn/3.");
  });
});
