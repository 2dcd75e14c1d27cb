/**
 * HTTP transport on axios: keep-alive sockets with a short idle timeout, a per-attempt timeout, a
 * whole-call deadline, the caller's `AbortSignal`, and retries with backoff, jitter and
 * `Retry-After`, decided per endpoint ({@link RetryPolicy}). The loop and its waits are the shared
 * ones (core/retry/retry-until.ts, `transportCurve` in core/retry/backoff.ts); what is the
 * transport's own is each attempt: stale-socket replay, ambiguity recovery, the unreachable
 * deadline. Raw axios errors never leave this file: they carry the request config and its headers.
 */
import { readFileSync } from "node:fs";
import type https from "node:https";
import type { Readable } from "node:stream";
import axios, { type AxiosInstance, type AxiosResponse } from "axios";
import { messageOf } from "../error-text.js";
import {
  AbortError,
  AmbiguousResultError,
  AuthProviderError,
  apiErrorFromResponse,
  ConnectionError,
  MlflowApiError,
  MlflowError,
  type RequestContext,
  TimeoutError,
} from "../errors.js";
import { redact, redactUrl, registerSecretHeaders } from "../redact.js";
import { transportCurve } from "../retry/backoff.js";
import type { RetryPolicy } from "../retry/policy.js";
import {
  isTransientAnswer,
  NOT_PROCESSED_STATUSES,
  NOT_SENT_CODES,
  QUIET_RETRIES_ENV,
  retryAfterMs,
  retryAfterOf,
  UNREACHABLE_CODES,
  UNREACHABLE_DEADLINE_ENV,
} from "../retry/policy.js";
import { type Recovery, resolveAmbiguity } from "../retry/recovery.js";
import { retryUntil } from "../retry/retry-until.js";
import { LinkedAbort } from "../signals.js";
import { VERSION } from "../version.js";
import { toWireJson } from "../wire.js";
import { sendsWorkspaceHeader, WORKSPACE_HEADER } from "../workspace.js";
import { type AuthHeaders, AuthSession } from "./auth/auth-session.js";
import type { AuthSettings, HttpSettings, TlsSettings, TransportSettings } from "./settings.js";
import { isStaleSocketError, SocketPools } from "./socket-pools.js";

/**
 * Per-call options accepted by every async method of the SDK.
 *
 * @example
 * await client.runs.get(runId, { timeoutMs: 5_000, maxRetries: 0, signal: AbortSignal.timeout(10_000) });
 */
export interface RequestOptions {
  /** Aborts the call, its retries and its waits; the call then rejects with {@link AbortError}. */
  signal?: AbortSignal | undefined;
  /** Timeout of each attempt in ms. Defaults to the client's `timeoutMs` (120 s). */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt. Defaults to the client's `maxRetries` (7). */
  maxRetries?: number | undefined;
  /** Deadline of the whole call, retries included, in ms. Defaults to the client's `deadlineMs` (10 min). */
  deadlineMs?: number | undefined;
  /** Extra headers for this call. */
  headers?: Record<string, string> | undefined;
}

/** Query values; arrays become repeated keys (`run_ids=a&run_ids=b`). */
export type QueryValue = string | number | boolean | readonly (string | number)[] | undefined;

/** One HTTP call as the stores describe it. @internal */
export interface HttpRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD";
  /** Path appended to the tracking base URL, e.g. `/api/2.0/mlflow/runs/get`. Ignored when `url` is set. */
  path: string;
  /** Absolute URL (e.g. a presigned S3 part URL); MLflow auth and custom headers are then not sent. */
  url?: string;
  query?: Record<string, QueryValue>;
  /** JSON body, serialised with MLflow's encoding of NaN and ±Infinity. */
  json?: unknown;
  /** Raw body; a factory so that a retry can re-open the stream. */
  body?: () => Readable | Buffer;
  headers?: Record<string, string>;
  /** `text` (default) buffers the body; `stream` returns it unread on success. */
  responseType?: "text" | "stream";
  retry: RetryPolicy;
}

/** A response as the stores see it. @internal */
export interface HttpResponse<B = string> {
  status: number;
  headers: Record<string, string | undefined>;
  body: B;
}

const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** Failures of an attempt on a pooled socket that was stale (see STALE SOCKET REPLAY). */
const staleSocketFailures = new WeakSet<MlflowError>();

/**
 * Sends requests to one tracking server. One instance per client: it owns the socket pools.
 * @internal
 */
