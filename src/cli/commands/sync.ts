/**
 * `mlflow-ts sync --from sqlite:///mlflow.db --to http://host:5000`: {@link syncRuns} from the
 * command line, with progress on stderr (a bar on a terminal, one line per run otherwise) and the
 * report on stdout, as text or JSON. `mlflow-ts sync --offline` delivers the runs logged in offline
 * mode ({@link syncOfflineStores}), each store to the server it was kept for.
 */
import { existsSync } from "node:fs";
import cliProgress from "cli-progress";
import { Command, type Command as CommanderCommand, InvalidArgumentError, Option } from "commander";
import { MlflowClient } from "../../client/client.js";
import { resolveConfig, type TrackingTarget } from "../../config/resolve.js";
import { messageOf } from "../../core/error-text.js";
import { DEFAULT_WORKSPACE, workspaceNameProblem } from "../../core/workspace.js";
import { describeExperiment, describeLoggedModel, describeRun, describeVersion, formatSyncReport, plural } from "../../sync/format.js";
import { type OfflineSyncReport, syncOfflineStores } from "../../sync/sync-offline.js";
import { syncRuns } from "../../sync/sync-runs.js";
import { DEFAULT_SYNC_CONCURRENCY, MAX_SYNC_CONCURRENCY, type SyncEvent } from "../../sync/types.js";
import { collect } from "../arguments.js";
import { type CliContext, EXIT, type OutputStream } from "../context.js";
import { CliFailure } from "../errors.js";

const HELP = `
Each copied run carries the tag mlflow-ts.sync.sourceRunId (its source run id): a second sync copies
nothing new, and a sync that was interrupted (Ctrl-C, a network failure) is completed by running it
again. Runs deleted at the source are skipped. Logged models of the synced experiments are copied too
(tag mlflow-ts.sync.sourceModelId), and the model versions of the synced runs and logged models are
registered under the same names (tag mlflow-ts.sync.sourceVersion), with their stage and aliases. Credentials of the target come from the environment
(MLFLOW_TRACKING_USERNAME / _PASSWORD or _TOKEN, AWS_* and MLFLOW_S3_ENDPOINT_URL for its artifacts).

Exit codes: 0 when nothing failed, 1 when a run, an experiment, a logged model or a model version failed (the report names them), 2 on a usage error.

Offline runs: with --offline (and no --from), every run logged with MLFLOW_TS_OFFLINE=true is
delivered to the tracking server it was logged for (each offline store in MLFLOW_TS_OFFLINE_DIR,
default ~/.cache/mlflow-ts/offline, records its server); --to then only picks one server's runs.
The server gives each run a new id: the report maps old to new, and the copy carries the old id in
mlflow-ts.sync.sourceRunId.

Examples:
  $ mlflow-ts sync --offline
  $ mlflow-ts sync --offline --to http://mlflow.internal:5000 --dry-run
  $ mlflow-ts sync --to http://mlflow.internal:5000
  $ mlflow-ts sync --from sqlite:///runs/mlflow.db --to http://mlflow.internal:5000 --experiment mnist
  $ mlflow-ts sync --to http://mlflow.internal:5000 --dry-run
  $ mlflow-ts sync --to http://mlflow.internal:5000 --json > sync-report.json
  $ mlflow-ts sync --from http://mlflow.internal:5000 --from-workspace team-a --to http://mlflow.internal:5000 --to-workspace team-b -e mnist`;

interface SyncCommandOptions {
  from: string;
  to?: string;
  fromWorkspace?: string;
  toWorkspace?: string;
  offline?: boolean;
  experiment: string[];
  dryRun?: boolean;
  concurrency: number;
  json?: boolean;
}

/**
 * The `sync` command.
 * @internal
 */
export function syncCommand(context: CliContext): Command {
  const trackingUri = (value: string): string => parseTrackingUri(value, context.io.env);
  return new Command("sync")
    .description("copy local runs to a tracking server: experiments, runs, params, tags, metric histories, artifacts, logged models, model versions")
    .option("--from <uri>", "where the runs are", trackingUri, "sqlite:///mlflow.db")
    .option("--to <uri>", "the tracking server to copy them to, e.g. http://host:5000 (required unless --offline)", trackingUri)
    .option("--from-workspace <name>", "the workspace of --from (MLflow 3.10+ with --enable-workspaces; default: MLFLOW_WORKSPACE)", parseWorkspace)
    .option(
      "--to-workspace <name>",
      "the workspace of --to (default: MLFLOW_WORKSPACE); with --from-workspace, --from and --to may be the same server",
      parseWorkspace,
    )
    .addOption(new Option("--offline", "deliver the runs logged offline (MLFLOW_TS_OFFLINE) to the servers they were logged for").conflicts("from"))
    .option("-e, --experiment <name>", "only this experiment (repeat for several; default: every active experiment)", collect(String), [])
    .option("--dry-run", "read both sides and list what would be copied; write nothing")
    .option("--concurrency <n>", `runs copied at once (1-${MAX_SYNC_CONCURRENCY})`, parseConcurrency, DEFAULT_SYNC_CONCURRENCY)
    .option("--json", "print the report as JSON")
    .addHelpText("after", HELP)
    .action(async (options: SyncCommandOptions, command: CommanderCommand) => {
      if (options.offline) return syncOffline(context, options);
      if (options.to === undefined)
        command.error("error: required option '--to <uri>' not specified (or --offline, to deliver the runs logged offline)", {
          exitCode: EXIT.usage,
          code: "commander.missingMandatoryOptionValue",
        });
      return sync(context, { ...options, to: options.to }, command);
    });
}

