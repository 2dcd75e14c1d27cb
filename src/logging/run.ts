/**
 * `ActiveRun`: what a training loop holds (named like Python's `mlflow.ActiveRun`; `Run` is the
 * run entity the REST API returns). Logging calls are synchronous and O(1): they validate the
 * input, take the timestamp and hand the entry to the run's {@link Batcher}; no call waits on the
 * network or creates a promise. `flush()` and `end()` are the points where delivery is awaited.
 * With a journal (a tracking-server run, docs/journal.md), `end()` journals the end status and syncs
 * it before the status update, and closes the journal after it (removed when all was delivered).
 */
import type { Readable } from "node:stream";
import { stringify as stringifyYaml } from "yaml";
import type { UploadOptions, UploadResult } from "../artifacts/types.js";
import type { MlflowClient } from "../client/client.js";
import { internalsOf } from "../client/internals.js";
import { messageOf } from "../core/error-text.js";
import { ValidationError } from "../core/errors.js";
import type { ImageInput } from "../images/image-codec.js";
import { type ImageSeriesOptions, LOGGED_IMAGES_TAG, logImage } from "../images/log-image.js";
import type { Journal } from "../journal/index.js";
import { type LogModelOptions, logModel, type ModelInfo } from "../models/log-model.js";
import type { Dataset, RunInfo, RunStatus } from "../protocol/entities/tracking.js";
import { type KeyValueInput, toKeyValues, validatedTags } from "../protocol/key-values.js";
import { DATASET_CONTEXT_TAG, LOGGED_ARTIFACTS_TAG } from "../protocol/tag-names.js";
import { validateKey, validateMetricPosition, validateMetricValue, validateParamValue, validateRunTagValue } from "../protocol/validation.js";
import { prepareTable, type TableData } from "../tables/tables.js";
import { getActiveModelId } from "./active-model-state.js";
import { Batcher, type FlushResult, type LoggerStats, type RunEvents } from "./batcher/batcher.js";
import { LogDeliveryError, RunEndError } from "./errors.js";
import type { Listener } from "./events.js";
import { modelJournal } from "./journaled-model.js";
import { journaledUpload, journaledUploadData } from "./journaled-upload.js";
import { checkTimeoutMs, type ResolvedLoggerOptions } from "./options.js";
import { systemTags } from "./system/system-tags.js";

/** Step and timestamp of a metric point, and the model and dataset it belongs to (MLflow 3). */
export interface MetricOptions {
  /** Training step, a whole number. @defaultValue 0 */
  step?: number | undefined;
  /** Milliseconds since the epoch. @defaultValue the time of the call (Date.now()) */
  timestamp?: number | undefined;
  /**
   * The logged model the point belongs to (`m-…`), as `mlflow.log_metric(model_id=…)`.
   * @defaultValue the active model ({@link setActiveModel}), else the model this run logged at the same step
   */
  modelId?: string | undefined;
  /** Name of the dataset the point was computed on (with `datasetDigest`, as `mlflow.log_metric(dataset=…)`). */
  datasetName?: string | undefined;
  /** Digest of that dataset. */
  datasetDigest?: string | undefined;
}

/** Options of {@link ActiveRun.flush}. */
export interface FlushOptions {
  /**
   * Stop waiting after this many ms and reject with a {@link LogDeliveryError} that counts what
   * is still pending; delivery goes on in the background. @defaultValue no limit (each batch
   * still gives up after `deliveryTimeoutMs`)
   */
  timeoutMs?: number | undefined;
}

/** The logger's counters plus what the background recovery started by this run delivered. */
export interface RunStats extends LoggerStats {
  /**
   * Entries (metric points, params, tags, artifacts) of dead processes' journals that the recovery
   * started with this run delivered (docs/journal.md). 0 when there was nothing to recover.
   */
  recovered: number;
}

/** The statuses a run can end with. */
export type EndStatus = Extract<RunStatus, "FINISHED" | "FAILED" | "KILLED">;

/** Options of {@link ActiveRun.end}. */
export interface EndOptions {
  /** Final status. @defaultValue "FINISHED" */
  status?: EndStatus | undefined;
  /**
   * Bound of the whole call, ms, counted from the call: three quarters go to delivering what is
   * buffered (after that, in-flight requests are aborted and undelivered entries count as failed),
   * the rest — plus what delivery left unused — to the status update; no request starts after it.
   * @defaultValue the run's `deliveryTimeoutMs` (10 min unless configured)
   */
  timeoutMs?: number | undefined;
}

/** Options of the artifact methods: those of `client.artifacts.upload`. */
export type LogArtifactOptions = UploadOptions;

