/** `mlflow-ts experiments list`: the experiments of the tracking server (or embedded store). */
import { Command, Option } from "commander";
import type { Experiment, ViewType } from "../../protocol/entities/tracking.js";
import type { CliContext } from "../context.js";
import { formatTable } from "../output/table.js";

const VIEWS: Record<string, ViewType> = { active: "ACTIVE_ONLY", deleted: "DELETED_ONLY", all: "ALL" };

/**
 * The `experiments` command and its subcommands.
 * @internal
 */
export function experimentsCommand(context: CliContext): Command {
  const list = new Command("list")
    .description("list experiments: id, name, artifact location")
    .option("--json", "print the experiments as a JSON array")
    .addOption(new Option("--view <which>", "which experiments").choices(Object.keys(VIEWS)).default("active"))
    .action(async (options: { json?: boolean; view: string }) => {
      const experiments: Experiment[] = [];
      for await (const experiment of context.client().experiments.search({ view_type: VIEWS[options.view] })) experiments.push(experiment);
      if (options.json) return context.print(JSON.stringify(experiments, null, 2));
      if (experiments.length === 0) return context.print("No experiments.");
      const rows = experiments.map((e) => [e.experiment_id, e.name, e.lifecycle_stage, e.artifact_location]);
      context.print(formatTable([["ID", "NAME", "STATE", "ARTIFACT LOCATION"], ...rows]));
    });
  return new Command("experiments").description("list the experiments of the tracking server").addCommand(list);
}
