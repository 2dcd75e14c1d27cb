/**
 * Promotion after a passed gate: register the candidate and move the alias, refusing when another
 * writer moved the alias. MLflow has no compare-and-set on aliases (`SetRegisteredModelAlias` is
 * last-writer-wins), so this is the strongest protocol its REST API allows, a check–set–verify:
 * 1. re-read the alias; refuse ("baseline moved") unless it still points at the version compared;
 * 2. register the candidate (race-safe creation, wait for READY), then re-read the alias again;
 * 3. set the alias, wait `settleMs`, re-read it: refuse ("lost the race") unless it still points at
 *    the candidate.
 * Guarantee: the alias only ever points at a version some gate checked; of gates racing on one
 * alias, those that see it moved fail, and the last writer's is the one left pointing. Two gates
 * can both report success only if one of them spends longer than the other's `settleMs` between
 * its last check and its set (a stalled request): the alias then ends at the later one, which was
 * checked against the earlier baseline, not against the other candidate.
 */
import { InvalidParameterError, NotFoundError } from "../../core/errors.js";
import { delay } from "../../core/signals.js";
import type { ModelVersion } from "../../protocol/entities/registry.js";
import type { ModelsContext } from "../context.js";
import { GatePromotionError } from "../errors.js";
import { registerModel } from "../register-model.js";

/** How long a promotion waits after setting the alias before it verifies it: 1 s. */
export const DEFAULT_SETTLE_MS = 1_000;

/** Options of {@link promoteCandidate}. */
export interface PromoteOptions {
  /** The registered model. */
  name: string;
  /** The alias to move, e.g. `champion`. */
  alias: string;
  /** The version the alias pointed at when the gate compared; undefined when it did not exist (bootstrap). */
  expectedVersion: string | undefined;
  /** The candidate's URI, registered as a new version unless `candidateVersion` is set. */
  candidateUri: string;
  /** The candidate is already this version of `name`: only the alias moves. */
  candidateVersion?: string | undefined;
  /** How long registration waits for READY, ms. @defaultValue 300000 */
  awaitReadyMs?: number | undefined;
  /** Pause between setting the alias and verifying it, ms. @defaultValue 1000 */
  settleMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Runs the check–set–verify protocol of the module comment.
 *
 * @throws {GatePromotionError} when the alias moved before the set (`baseline-moved`) or after it (`lost-race`).
 * @throws {ModelRegistrationError} when the candidate fails to register or stays pending.
 * @example
 * const version = await promoteCandidate(client, { name: "churn", alias: "champion", expectedVersion: "3", candidateUri: `models:/${modelId}` });
 */
export async function promoteCandidate(ctx: ModelsContext, options: PromoteOptions): Promise<ModelVersion> {
  const { name, alias, expectedVersion } = options;
  const refusal = (reason: "baseline-moved" | "lost-race", actualVersion: string | undefined, version: string | undefined) =>
    new GatePromotionError({ reason, modelName: name, alias, expectedVersion, actualVersion, version });
  let current = await aliasVersion(ctx, name, alias);
  if (current !== expectedVersion) throw refusal("baseline-moved", current, undefined);
  const registered =
    options.candidateVersion !== undefined
      ? await ctx.modelVersions.get(name, options.candidateVersion)
      : await registerModel(ctx, options.candidateUri, name, { awaitReadyMs: options.awaitReadyMs, signal: options.signal });
  current = await aliasVersion(ctx, name, alias);
  if (current !== expectedVersion) throw refusal("baseline-moved", current, registered.version);
  await ctx.registeredModels.setAlias(name, alias, registered.version);
  await delay(options.settleMs ?? DEFAULT_SETTLE_MS, options.signal);
  current = await aliasVersion(ctx, name, alias);
  if (current !== registered.version) throw refusal("lost-race", current, registered.version);
  return ctx.modelVersions.get(name, registered.version);
}

/**
 * The version an alias points at, undefined when the alias (or the registered model) does not exist.
 * @example
 * await aliasVersion(client, "churn", "champion"); // "3", or undefined before the first promotion
 * @internal
 */
export async function aliasVersion(ctx: ModelsContext, name: string, alias: string): Promise<string | undefined> {
  try {
    return (await ctx.registeredModels.getByAlias(name, alias)).version;
  } catch (error) {
    // MLflow answers a missing alias with INVALID_PARAMETER_VALUE ("Registered model alias … not found."), a missing model with 404.
    if (error instanceof NotFoundError || (error instanceof InvalidParameterError && /not found/i.test(error.serverMessage))) return undefined;
    throw error;
  }
}
