/**
 * `mlflow-ts experiments list|create|rename|delete|restore|describe`: the experiments of the
 * tracking server (or embedded store), each subcommand a line or two over `client.experiments`.
 * An experiment is named by id or by name (cli/experiment-ref.ts).
 */
import { Command, Option } from "commander";
import { AlreadyExistsError } from "../../core/errors.js";
import type { Experiment, ViewType } from "../../protocol/entities/tracking.js";
import { collect, parseKeyValue } from "../arguments.js";
import type { CliContext } from "../context.js";
import { CliFailure } from "../errors.js";
import { EXPERIMENT_LOOKUPS, type ExperimentLookup, resolveExperiment } from "../experiment-ref.js";
import { formatPairs } from "../output/pairs.js";
import { formatTable, formatTime } from "../output/table.js";

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
  const create = new Command("create")
    .description("create an experiment and print its id")
    .argument("<name>", "the experiment's name (unique, deleted experiments included)")
    .option("--artifact-location <uri>", "where its runs store artifacts, e.g. s3://bucket/path (default: the server's artifact root)")
    .option("--tag <key=value>", "an experiment tag (repeatable)", collect(parseKeyValue), [])
    .option("--json", 'print {"experiment_id": …} instead of the bare id')
    .addHelpText("after", "\nExample:\n  $ EXPERIMENT_ID=$(mlflow-ts experiments create nightly --tag team=vision)")
    .action(async (name: string, options: { artifactLocation?: string; tag: { key: string; value: string }[]; json?: boolean }) =>
      createExperiment(context, name, options),
    );
  const rename = withLookup(new Command("rename"))
    .description("rename an experiment")
    .argument("<experiment>", "its id or current name")
    .argument("<new-name>", "the new name")
    .action(async (ref: string, newName: string, options: { by: ExperimentLookup }) => {
      const experiment = await resolveExperiment(context, ref, options.by);
      await context.client().experiments.update(experiment.experiment_id, { new_name: newName });
      context.print(`Renamed experiment ${experiment.experiment_id} from "${experiment.name}" to "${newName}".`);
    });
  const remove = withLookup(new Command("delete"))
    .description("delete an experiment (and its runs); restore brings both back")
    .argument("<experiment>", "its id or name")
    .action(async (ref: string, options: { by: ExperimentLookup }) => {
      const experiment = await resolveExperiment(context, ref, options.by);
      const id = experiment.experiment_id;
      if (experiment.lifecycle_stage === "deleted") return context.print(`Experiment ${id} ("${experiment.name}") is already deleted.`);
      await context.client().experiments.delete(id);
      context.print(`Deleted experiment ${id} ("${experiment.name}") and its runs. Undo with: mlflow-ts experiments restore ${id}`);
    });
  const restore = withLookup(new Command("restore"))
    .description("restore a deleted experiment (and the runs deleted with it)")
    .argument("<experiment>", "its id or name")
    .action(async (ref: string, options: { by: ExperimentLookup }) => {
      const experiment = await resolveExperiment(context, ref, options.by);
      const id = experiment.experiment_id;
      if (experiment.lifecycle_stage !== "deleted") return context.print(`Experiment ${id} ("${experiment.name}") is not deleted; nothing to restore.`);
      await context.client().experiments.restore(id);
      context.print(`Restored experiment ${id} ("${experiment.name}").`);
    });
  const describe = withLookup(new Command("describe"))
    .description("show an experiment: id, name, state, artifact location, times and tags")
    .argument("<experiment>", "its id or name")
    .option("--json", "print the experiment as the REST API returns it")
    .action(async (ref: string, options: { by: ExperimentLookup; json?: boolean }) => {
      const experiment = await resolveExperiment(context, ref, options.by);
      context.print(options.json ? JSON.stringify(experiment, null, 2) : describeExperiment(experiment));
    });
  return new Command("experiments")
    .description("list, create, rename, delete, restore and describe experiments")
    .addCommand(list)
    .addCommand(create)
    .addCommand(rename)
    .addCommand(remove)
    .addCommand(restore)
    .addCommand(describe);
}

/** `--by`: how the experiment argument is read. */
function withLookup(command: Command): Command {
  return command
    .addOption(
      new Option("--by <how>", "read <experiment> as an id, a name, or both (digits are tried as an id too)").choices(EXPERIMENT_LOOKUPS).default("auto"),
    )
    .addHelpText("after", "\n<experiment> is a name (deleted experiments included) or an id; --by settles an argument that is both.");
}

async function createExperiment(
  context: CliContext,
  name: string,
  options: { artifactLocation?: string; tag: { key: string; value: string }[]; json?: boolean },
): Promise<void> {
  const client = context.client();
  const id = await client.experiments.create({ name, artifact_location: options.artifactLocation, tags: options.tag }).catch(async (error: unknown) => {
    if (!(error instanceof AlreadyExistsError)) throw error;
    const existing = await client.experiments.getByName(name);
    if (existing?.lifecycle_stage === "deleted")
      throw new CliFailure(
        `The name "${name}" belongs to deleted experiment ${existing.experiment_id}. Fix: mlflow-ts experiments restore ${existing.experiment_id}, or pick another name.`,
      );
    throw new CliFailure(
      `An experiment named "${name}" already exists${existing ? ` (id ${existing.experiment_id})` : ""}. Fix: use it, or pick another name.`,
    );
  });
  context.print(options.json ? JSON.stringify({ experiment_id: id }) : id);
}

function describeExperiment(experiment: Experiment): string {
  return [
    `Experiment ${experiment.experiment_id} ("${experiment.name}"): ${experiment.lifecycle_stage}`,
    `  artifact location: ${experiment.artifact_location}`,
    `  created:           ${formatTime(experiment.creation_time)}`,
    `  last updated:      ${formatTime(experiment.last_update_time)}`,
    ...formatPairs(
      "Tags",
      experiment.tags.map((tag) => [tag.key, tag.value] as const),
    ),
  ].join("\n");
}
