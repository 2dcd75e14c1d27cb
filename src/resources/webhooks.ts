/** Model-registry webhooks (MLflow 3.3+): create, list, get, update, delete and test. */
import { ValidationError } from "../core/errors.js";
import type { RequestOptions } from "../core/http/transport.js";
import { Paginated } from "../core/pagination.js";
import { registerSecret } from "../core/redact.js";
import type { Webhook, WebhookEvent, WebhookStatus, WebhookTestResult } from "../protocol/entities/webhook.js";
import { validateMaxResults } from "../protocol/validation.js";
import { APIResource } from "./resource.js";

/** Default page size of `webhooks.list` (the server's default). */
export const WEBHOOK_LIST_PAGE_SIZE = 100;
/** Largest page the server accepts for `webhooks.list`. */
export const MAX_WEBHOOK_LIST_PAGE_SIZE = 1000;

/** Parameters of {@link Webhooks.create}. */
export interface CreateWebhookParams {
  /** A name for people. */
  name: string;
  /** Where the server POSTs events; `https://` unless the server allows `http` (MLFLOW_WEBHOOK_ALLOWED_SCHEMES). */
  url: string;
  /** The events to receive, at least one, e.g. `{ entity: "MODEL_VERSION", action: "CREATED" }`. */
  events: WebhookEvent[];
  description?: string | undefined;
  /** Key of the `X-MLflow-Signature` HMAC; see `verifyWebhookSignature` in `mlflow-ts/webhooks`. Never returned, never logged. */
  secret?: string | undefined;
  /** @defaultValue "ACTIVE" */
  status?: WebhookStatus | undefined;
}

/** Parameters of {@link Webhooks.update}: only what is given changes. */
export type UpdateWebhookParams = { [K in keyof CreateWebhookParams]?: CreateWebhookParams[K] | undefined };

/**
 * `client.webhooks`: the server POSTs model-registry events (a version created, an alias set…) to
 * a URL, signed with the webhook's secret.
 *
 * @example
 * const hook = await client.webhooks.create({
 *   name: "deploy-on-alias",
 *   url: "https://ci.example.com/mlflow-hook",
 *   events: [{ entity: "MODEL_VERSION_ALIAS", action: "CREATED" }],
 *   secret: process.env.MLFLOW_WEBHOOK_SECRET,
 * });
 * const { success } = await client.webhooks.test(hook.webhook_id);
 */
export class Webhooks extends APIResource {
  /**
   * Creates a webhook. Not retried after an ambiguous failure (a retry could create a second one).
   * @throws {ValidationError} for an empty name, a URL that is not http(s), or no events.
   * @throws {InvalidParameterError} when the server refuses the URL (scheme not allowed, a
   *   private address) or an entity/action pair.
   */
  async create(params: CreateWebhookParams, options?: RequestOptions): Promise<Webhook> {
    checkWebhook(params);
    registerSecret(params.secret);
    return (await this.store.call("webhooks.create", params, options)).webhook;
  }

  /**
   * Lists webhooks, newest first: `await` gives every match across pages, `for await` streams them page by page, `.firstPage()` gives one page.
   * @throws {ValidationError} when `max_results` is not a whole number from 1 to 1000.
   */
  list(params: { max_results?: number | undefined; page_token?: string | undefined } = {}, options?: RequestOptions): Paginated<Webhook> {
    const { max_results = WEBHOOK_LIST_PAGE_SIZE, page_token } = params;
    validateMaxResults("max_results", max_results, MAX_WEBHOOK_LIST_PAGE_SIZE);
    return new Paginated(async (token) => {
      const res = await this.store.call("webhooks.list", { max_results, page_token: token }, options);
      return { items: res.webhooks, nextPageToken: res.next_page_token || undefined };
    }, page_token);
  }

  /** Gets a webhook. @throws {NotFoundError} */
  async get(webhookId: string, options?: RequestOptions): Promise<Webhook> {
    return (await this.store.call("webhooks.get", { webhook_id: webhookId }, options)).webhook;
  }

  /**
   * Changes what is given (name, URL, events, description, secret, status).
   * @throws {ValidationError} for an empty name, a URL that is not http(s), or an empty event list.
   * @throws {NotFoundError}
   */
  async update(webhookId: string, params: UpdateWebhookParams, options?: RequestOptions): Promise<Webhook> {
    checkWebhook(params);
    registerSecret(params.secret);
    return (await this.store.call("webhooks.update", { webhook_id: webhookId, ...params }, options)).webhook;
  }

  /** Deletes a webhook. @throws {NotFoundError} */
  async delete(webhookId: string, options?: RequestOptions): Promise<void> {
    await this.store.call("webhooks.delete", { webhook_id: webhookId }, options);
  }

  /**
   * Has the server send an example event (`event`, else the webhook's first) to the URL now, and
   * returns what the receiver answered; a receiver that cannot be reached is `success: false` with
   * the server's `error_message`, not an exception.
   * @throws {NotFoundError}
   */
  async test(webhookId: string, event?: WebhookEvent, options?: RequestOptions): Promise<WebhookTestResult> {
    return (await this.store.call("webhooks.test", { webhook_id: webhookId, event }, options)).result;
  }
}

function checkWebhook(params: UpdateWebhookParams): void {
  if (params.name !== undefined && params.name.trim() === "") throw new ValidationError("name", "webhook-name", "A webhook needs a non-empty name.");
  if (params.url !== undefined) checkUrl(params.url);
  if (params.events === undefined) return;
  if (params.events.length === 0) {
    throw new ValidationError("events", "webhook-events", 'A webhook needs at least one event, e.g. { entity: "MODEL_VERSION", action: "CREATED" }.');
  }
  for (const event of params.events) {
    if (!event?.entity || !event.action)
      throw new ValidationError("events", "webhook-events", `Each event needs an entity and an action, got ${JSON.stringify(event)}.`);
  }
}

function checkUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError("url", "webhook-url", "The webhook URL does not parse. Fix: give an absolute https:// URL.");
  }
  if (parsed.protocol === "https:" || parsed.protocol === "http:") return;
  throw new ValidationError("url", "webhook-url", `The webhook URL must be https:// (or http:// where the server allows it), got ${parsed.protocol}//.`);
}
