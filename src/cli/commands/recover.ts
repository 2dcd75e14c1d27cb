/**
 * `mlflow-ts recover`: delivers what dead processes journaled and never got acknowledged
 * ({@link recoverJournals}), and `mlflow-ts recover --list`: the journals waiting, with their
 * owner's state, pending counts, end status and damage ({@link listJournals}), then the runs logged
 * in offline mode that wait for `mlflow-ts sync --offline` ({@link listOfflineStores}). Text tables
 * by default, `--json` for scripts (the journals only; `sync --offline --dry-run --json` plans the
 * offline runs).
 */
import { Command, InvalidArgumentError } from "commander";
import { resolveEmbeddedStoreSettings } from "../../config/embedded-store-settings.js";
import { resolveJournalSettings } from "../../config/journal-settings.js";
import { resolveOfflineSettings } from "../../config/offline-settings.js";
import { formatCount } from "../../core/units.js";
import { type JournalListing, listJournals, type StreamCounts } from "../../journal/index.js";
import { describeDelivered, recoveryNotes } from "../../logging/recovery/format.js";
import { recoverJournals } from "../../logging/recovery/recover.js";
import type { JournalRecoveryReport, RecoveryReport } from "../../logging/recovery/report.js";
import { listOfflineStores, type OfflineStoreListing } from "../../store/offline/offline-store.js";
import { type CliContext, EXIT } from "../context.js";
import { formatTable, formatTime } from "../output/table.js";

const HELP = `
A journal is what a run logged to a tracking server, kept on disk until the server acknowledged it
(folder: MLFLOW_TS_JOURNAL_DIR, default ~/.cache/mlflow-ts/journal). When a process dies before
delivering everything (SIGKILL, OOM killer, a crash), its journal stays; the next run started on
this machine recovers it in the background, and this command does it on demand: every pending
metric, param and tag is delivered exactly once, then the run is set to its journaled end status,
or KILLED. Journals of live processes are never touched; journals logged to another server are left
for a recover with that MLFLOW_TRACKING_URI.

--list also shows the runs logged in offline mode (MLFLOW_TS_OFFLINE) that wait for delivery (in
MLFLOW_TS_OFFLINE_DIR, default ~/.cache/mlflow-ts/offline); mlflow-ts sync --offline delivers them.

Exit codes: 0 when every journal was recovered or had nothing to do, 1 when one could not be
delivered completely (it is kept; run the command again), 2 on a usage error.

Examples:
  $ mlflow-ts recover --list
  $ mlflow-ts recover
  $ mlflow-ts recover --json > recovery.json
  $ mlflow-ts recover --force          # also journals written in another container or on another host`;

interface RecoverCommandOptions {
  list?: boolean;
  json?: boolean;
  force?: boolean;
  dir?: string;
  timeout: number;
}

/**
 * The `recover` command.
 * @internal
 */
export function recoverCommand(context: CliContext): Command {
  return new Command("recover")
    .description("deliver what killed processes journaled but never sent, then set their runs' final status; --list shows what waits")
    .option("--list", "list the journals and what they hold; deliver nothing")
    .option("--json", "print the report (or the list) as JSON")
    .option("--force", "also recover journals written on another machine or container (only once their process is surely gone)")
    .option("--dir <path>", "the journals' folder (default: MLFLOW_TS_JOURNAL_DIR, else ~/.cache/mlflow-ts/journal)")
    .option("--timeout <seconds>", "bound of the whole recovery, in seconds", parseTimeout, 600)
    .addHelpText("after", HELP)
    .action(async (options: RecoverCommandOptions) => (options.list ? list(context, options) : recover(context, options)));
}

function journalDir(context: CliContext, options: RecoverCommandOptions): string {
  return options.dir ?? resolveJournalSettings(context.io.env, "rest").dir;
}

async function list(context: CliContext, options: RecoverCommandOptions): Promise<void> {
  const dir = journalDir(context, options);
  const journals = await listJournals(dir);
  if (options.json) return context.print(JSON.stringify(journals, null, 2));
  if (journals.length === 0) context.print(`No journals in ${dir}: nothing waits for delivery.`);
  else listJournalTable(context, journals);
  const env = context.io.env;
  const offline = await listOfflineStores(resolveOfflineSettings(env, undefined).dir, resolveEmbeddedStoreSettings(env).journalMode);
  if (offline.length > 0) context.print(`\n${formatOfflineRuns(offline)}`);
}

