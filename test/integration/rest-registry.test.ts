/**
 * The model registry against the real direct server: registered models (create, get, rename,
 * update, search across pages, tags, aliases, delete) and model versions (create, get, update,
 * search, stage transitions, latest versions, download URI, tags, delete).
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AlreadyExistsError, InvalidParameterError, NotFoundError } from "../../src/index.js";
import { stackClient, uniqueName } from "./support/stack.js";

const client = stackClient("direct");
let runId: string;
let artifactUri: string;

beforeAll(async () => {
  const experimentId = await client.experiments.create({ name: uniqueName("rest-registry") });
  const run = await client.runs.create({ experiment_id: experimentId });
  runId = run.info.run_id;
  artifactUri = run.info.artifact_uri;
});

afterAll(async () => {
  await client.close();
});

describe("registered models on the real server", () => {
  it("creates a model with tags and a description, reads, updates, renames and deletes it", async () => {
    const name = uniqueName("rest-rm");
    const created = await client.registeredModels.create({ name, tags: { team: "risk" }, description: "first" });
    expect(created).toMatchObject({ name, description: "first", tags: [{ key: "team", value: "risk" }], latest_versions: [], aliases: [] });
    expect(created.creation_timestamp).toBeGreaterThan(0);

    expect(await client.registeredModels.get(name)).toMatchObject({ name, description: "first" });

    const updated = await client.registeredModels.update(name, { description: "second" });
    expect(updated.description).toBe("second");
    expect((await client.registeredModels.get(name)).description).toBe("second");

    const newName = uniqueName("rest-rm-renamed");
    const renamed = await client.registeredModels.rename(name, newName);
    expect(renamed.name).toBe(newName);
    await expect(client.registeredModels.get(name)).rejects.toBeInstanceOf(NotFoundError);

    await client.registeredModels.delete(newName);
    const gone = await client.registeredModels.get(newName).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(NotFoundError);
    expect(gone).toMatchObject({ status: 404, errorCode: "RESOURCE_DOES_NOT_EXIST" });
  });

  it("refuses a duplicate model name with AlreadyExistsError (HTTP 400)", async () => {
    const name = uniqueName("rest-rm-dup");
    await client.registeredModels.create({ name });
    await expect(client.registeredModels.create({ name })).rejects.toMatchObject({
      constructor: AlreadyExistsError,
      status: 400,
      errorCode: "RESOURCE_ALREADY_EXISTS",
    });
  });

  it("sets and deletes model tags", async () => {
    const name = uniqueName("rest-rm-tags");
    await client.registeredModels.create({ name });

    await client.registeredModels.setTag(name, "stage", "beta");
    await client.registeredModels.setTag(name, "owner", "ml");
    await client.registeredModels.deleteTag(name, "stage");

    expect((await client.registeredModels.get(name)).tags).toEqual([{ key: "owner", value: "ml" }]);
  });

  it("searches with a filter and an order across pages of 2", async () => {
    const group = randomUUID();
    for (const letter of ["c", "a", "e", "b", "d"]) await client.registeredModels.create({ name: `rest-rm-search-${group}-${letter}` });

    const pages: string[][] = [];
    for await (const page of client.registeredModels
      .search({ filter: `name LIKE 'rest-rm-search-${group}-%'`, order_by: ["name ASC"], max_results: 2 })
      .pages()) {
      pages.push(page.items.map((m) => m.name.slice(-1)));
    }
    expect(pages).toEqual([["a", "b"], ["c", "d"], ["e"]]);
  });
});

describe("model versions and aliases on the real server", () => {
  let name: string;

  beforeAll(async () => {
    name = uniqueName("rest-mv");
    await client.registeredModels.create({ name });
  });

  it("registers numbered versions from a run and reads them back", async () => {
    const source = `${artifactUri}/model`;
    const v1 = await client.modelVersions.create({ name, source, run_id: runId, tags: { framework: "onnx" }, description: "v one" });
    const v2 = await client.modelVersions.create({ name, source, run_id: runId });

    expect(v1).toMatchObject({
      name,
      version: "1",
      source,
      run_id: runId,
      current_stage: "None",
      description: "v one",
      tags: [{ key: "framework", value: "onnx" }],
    });
    expect(v2.version).toBe("2");
    expect(["READY", "PENDING_REGISTRATION"]).toContain(v1.status);
    expect(await client.modelVersions.get(name, 1)).toMatchObject({ version: "1", source, run_id: runId });
    expect(await client.modelVersions.getDownloadUri(name, "1")).toBe(source);
  });

  it("updates a version's description and its tags", async () => {
    expect((await client.modelVersions.update(name, 1, { description: "updated" })).description).toBe("updated");
    await client.modelVersions.setTag(name, 1, "checked", "yes");
    await client.modelVersions.setTag(name, 1, "tmp", "x");
    await client.modelVersions.deleteTag(name, 1, "tmp");
    const version = await client.modelVersions.get(name, 1);
    expect(version.description).toBe("updated");
    expect(version.tags).toEqual(
      expect.arrayContaining([
        { key: "framework", value: "onnx" },
        { key: "checked", value: "yes" },
      ]),
    );
    expect(version.tags.find((t) => t.key === "tmp")).toBeUndefined();
  });

  it("points aliases at versions and resolves them; a deleted alias no longer resolves", async () => {
    await client.registeredModels.setAlias(name, "champion", 1);
    await client.registeredModels.setAlias(name, "challenger", "2");

    expect((await client.registeredModels.getByAlias(name, "champion")).version).toBe("1");
    expect((await client.registeredModels.getByAlias(name, "challenger")).aliases).toEqual(["challenger"]);
    expect((await client.registeredModels.get(name)).aliases).toEqual(
      expect.arrayContaining([
        { alias: "champion", version: "1" },
        { alias: "challenger", version: "2" },
      ]),
    );

    await client.registeredModels.deleteAlias(name, "challenger");
    // MLflow answers an unknown alias with 400 INVALID_PARAMETER_VALUE, not 404.
    const missing = await client.registeredModels.getByAlias(name, "challenger").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(InvalidParameterError);
    expect(missing).toMatchObject({ status: 400, errorCode: "INVALID_PARAMETER_VALUE", serverMessage: "Registered model alias challenger not found." });
  });

  it("moves versions between stages and reports the latest version per stage", async () => {
    const staged = await client.modelVersions.transitionStage(name, 2, "Staging");
    expect(staged.current_stage).toBe("Staging");
    await client.modelVersions.transitionStage(name, 1, "Production");

    const latest = await client.registeredModels.getLatestVersions(name);
    expect(latest.map((v) => [v.current_stage, v.version]).sort()).toEqual([
      ["Production", "1"],
      ["Staging", "2"],
    ]);
    expect((await client.registeredModels.getLatestVersions(name, ["Staging"])).map((v) => v.version)).toEqual(["2"]);

    expect((await client.modelVersions.transitionStage(name, 1, "Archived")).current_stage).toBe("Archived");
    expect((await client.registeredModels.getLatestVersions(name, ["Production"])).map((v) => v.version)).toEqual([]);
  });

  it("archives the other Production version when archiveExistingVersions is set", async () => {
    const v3 = await client.modelVersions.create({ name, source: `${artifactUri}/model`, run_id: runId });
    await client.modelVersions.transitionStage(name, 2, "Production");

    const moved = await client.modelVersions.transitionStage(name, v3.version, "Production", { archiveExistingVersions: true });

    expect(moved).toMatchObject({ version: v3.version, current_stage: "Production" });
    expect((await client.modelVersions.get(name, 2)).current_stage).toBe("Archived");
  });

  it("searches versions of one model across pages of 1, by name and by run id", async () => {
    const byName: string[] = [];
    let pages = 0;
    for await (const page of client.modelVersions.search({ filter: `name='${name}'`, order_by: ["version_number ASC"], max_results: 1 }).pages()) {
      pages++;
      byName.push(...page.items.map((v) => v.version));
    }
    expect(byName).toEqual(["1", "2", "3"]);
    expect(pages).toBeGreaterThanOrEqual(3);

    const byRun = await client.modelVersions.search({ filter: `run_id='${runId}' AND name='${name}'`, max_results: 10 });
    expect(byRun.map((v) => v.version).sort()).toEqual(["1", "2", "3"]);
  });

  it("deletes a version: it is gone, the others remain", async () => {
    await client.modelVersions.delete(name, 2);
    await expect(client.modelVersions.get(name, 2)).rejects.toMatchObject({ constructor: NotFoundError, status: 404 });
    expect((await client.modelVersions.get(name, 3)).version).toBe("3");
  });
});
