/**
 * `journals`: the journals that dead processes left for this tracking server, waiting for delivery
 * (issue #14, item 5). A process killed before it delivered everything (SIGKILL, the OOM killer) leaves
 * its journal on this machine; the next run recovers it in the background, `mlflow-ts recover` does it
 * at once. It also counts the runs logged in offline mode (`MLFLOW_TS_OFFLINE`) for this server that
 * wait for `mlflow-ts sync --offline`. Information only: it warns when some wait, and never fails (a
 * journal is not a broken setup).
 */

import type { ResolvedConfig } from "../../config/resolve.js";
import { messageOf } from "../../core/error-text.js";
import { formatCount } from "../../core/units.js";
import { type JournalListing, listJournals, publicTrackingUri } from "../../journal/index.js";
import { listOfflineStores } from "../../store/offline/offline-store.js";
import type { SetupContext } from "../context.js";
import { type CheckDefinition, notApplicable, pass, warn } from "../runner.js";

/** Journals described one by one in the detail; more are counted. */
const JOURNALS_IN_DETAIL = 5;

/** The `journals` check. @internal */
export const journalsCheck: CheckDefinition<SetupContext> = {
  id: "journals",
  title: "Journals waiting",
  needs: ["config"],
  calls: 0,
  async run(context) {
    const config = context.config;
    const offline = config?.tracking.kind === "sqlite" ? config.tracking.offline : undefined;
    if (config === undefined || (config.tracking.kind !== "rest" && offline === undefined))
      return notApplicable("The embedded store is a local file: nothing is journaled for it.");
    const uri = offline?.trackingUri ?? publicTrackingUri(config.tracking.kind === "rest" ? config.tracking.baseUrl : "");
    let offlineRuns: number;
    try {
      offlineRuns = await offlineRunsWaiting(config, uri);
    } catch (error) {
      return warn(`Could not look for offline runs: ${messageOf(error)}`, "Check MLFLOW_TS_OFFLINE_DIR and the folder's permissions.");
    }
    if (offline !== undefined) return offlineOutcome(offlineRuns, uri, config.offline.dir);
    let dir: string;
    let journals: JournalListing[];
    try {
      dir = config.journal.dir;
      journals = await listJournals(dir);
    } catch (error) {
      return warn(`Could not look for journals: ${messageOf(error)}`, "Check MLFLOW_TS_JOURNAL_DIR and the folder's permissions.");
    }
    if (offlineRuns > 0 && journals.every((j) => j.owner.state === "live" || publicTrackingUri(j.trackingUri) !== uri))
      return offlineOutcome(offlineRuns, uri, config.offline.dir);
    const waiting = journals.filter((j) => j.owner.state !== "live" && publicTrackingUri(j.trackingUri) === uri);
    const elsewhere = journals.filter((j) => j.owner.state !== "live" && publicTrackingUri(j.trackingUri) !== uri).length;
    const others = elsewhere === 0 ? "" : ` (${formatCount(elsewhere, "journal")} of other tracking servers also wait${elsewhere === 1 ? "s" : ""})`;
    if (waiting.length === 0) return pass(`No journal of a dead process waits for delivery to ${uri} in ${dir}${others}.`);
    const described = waiting.slice(0, JOURNALS_IN_DETAIL).map(describe);
    if (waiting.length > JOURNALS_IN_DETAIL) described.push(`… ${waiting.length - JOURNALS_IN_DETAIL} more`);
    const offlineText = offlineRuns === 0 ? "" : ` Also ${formatCount(offlineRuns, "offline run")} (MLFLOW_TS_OFFLINE) wait${offlineRuns === 1 ? "s" : ""}.`;
    return warn(
      `${formatCount(waiting.length, "journal")} of dead processes wait${waiting.length === 1 ? "s" : ""} for delivery to ${uri}: ${described.join("; ")}${others}.${offlineText}`,
      `Run \`mlflow-ts recover\` (or start any run against this server: it recovers them in the background)${offlineRuns === 0 ? "" : " and `mlflow-ts sync --offline`"}. \`mlflow-ts recover --list\` shows them.`,
    );
  },
};

/** Runs logged offline for the server `uri` that no sync has delivered yet. */
async function offlineRunsWaiting(config: ResolvedConfig, uri: string): Promise<number> {
  const stores = await listOfflineStores(config.offline.dir, config.embeddedStore.journalMode);
  return stores.filter((store) => store.trackingUri === uri).reduce((sum, store) => sum + store.waiting, 0);
}

/** The outcome when only offline runs are in question (offline mode, or no journal waits). */
function offlineOutcome(waiting: number, uri: string, dir: string) {
  if (waiting === 0) return pass(`No offline run waits for delivery to ${uri} in ${dir}.`);
  return warn(
    `${formatCount(waiting, "offline run")} (MLFLOW_TS_OFFLINE) wait${waiting === 1 ? "s" : ""} for delivery to ${uri}, kept in ${dir}.`,
    "Run `mlflow-ts sync --offline` where the server is reachable. `mlflow-ts recover --list` lists them.",
  );
}

function describe(journal: JournalListing): string {
  const pending = journal.pending;
  const count = pending === undefined ? 0 : pending.metric + pending.param + pending.tag + pending.control;
  const oldest = journal.oldestPendingMs === undefined ? "" : `, oldest from ${new Date(journal.oldestPendingMs).toISOString()}`;
  const damage = journal.damage.length === 0 ? "" : `, ${formatCount(journal.damage.length, "damaged segment")}`;
  return `run ${journal.runId} (process ${journal.owner.pid}, ${formatCount(count, "pending entry", "pending entries")}${oldest}${damage})`;
}
