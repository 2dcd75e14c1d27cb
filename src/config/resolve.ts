/**
 * Configuration: the constructor options schema, the environment variables the Python client
 * reads (same names, same units, same defaults), and their resolution into one frozen
 * {@link ResolvedConfig}. Order: per-call option > constructor option > environment > default.
 * The options are documented in options.ts, the defaults in defaults.ts; env.ts reads variables.
 */
import { existsSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { inspect } from "node:util";
import type { z } from "zod";
import { ConfigurationError } from "../core/errors.js";
import { commandAuth } from "../core/http/auth/command.js";
import { DEFAULT_AUTH_TIMEOUT_MS } from "../core/http/auth/credential-cache.js";
import { tokenFileAuth } from "../core/http/auth/token-file.js";
import type { AuthProvider } from "../core/http/auth/types.js";
import type { AuthSettings, HttpSettings } from "../core/http/settings.js";
import { redact, registerBasicCredentials, registerSecret, registerSecretHeaders } from "../core/redact.js";
import { QUIET_RETRIES_ENV, UNREACHABLE_DEADLINE_ENV } from "../core/retry/policy.js";
import { workspaceNameProblem } from "../core/workspace.js";
import { readCredentialsFile } from "./credentials-file.js";
import {
  DEFAULT_BACKOFF_FACTOR_MS,
  DEFAULT_BACKOFF_JITTER_MS,
  DEFAULT_DEADLINE_MS,
  DEFAULT_KEEP_ALIVE_IDLE_MS,
  DEFAULT_MAX_RETRIES,
  DEFAULT_MAX_SOCKETS,
  DEFAULT_PROXY_MULTIPART_CHUNK_BYTES,
  DEFAULT_PROXY_MULTIPART_MIN_BYTES,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_TRACKING_URI,
  DEFAULT_UNREACHABLE_DEADLINE_MS,
  MAX_RETRIES_LIMIT,
} from "./defaults.js";
import { type EmbeddedStoreSettings, resolveEmbeddedStoreSettings } from "./embedded-store-settings.js";
import { readBoolEnv, readEnum, readEnv, readJsonObjectEnv, readNumberEnv } from "./env.js";
import { type JournalSettings, resolveJournalSettings } from "./journal-settings.js";
import { type LoggerSettings, resolveLoggerSettings } from "./logger-settings.js";
import { OFFLINE_ARTIFACTS_DIR, OFFLINE_DB_FILE, type OfflineSettings, offlineStoreFolder, resolveOfflineSettings } from "./offline-settings.js";
import type { ArtifactOptions, AuthOptions, ClientOptions, Env, S3Options } from "./options.js";
import { artifactOptionsSchema, clientOptionsSchema, s3OptionsSchema } from "./schemas.js";
import { resolveSystemMetricsSettings, runContextTags, type SystemMetricsSettings } from "./system-settings.js";

export type { EmbeddedStoreSettings } from "./embedded-store-settings.js";
export type { JournalSettings } from "./journal-settings.js";
export type { LoggerSettings } from "./logger-settings.js";
export type { OfflineSettings } from "./offline-settings.js";
export type { SystemMetricsSettings } from "./system-settings.js";

/**
 * The tracking server an offline store keeps runs for (see {@link ResolvedConfig.offline}): runs
 * logged offline are delivered there by `mlflow-ts sync --offline`.
 */
export interface OfflineTarget {
  /** The server's URI without credentials, query or fragment, e.g. `http://mlflow.internal:5000`. */
  trackingUri: string;
  /** Folder of the offline store: its `mlflow.db`, its artifacts (`mlruns/`) and `target.json`. */
  folder: string;
}

/**
 * Where tracking data goes. An embedded store may carry its own artifact root (default:
 * `<cwd>/mlruns`, as MLflow) and, in offline mode, the server its runs are meant for.
 */
export type TrackingTarget =
  | { kind: "rest"; baseUrl: string; displayUri: string }
  | { kind: "sqlite"; path: string; uri: string; isDefault: boolean; artifactRoot?: string; offline?: OfflineTarget };

/** Credentials in effect (what the transport needs to build its `Authorization` header). */
export type ResolvedAuth = AuthSettings;

/** The configuration after options and environment were merged and checked. Frozen. */
export interface ResolvedConfig {
  tracking: TrackingTarget;
  auth: ResolvedAuth;
  /** The MLflow workspace (`workspace` option, `MLFLOW_WORKSPACE`), trimmed; `undefined` when unset (the server's default). */
  workspace: string | undefined;
  http: HttpSettings;
  s3: {
    endpointUrl?: string;
    ignoreTls: boolean;
    forcePathStyle: boolean;
    addressingStyle: "auto" | "path" | "virtual";
    region: string;
    /** `s3.credentials`, else `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`); none: the AWS SDK's default chain. */
    credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
    /** Where {@link ResolvedConfig.s3}`.credentials` came from; `default chain` when there are none (profiles, SSO, instance role…). */
    credentialsSource: "s3.credentials option" | "AWS_ACCESS_KEY_ID" | "default chain";
    uploadExtraArgs: Readonly<Record<string, unknown>>;
    expectedBucketOwner?: string;
    checksum: "WHEN_REQUIRED" | "WHEN_SUPPORTED";
    partSizeBytes?: number;
    queueSize: number;
  };
  artifacts: {
    /**
     * Proxied multipart uploads as configured; `undefined` when not configured: then a 3.18+ server's
     * `server-info` decides (artifacts/proxy-transfer-mode.ts), and before 3.18 they are off.
     */
    proxyMultipartUpload: boolean | undefined;
    proxyMultipartMinBytes: number;
    proxyMultipartChunkBytes: number;
    concurrency: number;
  };
  /** Defaults for the fluent API: `MLFLOW_EXPERIMENT_NAME`, `MLFLOW_EXPERIMENT_ID`, `MLFLOW_RUN_ID`. */
  fluent: { experimentName?: string; experimentId?: string; runId?: string };
  /** The logger's settings from the `MLFLOW_TS_*` variables and the defaults; `startRun`'s options override them. */
  logger: LoggerSettings;
  /** System metrics (`MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING`, `MLFLOW_SYSTEM_METRICS_*`); `startRun`'s `logSystemMetrics` overrides `enabled`. */
  systemMetrics: SystemMetricsSettings;
  /** System tags of new runs: the extra tags of `MLFLOW_RUN_CONTEXT` (a JSON object). */
  systemTags: { runContext: Readonly<Record<string, string>> };
  /** The embedded SQLite store (`MLFLOW_TS_SQLITE_JOURNAL_MODE`, `MLFLOW_TS_QUIET_LOCAL_STORE`). */
  embeddedStore: EmbeddedStoreSettings;
  /** The durable-delivery journal (`MLFLOW_TS_JOURNAL*`; not wired into the logger yet). */
  journal: JournalSettings;
  /**
   * Offline mode (`offline`, `MLFLOW_TS_OFFLINE`, `MLFLOW_TS_OFFLINE_DIR`). When it is on and the
   * tracking URI is a server, {@link ResolvedConfig.tracking} is that server's offline store.
   */
  offline: OfflineSettings;
  /** What only the setup check reads of the environment. */
  doctor: {
    /** Whether this is a CI job (`CI` set to anything but `false` or `0`): the doctor then requires a tracking server. */
    ciJob: boolean;
    /** `AWS_ENDPOINT_URL_S3`, which the AWS SDK reads and MLflow does not: the doctor warns when it is set without `MLFLOW_S3_ENDPOINT_URL`. */
    awsEndpointUrlS3: string | undefined;
  };
}

/**
 * Merges constructor options with the environment and checks every value.
 *
 * @param options - Constructor options; unknown keys are rejected.
 * @returns A frozen configuration.
 * @throws {ConfigurationError} naming the option or variable, its value and what is expected.
 * @example
 * const config = resolveConfig({ trackingUri: "http://127.0.0.1:5000" });
 */
export function resolveConfig(options: ClientOptions = {}): ResolvedConfig {
  registerEnvSecrets(options.env ?? process.env);
  const opts = parseOptions(options);
  const env: Env = { ...(opts.env ?? process.env) };
  registerConfiguredSecrets(opts);
  const tls = resolveTls(opts, env);
  const offline = resolveOfflineSettings(env, opts.offline);
  const tracking = offlineTarget(resolveTrackingTarget(opts.trackingUri, env), offline);
  const config: ResolvedConfig = {
    tracking,
    auth: resolveAuth(opts, env),
    workspace: resolveWorkspace(opts.workspace, env),
    http: {
      timeoutMs: opts.timeoutMs ?? secondsToMs(readNumberEnv(env, "MLFLOW_HTTP_REQUEST_TIMEOUT", { min: 0.001, unit: "seconds" })) ?? DEFAULT_TIMEOUT_MS,
      maxRetries:
        opts.maxRetries ?? readNumberEnv(env, "MLFLOW_HTTP_REQUEST_MAX_RETRIES", { min: 0, max: MAX_RETRIES_LIMIT, integer: true }) ?? DEFAULT_MAX_RETRIES,
      backoffFactorMs:
        opts.backoffFactorMs ??
        secondsToMs(readNumberEnv(env, "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", { min: 0, max: 120, unit: "seconds" })) ??
        DEFAULT_BACKOFF_FACTOR_MS,
      backoffJitterMs:
        opts.backoffJitterMs ?? secondsToMs(readNumberEnv(env, "MLFLOW_HTTP_REQUEST_BACKOFF_JITTER", { min: 0, unit: "seconds" })) ?? DEFAULT_BACKOFF_JITTER_MS,
      deadlineMs: opts.deadlineMs ?? secondsToMs(readNumberEnv(env, "MLFLOW_TS_HTTP_REQUEST_DEADLINE", { min: 0.001, unit: "seconds" })) ?? DEFAULT_DEADLINE_MS,
      unreachableDeadlineMs:
        opts.unreachableDeadlineMs ?? secondsToMs(readNumberEnv(env, UNREACHABLE_DEADLINE_ENV, { min: 0, unit: "seconds" })) ?? DEFAULT_UNREACHABLE_DEADLINE_MS,
      quietRetries: readBoolEnv(env, QUIET_RETRIES_ENV) ?? false,
      keepAliveIdleMs: opts.keepAliveIdleMs ?? DEFAULT_KEEP_ALIVE_IDLE_MS,
      maxSockets: opts.maxSockets ?? DEFAULT_MAX_SOCKETS,
      headers: Object.freeze({ ...opts.headers }),
      tls,
    },
    s3: resolveS3(opts.s3 ?? {}, env),
    artifacts: resolveArtifacts(opts.artifacts ?? {}, env),
    fluent: {
      experimentName: readEnv(env, "MLFLOW_EXPERIMENT_NAME"),
      experimentId: readEnv(env, "MLFLOW_EXPERIMENT_ID"),
      runId: readEnv(env, "MLFLOW_RUN_ID"),
    },
    logger: resolveLoggerSettings(env, tracking.kind),
    systemMetrics: resolveSystemMetricsSettings(env),
    systemTags: { runContext: runContextTags(env) },
    embeddedStore: resolveEmbeddedStoreSettings(env),
    journal: resolveJournalSettings(env, tracking.kind),
    offline,
    doctor: { ciJob: isCiJob(env), awsEndpointUrlS3: readEnv(env, "AWS_ENDPOINT_URL_S3") },
  };
  Object.defineProperty(config, "toJSON", { value: () => safeView(config), enumerable: false });
  Object.defineProperty(config, inspect.custom, { value: () => safeView(config), enumerable: false });
  return deepFreeze(config);
}

/**
 * Registers every secret the configuration can hold before anything else is checked, so that no
 * error raised while resolving it (or later) can print one.
 */
function registerConfiguredSecrets(opts: z.infer<typeof clientOptionsSchema>): void {
  const auth = typeof opts.auth === "function" ? undefined : opts.auth;
  if (auth && "token" in auth) registerSecret(auth.token);
  if (auth && "password" in auth) registerBasicCredentials(auth.username, auth.password);
  const userinfo = fromUserinfo(opts.trackingUri);
  if (userinfo?.kind === "basic") registerBasicCredentials(userinfo.username, userinfo.password);
  registerSecret(opts.s3?.credentials?.secretAccessKey);
  registerSecret(opts.s3?.credentials?.sessionToken);
  registerSecretHeaders(opts.headers);
}

/** Registers the credentials of an environment, and the userinfo of its tracking URI. */
function registerEnvSecrets(env: unknown): void {
  if (typeof env !== "object" || env === null) return;
  const values = env as Record<string, unknown>;
  for (const name of SECRET_ENV_VARS) {
    if (typeof values[name] === "string") registerSecret(values[name].trim());
  }
  const uri = values.MLFLOW_TRACKING_URI;
  const userinfo = typeof uri === "string" ? fromUserinfo(uri.trim()) : undefined;
  if (userinfo?.kind === "basic") registerBasicCredentials(userinfo.username, userinfo.password);
}

/** Environment variables whose values are credentials. */
const SECRET_ENV_VARS = ["MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] as const;

/** What `console.log(config)` and `JSON.stringify(config)` show: everything but credentials. */
function safeView(config: ResolvedConfig): Record<string, unknown> {
  const { auth, s3, http: httpConfig, ...rest } = config;
  const credentials = s3.credentials ? { accessKeyId: s3.credentials.accessKeyId, secretAccessKey: "***" } : undefined;
  const headers = Object.fromEntries(Object.entries(httpConfig.headers).map(([name, value]) => [name, redact(value)]));
  return {
    ...rest,
    auth: auth.kind === "none" ? auth : { kind: auth.kind, source: auth.source },
    http: { ...httpConfig, headers },
    s3: { ...s3, credentials },
  };
}

function parseOptions(options: ClientOptions): z.infer<typeof clientOptionsSchema> {
  const result = clientOptionsSchema.safeParse(options);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0] ?? ""] : issue.path;
  const key = path.map(String).join(".") || "(options)";
  const value = SECRET_OPTION.test(key) ? " = ***" : describeValue(valueAt(options, path));
  const detail = issue.code === "unrecognized_keys" ? `unknown option (valid options: ${validKeys(issue.path)})` : issue.message;
  throw new ConfigurationError(key, `Invalid option "${key}"${value}: ${detail}.`);
}

