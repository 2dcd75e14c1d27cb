/**
 * `mlflow-ts runs …`: one subcommand per file in this folder. `list` and `show` read runs; the rest
 * drive a run from a shell job, one process per step, the run passed on in `MLFLOW_RUN_ID`:
 * `create` → `log-metric` / `log-param` / `set-tag` / `log-batch` → `end` → `describe`; `delete`
 * and `restore` manage it afterwards.
 */
import { Command } from "commander";
import type { CliContext } from "../../context.js";
import { createCommand } from "./create.js";
import { describeCommand } from "./describe.js";
import { endCommand } from "./end.js";
import { deleteCommand, restoreCommand } from "./lifecycle.js";
import { listCommand } from "./list.js";
import { logBatchCommand } from "./log-batch.js";
import { logMetricCommand, logParamCommand, setTagCommand } from "./log-single.js";
import { showCommand } from "./show.js";

/**
 * The `runs` command and its subcommands.
 * @internal
 */
export function runsCommand(context: CliContext): Command {
  return new Command("runs")
    .description("create, log to, end, describe, list, delete and restore runs")
    .addCommand(listCommand(context))
    .addCommand(showCommand(context))
    .addCommand(createCommand(context))
    .addCommand(logMetricCommand(context))
    .addCommand(logParamCommand(context))
    .addCommand(setTagCommand(context))
    .addCommand(logBatchCommand(context))
    .addCommand(endCommand(context))
    .addCommand(describeCommand(context))
    .addCommand(deleteCommand(context))
    .addCommand(restoreCommand(context));
}
