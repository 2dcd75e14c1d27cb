/**
 * The error hierarchy. Every error the SDK throws extends {@link MlflowError}; every message passes
 * through {@link redact}, and no error keeps a reference to a request config, a header map or a
 * raw HTTP client error (those carry credentials).
 */
import { inspect } from "node:util";
import { type ErrorCode, isErrorCode } from "./error-codes.js";
import type { AuthRefreshReason } from "./http/auth/types.js";
import { excerpt, redact } from "./redact.js";
import type { ValidationRule } from "./validation-rules.js";
import { isUnknownWorkspaceMessage, workspaceErrorFix } from "./workspace.js";

/** Fields common to errors that came from one HTTP call. */
export interface RequestContext {
  /** HTTP method, e.g. `POST`. */
  method: string;
  /** Path of the endpoint without host or query, e.g. `/api/2.0/mlflow/runs/create`. */
  endpoint: string;
}

/**
 * Base class of every error thrown by mlflow-ts.
 *
 * @example
 * try { await client.runs.get(id) } catch (e) { if (e instanceof MlflowError) console.error(e.message) }
 */
export class MlflowError extends Error {
  /** Whether repeating the same call later may succeed. */
  readonly retryable: boolean;

  constructor(message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(redact(message), options.cause === undefined ? undefined : { cause: sanitizeCause(options.cause) });
    this.name = new.target.name;
    this.retryable = options.retryable ?? false;
  }

  /** A plain, secret-free object for structured logs. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, message: this.message };
    for (const [key, value] of Object.entries(this)) out[key] = value;
    return out;
  }

  /** `util.inspect` shows the same secret-free fields as {@link MlflowError.toJSON}. */
  [inspect.custom](): string {
    return `${this.stack ?? this.message}\n${inspect(this.toJSON(), { depth: 4 })}`;
  }
}

/**
 * A configuration value (constructor option or environment variable) is missing or malformed.
 * The message names the key, the value and what is expected.
 */
export class ConfigurationError extends MlflowError {
  /** The option or environment variable at fault, e.g. `MLFLOW_HTTP_REQUEST_TIMEOUT`. */
  readonly key: string;

  constructor(key: string, message: string) {
    super(message);
    this.key = key;
  }
}

/**
 * Input rejected on the client, before any request: a bad key, an over-long value, a changed param.
 * Nothing was sent, and nothing else that was buffered is affected.
 */
export class ValidationError extends MlflowError {
  /** The metric, param or tag key (or argument name) at fault. */
  readonly key: string;
  /** The rule that was broken, e.g. `key-characters`, `value-length`, `param-changed` (see docs/errors.md). */
  readonly rule: ValidationRule;

  constructor(key: string, rule: ValidationRule, message: string) {
    super(message);
    this.key = key;
    this.rule = rule;
  }
}

/** Options for {@link MlflowApiError}. */
export interface ApiErrorInit extends RequestContext {
  status: number;
  errorCode: ErrorCode;
  serverMessage: string;
  retryable: boolean;
  requestId?: string;
  /** Wait the server asked for with `Retry-After`, in ms. */
  retryAfterMs?: number;
  /** A sentence added after the message, e.g. what a 403 needed (see {@link PermissionDeniedError}). */
  detail?: string;
}

/**
 * The server answered with an error status. Carries MLflow's `error_code`, the server's message,
 * the HTTP status, the method and the endpoint. The transport builds one from the server's answer.
 */
export class MlflowApiError extends MlflowError implements RequestContext {
  /** HTTP status code, e.g. 404. */
  readonly status: number;
  /**
   * MLflow's `error_code`, e.g. `RESOURCE_DOES_NOT_EXIST`; derived from the status when the body is
   * not JSON or names a code MLflow does not have (that code then leads `serverMessage`).
   */
  readonly errorCode: ErrorCode;
  /** The server's own message (redacted). */
  readonly serverMessage: string;
  readonly method: string;
  readonly endpoint: string;
  /** `x-request-id` response header, when the server or a proxy sent one. */
  readonly requestId: string | undefined;
  /** Wait the server asked for with `Retry-After`, in ms; the retry loop honours it. */
  readonly retryAfterMs: number | undefined;

