/** `mlflow-ts runs list --experiment NAME`: an experiment's runs, newest first. */
import { Command, InvalidArgumentError } from "commander";
import type { CliContext } from "../../context.js";
import { CliFailure } from "../../errors.js";
import { formatTable, formatTime } from "../../output/table.js";

/** Most runs `runs list` prints unless `--limit` says otherwise. */
const DEFAULT_LIMIT = 100;

/**
 * The `runs list` command.
 * @internal
 */
export function listCommand(context: CliContext): Command {
  return new Command("list")
    .description("list the runs of an experiment, newest first")
    .requiredOption("-e, --experiment <name>", "experiment name")
    .option("--limit <n>", `most runs to list (1-50000)`, parseLimit, DEFAULT_LIMIT)
    .option("--json", "print the runs as a JSON array")
    .action(async (options: { experiment: string; limit: number; json?: boolean }) => listRuns(context, options));
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

function parseLimit(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 50_000) throw new InvalidArgumentError("expected a whole number from 1 to 50000.");
  return limit;
}
