/**
 * The integration project's suites (test/integration/suites.ts): MLFLOW_TS_SUITE picks the files,
 * the compatibility subset names files that exist, and a wrong name is refused with the fix.
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COMPAT_CI_SELECTION, COMPAT_SUITE, FULL_SUITE, SEED_SUITE, suiteInclude, suiteTestNamePattern } from "../integration/suites.js";

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
    expect(() => suiteInclude("compatibility")).toThrow(/MLFLOW_TS_SUITE="compatibility" is not a suite\. Fix: use one of full, compat, compat-ci, seed/);
  });
});

describe("the compatibility subset's CI cut (compat-ci)", () => {
  it("runs files of the compatibility subset only, and filters by name only for compat-ci", () => {
    expect(suiteInclude("compat-ci").filter((file) => !COMPAT_SUITE.includes(file))).toEqual([]);
    expect(suiteTestNamePattern("compat")).toBeUndefined();
    expect(suiteTestNamePattern(undefined)).toBeUndefined();
    expect(suiteTestNamePattern("compat-ci")).toBeInstanceOf(RegExp);
  });

  it("names titles written in their files, so a renamed test cannot drop out of CI unnoticed", () => {
    const missing = Object.entries(COMPAT_CI_SELECTION).flatMap(([file, titles]) => {
      const source = readFileSync(file, "utf8");
      return titles.filter((title) => !source.includes(JSON.stringify(title)) && !source.includes(`'${title}'`)).map((title) => `${file}: ${title}`);
    });
    expect(missing).toEqual([]);
  });

  it("matches a chosen test's full name (describe blocks, then the title; it.each placeholders filled in) and not another test", () => {
    const pattern = suiteTestNamePattern("compat-ci")!;
    expect(pattern.test("artifacts, 'proxied' mode round-trips a 5242880-byte file byte for byte, under the key MLflow derives")).toBe(true);
    expect(pattern.test("long histories reads a 10,000-point history back point by point across pages of 3000")).toBe(true);
    expect(pattern.test("logger on the real stack delivers 1,000,000 points over 100 keys exactly")).toBe(false);
    expect(pattern.test("artifacts, 'direct' mode uploads a 1 GiB file within the memory bound (fresh process) and downloads it identical")).toBe(false);
  });
});
