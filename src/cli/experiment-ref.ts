/**
 * Which experiment a command-line argument names: `experiments rename|delete|restore|describe`
 * take an id or a name, as a CI script has one or the other at hand. A name is looked up as
 * `mlflow.get_experiment_by_name` does (deleted experiments too, so `restore <name>` finds one); an
 * argument of digits is also tried as an id. When the two lookups find different experiments the
 * argument is ambiguous and `--by` decides.
 */
import { InvalidParameterError, NotFoundError, ValidationError } from "../core/errors.js";
import type { Experiment } from "../protocol/entities/tracking.js";
import type { CliContext } from "./context.js";
import { CliFailure } from "./errors.js";

/** How an experiment argument is read: as an id, as a name, or both (the default). */
export type ExperimentLookup = "auto" | "id" | "name";

/** The values `--by` accepts. @internal */
export const EXPERIMENT_LOOKUPS: readonly ExperimentLookup[] = ["auto", "id", "name"];

/**
 * The experiment `ref` names, by name and (digits only, or with `by: "id"`) by id.
 *
 * @throws {ValidationError} (exit 2) when the name and the id name two different experiments.
 * @throws {CliFailure} (exit 1) when no experiment has this name or id.
 * @example
 * const experiment = await resolveExperiment(context, "mnist", "auto");
 * @internal
 */
export async function resolveExperiment(context: CliContext, ref: string, by: ExperimentLookup): Promise<Experiment> {
  const client = context.client();
  const byName = by === "id" ? undefined : await client.experiments.getByName(ref);
  const byId = by === "name" || (by === "auto" && !/^\d+$/.test(ref)) ? undefined : await experimentById(context, ref);
  if (byName !== undefined && byId !== undefined && byName.experiment_id !== byId.experiment_id)
    throw new ValidationError(
      "experiment",
      "experiment-ambiguous",
      `"${ref}" is both the name of experiment ${byName.experiment_id} and the id of experiment "${byId.name}". Fix: add --by name or --by id.`,
    );
  const found = byName ?? byId;
  if (found !== undefined) return found;
  const what = by === "id" ? "with id" : by === "name" ? "named" : "named or with id";
  throw new CliFailure(
    `There is no experiment ${what} "${ref}" at ${client.trackingUri}. Fix: check the name or id; mlflow-ts experiments list --view all lists them (deleted ones too).`,
  );
}

/** The experiment with this id, or undefined (servers answer an id they cannot parse with 400). */
async function experimentById(context: CliContext, id: string): Promise<Experiment | undefined> {
  try {
    return await context.client().experiments.get(id);
  } catch (error) {
    if (error instanceof NotFoundError || error instanceof InvalidParameterError) return undefined;
    throw error;
  }
}
