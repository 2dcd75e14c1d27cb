/**
 * The REST store: each RPC of the endpoint table becomes one HTTP call to the tracking server.
 * GET requests carry their fields in the query, the others as a JSON body; path parameters are
 * encoded into the path; responses are parsed with the endpoint's schema.
 */
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import { MlflowApiError, NotFoundError, PermissionDeniedError, ResponseValidationError, withDenial } from "../../core/errors.js";
import type { HttpRequest, HttpResponse, HttpTransport, QueryValue, RequestOptions } from "../../core/http/transport.js";
import { excerpt } from "../../core/redact.js";
import type { Recovery } from "../../core/retry/recovery.js";
import { unsafeIntegerError } from "../../core/wire.js";
import { describeRequirement } from "../../protocol/auth-requirements.js";
import { ENDPOINTS, type EndpointName, type EndpointRequest, type EndpointResponse } from "../../protocol/endpoints.js";
import type { KeyValue } from "../../protocol/entities/tracking.js";
import { featureOfEndpoint, type ServerFeature } from "../../protocol/server-features.js";
import { validatePathId } from "../../protocol/validation.js";
import type { TrackingStore } from "../tracking-store.js";
import { ServerCapabilities } from "./server-capabilities.js";

/**
 * Tag that `runs.create` adds to every run it creates over REST, holding a random request id. If
 * the response to a create is lost or late, the store searches for this tag before any resend, so
 * a retry never leaves a duplicate ("ghost") run.
 */
export const CREATE_REQUEST_ID_TAG = "mlflow-ts.createRequestId";

/**
 * Talks to an MLflow tracking server. `MlflowClient` creates one for `http(s)://` tracking URIs;
 * `client.store` calls any RPC of the endpoint table by name.
 *
 * @example
 * const client = new MlflowClient({ trackingUri: "http://127.0.0.1:5000" });
 * const { run } = await client.store.call("runs.get", { run_id });
 */
export class RestStore implements TrackingStore {
  readonly kind = "rest" as const;
  readonly displayUri: string;
  /** The transport, shared with the proxied-artifact store. @internal */
  readonly transport: HttpTransport;
  /** The basic-auth user the transport sends, named in permission errors; `undefined` otherwise. */
  readonly #username: string | undefined;
  /** The server's version and features, asked once (the client hands it out as `client.server`). */
  readonly capabilities: ServerCapabilities;

  /** @internal */
  constructor(transport: HttpTransport, username?: string) {
    this.transport = transport;
    this.displayUri = transport.baseUrl;
    this.#username = username;
    this.capabilities = new ServerCapabilities(transport);
  }

  /**
   * Performs one RPC. An endpoint that not every release serves (see `SERVER_FEATURES`) and that
   * the server answers with a missing route fails with `UnsupportedFeatureError` instead; a bare
   * 403 from the basic-auth app is rewritten to name what was refused.
   */
  async call<N extends EndpointName>(name: N, request: EndpointRequest<N>, options: RequestOptions = {}): Promise<EndpointResponse<N>> {
    const body = name === "runs.create" ? withCreateRequestId(request as EndpointRequest<"runs.create">) : request;
    const http = toHttpRequest(name, body as Record<string, unknown>);
    const parse = (res: HttpResponse<string | Readable>): EndpointResponse<N> => parseBody(name, http, res.body as string);
    try {
      return await this.transport.request(http, options, parse, this.#recovery(name, body, options));
    } catch (error) {
      // The server's 403 says "Permission denied" and no more; the request says what was refused.
      if (error instanceof PermissionDeniedError && error.resource === undefined && isAuthDenial(error)) {
        throw withDenial(error, describeRequirement(name, body as Record<string, unknown>, this.#username), this.#username);
      }
      const feature = featureOfEndpoint(name);
      if (feature !== undefined) return this.#missingFeature(feature, error, options.signal);
      throw error;
    }
  }

  /** Rethrows `error`, as {@link UnsupportedFeatureError} when it is the route missing on an older server. */
  async #missingFeature(feature: ServerFeature, error: unknown, signal: AbortSignal | undefined): Promise<never> {
    if (!isMissingRoute(error)) throw error;
    throw (await this.capabilities.unsupported(feature, error, signal)) ?? error;
  }

  async close(): Promise<void> {
    this.transport.close();
  }

  /**
   * How to find the result of a create whose answer was lost or did not come in time (see
   * {@link RetryPolicy} and `core/retry/recovery.ts`); `undefined` for the other endpoints.
   */
  #recovery<N extends EndpointName>(name: N, request: EndpointRequest<N>, options: RequestOptions): Recovery<EndpointResponse<N>> | undefined {
    // One attempt per lookup: the transport spaces the lookups with backoff.
    const once = (signal: AbortSignal): RequestOptions => ({ ...options, signal, maxRetries: 0 });
    const recoveries: Partial<Record<EndpointName, () => Recovery<unknown>>> = {
      "runs.create": () => this.#runRecovery(request as EndpointRequest<"runs.create">, once),
      "experiments.create": () => this.#experimentRecovery((request as EndpointRequest<"experiments.create">).name, once),
      "registeredModels.create": () => this.#registeredModelRecovery((request as EndpointRequest<"registeredModels.create">).name, once),
    };
    return recoveries[name]?.() as Recovery<EndpointResponse<N>> | undefined;
  }

  #runRecovery(request: EndpointRequest<"runs.create">, once: (signal: AbortSignal) => RequestOptions): Recovery<EndpointResponse<"runs.create">> {
    const requestId = request.tags?.find((tag) => tag.key === CREATE_REQUEST_ID_TAG)?.value;
    const filter = `tags.\`${CREATE_REQUEST_ID_TAG}\` = '${requestId}'`;
    return {
      find: async (signal) => {
        const page = await this.call("runs.search", { experiment_ids: [request.experiment_id], filter, max_results: 1 }, once(signal));
        return page.runs[0] ? { run: page.runs[0] } : undefined;
      },
      lookingFor: `a run tagged ${CREATE_REQUEST_ID_TAG} = '${requestId}' in experiment ${request.experiment_id}`,
      fix: `search for it (client.runs.search({ experiment_ids: ["${request.experiment_id}"], filter: "${filter}" })) before creating the run again.`,
    };
  }

