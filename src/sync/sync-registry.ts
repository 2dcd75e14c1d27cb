/**
 * The model-registry step of a sync, after runs and logged models: every source model version of
 * a synced run or logged model is registered on the target under the same registered-model name
 * (created when missing), its source translated to the copies (`model-source.ts`), its run and
 * model ids translated, its description and tags copied, tagged `mlflow-ts.sync.sourceVersion`;
 * then its stage, and the registered model's aliases (never moved away from another version).
 * A version copied before is brought up to date: its description, tags (deleted ones too) and
 * stage; a registered model found on the target gets the source's description and changed or new
 * tags (its own tags are never deleted).
 */
import type { MlflowClient } from "../client/client.js";
import { AlreadyExistsError, NotFoundError } from "../core/errors.js";
import type { LoggedModel } from "../protocol/entities/logged-model.js";
import type { ModelStage, ModelVersion, RegisteredModel } from "../protocol/entities/registry.js";
import type { Run } from "../protocol/entities/tracking.js";
import { describeError } from "./errors.js";
import { classifySource, modelIdOfSource, type SourceOwner, type SourceReference, targetSource, untranslatableReason } from "./model-source.js";
import { hasTagChanges, tagChanges } from "./tag-changes.js";
import { isBookkeepingTag, SYNC_SOURCE_VERSION_TAG } from "./tags.js";
import type { ModelVersionSyncResult, RegisteredModelSyncResult, SyncEvent } from "./types.js";

/** Tag that makes a registered model a prompt (prompts are not synced). */
const IS_PROMPT_TAG = "mlflow.prompt.is_prompt";

/**
 * Copies of the source's runs or logged models: source id → target id, or `null` for a copy a dry
 * run would make.
 */
export type CopyIds = ReadonlyMap<string, string | null>;

/** What the registry step reads and where it writes. */
export interface RegistryContext {
  from: MlflowClient;
  to: MlflowClient;
  dryRun: boolean;
  /** Every source run of the synced experiments, by id (deleted ones too). */
  sourceRuns: ReadonlyMap<string, Run>;
  /** Every source logged model of the synced experiments, by id. */
  sourceModels: ReadonlyMap<string, LoggedModel>;
  runCopies: CopyIds;
  modelCopies: CopyIds;
  signal?: AbortSignal;
  emit: (event: SyncEvent) => void;
}

/** What the registry step did. */
export interface RegistrySyncResult {
  registeredModels: RegisteredModelSyncResult[];
  versions: ModelVersionSyncResult[];
}

/**
 * Registers the versions of the synced runs and logged models on the target, registered model by
 * registered model (sorted by name), versions in ascending order. Failures are recorded in the
 * results; an abort stops it between two versions (the caller throws).
 *
 * @throws whatever the source client throws when listing its versions.
 * @example
 * const { registeredModels, versions } = await syncRegistry(context);
 */
export async function syncRegistry(context: RegistryContext): Promise<RegistrySyncResult> {
  const { from, signal } = context;
  const all = await from.modelVersions.search({}, { signal });
  const byName = new Map<string, ModelVersion[]>();
  for (const version of all.filter((v) => isSynced(context, v) && !isPrompt(v))) byName.set(version.name, [...(byName.get(version.name) ?? []), version]);
  const result: RegistrySyncResult = { registeredModels: [], versions: [] };
  for (const name of [...byName.keys()].sort()) {
    if (signal?.aborted) break;
    const versions = byName.get(name)!.sort((a, b) => Number(a.version) - Number(b.version));
    await syncRegisteredModel(context, name, versions, result);
  }
  return result;
}

/**
 * Whether the version belongs to a run or logged model of the synced experiments (its `model_id`,
 * or the model its `models:/m-…` source names: MLflow's SQL registry does not keep `model_id`).
 */
function isSynced(context: RegistryContext, version: ModelVersion): boolean {
  const modelId = modelIdOf(version);
  return (version.run_id !== undefined && context.sourceRuns.has(version.run_id)) || (modelId !== undefined && context.sourceModels.has(modelId));
}

function modelIdOf(version: ModelVersion): string | undefined {
  return version.model_id || modelIdOfSource(version.source ?? "");
}

