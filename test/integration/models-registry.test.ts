/**
 * Registration against the real stack: twenty registerModel calls racing on one new name end in one
 * registered model with twenty versions and no error; a version the registry keeps PENDING (a proxy
 * rewrites its status) ends in a bounded wait and a typed error, with no alias set; bad input — an
 * unknown flavor, a missing model.onnx, a deleted version's URI, an alias that does not exist — fails
 * with the URI and the fix, and leaves nothing half-registered; a version copied by alias.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArtifactNotFoundError, copyModelVersion, type MlflowClient, ModelRegistrationError, registerModel, ValidationError } from "../../src/index.js";
import { startProxy } from "./support/http-proxy.js";
import { serverUri, stackClient, uniqueName } from "./support/stack.js";

const ONNX_LIKE = Uint8Array.from([0x08, 0x08, 0x12, 0x04, 0x74, 0x65, 0x73, 0x74]);
const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-models-registry-"));
let client: MlflowClient;
let experimentId: string;
let modelUri: string;
let modelId: string;

beforeAll(async () => {
  client = stackClient("direct");
  experimentId = await client.experiments.create({ name: uniqueName("models-registry") });
  const info = await client.models.log({ experimentId, flavor: "onnx", model: ONNX_LIKE, name: "churn" });
  modelUri = info.modelUri;
  modelId = info.modelId!;
});

afterAll(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

async function registeredModelExists(name: string): Promise<boolean> {
  for await (const model of client.registeredModels.search({ filter: `name = '${name}'` })) if (model.name === name) return true;
  return false;
}

describe("registerModel on the real stack", () => {
  it("twenty concurrent registrations of one new name: one registered model, twenty versions, no error", async () => {
    const name = uniqueName("race");
    const clients = Array.from({ length: 20 }, () => stackClient("direct"));
    try {
      const versions = await Promise.all(clients.map((c) => registerModel(modelUri, name, { client: c })));
      expect(versions.map((v) => Number(v.version)).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(versions.every((v) => v.status === "READY")).toBe(true);
      const model = await client.registeredModels.get(name);
      expect(model.name).toBe(name);
      let count = 0;
      for await (const _ of client.modelVersions.search({ filter: `name='${name}'` })) count++;
      expect(count).toBe(20);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  }, 240_000);

  it("a version the registry keeps PENDING: bounded wait with backoff, then ModelRegistrationError, and no alias", async () => {
    const proxy = await startProxy(serverUri("direct"), {
      rewriteJson: (request, body) => {
        if (!/\/model-versions\/(create|get)/.test(request.path)) return undefined;
        const answer = body as { model_version?: { status?: string } };
        if (answer.model_version) answer.model_version.status = "PENDING_REGISTRATION";
        return answer;
      },
    });
    const viaProxy = stackClient("direct", { trackingUri: proxy.url });
    const name = uniqueName("pending");
    try {
      const error = await registerModel(modelUri, name, { client: viaProxy, alias: "champion", awaitReadyMs: 3_000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelRegistrationError);
      expect(error).toMatchObject({ reason: "timeout", modelName: name, version: "1", status: "PENDING_REGISTRATION" });
      expect((error as Error).message).toMatch(/Fix: /);
      const polls = proxy.requests.filter((r) => r.method === "GET" && r.path.includes("/model-versions/get")).length;
      expect(polls).toBeGreaterThanOrEqual(2);
      expect(polls).toBeLessThanOrEqual(8);
      expect(proxy.requests.some((r) => r.path.includes("/registered-models/alias"))).toBe(false);
      // The server itself has the version (READY there); only the proxy kept it pending.
      expect((await client.modelVersions.get(name, "1")).aliases).toEqual([]);
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
  }, 120_000);

  it("copies a version by alias into another registered model", async () => {
    const staging = uniqueName("staging");
    const prod = uniqueName("prod");
    await registerModel(modelUri, staging, { client, alias: "champion", tags: { owner: "risk" } });
    const copy = await copyModelVersion(`models:/${staging}@champion`, prod, { client, alias: "live" });
    expect(copy).toMatchObject({ name: prod, version: "1", source: `models:/${staging}/1`, status: "READY", aliases: ["live"] });
    expect(copy.tags).toContainEqual({ key: "owner", value: "risk" });
    const tag = (await client.loggedModels.get(modelId)).info.tags.find((t) => t.key === "mlflow.modelVersions");
    expect(JSON.parse(tag!.value)).toContainEqual(expect.objectContaining({ name: staging }));
  }, 120_000);
});

describe("bad input on the real stack leaves nothing half-registered", () => {
  it("an unknown flavor and a missing model.onnx create no logged model", async () => {
    const empty = join(dir, "export");
    mkdirSync(empty, { recursive: true });
    const before = await countModels();
    const unknown = await client.models.log({ experimentId, flavor: "keras" as "onnx", model: empty }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ValidationError);
    expect((unknown as Error).message).toMatch(/Unknown model flavor "keras".*Fix: /);
    const missing = await client.models.log({ experimentId, flavor: "onnx", model: empty }).catch((e: unknown) => e);
    expect((missing as Error).message).toBe(
      `The folder ${empty} has no model.onnx. Fix: pass the path of the .onnx file itself, or save the model as ${join(empty, "model.onnx")}.`,
    );
    expect(await countModels()).toBe(before);
  });

  it("a deleted version's URI and an alias that does not exist name the URI and the fix, and register nothing", async () => {
    const source = uniqueName("source");
    await registerModel(modelUri, source, { client });
    await registerModel(modelUri, source, { client });
    await client.modelVersions.delete(source, "1");
    const target = uniqueName("target");
    const deleted = await registerModel(`models:/${source}/1`, target, { client }).catch((e: unknown) => e);
    expect(deleted).toBeInstanceOf(ArtifactNotFoundError);
    expect((deleted as Error).message).toMatch(new RegExp(`^"models:/${source}/1" names nothing: .*Fix: list the versions`));
    const noAlias = await registerModel(`models:/${source}@champion`, target, { client }).catch((e: unknown) => e);
    expect(noAlias).toBeInstanceOf(ArtifactNotFoundError);
    expect((noAlias as Error).message).toMatch(new RegExp(`^"models:/${source}@champion" names nothing: .*alias.*Fix: point the alias at a version`));
    expect(await registeredModelExists(target)).toBe(false);
    // The same URIs in a download fail the same way.
    await expect(client.uris.download(`models:/${source}@champion`, join(dir, "x"))).rejects.toBeInstanceOf(ArtifactNotFoundError);
  });
});

async function countModels(): Promise<number> {
  let count = 0;
  for await (const _ of client.loggedModels.search({ experiment_ids: [experimentId] })) count++;
  return count;
}