/** @internal */
export interface RunInit {
  client: MlflowClient;
  info: RunInfo;
  options: ResolvedLoggerOptions;
  /** Params the run already has on the server (a resumed run). */
  params?: ReadonlyMap<string, string>;
  /** Called once when `end()` has delivered what it could, before the status update. */
  onEnd?: (run: ActiveRun) => void;
  /** The run's journal and its commit interval, ms (none: delivery from memory only). */
  journal?: { journal: Journal; commitIntervalMs: number } | undefined;
}

const END_STATUSES: ReadonlySet<string> = new Set(["FINISHED", "FAILED", "KILLED"]);
// Share of an `end()` deadline given to delivery; the rest bounds the status update.
const END_DELIVERY_SHARE = 0.75;

/**
 * A run being logged to. Get one from {@link startRun} or {@link withRun}.
 *
 * @example
 * await withRun({ experimentName: "mnist" }, async (run) => {
 *   for (let step = 0; step < 100; step++) run.logMetric("loss", 1 / (step + 1), { step });
 *   await run.flush(); // everything logged so far is on the server
 * });
 */
export class ActiveRun {
  /** The client the run talks to. */
  readonly client: MlflowClient;
  readonly #batcher: Batcher;
  readonly #options: ResolvedLoggerOptions;
  readonly #params: Map<string, string>;
  readonly #onEnd: ((run: ActiveRun) => void) | undefined;
  #info: RunInfo;
  #ending: Promise<void> | undefined;
  /** Set when the exit hooks (a signal, an uncaught exception, natural exit) began ending the run. */
  #endedOnExit = false;
  /** Entries logged after the exit hooks began ending the run: ignored, counted for their report. */
  #ignoredOnExit = 0;
  /** Metric link index by model id (the model's own link, for points without a dataset). */
  readonly #modelLinks = new Map<string, number>();
  /** Link index by `model\0dataset name\0digest`, for points with explicit links. */
  readonly #explicitLinks = new Map<string, number>();
  /** Link of the model this run logged at a step (the first one), by step. */
  readonly #outputLinks = new Map<number, number>();
  /** Models this run logged (its outputs): a metric linked to one needs no run input. */
  readonly #outputModels = new Set<string>();
  /** Run inputs being recorded for models the run's metrics link to (awaited by flush and end). */
  readonly #linkWrites = new Set<Promise<void>>();
  /** The background recovery `startRun` started with this run, for `stats().recovered`. */
  #recovery: { readonly recovered: number } | undefined;