function isPrompt(version: ModelVersion): boolean {
  return version.tags.some((tag) => tag.key === IS_PROMPT_TAG && tag.value.toLowerCase() === "true");
}

/** One registered model: resolved on the target, its versions copied, then its aliases. */
async function syncRegisteredModel(context: RegistryContext, name: string, versions: ModelVersion[], out: RegistrySyncResult): Promise<void> {
  const { from, to, dryRun, signal } = context;
  const model: RegisteredModelSyncResult = { name, action: "reuse", outcome: dryRun ? "planned" : "done", aliasesSet: [], aliasesLeft: [] };
  out.registeredModels.push(model);
  let source: RegisteredModel;
  let copies: Map<string, ModelVersion>;
  try {
    source = await from.registeredModels.get(name, { signal });
    const target = await getRegisteredModel(to, name, signal);
    if (!target) model.action = "create";
    if (!target && !dryRun) await createRegisteredModel(to, source, signal);
    if (target) await updateRegisteredModel(context, model, source, target);
    copies = target ? await versionCopies(to, name, signal) : new Map();
  } catch (error) {
    if (signal?.aborted) return;
    Object.assign(model, { outcome: "failed", error: describeError(error) });
    for (const version of versions)
      finish(context, out, { ...versionResult(version), outcome: "failed", error: `its registered model could not be resolved on the target: ${model.error}` });
    return;
  }
  const targetVersions = new Map<string, string | null>();
  for (const version of versions) {
    if (signal?.aborted) return;
    const result = await syncVersion(context, version, copies.get(version.version));
    if (result.targetVersion !== undefined) targetVersions.set(version.version, result.targetVersion);
    else if (result.outcome === "planned") targetVersions.set(version.version, null);
    finish(context, out, result);
  }
  await syncAliases(context, model, source, targetVersions);
}

function finish(context: RegistryContext, out: RegistrySyncResult, result: ModelVersionSyncResult): void {
  out.versions.push(result);
  context.emit({ type: "model-version-finished", version: { ...result } });
}

