/**
 * Lists the journals in a cache folder with their state: the API behind `mlflow-ts recover --list`
 * and the doctor's "journals waiting" check. Listing only reads: a live owner's journal is described
 * from its folder and meta.json without reading its segments (its last one is being written).
 * @internal
 * @module
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { AckLog } from "./ack-log.js";
import type { JournalEndStatus, StreamCounts } from "./format.js";
import { readMeta } from "./meta.js";
import { type OwnerState, ownerState, parseJournalName } from "./owner.js";
import { listSegmentFiles, scanJournal } from "./scan.js";
import type { JournalDamage } from "./segment-reader.js";

/** One journal in a cache folder. */
export interface JournalListing {
  /** Its folder. */
  path: string;
  /** The run, from meta.json (the folder name's run part when meta.json is missing). */
  runId: string;
  /** Where the run is logged, without credentials; "" when unknown. */
  trackingUri: string;
  /** The owning process and whether it is alive. */
  owner: { pid: number; state: OwnerState; host?: string };
  /** When the journal was created, ms since the epoch (0 when unknown). */
  createdMs: number;
  /** Segment files. */
  segments: number;
  /** Bytes of the segment files. */
  bytes: number;
  /** Unacknowledged entries per stream; not read for a live journal. */
  pending?: StreamCounts;
  /** When the oldest unacknowledged entry was appended, ms since the epoch. */
  oldestPendingMs?: number;
  /** The end status the owner journaled, if it got that far. */
  endStatus?: JournalEndStatus;
  /** Where reading stopped early (torn tail, corruption). */
  damage: JournalDamage[];
}

/**
 * The journals in `cacheDir`, oldest first. A missing folder has none.
 * @throws the file system's error when the folder exists but cannot be read.
 * @example
 * for (const j of await listJournals(resolveJournalOptions({}, client.config.journal).dir)) console.log(j.runId, j.owner.state, j.pending);
 */
export async function listJournals(cacheDir: string): Promise<JournalListing[]> {
  let names: string[];
  try {
    names = await readdir(cacheDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const listings: JournalListing[] = [];
  for (const name of names) {
    const parsed = parseJournalName(name);
    if (parsed === undefined) continue;
    const path = join(cacheDir, name);
    try {
      listings.push(await describe(path, name, parsed));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error; // claimed or removed meanwhile
    }
  }
  return listings.sort((a, b) => a.createdMs - b.createdMs);
}

async function describe(path: string, name: string, parsed: NonNullable<ReturnType<typeof parseJournalName>>): Promise<JournalListing> {
  const meta = await readMeta(path);
  const current = meta !== undefined && name.endsWith(`.${meta.owner}`);
  const state = ownerState(parsed.owner, current ? meta.machine : undefined);
  const owner = current ? { pid: parsed.owner.pid, state, host: meta.machine.host } : { pid: parsed.owner.pid, state };
  const base = { path, runId: meta?.runId ?? parsed.runKey, trackingUri: meta?.trackingUri ?? "", owner, createdMs: meta?.createdMs ?? 0 };
  if (state === "live") {
    const files = await listSegmentFiles(path);
    let bytes = 0;
    for (const file of files)
      bytes += await stat(file.path).then(
        (s) => s.size,
        () => 0,
      );
    return { ...base, segments: files.length, bytes, damage: [] };
  }
  const { log, damage } = await AckLog.load(path);
  const scan = await scanJournal(path, log.acked);
  const listing: JournalListing = {
    ...base,
    segments: scan.segments.length,
    bytes: scan.bytes,
    pending: scan.pending,
    damage: damage === undefined ? scan.damage : [...scan.damage, damage],
  };
  if (scan.oldestPendingMs !== undefined) listing.oldestPendingMs = scan.oldestPendingMs;
  if (scan.endStatus !== undefined) listing.endStatus = scan.endStatus;
  return listing;
}
