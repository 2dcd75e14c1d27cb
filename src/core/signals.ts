/**
 * Small abort helpers. Node 20's `AbortSignal.any` and `AbortSignal.timeout` leak listeners on
 * long-lived signals (nodejs/node #48951, #55328), so links are made by hand and always undone.
 */

/** Why a linked controller aborted. */
export type AbortCause = "user" | "timeout" | "deadline";

/**
 * A controller that aborts when the caller's signal fires or when a timer expires, remembering
 * which came first. Call {@link LinkedAbort.dispose} when done so nothing leaks.
 * @internal
 */
export class LinkedAbort {
  readonly controller = new AbortController();
  cause: AbortCause | undefined;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #userSignal: AbortSignal | undefined;
  readonly #onUserAbort = (): void => this.abort("user");

  constructor(userSignal?: AbortSignal) {
    this.#userSignal = userSignal;
    if (userSignal?.aborted) this.abort("user");
    else userSignal?.addEventListener("abort", this.#onUserAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Aborts with `cause` after `ms` milliseconds. */
  abortAfter(ms: number, cause: AbortCause): void {
    this.#timers.push(setTimeout(() => this.abort(cause), Math.max(0, ms)));
  }

  abort(cause: AbortCause): void {
    if (this.controller.signal.aborted) return;
    this.cause = cause;
    this.controller.abort(new Error(`aborted: ${cause}`));
  }

  dispose(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#userSignal?.removeEventListener("abort", this.#onUserAbort);
  }
}

/**
 * Waits `ms` milliseconds, or rejects with the signal's reason as soon as it aborts.
 *
 * @param keepAlive - Whether the wait keeps the process alive (`false`: an unref'd timer, for
 *   background work such as the logger's retries). @defaultValue true
 * @internal
 */
export function delay(ms: number, signal?: AbortSignal, keepAlive = true): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    if (!keepAlive) timer.unref();
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Settles like `promise`, or rejects with the signal's reason as soon as `signal` aborts (the
 * promise keeps running: use it to stop waiting for work shared with other callers).
 * @internal
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
