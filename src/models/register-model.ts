/**
 * `registerModel`, as `mlflow.register_model` does it, with three differences that matter to a
 * job: the source is checked before anything is written (a bad URI registers nothing), the
 * registered model is created race-safely (twenty jobs registering one new name all succeed), and
 * the wait for READY is bounded with backoff and ends in a typed error. Also `copyModelVersion`
 * (`MlflowClient.copy_model_version`) and `waitUntilReady`.
 */

import { ArtifactNotFoundError } from "../artifacts/errors.js";
import { AlreadyExistsError, AmbiguousResultError, MlflowApiError, MlflowError, NotFoundError, ServerError, ValidationError } from "../core/errors.js";
import { pythonJsonDumps } from "../core/python-format.js";
import { type BackoffCurve, MAX_BACKOFF_MS, registryCurve } from "../core/retry/backoff.js";
import { retryUntil } from "../core/retry/retry-until.js";
import { delay } from "../core/signals.js";
import type { ModelVersion } from "../protocol/entities/registry.js";
import type { KeyValueInput } from "../protocol/key-values.js";
import { validatedRegistryTags } from "../protocol/key-values.js";
import { MODEL_VERSIONS_TAG } from "../protocol/tag-names.js";
import { isModelsUri, isRunsUri, parseModelsUri, parseRunsUri } from "../protocol/uri.js";
import { validateAlias, validateModelName } from "../protocol/validation.js";
import type { ModelsContext } from "./context.js";
import { ModelRegistrationError } from "./errors.js";
import { MLMODEL_FILE } from "./mlmodel.js";

/** How long a registration waits for READY, as `mlflow.register_model`: 5 minutes. */
export const DEFAULT_AWAIT_READY_MS = 300_000;
/** Longest pause between two status polls: 3 s, MLflow's fixed poll interval. */
export const MAX_READY_POLL_INTERVAL_MS = 3_000;
/** First pause between status polls; it doubles up to {@link MAX_READY_POLL_INTERVAL_MS}. */
const FIRST_READY_POLL_INTERVAL_MS = 250;
/** Pauses between status polls: 250 ms doubling up to 3 s. */
const READY_POLL_CURVE = registryCurve(FIRST_READY_POLL_INTERVAL_MS, MAX_READY_POLL_INTERVAL_MS);
/** Pauses before a create that collided is tried again: 250 ms doubling, plus up to `jitterMs`. */
const collisionCurve = (jitterMs: number) => registryCurve(FIRST_READY_POLL_INTERVAL_MS, MAX_BACKOFF_MS, jitterMs);
/** Attempts at creating the registered model or a version when a concurrent creation collides. */
const MAX_CREATE_ATTEMPTS = 6;
/** Longest random pause before creating a registered model that does not exist yet, ms. */
export const CREATE_STAGGER_MS = 1_000;

/** Options of {@link registerModel}. */
export interface RegisterModelOptions {
  /** Point this alias at the new version once it is READY (e.g. `"champion"`). */
  alias?: string | undefined;
  /** Tags of the new version. */
  tags?: KeyValueInput | undefined;
  /** Description of the new version. */
  description?: string | undefined;
  /**
   * How long to wait for the version to become READY, ms; 0 returns at once (no alias is then set
   * on a version that is not READY yet). @defaultValue 300000 (5 minutes, as Python)
   */
  awaitReadyMs?: number | undefined;
  /** Aborts the wait. */
  signal?: AbortSignal | undefined;
}

/** What a source URI registers: the version's `source`, and its run and logged model. */
interface Source {
  source: string;
  runId?: string | undefined;
  modelId?: string | undefined;
  /** A version being copied: its tags, description and run link come along. */
  copied?: ModelVersion | undefined;
}

/**
 * Registers `modelUri` as a new version of `name`; see the module comment.
 *
 * @throws {ValidationError} before any request: a bad name, alias, tag or URI.
 * @throws {ArtifactNotFoundError} before any write, when the URI names nothing (a deleted version,
 *   a missing alias, an unknown run or model); the message names the URI and the fix.
 * @throws {ModelRegistrationError} when the version fails to register or stays PENDING past `awaitReadyMs`.
 * @internal
 */
