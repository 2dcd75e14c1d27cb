/**
 * Planning a sync: which source runs already have a copy on the target, and for each source run
 * whether it is copied, resumed (its copy was interrupted), updated (it changed since it was
 * copied) or skipped. Pure functions over the runs as `runs/search` returns them.
 */
import type { KeyValue, Metric, Run } from "../protocol/entities/tracking.js";
import { isBookkeepingTag, SYNC_ARTIFACTS_DIGEST_TAG, SYNC_SOURCE_RUN_ID_TAG, SYNC_STATE, SYNC_STATE_TAG } from "./tags.js";

/** What a sync does with one source run. */
export type RunAction = "copy" | "resume" | "update" | "skip";

/** The decision for one source run, with its reason in words. */
export interface RunPlan {
  source: Run;
  action: RunAction;
  /** Why, in stable words: see {@link SKIP_REASONS} and {@link planRun}. */
  reason: string;
  /** The existing copy on the target, if any. */
  copy?: Run;
}

/** Why a run is skipped. */
export const SKIP_REASONS = {
  alreadyCopied: "already copied",
  deletedAtSource: "deleted at the source",
  /** A deleted copy is not brought back; restore it on the target to keep it in sync. */
  copyDeleted: "its copy is deleted on the target",
} as const;

/** The tag that points at a run's parent; it holds a run id, which a copy must translate. */
const PARENT_RUN_ID_TAG = "mlflow.parentRunId";

/**
 * The copies on the target, by source run id. When two target runs claim the same source run (a
 * copy whose creation was retried by hand, say), the one that is active and complete wins.
 *
 * @example
 * const copies = indexCopies(await target.runs.search({ experiment_ids: [id], run_view_type: "ALL" }));
 * copies.get(sourceRunId)?.info.run_id;
 */
export function indexCopies(targetRuns: Iterable<Run>): Map<string, Run> {
  const copies = new Map<string, Run>();
  for (const run of targetRuns) {
    const sourceId = tagValue(run, SYNC_SOURCE_RUN_ID_TAG);
    if (sourceId === undefined) continue;
    const known = copies.get(sourceId);
    if (!known || copyRank(run) > copyRank(known)) copies.set(sourceId, run);
  }
  return copies;
}

function copyRank(run: Run): number {
  return (run.info.lifecycle_stage === "active" ? 2 : 0) + (isComplete(run) ? 1 : 0);
}

/**
 * Decides what to do with a source run given its copy (if any):
 * - deleted at the source → `skip` (`deleted at the source`);
 * - no copy → `copy` (`not copied yet`);
 * - the copy is deleted on the target → `skip` (`its copy is deleted on the target`: a deleted copy is not brought back);
 * - the copy is marked incomplete → `resume` (`the last copy was interrupted`);
 * - the copy differs from the source (status, end time, name, params, tags, latest metrics,
 *   artifacts) → `update` (`changed since the last copy: status, tags`);
 * - otherwise → `skip` (`already copied`).
 *
 * @param parentIds - Source run id → target run id of every run known to have a copy, to compare `mlflow.parentRunId`.
 * @param artifactsDigest - The source's current artifact digest (see `artifactsDigest`); `undefined` when unknown (a remote artifact location): artifacts are then not compared.
 * @example
 * planRun(sourceRun, copies.get(sourceRun.info.run_id), parentIds).action; // "copy"
 */
export function planRun(source: Run, copy: Run | undefined, parentIds: ReadonlyMap<string, string>, artifactsDigest?: string): RunPlan {
  if (source.info.lifecycle_stage === "deleted") return { source, action: "skip", reason: SKIP_REASONS.deletedAtSource, copy };
  if (!copy) return { source, action: "copy", reason: "not copied yet" };
  if (copy.info.lifecycle_stage === "deleted") return { source, action: "skip", reason: SKIP_REASONS.copyDeleted, copy };
  if (!isComplete(copy)) return { source, action: "resume", reason: "the last copy was interrupted", copy };
  const changed = differences(source, copy, parentIds, artifactsDigest);
  if (changed.length > 0) return { source, action: "update", reason: `changed since the last copy: ${changed.join(", ")}`, copy };
  return { source, action: "skip", reason: SKIP_REASONS.alreadyCopied, copy };
}

