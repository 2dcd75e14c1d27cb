/** client.webhooks and verifyWebhookSignature: behaviour beyond the wire shape. */
import { createHmac } from "node:crypto";
import { HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { InvalidParameterError, ValidationError } from "../../../src/index.js";
import { verifyWebhookSignature } from "../../../src/webhooks.js";
import { API, record, testClient, useMockServer } from "../helpers/mock-server.js";

const server = useMockServer();
const EVENTS = [{ entity: "REGISTERED_MODEL", action: "CREATED" }] as const;

describe("webhooks", () => {
  it("refuses an empty name, a URL that is not http(s) and an empty event list before sending", async () => {
    const seen = record(server, "post", `${API}/webhooks`);
    const client = testClient();
    await expect(client.webhooks.create({ name: " ", url: "https://x.example.com", events: [...EVENTS] })).rejects.toMatchObject({
      key: "name",
      rule: "webhook-name",
    });
    await expect(client.webhooks.create({ name: "n", url: "ftp://x.example.com/h", events: [...EVENTS] })).rejects.toMatchObject({
      key: "url",
      rule: "webhook-url",
    });
    await expect(client.webhooks.create({ name: "n", url: "not a url", events: [...EVENTS] })).rejects.toBeInstanceOf(ValidationError);
    await expect(client.webhooks.create({ name: "n", url: "https://x.example.com", events: [] })).rejects.toMatchObject({
      key: "events",
      rule: "webhook-events",
    });
    expect(seen).toHaveLength(0);
  });

  it("keeps the secret out of errors", async () => {
    record(server, "post", `${API}/webhooks`, () =>
      HttpResponse.json({ error_code: "INVALID_PARAMETER_VALUE", message: "bad secret shh-webhook-secret-42" }, { status: 400 }),
    );
    const error = await testClient()
      .webhooks.create({ name: "n", url: "https://x.example.com", events: [...EVENTS], secret: "shh-webhook-secret-42" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidParameterError);
    expect(String((error as Error).message)).toContain("bad secret");
    expect(String((error as Error).message)).not.toContain("shh-webhook-secret-42");
    expect(String((error as Error).stack)).not.toContain("shh-webhook-secret-42");
  });

  it("lists every page with for await", async () => {
    const seen = record(server, "get", `${API}/webhooks`, (req) =>
      req.query.get("page_token") === null
        ? { webhooks: [{ webhook_id: "a", name: "a", url: "https://a" }], next_page_token: "p2" }
        : { webhooks: [{ webhook_id: "b", name: "b", url: "https://b" }] },
    );
    const ids: string[] = [];
    for await (const hook of testClient().webhooks.list({ max_results: 1 })) ids.push(hook.webhook_id);
    expect(ids).toEqual(["a", "b"]);
    expect(seen.map((r) => [r.query.get("max_results"), r.query.get("page_token")])).toEqual([
      ["1", null],
      ["1", "p2"],
    ]);
    expect(() => testClient().webhooks.list({ max_results: 1001 })).toThrow(ValidationError);
  });
});

describe("verifyWebhookSignature", () => {
  const secret = "receiver-secret";
  const body = JSON.stringify({ entity: "model_version", action: "created", data: { name: "m", version: "1" } });
  const now = 1_700_000_000_000;
  const timestamp = String(now / 1000);
  /** Signs as mlflow/webhooks/delivery.py does. */
  const sign = (key: string, payload: string): string => `v1,${createHmac("sha256", key).update(`d-1.${timestamp}.${payload}`).digest("base64")}`;
  const headers = (signature: string, ts = timestamp) => ({ "x-mlflow-signature": signature, "x-mlflow-delivery-id": "d-1", "x-mlflow-timestamp": ts });

  it("accepts the server's signature over the raw body, as a string or bytes", () => {
    expect(verifyWebhookSignature(secret, { body, headers: headers(sign(secret, body)) }, { now })).toBe(true);
    expect(verifyWebhookSignature(secret, { body: Buffer.from(body), headers: headers(sign(secret, body)) }, { now })).toBe(true);
  });

  it("refuses another secret, a changed body, a missing header and an old delivery", () => {
    expect(verifyWebhookSignature("other", { body, headers: headers(sign(secret, body)) }, { now })).toBe(false);
    expect(verifyWebhookSignature(secret, { body: `${body} `, headers: headers(sign(secret, body)) }, { now })).toBe(false);
    expect(verifyWebhookSignature(secret, { body, headers: { "x-mlflow-signature": sign(secret, body) } }, { now })).toBe(false);
    expect(verifyWebhookSignature(secret, { body, headers: headers(sign(secret, body)) }, { now: now + 301_000 })).toBe(false);
    expect(verifyWebhookSignature(secret, { body, headers: headers(sign(secret, body)) }, { now: now + 301_000, toleranceSeconds: 600 })).toBe(true);
  });
});
