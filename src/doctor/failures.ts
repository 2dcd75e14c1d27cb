/**
 * Turns a failed call into what a setup check reports: a detail saying what happened, and a hint
 * saying which variable to set or which command to run. Network failures are described the same
 * way for the tracking server and the S3 server, naming the variable that holds the address.
 */

import type { ResolvedConfig } from "../config/resolve.js";
import { messageOf } from "../core/error-text.js";
import { ConnectionError, MlflowApiError, PermissionDeniedError, ResponseValidationError, TimeoutError, UnauthenticatedError } from "../core/errors.js";
import { formatSeconds } from "../core/units.js";

/** A detail and its fix. */
export interface Diagnosis {
  detail: string;
  hint: string;
}

/** The server a network call went to: its address and the variable that sets it. */
export interface Target {
  /** e.g. `the tracking server` or `the S3 server`. */
  name: string;
  /** Address, safe to print, e.g. `http://127.0.0.1:5000`. */
  url: string;
  /** The variable to fix, e.g. `MLFLOW_TRACKING_URI`. */
  variable: string;
}

const TLS_CA_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
]);

/**
 * Explains a failure to connect (no HTTP answer) to `target`.
 *
 * @param code - The system error code (`ECONNREFUSED`, `ENOTFOUND`…), or `ETIMEDOUT` for a timeout.
 * @example
 * describeNetworkFailure("ECONNREFUSED", { name: "the tracking server", url: "http://127.0.0.1:5000", variable: "MLFLOW_TRACKING_URI" }, 5000);
 * @internal
 */
export function describeNetworkFailure(
  code: string | undefined,
  target: Target,
  timeoutMs: number,
  tlsFix = "MLFLOW_TRACKING_SERVER_CERT_PATH=<ca.pem>",
): Diagnosis {
  const at = `${target.name} at ${target.url}`;
  const check = `Check ${target.variable} (now ${target.url})`;
  if (code === "ETIMEDOUT" || code === "TimeoutError") {
    return {
      detail: `No answer from ${at} within ${formatSeconds(timeoutMs)}.`,
      hint: `${check}: the host drops the connection, or something there accepts it and never answers (a wrong port, a firewall, a stopped VM). Also check HTTP_PROXY / HTTPS_PROXY / NO_PROXY.`,
    };
  }
  if (code === "ECONNREFUSED") {
    return { detail: `Connection refused by ${at}: nothing listens on that port.`, hint: `${check}: the host or port is wrong, or the server is not running.` };
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return {
      detail: `The host name of ${target.url} does not resolve (${code}).`,
      hint: `${check}: the host name is misspelt, or this machine's DNS cannot resolve it.`,
    };
  }
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "EADDRNOTAVAIL") {
    return { detail: `No route to ${at} (${code}).`, hint: `${check}, and this machine's network (VPN, firewall).` };
  }
  if (code === "ECONNRESET" || code === "EPIPE") {
    return {
      detail: `${capitalize(at)} closed the connection (${code}).`,
      hint: `${check}: an https:// URL on a plain-HTTP port (or the reverse), or a proxy in between, resets connections.`,
    };
  }
  if (code === "EPROTO" || code === "ERR_SSL_WRONG_VERSION_NUMBER") {
    return { detail: `TLS handshake with ${at} failed (${code}).`, hint: `${check}: use http:// for a plain-HTTP server and https:// for a TLS one.` };
  }
  if (code !== undefined && TLS_CA_CODES.has(code)) {
    return { detail: `The TLS certificate of ${at} is not trusted (${code}).`, hint: `Trust the CA that signed it: ${tlsFix}.` };
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return { detail: `The TLS certificate of ${at} is for another host name (${code}).`, hint: `${check}: use the host name the certificate was issued for.` };
  }
  if (code === "CERT_HAS_EXPIRED") {
    return { detail: `The TLS certificate of ${at} has expired.`, hint: `Renew the server's certificate.` };
  }
  return { detail: `Could not connect to ${at}${code ? ` (${code})` : ""}.`, hint: `${check} and that the server is running.` };
}

/**
 * Explains a failed call to the tracking server: network failures, 401 and 403 (each with its own
 * fix), a missing API, a login page instead of JSON, server errors.
 *
 * @param config - The configuration in effect (for the tracking URI and the credentials' source).
 * @param action - What was attempted, e.g. `search experiments`.
 * @internal
 */