/** Option names whose value is never quoted in an error, even when misspelled or misplaced. */
const SECRET_OPTION = /pass|token|secret|credential|auth|key|cookie/i;

function validKeys(path: PropertyKey[]): string {
  const shapes: Record<string, z.ZodObject> = { "": clientOptionsSchema, s3: s3OptionsSchema, artifacts: artifactOptionsSchema };
  const shape = shapes[path.map(String).join(".")];
  return shape ? Object.keys(shape.shape).join(", ") : "see ClientOptions";
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let value: unknown = root;
  for (const part of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[part];
  return value;
}

function describeValue(value: unknown): string {
  if (value === undefined || typeof value === "object") return "";
  return ` = ${JSON.stringify(value)}`;
}

/**
 * Parses a tracking URI into a target. `undefined` gives the embedded default `./mlflow.db`.
 * @throws {ConfigurationError} for unparsable or unsupported URIs.
 * @internal
 */
export function resolveTrackingTarget(optionUri: string | undefined, env: Env): TrackingTarget {
  const key = optionUri === undefined ? "MLFLOW_TRACKING_URI" : "trackingUri";
  const uri = optionUri ?? readEnv(env, "MLFLOW_TRACKING_URI");
  if (uri === undefined) return sqliteTarget(DEFAULT_TRACKING_URI, true);
  if (/^https?:/i.test(uri)) return restTarget(uri, key);
  if (/^sqlite:/i.test(uri)) return sqliteTarget(uri, false, key);
  throw new ConfigurationError(key, unsupportedUriMessage(key, uri));
}

/**
 * In offline mode, a tracking server's target becomes the embedded store kept for it in the
 * offline folder; the server's URI is the one {@link restTarget} already stripped of userinfo (and
 * it refuses a query or fragment), so no credential reaches the folder name or `target.json`.
 * Embedded stores are local already: offline mode leaves them alone.
 */
function offlineTarget(target: TrackingTarget, offline: OfflineSettings): TrackingTarget {
  if (!offline.enabled || target.kind !== "rest") return target;
  const folder = offlineStoreFolder(offline.dir, target.baseUrl);
  const path = join(folder, OFFLINE_DB_FILE);
  return {
    kind: "sqlite",
    path,
    uri: `sqlite:///${path}`,
    isDefault: false,
    artifactRoot: join(folder, OFFLINE_ARTIFACTS_DIR),
    offline: { trackingUri: target.baseUrl, folder },
  };
}

function restTarget(uri: string, key: string): TrackingTarget {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new ConfigurationError(key, `${key} is not a valid URL: "${uri}". Expected e.g. http://mlflow.example.com:5000.`);
  }
  if (!url.hostname) throw new ConfigurationError(key, `${key} has no host: "${uri}". Expected e.g. http://127.0.0.1:5000.`);
  if (url.search || url.hash) {
    throw new ConfigurationError(key, `${key} must not carry a query or fragment: "${uri}". Expected e.g. http://host:5000/prefix.`);
  }
  url.username = "";
  url.password = "";
  const baseUrl = url.toString().replace(/\/+$/, "");
  return { kind: "rest", baseUrl, displayUri: baseUrl };
}

