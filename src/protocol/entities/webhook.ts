/** Model-registry webhooks (MLflow 3.3+): wire names, enums as MLflow's JSON spells them. */
import { z } from "zod";
import { int64 } from "../../core/wire.js";

/** What a webhook event is about, as the server spells it. */
export type WebhookEntity =
  | "REGISTERED_MODEL"
  | "MODEL_VERSION"
  | "MODEL_VERSION_TAG"
  | "MODEL_VERSION_ALIAS"
  | "PROMPT"
  | "PROMPT_VERSION"
  | "PROMPT_TAG"
  | "PROMPT_VERSION_TAG"
  | "PROMPT_ALIAS"
  | "BUDGET_POLICY";

/** What happened to the entity. */
export type WebhookAction = "CREATED" | "UPDATED" | "DELETED" | "SET" | "EXCEEDED";

/** Webhook statuses (`WebhookStatus`). */
export const webhookStatusSchema = z.enum(["ACTIVE", "DISABLED"]);
/** Whether a webhook receives events. */
export type WebhookStatus = z.infer<typeof webhookStatusSchema>;

/**
 * An event a webhook subscribes to. The server accepts these pairs: REGISTERED_MODEL, MODEL_VERSION,
 * PROMPT, PROMPT_VERSION: CREATED; MODEL_VERSION_TAG, PROMPT_TAG, PROMPT_VERSION_TAG: SET, DELETED;
 * MODEL_VERSION_ALIAS, PROMPT_ALIAS: CREATED, DELETED; BUDGET_POLICY: EXCEEDED.
 */
export interface WebhookEvent {
  entity: WebhookEntity;
  action: WebhookAction;
}

/** Webhook schema (the secret is never returned). */
export const webhookSchema = z.object({
  webhook_id: z.string(),
  name: z.string(),
  description: z.string().optional(),
  url: z.string(),
  events: z.array(z.object({ entity: z.string(), action: z.string() })).default([]),
  status: webhookStatusSchema.optional(),
  creation_timestamp: int64.optional(),
  last_updated_timestamp: int64.optional(),
});
/** A webhook as the server returns it; `events` may hold entities and actions newer than these types. */
export type Webhook = z.infer<typeof webhookSchema>;

/** Schema of the result of `webhooks/{id}/test`. */
export const webhookTestResultSchema = z.object({
  success: z.boolean().default(false),
  response_status: z.number().int().optional(),
  response_body: z.string().optional(),
  error_message: z.string().optional(),
});
/** What the server saw when it sent a test event to the webhook's URL. */
export type WebhookTestResult = z.infer<typeof webhookTestResultSchema>;
