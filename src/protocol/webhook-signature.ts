/**
 * Checking, in a Node webhook receiver, that a delivery comes from the MLflow server: the
 * `X-MLflow-Signature` header is `v1,` + base64(HMAC-SHA256(secret, "<delivery id>.<timestamp>.<body>"))
 * with the `X-MLflow-Delivery-Id` and `X-MLflow-Timestamp` headers, as `mlflow/webhooks/delivery.py`
 * signs it.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** Default largest age of a delivery: 300 s (a replayed old delivery is refused). */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

/** A received delivery: the raw body (exactly as received) and the request headers. */
export interface WebhookDelivery {
  /** The request body, unparsed. */
  body: string | Uint8Array;
  /** The request headers (Node's lower-cased `req.headers` works as is). */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

/** Options of {@link verifyWebhookSignature}. */
export interface VerifyWebhookOptions {
  /** Largest accepted age (and clock difference) of the delivery, seconds. @defaultValue 300 */
  toleranceSeconds?: number | undefined;
  /** The current time, ms since the epoch. @defaultValue Date.now() */
  now?: number | undefined;
}

/**
 * Whether a webhook delivery was signed by the MLflow server with `secret` and is recent. Compare
 * in constant time; read the body raw (before JSON parsing) so the bytes are the signed ones.
 *
 * @returns false when a header is missing, the signature does not match, or the timestamp is
 *   further than `toleranceSeconds` from now.
 * @example
 * http.createServer((req, res) => {
 *   const chunks: Buffer[] = [];
 *   req.on("data", (c) => chunks.push(c)).on("end", () => {
 *     const ok = verifyWebhookSignature(process.env.MLFLOW_WEBHOOK_SECRET!, { body: Buffer.concat(chunks), headers: req.headers });
 *     res.writeHead(ok ? 200 : 401).end();
 *   });
 * });
 */
export function verifyWebhookSignature(secret: string, delivery: WebhookDelivery, options: VerifyWebhookOptions = {}): boolean {
  const signature = header(delivery.headers, "x-mlflow-signature");
  const deliveryId = header(delivery.headers, "x-mlflow-delivery-id");
  const timestamp = header(delivery.headers, "x-mlflow-timestamp");
  if (!signature?.startsWith("v1,") || !deliveryId || !timestamp || !/^\d+$/.test(timestamp)) return false;
  const ageSeconds = Math.abs((options.now ?? Date.now()) / 1000 - Number(timestamp));
  if (ageSeconds > (options.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS)) return false;
  const body = typeof delivery.body === "string" ? Buffer.from(delivery.body, "utf8") : Buffer.from(delivery.body);
  const expected = createHmac("sha256", secret).update(`${deliveryId}.${timestamp}.`).update(body).digest();
  const given = Buffer.from(signature.slice(3), "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function header(headers: WebhookDelivery["headers"], name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value[0] : (value as string | undefined);
}
