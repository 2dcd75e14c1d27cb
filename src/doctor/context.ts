/**
 * What the checks share: the settings, the configuration and client the first check builds, the
 * experiment and artifact location found on the way, and the servers' `Date` headers seen so far
 * (for the clock check). Checks run one at a time, each filling in what later ones read.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { ArtifactLocation } from "../artifacts/artifact-uri.js";
import { loadS3Runtime } from "../artifacts/s3/lazy-s3.js";
import type { MlflowClient } from "../client/client.js";
import { internalsOf } from "../client/internals.js";
import type { ClientOptions } from "../config/options.js";
import type { ResolvedConfig } from "../config/resolve.js";
import type { HttpTransport, RequestOptions } from "../core/http/transport.js";
import type { ServerInfo } from "../protocol/entities/server-info.js";
import type { Experiment } from "../protocol/entities/tracking.js";

/** Default timeout of each network call of a check: 5 s. */
export const DEFAULT_CHECK_TIMEOUT_MS = 5_000;
/** Experiment used when none is named: created once, then reused. */
export const PROBE_EXPERIMENT_NAME = "mlflow-ts-doctor";
/** Folder under the experiment's artifact location where probe objects are written (and deleted). */
export const PROBE_FOLDER = "mlflow-ts-doctor";

/** A server's `Date` header and the local time around the request that returned it. */
export interface ServerDate {
  /** `tracking server` or `S3 server`. */
  server: string;
  /** The header, parsed, in ms since the epoch. */
  serverMs: number;
  /** Local time halfway through the request, in ms since the epoch. */
  localMs: number;
}

/** Settings of one setup check, defaults applied. @internal */
export interface SetupSettings {
  experimentName: string | undefined;
  write: boolean;
  roundTrip: boolean;
  timeoutMs: number;
  client: ClientOptions;
  /** Whether a tracking server is required; `undefined`: required when the environment is a CI job. */
  requireServer: boolean | undefined;
}

/**
 * State shared by the checks of one {@link checkSetup} call.
 * @internal
 */
export class SetupContext {
  readonly settings: SetupSettings;
  /** The configuration as the user's own client would resolve it (set by the `config` check). */
  config: ResolvedConfig | undefined;
  /** A client on that configuration with short timeouts and no retries (set by the `config` check). */
  client: MlflowClient | undefined;
  /** What `/api/3.0/mlflow/server-info` said, when the server has it (set by the `server.version` check). */
  serverInfo: ServerInfo | undefined;
  /** The experiment whose artifact location is probed (set by the `experiment` check). */
  experiment: Experiment | undefined;
  /** Where that experiment's artifacts go (set by the `artifacts.mode` check). */
  location: ArtifactLocation | undefined;
  /** Server `Date` headers seen by the checks so far. */
  readonly dates: ServerDate[] = [];
  #s3: S3Client | undefined;

  constructor(settings: SetupSettings) {
    this.settings = settings;
  }

  /** Per-call options: the check's signal, the short timeout, no retries, and a deadline equal to the timeout. */
  callOptions(signal: AbortSignal): RequestOptions {
    const ms = this.settings.timeoutMs;
    return { signal, timeoutMs: ms, maxRetries: 0, deadlineMs: ms };
  }

  /** The tracking server's transport; undefined for the embedded store. */
  get transport(): HttpTransport | undefined {
    return this.client === undefined ? undefined : internalsOf(this.client).transport;
  }

  /**
   * The S3 client of the doctor's configuration (no retries), recording the `Date` of every response;
   * created (and the AWS SDK loaded) at the first S3 check.
   */
  async s3(): Promise<S3Client> {
    if (this.#s3) return this.#s3;
    if (!this.client) throw new Error("the configuration check has not run");
    const { createS3Client } = await loadS3Runtime();
    if (this.#s3) return this.#s3;
    const s3 = createS3Client(this.client.config);
    s3.middlewareStack.add(
      (next) => async (args) => {
        const started = Date.now();
        const output = await next(args);
        this.recordDate("S3 server", headerOf(output.response, "date"), started, Date.now());
        return output;
      },
      // Inside the deserializer: sees the raw response, errors (403, 404…) included.
      { step: "deserialize", priority: "low", name: "mlflowTsDoctorDate" },
    );
    this.#s3 = s3;
    return s3;
  }

  /** Records a `Date` header (ignored when absent or unparsable). */
  recordDate(server: string, header: string | undefined, startedMs: number, endedMs: number): void {
    const serverMs = header === undefined ? Number.NaN : Date.parse(header);
    if (Number.isNaN(serverMs)) return;
    this.dates.push({ server, serverMs, localMs: (startedMs + endedMs) / 2 });
  }

  /** Releases sockets. */
  async close(): Promise<void> {
    this.#s3?.destroy();
    await this.client?.close();
  }
}

function headerOf(response: unknown, name: string): string | undefined {
  const headers = (response as { headers?: Record<string, string | undefined> } | undefined)?.headers;
  return headers?.[name] ?? headers?.[name.charAt(0).toUpperCase() + name.slice(1)];
}