function listJournalTable(context: CliContext, journals: readonly JournalListing[]): void {
  const rows = journals.map((j) => [
    j.runId,
    `${j.owner.pid} ${j.owner.state}`,
    j.trackingUri || "-",
    j.pending === undefined ? "(live)" : describePending(j.pending),
    formatTime(j.oldestPendingMs),
    j.endStatus ?? "-",
    j.damage.length === 0 ? "-" : j.damage.map((d) => `${d.reason} at byte ${d.offset}`).join("; "),
  ]);
  context.print(formatTable([["RUN", "OWNER", "TRACKING URI", "PENDING", "OLDEST PENDING", "END", "DAMAGE"], ...rows]));
  context.print(`\n${waitingSummary(journals)}`);
}

async function recover(context: CliContext, options: RecoverCommandOptions): Promise<void> {
  const dir = journalDir(context, options);
  const interrupt = new AbortController();
  const onSignal = (): void => {
    context.printError("recover: interrupting (what is not yet acknowledged stays journaled; run the command again to finish)…");
    interrupt.abort(new Error("interrupted"));
  };
  process.once("SIGINT", onSignal);
  let report: RecoveryReport;
  try {
    report = await recoverJournals({
      client: context.client(),
      dir,
      force: options.force ?? false,
      signal: interrupt.signal,
      deadlineMs: Math.round(options.timeout * 1000),
    });
  } finally {
    process.off("SIGINT", onSignal);
  }
  context.exitCode = report.journals.some((j) => j.outcome === "incomplete") ? EXIT.failure : EXIT.ok;
  if (options.json) return context.print(JSON.stringify(report, null, 2));
  if (report.journals.length === 0) return context.print(`No journals in ${dir}: nothing to recover.`);
  context.print(formatRecoveryTable(report.journals));
}

/** The table `mlflow-ts recover` prints, then one line per note (skips, conflicts, damage…). */
function formatRecoveryTable(journals: readonly JournalRecoveryReport[]): string {
  const rows = journals.map((j) => [
    j.runId,
    String(j.ownerPid),
    j.outcome,
    describeDelivered(j.delivered),
    j.finalStatus === undefined ? "-" : j.finalStatus.set ? `set ${j.finalStatus.status}` : `left ${j.finalStatus.status}`,
  ]);
  const lines = [formatTable([["RUN", "FROM PID", "OUTCOME", "DELIVERED", "STATUS"], ...rows])];
  for (const j of journals) {
    const notes = [...(j.detail === undefined ? [] : [j.detail]), ...recoveryNotes(j)];
    if (notes.length > 0) lines.push("", `${j.runId}:`, ...notes.map((note) => `  ${note}`));
  }
  return lines.join("\n");
}

/**
 * The offline runs that wait for delivery, one row each, then a summary with the command; stores
 * that could not be read are named with the reason.
 */
function formatOfflineRuns(stores: readonly OfflineStoreListing[]): string {
  const rows = stores.flatMap((store) =>
    store.runs
      .filter((run) => run.deliveredRunId === undefined)
      .map((run) => [run.runId, run.runName || "-", run.status, store.trackingUri, formatTime(run.startTimeMs), store.folder]),
  );
  const waiting = rows.length;
  const delivered = stores.reduce((sum, store) => sum + store.runs.length - store.waiting, 0);
  const lines = [];
  if (waiting > 0) lines.push(formatTable([["OFFLINE RUN", "NAME", "STATUS", "FOR SERVER", "STARTED", "KEPT IN"], ...rows]), "");
  for (const store of stores.filter((s) => s.error !== undefined)) lines.push(`Offline store ${store.folder} could not be read: ${store.error}`);
  const already = delivered === 0 ? "" : ` (${formatCount(delivered, "offline run")} already delivered)`;
  lines.push(
    waiting === 0
      ? `No offline run waits for delivery${already}.`
      : `${formatCount(waiting, "offline run")} wait${waiting === 1 ? "s" : ""} for delivery${already}. Run: mlflow-ts sync --offline`,
  );
  return lines.join("\n");
}

function describePending(pending: StreamCounts): string {
  const parts = [
    pending.metric > 0 ? formatCount(pending.metric, "metric point") : "",
    pending.param > 0 ? formatCount(pending.param, "param") : "",
    pending.tag > 0 ? formatCount(pending.tag, "tag write") : "",
    pending.control > 0 ? formatCount(pending.control, "end/artifact entry", "end/artifact entries") : "",
  ].filter((part) => part !== "");
  return parts.length === 0 ? "nothing" : parts.join(", ");
}

function waitingSummary(journals: readonly JournalListing[]): string {
  const waiting = journals.filter((j) => j.owner.state !== "live").length;
  if (waiting === 0) return "Every journal belongs to a live process: nothing waits for recovery.";
  return `${formatCount(waiting, "journal")} of dead processes wait${waiting === 1 ? "s" : ""} for delivery. Run: mlflow-ts recover`;
}

function parseTimeout(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400)
    throw new InvalidArgumentError("expected a number of seconds from 0.001 to 86400, e.g. --timeout 600.");
  return seconds;
}