  /** @internal Use {@link startRun}. */
  constructor(init: RunInit) {
    this.client = init.client;
    this.#info = init.info;
    this.#options = init.options;
    this.#params = new Map(init.params);
    this.#onEnd = init.onEnd;
    this.#batcher = new Batcher({
      runId: init.info.run_id,
      store: init.client.store,
      options: init.options,
      ...(init.journal === undefined ? {} : { journal: init.journal }),
    });
    // The run holds its artifact URI (from runs.create or runs.get): its uploads need no runs.get.
    internalsOf(init.client).runArtifacts.remember(init.info.run_id, init.info.artifact_uri);
  }

  /** The run's journal folder, when it has a journal (docs/journal.md). */
  get journalPath(): string | undefined {
    return this.#batcher.journal?.path;
  }

  /** The run's metadata as last seen from the server (status, times, artifact URI…). */
  get info(): RunInfo {
    return this.#info;
  }

  /** The run id (32 hex characters on MLflow servers). */
  get runId(): string {
    return this.#info.run_id;
  }

  /** The experiment the run belongs to. */
  get experimentId(): string {
    return this.#info.experiment_id;
  }

  /** Where the run's artifacts go, e.g. `s3://bucket/1/<run id>/artifacts`. */
  get artifactUri(): string {
    return this.#info.artifact_uri;
  }

  /** Whether `end()` has been called: logging calls then throw (or, once the exit hooks end the run, are ignored). */
  get ended(): boolean {
    return this.#ending !== undefined;
  }

  /** Entries logged after the exit hooks began ending the run, which were ignored. @internal */
  get ignoredOnExit(): number {
    return this.#ignoredOnExit;
  }

  /** The logger options in effect. @internal */
  get loggerOptions(): ResolvedLoggerOptions {
    return this.#options;
  }

  /**
   * Logs a metric point. Synchronous and O(1): the point is buffered and sent in the background.
   * NaN and ±Infinity are accepted.
   *
   * @throws {ValidationError} naming the key and the rule (`key-characters`, `metric-value`,
   *   `metric-step`, `run-ended`…); nothing is buffered then.
   * @example
   * run.logMetric("train/loss", 0.31, { step: 12 });
   */
  logMetric(key: string, value: number, options?: MetricOptions): void {
    if (this.#ending !== undefined && this.#ignoreAfterEnd(key, 1)) return;
    validateKey(key, "metric");
    if (typeof value !== "number") validateMetricValue(key, value);
    let step = 0;
    let timestamp: number;
    let link: number;
    if (options === undefined) {
      timestamp = Date.now();
      link = this.#defaultLink(0);
    } else {
      step = options.step ?? 0;
      timestamp = options.timestamp ?? Date.now();
      if (!Number.isSafeInteger(step) || !Number.isSafeInteger(timestamp) || timestamp < 0) validateMetricPosition(key, timestamp, step);
      link =
        options.modelId === undefined && options.datasetName === undefined && options.datasetDigest === undefined
          ? this.#defaultLink(step)
          : this.#explicitLink(key, step, options);
    }
    this.#batcher.pushMetric(key, value, timestamp, step, link);
  }

  /**
   * Logs several metrics with one step and timestamp. All are checked before any is buffered.
   *
   * @throws {ValidationError} for the first bad key or value; then nothing is buffered.
   * @example
   * run.logMetrics({ acc: 0.91, f1: 0.88 }, { step: 12 });
   */
  logMetrics(metrics: Readonly<Record<string, number>>, options?: MetricOptions): void {
    const entries = Object.entries(metrics);
    if (this.#ending !== undefined && this.#ignoreAfterEnd(entries[0]?.[0] ?? "(metrics)", entries.length)) return;
    for (const [key, value] of entries) {
      validateKey(key, "metric");
      if (typeof value !== "number") validateMetricValue(key, value);
    }
    const step = options?.step ?? 0;
    const timestamp = options?.timestamp ?? Date.now();
    validateMetricPosition(entries[0]?.[0] ?? "(metrics)", timestamp, step);
    const explicit = options !== undefined && (options.modelId !== undefined || options.datasetName !== undefined || options.datasetDigest !== undefined);
    const link = explicit ? this.#explicitLink(entries[0]?.[0] ?? "(metrics)", step, options) : this.#defaultLink(step);
    for (const [key, value] of entries) this.#batcher.pushMetric(key, value, timestamp, step, link);
  }

  /**
   * Logs a param. Params are write-once: the same value again is a no-op (not resent), a
   * different value is refused.
   *
   * @throws {ValidationError} with rule `param-changed` for a new value, or for a bad key or a
   *   value over 6000 characters.
   * @example
   * run.logParam("lr", 0.001);
   */
  logParam(key: string, value: unknown): void {
    this.logParams([{ key, value }]);
  }

  /**
   * Logs params given as an object or a `{key, value}` list. All are checked before any is
   * buffered.
   *
   * @throws {ValidationError} as {@link ActiveRun.logParam}.
   * @example
   * run.logParams({ lr: 0.001, layers: 3 });
   */
  logParams(params: KeyValueInput): void {
    const fresh = new Map<string, string>();
    const entries = toKeyValues(params);
    if (this.#ending !== undefined && this.#ignoreAfterEnd(entries[0]?.key ?? "(params)", entries.length)) return;
    for (const { key, value } of entries) {
      validateKey(key, "param");
      validateParamValue(key, value);
      const previous = fresh.get(key) ?? this.#params.get(key);
      if (previous === value) continue;
      if (previous !== undefined) throw paramChanged(key, previous, value);
      fresh.set(key, value);
    }
    for (const [key, value] of fresh) {
      this.#params.set(key, value);
      this.#batcher.pushParam(key, value);
    }
  }

  /**
   * Sets a run tag. Writes of the same key reach the server in call order (the last one wins).
   *
   * @throws {ValidationError} for a bad key or a value over 8000 characters.
   * @example
   * run.setTag("phase", "warmup");
   */
  setTag(key: string, value: unknown): void {
    this.setTags([{ key, value }]);
  }

  /**
   * Sets run tags given as an object or a `{key, value}` list. All are checked before any is
   * buffered.
   *
   * @throws {ValidationError} as {@link ActiveRun.setTag}.
   * @example
   * run.setTags({ team: "vision", dataset: "mnist" });
   */
  setTags(tags: KeyValueInput): void {
    const entries = toKeyValues(tags);
    if (this.#ending !== undefined && this.#ignoreAfterEnd(entries[0]?.key ?? "(tags)", entries.length)) return;
    for (const { key, value } of entries) {
      validateKey(key, "tag");
      validateRunTagValue(key, value);
    }
    for (const { key, value } of entries) this.#batcher.pushTag(key, value);
  }

  /**
   * Sends everything logged so far and resolves once every entry logged before the call is settled:
   * on the server, or — in an outage longer than `deliveryTimeoutMs`, with the run's journal — kept
   * in the journal, pending, which this process sends again once the server answers. Resolves with
   * {@link FlushResult} (`pending` counts those, `journalPath` says where they are); nothing was lost
   * then, so it does not reject: the `MLFLOW_TS_SERVER_UNREACHABLE` warning says so once per run.
   * Once the exit hooks began ending the run, it resolves when that ending settles instead (the
   * hooks report what failed).
   *
   * @throws {LogDeliveryError} when entries failed (were lost) since the last report — refused by
   *   the server (permission, validation), or past their deadline without a journal (`journal:
   *   false`, the embedded store, or a journal degraded by disk trouble) — or `timeoutMs` expired
   *   first. Its `journaled` counts the pending entries too.
   * @example
   * const { pending, journalPath } = await run.flush({ timeoutMs: 60_000 });
   * if (pending > 0) console.warn(`${pending} entries wait in ${journalPath} for the server`);
   */
  async flush(options: FlushOptions = {}): Promise<FlushResult> {
    checkTimeoutMs(options.timeoutMs);
    if (this.#endedOnExit) return this.#flushResultOnExit();
    try {
      await this.#batcher.flush(options.timeoutMs);
    } catch (error) {
      // A flush the loop was awaiting when a signal came: its failures are the hooks' to report.
      if (this.#endedOnExit) return this.#flushResultOnExit();
      throw error;
    }
    await Promise.all(this.#linkWrites);
    return this.#batcher.flushResult();
  }

  /**
   * Flushes, then sets the final status and end time, all within one deadline (`timeoutMs`, else
   * the run's `deliveryTimeoutMs`). Idempotent: later calls return the first call's promise —
   * except after the exit hooks began ending the run (a signal, an uncaught exception), when they
   * resolve once that ending settles and the hooks report its outcome on stderr.
   *
   * @throws {LogDeliveryError} when some entries could not be delivered (the status is set anyway):
   *   `failed` counts what was lost, `journaled` what is still kept in the journal — unlike
   *   {@link ActiveRun.flush}, which resolves with those as `pending`, the end rejects for them, as
   *   this process will not send them again: `npx mlflow-ts recover` or the next run's background
   *   recovery delivers them.
   * @throws {RunEndError} (a {@link LogDeliveryError} with the same counts) when the status could not
   *   be set: `cause` is the update's error, and the run stays RUNNING on the server.
   * @example
   * await run.end({ status: "FAILED", timeoutMs: 30_000 });
   */
  end(options: EndOptions = {}): Promise<void> {
    if (this.#ending !== undefined) return this.#endedOnExit ? this.#endingOnExit() : this.#ending;
    const status = options.status ?? "FINISHED";
    if (!END_STATUSES.has(status)) {
      return Promise.reject(new ValidationError("status", "end-status", `A run ends with FINISHED, FAILED or KILLED, got ${JSON.stringify(status)}.`));
    }
    try {
      checkTimeoutMs(options.timeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#ending = this.#finish(status, options.timeoutMs);
    return this.#ending;
  }

  /**
   * Delivers what is buffered, then stops the logger (its flush timer included) without touching
   * the run's status: for a process that logs to a run another process ends (`mlflow-ts runs
   * log-batch`). Later logging calls throw `run-ended`; `end()` after it only waits for it.
   *
   * @throws {LogDeliveryError} when some entries could not be delivered.
   * @example
   * run.logMetric("loss", 0.5);
   * await run.detach(); // delivered; the run is still RUNNING
   * @internal
   */
  detach(): Promise<void> {
    this.#ending ??= this.#detachNow();
    return this.#ending;
  }

  async #detachNow(): Promise<void> {
    try {
      await this.#batcher.close();
    } finally {
      await Promise.all(this.#linkWrites);
      this.#onEnd?.(this);
    }
  }

  /**
   * Ends the run as the exit hooks do: like {@link ActiveRun.end}, and from then on logging calls
   * are ignored (counted in {@link ActiveRun.ignoredOnExit}) and `end()` no longer rejects, so a
   * training loop still running while the process ends cannot crash on its own logging calls.
   * @internal
   */
  endOnExit(status: EndStatus, timeoutMs: number): Promise<void> {
    // What was accepted so far goes to disk at once, before delivery is attempted.
    void this.#batcher.journal?.commit({ sync: true });
    const ending = this.end({ status, timeoutMs });
    this.#endedOnExit = true;
    return ending;
  }

  /**
   * Ends the run FINISHED when an `await using` block exits — also when it exits by an exception,
   * which a disposer is not told about. To end FAILED on an exception, call
   * `await run.end({ status: "FAILED" })` in a `catch` inside the block, or use {@link withRun}.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.end();
  }

  /**
   * Counters: queued, in flight, sent, retried, failed…, and what the background recovery of dead
   * processes' journals delivered. See {@link RunStats}.
   * @example
   * const { queued, failed, recovered } = run.stats();
   */
  stats(): RunStats {
    return { ...this.#batcher.stats(), recovered: this.#recovery?.recovered ?? 0 };
  }

  /** Counts the background recovery started with this run in `stats().recovered`. @internal */
  attachRecovery(recovery: { readonly recovered: number }): void {
    this.#recovery = recovery;
  }

  /**
   * Listens to `error` (a batch could not be delivered), `backpressure` (the buffer reached
   * `maxBufferedEntries`) or `flush` (a request was acknowledged). Returns a function that
   * removes the listener.
   *
   * @example
   * run.on("error", (e) => console.error(e.message));
   */
  on<E extends keyof RunEvents>(event: E, listener: Listener<RunEvents, E>): () => void {
    return this.#batcher.events.on(event, listener);
  }

  /** Removes a listener added with {@link ActiveRun.on}. */
  off<E extends keyof RunEvents>(event: E, listener: Listener<RunEvents, E>): void {
    this.#batcher.events.off(event, listener);
  }

  /**
   * Uploads a local file under the run's artifacts (no flush needed before). With a journal, the
   * file is journaled first (path, size, mtime, SHA-256) and synced, so a process killed during the
   * upload, or an upload that failed transiently, leaves it to recovery, which uploads it only if it
   * is unchanged (docs/journal.md).
   * @throws the errors of `client.artifacts.upload` (e.g. `ArtifactUploadError`, `UnsafeArtifactPathError`).
   * @example
   * await run.logArtifact("model.onnx", { artifactPath: "model" });
   */
  logArtifact(localPath: string, options: LogArtifactOptions = {}): Promise<UploadResult> {
    return journaledUpload(this.client, this.runId, this.#batcher.journal, localPath, options);
  }

  /**
   * Uploads a local directory, recursively, under the run's artifacts; with a journal, every file
   * is journaled first, as {@link ActiveRun.logArtifact} does.
   * @throws the errors of `client.artifacts.upload` (e.g. `IncompleteTransferError` for skipped names).
   * @example
   * await run.logArtifacts("./checkpoints", { artifactPath: "checkpoints" });
   */
  logArtifacts(localDir: string, options: LogArtifactOptions = {}): Promise<UploadResult> {
    return journaledUpload(this.client, this.runId, this.#batcher.journal, localDir, options);
  }

  /**
   * Writes `text` as the artifact `artifactFile` (a relative path with a file name). With a journal,
   * the bytes are copied into it first (a blob, synced), so a kill during the upload, or a transient
   * failure, leaves them to recovery; as are those of `logJson`, `logDict`, `logData` (not a
   * stream), `logTable` and `logImage` (docs/journal.md, "Artifacts built in memory").
   * @example
   * await run.logText("hello", "notes/readme.txt");
   */
  logText(text: string, artifactFile: string, options: LogArtifactOptions = {}): Promise<UploadResult> {
    return this.#uploadData(text, artifactFile, options);
  }

  /**
   * Writes `value` as pretty-printed JSON to the artifact `artifactFile`.
   * @throws {ValidationError} when `value` has no JSON form (e.g. `undefined`).
   * @example
   * await run.logJson({ accuracy: 0.91 }, "eval/summary.json");
   */
  logJson(value: unknown, artifactFile: string, options: LogArtifactOptions = {}): Promise<UploadResult> {
    const json = JSON.stringify(value, null, 2) as string | undefined;
    if (json === undefined)
      return Promise.reject(
        new ValidationError(artifactFile, "json-value", `logJson("${artifactFile}") needs a JSON-serialisable value, got ${typeof value}.`),
      );
    return this.#uploadData(json, artifactFile, options);
  }

  /**
   * Writes `value` as the artifact `artifactFile`, as `mlflow.log_dict` does: YAML (keys sorted,
   * indent 2) for a `.yaml`/`.yml` file, else JSON (indent 2).
   * @throws {ValidationError} when `value` has no JSON/YAML form (e.g. `undefined`).
   * @example
   * await run.logDict({ model: { layers: 3, dropout: 0.1 } }, "config/model.yaml");
   */
  logDict(value: unknown, artifactFile: string, options: LogArtifactOptions = {}): Promise<UploadResult> {
    if (!/\.ya?ml$/i.test(artifactFile)) return this.logJson(value, artifactFile, options);
    if (value === undefined)
      return Promise.reject(new ValidationError(artifactFile, "json-value", `logDict("${artifactFile}") needs a serialisable value, got undefined.`));
    return this.#uploadData(stringifyYaml(value, { indent: 2, sortMapEntries: true }), artifactFile, options);
  }

  /**
   * Uploads in-memory data or a stream as the artifact `artifactFile`. With a journal, a string or
   * bytes are copied into it first, as {@link ActiveRun.logText} does; a stream is not (it is read once).
   * @example
   * await run.logData(createReadStream("predictions.csv"), "eval/predictions.csv");
   */
  logData(data: string | Uint8Array | Readable, artifactFile: string, options: LogArtifactOptions = {}): Promise<UploadResult> {
    return this.#uploadData(data, artifactFile, options);
  }

  #uploadData(data: string | Uint8Array | Readable, artifactFile: string, options: LogArtifactOptions = {}): Promise<UploadResult> {
    return journaledUploadData(this.client, this.runId, this.#batcher.journal, data, artifactFile, options);
  }

  /**
   * Records a dataset the run used, as `mlflow.log_input` does: `context` (e.g. `"training"`) goes
   * in the input tag `mlflow.data.context`, beside `tags`. Sent at once (not batched).
   * @throws {ValidationError} for a bad tag key or a dataset without name or digest.
   * @example
   * await run.logInput({ name: "mnist", digest: "8e1f2a", source_type: "http", source: '{"url": "https://…/mnist.npz"}' }, { context: "training" });
   */
  async logInput(dataset: Dataset, options: { context?: string | undefined; tags?: KeyValueInput | undefined } = {}): Promise<void> {
    if (!dataset.name || !dataset.digest)
      throw new ValidationError("dataset", "dataset-identity", "A dataset needs a name and a digest (MLflow stores one row per name and digest).");
    const context = options.context === undefined ? [] : [{ key: DATASET_CONTEXT_TAG, value: options.context }];
    const tags = validatedTags([...context, ...toKeyValues(options.tags)]);
    await this.client.runs.logInputs(this.runId, { datasets: [{ dataset, tags }] });
  }

  /**
   * Logs a table as `mlflow.log_table` does: split JSON under the run's artifacts (rows appended
   * when the file already holds a table), listed in the `mlflow.loggedArtifacts` tag so that the
   * MLflow UI shows it. Sent at once (not batched).
   * @throws {ValidationError} for a file not ending in `.json` or columns of different lengths.
   * @example
   * await run.logTable({ question: ["What is MLflow?"], answer: ["A platform…"], score: [0.9] }, "eval/answers.json");
   */
  async logTable(data: TableData, artifactFile: string): Promise<UploadResult> {
    const { json, loggedArtifacts } = await prepareTable(this.client, this.runId, data, artifactFile);
    // The tag write is journaled with the table's bytes (the feed appends it first), so recovery sets both.
    if (loggedArtifacts !== undefined) this.setTag(LOGGED_ARTIFACTS_TAG, loggedArtifacts);
    const result = await this.#uploadData(json, artifactFile);
    // Also at once, so that the table is listed when the call returns (the batched write carries the same value).
    if (loggedArtifacts !== undefined) await this.client.runs.setTag(this.runId, LOGGED_ARTIFACTS_TAG, loggedArtifacts);
    return result;
  }

  /**
   * Logs an image as `mlflow.log_image` does. With `{ key, step }` it is one step of an image series
   * the MLflow UI shows per step (`images/<key>+step+<step>+…png`, a 256 px WebP preview, and the run
   * tag `mlflow.loggedImages`); with a file name it is one image file in the format its extension
   * names. PNG and JPEG bytes, or raw pixels. Sent at once (not batched).
   *
   * @throws {ValidationError} for a bad key, step or file name, or bytes that are not PNG or JPEG.
   * @throws {ConfigurationError} (key `sharp`) when the image must be re-encoded or resized and the
   *   optional dependency sharp is not installed.
   * @example
   * await run.logImage(pngBytes, { key: "predictions", step: epoch });
   * await run.logImage(jpegBytes, "samples/cat.jpg");
   */
  async logImage(image: ImageInput, target: string | ImageSeriesOptions): Promise<UploadResult[]> {
    // After the exit hooks began ending the run, an image is ignored like any logging call.
    if (this.#ending !== undefined && this.#ignoreAfterEnd("logImage", 1)) return [];
    // A series' run tag is set before its first upload, so that it is journaled with the image's bytes.
    let tagged = false;
    const upload = (data: Uint8Array, file: string): Promise<UploadResult> => {
      if (typeof target !== "string" && !tagged) {
        tagged = true;
        this.setTag(LOGGED_IMAGES_TAG, "True");
      }
      return this.#uploadData(data, file);
    };
    const { results } = await logImage(upload, image, target);
    return results;
  }

  /**
   * Logs a model as `mlflow.<flavor>.log_model` does, linked to this run: flushes what was logged,
   * creates the logged model (with the run's params, the system tags and `tags`), records it as the
   * run's output at `step` and links the run's metrics of that step to it, writes and uploads its
   * files (`MLmodel`, the flavor's data, example, environment), and finalizes it READY (FAILED when
   * an upload fails). Metrics logged later at that step are linked to it too.
   *
   * @throws {ValidationError} before any request: an unknown flavor or option, a missing or
   *   malformed model file, a bad signature or example.
   * @throws {LogDeliveryError} when what the run logged before could not be delivered: failed, or
   *   still kept in the journal after an outage (pending); nothing is created then.
   * @example
   * const info = await run.logModel({ flavor: "onnx", model: onnxBytes, inputExample: { type: "ndarray", data: [[0.2, 1.5, 3]] } });
   * await registerModel(info.modelUri, "churn", { alias: "champion" });
   */
  async logModel(options: LogModelOptions): Promise<ModelInfo> {
    // A model cannot be ignored quietly (the caller awaits its info): refused even on exit.
    if (this.#ending !== undefined) throw runEnded(this.runId, "logModel");
    const flushed = await this.flush();
    // The model's metric links read the run's metrics of its step from the server: they must be there.
    if (flushed.pending > 0) throw pendingBeforeModel(this.runId, flushed);
    const info = await logModel(this.client, { ...options, runId: this.runId }, systemTags(this.client.config), modelJournal(this.#batcher.journal));
    const step = options.step ?? 0;
    // A model logged as run artifacts (an MLflow 2 server) has no id to link metrics to.
    if (info.modelId !== undefined) {
      this.#outputModels.add(info.modelId);
      if (!this.#outputLinks.has(step)) this.#outputLinks.set(step, this.#modelLink(info.modelId));
    }
    return info;
  }

  /** The link of a point without explicit link options: the active model, else this run's model at that step. */
  #defaultLink(step: number): number {
    const active = getActiveModelId();
    if (active !== undefined) return this.#modelLink(active);
    if (this.#outputLinks.size === 0) return 0;
    return this.#outputLinks.get(step) ?? 0;
  }

  #modelLink(modelId: string): number {
    let link = this.#modelLinks.get(modelId);
    if (link === undefined) {
      link = this.#batcher.metricLink({ model_id: modelId });
      this.#modelLinks.set(modelId, link);
      this.#recordModelInput(modelId);
    }
    return link;
  }

  #explicitLink(key: string, step: number, options: MetricOptions): number {
    for (const field of ["modelId", "datasetName", "datasetDigest"] as const) {
      const value = options[field];
      if (value !== undefined && (typeof value !== "string" || value === "")) {
        throw new ValidationError(
          key,
          "metric-link",
          `The metric "${key}" has ${field} ${JSON.stringify(value)}; it must be a non-empty string. Fix: pass the logged model's id (m-…) and the dataset's name and digest.`,
        );
      }
    }
    const modelId = options.modelId ?? getActiveModelId() ?? this.#outputModelAt(step);
    if (options.datasetName === undefined && options.datasetDigest === undefined) return this.#modelLink(modelId!);
    const id = `${modelId ?? ""}\u0000${options.datasetName ?? ""}\u0000${options.datasetDigest ?? ""}`;
    let link = this.#explicitLinks.get(id);
    if (link === undefined) {
      link = this.#batcher.metricLink({ model_id: modelId, dataset_name: options.datasetName, dataset_digest: options.datasetDigest });
      this.#explicitLinks.set(id, link);
      if (modelId !== undefined) this.#modelLink(modelId);
    }
    return link;
  }

  #outputModelAt(step: number): string | undefined {
    const link = this.#outputLinks.get(step);
    if (link === undefined) return undefined;
    for (const [modelId, index] of this.#modelLinks) if (index === link) return modelId;
    return undefined;
  }

  /** As `mlflow.log_metric`: a model the run's metrics link to is recorded as a run input, unless the run logged it. */
  #recordModelInput(modelId: string): void {
    if (this.#outputModels.has(modelId)) return;
    const write: Promise<void> = this.client.runs
      .logInputs(this.runId, { models: [{ model_id: modelId }] })
      .catch((error: unknown) => {
        process.emitWarning(
          `Could not record model ${modelId} as an input of run ${this.runId} (its metrics are linked to it all the same): ${messageOf(error)}`,
          { code: "MLFLOW_TS_MODEL_INPUT" },
        );
      })
      .finally(() => this.#linkWrites.delete(write));
    this.#linkWrites.add(write);
  }

  /**
   * One deadline for the whole end: delivery gets three quarters of it (then what is left counts
   * as failed), the status update what remains; the update's own retries stop at the deadline.
   */
  async #finish(status: EndStatus, timeoutMs: number | undefined): Promise<void> {
    const startedAt = Date.now();
    const deadlineMs = timeoutMs ?? this.#options.deliveryTimeoutMs;
    const deliveryMs = Math.floor(deadlineMs * END_DELIVERY_SHARE);
    const journal = this.#batcher.journal;
    let delivery: LogDeliveryError | undefined;
    try {
      await this.#batcher.close(deliveryMs);
    } catch (error) {
      if (!(error instanceof LogDeliveryError)) {
        await journal?.close();
        throw error;
      }
      delivery = error;
    } finally {
      await settledWithin(Promise.all(this.#linkWrites), startedAt + deliveryMs - Date.now());
      this.#onEnd?.(this);
    }
    // The end status is on disk before the update: a process killed now is recovered with it.
    const endSeq = await journal?.appendEnd(status, startedAt);
    const remainingMs = startedAt + deadlineMs - Date.now();
    const counts = {
      runId: this.runId,
      failed: delivery?.failed ?? { metrics: 0, params: 0, tags: 0 },
      pending: delivery?.pending ?? 0,
      failures: delivery?.failures ?? [],
      keys: delivery?.keys,
      journaled: delivery?.journaled,
      journalPath: delivery?.journalPath,
    };
    try {
      if (remainingMs < 1) throw new RunEndError({ ...counts, status, deadlineMs });
      try {
        this.#info = await this.client.runs.update(this.runId, { status, end_time: startedAt }, { deadlineMs: remainingMs });
      } catch (error) {
        throw new RunEndError({ ...counts, status, deadlineMs, updateError: error });
      }
      if (endSeq !== undefined) journal?.acknowledgeEnd(endSeq);
    } finally {
      // Removes the folder when everything was acknowledged; keeps it for recovery otherwise.
      await journal?.close();
    }
    if (delivery !== undefined) throw delivery;
  }

  /** What `flush()` resolves with once the exit hooks' ending of the run settled. */
  async #flushResultOnExit(): Promise<FlushResult> {
    await this.#endingOnExit();
    return this.#batcher.flushResult();
  }

  /** The exit hooks' ending of the run, settled without rejecting (the hooks report its outcome). */
  #endingOnExit(): Promise<void> {
    return (this.#ending ?? Promise.resolve()).then(noop, noop);
  }

  /**
   * A logging call after `end()`: throws `run-ended`, or, once the exit hooks end the run, returns
   * `true` (the call is ignored and its entries counted). Off the hot path: only called once ended.
   */
  #ignoreAfterEnd(key: string, entries: number): boolean {
    if (this.#endedOnExit) {
      this.#ignoredOnExit += entries;
      return true;
    }
    throw runEnded(this.runId, key);
  }
}

/** Waits for `promise` at most `ms` (never rejects): bounded waits on writes that report their own failures. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, ms));
  });
  await Promise.race([promise.then(noop, noop), expired]);
  clearTimeout(timer);
}

function noop(): void {}

function runEnded(runId: string, key: string): ValidationError {
  return new ValidationError(
    String(key),
    "run-ended",
    `Run ${runId} has ended; "${String(key)}" was not logged. Fix: log before run.end(), or start a new run.`,
  );
}

/** logModel after an outage: entries the model's metric links need are still kept in the journal. */
function pendingBeforeModel(runId: string, flushed: FlushResult): LogDeliveryError {
  return new LogDeliveryError(
    { runId, failed: { metrics: 0, params: 0, tags: 0 }, pending: 0, failures: [], journaled: flushed.pending, journalPath: flushed.journalPath },
    {
      message:
        `Run ${runId}: logModel did not create the model: ${flushed.pending} entries logged before it are not on the server yet (kept in the journal at ${flushed.journalPath} after an outage), and the model's metric links need them there. ` +
        "Fix: call logModel again once `(await run.flush()).pending` is 0 (this process sends them again as soon as the server answers).",
      cause: undefined,
    },
  );
}

function paramChanged(key: string, previous: string, value: string): ValidationError {
  return new ValidationError(
    key,
    "param-changed",
    `The param "${key}" was already logged in this run with value ${quote(previous)}; MLflow params are write-once, so ${quote(value)} is refused. ` +
      "Fix: log the new value under another key, or as a tag or metric.",
  );
}

function quote(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
}