  constructor(init: ApiErrorInit) {
    const detail = init.detail === undefined ? "" : `. ${init.detail}`;
    super(`${init.errorCode}: ${init.serverMessage || "(no message)"} (HTTP ${init.status}, ${init.method} ${init.endpoint})${detail}`, {
      retryable: init.retryable,
    });
    this.status = init.status;
    this.errorCode = init.errorCode;
    this.serverMessage = redact(init.serverMessage);
    this.method = init.method;
    this.endpoint = redact(init.endpoint);
    this.requestId = init.requestId;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** `RESOURCE_DOES_NOT_EXIST` (HTTP 404), or a 404 from a route the server does not have. */
export class NotFoundError extends MlflowApiError {}
/**
 * The workspace the request named (`MLFLOW_WORKSPACE`, the `workspace` option) does not exist on
 * the server (its 404 "Workspace '…' not found"). Not a {@link NotFoundError}: what was asked for
 * may exist, the workspace does not, and a lookup must not read it as "absent".
 */
export class UnknownWorkspaceError extends MlflowApiError {}
/** `RESOURCE_ALREADY_EXISTS`: MLflow answers HTTP 400, not 409. */
export class AlreadyExistsError extends MlflowApiError {}
/** `INVALID_PARAMETER_VALUE` or `BAD_REQUEST` (HTTP 400): the server refused the input. */
export class InvalidParameterError extends MlflowApiError {}
/** HTTP 401: missing or wrong credentials (check MLFLOW_TRACKING_USERNAME/PASSWORD or TOKEN). */
export class UnauthenticatedError extends MlflowApiError {}
/** What a refused request needed, derived from the request by the store (see {@link PermissionDeniedError}). */
export interface Denial {
  /** What the request did, e.g. `log to`, `read`, `delete`. */
  operation: string;
  /** What it did it to, e.g. `experiment 12`, `registered model "churn"`. */
  resource: string;
  /** The least permission that allows it: `READ`, `EDIT`, `MANAGE`, or `admin` for user administration. */
  requiredPermission: string;
  /** What to do (the message ends with "Fix: " and this). */
  fix: string;
}

/**
 * HTTP 403: the user is known but may not do this (a READ-only user writing, or the host check).
 * MLflow's basic-auth app answers only "Permission denied"; for the RPCs of the endpoint table the
 * SDK adds, from the request, the operation, the resource and the permission it needs, and the
 * `mlflow-ts auth grant …` command that fixes it.
 *
 * @example
 * try { await client.runs.logMetric(runId, "loss", 0.1) }
 * catch (e) { if (e instanceof PermissionDeniedError) console.error(e.resource, e.requiredPermission) }
 */
export class PermissionDeniedError extends MlflowApiError {
  /** What was refused, e.g. `experiment 12`; `undefined` when the SDK cannot tell (a proxy's 403, the host check). */
  readonly resource: string | undefined;
  /** The least permission that allows the request (`READ`, `EDIT`, `MANAGE`, `admin`); `undefined` when unknown. */
  readonly requiredPermission: string | undefined;

  constructor(init: ApiErrorInit & { denial?: Denial; username?: string | undefined }) {
    super(init.denial === undefined ? init : { ...init, detail: denialSentence(init.denial, init.username) });
    this.resource = init.denial === undefined ? undefined : redact(init.denial.resource);
    this.requiredPermission = init.denial?.requiredPermission;
  }
}

function denialSentence(denial: Denial, username: string | undefined): string {
  const who = username === undefined ? "This user" : `User ${JSON.stringify(username)}`;
  const needs = denial.requiredPermission === "admin" ? "it takes an admin" : `it needs ${denial.requiredPermission} permission`;
  return `${who} may not ${denial.operation} ${denial.resource}: ${needs}. Fix: ${denial.fix}`;
}

/**
 * The same 403 with what it needed added to its message (the store knows the request; the
 * transport that built the error did not).
 * @example
 * throw withDenial(error, { operation: "log to", resource: "experiment 12", requiredPermission: "EDIT", fix: "…" }, "ci-bot");
 * @internal
 */
export function withDenial(error: PermissionDeniedError, denial: Denial, username: string | undefined): PermissionDeniedError {
  const { status, errorCode, serverMessage, retryable, method, endpoint, requestId, retryAfterMs } = error;
  return new PermissionDeniedError({
    status,
    errorCode,
    serverMessage,
    retryable,
    method,
    endpoint,
    ...(requestId === undefined ? {} : { requestId }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    denial,
    username,
  });
}
/** HTTP 429: the server asks the client to slow down. Retried automatically. */
export class RateLimitError extends MlflowApiError {}
/**
 * HTTP 5xx: the server failed. 500, 502, 503 and 504 are retried automatically; so is MLflow's
 * HTTP 400 `BAD_REQUEST` for an exhausted database connection pool ("QueuePool limit … reached"),
 * which is a ServerError too.
 */
export class ServerError extends MlflowApiError {}

/**
 * The request never got an HTTP answer: refused, reset, DNS failure, TLS failure. The message
 * names the `host:port` it tried (never credentials), the system error code and what to check.
 */
export class ConnectionError extends MlflowError implements RequestContext {
  readonly method: string;
  readonly endpoint: string;
  /** Where the connection went, as `host:port`, e.g. `127.0.0.1:5000` or `[::1]:443`. */
  readonly address: string;
  /** The system error code, e.g. `ECONNREFUSED`, `ECONNRESET`, `ENOTFOUND`. */
  readonly code: string | undefined;

  /** `detail` says what happened, `fix` what to check (the message ends with "Fix: …"). */
  constructor(init: RequestContext & { address: string; code?: string; detail: string; fix?: string; retryable: boolean }) {
    const fix = init.fix ? ` Fix: ${init.fix}` : "";
    super(`Connection to ${init.address} failed: ${init.detail} (${init.method} ${init.endpoint}).${fix}`, { retryable: init.retryable });
    this.method = init.method;
    this.endpoint = redact(init.endpoint);
    this.address = redact(init.address);
    this.code = init.code;
  }
}

/** A per-request timeout or the whole-call deadline expired. */
export class TimeoutError extends MlflowError implements RequestContext {
  readonly method: string;
  readonly endpoint: string;
  /** The limit that expired, in milliseconds. */
  readonly timeoutMs: number;

  /** `request`: one attempt took longer than `timeoutMs`; `deadline`: the whole call, retries included. */
  readonly kind: "request" | "deadline";

  constructor(init: RequestContext & { timeoutMs: number; kind: "request" | "deadline"; retryable: boolean; cause?: MlflowError }) {
    const what = init.kind === "request" ? "Request timed out" : "Deadline exceeded";
    const last = init.cause ? `; last failure: ${init.cause.message}` : "";
    super(`${what} after ${init.timeoutMs} ms (${init.method} ${init.endpoint})${last}`, { retryable: init.retryable, cause: init.cause });
    this.kind = init.kind;
    this.method = init.method;
    this.endpoint = redact(init.endpoint);
    this.timeoutMs = init.timeoutMs;
  }
}

/**
 * An auth provider (the `auth` option as a function, or a ready-made one from `mlflow-ts/auth`)
 * could not give credentials: it threw, it answered something that is not headers, or it did not
 * answer within its timeout. Nothing was sent to the server. The message names the provider, the
 * reason it was called and what to check; it never holds a token, a client secret or a command's
 * output (the provider's own message is redacted, and its error is not kept as the cause).
 *
 * @example
 * try { await client.runs.get(runId) } catch (e) { if (e instanceof AuthProviderError) console.error(e.provider, e.reason) }
 */
export class AuthProviderError extends MlflowError {
  /** Which provider failed, e.g. `oauth2ClientCredentials`, `commandAuth (vault)`, `auth option`. */
  readonly provider: string;
  /** Why it was called: `initial`, `expired` or `unauthorized` (after a 401). */
  readonly reason: AuthRefreshReason;

  constructor(init: { provider: string; reason: AuthRefreshReason; detail: string; fix: string; retryable?: boolean }) {
    super(`The auth provider ${init.provider} failed (called for reason "${init.reason}"): ${init.detail}. Fix: ${init.fix}`, {
      retryable: init.retryable ?? false,
    });
    this.provider = init.provider;
    this.reason = init.reason;
  }
}

/** The caller's `AbortSignal` fired. */
export class AbortError extends MlflowError {
  constructor(message = "The operation was aborted") {
    super(message);
  }
}

/**
 * The server answered 2xx but the body is not what MLflow sends (HTML from a proxy, a login page,
 * a schema mismatch). `issues` lists what did not match.
 */
export class ResponseValidationError extends MlflowError implements RequestContext {
  readonly method: string;
  readonly endpoint: string;
  readonly issues: string[];

  constructor(init: RequestContext & { detail: string; issues?: string[] }) {
    super(`Unexpected response from ${init.method} ${init.endpoint}: ${init.detail}`);
    this.method = init.method;
    this.endpoint = redact(init.endpoint);
    this.issues = (init.issues ?? []).map(redact);
  }
}

/**
 * An int64 field of a response (a metric's step or timestamp, a time, a size) holds an integer
 * beyond ±9007199254740991 (2^53 − 1), which a JavaScript `number` cannot hold exactly. mlflow-ts
 * refuses the read rather than return a rounded value (`9007199254740993` would become
 * `9007199254740992`). Such values come from other clients: mlflow-ts refuses to write them.
 *
 * @example
 * try { for await (const point of client.metrics.getHistory(runId, "loss")) use(point) }
 * catch (e) { if (e instanceof UnsafeIntegerError) console.error(e.field, e.value) }
 */
export class UnsafeIntegerError extends ResponseValidationError {
  /** Where the value is in the response, e.g. `metrics[3].step`. */
  readonly field: string;
  /** The value in decimal: exact when the server sent it as a string, else `about <the rounded value>`. */
  readonly value: string;

  constructor(init: RequestContext & { field: string; value: string }) {
    super({
      ...init,
      detail:
        `${init.field} = ${init.value} is beyond ±9007199254740991, the integers a JavaScript number holds exactly; mlflow-ts refuses to round it. ` +
        "Fix: log steps and timestamps within that range (a step counter rather than time.time_ns(), milliseconds rather than nanoseconds), or read this value with MLflow's Python client.",
      issues: [`${init.field}: beyond ±9007199254740991`],
    });
    this.field = init.field;
    this.value = init.value;
  }
}

/** How a create's lost result was looked for, when that did not settle it (see {@link AmbiguousResultError}). */
export interface UnresolvedLookup {
  /** What was looked for, e.g. `a run tagged mlflow-ts.createRequestId = '…' in experiment 1`. */
  lookingFor: string;
  /** Lookups made. */
  lookups: number;
  /** The last lookup failed (its error is the `cause`), rather than found nothing. */
  failed: boolean;
  /** How the caller can look for it before trying again (the message ends with "Fix: " and this). */
  fix: string;
}

/**
 * A create failed after the request may have been processed, and the SDK could not tell whether
 * the object exists, so it did not send the request again (that could create a duplicate).
 * Either the call is not idempotent and has no lookup (a model version, a logged model), or the
 * lookup of a run, experiment or registered model found nothing while the server may still be
 * processing the request (after a timeout), or the lookup itself failed. `lookingFor` names what to
 * look for (for a run: its `mlflow-ts.createRequestId` tag).
 */
export class AmbiguousResultError extends MlflowError implements RequestContext {
  readonly method: string;
  readonly endpoint: string;
  /** The create's own failure (`ServerError`, `ConnectionError` or `TimeoutError`). */
  readonly failure: MlflowError;
  /** What the object would be found by, when the SDK looked; e.g. `a run tagged mlflow-ts.createRequestId = '…' in experiment 1`. */
  readonly lookingFor: string | undefined;

  /**
   * `cause` is the create's failure, or the failure of the lookup when `unresolved.failed`;
   * `failure` the create's failure when it differs from `cause`.
   */
  constructor(init: RequestContext & { cause: MlflowError; failure?: MlflowError; unresolved?: UnresolvedLookup }) {
    const failure = init.failure ?? init.cause;
    super(
      `${init.method} ${init.endpoint} failed after the request may have been processed (${failure.message}); ${ambiguityTail(init.unresolved, init.cause)}`,
      {
        cause: init.cause,
      },
    );
    this.method = init.method;
    this.endpoint = redact(init.endpoint);
    this.failure = failure;
    this.lookingFor = init.unresolved === undefined ? undefined : redact(init.unresolved.lookingFor);
  }
}

function ambiguityTail(unresolved: UnresolvedLookup | undefined, cause: MlflowError): string {
  if (unresolved === undefined) {
    return "it was not retried because a retry could create a duplicate. Fix: check whether the object exists before trying again.";
  }
  const looked = unresolved.failed
    ? `looking for ${unresolved.lookingFor} failed too (${cause.message})`
    : unresolved.lookups === 0
      ? `the deadline left no time to look for ${unresolved.lookingFor}`
      : `${unresolved.lookingFor} was not found in ${unresolved.lookups} lookup${unresolved.lookups === 1 ? "" : "s"}, and the server may still be processing the request`;
  return `${looked}, so it was not sent again: a second request could create a duplicate. Fix: ${unresolved.fix}`;
}

const CODE_TO_CLASS: Partial<Record<ErrorCode, typeof MlflowApiError>> = {
  RESOURCE_DOES_NOT_EXIST: NotFoundError,
  NOT_FOUND: NotFoundError,
  ENDPOINT_NOT_FOUND: NotFoundError,
  RESOURCE_ALREADY_EXISTS: AlreadyExistsError,
  ALREADY_EXISTS: AlreadyExistsError,
  INVALID_PARAMETER_VALUE: InvalidParameterError,
  BAD_REQUEST: InvalidParameterError,
  UNAUTHENTICATED: UnauthenticatedError,
  CUSTOMER_UNAUTHORIZED: UnauthenticatedError,
  PERMISSION_DENIED: PermissionDeniedError,
  REQUEST_LIMIT_EXCEEDED: RateLimitError,
  RESOURCE_EXHAUSTED: RateLimitError,
};

/** How the Python client maps a status to a code when the body is not JSON (reference §2.3). */
const STATUS_TO_CODE: Record<number, ErrorCode> = {
  400: "BAD_REQUEST",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "ENDPOINT_NOT_FOUND",
  409: "ALREADY_EXISTS",
  429: "RESOURCE_EXHAUSTED",
  501: "NOT_IMPLEMENTED",
  503: "TEMPORARILY_UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

const MAX_TEXT_IN_MESSAGE = 300;

/**
 * Builds the right {@link MlflowApiError} subclass from a status and a raw body: MLflow's JSON
 * `{error_code, message}` when present, otherwise a code derived from the status and a short,
 * tag-stripped excerpt of the text (HTML error pages, `text/plain` 503s, security-middleware 403s).
 * @internal
 */
export function apiErrorFromResponse(
  init: RequestContext & { status: number; body: string; retryable: boolean; requestId?: string; retryAfterMs?: number; detail?: string | undefined },
): MlflowApiError {
  const parsed = parseErrorBody(init.body);
  const known = parsed !== undefined && isErrorCode(parsed.errorCode) ? parsed.errorCode : undefined;
  const errorCode = known ?? STATUS_TO_CODE[init.status] ?? "INTERNAL_ERROR";
  // A code MLflow does not have (a proxy's own JSON, say) is kept where a reader sees it, as the
  // Python client keeps it in its message.
  const serverMessage = parsed === undefined ? describeText(init.body) : known === undefined ? `${parsed.errorCode}: ${parsed.message}` : parsed.message;
  // A 400 the retry policy calls transient (MLflow's exhausted connection pool, see isTransientAnswer)
  // is the server failing, not the input: a ServerError, whatever its code says.
  const ErrorClass =
    init.retryable && init.status === 400
      ? ServerError
      : init.status === 404 && isUnknownWorkspaceMessage(parsed?.message)
        ? UnknownWorkspaceError
        : (CODE_TO_CLASS[errorCode] ?? classForStatus(init.status));
  return new ErrorClass({ ...init, errorCode, serverMessage, detail: init.detail ?? workspaceErrorFix(parsed?.errorCode, parsed?.message ?? init.body) });
}

function classForStatus(status: number): typeof MlflowApiError {
  if (status === 404) return NotFoundError;
  if (status === 401) return UnauthenticatedError;
  if (status === 403) return PermissionDeniedError;
  if (status === 429) return RateLimitError;
  if (status === 400) return InvalidParameterError;
  if (status >= 500) return ServerError;
  return MlflowApiError;
}

function parseErrorBody(body: string): { errorCode: string; message: string } | undefined {
  if (!body.trimStart().startsWith("{")) return undefined;
  try {
    const json = JSON.parse(body) as { error_code?: unknown; message?: unknown };
    if (typeof json.error_code !== "string") return undefined;
    return { errorCode: json.error_code, message: typeof json.message === "string" ? json.message : "" };
  } catch {
    return undefined;
  }
}

/** The readable text of a non-JSON body, redacted whole before it is cut (see {@link excerpt}). */
function describeText(body: string): string {
  const text = redact(body)
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  if (!text) return "(empty body)";
  return excerpt(text, MAX_TEXT_IN_MESSAGE);
}

/** Keeps only what is safe from an arbitrary cause: its class name, code and redacted message. */
function sanitizeCause(cause: unknown): unknown {
  if (cause instanceof MlflowError) return cause;
  if (cause instanceof Error) {
    const safe = new Error(redact(cause.message));
    safe.name = cause.name;
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string") (safe as Error & { code?: string }).code = code;
    safe.stack = `${safe.name}: ${safe.message}`;
    return safe;
  }
  return redact(String(cause));
}

/**
 * True for any error thrown by mlflow-ts (an `instanceof` check that reads well in a condition).
 *
 * @example
 * if (isMlflowError(e) && e.retryable) scheduleRetry()
 */
export function isMlflowError(value: unknown): value is MlflowError {
  return value instanceof MlflowError;
}
