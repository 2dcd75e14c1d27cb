/**
 * Delivery of offline runs (`mlflow-ts sync --offline`): every offline store in the offline folder
 * is synced, with {@link syncRuns} and therefore its guarantees (a second sync copies nothing, an
 * interrupted one is completed by the next, nothing is copied twice), to the tracking server
 * recorded in its `target.json`. Runs the server now holds entirely are then marked delivered in
 * the offline store (the tag names their new id), so the listings stop showing them as waiting.
 */
import { MlflowClient } from "../client/client.js";
import type { JournalMode } from "../config/embedded-store-settings.js";
import { messageOf } from "../core/error-text.js";
import { listOfflineStores, OFFLINE_DELIVERED_TAG, type OfflineStoreListing } from "../store/offline/offline-store.js";
import { SKIP_REASONS } from "./plan.js";
import { syncRuns } from "./sync-runs.js";
import type { RunSyncResult, SyncEvent, SyncReport } from "./types.js";

/** Options of {@link syncOfflineStores}. */
export interface OfflineSyncOptions {
  /** The offline folder (`config.offline.dir`). */
  dir: string;
  /** Environment of the clients (credentials of the servers: `MLFLOW_TRACKING_USERNAME`…, `AWS_*`, `MLFLOW_S3_ENDPOINT_URL`). */
  env: Record<string, string | undefined>;
  /** Only the stores kept for this server (its URI without credentials). @defaultValue every store */
  trackingUri?: string | undefined;
  /** The embedded store's journal mode. @defaultValue "wal" */
  journalMode?: JournalMode | undefined;
  /** Plan only: read both sides, write nothing (not even the delivered marks). @defaultValue false */
  dryRun?: boolean | undefined;
  /** Runs copied at once per store, 1–16. @defaultValue 4 */
  concurrency?: number | undefined;
  /** Stops the delivery (see `SyncOptions.signal`). */
  signal?: AbortSignal | undefined;
  /** Called when a store's delivery starts. */
  onStore?: ((store: OfflineStoreListing) => void) | undefined;
  /** Progress of the store being delivered. */
  onProgress?: ((event: SyncEvent) => void) | undefined;
}

/** How one offline store went. */
export interface OfflineStoreSyncResult {
  /** The store's folder. */
  folder: string;
  /** The tracking server it was delivered to. */
  trackingUri: string;
  /** The sync's report; absent when the store could not be read or the sync failed as a whole. */
  report?: SyncReport;
  /** Runs newly marked delivered in the offline store. */
  marked: number;
  /** Why the store was not delivered (redacted). */
  error?: string;
}

/** What {@link syncOfflineStores} did. */
export interface OfflineSyncReport {
  /** True when every store was delivered with nothing failed. */
  ok: boolean;
  dir: string;
  stores: OfflineStoreSyncResult[];
}

/**
 * Syncs every offline store of `dir` (or only those of one server) to the server it was kept for.
 * Each store is read with a quiet embedded-store client and written with a client of its server
 * that is never offline itself, whatever `MLFLOW_TS_OFFLINE` says.
 *
 * @throws {AbortError} when `signal` aborts (what was delivered stays delivered).
 * @example
 * const report = await syncOfflineStores({ dir: config.offline.dir, env: process.env });
 * for (const store of report.stores) console.log(store.trackingUri, store.report?.totals.runsCopied);
 * @internal
 */
export async function syncOfflineStores(options: OfflineSyncOptions): Promise<OfflineSyncReport> {
  const listed = await listOfflineStores(options.dir, options.journalMode);
  const stores = listed.filter((store) => options.trackingUri === undefined || store.trackingUri === options.trackingUri);
  const results: OfflineStoreSyncResult[] = [];
  for (const store of stores) {
    options.signal?.throwIfAborted();
    options.onStore?.(store);
    results.push(await syncStore(store, options));
  }
  return { ok: results.every((result) => result.error === undefined && result.report?.ok === true), dir: options.dir, stores: results };
}

async function syncStore(store: OfflineStoreListing, options: OfflineSyncOptions): Promise<OfflineStoreSyncResult> {
  const base = { folder: store.folder, trackingUri: store.trackingUri, marked: 0 };
  if (store.error !== undefined) return { ...base, error: `could not read ${store.dbPath}: ${store.error}` };
  // Reading the store is not logging to it (no notice); the target is a server, never offline. The
  // offline store has no workspace (its runs are in `default`); MLFLOW_WORKSPACE is the target's.
  const from = new MlflowClient({
    trackingUri: `sqlite:///${store.dbPath}`,
    env: { ...options.env, MLFLOW_TS_QUIET_LOCAL_STORE: "true", MLFLOW_WORKSPACE: undefined },
    offline: false,
  });
  const to = new MlflowClient({ trackingUri: store.trackingUri, env: options.env, offline: false });
  try {
    const report = await syncRuns({
      from,
      to,
      dryRun: options.dryRun ?? false,
      concurrency: options.concurrency,
      signal: options.signal,
      onProgress: options.onProgress,
    });
    const marked = report.dryRun ? 0 : await markDelivered(from, store, report.runs);
    return { ...base, report, marked };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return { ...base, error: messageOf(error) };
  } finally {
    await Promise.all([from.close(), to.close()]);
  }
}

/**
 * Marks delivered the runs whose copy is now complete on the server (copied, resumed or updated
 * now, or already copied), except runs still RUNNING: a live process may log more to them, so they
 * stay listed as waiting until a sync after their end.
 */
async function markDelivered(from: MlflowClient, store: OfflineStoreListing, results: readonly RunSyncResult[]): Promise<number> {
  const listed = new Map(store.runs.map((run) => [run.runId, run]));
  let marked = 0;
  for (const result of results) {
    const run = listed.get(result.sourceRunId);
    const complete = result.outcome === "done" || (result.outcome === "skipped" && result.reason === SKIP_REASONS.alreadyCopied);
    if (run === undefined || !complete || result.targetRunId === undefined || run.status === "RUNNING") continue;
    if (run.deliveredRunId === result.targetRunId) continue;
    await from.runs.setTag(result.sourceRunId, OFFLINE_DELIVERED_TAG, result.targetRunId);
    marked++;
  }
  return marked;
}
