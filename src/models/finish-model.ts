/**
 * The one finishing step of `logModel` once its folder is written: upload the folder where the
 * model's {@link ModelTarget} says, then finalize it — an MLflow 3 logged model READY, or, on an
 * MLflow 2 server, the run's `mlflow.log-model.history` record. `logModel` (log-model.ts,
 * log-model-as-run-artifacts.ts) and the recovery of a killed `logModel` (logging/recovery/replay.ts)
 * both call it, so a recovered model is finished exactly as the live process would have finished it.
 *
 * With a run's journal (`ModelJournal`, given by the logger), the folder is written inside the
 * journal's folder and journaled (its files by path, size, mtime and SHA-256, and the target)
 * before the upload starts, and acknowledged once the model is finished or failed (docs/journal.md,
 * "Models").
 */
import type { TransferProgress } from "../artifacts/types.js";
import type { RequestOptions } from "../core/http/transport.js";
import type { ModelTarget } from "../journal/index.js";
import type { LoggedModel } from "../protocol/entities/logged-model.js";
import type { ModelsContext } from "./context.js";

/** The target of an MLflow 3 logged model. */
export type LoggedModelTarget = Extract<ModelTarget, { kind: "logged-model" }>;

/** How the finishing step calls the server. */
export interface FinishModelOptions extends RequestOptions {
  /** Upload progress of the model's files. */
  onProgress?: ((progress: TransferProgress) => void) | undefined;
}

/**
 * A run's journal as `logModel` sees it (implemented by the logger, logging/journaled-model.ts):
 * where to write the model's folder, and how to journal it before the upload.
 * @internal
 */
export interface ModelJournal {
  /** A fresh folder for the model inside the run's journal; `undefined`: write it in the system's temporary folder, unjournaled. */
  modelFolder(): Promise<string | undefined>;
  /**
   * Journals the model whose folder `dir` (from {@link ModelJournal.modelFolder}) is written, durably,
   * before its upload; returns the function that acknowledges it once the model is finished or
   * failed, or `undefined` when it was not journaled (the folder is above the journal's bound).
   */
  record(dir: string, target: ModelTarget): Promise<(() => void) | undefined>;
}

/**
 * Uploads the model's folder `dir` and finalizes it as `target` says.
 *
 * @returns the logged model as the server has it now (READY); `undefined` for a model logged as run artifacts.
 * @throws the upload's or the server's error (nothing is finalized then; the caller decides).
 * @example
 * const model = await finishModel(client, { kind: "logged-model", modelId }, "/tmp/model", {});
 * @internal
 */
export function finishModel(ctx: ModelsContext, target: LoggedModelTarget, dir: string, options: FinishModelOptions): Promise<LoggedModel>;
export function finishModel(ctx: ModelsContext, target: ModelTarget, dir: string, options: FinishModelOptions): Promise<LoggedModel | undefined>;
export async function finishModel(ctx: ModelsContext, target: ModelTarget, dir: string, options: FinishModelOptions): Promise<LoggedModel | undefined> {
  if (target.kind === "logged-model") {
    await ctx.loggedModels.uploadArtifacts(target.modelId, dir, options);
    return ctx.loggedModels.finalize(target.modelId, "LOGGED_MODEL_READY", options);
  }
  await ctx.artifacts.upload(target.runId, dir, { ...options, artifactPath: target.name });
  await ctx.runs.logModel(target.runId, { ...target.history }, options);
  return undefined;
}

/**
 * {@link finishModel}, journaled first when `journal` is given: the entry is acknowledged when
 * the call settles, succeeded or failed (a failed model is the caller's to mark failed; only a
 * process killed in between leaves it to recovery).
 *
 * @throws what {@link finishModel} throws.
 * @example
 * const model = await journaledFinishModel(client, journal, { kind: "logged-model", modelId }, dir, {});
 * @internal
 */
export function journaledFinishModel(
  ctx: ModelsContext,
  journal: ModelJournal | undefined,
  target: LoggedModelTarget,
  dir: string,
  options: FinishModelOptions,
): Promise<LoggedModel>;
export function journaledFinishModel(
  ctx: ModelsContext,
  journal: ModelJournal | undefined,
  target: ModelTarget,
  dir: string,
  options: FinishModelOptions,
): Promise<LoggedModel | undefined>;
export async function journaledFinishModel(
  ctx: ModelsContext,
  journal: ModelJournal | undefined,
  target: ModelTarget,
  dir: string,
  options: FinishModelOptions,
): Promise<LoggedModel | undefined> {
  const settle = await journal?.record(dir, target);
  try {
    return await finishModel(ctx, target, dir, options);
  } finally {
    settle?.();
  }
}
