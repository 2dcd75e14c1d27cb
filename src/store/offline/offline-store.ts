/**
 * The offline stores on disk (offline mode, `MLFLOW_TS_OFFLINE`): one folder per tracking server
 * under the offline folder, holding an embedded store in MLflow's schema (`mlflow.db`), its
 * artifacts (`mlruns/`) and `target.json`, the server the runs are meant for (without
 * credentials). Here because both the client (which creates the folder when it first opens the
 * store) and the tools that list what waits (doctor, `recover --list`, `sync --offline`) need the
 * same layout; config/offline-settings.ts computes the paths.
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { OFFLINE_DB_FILE } from "../../config/offline-settings.js";
import type { OfflineTarget } from "../../config/resolve.js";
import { messageOf } from "../../core/error-text.js";
import { writeFileAtomically } from "../../journal/durable-fs.js";
import type { Run } from "../../protocol/entities/tracking.js";
import type { JournalMode } from "../sqlite/engine/journal-mode.js";

/** File of an offline store's folder that names the tracking server its runs are for. */
export const OFFLINE_TARGET_FILE = "target.json";

/**
 * Tag that `mlflow-ts sync --offline` sets on an offline run once the server holds all of it: the
 * id the server gave its copy. A bookkeeping tag (`mlflow-ts.sync.` prefix): sync never copies it.
 * Resuming the run offline removes it (there is new data to deliver).
 */
export const OFFLINE_DELIVERED_TAG = "mlflow-ts.sync.deliveredRunId";

/** Runs read per page when listing an offline store. */
const PAGE_SIZE = 1000;
/** Most pages read per experiment (a bound on the loop, 1,000,000 runs). */
const MAX_PAGES = 1000;

/** One run of an offline store, as the listings show it. */
export interface OfflineRunListing {
  runId: string;
  runName: string;
  experimentId: string;
  status: string;
  startTimeMs: number | undefined;
  /** The id of its copy on the server, once `sync --offline` delivered it; `undefined` while it waits. */
  deliveredRunId: string | undefined;
}

/** One offline store and its runs. */
export interface OfflineStoreListing {
  /** Its folder. */
  folder: string;
  /** The tracking server its runs are for (from `target.json`, without credentials). */
  trackingUri: string;
  /** Its database file. */
  dbPath: string;
  /** Active runs (deleted ones are never delivered). */
  runs: OfflineRunListing[];
  /** How many of {@link runs} wait for delivery. */
  waiting: number;
  /** Why the store could not be read (its runs are then unknown). */
  error?: string;
}

/**
 * Creates an offline store's folder (mode 0700) and its `target.json` if they are missing; run
 * before the store's database is opened.
 * @throws the file system's error (an unwritable cache folder).
 * @example
 * await prepareOfflineFolder({ trackingUri: "http://mlflow.internal:5000", folder });
 * @internal
 */
export async function prepareOfflineFolder(target: OfflineTarget): Promise<void> {
  await mkdir(target.folder, { recursive: true, mode: 0o700 });
  const file = join(target.folder, OFFLINE_TARGET_FILE);
  if (existsSync(file)) return;
  const json = `${JSON.stringify({ format: 1, trackingUri: target.trackingUri, createdMs: Date.now() }, null, 2)}\n`;
  await writeFileAtomically(file, Buffer.from(json, "utf8"));
}

/**
 * The tracking server an offline store's folder is for; `undefined` when the folder is not an
 * offline store (no or unreadable `target.json`).
 * @example
 * await readOfflineTarget(folder) // "http://mlflow.internal:5000"
 * @internal
 */
export async function readOfflineTarget(folder: string): Promise<string | undefined> {
  try {
    const parsed = JSON.parse(await readFile(join(folder, OFFLINE_TARGET_FILE), "utf8")) as { trackingUri?: unknown };
    return typeof parsed.trackingUri === "string" ? parsed.trackingUri : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every offline store in `dir` that holds a database, with its active runs and which of them wait
 * for delivery (no {@link OFFLINE_DELIVERED_TAG}). Reads only local files; a store that cannot be
 * read is listed with its `error`. A missing `dir` has no stores.
 *
 * @param dir - The offline folder (`config.offline.dir`).
 * @param journalMode - The embedded store's journal mode (`config.embeddedStore.journalMode`).
 * @example
 * const waiting = (await listOfflineStores(config.offline.dir)).filter((store) => store.waiting > 0);
 * @internal
 */
export async function listOfflineStores(dir: string, journalMode: JournalMode = "wal"): Promise<OfflineStoreListing[]> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const stores: OfflineStoreListing[] = [];
  for (const name of names.sort()) {
    const folder = join(dir, name);
    const trackingUri = await readOfflineTarget(folder);
    const dbPath = join(folder, OFFLINE_DB_FILE);
    if (trackingUri === undefined || !existsSync(dbPath)) continue;
    try {
      const runs = await readRuns(dbPath, journalMode);
      stores.push({ folder, trackingUri, dbPath, runs, waiting: runs.filter((run) => run.deliveredRunId === undefined).length });
    } catch (error) {
      stores.push({ folder, trackingUri, dbPath, runs: [], waiting: 0, error: messageOf(error) });
    }
  }
  return stores;
}

async function readRuns(dbPath: string, journalMode: JournalMode): Promise<OfflineRunListing[]> {
  const { openSqliteStore } = await import("../sqlite/sqlite-store.js");
  const store = await openSqliteStore(dbPath, { quiet: true, journalMode });
  try {
    const { experiments } = await store.call("experiments.search", { max_results: 50_000, view_type: "ACTIVE_ONLY" });
    const runs: OfflineRunListing[] = [];
    for (const experiment of experiments) {
      let pageToken: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const response = await store.call("runs.search", {
          experiment_ids: [experiment.experiment_id],
          run_view_type: "ACTIVE_ONLY",
          max_results: PAGE_SIZE,
          page_token: pageToken,
        });
        runs.push(...response.runs.map(describeRun));
        pageToken = response.next_page_token;
        if (!pageToken) break;
      }
    }
    return runs;
  } finally {
    await store.close();
  }
}

function describeRun(run: Run): OfflineRunListing {
  return {
    runId: run.info.run_id,
    runName: run.info.run_name ?? "",
    experimentId: run.info.experiment_id,
    status: run.info.status ?? "",
    startTimeMs: run.info.start_time ?? undefined,
    deliveredRunId: run.data.tags.find((tag) => tag.key === OFFLINE_DELIVERED_TAG)?.value,
  };
}
