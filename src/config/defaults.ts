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

// The logger (startRun's options; docs/logger.md)

/** Default interval between background flushes: 1000 ms. */
export const DEFAULT_FLUSH_INTERVAL_MS = 1_000;
/**
 * Default `log-batch` requests in flight per run: 2. The benchmark in docs/logger.md picks it:
 * a second request hides the client/server round trip, more only queue on PostgreSQL row locks
 * (every batch of a run updates the same `latest_metrics` rows).
 */
export const DEFAULT_MAX_IN_FLIGHT = 2;
/**
 * Default `log-batch` requests in flight per run on the embedded SQLite store: 16. The store
 * commits the requests that arrive together in one transaction (see docs/embedded-store.md), and
 * with many keys per run one commit of 16,000 points costs far less than sixteen of 1000: each
 * commit rewrites every index page it touched. The benchmark there picks it.
 */
export const DEFAULT_MAX_IN_FLIGHT_EMBEDDED = 16;
/** Default time a batch is retried before it counts as failed: 10 minutes. */
export const DEFAULT_DELIVERY_TIMEOUT_MS = 600_000;
/** Default number of buffered entries at which `backpressure` fires: 1,000,000 (about 32 MB of metrics). */
export const DEFAULT_MAX_BUFFERED_ENTRIES = 1_000_000;
/**
 * Default time the tracking server may stay unreachable before new metric chunks go to the journal
 * only (and are read back from it once the server answers): 30 s. Long enough that a server restart
 * or a short network blip changes nothing, short enough that an outage stops growing memory early.
 */
export const DEFAULT_SPILL_AFTER_MS = 30_000;
/** Default bound of the flush at process exit, SIGINT/SIGTERM and uncaught exceptions: 30 s. */
export const DEFAULT_EXIT_TIMEOUT_MS = 30_000;
/** Default first retry delay of a failed batch: 250 ms (doubling up to the maximum, with jitter). */
export const DEFAULT_RETRY_INITIAL_DELAY_MS = 250;
/** Default longest retry delay of a failed batch: 10 s. */
export const DEFAULT_RETRY_MAX_DELAY_MS = 10_000;

// System metrics (MLflow's SystemMetricsMonitor)

/** Default time between two samples: 10 s, as MLflow. */
export const DEFAULT_SYSTEM_METRICS_SAMPLING_INTERVAL_MS = 10_000;
/** Default number of samples averaged into one logged point: 1, as MLflow. */
export const DEFAULT_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING = 1;

// The durable-delivery journal (docs/journal.md)

/** Default interval of group commits: 100 ms. What was accepted in the last interval is not yet on disk. */
export const DEFAULT_JOURNAL_COMMIT_INTERVAL_MS = 100;
/** Default pending size that starts a group commit before the interval ends: 1 MiB (about 37,000 points). */
export const DEFAULT_JOURNAL_COMMIT_BYTES = 1024 * 1024;
/** Default longest time between a commit and its `fdatasync`: 0 ms, i.e. every commit is synced. */
export const DEFAULT_JOURNAL_SYNC_INTERVAL_MS = 0;
/** Default size at which a segment is closed and the next one started: 16 MiB (about 600,000 points). */
export const DEFAULT_JOURNAL_SEGMENT_BYTES = 16 * 1024 * 1024;
