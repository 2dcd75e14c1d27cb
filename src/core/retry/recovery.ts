/**
 * Resolving an ambiguous create: the request may have been processed (its answer was lost, or the
 * client gave up waiting), so before any resend the object it would have created is looked up,
 * with backoff, within the call's deadline. The caller then sees either the one object or an
 * {@link AmbiguousResultError} — never two objects.
 *
 * After a failure that ends the server's work on the request (a 500, a reset connection) one
 * successful lookup settles it: found, or absent and safe to send again. After a failure that may
 * leave the server still working on it (a per-attempt timeout, a gateway's 504) a lookup that finds
 * nothing proves nothing, so the lookups go on with backoff, and if none finds the object the
 * create is not sent again.
 */
import { AbortError, AmbiguousResultError, MlflowApiError, MlflowError, type RequestContext, TimeoutError } from "../errors.js";
import type { LinkedAbort } from "../signals.js";
import { recoveryCurve } from "./backoff.js";
import { MAX_RECOVERY_LOOKUPS, STILL_PROCESSING_STATUSES } from "./policy.js";
import { retryUntil } from "./retry-until.js";

/**
 * How to find what a create may have created, given by the store for each recoverable endpoint.
 * @internal
 */
export interface Recovery<T> {
  /**
   * Looks for the object once (no retries of its own), with the call's `signal`; `undefined` when it
   * does not exist. Throws when the lookup fails.
   */
  find(signal: AbortSignal): Promise<T | undefined>;
  /** What is looked for, for messages: e.g. `a run tagged mlflow-ts.createRequestId = '…' in experiment 1`. */
  lookingFor: string;
  /** How the caller can look for it before trying again (ends an {@link AmbiguousResultError}'s message). */
  fix: string;
}

/** The lookups found the object, or proved that the server created nothing. @internal */
export type Resolution<T> = { found: T } | { absent: true };

/** The call the lookups belong to. @internal */
export interface AmbiguousCall extends RequestContext {
  /** The call's abort controller: the caller's signal and the deadline. */
  call: LinkedAbort;
  /** When the call's deadline passes (ms since the epoch). */
  deadlineAt: number;
  /** The backoff factor, ms (the lookups wait on `recoveryCurve`: factor/4 × 2^(n−2) before lookup n). */
  backoffFactorMs: number;
}

/**
 * True when the server may still be working on a request that failed with `failure`: the client's
 * per-attempt timeout expired, or a gateway answered 504.
 * @internal
 */
export function mayStillBeProcessing(failure: MlflowError): boolean {
  if (failure instanceof TimeoutError) return failure.kind === "request";
  return failure instanceof MlflowApiError && STILL_PROCESSING_STATUSES.has(failure.status);
}

/**
 * Looks for the result of a create that failed with `failure`: up to {@link MAX_RECOVERY_LOOKUPS}
 * lookups with backoff, none started past the deadline.
 *
 * @returns `{ found }` with the object, or `{ absent: true }` when a lookup found nothing after a
 *   failure that ended the server's work on the request (the create may be sent again).
 * @throws {AmbiguousResultError} when no lookup found the object while the server may still be
 *   processing the request, or when the lookups failed; its `cause` is the lookup's failure then,
 *   its `failure` the create's.
 * @throws {AbortError} when the caller's signal fires.
 * @example
 * const resolved = await resolveAmbiguity(recovery, failure, { method, endpoint, call, deadlineAt, backoffFactorMs: 2000 });
 * if ("found" in resolved) return resolved.found;
 * @internal
 */
export async function resolveAmbiguity<T>(recovery: Recovery<T>, failure: MlflowError, ambiguous: AmbiguousCall): Promise<Resolution<T>> {
  const { call, deadlineAt, backoffFactorMs, method, endpoint } = ambiguous;
  const stillProcessing = mayStillBeProcessing(failure);
  // A lookup that finds nothing is retried (as `undefined`) only while the server may still be working on the create.
  const result =
    Date.now() >= deadlineAt
      ? undefined
      : await retryUntil<Resolution<T>, MlflowError | undefined>({
          curve: recoveryCurve(backoffFactorMs),
          deadlineAt,
          maxRetries: MAX_RECOVERY_LOOKUPS - 1,
          signal: call.signal,
          attempt: async () => {
            try {
              const found = await recovery.find(call.signal);
              if (found !== undefined) return { done: { found } };
              return stillProcessing ? { retry: undefined } : { done: { absent: true } };
            } catch (error) {
              const lookupFailure = error instanceof MlflowError ? error : new MlflowError(String(error), { cause: error });
              return lookupFailure.retryable ? { retry: lookupFailure } : { stop: lookupFailure };
            }
          },
        });
  if (result?.ok) return result.value;
  if (call.cause === "user") throw new AbortError(`${method} ${endpoint} was aborted`);
  const lookupFailure = result?.failure;
  throw new AmbiguousResultError({
    method,
    endpoint,
    cause: lookupFailure ?? failure,
    failure,
    unresolved: { lookingFor: recovery.lookingFor, lookups: result?.attempts ?? 0, failed: lookupFailure !== undefined, fix: recovery.fix },
  });
}
