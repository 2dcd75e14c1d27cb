/**
 * The integration project's suites (test/integration/suites.ts): MLFLOW_TS_SUITE picks the files,
 * the compatibility subset names files that exist, and a wrong name is refused with the fix;
 * MLFLOW_TS_INTEGRATION_WORKERS runs the files side by side, except those that stop or freeze a
 * shared service, which run alone afterwards.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  COMPAT_CI_SELECTION,
  COMPAT_EACH_SELECTION,
  COMPAT_SUITE,
  EXCLUSIVE_FILES,
  FULL_SUITE,
  integrationProjects,
  LONG_FILES,
  SEED_SUITE,
  SELECTIONS,
  suiteInclude,
  suiteTestNamePattern,
} from "../integration/suites.js";

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
    expect([...COMPAT_SUITE, ...SEED_SUITE, ...LONG_FILES].filter((file) => !existsSync(file))).toEqual([]);
  });

  it("refuses another name, listing the suites, with a fix", () => {
    expect(() => suiteInclude("compatibility")).toThrow(
      /MLFLOW_TS_SUITE="compatibility" is not a suite\. Fix: use one of full, compat, compat-ci, compat-each, seed/,
    );
  });
});

describe("the compatibility subset's CI cut (compat-ci)", () => {
  it("runs files of the compatibility subset only, and filters by name only for compat-ci", () => {
    expect(suiteInclude("compat-ci").filter((file) => !COMPAT_SUITE.includes(file))).toEqual([]);
    expect(suiteTestNamePattern("compat")).toBeUndefined();
    expect(suiteTestNamePattern(undefined)).toBeUndefined();
    expect(suiteTestNamePattern("compat-ci")).toBeInstanceOf(RegExp);
  });

  it.each(Object.keys(SELECTIONS))("%s names titles written in their files, so a renamed test cannot drop out of CI unnoticed", (suite) => {
    const missing = Object.entries(SELECTIONS[suite as keyof typeof SELECTIONS]).flatMap(([file, titles]) => {
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

describe("the per-version cut (compat-each)", () => {
  it("runs files of the compatibility subset only, and filters by name", () => {
    expect(suiteInclude("compat-each").filter((file) => !COMPAT_SUITE.includes(file))).toEqual([]);
    expect(suiteTestNamePattern("compat-each")).toBeInstanceOf(RegExp);
  });

  it("is part of compat-ci, so the anchors run at least what every other version runs", () => {
    const extra = Object.entries(COMPAT_EACH_SELECTION).flatMap(([file, titles]) =>
      titles.filter((title) => !(COMPAT_CI_SELECTION[file] ?? []).includes(title)).map((title) => `${file}: ${title}`),
    );
    expect(extra).toEqual([]);
  });

  it("covers each area the issue names: seed set-up, client, logger, artifacts in both modes, registry, doctor, sync", () => {
    expect(Object.keys(COMPAT_EACH_SELECTION).sort()).toEqual(
      [
        "test/integration/artifacts.test.ts",
        "test/integration/doctor.test.ts",
        "test/integration/logger.test.ts",
        "test/integration/rest-registry.test.ts",
        "test/integration/seed-setup.test.ts",
        "test/integration/server-capabilities.test.ts",
        "test/integration/sync.test.ts",
      ].sort(),
    );
  });

  it("matches one test per area and not the rest of a file", () => {
    const pattern = suiteTestNamePattern("compat-each")!;
    expect(pattern.test("artifacts, 'direct' mode deletes a directory so that neither we nor the server list its files")).toBe(true);
    expect(pattern.test("artifacts, 'proxied' mode deletes a directory so that neither we nor the server list its files")).toBe(true);
    expect(pattern.test("sync to the direct server (artifacts to S3) copies experiments, runs, histories and artifacts, field by field")).toBe(true);
    expect(pattern.test("artifacts, 'direct' mode round-trips a 5242880-byte file byte for byte, under the key MLflow derives")).toBe(false);
    expect(
      pattern.test("sync to the proxied server (artifacts through the server) copies everything, field by field, with artifacts behind mlflow-artifacts:"),
    ).toBe(false);
    expect(pattern.test("healthy stacks pass every check basic auth as admin: every check passes")).toBe(false);
  });
});

describe("MLFLOW_TS_INTEGRATION_WORKERS", () => {
  it("runs every file of the suite one after another in the one integration project when unset, empty or 1", () => {
    for (const workers of [undefined, "", "1"]) {
      expect(integrationProjects(undefined, workers)).toEqual([{ name: "integration", include: FULL_SUITE, exclude: [], maxWorkers: 1, groupOrder: 0 }]);
    }
    expect(integrationProjects("compat", "1")).toEqual([{ name: "integration", include: COMPAT_SUITE, exclude: [], maxWorkers: 1, groupOrder: 0 }]);
  });

  it("with N workers runs the shared-safe files N at a time, then the exclusive ones alone: every file in exactly one project", () => {
    const [shared, exclusive] = integrationProjects(undefined, "3");
    expect(shared).toEqual({ name: "integration", include: FULL_SUITE, exclude: EXCLUSIVE_FILES, maxWorkers: 3, groupOrder: 0 });
    expect(exclusive).toEqual({ name: "integration-exclusive", include: EXCLUSIVE_FILES, exclude: [], maxWorkers: 1, groupOrder: 1 });
  });

  it("keeps a suite's cut: only the suite's own exclusive files run alone, and none is added", () => {
    const compat = integrationProjects("compat", "2");
    expect(compat.map((p) => p.name)).toEqual(["integration", "integration-exclusive"]);
    expect(compat[0]!.include).toEqual(COMPAT_SUITE);
    expect(compat[1]!.include).toEqual(EXCLUSIVE_FILES.filter((file) => COMPAT_SUITE.includes(file)));
    expect(compat[1]!.include.length).toBeGreaterThan(0);
    // compat-ci picks no exclusive file: one project, its files side by side.
    expect(integrationProjects("compat-ci", "2")).toEqual([
      { name: "integration", include: suiteInclude("compat-ci"), exclude: EXCLUSIVE_FILES, maxWorkers: 2, groupOrder: 0 },
    ]);
  });

  it("lists every file that stops, starts or freezes a stack service, so a new one cannot run beside the others unnoticed", () => {
    const disruptive = readdirSync("test/integration")
      .filter((name) => name.endsWith(".test.ts"))
      .map((name) => `test/integration/${name}`)
      .filter((file) => /stop-service|start-service|pauseService\(/.test(readFileSync(file, "utf8")));
    expect(disruptive.length).toBeGreaterThan(0);
    expect(disruptive.filter((file) => !EXCLUSIVE_FILES.includes(file))).toEqual([]);
    expect(EXCLUSIVE_FILES.filter((file) => !existsSync(file))).toEqual([]);
  });

  it("refuses a count that is not a whole number of workers, with a fix", () => {
    for (const workers of ["0", "two", "1.5"]) {
      expect(() => integrationProjects(undefined, workers)).toThrow(
        new RegExp(`MLFLOW_TS_INTEGRATION_WORKERS="${workers.replace(".", "\\.")}" is not a whole number of workers ≥ 1\\. Fix: `),
      );
    }
  });
});