function sqliteTarget(uri: string, isDefault: boolean, key = "MLFLOW_TRACKING_URI"): TrackingTarget {
  const match = /^sqlite:\/\/\/(.+)$/i.exec(uri);
  if (!match) {
    throw new ConfigurationError(key, `${key} "${uri}" is not a SQLite URI of the form sqlite:///relative.db or sqlite:////absolute/path.db.`);
  }
  const rawPath = decodeURIComponent(match[1]!);
  const path = isAbsolute(rawPath) ? rawPath : resolve(rawPath);
  return { kind: "sqlite", path, uri: `sqlite:///${path}`, isDefault };
}

function unsupportedUriMessage(key: string, uri: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase();
  if (/^[\w.-]+:\d+(\/|$)/.test(uri)) {
    return `${key} "${uri}" has no scheme. Fix: write it as a URL, e.g. http://${uri}.`;
  }
  if (scheme === undefined || scheme === "file" || /^[./~]/.test(uri)) {
    return `${key} "${uri}" points at a local FileStore, which MLflow deprecates and mlflow-ts does not write. Fix: use sqlite:///mlflow.db (the default) or an http(s) tracking server.`;
  }
  if (scheme === "databricks" || scheme === "databricks-uc") {
    return `${key} "${uri}": Databricks tracking is not supported by mlflow-ts. Fix: use an http(s) MLflow server URL.`;
  }
  if (scheme.startsWith("postgres") || scheme.startsWith("mysql") || scheme === "mssql") {
    return `${key} uses "${scheme}:": mlflow-ts reaches a database only through an MLflow server. Fix: set ${key} to the server's http(s) URL, e.g. http://127.0.0.1:5000.`;
  }
  return `${key} has an unsupported scheme "${scheme}:". Expected http(s)://host[:port][/prefix] or sqlite:///path.db.`;
}

