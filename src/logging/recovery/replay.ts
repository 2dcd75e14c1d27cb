/**
 * Replays one claimed journal of a dead process through the client (docs/journal.md, "Recovery
 * protocol", steps 3 to 5): its unacknowledged metrics, params, tags and artifacts (files by path,
 * and artifacts built in memory from the journal's blobs, each checked against its SHA-256), the
 * models a killed `logModel` was uploading (finished with `logModel`'s own finishing step), each request
 * acknowledged in the journal as soon as the server answers it, then the run's final status (only
 * if the server still has it RUNNING), then the journal's removal.
 *
 * Failures split three ways. Refused for good (400 invalid parameter, or the client's own checks):
 * reported and acknowledged, since replaying cannot succeed. The run gone (404, or deleted):
 * nothing can be delivered, the journal is removed (`abandoned`). Anything else (unreachable
 * server, deadline, abort, permission): replay stops, acknowledgements so far are written, and the
 * journal stays for the next recovery (`incomplete`), which resumes exactly after them.
 */
import { basename, join } from "node:path";
import type { MlflowClient } from "../../client/client.js";
import { messageOf } from "../../core/error-text.js";
import { ConnectionError, InvalidParameterError, isMlflowError, NotFoundError, TimeoutError, ValidationError } from "../../core/errors.js";
import type { RequestOptions } from "../../core/http/transport.js";
import type { ArtifactRecord, BlobRecord, EndRecord, ModelEntry, ModelRecord, ModelTarget } from "../../journal/entries.js";
import { artifactState, type ClaimResult, type Journal, readBlob, type Stream } from "../../journal/index.js";
import { finishModel } from "../../models/finish-model.js";
import { splitBatch } from "../../protocol/log-batch.js";
import { UnsupportedFeatureError } from "../../protocol/unsupported-feature-error.js";
import { type KeyValueToSend, PendingParams, PendingTags } from "./key-value-plan.js";
import { PendingMetrics } from "./pending-metrics.js";
import { type DeliveredCounts, emptyReport, type JournalRecoveryReport, type RecoveredModel, type RecoveryEvent, type ReportBase } from "./report.js";

/** A successfully claimed journal. */
export type ClaimedJournal = Extract<ClaimResult, { claimed: true }>;

/** What {@link replayJournal} needs besides the journal. */
export interface ReplayContext {
  client: MlflowClient;
  /** Aborts the replay (and its in-flight request). */
  signal: AbortSignal;
  /** When the whole recovery must be over, ms since the epoch. */
  deadlineAtMs: number;
  /** Runs that a live process is logging to: their status is left alone. */
  activeRunIds: ReadonlySet<string>;
  onEvent: (event: RecoveryEvent) => void;
}

/** The run is gone on the server: nothing can be delivered. */
class RunGone extends Error {}

/**
 * Replays a claimed journal and settles it: removed when everything was delivered or reported (or
 * the run is gone), kept otherwise. Never throws: failures are in the report.
 * @example
 * const claim = await Journal.claim(listing.path);
 * if (claim.claimed) report = await replayJournal(claim, base, { client, signal, deadlineAtMs, activeRunIds: new Set(), onEvent });
 * @internal
 */
export async function replayJournal(claim: ClaimedJournal, base: ReportBase, context: ReplayContext): Promise<JournalRecoveryReport> {
  // Damage is named in the folder as it was found (the claimed folder is gone once recovered).
  const damage = claim.scan.damage.map((d) => ({ ...d, file: join(base.path, basename(d.file)) }));
  const report = emptyReport(base, "incomplete", damage, claim.scan.endStatus);
  const replay = new Replay(claim, report, context);
  try {
    await replay.run();
    report.outcome = "recovered";
    await claim.journal.remove();
  } catch (error) {
    if (error instanceof RunGone) {
      report.outcome = "abandoned";
      report.detail = error.message;
      await claim.journal.remove();
    } else {
      report.detail = incompleteDetail(error, context.signal);
      // Writes the acknowledgements so far and keeps the folder, even when every entry was
      // delivered: the run's status may still have to be set by the next recovery.
      await claim.journal.close({ keep: true });
    }
  }
  return report;
}

