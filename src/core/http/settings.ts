/**
 * What the HTTP transport needs from the configuration: timeouts, retries, sockets, headers, TLS
 * the credentials of the `Authorization` header and the workspace header. Defined here, below the configuration, so that
 * core/ imports nothing above it; the configuration fills these shapes (`ResolvedConfig["http"]`
 * is an {@link HttpSettings}, `ResolvedConfig["auth"]` an {@link AuthSettings}).
 */
import type { AuthProvider } from "./auth/types.js";

/** TLS towards the tracking server. */
export interface TlsSettings {
  /** Skip certificate verification (`MLFLOW_TRACKING_INSECURE_TLS`). */
  insecure: boolean;
  /** CA bundle (PEM) that signs the server's certificate. */
  caPath?: string;
  /** Client certificate and key (one PEM file) for mutual TLS. */
  clientCertPath?: string;
}

/** Timeouts (ms), retries, sockets, extra headers and TLS of the tracking transport. */
export interface HttpSettings {
  /** Per-request timeout, ms. */
  timeoutMs: number;
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Backoff factor, ms: retry n waits min(120 s, factor × 2^(n−1)) plus jitter. */
  backoffFactorMs: number;
  /** Maximum random extra wait per retry, ms. */
  backoffJitterMs: number;
  /** Deadline of one call including all retries, ms. */
  deadlineMs: number;
  /** How long a call retries while nothing listens at the server's address, ms. */
  unreachableDeadlineMs: number;
  /** `MLFLOW_TS_QUIET_RETRIES`: no line on stderr when a call starts retrying. */
  quietRetries: boolean;
  /** Idle time before a kept-alive socket is closed, ms. */
  keepAliveIdleMs: number;
  /** Maximum sockets per host. */
  maxSockets: number;
  /** Extra headers sent with every tracking request. */
  headers: Readonly<Record<string, string>>;
  /** TLS towards the tracking server. */
  tls: TlsSettings;
}

/**
 * Credentials in effect: none, Basic, Bearer, or a provider of headers that change (an
 * {@link AuthProvider}, called per its expiry and on 401), with where they came from.
 */
export type AuthSettings =
  | { kind: "none" }
  | { kind: "basic"; username: string; password: string; source: string }
  | { kind: "bearer"; token: string; source: string }
  | { kind: "provider"; provider: AuthProvider; source: string };

/** What the transport is built from: a `ResolvedConfig` is one. */
export interface TransportSettings {
  http: HttpSettings;
  auth: AuthSettings;
  /** The MLflow workspace sent in the `X-MLFLOW-WORKSPACE` header of every request (`MLFLOW_WORKSPACE`); none when unset. */
  workspace?: string | undefined;
}