function resolveAuth(opts: z.infer<typeof clientOptionsSchema>, env: Env): ResolvedAuth {
  const auth = opts.auth
    ? fromOptions(opts.auth)
    : (basicFromEnvOrFile(env) ?? tokenFromEnv(env) ?? fromUserinfo(opts.trackingUri ?? readEnv(env, "MLFLOW_TRACKING_URI")));
  if (auth?.kind === "basic") registerBasicCredentials(auth.username, auth.password);
  return auth ?? { kind: "none" };
}

function fromOptions(auth: AuthOptions | AuthProvider): ResolvedAuth {
  if (typeof auth === "function") return { kind: "provider", provider: auth, source: "auth option" };
  if ("token" in auth) return { kind: "bearer", token: auth.token, source: "auth option" };
  return { kind: "basic", username: auth.username, password: auth.password, source: "auth option" };
}

/**
 * Basic credentials as the Python client reads them: each of username and password from its
 * environment variable, else from `~/.mlflow/credentials`. Basic wins over a token.
 * @throws {ConfigurationError} when the environment sets one of the pair and neither source gives the other.
 */
function basicFromEnvOrFile(env: Env): ResolvedAuth | undefined {
  const envUser = readEnv(env, "MLFLOW_TRACKING_USERNAME");
  const envPassword = readEnv(env, "MLFLOW_TRACKING_PASSWORD");
  const file = readCredentialsFile(env);
  const username = envUser ?? file?.username;
  const password = envPassword ?? file?.password;
  if (username !== undefined && password !== undefined) {
    const source = envUser !== undefined && envPassword !== undefined ? "MLFLOW_TRACKING_USERNAME/PASSWORD" : file!.path;
    return { kind: "basic", username, password, source };
  }
  if (envUser !== undefined) {
    throw new ConfigurationError(
      "MLFLOW_TRACKING_PASSWORD",
      "MLFLOW_TRACKING_USERNAME is set but MLFLOW_TRACKING_PASSWORD is not (nor mlflow_tracking_password in ~/.mlflow/credentials). Fix: set both for Basic auth, or unset the username.",
    );
  }
  if (envPassword !== undefined) {
    throw new ConfigurationError(
      "MLFLOW_TRACKING_USERNAME",
      "MLFLOW_TRACKING_PASSWORD is set but MLFLOW_TRACKING_USERNAME is not (nor mlflow_tracking_username in ~/.mlflow/credentials). Fix: set both for Basic auth, or unset the password.",
    );
  }
  return undefined;
}

