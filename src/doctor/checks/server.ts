/**
 * `server.reachable` (`GET /health`, falling back to `/version` for servers without it) and
 * `server.version` (`GET /version` and `GET /api/3.0/mlflow/server-info` where present): the
 * server's MLflow version and the features of mlflow-ts that version lacks.
 */
import type { Readable } from "node:stream";
import { MlflowApiError } from "../../core/errors.js";
import type { HttpResponse } from "../../core/http/transport.js";
import { excerpt } from "../../core/redact.js";
import { type ServerInfo, serverInfoSchema } from "../../protocol/entities/server-info.js";
import { featuresMissingIn, minorRelease, SERVER_FEATURES } from "../../protocol/server-features.js";
import type { SetupContext } from "../context.js";
import { describeTrackingFailure } from "../failures.js";
import { type CheckDefinition, type CheckOutcome, fail, notApplicable, pass, warn } from "../runner.js";

/** Oldest server release this SDK is written against. */
const OLDEST_SUPPORTED_MAJOR = 2;

/** The `server.reachable` check. @internal */
export const serverReachableCheck: CheckDefinition<SetupContext> = {
  id: "server.reachable",
  title: "Tracking server reachable",
  needs: ["config"],
  calls: 2,
  async run(context, signal) {
    if (!context.transport) return notApplicable(`No tracking server: runs go to the embedded store ${context.client?.trackingUri}.`);
    const health = await settle(get(context, "/health", signal));
    if (!(health instanceof Error)) return pass(`GET /health answered ${health.status} ${excerpt(String(health.body).trim(), 20)}.`);
    if (health instanceof MlflowApiError && (health.status === 401 || health.status === 403)) {
      return pass(`The server answers; /health requires credentials (HTTP ${health.status}), see the authentication check.`);
    }
    if (health instanceof MlflowApiError && health.status === 404) return viaVersion(context, signal);
    return failure(context, health, "answer GET /health");
  },
};

/** Servers without `/health` (some hosted ones): `/version` proves the server is there. */
async function viaVersion(context: SetupContext, signal: AbortSignal): Promise<CheckOutcome> {
  const version = await settle(get(context, "/version", signal));
  if (!(version instanceof Error)) return pass(`The server has no /health; GET /version answered ${version.status}.`);
  if (version instanceof MlflowApiError && version.status < 500) {
    return warn(
      `The server answers, but has neither /health nor /version (HTTP ${version.status}).`,
      `Check that MLFLOW_TRACKING_URI (now ${context.transport?.baseUrl}) is the MLflow server, with any path prefix its reverse proxy adds.`,
    );
  }
  return failure(context, version, "answer GET /version");
}

/** The `server.version` check. @internal */
export const serverVersionCheck: CheckDefinition<SetupContext> = {
  id: "server.version",
  title: "Server version",
  needs: ["server.reachable"],
  calls: 2,
  async run(context, signal) {
    if (!context.transport) return notApplicable("No tracking server.");
    const response = await settle(get(context, "/version", signal));
    if (response instanceof MlflowApiError && (response.status === 401 || response.status === 403)) {
      return notApplicable(`The server shows its version only to authenticated users (HTTP ${response.status}); see the authentication check.`);
    }
    if (response instanceof Error && !(response instanceof MlflowApiError)) return failure(context, response, "answer GET /version");
    const version = response instanceof Error ? undefined : /^\d+\.\d+[\w.+-]*$/.exec(String(response.body).trim())?.[0];
    const info = await serverInfo(context, signal);
    const infoText = info ? describeInfo(info) : "no /api/3.0/mlflow/server-info (a server before MLflow 3.10)";
    if (version === undefined) {
      return warn(
        `The server did not report a version at /version; ${infoText}.`,
        "Check that MLFLOW_TRACKING_URI points at an MLflow tracking server (mlflow server), not another service.",
      );
    }
    const major = Number(version.split(".")[0]);
    if (major < OLDEST_SUPPORTED_MAJOR) {
      return warn(
        `MLflow ${version}; ${infoText}.`,
        `Upgrade the server to MLflow ${OLDEST_SUPPORTED_MAJOR}.x or later: older servers lack parts of the REST API this client uses.`,
      );
    }
    return pass(`MLflow ${version}; ${infoText}; ${describeMissing(version)}.`);
  },
};

/** `/api/3.0/mlflow/server-info`, or undefined when the server does not have it (or it is not JSON). */
async function serverInfo(context: SetupContext, signal: AbortSignal): Promise<ServerInfo | undefined> {
  try {
    const response = await get(context, "/api/3.0/mlflow/server-info", signal);
    const parsed = serverInfoSchema.safeParse(JSON.parse(String(response.body)));
    context.serverInfo = parsed.success ? parsed.data : undefined;
    return context.serverInfo;
  } catch {
    return undefined;
  }
}

/** The features this version lacks, each with the release that has it (protocol/server-features.ts). */
function describeMissing(version: string): string {
  // server-info and workspaces have their own lines (the info above, the workspace check).
  const missing = featuresMissingIn(version).filter((feature) => feature !== "server-info" && feature !== "workspaces");
  if (missing.length === 0) return "every feature mlflow-ts uses is available";
  const list = missing.map((feature) => `${SERVER_FEATURES[feature].title} (MLflow ≥ ${minorRelease(SERVER_FEATURES[feature].firstVersion)})`);
  return `unavailable on this server: ${list.join(", ")}`;
}

function describeInfo(info: ServerInfo): string {
  const parts = [`store ${info.store_type ?? "unknown"}`];
  if (info.workspaces_enabled !== undefined) parts.push(`workspaces ${info.workspaces_enabled ? "on" : "off"}`);
  if (info.multipart_uploads_enabled !== undefined) parts.push(`proxied multipart uploads ${info.multipart_uploads_enabled ? "on" : "off"}`);
  return parts.join(", ");
}

/** One GET to the tracking server (credentials included), recording its `Date` header. */
async function get(context: SetupContext, path: string, signal: AbortSignal): Promise<HttpResponse<string | Readable>> {
  const transport = context.transport!;
  const started = Date.now();
  const response = await transport.request({ method: "GET", path, retry: "idempotent" }, context.callOptions(signal), (res) => res);
  context.recordDate("tracking server", response.headers.date, started, Date.now());
  return response;
}

/** The response, or what the call threw (as an Error). */
function settle<T>(promise: Promise<T>): Promise<T | Error> {
  return promise.catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
}

function failure(context: SetupContext, error: unknown, action: string): CheckOutcome {
  const { detail, hint } = describeTrackingFailure(error, context.config!, action, context.settings.timeoutMs);
  return fail(detail, hint);
}
