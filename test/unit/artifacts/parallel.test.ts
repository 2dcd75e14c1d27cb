import { afterEach, describe, expect, it } from "vitest";
import { forEachLimited } from "../../../src/artifacts/parallel.js";
import { AbortError } from "../../../src/core/errors.js";

describe("forEachLimited", () => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error): void => {
    warnings.push(warning);
  };
  afterEach(() => {
    process.off("warning", onWarning);
    warnings.length = 0;
  });

  it("returns results in item order with at most `concurrency` tasks running", async () => {
    let running = 0;
    let peak = 0;
    const results = await forEachLimited([1, 2, 3, 4, 5, 6], 2, undefined, async (item) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      return item * 10;
    });
    expect(results).toEqual([10, 20, 30, 40, 50, 60]);
    expect(peak).toBe(2);
  });

  it("cancels the tasks in flight on the first failure and throws it", async () => {
    const cancelled: number[] = [];
    const failure = new Error("part 2 failed");
    const outcome = forEachLimited(
      [1, 2, 3],
      3,
      undefined,
      (item, signal) =>
        new Promise<number>((resolve, reject) => {
          if (item === 2) return reject(failure);
          signal.addEventListener("abort", () => {
            cancelled.push(item);
            reject(new Error("cancelled"));
          });
        }),
    );
    await expect(outcome).rejects.toBe(failure);
    expect(cancelled.sort()).toEqual([1, 3]);
  });

  it("throws AbortError when the caller's signal fires", async () => {
    const controller = new AbortController();
    const outcome = forEachLimited(
      [1, 2],
      1,
      controller.signal,
      (_item, signal) => new Promise<number>((_resolve, reject) => signal.addEventListener("abort", () => reject(new Error("stop")))),
    );
    controller.abort();
    await expect(outcome).rejects.toBeInstanceOf(AbortError);
  });

  it("lets many concurrent tasks listen on the shared signal without Node's listener-leak warning", async () => {
    process.on("warning", onWarning);
    await forEachLimited(
      Array.from({ length: 32 }, (_, i) => i),
      16,
      undefined,
      async (_item, signal) => {
        const onAbort = (): void => {};
        signal.addEventListener("abort", onAbort);
        await new Promise((resolve) => setImmediate(resolve));
        signal.removeEventListener("abort", onAbort);
      },
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
  });
});