/** A command that prints the bearer token (mlflow-ts only; MLflow's Python client has no such variable). */
const TOKEN_COMMAND_ENV = "MLFLOW_TS_TRACKING_TOKEN_COMMAND";
/** Longest the token command may run, seconds. */
const TOKEN_COMMAND_TIMEOUT_ENV = "MLFLOW_TS_TRACKING_TOKEN_COMMAND_TIMEOUT";
/** A file holding the bearer token, read again when it changes (mlflow-ts only). */
const TOKEN_FILE_ENV = "MLFLOW_TS_TRACKING_TOKEN_FILE";

/** The variables that each give a bearer token; at most one may be set. */
const TOKEN_ENV_VARS = ["MLFLOW_TRACKING_TOKEN", TOKEN_COMMAND_ENV, TOKEN_FILE_ENV] as const;

/**
 * A bearer token from the environment: fixed (`MLFLOW_TRACKING_TOKEN`, as the Python client), or
 * changing — printed by a command (`MLFLOW_TS_TRACKING_TOKEN_COMMAND`, bounded by
 * `MLFLOW_TS_TRACKING_TOKEN_COMMAND_TIMEOUT` seconds) or read from a file that is replaced
 * (`MLFLOW_TS_TRACKING_TOKEN_FILE`, a Kubernetes projected token).
 * @throws {ConfigurationError} when more than one of them is set.
 */
