/**
 * `mlflow-ts runs end [--status FINISHED|FAILED|KILLED]`: the last step of a shell job. It sets the
 * status and the end time of a run another process created, as `MlflowClient.set_terminated` does
 * in Python; the earlier steps already delivered what they logged before they exited.
 */
import { Command, Option } from "commander";
import type { CliContext } from "../../context.js";
import { runIdOption, targetRunId } from "./target.js";

const END_STATUSES = ["FINISHED", "FAILED", "KILLED"] as const;

/**
 * The `runs end` command.
 * @internal
 */
export function endCommand(context: CliContext): Command {
  return new Command("end")
    .description("end a run: set its status (default FINISHED) and end time")
    .addOption(runIdOption())
    .addOption(new Option("--status <status>", "final status").choices(END_STATUSES).default("FINISHED"))
    .action(async (options: { runId?: string; status: (typeof END_STATUSES)[number] }, command: Command) => {
      const runId = targetRunId(context, options.runId, command);
      await context.client().runs.update(runId, { status: options.status, end_time: Date.now() });
      context.print(`Run ${runId} ended ${options.status}.`);
    });
}
