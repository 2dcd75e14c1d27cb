/**
 * Every default of the client's configuration, with its unit, in one place: the Python client's
 * defaults where MLflow has the setting (same values), the SDK's own otherwise. Options document
 * each as `@defaultValue`; docs/configuration.md lists them.
 */

/** Default per-request timeout: 120 s, as `MLFLOW_HTTP_REQUEST_TIMEOUT` in the Python client. */
export const DEFAULT_TIMEOUT_MS = 120_000;

/** Default retries after the first attempt: 7, as `MLFLOW_HTTP_REQUEST_MAX_RETRIES`. */
export const DEFAULT_MAX_RETRIES = 7;

/** Upper bound of `MLFLOW_HTTP_REQUEST_MAX_RETRIES` in the Python client. */
export const MAX_RETRIES_LIMIT = 10;

/** Default backoff factor: 2 s, as `MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR`. */
export const DEFAULT_BACKOFF_FACTOR_MS = 2_000;

/** Default backoff jitter: up to 1 s, as `MLFLOW_HTTP_REQUEST_BACKOFF_JITTER`. */
export const DEFAULT_BACKOFF_JITTER_MS = 1_000;

/** Default whole-call deadline, retries included: 10 minutes. */
export const DEFAULT_DEADLINE_MS = 600_000;

/**
 * Default idle time after which a kept-alive socket is closed by the client: 1.5 s. Below the
 * keep-alive of the servers `mlflow server` 3.17 runs: uvicorn 0.54 (the default,
 * `timeout_keep_alive` 5 s, which MLflow does not change) and gunicorn 26 (`--gunicorn-opts`,
 * `keepalive` 2 s). So the client closes an idle socket before the server does, and never reuses
 * one the server is closing. (A socket the server closed while this process's event loop was
 * blocked is still replayed by the transport, see `core/http/socket-pools.ts`.)
 */
export const DEFAULT_KEEP_ALIVE_IDLE_MS = 1_500;

/**
 * Default time a call keeps retrying while nothing listens at the server's address and the server
 * has not answered since the client was created: 10 s. A wrong URL or a stopped server then fails
 * in seconds instead of after the 4-minute retry curve, which is kept for 5xx, timeouts, and a
 * server that answered before (a restart during a run).
 */
export const DEFAULT_UNREACHABLE_DEADLINE_MS = 10_000;

/** Default cap of sockets per host. */
export const DEFAULT_MAX_SOCKETS = 64;

/** Proxied multipart threshold: 500 MiB, as `MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE`. */
export const DEFAULT_PROXY_MULTIPART_MIN_BYTES = 500 * 1024 * 1024;

/** Proxied multipart part size: 10 MiB, as `MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE`. */
export const DEFAULT_PROXY_MULTIPART_CHUNK_BYTES = 10 * 1024 * 1024;

/** The tracking URI used when none is configured, as in the Python client 3.7+. */
export const DEFAULT_TRACKING_URI = "sqlite:///mlflow.db";