export async function registerModel(
  ctx: ModelsContext,
  modelUri: string,
  name: string,
  options: RegisterModelOptions = {},
  copy = false,
): Promise<ModelVersion> {
  validateModelName(name);
  if (options.alias !== undefined) validateAlias(options.alias);
  const tags = validatedRegistryTags(options.tags);
  const awaitReadyMs = options.awaitReadyMs ?? DEFAULT_AWAIT_READY_MS;
  if (!Number.isFinite(awaitReadyMs) || awaitReadyMs < 0)
    throw new ValidationError("awaitReadyMs", "await-ready", `awaitReadyMs must be a number of milliseconds ≥ 0, got ${awaitReadyMs}.`);
  const source = await resolveSource(ctx, modelUri, copy);

  await ensureRegisteredModel(ctx, name, options.signal);
  const allTags = source.copied ? [...source.copied.tags, ...tags] : tags;
  let version = await createVersion(
    ctx,
    {
      name,
      source: source.source,
      run_id: source.runId,
      model_id: source.modelId,
      tags: allTags,
      description: options.description ?? source.copied?.description,
      run_link: source.copied?.run_link || undefined,
    },
    options.signal,
  );
  if (awaitReadyMs > 0) version = await waitUntilReady(ctx, version, { timeoutMs: awaitReadyMs, signal: options.signal });
  if (options.alias !== undefined && version.status !== "PENDING_REGISTRATION") {
    await ctx.registeredModels.setAlias(name, options.alias, version.version);
    version = await ctx.modelVersions.get(name, version.version);
  }
  if (source.modelId !== undefined) await recordVersionOnModel(ctx, source.modelId, name, version.version);
  return version;
}

/**
 * Polls a version until it leaves PENDING_REGISTRATION, for at most `timeoutMs`, on the project's
 * one retry loop ({@link retryUntil}) with a doubling pause (250 ms up to 3 s): the last pause is
 * cut to end at the deadline, where one last poll decides.
 *
 * @throws {ModelRegistrationError} with `reason: "failed"` for FAILED_REGISTRATION, `"timeout"` when still pending.
 * @throws the signal's reason when it aborts; a poll's own error unchanged.
 * @example
 * const ready = await waitUntilReady(ctx, version, { timeoutMs: 60_000 });
 * @internal
 */
export async function waitUntilReady(ctx: ModelsContext, version: ModelVersion, options: { timeoutMs: number; signal?: AbortSignal }): Promise<ModelVersion> {
  const started = Date.now();
  const deadlineAt = started + options.timeoutMs;
  let current = version;
  const result = await retryUntil<ModelVersion, ModelVersion>({
    curve: READY_POLL_CURVE,
    // The attempt stops at the deadline; the loop's own bound is 1 ms later so that a pause cut to
    // end exactly at the deadline is still taken, and the poll after it runs.
    deadlineAt: deadlineAt + 1,
    signal: options.signal,
    attempt: async ({ attempt }) => {
      if (attempt > 1) current = await ctx.modelVersions.get(current.name, current.version, { signal: options.signal });
      if (current.status !== "PENDING_REGISTRATION") return { done: current };
      const leftMs = deadlineAt - Date.now();
      return leftMs <= 0 ? { stop: current } : { retry: current, maxWaitMs: leftMs };
    },
  });
  if (!result.ok && result.gaveUp === "aborted") throw options.signal?.reason;
  if (!result.ok) {
    // Stopped at the deadline: the last poll still said pending.
    throw new ModelRegistrationError({
      modelName: current.name,
      version: current.version,
      status: "PENDING_REGISTRATION",
      statusMessage: current.status_message,
      reason: "timeout",
      waitedMs: Date.now() - started,
    });
  }
  if (current.status !== undefined && current.status !== "READY") {
    throw new ModelRegistrationError({
      modelName: current.name,
      version: current.version,
      status: current.status,
      statusMessage: current.status_message,
      reason: "failed",
      waitedMs: Date.now() - started,
    });
  }
  return current;
}