async function sync(context: CliContext, options: SyncCommandOptions & { to: string }, command: CommanderCommand): Promise<void> {
  const env = context.io.env;
  // Each side's workspace: its option, else MLFLOW_WORKSPACE.
  const sourceConfig = resolveConfig({ trackingUri: options.from, env, offline: false, workspace: options.fromWorkspace });
  const targetConfig = resolveConfig({ trackingUri: options.to, env, offline: false, workspace: options.toWorkspace });
  const [source, target] = [sourceConfig.tracking, targetConfig.tracking];
  const [fromWorkspace, toWorkspace] = [sourceConfig.workspace, targetConfig.workspace];
  // The workspaces of one server, or of one embedded file, are separate stores (no workspace: `default`).
  if (sameStore(source, target) && (fromWorkspace ?? DEFAULT_WORKSPACE) === (toWorkspace ?? DEFAULT_WORKSPACE)) {
    const hint = " To copy between two workspaces of one server or file, give --from-workspace and --to-workspace.";
    command.error(`error: --from and --to name the same store (${options.to}).${hint}`, { exitCode: EXIT.usage, code: "mlflow-ts.sync.sameStore" });
  }
  if (source.kind === "sqlite" && !existsSync(source.path)) {
    throw new CliFailure(
      `${options.from} does not exist (no file ${source.path}). Run the command in the folder that holds mlflow.db, or pass --from sqlite:////absolute/path/mlflow.db.`,
    );
  }
  // Reading the source is not logging to it: no "logging to sqlite:///…" notice.
  const from = new MlflowClient({ trackingUri: options.from, env: { ...env, MLFLOW_TS_QUIET_LOCAL_STORE: "true" }, offline: false, workspace: fromWorkspace });
  // MLFLOW_TS_OFFLINE left set in the shell must not turn the target into its own offline store.
  const to = new MlflowClient({ trackingUri: options.to, env, offline: false, workspace: toWorkspace });
  const progress = new SyncProgress(context.io.stderr);
  const interrupt = interruptOnSigint(context, "the runs in flight stay marked incomplete; run the same command again to complete them");
  try {
    const report = await syncRuns({
      from,
      to,
      experimentNames: options.experiment,
      dryRun: options.dryRun ?? false,
      concurrency: options.concurrency,
      signal: interrupt.signal,
      onProgress: (event) => progress.handle(event),
    });
    progress.stop();
    context.print(options.json ? JSON.stringify(report, null, 2) : formatSyncReport(report));
    context.exitCode = report.ok ? EXIT.ok : EXIT.failure;
  } finally {
    interrupt.dispose();
    progress.stop();
    await Promise.all([from.close(), to.close()]);
  }
}

/** `sync --offline`: every offline store (or those of `--to`'s server) to the server it was kept for. */
async function syncOffline(context: CliContext, options: SyncCommandOptions): Promise<void> {
  const env = context.io.env;
  const config = resolveConfig({ env });
  const to = options.to === undefined ? undefined : resolveConfig({ trackingUri: options.to, env, offline: false }).tracking;
  if (to !== undefined && to.kind !== "rest")
    throw new CliFailure(`--offline delivers to tracking servers; --to ${options.to} is not one. Fix: pass the server's http(s) URL, or omit --to.`);
  const progress = new SyncProgress(context.io.stderr);
  const interrupt = interruptOnSigint(context, "run the same command again to complete the delivery; nothing is copied twice");
  let report: OfflineSyncReport;
  try {
    report = await syncOfflineStores({
      dir: config.offline.dir,
      env,
      trackingUri: to?.kind === "rest" ? to.baseUrl : undefined,
      journalMode: config.embeddedStore.journalMode,
      dryRun: options.dryRun ?? false,
      concurrency: options.concurrency,
      signal: interrupt.signal,
      onStore: (store) => {
        progress.stop();
        context.printError(`sync: offline store ${store.folder} → ${store.trackingUri}`);
      },
      onProgress: (event) => progress.handle(event),
    });
  } finally {
    interrupt.dispose();
    progress.stop();
  }
  context.exitCode = report.ok ? EXIT.ok : EXIT.failure;
  context.print(options.json ? JSON.stringify(report, null, 2) : formatOfflineSyncReport(report));
}