export class HttpTransport {
  readonly baseUrl: string;
  readonly #config: HttpSettings;
  readonly #axios: AxiosInstance;
  readonly #authHeader: string | undefined;
  /** The workspace header's value, when a workspace is configured. */
  readonly #workspace: string | undefined;
  /** The auth provider's cache, when the credentials are a provider. */
  readonly #auth: AuthSession | undefined;
  readonly #pools: SocketPools;
  /** `host:port` of the tracking server. */
  readonly #baseAddress: string;
  /** `host:port` of every server that gave an HTTP answer (any status) through this transport. */
  readonly #answered = new Set<string>();
  /** A retry was announced on stderr and the server has not answered 2xx since. */
  #retryAnnounced = false;

  constructor(baseUrl: string, config: TransportSettings) {
    this.baseUrl = baseUrl;
    this.#config = config.http;
    this.#authHeader = authHeader(config.auth);
    this.#workspace = config.workspace;
    this.#auth = config.auth.kind === "provider" ? new AuthSession(config.auth.provider, config.auth.source) : undefined;
    this.#baseAddress = addressOf(new URL(baseUrl));
    this.#pools = new SocketPools({ keepAliveIdleMs: config.http.keepAliveIdleMs, maxSockets: config.http.maxSockets, tls: tlsOptions(config.http.tls) });
    this.#axios = axios.create({
      validateStatus: () => true,
      // Bodies are serialised here (toWireJson); axios's default would JSON.parse them again.
      transformRequest: [(data: unknown) => data],
      transformResponse: [(data: unknown) => data],
      maxBodyLength: Number.POSITIVE_INFINITY,
      maxContentLength: Number.POSITIVE_INFINITY,
      maxRedirects: 5,
    });
  }

  /** `host:port` of the tracking server, safe to print (no credentials), e.g. `mlflow.internal:5000`. */
  get address(): string {
    return this.#baseAddress;
  }

  /**
   * Sends `req`, retrying transient failures within the deadline, and hands a 2xx response to
   * `handle`. For a `recoverable` call, `recovery` finds the result of an attempt that may have
   * been processed (see `recovery.ts`) before anything is sent again; what it finds ends the call.
   */
  async request<T>(
    req: HttpRequest,
    options: RequestOptions,
    handle: (res: HttpResponse<string | Readable>) => T | Promise<T>,
    recovery?: Recovery<T>,
  ): Promise<T> {
    const maxRetries = options.maxRetries ?? this.#config.maxRetries;
    const deadline = { ms: options.deadlineMs ?? this.#config.deadlineMs, at: Date.now() + (options.deadlineMs ?? this.#config.deadlineMs) };
    registerSecretHeaders(options.headers);
    const call = new LinkedAbort(options.signal);
    call.abortAfter(deadline.ms, "deadline");
    const context = { method: req.method, endpoint: this.#endpointLabel(req) };
    const address = this.#addressOf(req);
    const startedAt = Date.now();
    const recoverable = req.retry === "recoverable" ? recovery : undefined;
    const ambiguous = { ...context, call, deadlineAt: deadline.at, backoffFactorMs: this.#config.backoffFactorMs };
    try {
      const result = await retryUntil<T, MlflowError>({
        curve: transportCurve(this.#config.backoffFactorMs, this.#config.backoffJitterMs),
        deadlineAt: deadline.at,
        maxRetries,
        signal: call.signal,
        attempt: async ({ attempt, lastAttempt }) => {
          const sent: SentAuth = { headers: undefined };
          let outcome = await this.#attempt(req, options, call, deadline.ms, false, sent);
          if (outcome instanceof MlflowError && staleSocketFailures.has(outcome)) {
            // Replayed at once on a new connection, whatever the retry policy and `maxRetries` say,
            // and not counted as a retry: see STALE SOCKET REPLAY below for why this is safe.
            this.#pools.retireIdle();
            const resolved = recoverable ? await resolveAmbiguity(recoverable, outcome, ambiguous) : undefined;
            if (resolved && "found" in resolved) return { done: resolved.found };
            outcome = await this.#attempt(req, options, call, deadline.ms, true, sent);
          }
          if (sent.headers !== undefined && outcome instanceof MlflowApiError && outcome.status === 401) {
            // The provider's headers were refused: one refresh (shared with every request refused
            // with the same headers) and one replay, not counted as a retry. A 401 means the server
            // did not process the request, so even a create is safe to send again; a raw body is
            // re-opened by its factory. A second 401 fails the call (UnauthenticatedError).
            outcome = await this.#attempt(req, options, call, deadline.ms, false, { headers: undefined, refused: sent.headers });
          }
          if (!(outcome instanceof MlflowError)) return { done: await handle(outcome) };
          const verdict = verdictFor(req.retry, outcome);
          if (verdict === "fail") return { stop: outcome };
          if (verdict === "ambiguous") {
            if (!recoverable) throw new AmbiguousResultError({ ...context, cause: outcome });
            // Found: the lost attempt created it. Absent: the server finished without creating it,
            // so sending it again cannot duplicate it. Otherwise resolveAmbiguity throws.
            const resolved = await resolveAmbiguity(recoverable, outcome, ambiguous);
            if ("found" in resolved) return { done: resolved.found };
          }
          const unreachableMsLeft = this.#unreachableMsLeft(outcome, address, startedAt);
          if (!lastAttempt && unreachableMsLeft !== undefined && unreachableMsLeft <= 0) {
            return { stop: unreachableError(outcome as ConnectionError, attempt, Date.now() - startedAt, this.#config.unreachableDeadlineMs) };
          }
          return { retry: outcome, waitMs: retryAfterOf(outcome), maxWaitMs: unreachableMsLeft };
        },
        onRetry: ({ failure }) => {
          const unreachable = this.#unreachableMsLeft(failure, address, startedAt) !== undefined;
          this.#announceRetry(req, context, failure, { maxRetries, deadlineMs: deadline.ms, unreachable });
        },
      });
      if (result.ok) return result.value;
      if (result.gaveUp === "stopped" || result.gaveUp === "retries") throw result.failure;
      if (call.cause === "user") throw new AbortError(`${context.method} ${context.endpoint} was aborted`);
      // The next wait would end past the deadline, or the deadline passed during it.
      throw new TimeoutError({ ...context, timeoutMs: deadline.ms, kind: "deadline", retryable: true, cause: result.failure });
    } finally {
      call.dispose();
    }
  }

  /**
   * While nothing listens at `address` (connection refused, host not found) and it never answered
   * this transport: the ms left of the unreachable deadline, counted from the call's start.
   * Otherwise (another failure, or a server that answered before and may be restarting):
   * `undefined`, and the call keeps the whole retry curve.
   */
  #unreachableMsLeft(failure: MlflowError, address: string, startedAt: number): number | undefined {
    if (this.#answered.has(address) || !(failure instanceof ConnectionError)) return undefined;
    if (failure.code === undefined || !UNREACHABLE_CODES.has(failure.code)) return undefined;
    return startedAt + this.#config.unreachableDeadlineMs - Date.now();
  }

  /**
   * Prints one line on stderr when a call is about to retry, naming the URL and what is retried;
   * then nothing more until the server answers 2xx again (one line per outage, not per call).
   * `MLFLOW_TS_QUIET_RETRIES=true` hides it.
   */
  #announceRetry(req: HttpRequest, context: RequestContext, failure: MlflowError, plan: RetryPlan): void {
    if (this.#config.quietRetries || this.#retryAnnounced) return;
    this.#retryAnnounced = true;
    const url = req.url === undefined ? new URL(this.baseUrl).origin + context.endpoint : context.endpoint;
    process.stderr.write(`${redact(retryNotice(context.method, url, failure, plan, this.#config.unreachableDeadlineMs))}\n`);
  }

  /** Closes the sockets and forgets the auth provider's secrets (call it when no request is in flight). */
  close(): void {
    this.#pools.destroy();
    this.#auth?.close();
  }

  /**
   * One attempt: an {@link HttpResponse} for 2xx, an {@link MlflowError} for anything else. `fresh`
   * sends it on a new connection instead of a pooled one.
   *
   * STALE SOCKET REPLAY. A failure that {@link isStaleSocketError} recognises (a pooled socket,
   * reset or closed before any byte of the answer) is recorded in `staleSocketFailures`, and the
   * request loop replays it once on a fresh connection. That is safe even for creates: an HTTP/1.1
   * server closes a keep-alive connection only while it is idle, between two requests, without
   * reading the next one; a request it had read would get an answer (a 5xx at worst) before the
   * close. Browsers and urllib3 (which MLflow's Python client runs with `allowed_methods=None`)
   * replay such requests for every method. The one case that looks the same and was processed is
   * a server process dying between processing a request and writing its answer; for creates that
   * can be looked up (runs, experiments, registered models) the loop looks before it replays, which
   * closes that gap for them.
   */
  async #attempt(
    req: HttpRequest,
    options: RequestOptions,
    call: LinkedAbort,
    deadlineMs: number,
    fresh: boolean,
    sent: SentAuth,
  ): Promise<HttpResponse<string | Readable> | MlflowError> {
    const context = { method: req.method, endpoint: this.#endpointLabel(req) };
    const attempt = new LinkedAbort(call.signal);
    const timeoutMs = options.timeoutMs ?? this.#config.timeoutMs;
    attempt.abortAfter(timeoutMs, "timeout");
    try {
      if (this.#auth && req.url === undefined) {
        sent.headers = (sent.refused === undefined ? this.#auth.fresh() : undefined) ?? (await this.#auth.refresh(attempt.signal, sent.refused));
      }
      const res = await this.#axios.request<string | Readable>({
        method: req.method,
        url: req.url ?? this.baseUrl + req.path + queryString(req.query),
        headers: this.#headers(req, options, sent.headers),
        data: req.json !== undefined ? toWireJson(req.json) : req.body?.(),
        responseType: req.responseType === "stream" ? "stream" : "text",
        signal: attempt.signal,
        ...this.#pools.agents(fresh),
        // follow-redirects keeps every body byte to replay it on a redirect: a streamed upload
        // would sit in memory whole. Raw bodies go out on the plain http(s) module instead.
        ...(req.body ? { maxRedirects: 0 } : {}),
      });
      this.#answered.add(this.#addressOf(req));
      if (res.status >= 200 && res.status < 300) {
        this.#retryAnnounced = false;
        return { status: res.status, headers: plainHeaders(res), body: res.data };
      }
      const body = await errorBodyText(res.data);
      const headers = plainHeaders(res);
      return apiErrorFromResponse({
        ...context,
        status: res.status,
        body,
        retryable: isTransientAnswer(res.status, body),
        requestId: headers["x-request-id"],
        retryAfterMs: retryAfterMs(headers["retry-after"]),
      });
    } catch (error) {
      if (call.cause === "user") throw new AbortError(`${context.method} ${context.endpoint} was aborted`);
      if (call.cause === "deadline") throw new TimeoutError({ ...context, timeoutMs: deadlineMs, kind: "deadline", retryable: true });
      if (attempt.cause === "timeout") return new TimeoutError({ ...context, timeoutMs, kind: "request", retryable: true });
      if (error instanceof AuthProviderError) return error;
      const failure = connectionError(error, { ...context, address: this.#addressOf(req) });
      if (isStaleSocketError(error)) staleSocketFailures.add(failure);
      return failure;
    } finally {
      attempt.dispose();
    }
  }

  #headers(req: HttpRequest, options: RequestOptions, auth: AuthHeaders | undefined): Record<string, string> {
    const headers: Record<string, string> = { "User-Agent": `mlflow-ts/${VERSION}` };
    if (req.json !== undefined) headers["Content-Type"] = "application/json";
    if (req.url === undefined) {
      Object.assign(headers, this.#config.headers);
      if (this.#authHeader) headers.Authorization = this.#authHeader;
      if (auth) Object.assign(headers, auth);
    }
    Object.assign(headers, req.headers, options.headers);
    // As the Python client: the tracking server's own requests carry the workspace unless a header
    // given by the caller already names one, or the path names it (the workspace API).
    if (this.#workspace !== undefined && req.url === undefined && sendsWorkspaceHeader(req.path) && !hasHeader(headers, WORKSPACE_HEADER)) {
      headers[WORKSPACE_HEADER] = this.#workspace;
    }
    return headers;
  }

  /** `host:port` the request goes to. */
  #addressOf(req: HttpRequest): string {
    return req.url === undefined ? this.#baseAddress : addressOf(new URL(req.url));
  }

  #endpointLabel(req: HttpRequest): string {
    if (req.url === undefined) return new URL(this.baseUrl).pathname.replace(/\/$/, "") + req.path;
    const url = new URL(req.url);
    return redactUrl(`${url.origin}${url.pathname}`);
  }
}

type Verdict = "retry" | "ambiguous" | "fail";

/**
 * The auth provider's headers of one attempt: `headers`, filled by the attempt with what it sent;
 * `refused`, set for the replay after a 401, the headers the server refused.
 */
interface SentAuth {
  headers: AuthHeaders | undefined;
  refused?: AuthHeaders;
}

/** What a retrying call will do, for the notice line. */
interface RetryPlan {
  maxRetries: number;
  deadlineMs: number;
  /** Nothing listens at the address and it never answered: retried only for the unreachable deadline. */
  unreachable: boolean;
}

/** The line printed on stderr when a call starts retrying (see `#announceRetry`). */
function retryNotice(method: string, url: string, failure: MlflowError, plan: RetryPlan, unreachableDeadlineMs: number): string {
  const hide = `Set ${QUIET_RETRIES_ENV}=true to hide this line.`;
  if (plan.unreachable && failure instanceof ConnectionError) {
    const what = failure.code ? CODE_HINTS[failure.code]?.what : undefined;
    return `mlflow-ts: cannot reach ${url} (${failure.code}${what ? `: ${what}` : ""}); retrying ${method} for up to ${seconds(unreachableDeadlineMs)}, as the server has not answered this client yet. ${hide}`;
  }
  return `mlflow-ts: ${method} ${url} failed (${summary(failure)}); retrying, up to ${plan.maxRetries} times within ${seconds(plan.deadlineMs)}. ${hide}`;
}

function summary(failure: MlflowError): string {
  if (failure instanceof ConnectionError) return `${failure.code ?? "connection failed"} at ${failure.address}`;
  if (failure instanceof TimeoutError) return `no answer within ${failure.timeoutMs} ms`;
  if (failure instanceof MlflowApiError) return `HTTP ${failure.status} ${failure.errorCode}`;
  return failure.name;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/**
 * The error of a call that gave up because nothing answered at the address within the unreachable
 * deadline: the last refusal, saying how long it was tried and how to wait longer.
 */
function unreachableError(failure: ConnectionError, attempts: number, elapsedMs: number, deadlineMs: number): ConnectionError {
  const hint = failure.code ? CODE_HINTS[failure.code] : undefined;
  return new ConnectionError({
    method: failure.method,
    endpoint: failure.endpoint,
    address: failure.address,
    code: failure.code,
    detail: `${failure.code}${hint ? ` (${hint.what})` : ""}; nothing has answered there since this client was created (${attempts} attempts in ${seconds(elapsedMs)})`,
    fix: `${(hint?.fix ?? GENERIC_CONNECTION_FIX).replace(/\.$/, "")}. A server still starting is waited for ${seconds(deadlineMs)} (option unreachableDeadlineMs, ${UNREACHABLE_DEADLINE_ENV} in seconds); raise it to wait longer.`,
    retryable: true,
  });
}

/** Decides what a failure means for an endpoint's retry policy. */
function verdictFor(policy: RetryPolicy, failure: MlflowError): Verdict {
  if (!failure.retryable) return "fail";
  // The provider failed before anything was sent: safe to send later, whatever the endpoint.
  if (failure instanceof AuthProviderError) return "retry";
  if (policy === "idempotent") return "retry";
  if (failure instanceof MlflowApiError) return NOT_PROCESSED_STATUSES.has(failure.status) ? "retry" : "ambiguous";
  if (failure instanceof ConnectionError && failure.code !== undefined && NOT_SENT_CODES.has(failure.code)) return "retry";
  return "ambiguous";
}

function connectionError(error: unknown, context: RequestContext & { address: string }): ConnectionError {
  const code = errorCode(error);
  const hint = code ? CODE_HINTS[code] : undefined;
  const detail = code ? `${code}${hint ? ` (${hint.what})` : ""}` : messageOf(error);
  return new ConnectionError({ ...context, code, detail, fix: hint?.fix ?? GENERIC_CONNECTION_FIX, retryable: true });
}

/**
 * The system error code of a failed request. Axios copies it from the socket error; Node 20's
 * happy-eyeballs connect (`autoSelectFamily`) fails with an `AggregateError` whose own `code` is
 * set only from Node 20.x on, so the codes of its `errors` (one per address tried) count too.
 */
function errorCode(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  const nested = (value: unknown): unknown[] => {
    const errors = (value as { errors?: unknown } | undefined)?.errors;
    return Array.isArray(errors) ? errors : [];
  };
  const candidates = [error, cause, ...nested(error), ...nested(cause)];
  for (const candidate of candidates) {
    const code = (candidate as { code?: unknown } | undefined)?.code;
    if (typeof code === "string" && code !== "ERR_BAD_REQUEST" && code !== "ERR_BAD_RESPONSE") return code;
  }
  return undefined;
}

const TRACKING_URI_FIX = "check that the server is running and that the host and port are right (MLFLOW_TRACKING_URI for the tracking server).";
const GENERIC_CONNECTION_FIX = `${TRACKING_URI_FIX.slice(0, -1)}, and that no firewall or proxy setting (HTTP_PROXY, NO_PROXY) is in the way.`;
const CA_FIX = "set MLFLOW_TRACKING_SERVER_CERT_PATH to the PEM bundle of the CA that signed the server's certificate.";

/** What a system error code means, and what to check. */
const CODE_HINTS: Readonly<Record<string, { what: string; fix: string }>> = {
  ECONNREFUSED: { what: "nothing listens at that address", fix: TRACKING_URI_FIX },
  ENOTFOUND: { what: "the host name does not resolve", fix: "correct the host name, or check this machine's DNS." },
  EAI_AGAIN: { what: "the host name could not be resolved just now", fix: "check this machine's DNS, then try again." },
  ECONNRESET: {
    what: "the server closed the connection",
    fix: "check the server's log; an https:// URL on a plain-HTTP port (or the reverse), or a proxy in between, also resets connections.",
  },
  EPIPE: { what: "the server closed the connection while the request was sent", fix: "check the server's log and any proxy in between (request size limits)." },
  ETIMEDOUT: { what: "the connection attempt timed out", fix: "check the host, the port and any firewall in between." },
  EHOSTUNREACH: { what: "no route to the host", fix: "check this machine's network (VPN, firewall)." },
  ENETUNREACH: { what: "the network is unreachable", fix: "check this machine's network (VPN, firewall)." },
  EPROTO: { what: "TLS handshake failed", fix: "use http:// for a plain-HTTP server and https:// for a TLS one." },
  DEPTH_ZERO_SELF_SIGNED_CERT: { what: "self-signed certificate", fix: CA_FIX },
  SELF_SIGNED_CERT_IN_CHAIN: { what: "private CA", fix: CA_FIX },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: { what: "unknown CA", fix: CA_FIX },
  ERR_TLS_CERT_ALTNAME_INVALID: { what: "the certificate does not match the host name", fix: "use the host name the certificate was issued for." },
};

/** `host:port` of a URL, with the scheme's default port when none is written (`[::1]:443`). */
function addressOf(url: URL): string {
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return `${url.hostname}:${port}`;
}

function authHeader(auth: AuthSettings): string | undefined {
  if (auth.kind === "basic") return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`;
  if (auth.kind === "bearer") return `Bearer ${auth.token}`;
  return undefined;
}

function tlsOptions(tls: TlsSettings): https.AgentOptions {
  const options: https.AgentOptions = { rejectUnauthorized: !tls.insecure };
  if (tls.caPath) options.ca = readFileSync(tls.caPath);
  if (tls.clientCertPath) {
    const pem = readFileSync(tls.clientCertPath);
    options.cert = pem;
    options.key = pem;
  }
  return options;
}

/**
 * Serialises a query: arrays as repeated keys, booleans as `true`/`false`, `undefined` skipped.
 * @internal
 */
export function queryString(query: Record<string, QueryValue> | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) params.append(key, String(item));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** Whether `headers` has `name`, in any letter case. */
function hasHeader(headers: Record<string, string>, name: string): boolean {
  const lower = name.toLowerCase();
  for (const key in headers) if (key.toLowerCase() === lower) return true;
  return false;
}

function plainHeaders(res: AxiosResponse): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(res.headers ?? {})) {
    out[key.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value == null ? undefined : String(value);
  }
  return out;
}

/** The body of an error response as text: buffered already, or the first 64 KiB of a stream. */
async function errorBodyText(data: string | Readable): Promise<string> {
  return typeof data === "string" ? data : readLimited(data);
}

async function readLimited(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    chunks.push(buffer);
    size += buffer.length;
    if (size >= MAX_ERROR_BODY_BYTES) break;
  }
  stream.destroy();
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.length <= MAX_ERROR_BODY_BYTES && size < MAX_ERROR_BODY_BYTES) return text;
  // The body was cut before it could be redacted whole: drop the last, possibly partial word, so
  // that the start of a secret cut at the limit cannot be shown.
  const cut = text.slice(0, MAX_ERROR_BODY_BYTES);
  let end = cut.length;
  while (end > 0 && !/\s/.test(cut[end - 1]!)) end--;
  return cut.slice(0, end);
}
