/**
 * A journal's description, `meta.json`: the run, where it is logged (the tracking URI without any
 * credential), who created and who owns the journal. Written once when the journal is created and
 * again when a recovering process claims it, each time atomically (a temporary file, fsynced, renamed).
 * @internal
 * @module
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { redact } from "../core/redact.js";
import { writeFileAtomically } from "./durable-fs.js";
import { FORMAT_VERSION, META_FILE } from "./format.js";
import type { MachineDescription } from "./owner.js";

/** What meta.json holds. */
export interface JournalMeta {
  format: number;
  runId: string;
  /** Tracking URI without userinfo, query or fragment. */
  trackingUri: string;
  /** When the journal was created, ms since the epoch. */
  createdMs: number;
  /** The folder-name token of the owner that wrote this file (`<pid>-<start>-<machine>-<serial>`). */
  owner: string;
  /** The machine of that owner. */
  machine: MachineDescription;
  /** Folder name before the last claim, when the journal was claimed. */
  claimedFrom?: string;
}

/**
 * A tracking URI with no credential in it: userinfo, query and fragment removed.
 * @example
 * publicTrackingUri("https://bob:pw@mlflow.example.com/team?token=x") // "https://mlflow.example.com/team"
 */
export function publicTrackingUri(uri: string): string {
  try {
    const url = new URL(uri);
    url.username = "";
    url.password = "";
    url.search = "";
    url.hash = "";
    return url.toString().replace(/\/$/, "");
  } catch {
    return redact(uri.replace(/[?#].*$/, ""));
  }
}

/**
 * Writes meta.json in `dir` atomically.
 * @throws the file system's error.
 * @example
 * await writeMeta(dir, { format: 1, runId, trackingUri: publicTrackingUri(uri), createdMs: Date.now(), owner: token, machine: describeMachine() });
 */
export async function writeMeta(dir: string, meta: JournalMeta): Promise<void> {
  await writeFileAtomically(join(dir, META_FILE), Buffer.from(`${JSON.stringify({ ...meta, format: FORMAT_VERSION }, null, 2)}\n`, "utf8"));
}

/**
 * Reads meta.json in `dir`; `undefined` when it is missing or does not parse.
 * @example
 * (await readMeta(dir))?.trackingUri // "http://mlflow:5000"
 */
export async function readMeta(dir: string): Promise<JournalMeta | undefined> {
  try {
    const meta = JSON.parse(await readFile(join(dir, META_FILE), "utf8")) as Partial<JournalMeta>;
    if (typeof meta.runId !== "string" || typeof meta.owner !== "string" || typeof meta.createdMs !== "number") return undefined;
    return meta as JournalMeta;
  } catch {
    return undefined;
  }
}