function tokenFromEnv(env: Env): ResolvedAuth | undefined {
  const set = TOKEN_ENV_VARS.filter((name) => readEnv(env, name) !== undefined);
  if (set.length > 1) {
    throw new ConfigurationError(
      set[1]!,
      `${set.join(" and ")} are both set, and each gives the bearer token. Fix: unset all but one (${TOKEN_COMMAND_ENV} and ${TOKEN_FILE_ENV} are for tokens that change).`,
    );
  }
  const token = readEnv(env, "MLFLOW_TRACKING_TOKEN");
  if (token !== undefined) return { kind: "bearer", token, source: "MLFLOW_TRACKING_TOKEN" };
  const command = readEnv(env, TOKEN_COMMAND_ENV);
  if (command !== undefined) {
    const timeoutMs = secondsToMs(readNumberEnv(env, TOKEN_COMMAND_TIMEOUT_ENV, { min: 0.001, max: DEFAULT_AUTH_TIMEOUT_MS / 1000, unit: "seconds" }));
    return { kind: "provider", provider: commandAuth(command, { timeoutMs, env }), source: TOKEN_COMMAND_ENV };
  }
  const file = readEnv(env, TOKEN_FILE_ENV);
  if (file !== undefined) return { kind: "provider", provider: tokenFileAuth(file), source: TOKEN_FILE_ENV };
  return undefined;
}

