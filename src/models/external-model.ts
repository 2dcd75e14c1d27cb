/**
 * An external model, as `mlflow.create_external_model` makes one: a logged model whose files live
 * outside MLflow (tag `mlflow.model.isExternal`), with only a placeholder `MLmodel` (no flavor) so
 * that it can still be registered; READY at once. `setActiveModel({ name })` creates one when no
 * model of that name exists, as Python's `set_active_model` does.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LoggedModel } from "../protocol/entities/logged-model.js";
import type { ModelsContext } from "./context.js";
import { MLMODEL_FILE, mlmodelYaml, utcTimeCreated } from "./mlmodel.js";
import { TARGET_MLFLOW_VERSION } from "./targets.js";

/** The tag MLflow marks an external model with. */
export const MODEL_IS_EXTERNAL_TAG = "mlflow.model.isExternal";

/**
 * Creates an external model; see the module comment.
 * @internal
 */
export async function createExternalModel(
  ctx: ModelsContext,
  init: { name: string; experimentId: string; sourceRunId?: string; tags?: Record<string, string> },
): Promise<LoggedModel> {
  const created = await ctx.loggedModels.create({
    experiment_id: init.experimentId,
    name: init.name,
    source_run_id: init.sourceRunId,
    tags: { ...init.tags, [MODEL_IS_EXTERNAL_TAG]: "true" },
  });
  const modelId = created.info.model_id;
  const dir = await mkdtemp(join(tmpdir(), "mlflow-ts-external-model-"));
  try {
    const mlmodel = {
      artifact_path: created.info.artifact_uri,
      flavors: {},
      mlflow_version: TARGET_MLFLOW_VERSION,
      model_id: modelId,
      model_uuid: modelId,
      run_id: init.sourceRunId,
      utc_time_created: utcTimeCreated(),
    };
    await writeFile(join(dir, MLMODEL_FILE), mlmodelYaml(mlmodel));
    await ctx.loggedModels.uploadArtifacts(modelId, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return ctx.loggedModels.finalize(modelId, "LOGGED_MODEL_READY");
}
