/**
 * Experiments in the embedded store behave as in MLflow's SQL store, through the unchanged
 * `client.experiments` resource: ids, the Default experiment, unique names, soft delete carrying
 * runs, tags, and searches with filters, order and MLflow-compatible page tokens.
 */
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AlreadyExistsError, InvalidParameterError, NotFoundError, ServerError } from "../../../../../src/core/errors.js";
import { rawCall, removeTempDirs, sqliteClient, sqliteStore, tempDir } from "../helpers.js";

afterEach(removeTempDirs);

describe("embedded store: experiments", () => {
  it("has the Default experiment 0 with MLflow's artifact location <cwd>/mlruns/0", async () => {
    const client = sqliteClient(tempDir());
    const experiment = await client.experiments.get("0");
    expect(experiment).toMatchObject({
      experiment_id: "0",
      name: "Default",
      lifecycle_stage: "active",
      artifact_location: resolve(process.cwd(), "mlruns", "0"),
    });
    expect(experiment.creation_time).toBeGreaterThan(0);
    await client.close();
  });

  it("numbers new experiments from 1 and puts their artifacts under the default root", async () => {
    const dir = tempDir();
    const store = await sqliteStore(dir);
    const first = await store.call("experiments.create", { name: "a" });
    const second = await store.call("experiments.create", { name: "b", artifact_location: "relative/place", tags: [{ key: "team", value: "vision" }] });
    expect(first.experiment_id).toBe("1");
    expect(second.experiment_id).toBe("2");
    expect((await store.call("experiments.get", { experiment_id: "1" })).experiment.artifact_location).toBe(join(dir, "mlruns", "1"));
    const b = (await store.call("experiments.get", { experiment_id: "2" })).experiment;
    expect(b.artifact_location).toBe(resolve(process.cwd(), "relative/place"));
    expect(b.tags).toEqual([{ key: "team", value: "vision" }]);
    await store.close();
  });

  it("refuses a taken name, also when the experiment holding it is deleted", async () => {
    const client = sqliteClient(tempDir());
    const id = await client.experiments.create({ name: "mnist" });
    await client.experiments.delete(id);
    const error = await client.experiments.create({ name: "mnist" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlreadyExistsError);
    expect(error).toMatchObject({ errorCode: "RESOURCE_ALREADY_EXISTS", status: 400, method: "LOCAL", endpoint: "sqlite:experiments.create" });
    await client.close();
  });

  it("gets by name, and answers undefined (404 underneath) for an absent name or id", async () => {
    const client = sqliteClient(tempDir());
    const id = await client.experiments.create({ name: "x" });
    expect((await client.experiments.getByName("x"))?.experiment_id).toBe(id);
    expect(await client.experiments.getByName("nope")).toBeUndefined();
    const missing = await client.experiments.get("42").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as NotFoundError).serverMessage).toBe("No Experiment with id=42 exists");
    const bad = await client.experiments.get("abc").catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(InvalidParameterError);
    await client.close();
  });

  it("soft-deletes an experiment with its runs, and restores both", async () => {
    let clock = 1_000;
    const store = await sqliteStore(tempDir(), () => clock);
    const { experiment_id } = await store.call("experiments.create", { name: "e" });
    const { run } = await store.call("runs.create", { experiment_id, start_time: 5 });
    clock = 2_000;
    await store.call("experiments.delete", { experiment_id });
    const deleted = (await store.call("experiments.get", { experiment_id })).experiment;
    expect(deleted).toMatchObject({ lifecycle_stage: "deleted", last_update_time: 2_000 });
    expect((await store.call("runs.get", { run_id: run.info.run_id })).run.info.lifecycle_stage).toBe("deleted");
    const again = await store.call("experiments.delete", { experiment_id }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(NotFoundError);
    await store.call("experiments.restore", { experiment_id });
    expect((await store.call("runs.get", { run_id: run.info.run_id })).run.info.lifecycle_stage).toBe("active");
    await store.close();
  });

  it("renames active experiments only (INVALID_STATE otherwise), and a taken name is a bad request", async () => {
    const client = sqliteClient(tempDir());
    const id = await client.experiments.create({ name: "old" });
    await client.experiments.create({ name: "taken" });
    await client.experiments.update(id, { new_name: "new" });
    expect((await client.experiments.get(id)).name).toBe("new");
    const clash = await client.experiments.update(id, { new_name: "taken" }).catch((e: unknown) => e);
    expect(clash).toMatchObject({ errorCode: "BAD_REQUEST", status: 400 });
    await client.experiments.delete(id);
    const error = await client.experiments.update(id, { new_name: "newer" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ errorCode: "INVALID_STATE", status: 500 });
    await client.close();
  });

  it("sets, overwrites and deletes tags; deleting an absent tag is a 404", async () => {
    const client = sqliteClient(tempDir());
    const id = await client.experiments.create({ name: "t" });
    await client.experiments.setTag(id, "a", "1");
    await client.experiments.setTag(id, "b", "2");
    await client.experiments.setTag(id, "a", "3");
    expect((await client.experiments.get(id)).tags).toEqual([
      { key: "a", value: "3" },
      { key: "b", value: "2" },
    ]);
    await client.experiments.deleteTag(id, "a");
    expect((await client.experiments.get(id)).tags).toEqual([{ key: "b", value: "2" }]);
    const error = await client.experiments.deleteTag(id, "a").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).serverMessage).toBe(`No tag with name: a in experiment with id ${id}`);
    await client.close();
  });

  it('searches with filters, order and base64 {"offset": N} page tokens, newest first by default', async () => {
    let clock = 100;
    const store = await sqliteStore(tempDir(), () => clock++);
    for (const name of ["alpha", "beta", "Gamma", "delta"])
      await store.call("experiments.create", { name, tags: [{ key: "kind", value: name.length > 4 ? "long" : "short" }] });
    const first = await store.call("experiments.search", { max_results: 2 });
    expect(first.experiments.map((e) => e.name)).toEqual(["delta", "Gamma"]);
    expect(Buffer.from(first.next_page_token!, "base64").toString()).toBe('{"offset": 2}');
    const second = await store.call("experiments.search", { max_results: 2, page_token: first.next_page_token });
    expect(second.experiments.map((e) => e.name)).toEqual(["beta", "alpha"]);
    const third = await store.call("experiments.search", { max_results: 2, page_token: second.next_page_token });
    expect(third.experiments.map((e) => e.name)).toEqual(["Default"]);
    expect(third.next_page_token).toBeUndefined();
    const like = await store.call("experiments.search", { max_results: 10, filter: "name LIKE '%a' AND tags.kind = 'long'", order_by: ["name ASC"] });
    expect(like.experiments.map((e) => e.name)).toEqual(["Gamma", "alpha", "delta"]);
    const caseInsensitive = await store.call("experiments.search", { max_results: 10, filter: "name ILIKE 'g%'" });
    expect(caseInsensitive.experiments.map((e) => e.name)).toEqual(["Gamma"]);
    const noTag = await store.call("experiments.search", { max_results: 10, filter: "tags.kind IS NULL" });
    expect(noTag.experiments.map((e) => e.name)).toEqual(["Default"]);
    const byId = await store.call("experiments.search", { max_results: 10, filter: "experiment_id IN ('1', '3')", order_by: ["experiment_id"] });
    expect(byId.experiments.map((e) => e.experiment_id)).toEqual(["1", "3"]);
    await store.close();
  });

  it("selects deleted experiments with view_type and refuses bad searches as the server does", async () => {
    const client = sqliteClient(tempDir());
    const id = await client.experiments.create({ name: "gone" });
    await client.experiments.delete(id);
    expect((await client.experiments.search({ view_type: "DELETED_ONLY" })).map((e) => e.name)).toEqual(["gone"]);
    expect(await client.experiments.search({ view_type: "ALL" })).toHaveLength(2);
    for (const filter of ["name > 'a'", "tags.k < 'x'", "params.a = 'b'", "name = 'a' OR name = 'b'"]) {
      const error = await client.experiments.search({ filter }).catch((e: unknown) => e);
      expect(error, filter).toBeInstanceOf(InvalidParameterError);
    }
    await expect(client.store.call("experiments.search", { max_results: 50_001 })).rejects.toThrow(/at most 50000/);
    await expect(client.store.call("experiments.search", { max_results: 10, page_token: "not-a-token!" })).rejects.toThrow(/Invalid page token/);
    await client.close();
  });

  it("answers in the endpoint's wire shape, with no field the schema does not declare", async () => {
    const dir = tempDir();
    const store = await sqliteStore(dir);
    await store.call("experiments.create", { name: "w", tags: [{ key: "k", value: "v" }] });
    await store.close();
    expect(await rawCall(dir, "experiments.get", { experiment_id: "1" })).toMatchObject({ experiment: { experiment_id: "1", name: "w" } });
    await rawCall(dir, "experiments.search", { max_results: 1 });
    await rawCall(dir, "experiments.getByName", { experiment_name: "w" });
  });
});
