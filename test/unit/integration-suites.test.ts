/**
 * The integration project's suites (test/integration/suites.ts): MLFLOW_TS_SUITE picks the files,
 * the compatibility subset names files that exist, and a wrong name is refused with the fix.
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COMPAT_SUITE, FULL_SUITE, SEED_SUITE, suiteInclude } from "../integration/suites.js";

describe("MLFLOW_TS_SUITE", () => {
  it("runs every integration and conformance file when unset or empty", () => {
    expect(suiteInclude(undefined)).toEqual(FULL_SUITE);
    expect(suiteInclude("")).toEqual(FULL_SUITE);
  });

  it("runs the compatibility subset for compat and the seed set-up alone for seed", () => {
    expect(suiteInclude("compat")).toEqual(COMPAT_SUITE);
    expect(suiteInclude("seed")).toEqual(SEED_SUITE);
  });

  it("names only files that exist, so a renamed test cannot drop out of the matrix unnoticed", () => {
    expect([...COMPAT_SUITE, ...SEED_SUITE].filter((file) => !existsSync(file))).toEqual([]);
  });

  it("refuses another name, listing the suites, with a fix", () => {
    expect(() => suiteInclude("compatibility")).toThrow(/MLFLOW_TS_SUITE="compatibility" is not a suite\. Fix: use one of full, compat, seed/);
  });
});