/** Whether a target run's copy finished (its state tag says `complete`). */
function isComplete(copy: Run): boolean {
  return tagValue(copy, SYNC_STATE_TAG) === SYNC_STATE.complete;
}

/**
 * What differs between a source run and its copy, in words (empty when the copy is up to date).
 * Params, tags and latest metrics of the source must be on the copy with the same values; the copy
 * may have more (its own bookkeeping tags, tags set on the server). Artifacts differ when the copy's
 * `mlflow-ts.sync.artifactsDigest` tag differs from `artifactsDigest`; a copy without that tag
 * (made by an older sync), or an unknown `artifactsDigest`, compares equal.
 *
 * @param artifactsDigest - The source's current artifact digest, or `undefined` when unknown.
 * @example
 * differences(source, copy, parentIds, digest); // ["status", "tags", "artifacts"]
 */
export function differences(source: Run, copy: Run, parentIds: ReadonlyMap<string, string>, artifactsDigest?: string): string[] {
  const changed: string[] = [];
  if (source.info.status !== copy.info.status) changed.push("status");
  if ((source.info.end_time || undefined) !== (copy.info.end_time || undefined)) changed.push("end time");
  if (source.info.run_name !== copy.info.run_name) changed.push("name");
  if (!containsAll(copy.data.params, source.data.params)) changed.push("params");
  if (!containsAll(copy.data.tags, targetTags(source, parentIds))) changed.push("tags");
  if (!sameLatestMetrics(source.data.metrics, copy.data.metrics)) changed.push("metrics");
  const copiedDigest = tagValue(copy, SYNC_ARTIFACTS_DIGEST_TAG);
  if (artifactsDigest !== undefined && copiedDigest !== undefined && copiedDigest !== artifactsDigest) changed.push("artifacts");
  return changed;
}

/**
 * The tags a copy gets from its source run: every tag except bookkeeping ones (see
 * {@link isBookkeepingTag}), with `mlflow.parentRunId` translated to the parent's copy when the
 * parent has one (otherwise it keeps the source id).
 *
 * @example
 * targetTags(child, new Map([[parentSourceId, parentTargetId]])); // [..., { key: "mlflow.parentRunId", value: parentTargetId }]
 */
export function targetTags(source: Run, parentIds: ReadonlyMap<string, string>): KeyValue[] {
  return source.data.tags
    .filter((tag) => !isBookkeepingTag(tag.key))
    .map((tag) => (tag.key === PARENT_RUN_ID_TAG ? { key: tag.key, value: parentIds.get(tag.value) ?? tag.value } : tag));
}

/** The value of a run's tag, or `undefined`. */
export function tagValue(run: Run, key: string): string | undefined {
  return run.data.tags.find((tag) => tag.key === key)?.value;
}

function containsAll(have: readonly KeyValue[], want: readonly KeyValue[]): boolean {
  const values = new Map(have.map((entry) => [entry.key, entry.value]));
  return want.every((entry) => values.get(entry.key) === entry.value);
}

function sameLatestMetrics(source: readonly Metric[], copy: readonly Metric[]): boolean {
  const byKey = new Map(copy.map((metric) => [metric.key, metric]));
  return source.every((metric) => {
    const other = byKey.get(metric.key);
    return other !== undefined && sameValue(metric.value, other.value) && metric.timestamp === other.timestamp && metric.step === other.step;
  });
}

/** Equal numbers, NaN equal to NaN. */
function sameValue(a: number, b: number): boolean {
  return Object.is(a, b) || a === b;
}
