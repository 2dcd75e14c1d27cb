/** client.loggedModels.uploadArtifacts / downloadArtifacts on the embedded store (local artifact locations). */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { NotFoundError, UnsafeArtifactPathError } from "../../../src/index.js";
import { removeTempDirs, sqliteClient, tempDir } from "../store/sqlite/helpers.js";

afterEach(removeTempDirs);

describe("a logged model's files", () => {
  it("are uploaded into the model's artifact location, listed, and downloaded back", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const experimentId = await client.experiments.create({ name: "models", artifact_location: join(dir, "artifacts") });
    const model = await client.loggedModels.create({ experiment_id: experimentId, name: "classifier" });
    const source = join(dir, "model");
    mkdirSync(join(source, "weights"), { recursive: true });
    writeFileSync(join(source, "MLmodel"), "flavors: {}\n");
    writeFileSync(join(source, "weights", "w.bin"), Buffer.from([1, 2, 3]));

    const result = await client.loggedModels.uploadArtifacts(model.info.model_id, source, { artifactPath: "v1" });
    expect(result).toEqual({ paths: ["v1/MLmodel", "v1/weights/w.bin"], bytes: 15 });
    expect(readFileSync(join(dir, "artifacts", "models", model.info.model_id, "artifacts", "v1", "weights", "w.bin"))).toEqual(Buffer.from([1, 2, 3]));
    expect((await client.loggedModels.listArtifacts(model.info.model_id, "v1")).map((f) => f.path)).toEqual(["v1/MLmodel", "v1/weights"]);

    const local = await client.loggedModels.downloadArtifacts(model.info.model_id, "v1", join(dir, "out"));
    expect(local).toBe(join(dir, "out", "v1"));
    expect(readFileSync(join(local, "MLmodel"), "utf8")).toBe("flavors: {}\n");
    await expect(client.loggedModels.downloadArtifacts(model.info.model_id, "../x", join(dir, "out"))).rejects.toBeInstanceOf(UnsafeArtifactPathError);
    await client.close();
  });

  it("fails with NotFoundError for an unknown model, and asks the server again next time", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const missing = "m-0123456789abcdef0123456789abcdef";
    writeFileSync(join(dir, "f.txt"), "x");
    await expect(client.loggedModels.uploadArtifacts(missing, join(dir, "f.txt"))).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.loggedModels.uploadArtifacts(missing, join(dir, "f.txt"))).rejects.toBeInstanceOf(NotFoundError);
    await client.close();
  });
});
