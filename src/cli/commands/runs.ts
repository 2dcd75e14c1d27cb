/** `mlflow-ts runs list --experiment NAME` and `mlflow-ts runs show <run-id>`. */
import { Command, InvalidArgumentError } from "commander";
import type { Run } from "../../protocol/entities/tracking.js";
import type { CliContext } from "../context.js";
import { CliFailure } from "../errors.js";
import { formatTable, formatTime } from "../output/table.js";

/** Most runs `runs list` prints unless `--limit` says otherwise. */
const DEFAULT_LIMIT = 100;

/**
 * The `runs` command and its subcommands.
 * @internal
 */
export function runsCommand(context: CliContext): Command {
  const list = new Command("list")
    .description("list the runs of an experiment, newest first")
    .requiredOption("-e, --experiment <name>", "experiment name")
    .option("--limit <n>", `most runs to list (1-50000)`, parseLimit, DEFAULT_LIMIT)
    .option("--json", "print the runs as a JSON array")
    .action(async (options: { experiment: string; limit: number; json?: boolean }) => listRuns(context, options));
  const show = new Command("show")
    .description("show a run: status, times, params, latest metrics, tags and artifact URI")
    .argument("<run-id>", "the run")
    .option("--json", "print the run as JSON")
    .action(async (runId: string, options: { json?: boolean }) => showRun(context, runId, options));
  return new Command("runs").description("list and show runs").addCommand(list).addCommand(show);
}

async function listRuns(context: CliContext, options: { experiment: string; limit: number; json?: boolean }): Promise<void> {
  const client = context.client();
  const experiment = await client.experiments.getByName(options.experiment);
  if (!experiment)
    throw new CliFailure(`There is no experiment named "${options.experiment}" at ${client.trackingUri}. List them with: mlflow-ts experiments list`);
  const runs = await client.runs
    .search({ experiment_ids: [experiment.experiment_id], order_by: ["attributes.start_time DESC"], max_results: options.limit })
    .toArray(options.limit);
  if (options.json) return context.print(JSON.stringify(runs, null, 2));
  if (runs.length === 0) return context.print(`No runs in experiment "${experiment.name}" (id ${experiment.experiment_id}).`);
  const rows = runs.map((run) => [run.info.run_id, run.info.run_name, run.info.status, formatTime(run.info.start_time)]);
  context.print(formatTable([["RUN ID", "NAME", "STATUS", "STARTED"], ...rows]));
}

async function showRun(context: CliContext, runId: string, options: { json?: boolean }): Promise<void> {
  const run = await context.client().runs.get(runId);
  context.print(options.json ? JSON.stringify(run, null, 2) : describeRun(run));
}

function describeRun(run: Run): string {
  const info = run.info;
  const lines = [
    `Run ${info.run_id}${info.run_name ? ` (${info.run_name})` : ""}: ${info.status}`,
    `  experiment:   ${info.experiment_id}`,
    `  started:      ${formatTime(info.start_time)}`,
    `  ended:        ${formatTime(info.end_time)}`,
    `  artifact URI: ${info.artifact_uri}`,
  ];
  lines.push(
    ...section(
      "Params",
      run.data.params.map((p) => [p.key, p.value]),
    ),
  );
  lines.push(
    ...section(
      "Metrics (latest)",
      run.data.metrics.map((m) => [m.key, `${m.value} (step ${m.step})`]),
    ),
  );
  lines.push(
    ...section(
      "Tags",
      run.data.tags.map((t) => [t.key, t.value]),
    ),
  );
  return lines.join("\n");
}

function section(title: string, pairs: string[][]): string[] {
  if (pairs.length === 0) return [`${title}: none`];
  const sorted = [...pairs].sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
  const width = Math.max(...sorted.map(([key]) => key!.length));
  return [`${title}:`, ...sorted.map(([key, value]) => `  ${key!.padEnd(width)}  ${value}`)];
}

function parseLimit(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 50_000) throw new InvalidArgumentError("expected a whole number from 1 to 50000.");
  return limit;
}
