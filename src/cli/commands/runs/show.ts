/** `mlflow-ts runs show <run-id>`: one run's status, times, params, latest metrics, tags and artifact URI. */
import { Command } from "commander";
import type { Run } from "../../../protocol/entities/tracking.js";
import type { CliContext } from "../../context.js";
import { formatPairs } from "../../output/pairs.js";
import { formatTime } from "../../output/table.js";

/**
 * The `runs show` command.
 * @internal
 */
export function showCommand(context: CliContext): Command {
  return new Command("show")
    .description("show a run: status, times, params, latest metrics, tags and artifact URI")
    .argument("<run-id>", "the run")
    .option("--json", "print the run as JSON")
    .action(async (runId: string, options: { json?: boolean }) => {
      const run = await context.client().runs.get(runId);
      context.print(options.json ? JSON.stringify(run, null, 2) : describeRun(run));
    });
}

function describeRun(run: Run): string {
  return [
    ...runHeaderLines(run),
    ...paramLines(run),
    ...formatPairs(
      "Metrics (latest)",
      run.data.metrics.map((m) => [m.key, `${m.value} (step ${m.step})`]),
    ),
    ...tagLines(run),
  ].join("\n");
}

/**
 * The `Params:` block of `runs show` and `runs describe`, sorted by key.
 * @example
 * paramLines(run) // ["Params:", "  lr  0.01"]
 * @internal
 */
export function paramLines(run: Run): string[] {
  return formatPairs(
    "Params",
    run.data.params.map((p) => [p.key, p.value]),
  );
}

/**
 * The `Tags:` block of `runs show` and `runs describe`, sorted by key.
 * @example
 * tagLines(run) // ["Tags:", "  mlflow.runName  bright-owl-42"]
 * @internal
 */
export function tagLines(run: Run): string[] {
  return formatPairs(
    "Tags",
    run.data.tags.map((t) => [t.key, t.value]),
  );
}

/**
 * The first lines of `runs show` and `runs describe`: id, name, status, experiment, times, artifact URI.
 * @example
 * runHeaderLines(run)[0] // "Run 0a1b… (baseline): FINISHED"
 * @internal
 */
export function runHeaderLines(run: Run): string[] {
  const info = run.info;
  return [
    `Run ${info.run_id}${info.run_name ? ` (${info.run_name})` : ""}: ${info.status}`,
    `  experiment:   ${info.experiment_id}`,
    `  started:      ${formatTime(info.start_time)}`,
    `  ended:        ${formatTime(info.end_time)}`,
    `  artifact URI: ${info.artifact_uri}`,
  ];
}