/** The version's `source`, run and logged model, checked against the store before anything is written. */
async function resolveSource(ctx: ModelsContext, uri: string, copy: boolean): Promise<Source> {
  if (typeof uri !== "string" || uri === "")
    throw new ValidationError("modelUri", "model-uri", "A model URI is required, e.g. models:/<model id>, runs:/<run id>/model or models:/<name>@<alias>.");
  if (isModelsUri(uri)) {
    const parsed = parseModelsUri(uri);
    if (parsed.kind === "model-id") {
      if (copy)
        throw new ValidationError(
          "modelUri",
          "copy-source",
          `copyModelVersion copies a registered version; "${uri}" names a logged model. Fix: registerModel("${uri}", name).`,
        );
      const resolved = await ctx.uris.resolveModel(uri);
      return { source: uri, modelId: resolved.modelId };
    }
    const resolved = await ctx.uris.resolveModel(uri);
    const copied = resolved.modelVersion!;
    return {
      source: `models:/${copied.name}/${copied.version}`,
      runId: copied.run_id || undefined,
      modelId: copied.model_id || undefined,
      copied: copy ? copied : undefined,
    };
  }
  if (copy)
    throw new ValidationError(
      "modelUri",
      "copy-source",
      `copyModelVersion copies a registered version, named by a models:/ URI; got "${uri}". Fix: models:/<name>/<version> or models:/<name>@<alias>.`,
    );
  if (isRunsUri(uri)) return resolveRunSource(ctx, uri);
  return { source: uri };
}

/**
 * `runs:/<run>/<path>`: the run's own files when `<path>` holds an `MLmodel` (source: their
 * location), else the run's logged model named `<path>` (source: `models:/<model id>`), as
 * `_register_model` decides.
 */
async function resolveRunSource(ctx: ModelsContext, uri: string): Promise<Source> {
  const { runId, path } = parseRunsUri(uri);
  const run = await ctx.runs.get(runId).catch((error: unknown) => {
    if (!(error instanceof NotFoundError)) throw error;
    throw new ArtifactNotFoundError(`"${uri}" names nothing: there is no run ${runId}. Fix: check the run id.`, {
      operation: "download",
      location: uri,
      code: error.errorCode,
      cause: error,
    });
  });
  const own = path === "" ? [] : await ctx.artifacts.list(runId, path);
  if (own.some((file) => file.path === `${path}/${MLMODEL_FILE}`)) return { source: `${run.info.artifact_uri.replace(/\/+$/, "")}/${path}`, runId };
  const models = [];
  for await (const model of ctx.loggedModels.search({ experiment_ids: [run.info.experiment_id], filter: `name = '${path.replace(/'/g, "")}'` })) {
    if (model.info.source_run_id === runId) models.push(model);
  }
  if (models.length === 0) {
    throw new ArtifactNotFoundError(
      `"${uri}" names no model: run ${runId} has no MLmodel under "${path}" and no logged model named "${path}". Fix: use the URI logModel returned (models:/<model id>), or the name the model was logged under.`,
      {
        operation: "download",
        location: uri,
        code: "RESOURCE_DOES_NOT_EXIST",
      },
    );
  }
  const stepOf = new Map(run.outputs.model_outputs.map((output) => [output.model_id, output.step]));
  const latest = models.reduce((best, model) => ((stepOf.get(model.info.model_id) ?? -1) > (stepOf.get(best.info.model_id) ?? -1) ? model : best));
  return { source: `models:/${latest.info.model_id}`, modelId: latest.info.model_id };
}

/**
 * Creates the registered model unless it exists, race-safely. A name that exists costs one read. A
 * new name is created after a random pause of up to {@link CREATE_STAGGER_MS} and a second look,
 * because MLflow's registry does not survive a herd: each `create` that loses the unique-key race
 * reads the winner in a second database session while holding its first (mlflow 3.17.2,
 * `SqlAlchemyStore.create_registered_model`), so about eight simultaneous losers exhaust the
 * server's connection pool and all of them stall for 30 s before failing with "QueuePool limit …
 * reached" (HTTP 400). Those answers, and the "not found" a loser gets while the winner commits,
 * are transient: the model exists a moment later, so they are retried (bounded).
 */
