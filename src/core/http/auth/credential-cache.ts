/**
 * The one policy for credentials that expire: a value is kept until its expiry minus a skew, a
 * stale value is replaced by one load that every concurrent caller shares (single flight), a load
 * is bounded by a timeout, and a value the server refused (401) is replaced once, however many
 * requests saw it refused. The transport's auth session and the OAuth2 provider both cache with it.
 */

import { messageOf } from "../../error-text.js";
import { AuthProviderError, MlflowError } from "../../errors.js";
import { LinkedAbort, untilAborted } from "../../signals.js";
import type { AuthRefreshReason } from "./types.js";

/** Longest a value is refreshed before its expiry, ms: 30 s. */
export const MAX_EXPIRY_SKEW_MS = 30_000;
/** Default bound of one load (a provider call, a token request, a command), ms: 30 s. */
export const DEFAULT_AUTH_TIMEOUT_MS = 30_000;

/** A loaded value and when it expires (ms since the epoch; absent: until refused). */
export interface Expiring<T> {
  value: T;
  expiresAtMs?: number | undefined;
}

/** What a cache loads with: called with the reason and a signal that aborts at the timeout. */
export type Loader<T> = (reason: AuthRefreshReason, signal: AbortSignal) => Promise<Expiring<T>>;

interface Entry<T> {
  value: T;
  /** When the value is due for a refresh: its expiry minus the skew; `Infinity` without expiry. */
  refreshAtMs: number;
}

/**
 * When a value obtained at `obtainedAtMs` and expiring at `expiresAtMs` is refreshed: a quarter of
 * its lifetime before it expires, at most {@link MAX_EXPIRY_SKEW_MS} before (a 1-hour token 30 s
 * before, a 8-second one 2 s before), so that a request sent just before the refresh still
 * arrives with a valid token.
 * @internal
 */
export function refreshTimeMs(obtainedAtMs: number, expiresAtMs: number | undefined): number {
  if (expiresAtMs === undefined) return Number.POSITIVE_INFINITY;
  const lifetimeMs = Math.max(0, expiresAtMs - obtainedAtMs);
  return expiresAtMs - Math.min(MAX_EXPIRY_SKEW_MS, lifetimeMs / 4);
}

/**
 * A single-flight cache of one expiring value.
 *
 * @example
 * const cache = new CredentialCache("my provider", async () => ({ value: await fetchToken(), expiresAtMs: Date.now() + 60_000 }));
 * const token = cache.fresh() ?? (await cache.refresh(signal));
 * @internal
 */
export class CredentialCache<T> {
  readonly #name: string;
  readonly #load: Loader<T>;
  readonly #timeoutMs: number;
  #entry: Entry<T> | undefined;
  #inflight: Promise<Entry<T>> | undefined;

  /**
   * @param name - The provider's name in errors, e.g. `oauth2ClientCredentials`.
   * @param load - Loads a fresh value.
   * @param timeoutMs - Bound of one load, ms. @defaultValue 30000
   */
  constructor(name: string, load: Loader<T>, timeoutMs = DEFAULT_AUTH_TIMEOUT_MS) {
    this.#name = name;
    this.#load = load;
    this.#timeoutMs = timeoutMs;
  }

  /** The cached value while it is not due for a refresh, else `undefined`. Allocates nothing. */
  fresh(): T | undefined {
    const entry = this.#entry;
    return entry !== undefined && Date.now() < entry.refreshAtMs ? entry.value : undefined;
  }

  /**
   * A fresh value: the cached one when it is fresh and was not refused, else the result of one
   * load shared by every caller that asks meanwhile.
   *
   * @param signal - Stops this caller's wait (the shared load goes on for the others).
   * @param refused - The value a server refused with 401: a value other than it is returned as it
   *   is (another caller already replaced it); otherwise it is replaced.
   * @throws {AuthProviderError} when the load fails or times out.
   */
  async refresh(signal?: AbortSignal, refused?: T): Promise<T> {
    const entry = this.#entry;
    if (refused !== undefined && entry !== undefined && entry.value !== refused) return entry.value;
    if (refused === undefined && entry !== undefined && Date.now() < entry.refreshAtMs) return entry.value;
    const reason: AuthRefreshReason = refused !== undefined ? "unauthorized" : entry === undefined ? "initial" : "expired";
    this.#inflight ??= this.#start(reason);
    return (await untilAborted(this.#inflight, signal)).value;
  }

  /** The last value loaded, fresh or not (`undefined` before the first load). */
  last(): T | undefined {
    return this.#entry?.value;
  }

  async #start(reason: AuthRefreshReason): Promise<Entry<T>> {
    const bound = new LinkedAbort();
    bound.abortAfter(this.#timeoutMs, "timeout");
    const obtainedAtMs = Date.now();
    const timedOut = new Promise<never>((_, reject) => {
      bound.signal.addEventListener("abort", () => reject(this.#timeoutError(reason)), { once: true });
    });
    try {
      const loaded = await Promise.race([this.#load(reason, bound.signal), timedOut]);
      const entry = { value: loaded.value, refreshAtMs: refreshTimeMs(obtainedAtMs, loaded.expiresAtMs) };
      this.#entry = entry;
      return entry;
    } catch (error) {
      throw bound.cause === "timeout" ? this.#timeoutError(reason) : this.#failure(reason, error);
    } finally {
      bound.dispose();
      this.#inflight = undefined;
    }
  }

  #timeoutError(reason: AuthRefreshReason): AuthProviderError {
    return new AuthProviderError({
      provider: this.#name,
      reason,
      detail: `no answer within ${this.#timeoutMs} ms`,
      fix: "check that the token source (endpoint, command, file) answers; raise its timeoutMs if it is only slow",
      retryable: true,
    });
  }

  #failure(reason: AuthRefreshReason, error: unknown): MlflowError {
    if (error instanceof AuthProviderError) return error;
    if (error instanceof MlflowError) return error;
    const retryable = (error as { retryable?: unknown } | undefined)?.retryable === true;
    return new AuthProviderError({
      provider: this.#name,
      reason,
      detail: `it threw ${messageOf(error)}`,
      fix: "make the provider resolve to { headers, expiresAtMs? }; throw an error with retryable: true for a failure that may pass",
      retryable,
    });
  }
}
