/**
 * `client.experiments` against the real direct server (PostgreSQL store): the whole lifecycle,
 * tags, searches with filters and ordering across pages, and the server's real error codes.
 */
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { AlreadyExistsError, NotFoundError, UnsupportedFeatureError } from "../../src/index.js";
import { serverLacks } from "../../src/protocol/server-features.js";
import { stackClient, stackEnv, stackServerVersion, uniqueName } from "./support/stack.js";

const client = stackClient("direct");

afterAll(async () => {
  await client.close();
});

describe("experiments on the real server", () => {
  it("creates an experiment with tags and an artifact location, and reads it by id and by name", async () => {
    const name = uniqueName("rest-exp");
    const location = `s3://${stackEnv("STACK_BUCKET_DIRECT")}/custom/${randomUUID()}`;
    const before = Date.now();
    const id = await client.experiments.create({ name, artifact_location: location, tags: { team: "vision", "a/b": "c" } });

    expect(id).toMatch(/^\d+$/);
    const experiment = await client.experiments.get(id);
    expect(experiment).toMatchObject({ experiment_id: id, name, artifact_location: location, lifecycle_stage: "active" });
    expect(experiment.tags).toEqual(
      expect.arrayContaining([
        { key: "team", value: "vision" },
        { key: "a/b", value: "c" },
      ]),
    );
    expect(experiment.creation_time).toBeGreaterThanOrEqual(before - 60_000);
    expect(experiment.last_update_time).toBeGreaterThanOrEqual(experiment.creation_time!);
    expect(await client.experiments.getByName(name)).toEqual(experiment);
  });

  it("gives new experiments the server's default artifact root followed by their id", async () => {
    const id = await client.experiments.create({ name: uniqueName("rest-exp-default-root") });
    const experiment = await client.experiments.get(id);
    expect(experiment.artifact_location).toBe(`s3://${stackEnv("STACK_BUCKET_DIRECT")}/${id}`);
  });

  it("returns undefined from getByName when no experiment has the name", async () => {
    expect(await client.experiments.getByName(uniqueName("rest-exp-absent"))).toBeUndefined();
  });

  it("renames an experiment: the new name resolves, the old one no longer does", async () => {
    const oldName = uniqueName("rest-exp-old");
    const newName = uniqueName("rest-exp-new");
    const id = await client.experiments.create({ name: oldName });

    await client.experiments.update(id, { new_name: newName });

    expect((await client.experiments.get(id)).name).toBe(newName);
    expect((await client.experiments.getByName(newName))?.experiment_id).toBe(id);
    expect(await client.experiments.getByName(oldName)).toBeUndefined();
  });

  it("soft-deletes and restores an experiment, which moves between the active and deleted views", async () => {
    const name = uniqueName("rest-exp-delete");
    const id = await client.experiments.create({ name });
    const byName = (view: "ACTIVE_ONLY" | "DELETED_ONLY") => client.experiments.search({ filter: `name = '${name}'`, view_type: view, max_results: 10 });

    await client.experiments.delete(id);
    expect((await client.experiments.get(id)).lifecycle_stage).toBe("deleted");
    expect(await byName("ACTIVE_ONLY")).toEqual([]);
    expect((await byName("DELETED_ONLY")).map((e) => e.experiment_id)).toEqual([id]);

    await client.experiments.restore(id);
    expect((await client.experiments.get(id)).lifecycle_stage).toBe("active");
    expect((await byName("ACTIVE_ONLY")).map((e) => e.experiment_id)).toEqual([id]);
  });

  it("sets, overwrites and deletes experiment tags; deleting an absent tag is a 404", async () => {
    const id = await client.experiments.create({ name: uniqueName("rest-exp-tags") });

    await client.experiments.setTag(id, "stage", "draft");
    await client.experiments.setTag(id, "stage", "final");
    await client.experiments.setTag(id, "owner", "ml team");
    expect((await client.experiments.get(id)).tags).toEqual(
      expect.arrayContaining([
        { key: "stage", value: "final" },
        { key: "owner", value: "ml team" },
      ]),
    );

    // Before MLflow 3.2 the server has no delete-experiment-tag: the typed error names both versions.
    const version = await stackServerVersion(client);
    if (serverLacks(version, "experiment-tag-delete")) {
      const missing = await client.experiments.deleteTag(id, "stage").catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(UnsupportedFeatureError);
      expect(missing).toMatchObject({ feature: "experiment-tag-delete", serverVersion: version, minVersion: "3.2" });
      return;
    }
    await client.experiments.deleteTag(id, "stage");
    const tags = (await client.experiments.get(id)).tags;
    expect(tags.find((t) => t.key === "stage")).toBeUndefined();
    expect(tags).toContainEqual({ key: "owner", value: "ml team" });

    const error = await client.experiments.deleteTag(id, "stage").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, errorCode: "RESOURCE_DOES_NOT_EXIST" });
  });

  it("searches with a name and tag filter and an order, across pages of 2", async () => {
    const group = randomUUID();
    const names = ["b", "d", "a", "e", "c"].map((letter) => `rest-exp-search-${group}-${letter}`);
    for (const [index, name] of names.entries()) {
      await client.experiments.create({ name, tags: { group, parity: index % 2 === 0 ? "even" : "odd" } });
    }

    const search = client.experiments.search({ filter: `name LIKE 'rest-exp-search-${group}-%'`, order_by: ["name DESC"], max_results: 2 });
    const pages = [];
    for await (const page of search.pages()) pages.push(page.items.map((e) => e.name.slice(-1)));
    expect(pages).toEqual([["e", "d"], ["c", "b"], ["a"]]);

    const even = [];
    for await (const e of client.experiments.search({ filter: `tags.group = '${group}' AND tags.parity = 'even'`, order_by: ["name ASC"], max_results: 1 })) {
      even.push(e.name.slice(-1));
    }
    expect(even).toEqual(["a", "b", "c"]);
  });

  it("refuses a duplicate experiment name with AlreadyExistsError (HTTP 400), also when the holder is deleted", async () => {
    const name = uniqueName("rest-exp-dup");
    const id = await client.experiments.create({ name });

    const duplicate = await client.experiments.create({ name }).catch((e: unknown) => e);
    expect(duplicate).toBeInstanceOf(AlreadyExistsError);
    expect(duplicate).toMatchObject({ status: 400, errorCode: "RESOURCE_ALREADY_EXISTS", method: "POST", endpoint: "/api/2.0/mlflow/experiments/create" });

    await client.experiments.delete(id);
    await expect(client.experiments.create({ name })).rejects.toBeInstanceOf(AlreadyExistsError);
  });

  it("answers NotFoundError (404, RESOURCE_DOES_NOT_EXIST) for an unknown experiment id", async () => {
    const error = await client.experiments.get("999999999").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, errorCode: "RESOURCE_DOES_NOT_EXIST", method: "GET", endpoint: "/api/2.0/mlflow/experiments/get" });
  });
});