async function ensureRegisteredModel(ctx: ModelsContext, name: string, signal: AbortSignal | undefined): Promise<void> {
  if (await registeredModelExists(ctx, name)) return;
  await delay(Math.floor(Math.random() * CREATE_STAGGER_MS), signal);
  const create = async (): Promise<void> => {
    if (await registeredModelExists(ctx, name)) return;
    try {
      await ctx.registeredModels.create({ name });
    } catch (error) {
      if (!(error instanceof AlreadyExistsError)) throw error;
    }
  };
  await retryCollisions(create, isCreationCollision, collisionCurve(50), signal);
}

async function registeredModelExists(ctx: ModelsContext, name: string): Promise<boolean> {
  try {
    await ctx.registeredModels.get(name);
    return true;
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
}

/** What the registry answers a `create` that collided with another one (see {@link ensureRegisteredModel}). */
function isCreationCollision(error: unknown): boolean {
  if (error instanceof NotFoundError) return true;
  return error instanceof MlflowApiError && /QueuePool limit/.test(error.serverMessage);
}

/**
 * Creates the version. MLflow's registry gives up with "Model Version creation error … Giving up
 * after 3 attempts" when concurrent creations keep colliding on the next number; that answer means
 * nothing was created, so it is tried again after a pause (bounded).
 */
async function createVersion(
  ctx: ModelsContext,
  params: Parameters<ModelsContext["modelVersions"]["create"]>[0],
  signal: AbortSignal | undefined,
): Promise<ModelVersion> {
  return retryCollisions(() => ctx.modelVersions.create(params), isVersionCollision, collisionCurve(100), signal);
}

/**
 * Runs `create` again after a pause on `curve` while it fails with a collision, at most
 * {@link MAX_CREATE_ATTEMPTS} times in all; `signal` aborts the pauses.
 * @throws the last error of `create`, or the signal's reason when it aborts.
 */
async function retryCollisions<T>(
  create: () => Promise<T>,
  collided: (error: unknown) => boolean,
  curve: BackoffCurve,
  signal: AbortSignal | undefined,
): Promise<T> {
  const result = await retryUntil<T, unknown>({
    curve,
    deadlineAt: Number.POSITIVE_INFINITY,
    maxRetries: MAX_CREATE_ATTEMPTS - 1,
    signal,
    attempt: async () => {
      try {
        return { done: await create() };
      } catch (error) {
        return collided(error) ? { retry: error } : { stop: error };
      }
    },
  });
  if (result.ok) return result.value;
  throw result.gaveUp === "aborted" ? signal?.reason : result.failure;
}

function isVersionCollision(error: unknown): boolean {
  const server = error instanceof AmbiguousResultError ? error.cause : error;
  return server instanceof ServerError && /Model Version creation error/.test(server.serverMessage);
}

/**
 * Adds `{name, version}` to the logged model's `mlflow.modelVersions` tag unless it is there
 * (MLflow 3.x servers add it themselves on create; older ones do not).
 */
async function recordVersionOnModel(ctx: ModelsContext, modelId: string, name: string, version: string): Promise<void> {
  try {
    const model = await ctx.loggedModels.get(modelId);
    const current = model.info.tags.find((tag) => tag.key === MODEL_VERSIONS_TAG)?.value;
    const entries = parseVersionsTag(current);
    if (entries.some((entry) => entry.name === name && String(entry.version) === version)) return;
    await ctx.loggedModels.setTags(modelId, { [MODEL_VERSIONS_TAG]: pythonJsonDumps([...entries, { name, version }]) });
  } catch (error) {
    // The tag is a link from the model to its versions; the version is registered whatever happens here.
    if (!(error instanceof MlflowError)) throw error;
    process.emitWarning(
      `Registered ${name} version ${version}, but could not list it in the ${MODEL_VERSIONS_TAG} tag of logged model ${modelId}: ${error.message}`,
      { code: "MLFLOW_TS_MODEL_VERSIONS_TAG" },
    );
  }
}

function parseVersionsTag(value: string | undefined): { name: string; version: string | number }[] {
  if (!value) return [];
  try {
    const parsed = JSON.parse(value) as unknown;
    return Array.isArray(parsed) ? (parsed as { name: string; version: string | number }[]) : [];
  } catch {
    return [];
  }
}
