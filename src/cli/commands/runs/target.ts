/**
 * Which run a `runs` subcommand acts on, and the logger it writes through. A shell job passes the
 * run from step to step in `MLFLOW_RUN_ID` (`eval "$(mlflow-ts runs create --export)"`), so
 * `--run-id` (or the `[run-id]` argument) defaults to it — read from the configuration, as the
 * library reads it. No run at all is a usage error (exit 2) that says how to name one.
 *
 * The logger is an {@link ActiveRun} on an existing run, with no exit hooks and no status change:
 * these commands deliver what they were given (batched, retried until the delivery deadline, as a
 * training loop's entries are), `detach()` the logger and exit, leaving the run as it was — `runs
 * end` ends it.
 */
import { type Command, Option } from "commander";
import { resolveLoggerOptions } from "../../../logging/options.js";
import { ActiveRun } from "../../../logging/run.js";
import { validateRunId } from "../../../protocol/validation.js";
import { type CliContext, EXIT } from "../../context.js";
import { CliFailure } from "../../errors.js";

/**
 * The `--run-id` option of the commands that log to or end a run.
 * @example
 * new Command("end").addOption(runIdOption());
 * @internal
 */
export function runIdOption(): Option {
  return new Option("--run-id <id>", "the run (default: $MLFLOW_RUN_ID)");
}

/**
 * The run to act on: `given`, else `MLFLOW_RUN_ID`; a usage error (exit 2) when there is neither,
 * and when it is not a run id.
 *
 * @throws {CommanderError} (exit 2) when no run is named.
 * @throws {ValidationError} (exit 2) when the id is malformed.
 * @example
 * const runId = targetRunId(context, options.runId, command);
 * @internal
 */
export function targetRunId(context: CliContext, given: string | undefined, command: Command): string {
  const runId = given ?? context.client().config.fluent.runId;
  if (runId === undefined) {
    command.error('error: no run given. Fix: pass --run-id <id>, or set MLFLOW_RUN_ID (e.g. eval "$(mlflow-ts runs create --export)").', {
      exitCode: EXIT.usage,
      code: "mlflow-ts.runs.noRun",
    });
  }
  validateRunId(runId);
  return runId;
}

/**
 * A logger on the existing run `runId`: reads the run (it must exist and not be deleted) and its
 * params (a param re-logged with another value is refused before any request), installs no exit
 * hook and never sets the run's status.
 *
 * @throws {CliFailure} when the run is deleted.
 * @throws {NotFoundError} when there is no such run.
 * @example
 * const run = await openRunLogger(context, runId);
 * run.logMetric("loss", 0.5, { step: 1 });
 * await run.detach(); // delivered; the run's status unchanged
 * @internal
 */
export async function openRunLogger(context: CliContext, runId: string): Promise<ActiveRun> {
  const client = context.client();
  const existing = await client.runs.get(runId);
  if (existing.info.lifecycle_stage === "deleted") {
    throw new CliFailure(`Run ${runId} is deleted; nothing was logged. Fix: restore it (mlflow-ts runs restore ${runId}) or log to another run.`);
  }
  return new ActiveRun({
    client,
    info: existing.info,
    options: resolveLoggerOptions({ exitHooks: false }, client.config.logger),
    params: new Map(existing.data.params.map((param) => [param.key, param.value])),
  });
}
