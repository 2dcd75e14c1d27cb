/**
 * Rotating secrets (an auth provider's tokens) stay masked while a request may still carry them,
 * and are forgotten after, so the registered set stays bounded however long the process runs.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  MAX_ROTATED_GENERATIONS,
  ROTATED_SECRET_RETENTION_MS,
  redact,
  registeredSecretCount,
  registerSecret,
  SecretRotation,
} from "../../../src/core/redact.js";

const token = (n: number): string => `rotating-token-${String(n).padStart(7, "0")}`;

describe("SecretRotation", () => {
  let rotation: SecretRotation;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-12-06T00:00:00Z"));
    rotation = new SecretRotation();
  });
  afterEach(() => {
    rotation.clear();
    vi.useRealTimers();
  });

  it("still masks a just-replaced token (a request in flight may fail with it) along with the new one", () => {
    rotation.replace([token(1)]);
    vi.advanceTimersByTime(3_000);
    rotation.replace([token(2)]);
    expect(redact(`401 for Bearer-less ${token(1)}; retried with ${token(2)}`)).toBe("401 for Bearer-less ***; retried with ***");
  });

  it("forgets a replaced token once the retention has passed since its replacement", () => {
    rotation.replace([token(1)]);
    rotation.replace([token(2)]);
    vi.advanceTimersByTime(ROTATED_SECRET_RETENTION_MS + 1);
    rotation.replace([token(3)]);
    expect(redact(`${token(1)} ${token(2)} ${token(3)}`)).toBe(`${token(1)} *** ***`);
    expect(rotation.size).toBe(2);
  });

  it("a token rotating every 3 s keeps at most the current plus the last 64 generations, however long it runs", () => {
    const before = registeredSecretCount();
    rotation.replace([token(0)]);
    const perGeneration = registeredSecretCount() - before;
    // An hour's worth: far past the bound (a week only repeats the same steps, 168 times longer).
    const rotations = 3600 / 3;
    for (let n = 1; n <= rotations; n++) {
      vi.advanceTimersByTime(3_000);
      rotation.replace([token(n)]);
    }
    expect(rotation.size).toBe(MAX_ROTATED_GENERATIONS + 1);
    expect(registeredSecretCount() - before).toBeLessThanOrEqual((MAX_ROTATED_GENERATIONS + 1) * perGeneration);
    const newest = rotations;
    const oldestKept = newest - MAX_ROTATED_GENERATIONS;
    expect(redact(`${token(newest)} ${token(oldestKept)} ${token(oldestKept - 1)} ${token(0)}`)).toBe(`*** *** ${token(oldestKept - 1)} ${token(0)}`);
  });

  it("an hourly rotation keeps only what is within the retention: the current and the one it replaced", () => {
    for (let n = 0; n < 7 * 24; n++) {
      rotation.replace([token(n)]);
      vi.advanceTimersByTime(3_600_000);
    }
    rotation.replace([token(1000)]);
    expect(rotation.size).toBe(2);
  });

  it("replacing with the same values changes nothing", () => {
    rotation.replace([token(1)]);
    rotation.replace([token(1)]);
    expect(rotation.size).toBe(1);
  });

  it("a value also registered for the life of the process stays masked after the rotation forgets it", () => {
    registerSecret(token(9_000_001));
    rotation.replace([token(9_000_001)]);
    rotation.replace([token(9_000_002)]);
    vi.advanceTimersByTime(ROTATED_SECRET_RETENTION_MS + 1);
    rotation.replace([token(9_000_003)]);
    rotation.clear();
    expect(redact(token(9_000_001))).toBe("***");
    expect(redact(token(9_000_002))).toBe(token(9_000_002));
  });
});
