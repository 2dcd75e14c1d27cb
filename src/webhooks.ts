/**
 * `mlflow-ts/webhooks`: verify the signature of a model-registry webhook delivery in a Node.js
 * receiver. A receiver needs no client: this entry loads nothing but `node:crypto`. Creating,
 * listing and testing webhooks is `client.webhooks` (root entry).
 *
 * @example
 * import { verifyWebhookSignature } from "mlflow-ts/webhooks";
 *
 * // in a request handler, with the body read raw (before JSON parsing):
 * const ok = verifyWebhookSignature(process.env.MLFLOW_WEBHOOK_SECRET ?? "", { body: rawBody, headers: req.headers });
 *
 * @packageDocumentation
 * @module mlflow-ts/webhooks
 */
export { DEFAULT_WEBHOOK_TOLERANCE_SECONDS, type VerifyWebhookOptions, verifyWebhookSignature, type WebhookDelivery } from "./protocol/webhook-signature.js";
