/** `mlflow-ts download <uri> <dest>` on the embedded store, and the usage error for a run id without a path. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cliEmbedded } from "../../helpers/cli.js";
import { removeTempDirs, sqliteClient, tempDir } from "../../store/sqlite/helpers.js";

afterEach(removeTempDirs);

const cli = cliEmbedded;

describe("mlflow-ts download <uri> <dest>", () => {
  it("downloads a registered model by alias into the destination", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const experimentId = await client.experiments.create({ name: "cli", artifact_location: join(dir, "artifacts") });
    const model = await client.loggedModels.create({ experiment_id: experimentId, name: "churn" });
    writeFileSync(join(dir, "MLmodel"), "flavors: {}\n");
    await client.loggedModels.uploadArtifacts(model.info.model_id, join(dir, "MLmodel"));
    await client.registeredModels.create({ name: "churn" });
    await client.modelVersions.create({ name: "churn", source: `models:/${model.info.model_id}`, model_id: model.info.model_id });
    await client.registeredModels.setAlias("churn", "champion", "1");
    await client.close();

    const { code, stdout } = await cli(["download", "models:/churn@champion", join(dir, "out")], dir);
    expect(code).toBe(0);
    expect(stdout).toContain(`Downloaded models:/churn@champion to ${join(dir, "out")}.`);
    expect(readFileSync(join(dir, "out", "MLmodel"), "utf8")).toBe("flavors: {}\n");
    expect(existsSync(join(dir, "out", "registered_model_meta"))).toBe(true);
  });

  it("exits 2 with the two accepted forms when a run id comes without a path", async () => {
    const dir = tempDir();
    const { code, stderr } = await cli(["download", "0a1b2c3d4e5f60718293a4b5c6d7e8f9", join(dir, "out")], dir);
    expect(code).toBe(2);
    expect(stderr).toContain("Fix: mlflow-ts download <run-id> <path> <dest>, or mlflow-ts download <uri> <dest>.");
  });

  it("exits 1 naming the URI and the fix for an alias that does not exist", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    await client.registeredModels.create({ name: "churn" });
    await client.close();
    const { code, stderr } = await cli(["download", "models:/churn@champion", join(dir, "out")], dir);
    expect(code).toBe(1);
    expect(stderr).toMatch(/"models:\/churn@champion" names nothing.*Fix: point the alias at a version/);
  });
});
