/**
 * Fake-timer helpers for retry tests. Only `setTimeout`, `clearTimeout` and `Date` are faked, so
 * msw's in-memory sockets (which use `setImmediate` and promises) keep working; `flushIO` lets
 * them run between two steps of virtual time.
 */
import { vi } from "vitest";

/** Fakes the timers the transport uses (backoff, per-attempt timeout, deadline) and `Date`. */
export function useRetryClock(): void {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
}

/** Lets pending in-memory I/O (msw request handling, response parsing) run to completion. */
export async function flushIO(): Promise<void> {
  for (let tick = 0; tick < 50; tick++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Lets I/O settle, advances virtual time by `ms`, and lets I/O settle again; zero-delay timers
 * that the I/O scheduled (an immediate first retry) run too, without moving the clock.
 */
export async function advance(ms: number): Promise<void> {
  await flushIO();
  await vi.advanceTimersByTimeAsync(ms);
  for (let round = 0; round < 3; round++) {
    await flushIO();
    await vi.advanceTimersByTimeAsync(0);
  }
  await flushIO();
}

/** The outcome of a promise, captured so that a rejection is never unhandled while time is driven. */
export interface Outcome<T> {
  settled: boolean;
  value?: T;
  error?: unknown;
}

/** Starts observing `promise`; read the returned object after driving time. */
export function observe<T>(promise: Promise<T>): Outcome<T> {
  const outcome: Outcome<T> = { settled: false };
  promise.then(
    (value) => Object.assign(outcome, { settled: true, value }),
    (error: unknown) => Object.assign(outcome, { settled: true, error }),
  );
  return outcome;
}