async function getRegisteredModel(client: MlflowClient, name: string, signal: AbortSignal | undefined): Promise<RegisteredModel | undefined> {
  try {
    return await client.registeredModels.get(name, { signal });
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** Creates the registered model with the source's description and tags; one created meanwhile is reused. */
async function createRegisteredModel(to: MlflowClient, source: RegisteredModel, signal: AbortSignal | undefined): Promise<void> {
  try {
    await to.registeredModels.create({ name: source.name, description: source.description || undefined, tags: source.tags }, { signal });
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error;
  }
}

/**
 * Sets the source's description and its changed or new tags on a registered model found on the
 * target (tags only the target has are kept); records the update, or its failure, in `model`.
 */
async function updateRegisteredModel(
  context: RegistryContext,
  model: RegisteredModelSyncResult,
  source: RegisteredModel,
  target: RegisteredModel,
): Promise<void> {
  const { to, dryRun, signal } = context;
  const description = (source.description || "") !== (target.description || "");
  const tags = tagChanges(source.tags, target.tags, (key) => !isBookkeepingTag(key), false);
  const changed = [description && "description", hasTagChanges(tags) && "tags"].filter((word) => word !== false);
  if (changed.length === 0) return;
  Object.assign(model, { action: "update", reason: `changed since the last copy: ${changed.join(", ")}` });
  if (dryRun) return;
  try {
    if (description) await to.registeredModels.update(source.name, { description: source.description ?? "" }, { signal });
    for (const tag of tags.set) await to.registeredModels.setTag(source.name, tag.key, tag.value, { signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    Object.assign(model, { outcome: "failed", error: describeError(error) }); // its versions are still synced
  }
}

/** The copies among a target registered model's versions, by source version number. */
async function versionCopies(to: MlflowClient, name: string, signal: AbortSignal | undefined): Promise<Map<string, ModelVersion>> {
  const copies = new Map<string, ModelVersion>();
  for (const version of await to.modelVersions.search({ filter: nameFilter(name) }, { signal })) {
    const sourceVersion = version.tags.find((tag) => tag.key === SYNC_SOURCE_VERSION_TAG)?.value;
    if (sourceVersion !== undefined && !copies.has(sourceVersion)) copies.set(sourceVersion, version);
  }
  return copies;
}

/** `name='…'` (double quotes when the name holds a single quote). */
function nameFilter(name: string): string {
  return name.includes("'") ? `name="${name}"` : `name='${name}'`;
}

function versionResult(version: ModelVersion): ModelVersionSyncResult {
  return { name: version.name, sourceVersion: version.version, action: "copy", reason: "not copied yet", outcome: "planned" };
}

/** One version: brought up to date when copied already (see {@link syncVersionCopy}), registered otherwise. */
async function syncVersion(context: RegistryContext, version: ModelVersion, copy: ModelVersion | undefined): Promise<ModelVersionSyncResult> {
  const result = versionResult(version);
  const stage = stageOf(version);
  if (copy) return syncVersionCopy(context, version, copy, { ...result, targetVersion: copy.version });
  const reference = classifySource(version.source ?? "", ownerOfRun(context, version.run_id), modelOwners(context, version.model_id));
  if (!reference) return { ...result, action: "skip", reason: untranslatableReason(version.source ?? ""), outcome: "skipped" };
  const copies = reference.kind === "run-uri" || reference.kind === "inside-run" ? context.runCopies : context.modelCopies;
  const referencedId = referencedIdOf(reference);
  if (!copies.has(referencedId)) return { ...result, action: "skip", reason: missingCopyReason(reference, referencedId), outcome: "skipped" };
  if (context.dryRun) return result;
  return recordWrite(context, result, async () => {
    const created = await register(context, version, reference, copies.get(referencedId)!);
    Object.assign(result, { targetVersion: created.version, targetSource: created.source });
    if (stage !== undefined) await transition(context, version.name, created.version, stage);
  });
}

/**
 * A version copied before: skipped when equal; otherwise its description, tags (set, and deleted
 * when gone at the source; bookkeeping tags kept) and stage (without archiving others) are written.
 * A copy whose only difference is a missing stage is a `resume` (`its copy has no stage yet`: an
 * interrupted copy looks the same as a stage set at the source later); any other difference is an
 * `update` (`changed since the last copy: description, tags, stage`).
 */
async function syncVersionCopy(
  context: RegistryContext,
  version: ModelVersion,
  copy: ModelVersion,
  result: ModelVersionSyncResult,
): Promise<ModelVersionSyncResult> {
  const { to, signal } = context;
  const description = (version.description || "") !== (copy.description || "");
  const tags = tagChanges(version.tags, copy.tags, (key) => !isBookkeepingTag(key));
  const stage = stageOf(version);
  const stageChanged = stage !== stageOf(copy);
  const changed = [description && "description", hasTagChanges(tags) && "tags", stageChanged && "stage"].filter((word) => word !== false);
  if (changed.length === 0) return { ...result, action: "skip", reason: "already copied", outcome: "skipped" };
  if (changed.length === 1 && stageChanged && stageOf(copy) === undefined) Object.assign(result, { action: "resume", reason: "its copy has no stage yet" });
  else Object.assign(result, { action: "update", reason: `changed since the last copy: ${changed.join(", ")}` });
  return recordWrite(context, result, async () => {
    if (description) await to.modelVersions.update(version.name, copy.version, { description: version.description ?? "" }, { signal });
    for (const tag of tags.set) await to.modelVersions.setTag(version.name, copy.version, tag.key, tag.value, { signal });
    for (const key of tags.remove) await to.modelVersions.deleteTag(version.name, copy.version, key, { signal });
    if (stageChanged) await transition(context, version.name, copy.version, stage ?? "None");
  });
}

/** Runs a write of a version's copy; records `done`, or the failure. */
async function recordWrite(context: RegistryContext, result: ModelVersionSyncResult, work: () => Promise<void>): Promise<ModelVersionSyncResult> {
  if (context.dryRun) return result;
  try {
    await work();
    result.outcome = "done";
  } catch (error) {
    if (context.signal?.aborted) throw error;
    Object.assign(result, { outcome: "failed", error: describeError(error) });
  }
  return result;
}

/** Registers the copy of `version` with its source, run and model ids translated. */
async function register(context: RegistryContext, version: ModelVersion, reference: SourceReference, targetId: string): Promise<ModelVersion> {
  const { to, signal } = context;
  const artifactUri = await artifactUriOfCopy(context, reference, targetId);
  const tags = [...version.tags.filter((tag) => !isBookkeepingTag(tag.key)), { key: SYNC_SOURCE_VERSION_TAG, value: version.version }];
  return to.modelVersions.create(
    {
      name: version.name,
      source: targetSource(reference, targetId, artifactUri),
      run_id: translated(context.runCopies, version.run_id),
      model_id: reference.kind === "model-uri" || reference.kind === "inside-model" ? targetId : translated(context.modelCopies, modelIdOf(version)),
      description: version.description || undefined,
      tags,
    },
    { signal },
  );
}

/** The artifact location of the copy a path-like source lies in (`undefined` for `runs:/` and `models:/` sources). */
async function artifactUriOfCopy(context: RegistryContext, reference: SourceReference, targetId: string): Promise<string | undefined> {
  const { to, signal } = context;
  if (reference.kind === "inside-run") return (await to.runs.get(targetId, { signal })).info.artifact_uri;
  if (reference.kind === "inside-model") return (await to.loggedModels.get(targetId, { signal })).info.artifact_uri;
  return undefined;
}

function translated(copies: CopyIds, id: string | undefined): string | undefined {
  return id === undefined || id === "" ? undefined : (copies.get(id) ?? undefined);
}

async function transition(context: RegistryContext, name: string, version: string, stage: ModelStage): Promise<void> {
  await context.to.modelVersions.transitionStage(name, version, stage, { archiveExistingVersions: false }, { signal: context.signal });
}

/** The version's stage, or `undefined` for `None`. */
function stageOf(version: ModelVersion): ModelStage | undefined {
  const stage = version.current_stage;
  return stage === undefined || stage === "None" ? undefined : stage;
}

function ownerOfRun(context: RegistryContext, runId: string | undefined): SourceOwner | undefined {
  const run = runId ? context.sourceRuns.get(runId) : undefined;
  return run && { id: run.info.run_id, artifactUri: run.info.artifact_uri };
}

/** The version's logged model, or every synced one when the version does not say (see {@link isSynced}). */
function modelOwners(context: RegistryContext, modelId: string | undefined): SourceOwner[] {
  const models = modelId ? [context.sourceModels.get(modelId)].filter((model) => model !== undefined) : [...context.sourceModels.values()];
  return models.map((model) => ({ id: model.info.model_id, artifactUri: model.info.artifact_uri }));
}

function referencedIdOf(reference: SourceReference): string {
  return reference.kind === "run-uri" || reference.kind === "inside-run" ? reference.runId : reference.modelId;
}

function missingCopyReason(reference: SourceReference, id: string): string {
  const what = reference.kind === "run-uri" || reference.kind === "inside-run" ? "run" : "logged model";
  return `its source names the ${what} ${id}, which has no copy on the target (not in the synced experiments, deleted, or its copy failed)`;
}

/**
 * Sets the source's aliases on the target for the versions copied: an alias absent on the target is
 * set; one already pointing at the copy is kept; one pointing at another version is left and reported.
 */
async function syncAliases(
  context: RegistryContext,
  model: RegisteredModelSyncResult,
  source: RegisteredModel,
  targetVersions: ReadonlyMap<string, string | null>,
): Promise<void> {
  const { to, dryRun, signal } = context;
  const wanted = source.aliases.filter((alias) => targetVersions.has(alias.version));
  if (wanted.length === 0) return;
  try {
    const target = model.action === "create" && dryRun ? undefined : await getRegisteredModel(to, source.name, signal);
    const present = new Map((target?.aliases ?? []).map((alias) => [alias.alias, alias.version]));
    for (const { alias, version } of wanted) {
      const copy = targetVersions.get(version);
      const current = present.get(alias);
      if (current !== undefined && current !== copy) {
        model.aliasesLeft.push(
          `${alias} points at version ${current} on the target, not at ${copy ?? "the copy"} (the copy of version ${version}); left as it is`,
        );
        continue;
      }
      if (current === undefined && !dryRun) await to.registeredModels.setAlias(source.name, alias, copy!, { signal });
      model.aliasesSet.push(alias);
    }
  } catch (error) {
    if (signal?.aborted) return;
    Object.assign(model, { outcome: "failed", error: describeError(error) });
  }
}
