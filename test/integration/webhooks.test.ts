/**
 * Model-registry webhooks on the real server: create, get, list, update, test and delete; the
 * server's test delivery and a real `registered_model.created` event reach a receiver on loopback,
 * signed so that `verifyWebhookSignature` accepts them with the webhook's secret (and refuses them
 * with another). The stack's servers allow http:// receivers on private addresses and cache the
 * webhooks of an event for 1 s (scripts/stack/lib.sh).
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotFoundError } from "../../src/core/errors.js";
import { verifyWebhookSignature } from "../../src/protocol/webhook-signature.js";
import { stackClient, uniqueName } from "./support/stack.js";

interface Delivery {
  body: Buffer;
  headers: IncomingHttpHeaders;
}

const client = stackClient("direct");
const secret = "webhook-receiver-secret-7f3a";
const deliveries: Delivery[] = [];
let receiver: Server;
let url: string;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      deliveries.push({ body: Buffer.concat(chunks), headers: req.headers });
      res.writeHead(200, { "content-type": "text/plain" }).end("received");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  await client.close();
  await new Promise((resolve) => receiver.close(resolve));
});

/** The deliveries whose JSON body matches, waiting (every 100 ms, at most 150 times) for at least one. */
async function deliveredWhere(match: (payload: { entity: string; action: string; data: Record<string, unknown> }) => boolean): Promise<Delivery[]> {
  for (let attempt = 0; attempt < 150; attempt++) {
    const found = deliveries.filter((d) => match(JSON.parse(d.body.toString("utf8"))));
    if (found.length > 0) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("no matching webhook delivery arrived");
}

describe("webhooks on the real server", () => {
  it("create, get, list, update, test (signed delivery) and delete", async () => {
    const name = uniqueName("hook");
    const created = await client.webhooks.create({ name, url, events: [{ entity: "REGISTERED_MODEL", action: "CREATED" }], secret, description: "ci" });
    expect(created).toMatchObject({ name, url, description: "ci", status: "ACTIVE", events: [{ entity: "REGISTERED_MODEL", action: "CREATED" }] });
    expect(JSON.stringify(created)).not.toContain(secret);
    const id = created.webhook_id;

    expect(await client.webhooks.get(id)).toEqual(created);
    const listed: string[] = [];
    for await (const hook of client.webhooks.list({ max_results: 2 })) listed.push(hook.webhook_id);
    expect(listed).toContain(id);

    const updated = await client.webhooks.update(id, {
      description: "updated",
      events: [
        { entity: "REGISTERED_MODEL", action: "CREATED" },
        { entity: "MODEL_VERSION", action: "CREATED" },
      ],
    });
    expect(updated.description).toBe("updated");
    // The server keeps the events as a set, in its own order.
    expect(updated.events.map((e) => `${e.entity}.${e.action}`).sort()).toEqual(["MODEL_VERSION.CREATED", "REGISTERED_MODEL.CREATED"]);

    const before = deliveries.length;
    const result = await client.webhooks.test(id, { entity: "MODEL_VERSION", action: "CREATED" });
    expect(result).toMatchObject({ success: true, response_status: 200, response_body: "received" });
    const tested = deliveries.slice(before);
    expect(tested).toHaveLength(1);
    expect(JSON.parse(tested[0]!.body.toString("utf8"))).toMatchObject({ entity: "model_version", action: "created" });
    expect(verifyWebhookSignature(secret, tested[0]!)).toBe(true);
    expect(verifyWebhookSignature("another-secret", tested[0]!)).toBe(false);

    await client.webhooks.delete(id);
    await expect(client.webhooks.get(id)).rejects.toBeInstanceOf(NotFoundError);
  }, 60_000);

  it("delivers a real registered_model.created event, signed", async () => {
    const hook = await client.webhooks.create({ name: uniqueName("hook"), url, events: [{ entity: "REGISTERED_MODEL", action: "CREATED" }], secret });
    try {
      // The server caches each event's webhooks for 1 s here: let a cache filled before the create expire.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const modelName = uniqueName("hooked-model");
      await client.registeredModels.create({ name: modelName });
      const [delivery] = await deliveredWhere((p) => p.entity === "registered_model" && p.action === "created" && p.data.name === modelName);
      expect(verifyWebhookSignature(secret, delivery!)).toBe(true);
      expect(delivery!.headers["x-mlflow-delivery-id"]).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await client.webhooks.delete(hook.webhook_id);
    }
  }, 60_000);

  it("reports a receiver that cannot be reached as success: false, not an exception", async () => {
    const hook = await client.webhooks.create({
      name: uniqueName("hook"),
      url: "http://127.0.0.1:9/closed",
      events: [{ entity: "MODEL_VERSION", action: "CREATED" }],
    });
    try {
      const result = await client.webhooks.test(hook.webhook_id);
      expect(result.success).toBe(false);
      expect(result.error_message).toMatch(/Failed to test webhook/);
    } finally {
      await client.webhooks.delete(hook.webhook_id);
    }
  }, 60_000);
});