/** One journal's replay: the steps in order, sharing the report and the call options. */
class Replay {
  readonly #journal: Journal;
  readonly #claim: ClaimedJournal;
  readonly #report: JournalRecoveryReport;
  readonly #context: ReplayContext;
  readonly #runId: string;
  readonly #metrics = new PendingMetrics();
  readonly #params = new PendingParams();
  readonly #tags = new PendingTags();
  readonly #artifacts: (ArtifactRecord | BlobRecord)[] = [];
  readonly #models: ModelRecord[] = [];
  #end: EndRecord | undefined;
  readonly #endSeqs: number[] = [];

  constructor(claim: ClaimedJournal, report: JournalRecoveryReport, context: ReplayContext) {
    this.#claim = claim;
    this.#journal = claim.journal;
    this.#report = report;
    this.#context = context;
    this.#runId = report.runId;
  }

  async run(): Promise<void> {
    const serverParams = await this.#readRun();
    await this.#readJournal();
    await this.#sendParams(serverParams);
    await this.#sendTags();
    await this.#sendArtifacts();
    await this.#finishModels();
    await this.#settleStatus();
  }

  /** The run's params on the server; throws {@link RunGone} when it is deleted or unknown. */
  async #readRun(): Promise<Map<string, string>> {
    try {
      const run = await this.#context.client.runs.get(this.#runId, this.#call());
      if (run.info.lifecycle_stage === "deleted") throw new RunGone(`run ${this.#runId} is deleted on the server; its journal was removed undelivered.`);
      return new Map(run.data.params.map((param) => [param.key, param.value]));
    } catch (error) {
      if (error instanceof NotFoundError) throw new RunGone(`run ${this.#runId} does not exist on the server; its journal was removed undelivered.`);
      throw error;
    }
  }

  /** Reads the unacknowledged entries in journal order; metrics are sent as full requests fill up. */
  async #readJournal(): Promise<void> {
    const cursor = this.#journal.cursor();
    try {
      for (let record = await cursor.next(); record !== undefined; record = await cursor.next()) {
        switch (record.kind) {
          case "metrics":
            this.#metrics.push(record);
            await this.#sendMetrics(false);
            break;
          case "params":
          case "tags":
            if (record.stream === "param") this.#params.add(record);
            else this.#tags.add(record);
            break;
          case "artifact":
          case "blob":
            this.#artifacts.push(record);
            break;
          case "model":
            this.#models.push(record);
            break;
          case "end":
            this.#end = record;
            this.#endSeqs.push(record.firstSeq);
            break;
        }
      }
    } finally {
      await cursor.close();
    }
    await this.#sendMetrics(true);
  }

  async #sendMetrics(partial: boolean): Promise<void> {
    for (let request = this.#metrics.take(partial); request !== undefined; request = this.#metrics.take(partial)) {
      const refused = await this.#logBatch({ metrics: request.metrics });
      if (refused !== undefined) this.#report.refused.push({ stream: "metric", count: request.metrics.length, reason: refused });
      for (const [from, to] of request.ranges) this.#journal.acknowledge("metric", from, to);
      await this.#acknowledged("metrics", refused === undefined ? request.metrics.length : 0);
    }
  }

  async #sendParams(serverParams: ReadonlyMap<string, string>): Promise<void> {
    const plan = this.#params.plan(serverParams);
    this.#acknowledge("param", plan.alreadyOnServer);
    this.#report.paramsAlreadyOnServer += plan.alreadyOnServer.length;
    for (const { conflict, seqs } of plan.conflicts) {
      this.#report.conflicts.push(conflict);
      this.#acknowledge("param", seqs);
    }
    await this.#sendKeyValues("param", plan.send);
  }

  async #sendTags(): Promise<void> {
    const plan = this.#tags.plan(this.#claim.scan.lastTagWrites);
    this.#acknowledge("tag", plan.superseded);
    this.#report.tagWritesSuperseded += plan.superseded.length;
    await this.#sendKeyValues("tag", plan.send);
  }

  /** Sends params or tags in requests within the server's limits; a refused request is retried entry by entry to isolate the refused ones. */
  async #sendKeyValues(stream: "param" | "tag", entries: KeyValueToSend[]): Promise<void> {
    const field = stream === "param" ? "params" : "tags";
    const batches = splitBatch({ metrics: [], params: stream === "param" ? entries : [], tags: stream === "tag" ? entries : [] });
    let offset = 0;
    for (const batch of batches) {
      const group = entries.slice(offset, offset + batch[field].length);
      offset += group.length;
      const refused = await this.#logBatch({ [field]: group.map(({ key, value }) => ({ key, value })) });
      if (refused === undefined) {
        for (const entry of group) this.#acknowledge(stream, entry.seqs);
        await this.#acknowledged(field, group.length);
      } else {
        for (const entry of group) await this.#sendOne(stream, entry, group.length === 1 ? refused : undefined);
      }
    }
  }

  /** One param or tag on its own: delivered, or refused (a param conflict when the run has the key with another value). */
  async #sendOne(stream: "param" | "tag", entry: KeyValueToSend, knownRefusal: string | undefined): Promise<void> {
    const field = stream === "param" ? "params" : "tags";
    const refused = knownRefusal ?? (await this.#logBatch({ [field]: [{ key: entry.key, value: entry.value }] }));
    this.#acknowledge(stream, entry.seqs);
    if (refused === undefined) return this.#acknowledged(field, 1);
    if (stream === "param" && /param/i.test(refused) && /chang|already/i.test(refused)) this.#report.conflicts.push({ key: entry.key, journaled: entry.value });
    else this.#report.refused.push({ stream, count: 1, reason: `${entry.key}: ${refused}` });
    await this.#journal.commit();
  }

  /**
   * Uploads each journaled file that is unchanged, and each artifact built in memory whose blob
   * still has its SHA-256; a changed or vanished file, or a missing or damaged blob, is reported,
   * never uploaded in its place. A refusal (a permission, a bad path…) is reported and
   * acknowledged; a transient failure stops the replay (the journal is kept).
   */
  async #sendArtifacts(): Promise<void> {
    for (const record of this.#artifacts) {
      const upload = await this.#uploadOf(record);
      if (upload === undefined) {
        this.#journal.acknowledge("control", record.firstSeq, record.firstSeq + 1);
        await this.#journal.commit();
        continue;
      }
      try {
        await upload();
      } catch (error) {
        if (error instanceof NotFoundError) throw new RunGone(`run ${this.#runId} no longer exists on the server; its journal was removed.`);
        if (!isMlflowError(error) || error.retryable || error instanceof ConnectionError || error instanceof TimeoutError || this.#context.signal.aborted)
          throw error;
        const name = record.kind === "blob" ? record.blob.artifactFile : record.artifact.localPath;
        this.#report.refused.push({ stream: "artifact", count: 1, reason: `${name}: ${messageOf(error)}` });
        this.#journal.acknowledge("control", record.firstSeq, record.firstSeq + 1);
        await this.#journal.commit();
        continue;
      }
      this.#journal.acknowledge("control", record.firstSeq, record.firstSeq + 1);
      await this.#acknowledged("artifacts", 1);
    }
  }

  /** The upload of a journaled artifact, or `undefined` (reported) when what was logged is no longer there. */
  async #uploadOf(record: ArtifactRecord | BlobRecord): Promise<(() => Promise<unknown>) | undefined> {
    const { client, signal } = this.#context;
    if (record.kind === "blob") {
      const read = await readBlob(this.#journal.path, record.blob);
      if (read.state === "ok") return () => client.artifacts.uploadData(this.#runId, read.bytes, record.blob.artifactFile, { signal });
      this.#report.lostBlobs.push({ artifactFile: record.blob.artifactFile, sha256: record.blob.sha256, state: read.state, detail: read.detail });
      return undefined;
    }
    const { artifact } = record;
    const state = await artifactState(artifact);
    if (state === "unchanged") return () => client.artifacts.upload(this.#runId, artifact.localPath, { artifactPath: artifact.artifactPath, signal });
    this.#report.changedArtifacts.push({ localPath: artifact.localPath, artifactPath: artifact.artifactPath, state });
    return undefined;
  }

  /**
   * Finishes each model a killed `logModel` journaled, as `logModel` would have (`finishModel`:
   * upload its folder, finalize READY or record it in the run's model history), only if every file
   * is unchanged and the server does not have it finished already; otherwise it is failed
   * (UPLOAD_FAILED on MLflow 3) with the reason. A transient failure stops the replay (the journal
   * is kept); a refusal fails the model. Each is acknowledged once settled.
   */
  async #finishModels(): Promise<void> {
    for (const record of this.#models) {
      this.#report.models.push(await this.#finishModel(record.model));
      this.#journal.acknowledge("control", record.firstSeq, record.firstSeq + 1);
      await this.#journal.commit();
    }
  }

  async #finishModel(model: ModelEntry): Promise<RecoveredModel> {
    const { target } = model;
    const base = { model: target.kind === "logged-model" ? target.modelId : target.name, target: target.kind };
    if (await this.#modelFinal(target)) return { ...base, outcome: "already-final" };
    const dir = join(this.#journal.path, model.folder);
    for (const file of model.files) {
      const state = await artifactState({ ...file, localPath: join(dir, file.localPath) });
      if (state !== "unchanged") return this.#failModel(target, base, `its file ${file.localPath} is ${state} since logModel journaled it`);
    }
    try {
      await finishModel(this.#context.client, target, dir, this.#call());
    } catch (error) {
      if (error instanceof NotFoundError && target.kind === "run-artifacts")
        throw new RunGone(`run ${this.#runId} no longer exists on the server; its journal was removed.`);
      if (!isMlflowError(error) || error.retryable || error instanceof ConnectionError || error instanceof TimeoutError || this.#context.signal.aborted)
        throw error;
      return this.#failModel(target, base, `the server refused it: ${messageOf(error)}`);
    }
    return { ...base, outcome: "finished" };
  }

  /** Whether the server has the model finished already: a logged model no longer PENDING (or gone), a model uuid already in the run's model history. */
  async #modelFinal(target: ModelTarget): Promise<boolean> {
    const { client } = this.#context;
    if (target.kind === "logged-model") {
      try {
        return (await client.loggedModels.get(target.modelId, this.#call())).info.status !== "LOGGED_MODEL_PENDING";
      } catch (error) {
        if (error instanceof NotFoundError) return true; // deleted: nothing to finish
        throw error;
      }
    }
    const run = await client.runs.get(target.runId, this.#call());
    const history = run.data.tags.find((tag) => tag.key === MODEL_HISTORY_TAG)?.value;
    return history !== undefined && historyHolds(history, target.history.model_uuid);
  }

  /** A model that cannot be finished: UPLOAD_FAILED on MLflow 3 (as `logModel` marks a failed upload), reported with the reason. */
  async #failModel(target: ModelTarget, base: Pick<RecoveredModel, "model" | "target">, why: string): Promise<RecoveredModel> {
    if (target.kind === "logged-model") {
      try {
        await this.#context.client.loggedModels.finalize(target.modelId, "LOGGED_MODEL_UPLOAD_FAILED", this.#call());
      } catch (error) {
        // Refused for good (deleted meanwhile, or finished by someone else): report it and settle the
        // entry, or every later recovery would stop here and keep the journal forever.
        if (!isMlflowError(error) || error.retryable || error instanceof ConnectionError || error instanceof TimeoutError || this.#context.signal.aborted)
          throw error;
        return {
          ...base,
          outcome: "failed",
          reason: `${why}; marking it UPLOAD_FAILED was refused too: ${messageOf(error)}. Fix: log the model again (run.logModel).`,
        };
      }
      return { ...base, outcome: "failed", reason: `${why}; it is now UPLOAD_FAILED. Fix: log the model again (run.logModel).` };
    }
    return {
      ...base,
      outcome: "failed",
      reason: `${why}; its files under the run's artifact folder "${target.name}" may be partial. Fix: log the model again (run.logModel).`,
    };
  }

  /** Step 4: the journaled end status, else KILLED, only if the run is still RUNNING and no live process logs to it. */
  async #settleStatus(): Promise<void> {
    const run = await this.#context.client.runs.get(this.#runId, this.#call());
    const status = this.#end?.status ?? this.#claim.scan.endStatus ?? "KILLED";
    if (run.info.status !== "RUNNING") {
      this.#report.finalStatus = { set: false, status: run.info.status, reason: `the run was already ${run.info.status} on the server` };
    } else if (this.#context.activeRunIds.has(this.#runId)) {
      this.#report.finalStatus = { set: false, status: run.info.status, reason: "a live process is logging to this run" };
    } else {
      await this.#failPendingModels(run.info.experiment_id);
      const endTimeMs = this.#end?.endTimeMs ?? this.#claim.scan.lastAppendedMs ?? Date.now();
      await this.#context.client.runs.update(this.#runId, { status, end_time: endTimeMs }, this.#call());
      this.#report.finalStatus = { set: true, status, endTimeMs };
    }
    this.#acknowledge("control", this.#endSeqs);
    await this.#journal.commit({ sync: true });
  }

  /**
   * A `logModel` killed between creating the logged model and finalizing it leaves it PENDING for
   * good (its files are not journaled): the run's logged models still PENDING are finalized
   * UPLOAD_FAILED, as `logModel` itself does when its upload fails, before the run's status is set
   * (so a failure here leaves the journal for the next recovery). Nothing on an MLflow 2 server.
   */
  async #failPendingModels(experimentId: string): Promise<void> {
    const { client } = this.#context;
    try {
      for await (const model of client.loggedModels.search({ experiment_ids: [experimentId] }, this.#call())) {
        if (model.info.source_run_id !== this.#runId || model.info.status !== "LOGGED_MODEL_PENDING") continue;
        await client.loggedModels.finalize(model.info.model_id, "LOGGED_MODEL_UPLOAD_FAILED", this.#call());
        this.#report.failedModels.push(model.info.model_id);
      }
    } catch (error) {
      if (error instanceof UnsupportedFeatureError) return;
      throw error;
    }
  }

  /** One `log-batch` request. Resolves `undefined` when delivered, the refusal's text when refused for good; throws otherwise. */
  async #logBatch(entities: Parameters<MlflowClient["runs"]["logBatch"]>[1]): Promise<string | undefined> {
    try {
      await this.#context.client.runs.logBatch(this.#runId, entities, this.#call());
      return undefined;
    } catch (error) {
      if (error instanceof NotFoundError) throw new RunGone(`run ${this.#runId} no longer exists on the server; its journal was removed.`);
      if (error instanceof InvalidParameterError || error instanceof ValidationError) return messageOf(error);
      throw error;
    }
  }

  /** Records acknowledgements of `count` delivered entries: written to the journal's acknowledgement file before going on. */
  async #acknowledged(field: keyof DeliveredCounts, count: number): Promise<void> {
    await this.#journal.commit();
    if (count === 0) return;
    this.#report.delivered[field] += count;
    this.#context.onEvent({ type: "delivered", runId: this.#runId, stream: field, count });
  }

  #acknowledge(stream: Stream, seqs: readonly number[]): void {
    for (const seq of seqs) this.#journal.acknowledge(stream, seq, seq + 1);
  }

  /** Options of every call: the recovery's signal and what is left of its deadline. Each attempt keeps the client's timeout. */
  #call(): RequestOptions {
    return { signal: this.#context.signal, deadlineMs: Math.max(1, this.#context.deadlineAtMs - Date.now()) };
  }
}

/** The run tag MLflow 2 records logged models in (`runs/log-model`). */
const MODEL_HISTORY_TAG = "mlflow.log-model.history";

/** Whether a `mlflow.log-model.history` value lists the model `modelUuid`. */
function historyHolds(history: string, modelUuid: unknown): boolean {
  try {
    const entries: unknown = JSON.parse(history);
    return Array.isArray(entries) && entries.some((entry) => (entry as { model_uuid?: unknown } | null)?.model_uuid === modelUuid);
  } catch {
    return false;
  }
}

function incompleteDetail(error: unknown, signal: AbortSignal): string {
  const why = signal.aborted ? `stopped (${messageOf(signal.reason)})` : `stopped: ${messageOf(error)}`;
  return `delivery ${why}; the journal is kept and the next recovery resumes after what was acknowledged. Fix: run \`mlflow-ts recover\` once the server is reachable.`;
}
