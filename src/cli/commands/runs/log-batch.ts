/**
 * `mlflow-ts runs log-batch`: metric points, params and tags as JSON lines on stdin (format in
 * json-lines.ts and docs/cli.md), through the run's logger — batched into `log-batch` requests
 * within the server's limits, retried like a training loop's entries.
 *
 * Bounded memory for any input size: lines are read only as fast as they are logged, and when
 * {@link MAX_PENDING_ENTRIES} entries wait for delivery, reading pauses until the logger has
 * delivered them. Bad input does not stop the rest: each bad line is reported on stderr with its
 * number and its fix, every good line is logged, and the command then exits 1 saying how many
 * lines were not logged.
 */
import { Command } from "commander";
import { messageOf } from "../../../core/error-text.js";
import { ValidationError } from "../../../core/errors.js";
import { formatCount } from "../../../core/units.js";
import { LogDeliveryError } from "../../../logging/errors.js";
import type { ActiveRun } from "../../../logging/run.js";
import type { CliContext } from "../../context.js";
import { CliFailure } from "../../errors.js";
import { DEFAULT_MAX_LINE_CHARS, readLines } from "../../input/lines.js";
import { type LineEntry, parseEntryLine } from "./json-lines.js";
import { openRunLogger, runIdOption, targetRunId } from "./target.js";

/** Entries buffered or in flight at which reading pauses until they are delivered: 20 full requests of metrics. */
export const MAX_PENDING_ENTRIES = 20_000;
/** Lines between two looks at the logger's backlog. */
const CHECK_EVERY_LINES = 1_000;
/** Bad lines reported one by one; beyond them only the count. */
const MAX_REPORTED_LINES = 100;

/** What was logged, and which lines were not. */
interface Tally {
  metrics: number;
  params: number;
  tags: number;
  lines: number;
  badLines: number[];
  /** Delivery failures (the server refused entries, or their deadline passed). */
  delivery: string[];
}

/**
 * The `runs log-batch` command.
 * @internal
 */
export function logBatchCommand(context: CliContext): Command {
  return new Command("log-batch")
    .description("log metrics, params and tags from JSON lines on stdin (one entry per line; bad lines are reported, the others logged)")
    .addOption(runIdOption())
    .addHelpText(
      "after",
      `
Each line is one JSON object:
  {"metric": "loss", "value": 0.25, "step": 3, "timestamp": 1733500000000}   step default 0, timestamp default now
  {"metric": "loss", "value": "NaN"}                                         also "Infinity", "-Infinity", "-0"
  {"param": "lr", "value": "0.001"}
  {"tag": "stage", "value": "train"}
Blank lines are skipped. Exit 1 when any line was not logged (each is named on stderr).

Example:
  $ printf '{"metric":"loss","value":0.5,"step":1}\\n{"param":"lr","value":"0.01"}\\n' | mlflow-ts runs log-batch --run-id <id>`,
    )
    .action(async (options: { runId?: string }, command: Command) => {
      const runId = targetRunId(context, options.runId, command);
      const input = context.io.stdin;
      if (input === undefined) throw new CliFailure("runs log-batch reads JSON lines from stdin, and there is none here.");
      const run = await openRunLogger(context, runId);
      if (input.isTTY) context.printError("Reading JSON lines from the terminal; end with Ctrl-D.");
      const tally = await logLines(context, run, input);
      context.print(
        `Logged ${formatCount(tally.metrics, "metric point")}, ${formatCount(tally.params, "param")}, ${formatCount(tally.tags, "tag")} to run ${runId}.`,
      );
      const problems = summarize(tally);
      if (problems !== undefined) throw new CliFailure(problems);
    });
}

/** Reads, checks and logs every line, pausing while too much waits for delivery. */
async function logLines(context: CliContext, run: ActiveRun, input: AsyncIterable<string | Uint8Array>): Promise<Tally> {
  const tally: Tally = { metrics: 0, params: 0, tags: 0, lines: 0, badLines: [], delivery: [] };
  const reject = (number: number, problem: string): void => {
    tally.badLines.push(number);
    if (tally.badLines.length <= MAX_REPORTED_LINES) context.printError(`line ${number}: ${problem}`);
  };
  for await (const line of readLines(input)) {
    tally.lines = line.number;
    if (line.text === undefined) {
      reject(line.number, `longer than ${formatCount(DEFAULT_MAX_LINE_CHARS, "character")}; not read. Fix: one entry per line.`);
      continue;
    }
    const parsed = parseEntryLine(line.text);
    if ("problem" in parsed) reject(line.number, parsed.problem);
    else if ("entry" in parsed) {
      try {
        logEntry(run, parsed.entry);
        tally[`${parsed.entry.kind}s`] += 1;
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        reject(line.number, error.message);
      }
    }
    if (line.number % CHECK_EVERY_LINES === 0 && isBacklogFull(run)) await deliverInto(tally, run.flush());
  }
  await deliverInto(tally, run.detach());
  return tally;
}

function isBacklogFull(run: ActiveRun): boolean {
  const { queued, inFlight } = run.stats();
  return queued + inFlight >= MAX_PENDING_ENTRIES;
}

function logEntry(run: ActiveRun, entry: LineEntry): void {
  if (entry.kind === "metric") run.logMetric(entry.key, entry.value, { step: entry.step, timestamp: entry.timestamp });
  else if (entry.kind === "param") run.logParam(entry.key, entry.value);
  else run.setTag(entry.key, entry.value);
}

/** Waits for a delivery (a flush, or the final detach); a delivery failure is kept for the summary, and reading goes on. */
async function deliverInto(tally: Tally, delivery: Promise<unknown>): Promise<void> {
  try {
    await delivery;
  } catch (error) {
    if (!(error instanceof LogDeliveryError)) throw error;
    tally.delivery.push(messageOf(error));
  }
}

/** The closing error, when some lines or entries were not logged. */
function summarize(tally: Tally): string | undefined {
  const parts: string[] = [];
  const bad = tally.badLines.length;
  if (bad > 0) {
    const shown = tally.badLines.slice(0, 10).join(", ");
    const more = bad > 10 ? ` and ${(bad - 10).toLocaleString("en-US")} more` : "";
    const unreported = bad > MAX_REPORTED_LINES ? ` (the first ${MAX_REPORTED_LINES} are described above)` : " (each is described above)";
    parts.push(
      `${bad} of ${formatCount(tally.lines, "line")} ${bad === 1 ? "was" : "were"} not logged: line${bad === 1 ? "" : "s"} ${shown}${more}${unreported}; every other line was logged. Fix: correct ${bad === 1 ? "it" : "them"} and pipe ${bad === 1 ? "it" : "them"} to runs log-batch again.`,
    );
  }
  parts.push(...tally.delivery);
  return parts.length === 0 ? undefined : parts.join("\n");
}