export function describeTrackingFailure(error: unknown, config: ResolvedConfig, action: string, timeoutMs: number): Diagnosis {
  const url = config.tracking.kind === "rest" ? config.tracking.displayUri : config.tracking.uri;
  const target = { name: "the tracking server", url, variable: "MLFLOW_TRACKING_URI" };
  if (error instanceof TimeoutError) return describeNetworkFailure("ETIMEDOUT", target, timeoutMs);
  if (error instanceof ConnectionError) return describeNetworkFailure(error.code, target, timeoutMs);
  if (error instanceof UnauthenticatedError) return unauthenticated(config, action);
  if (error instanceof PermissionDeniedError) return permissionDenied(error, config, action);
  if (error instanceof ResponseValidationError) {
    return {
      detail: `The answer to "${action}" is not MLflow's JSON: ${error.message}`,
      hint: `MLFLOW_TRACKING_URI (now ${url}) must be the MLflow server itself, not its UI page, a login page or another service; behind an SSO proxy, pass its token with the client option headers.`,
    };
  }
  if (error instanceof MlflowApiError) return apiFailure(error, url, action);
  return { detail: `Could not ${action}: ${messageOf(error)}`, hint: `Check MLFLOW_TRACKING_URI (now ${url}) and the server's log.` };
}

function unauthenticated(config: ResolvedConfig, action: string): Diagnosis {
  const auth = config.auth;
  const detail = `The server refused to ${action} without valid credentials (HTTP 401).`;
  if (auth.kind === "none") {
    return {
      detail: `${detail} No credentials are configured.`,
      hint: "Set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (basic auth), or MLFLOW_TRACKING_TOKEN (bearer token).",
    };
  }
  if (auth.kind === "bearer") {
    return { detail: `${detail} It refused the bearer token from ${auth.source}.`, hint: "MLFLOW_TRACKING_TOKEN is wrong or has expired: set a valid token." };
  }
  if (auth.kind === "provider") {
    return {
      detail: `${detail} It refused the headers of the auth provider (${auth.source}), also after one refresh.`,
      hint: "The provider's credentials are not accepted by this server: check what it issues (token audience, scope, client) against the server or its proxy.",
    };
  }
  return {
    detail: `${detail} It refused user "${auth.username}" with the password from ${auth.source}.`,
    hint: `Check MLFLOW_TRACKING_PASSWORD for user "${auth.username}" (and MLFLOW_TRACKING_USERNAME); an MLflow admin can reset it (PATCH /api/2.0/mlflow/users/update-password).`,
  };
}

function permissionDenied(error: MlflowApiError, config: ResolvedConfig, action: string): Diagnosis {
  const host = config.tracking.kind === "rest" ? new URL(config.tracking.baseUrl).host : "";
  if (/invalid host header/i.test(error.serverMessage)) {
    return {
      detail: `The server refused the Host header "${host}" (HTTP 403: ${error.serverMessage}).`,
      hint: `Start the server with --allowed-hosts "${host}" (or MLFLOW_SERVER_ALLOWED_HOSTS), or reach it by a name it already allows.`,
    };
  }
  const who = config.auth.kind === "basic" ? `User "${config.auth.username}"` : "These credentials";
  return {
    detail: `${who} may not ${action} (HTTP 403: ${error.serverMessage || "permission denied"}).`,
    hint: "Ask an MLflow admin to grant this user READ on the experiments it needs (or set default_permission = READ in the auth configuration).",
  };
}

function apiFailure(error: MlflowApiError, url: string, action: string): Diagnosis {
  if (error.status === 404) {
    return {
      detail: `The server has no ${error.endpoint} (HTTP 404, ${error.errorCode}).`,
      hint: `MLFLOW_TRACKING_URI (now ${url}) must be the MLflow server's root, including any path prefix a reverse proxy adds (e.g. https://host/mlflow).`,
    };
  }
  if (error.status === 502 || error.status === 503 || error.status === 504) {
    return {
      detail: `Could not ${action}: HTTP ${error.status} (${error.serverMessage || error.errorCode}).`,
      hint: "A proxy or load balancer in front of MLflow cannot reach it, or the server is overloaded: check that `mlflow server` is running and its log.",
    };
  }
  return { detail: `Could not ${action}: ${error.message}`, hint: "The server's log has the details." };
}

/**
 * Splits an SDK error message into its detail and the fix it carries after `Fix:`.
 *
 * @param fallbackHint - Used when the message has no `Fix:` part.
 * @example
 * splitFix("X is wrong. Fix: set X=1.", "…"); // { detail: "X is wrong.", hint: "Set X=1." }
 * @internal
 */
export function splitFix(message: string, fallbackHint: string): Diagnosis {
  const at = message.indexOf("Fix:");
  if (at < 0) return { detail: message, hint: fallbackHint };
  return { detail: message.slice(0, at).trim(), hint: capitalize(message.slice(at + 4).trim()) };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
