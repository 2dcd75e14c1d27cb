/**
 * `logModel` on an MLflow 2 server, which has no logged models: the model is logged as MLflow 2's
 * `Model.log` logged it (`mlflow/models/model.py`, 2.22): its folder (the same files as for a
 * logged model) uploaded into the run's artifacts under `<name>/`, then recorded with `POST
 * runs/log-model`, which appends it to the run's `mlflow.log-model.history` tag; registered from
 * `runs:/<run id>/<name>` when asked. MLflow 2 had no model params, tags or type: the model's own
 * params are logged on the run where the run has none of that key (the run's win, as for a logged
 * model), its tags go to the registered version only, and a warning says what had no place.
 */
import { randomUUID } from "node:crypto";
import type { TransferProgress } from "../artifacts/types.js";
import type { ModelVersion } from "../protocol/entities/registry.js";
import type { KeyValue, Run } from "../protocol/entities/tracking.js";
import type { ModelsContext } from "./context.js";
import { journaledFinishModel, type ModelJournal } from "./finish-model.js";
import type { MLmodel } from "./mlmodel.js";
import { type ModelFolderInput, withModelFolder } from "./model-folder.js";
import { type RegisterModelOptions, registerModel } from "./register-model.js";

/** Code of the warning for what an MLflow 2 server has no place for. */
export const MLFLOW_2_MODEL_WARNING = "MLFLOW_TS_MODEL_AS_RUN_ARTIFACTS";

/** What the fallback needs of a `logModel` call. @internal */
export interface RunArtifactModelInput {
  run: Run;
  name: string;
  folder: Omit<ModelFolderInput, "identity">;
  /** The model's own params (checked). */
  userParams: readonly KeyValue[];
  input: {
    modelType?: string | undefined;
    tags?: unknown;
    registeredModelName?: string | undefined;
    registration?: Omit<RegisterModelOptions, "signal"> | undefined;
    onProgress?: ((progress: TransferProgress) => void) | undefined;
    signal?: AbortSignal | undefined;
  };
}

/** What was logged: the parts of `ModelInfo` a model in the run's artifacts has. @internal */
export interface RunArtifactModel {
  modelUri: string;
  artifactUri: string;
  mlmodel: MLmodel;
  registeredModelVersion: ModelVersion | undefined;
}

/**
 * Logs the model into the run's artifacts and records it in `mlflow.log-model.history`; with the
 * run's journal, the folder is journaled before its upload (see finish-model.ts).
 * @throws the upload's or the server's error (nothing is recorded in the history then).
 * @internal
 */
export async function logModelAsRunArtifacts(ctx: ModelsContext, model: RunArtifactModelInput, journal?: ModelJournal): Promise<RunArtifactModel> {
  const { run, name, input } = model;
  const runId = run.info.run_id;
  warnAboutDropped(input, runId);
  const onRun = new Set(run.data.params.map((param) => param.key));
  const params = model.userParams.filter((param) => !onRun.has(param.key));
  if (params.length > 0) await ctx.runs.logBatch(runId, { params });

  // MLflow 2's MLmodel: artifact_path is run-relative, model_uuid a fresh uuid4 hex, no model_id.
  const identity = { artifact_path: name, model_uuid: randomUUID().replace(/-/g, ""), run_id: runId };
  const { mlmodel } = await withModelFolder(
    { ...model.folder, identity },
    async (dir, written) => {
      const target = { kind: "run-artifacts", runId, name, history: historyEntry(written) } as const;
      await journaledFinishModel(ctx, journal, target, dir, { onProgress: input.onProgress, signal: input.signal });
    },
    await journal?.modelFolder(),
  );

  const modelUri = `runs:/${runId}/${name}`;
  const registeredModelVersion =
    input.registeredModelName === undefined
      ? undefined
      : await registerModel(ctx, modelUri, input.registeredModelName, {
          ...(input.registration ?? {}),
          tags: input.registration?.tags ?? (input.tags as RegisterModelOptions["tags"]),
          signal: input.signal,
        });
  return { modelUri, artifactUri: `${run.info.artifact_uri.replace(/\/+$/, "")}/${name}`, mlmodel, registeredModelVersion };
}

/**
 * What MLflow 2 records for a model (`Model.get_tags_dict`): its identity, creation time and
 * flavors, each flavor without its `config`.
 */
function historyEntry(mlmodel: MLmodel): Record<string, unknown> {
  const flavors = Object.fromEntries(
    Object.entries(mlmodel.flavors).map(([flavor, block]) => [flavor, Object.fromEntries(Object.entries(block).filter(([key]) => key !== "config"))]),
  );
  return { artifact_path: mlmodel.artifact_path, flavors, model_uuid: mlmodel.model_uuid, run_id: mlmodel.run_id, utc_time_created: mlmodel.utc_time_created };
}

function warnAboutDropped(input: RunArtifactModelInput["input"], runId: string): void {
  const dropped = [
    input.modelType === undefined ? undefined : "modelType",
    input.tags === undefined || input.registeredModelName !== undefined ? undefined : "tags",
  ].filter((name) => name !== undefined);
  if (dropped.length === 0) return;
  process.emitWarning(
    `The server runs MLflow 2, which has no logged models: the model was logged as artifacts of run ${runId}, and its ${dropped.join(" and ")} had no place there and were not written. Fix: upgrade the server to MLflow 3 to keep them, or record them as run tags.`,
    { code: MLFLOW_2_MODEL_WARNING },
  );
}
