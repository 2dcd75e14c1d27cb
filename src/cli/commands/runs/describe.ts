/**
 * `mlflow-ts runs describe [run-id] [--json]`: a run as a person or a CI step wants to see it at the
 * end of a job — header (status, times, artifact root), params, tags and metrics. On a terminal each
 * metric's whole history is drawn as a sparkline with its last, min and max; elsewhere (a CI log, a
 * pipe) the text is plain, one line per metric with its latest value, and no history is fetched.
 * `--json` prints the run entity and every metric's history.
 */
import { Command } from "commander";
import type { MlflowClient } from "../../../client/client.js";
import type { Metric, Run } from "../../../protocol/entities/tracking.js";
import { validateRunId } from "../../../protocol/validation.js";
import type { CliContext } from "../../context.js";
import { formatPairs } from "../../output/pairs.js";
import { sparkline } from "../../output/sparkline.js";
import { formatTable } from "../../output/table.js";
import { printJson } from "./json-output.js";
import { paramLines, runHeaderLines, tagLines } from "./show.js";
import { targetRunId } from "./target.js";
import { formatMetricValue } from "./values.js";

/** One point of a metric's history, as `--json` prints it. */
type HistoryPoint = Pick<Metric, "step" | "timestamp" | "value">;

/**
 * The `runs describe` command.
 * @internal
 */
export function describeCommand(context: CliContext): Command {
  return new Command("describe")
    .description("describe a run: params, tags, metrics (a sparkline of each history on a terminal), artifact root")
    .argument("[run-id]", "the run (default: $MLFLOW_RUN_ID)")
    .option("--json", 'print {"run": the run, "metric_history": {key: [{step, timestamp, value}]}}')
    .action(async (given: string | undefined, options: { json?: boolean }, command: Command) => {
      const runId = given === undefined ? targetRunId(context, undefined, command) : given;
      validateRunId(runId);
      const client = context.client();
      const run = await client.runs.get(runId);
      const withHistory = options.json === true || context.io.stdout.isTTY === true;
      const histories = withHistory ? await metricHistories(client, run) : undefined;
      if (options.json) return printJson(context, { run, metric_history: Object.fromEntries(histories!) });
      context.print(describeText(run, histories));
    });
}

/** Every metric's history, in step order (then time), by key. */
async function metricHistories(client: MlflowClient, run: Run): Promise<Map<string, HistoryPoint[]>> {
  const histories = new Map<string, HistoryPoint[]>();
  for (const { key } of [...run.data.metrics].sort((a, b) => (a.key < b.key ? -1 : 1))) {
    const points: HistoryPoint[] = [];
    for await (const { step, timestamp, value } of client.metrics.getHistory(run.info.run_id, key)) points.push({ step, timestamp, value });
    points.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
    histories.set(key, points);
  }
  return histories;
}

/**
 * The text of `runs describe`: with `histories`, a sparkline and last/min/max per metric; without,
 * the latest value and step.
 * @example
 * describeText(run, new Map([["loss", [{ step: 0, timestamp: 1, value: 1 }, { step: 1, timestamp: 2, value: 0.5 }]]]))
 * @internal
 */
export function describeText(run: Run, histories: ReadonlyMap<string, readonly HistoryPoint[]> | undefined): string {
  const lines = [...runHeaderLines(run), ...paramLines(run), ...tagLines(run)];
  if (histories === undefined) {
    lines.push(
      ...formatPairs(
        "Metrics (latest)",
        run.data.metrics.map((m) => [m.key, `${formatMetricValue(m.value)} (step ${m.step})`]),
      ),
    );
  } else if (histories.size === 0) lines.push("Metrics: none");
  else {
    const rows = [...histories].map(([key, points]) => historyRow(key, points));
    lines.push(
      "Metrics (history):",
      ...formatTable(rows)
        .split("\n")
        .map((line) => `  ${line}`),
    );
  }
  return lines.join("\n");
}

function historyRow(key: string, points: readonly HistoryPoint[]): string[] {
  const values = points.map((point) => point.value);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let finite = 0;
  for (const value of values) {
    if (!Number.isFinite(value)) continue;
    finite += 1;
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  const last = points.at(-1);
  return [
    key,
    sparkline(values),
    last === undefined ? "last -" : `last ${formatMetricValue(last.value)} (step ${last.step})`,
    `min ${finite > 0 ? formatMetricValue(min) : "-"}`,
    `max ${finite > 0 ? formatMetricValue(max) : "-"}`,
    points.length === 1 ? "1 point" : `${points.length.toLocaleString("en-US")} points`,
  ];
}