function fromUserinfo(uri: string | undefined): ResolvedAuth | undefined {
  if (!uri || !/^https?:/i.test(uri)) return undefined;
  try {
    const url = new URL(uri);
    if (!url.username) return undefined;
    return { kind: "basic", username: decodeURIComponent(url.username), password: decodeURIComponent(url.password), source: "tracking URI userinfo" };
  } catch {
    return undefined;
  }
}

/**
 * The workspace as the Python client reads it: trimmed, empty meaning unset (`_normalize_workspace`).
 * The name is checked here, before any request, with the server's rule.
 * @throws {ConfigurationError} naming `workspace` or `MLFLOW_WORKSPACE` when the name breaks the rule.
 */
function resolveWorkspace(option: string | undefined, env: Env): string | undefined {
  const key = option?.trim() ? "workspace" : "MLFLOW_WORKSPACE";
  const name = option?.trim() || readEnv(env, "MLFLOW_WORKSPACE");
  if (name === undefined) return undefined;
  const problem = workspaceNameProblem(name);
  if (problem === undefined) return name;
  throw new ConfigurationError(
    key,
    `${key} "${name}" ${problem}. Fix: use the workspace's name as the server lists it (mlflow-ts workspaces list), e.g. team-a, or unset ${key} for the default workspace.`,
  );
}

function resolveTls(opts: z.infer<typeof clientOptionsSchema>, env: Env): ResolvedConfig["http"]["tls"] {
  const insecure = opts.insecureTls ?? readBoolEnv(env, "MLFLOW_TRACKING_INSECURE_TLS") ?? false;
  const caPath = opts.serverCertPath ?? readEnv(env, "MLFLOW_TRACKING_SERVER_CERT_PATH");
  const clientCertPath = opts.clientCertPath ?? readEnv(env, "MLFLOW_TRACKING_CLIENT_CERT_PATH");
  if (insecure && caPath) {
    throw new ConfigurationError(
      "MLFLOW_TRACKING_INSECURE_TLS",
      "MLFLOW_TRACKING_INSECURE_TLS=true cannot be combined with MLFLOW_TRACKING_SERVER_CERT_PATH: one skips verification, the other verifies with a CA. Fix: unset one of them.",
    );
  }
  requireFile(caPath, opts.serverCertPath ? "serverCertPath" : "MLFLOW_TRACKING_SERVER_CERT_PATH");
  requireFile(clientCertPath, opts.clientCertPath ? "clientCertPath" : "MLFLOW_TRACKING_CLIENT_CERT_PATH");
  return { insecure, caPath, clientCertPath };
}

function requireFile(path: string | undefined, key: string): void {
  if (path === undefined || existsSync(path)) return;
  throw new ConfigurationError(key, `${key} points at "${path}", which does not exist. Fix: give the path of a PEM file.`);
}

