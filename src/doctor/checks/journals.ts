/**
 * `journals`: the journals that dead processes left for this tracking server, waiting for delivery
 * (issue #14, item 5). A process killed before it delivered everything (SIGKILL, the OOM killer) leaves
 * its journal on this machine; the next run recovers it in the background, `mlflow-ts recover` does it
 * at once. Information only: it warns when some wait, and never fails (a journal is not a broken setup).
 */
import { messageOf } from "../../core/error-text.js";
import { formatCount } from "../../core/units.js";
import { type JournalListing, listJournals, publicTrackingUri } from "../../journal/index.js";
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
    if (config === undefined || config.tracking.kind !== "rest") return notApplicable("The embedded store is a local file: nothing is journaled for it.");
    let dir: string;
    let journals: JournalListing[];
    try {
      dir = config.journal.dir;
      journals = await listJournals(dir);
    } catch (error) {
      return warn(`Could not look for journals: ${messageOf(error)}`, "Check MLFLOW_TS_JOURNAL_DIR and the folder's permissions.");
    }
    const uri = publicTrackingUri(config.tracking.baseUrl);
    const waiting = journals.filter((j) => j.owner.state !== "live" && publicTrackingUri(j.trackingUri) === uri);
    const elsewhere = journals.filter((j) => j.owner.state !== "live" && publicTrackingUri(j.trackingUri) !== uri).length;
    const others = elsewhere === 0 ? "" : ` (${formatCount(elsewhere, "journal")} of other tracking servers also wait${elsewhere === 1 ? "s" : ""})`;
    if (waiting.length === 0) return pass(`No journal of a dead process waits for delivery to ${uri} in ${dir}${others}.`);
    const described = waiting.slice(0, JOURNALS_IN_DETAIL).map(describe);
    if (waiting.length > JOURNALS_IN_DETAIL) described.push(`… ${waiting.length - JOURNALS_IN_DETAIL} more`);
    return warn(
      `${formatCount(waiting.length, "journal")} of dead processes wait${waiting.length === 1 ? "s" : ""} for delivery to ${uri}: ${described.join("; ")}${others}.`,
      "Run `mlflow-ts recover` (or start any run against this server: it recovers them in the background). `mlflow-ts recover --list` shows them.",
    );
  },
};

function describe(journal: JournalListing): string {
  const pending = journal.pending;
  const count = pending === undefined ? 0 : pending.metric + pending.param + pending.tag + pending.control;
  const oldest = journal.oldestPendingMs === undefined ? "" : `, oldest from ${new Date(journal.oldestPendingMs).toISOString()}`;
  const damage = journal.damage.length === 0 ? "" : `, ${formatCount(journal.damage.length, "damaged segment")}`;
  return `run ${journal.runId} (process ${journal.owner.pid}, ${formatCount(count, "pending entry", "pending entries")}${oldest}${damage})`;
}