  #experimentRecovery(name: string, once: (signal: AbortSignal) => RequestOptions): Recovery<EndpointResponse<"experiments.create">> {
    return {
      // A deleted experiment with this name was not created by the lost attempt (that attempt
      // would have failed with RESOURCE_ALREADY_EXISTS); retrying reports that error.
      find: async (signal) => {
        const experiment = (await orUndefined(this.call("experiments.getByName", { experiment_name: name }, once(signal))))?.experiment;
        return experiment && experiment.lifecycle_stage === "active" ? { experiment_id: experiment.experiment_id } : undefined;
      },
      lookingFor: `an active experiment named ${JSON.stringify(name)}`,
      fix: `look it up (client.experiments.getByName(${JSON.stringify(name)})) before creating it again.`,
    };
  }

  #registeredModelRecovery(name: string, once: (signal: AbortSignal) => RequestOptions): Recovery<EndpointResponse<"registeredModels.create">> {
    return {
      find: async (signal) => {
        const found = await orUndefined(this.call("registeredModels.get", { name }, once(signal)));
        return found ? { registered_model: found.registered_model } : undefined;
      },
      lookingFor: `a registered model named ${JSON.stringify(name)}`,
      fix: `look it up (client.registeredModels.get(${JSON.stringify(name)})) before creating it again.`,
    };
  }
}

/** The basic-auth app's refusal (its body is "Permission denied"), not a proxy's or the host check's 403. */
function isAuthDenial(error: PermissionDeniedError): boolean {
  return /^permission denied\.?$/i.test(error.serverMessage.trim());
}

function withCreateRequestId(request: EndpointRequest<"runs.create">): EndpointRequest<"runs.create"> {
  if (request.tags?.some((tag) => tag.key === CREATE_REQUEST_ID_TAG)) return request;
  const tags: KeyValue[] = [...(request.tags ?? []), { key: CREATE_REQUEST_ID_TAG, value: randomUUID() }];
  return { ...request, tags };
}

/**
 * A server's answer for a route it does not have: 404 `ENDPOINT_NOT_FOUND` (MLflow's HTML page
 * maps to that code too), or 405 when the path exists for another method only.
 */
function isMissingRoute(error: unknown): boolean {
  return error instanceof MlflowApiError && ((error.status === 404 && error.errorCode === "ENDPOINT_NOT_FOUND") || error.status === 405);
}

async function orUndefined<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/**
 * Builds the HTTP request of an RPC: path parameters filled in, GET fields in the query (without
 * the path parameters), other fields as JSON, but for those the endpoint lists in `query`. A JSON body keeps the path parameters too, as the
 * Python client sends them: the server reads e.g. `model_id` of `PATCH logged-models/{model_id}`
 * from the body and answers 400 without it.
 * @internal
 */
export function toHttpRequest(name: EndpointName, request: Record<string, unknown>): HttpRequest {
  const spec = ENDPOINTS[name];
  const query: Record<string, unknown> = { ...request };
  const path = spec.path.replace(/\{(\w+)\}/g, (_match, param: string) => {
    const value = query[param];
    validatePathId(param, value);
    delete query[param];
    return encodeURIComponent(value);
  });
  if (spec.method === "GET") return { method: "GET", path, query: query as Record<string, QueryValue>, retry: spec.retry };
  const queryFields = "query" in spec ? spec.query : undefined;
  if (queryFields === undefined) return { method: spec.method, path, json: request, retry: spec.retry };
  const json: Record<string, unknown> = { ...request };
  const inQuery: Record<string, QueryValue> = {};
  for (const field of queryFields) {
    inQuery[field] = json[field] as QueryValue;
    delete json[field];
  }
  return { method: spec.method, path, query: inQuery, json, retry: spec.retry };
}

function parseBody<N extends EndpointName>(name: N, http: HttpRequest, text: string): EndpointResponse<N> {
  const context = { method: http.method, endpoint: http.path };
  const json = parseJsonObject(text, context);
  const result = ENDPOINTS[name].response.safeParse(json);
  if (result.success) return result.data as EndpointResponse<N>;
  const unsafe = unsafeIntegerError(result.error.issues, context);
  if (unsafe) throw unsafe;
  const issues = result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
  throw new ResponseValidationError({ ...context, detail: `the body does not match the ${name} response schema`, issues });
}

/**
 * Parses a 2xx body: an empty body or a bare `OK` counts as `{}` (as in the Python client);
 * anything that is not a JSON object is an error that quotes the start of the body.
 * @internal
 */
export function parseJsonObject(text: string, context: { method: string; endpoint: string }): unknown {
  const trimmed = text.trim();
  if (trimmed === "" || trimmed === "OK") return {};
  try {
    const json: unknown = JSON.parse(trimmed);
    if (typeof json === "object" && json !== null && !Array.isArray(json)) return json;
  } catch {
    // fall through to the error below
  }
  throw new ResponseValidationError({
    ...context,
    detail: `expected a JSON object but got "${excerpt(trimmed.replace(/\s+/g, " "), 120)}". Is the tracking URI pointing at the MLflow server (and not at a login page or another service)?`,
  });
}