function resolveS3(opts: S3Options, env: Env): ResolvedConfig["s3"] {
  const endpointKey = opts.endpointUrl ? "s3.endpointUrl" : "MLFLOW_S3_ENDPOINT_URL";
  const endpointUrl = checkS3Endpoint(opts.endpointUrl ?? readEnv(env, "MLFLOW_S3_ENDPOINT_URL"), endpointKey);
  const addressingStyle = opts.addressingStyle ?? readEnum(env, "MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE", ["auto", "path", "virtual"] as const) ?? "auto";
  const { credentials, credentialsSource } = resolveS3Credentials(opts, env);
  return {
    endpointUrl,
    ignoreTls: opts.ignoreTls ?? readBoolEnv(env, "MLFLOW_S3_IGNORE_TLS") ?? false,
    forcePathStyle: addressingStyle === "path" || (endpointUrl !== undefined && addressingStyle !== "virtual"),
    addressingStyle,
    region: opts.region ?? readEnv(env, "AWS_REGION") ?? readEnv(env, "AWS_DEFAULT_REGION") ?? "us-east-1",
    credentials,
    credentialsSource,
    uploadExtraArgs: Object.freeze(opts.uploadExtraArgs ?? readJsonObjectEnv(env, "MLFLOW_S3_UPLOAD_EXTRA_ARGS") ?? {}),
    expectedBucketOwner: opts.expectedBucketOwner ?? readEnv(env, "MLFLOW_S3_EXPECTED_BUCKET_OWNER"),
    checksum: opts.checksum ?? readEnum(env, "MLFLOW_TS_S3_CHECKSUM", ["WHEN_REQUIRED", "WHEN_SUPPORTED"] as const) ?? "WHEN_REQUIRED",
    partSizeBytes: opts.partSizeBytes,
    queueSize: opts.queueSize ?? 4,
  };
}

/**
 * S3 credentials: the `s3.credentials` option, else `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`
 * (/`AWS_SESSION_TOKEN`) from the environment that was read (so the `env` option works), else none:
 * the AWS SDK's default chain (profiles, SSO, web identity, IMDS…).
 */
function resolveS3Credentials(opts: S3Options, env: Env): Pick<ResolvedConfig["s3"], "credentials" | "credentialsSource"> {
  if (opts.credentials) return { credentials: opts.credentials, credentialsSource: "s3.credentials option" };
  const accessKeyId = readEnv(env, "AWS_ACCESS_KEY_ID");
  const secretAccessKey = readEnv(env, "AWS_SECRET_ACCESS_KEY");
  if (accessKeyId === undefined || secretAccessKey === undefined) return { credentials: undefined, credentialsSource: "default chain" };
  const sessionToken = readEnv(env, "AWS_SESSION_TOKEN");
  registerSecret(secretAccessKey);
  registerSecret(sessionToken);
  const credentials = sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken };
  return { credentials, credentialsSource: "AWS_ACCESS_KEY_ID" };
}

/**
 * True when the environment is a CI job: `CI` set to anything but `false` or `0` (GitHub Actions,
 * GitLab CI, CircleCI, Travis, Buildkite and Jenkins' plugins all set it).
 */
function isCiJob(env: Env): boolean {
  const ci = readEnv(env, "CI")?.toLowerCase();
  return ci !== undefined && ci !== "false" && ci !== "0";
}

function checkS3Endpoint(value: string | undefined, key: string): string | undefined {
  if (value === undefined) return undefined;
  if (/^s3:/i.test(value)) {
    throw new ConfigurationError(
      key,
      `${key} must be the http(s) URL of the S3 server, not an s3:// bucket URI: got "${value}". Fix: e.g. ${key}=http://minio:9000 (the bucket belongs in the artifact location).`,
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigurationError(key, `${key} is not a valid URL: "${value}". Expected e.g. http://minio:9000.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigurationError(key, `${key} must start with http:// or https://, got "${value}". Expected e.g. http://minio:9000.`);
  }
  return value.replace(/\/+$/, "");
}

function resolveArtifacts(opts: ArtifactOptions, env: Env): ResolvedConfig["artifacts"] {
  return {
    proxyMultipartUpload: opts.proxyMultipartUpload ?? readBoolEnv(env, "MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD"),
    proxyMultipartMinBytes:
      opts.proxyMultipartMinBytes ??
      readNumberEnv(env, "MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE", { min: 1, integer: true, unit: "bytes" }) ??
      DEFAULT_PROXY_MULTIPART_MIN_BYTES,
    proxyMultipartChunkBytes:
      opts.proxyMultipartChunkBytes ??
      readNumberEnv(env, "MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE", { min: 1, integer: true, unit: "bytes" }) ??
      DEFAULT_PROXY_MULTIPART_CHUNK_BYTES,
    concurrency: opts.concurrency ?? 8,
  };
}

function secondsToMs(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : Math.round(seconds * 1000);
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}
