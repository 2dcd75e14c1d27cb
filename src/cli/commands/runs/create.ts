/**
 * `mlflow-ts runs create`: the first step of a shell job. It creates a run the way `startRun` does
 * (the same experiment resolution — `--experiment-name`/`--experiment-id`, then
 * `MLFLOW_EXPERIMENT_NAME`, then `MLFLOW_EXPERIMENT_ID`, then Default — and the same system tags)
 * but through `createRunEntity`, below the logger: no exit hook is installed, so the run stays
 * RUNNING after this process exits, for the next steps to log to and `runs end` to end.
 * `MLFLOW_RUN_ID` is never resumed here: `create` always creates.
 */
import { Command } from "commander";
import { createRunEntity, resolveExperimentId } from "../../../logging/fluent.js";
import type { KeyValue } from "../../../protocol/entities/tracking.js";
import { validatedParams, validatedTags } from "../../../protocol/key-values.js";
import { collect, parseKeyValue } from "../../arguments.js";
import type { CliContext } from "../../context.js";
import { printJson } from "./json-output.js";

interface CreateOptions {
  experimentName?: string;
  experimentId?: string;
  runName?: string;
  tag: KeyValue[];
  param: KeyValue[];
  export?: boolean;
  json?: boolean;
}

/**
 * The `runs create` command.
 * @internal
 */
export function createCommand(context: CliContext): Command {
  return new Command("create")
    .description("create a run (it stays RUNNING until `runs end`) and print its id")
    .option("--experiment-name <name>", "experiment, created when missing (default: $MLFLOW_EXPERIMENT_NAME, $MLFLOW_EXPERIMENT_ID, then Default)")
    .option("--experiment-id <id>", "experiment id (must exist)")
    .option("--run-name <name>", "display name (default: one the server generates)")
    .option("--tag <key=value>", "a run tag (repeatable)", collect(parseKeyValue), [])
    .option("--param <key=value>", "a param (repeatable)", collect(parseKeyValue), [])
    .option("--export", 'print `export MLFLOW_RUN_ID=<id>`, for eval "$(mlflow-ts runs create --export)"')
    .option("--json", "print the created run as JSON")
    .addHelpText(
      "after",
      '\nExamples:\n  $ eval "$(mlflow-ts runs create --experiment-name ci --export)"\n  $ echo "MLFLOW_RUN_ID=$(mlflow-ts runs create --run-name nightly)" >> "$GITHUB_ENV"',
    )
    .action(async (options: CreateOptions, command: Command) => {
      if (options.experimentName !== undefined && options.experimentId !== undefined) {
        command.error("error: give --experiment-name or --experiment-id, not both.", { exitCode: 2, code: "mlflow-ts.runs.twoExperiments" });
      }
      if (options.export && options.json) command.error("error: give --export or --json, not both.", { exitCode: 2, code: "mlflow-ts.runs.twoFormats" });
      const tags = validatedTags(options.tag);
      const params = validatedParams(options.param);
      const client = context.client();
      const experimentId = await resolveExperimentId(client, { experimentId: options.experimentId, experimentName: options.experimentName });
      const run = await createRunEntity(client, { experimentId, runName: options.runName, tags });
      if (params.length > 0) await client.runs.logBatch(run.info.run_id, { params });
      if (options.json) return printJson(context, { ...run, data: { ...run.data, params } });
      context.print(options.export ? `export MLFLOW_RUN_ID=${shellWord(run.info.run_id)}` : run.info.run_id);
    });
}

/** A word the shell reads back unchanged: as is when it is plain, else single-quoted. */
function shellWord(text: string): string {
  return /^[\w.-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
