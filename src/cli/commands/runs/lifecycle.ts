/**
 * `mlflow-ts runs delete <run-id>` and `runs restore <run-id>`: MLflow's soft delete (the run
 * moves to the `deleted` lifecycle stage; the server's garbage collection removes it for good
 * later) and its undo. The run is named explicitly — never taken from `MLFLOW_RUN_ID` — so a
 * deletion is always deliberate.
 */
import { Command } from "commander";
import { validateRunId } from "../../../protocol/validation.js";
import type { CliContext } from "../../context.js";

/**
 * The `runs delete` command.
 * @internal
 */
export function deleteCommand(context: CliContext): Command {
  return new Command("delete")
    .description("delete a run (soft: `runs restore` brings it back until the server's gc removes it)")
    .argument("<run-id>", "the run")
    .action(async (runId: string) => {
      validateRunId(runId);
      await context.client().runs.delete(runId);
      context.print(`Deleted run ${runId}. Undo with: mlflow-ts runs restore ${runId}`);
    });
}

/**
 * The `runs restore` command.
 * @internal
 */
export function restoreCommand(context: CliContext): Command {
  return new Command("restore")
    .description("restore a deleted run")
    .argument("<run-id>", "the run")
    .action(async (runId: string) => {
      validateRunId(runId);
      await context.client().runs.restore(runId);
      context.print(`Restored run ${runId}.`);
    });
}
