/**
 * The active model, as `mlflow.set_active_model`: metrics a run logs without a `modelId` are linked
 * to it (`model_id` on the metric, as MLflow 3 links them). One per process; `withActiveModel`
 * scopes one to a callback (AsyncLocalStorage), as Python's `ActiveModel` context manager does.
 */
import type { MlflowClient } from "../client/client.js";
import type { ClientOptions } from "../config/options.js";
import { ValidationError } from "../core/errors.js";
import { createExternalModel } from "../models/external-model.js";
import type { LoggedModel } from "../protocol/entities/logged-model.js";
import { activeModelState, getActiveModelId } from "./active-model-state.js";
import { getActiveRun, resolveClient, resolveExperimentId } from "./fluent.js";

export { getActiveModelId };

/** Options of {@link setActiveModel}: a model by id, or by name (created as an external model when missing). */
export interface SetActiveModelOptions {
  /** The logged model's id (`m-…`). */
  modelId?: string | undefined;
  /** The logged model's name: the newest of that name in the experiment, or a new external model. */
  name?: string | undefined;
  /** Experiment to look the name up in. @defaultValue the active run's, else the fluent default (`MLFLOW_EXPERIMENT_NAME`…) */
  experimentId?: string | undefined;
  /** The client, or options for a new one. @defaultValue the shared client */
  client?: MlflowClient | ClientOptions | undefined;
}

/**
 * Sets the active model and returns it. By `modelId` the model must exist (and match `name` when
 * both are given); by `name` the newest logged model of that name is used, or an external model
 * (`mlflow.model.isExternal`) is created, as Python does.
 *
 * @throws {ValidationError} when neither is given, or the id's model has another name.
 * @throws {NotFoundError} for an unknown `modelId`.
 * @example
 * await setActiveModel({ name: "churn-agent" });
 * run.logMetric("accuracy", 0.93); // linked to that model
 */
export async function setActiveModel(options: SetActiveModelOptions): Promise<LoggedModel> {
  const model = await findActiveModel(options);
  activeModelState.processModelId = model.info.model_id;
  return model;
}

/**
 * Runs `fn` with a model active for it only (and what it awaits), then restores the previous one.
 * @example
 * await withActiveModel({ modelId }, async () => { run.logMetric("eval/accuracy", 0.9); });
 */
export async function withActiveModel<T>(options: SetActiveModelOptions, fn: (model: LoggedModel) => T | Promise<T>): Promise<T> {
  const model = await findActiveModel(options);
  activeModelState.scopedUsed = true;
  return activeModelState.scoped.run(model.info.model_id, () => fn(model));
}

/**
 * Clears the process's active model (set by {@link setActiveModel}); metrics logged after it link
 * to no model. A model made active by {@link withActiveModel} stays active inside its callback.
 * @example
 * await setActiveModel({ name: "churn-v2" });
 * clearActiveModel();
 * getActiveModelId() // undefined
 */
export function clearActiveModel(): void {
  activeModelState.processModelId = undefined;
}

async function findActiveModel(options: SetActiveModelOptions): Promise<LoggedModel> {
  const { modelId, name } = options;
  if (modelId === undefined && name === undefined)
    throw new ValidationError(
      "modelId",
      "active-model",
      "setActiveModel needs a modelId or a name. Fix: setActiveModel({ modelId }) or setActiveModel({ name }).",
    );
  const client = resolveClient(options.client);
  if (modelId !== undefined) {
    const model = await client.loggedModels.get(modelId);
    if (name !== undefined && model.info.name !== name) {
      throw new ValidationError(
        "name",
        "active-model",
        `Logged model ${modelId} is named "${model.info.name}", not "${name}". Fix: give the id alone, or the matching name.`,
      );
    }
    return model;
  }
  const experimentId = options.experimentId ?? getActiveRun()?.experimentId ?? (await resolveExperimentId(client, {}));
  const newestFirst = client.loggedModels.search({
    experiment_ids: [experimentId],
    filter: `name = '${name!.replace(/'/g, "")}'`,
    order_by: [{ field_name: "creation_time", ascending: false }],
    max_results: 1,
  });
  for await (const found of newestFirst) return found;
  return createExternalModel(client, { name: name!, experimentId, sourceRunId: getActiveRun()?.runId });
}