/** The text report of `sync --offline`: per store, the sync's report and the new id of each delivered run. */
function formatOfflineSyncReport(report: OfflineSyncReport): string {
  if (report.stores.length === 0) return `No offline runs in ${report.dir}: nothing to deliver.`;
  const sections = report.stores.map((store) => {
    if (store.report === undefined) return `Offline store ${store.folder} → ${store.trackingUri}: not delivered: ${store.error ?? "unknown error"}`;
    const ids = store.report.runs
      .filter((run) => run.targetRunId !== undefined && run.outcome !== "failed")
      .map((run) => `  ${run.sourceRunId} → ${run.targetRunId}${run.runName ? ` (${run.runName})` : ""}`);
    const idLines = ids.length === 0 ? [] : [`Run ids (offline → ${store.report.dryRun ? "existing copy" : "server"}):`, ...ids];
    return [`Offline store ${store.folder} → ${store.trackingUri}`, formatSyncReport(store.report), ...idLines].join("\n");
  });
  return sections.join("\n\n");
}

/**
 * Ctrl-C stops a sync: the first SIGINT aborts `signal` after saying what happens to the copies in
 * flight (`why`); `dispose()` removes the handler.
 */
function interruptOnSigint(context: CliContext, why: string): { signal: AbortSignal; dispose(): void } {
  const interrupt = new AbortController();
  const onSignal = (): void => {
    context.printError(`sync: interrupting (${why})…`);
    interrupt.abort();
  };
  process.once("SIGINT", onSignal);
  return { signal: interrupt.signal, dispose: () => process.removeListener("SIGINT", onSignal) };
}

/**
 * Progress on stderr: on a terminal a bar over the runs to copy; otherwise one line per experiment
 * and per finished run (CI logs, pipes).
 */
class SyncProgress {
  readonly #stream: OutputStream;
  #bar: cliProgress.SingleBar | undefined;

  constructor(stream: OutputStream) {
    this.#stream = stream;
  }

  handle(event: SyncEvent): void {
    if (event.type === "experiment") this.#line(describeExperiment(event.experiment));
    else if (event.type === "planned") this.#planned(event.total, event.skipped);
    else if (event.type === "logged-model-finished") this.#afterRuns(describeLoggedModel(event.model));
    else if (event.type === "model-version-finished") this.#afterRuns(describeVersion(event.version));
    else if (event.type === "run-finished") {
      if (this.#bar) this.#bar.update(event.finished, { run: event.run.runName || event.run.sourceRunId });
      else this.#line(`[${event.finished}/${event.total}] ${describeRun(event.run)}`);
    }
  }

  stop(): void {
    this.#bar?.stop();
    this.#bar = undefined;
  }

  #planned(total: number, skipped: number): void {
    this.#line(`${total} ${plural(total, "run")} to copy, resume or update; ${skipped} already done or skipped`);
    if (!this.#stream.isTTY || total === 0) return;
    this.#bar = new cliProgress.SingleBar(
      { format: "sync [{bar}] {value}/{total} runs | {run}", stream: this.#stream as NodeJS.WritableStream, hideCursor: true, fps: 10 },
      cliProgress.Presets.shades_classic,
    );
    this.#bar.start(total, 0, { run: "" });
  }

  /** Models come after every run: the bar is done. */
  #afterRuns(text: string): void {
    this.stop();
    this.#line(text);
  }

  #line(text: string): void {
    this.#stream.write(`sync: ${text}\n`);
  }
}

/** Same database file, or same server. */
function sameStore(a: TrackingTarget, b: TrackingTarget): boolean {
  if (a.kind === "sqlite" && b.kind === "sqlite") return a.path === b.path;
  if (a.kind === "rest" && b.kind === "rest") return a.baseUrl === b.baseUrl;
  return false;
}

function parseTrackingUri(value: string, env: Record<string, string | undefined>): string {
  try {
    resolveConfig({ trackingUri: value, env });
  } catch (error) {
    throw new InvalidArgumentError(messageOf(error));
  }
  return value;
}

function parseWorkspace(value: string): string {
  const problem = workspaceNameProblem(value);
  if (problem !== undefined) throw new InvalidArgumentError(`workspace "${value}" ${problem}; e.g. team-a.`);
  return value;
}

function parseConcurrency(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_SYNC_CONCURRENCY)
    throw new InvalidArgumentError(`expected a whole number from 1 to ${MAX_SYNC_CONCURRENCY}, e.g. --concurrency 4.`);
  return n;
}
