/**
 * Process hooks that end active runs when the process ends, each bounded by `exitTimeoutMs` (one
 * deadline for delivery and the status update, see `ActiveRun.end`):
 *
 * - natural exit (`beforeExit`): flush and end FINISHED, then let the process exit;
 * - SIGINT/SIGTERM: flush and end KILLED, then exit with 128 + the signal number (a second signal
 *   exits at once); skipped when the program has its own listener for that signal;
 * - an uncaught exception or unhandled rejection: print it as Node does, flush and end FAILED,
 *   then exit with code 1; skipped when the program has its own `uncaughtException` listener;
 * - `exit` (e.g. `process.exit()` while runs are active, too late for I/O): a line on stderr says
 *   what was not delivered.
 *
 * Once a hook begins ending a run, the program's own logging calls on it are ignored (and counted
 * on stderr), and its `end()` resolves instead of rejecting: a training loop still running while a
 * signal ends the process cannot turn its next `logMetric` into a crash (exit code 1, nothing
 * flushed). What did not arrive is reported here, on stderr, with its counts.
 *
 * The hooks are installed when the first run that wants them starts and removed when the last
 * one ends. Timers of the logger are unref'd, so the SDK never keeps a process alive by itself.
 */
import { constants } from "node:os";
import { inspect } from "node:util";
import { messageOf } from "../core/error-text.js";
import type { RunStatus } from "../protocol/entities/tracking.js";
import { LogDeliveryError, RunEndError } from "./errors.js";
import type { ActiveRun } from "./run.js";

/** Extra time after `exitTimeoutMs` before the process is forced out, ms. */
const EXIT_GRACE_MS = 2_000;
const HANDLED_SIGNALS = ["SIGINT", "SIGTERM"] as const;

const tracked = new Set<ActiveRun>();
let installed = false;
let exiting = false;

/**
 * Puts a run under the exit hooks (installing them with the first run).
 * @internal
 */
export function trackRun(run: ActiveRun): void {
  tracked.add(run);
  if (!installed) install();
}

/**
 * Takes a run out of the exit hooks (removing them with the last run).
 * @internal
 */
export function untrackRun(run: ActiveRun): void {
  tracked.delete(run);
  if (tracked.size === 0 && installed && !exiting) uninstall();
}

/** Whether the hooks are installed now. @internal */
export function exitHooksInstalled(): boolean {
  return installed;
}

function install(): void {
  installed = true;
  process.on("beforeExit", onBeforeExit);
  process.on("exit", onExit);
  process.on("uncaughtException", onUncaughtException);
  for (const signal of HANDLED_SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  installed = false;
  process.off("beforeExit", onBeforeExit);
  process.off("exit", onExit);
  process.off("uncaughtException", onUncaughtException);
  for (const signal of HANDLED_SIGNALS) process.off(signal, onSignal);
}

function onBeforeExit(): void {
  if (exiting || tracked.size === 0) return;
  exiting = true;
  void endAll("FINISHED", "the natural exit").then((complete) => {
    exiting = false;
    if (!complete) process.exit(process.exitCode ?? 0);
    if (tracked.size === 0) uninstall();
  });
}

function onSignal(signal: NodeJS.Signals): void {
  // Someone else listens: the program owns its shutdown (it can end the run itself).
  if (process.listenerCount(signal) > 1) return;
  const code = 128 + (constants.signals[signal as keyof typeof constants.signals] ?? 0);
  if (exiting) process.exit(code);
  exiting = true;
  process.stderr.write(`mlflow-ts: ${signal} received; ending ${describeRuns()} as KILLED (press Ctrl-C again to exit at once).\n`);
  void endAll("KILLED", signal).then(() => process.exit(code));
}

function onUncaughtException(error: unknown, origin: NodeJS.UncaughtExceptionOrigin): void {
  if (process.listenerCount("uncaughtException") > 1) return;
  // What Node prints without listeners, then the runs end FAILED and the process exits with 1.
  process.stderr.write(`${origin === "unhandledRejection" ? "Unhandled rejection: " : ""}${inspect(error)}\n`);
  process.exitCode = 1;
  if (exiting) process.exit(1);
  exiting = true;
  process.stderr.write(`mlflow-ts: ending ${describeRuns()} as FAILED.\n`);
  void endAll("FAILED", "the uncaught exception").then(() => process.exit(1));
}

function onExit(): void {
  for (const run of tracked) {
    const { queued, inFlight } = run.stats();
    const undelivered = queued + inFlight;
    const what = undelivered > 0 ? `${undelivered} logged entries were not delivered and ` : "";
    process.stderr.write(
      `mlflow-ts: the process exited before run ${run.runId} ended: ${what}its status stays RUNNING. Fix: await run.end() before process.exit().\n`,
    );
  }
}

/**
 * Ends every tracked run (children first) with `status`, bounded by the largest `exitTimeoutMs`.
 * Resolves `true` when every end settled in time. Reports failures, and the entries logged after
 * `cause` that were ignored, on stderr.
 */
async function endAll(status: Extract<RunStatus, "FINISHED" | "FAILED" | "KILLED">, cause: string): Promise<boolean> {
  const runs = [...tracked].reverse();
  const timeoutMs = Math.max(0, ...runs.map((run) => run.loggerOptions.exitTimeoutMs));
  const ends = Promise.all(
    runs.map((run) =>
      run.endOnExit(status, timeoutMs).then(
        () => undefined,
        (error: unknown) => reportEndFailure(run, status, error),
      ),
    ),
  );
  let guard: NodeJS.Timeout | undefined;
  // A ref'd timer: keeps the loop alive while the runs end, and bounds the wait.
  const expired = new Promise<false>((resolve) => {
    guard = setTimeout(() => resolve(false), timeoutMs + EXIT_GRACE_MS);
  });
  const complete = await Promise.race([ends.then(() => true as const), expired]);
  clearTimeout(guard);
  if (!complete) process.stderr.write(`mlflow-ts: ending ${describeRuns()} did not finish within ${timeoutMs + EXIT_GRACE_MS} ms; exiting anyway.\n`);
  for (const run of runs) reportIgnored(run, cause);
  return complete;
}

/** One line per failed end: the counts of what did not arrive, and the run's state on the server. */
function reportEndFailure(run: ActiveRun, status: RunStatus, error: unknown): void {
  const message = messageOf(error);
  // A RunEndError says the run stays RUNNING itself; after a LogDeliveryError the status was set.
  const state = error instanceof LogDeliveryError && !(error instanceof RunEndError) ? ` The run ended ${status} on the server.` : "";
  process.stderr.write(`mlflow-ts: run ${run.runId}: ${message}${state}\n`);
}

function reportIgnored(run: ActiveRun, cause: string): void {
  const ignored = run.ignoredOnExit;
  if (ignored === 0) return;
  process.stderr.write(
    `mlflow-ts: run ${run.runId}: ${ignored} ${ignored === 1 ? "entry" : "entries"} logged after ${cause} began ending the run ${ignored === 1 ? "was" : "were"} ignored.\n`,
  );
}

function describeRuns(): string {
  const ids = [...tracked].map((run) => run.runId);
  return ids.length === 1 ? `run ${ids[0]}` : `${ids.length} runs (${ids.join(", ")})`;
}
