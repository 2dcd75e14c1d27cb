import { configDefaults, defineConfig } from "vitest/config";
import { LongFirstSequencer } from "./test/integration/sequencer.js";
import { integrationProjects, suiteTestNamePattern } from "./test/integration/suites.js";

export default defineConfig({
  test: {
    // The CI cuts of the compatibility subset (MLFLOW_TS_SUITE=compat-ci, compat-each) pick tests by name. vitest
    // takes the pattern only at the root; only integration runs set that suite, and it is
    // undefined (every test) for the others.
    testNamePattern: suiteTestNamePattern(process.env.MLFLOW_TS_SUITE),
    // The longest integration files start first (test/integration/sequencer.ts).
    sequence: { sequencer: LongFirstSequencer },
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          setupFiles: ["test/unit/setup-journal-dir.ts"],
          environment: "node",
          testTimeout: 20_000,
        },
      },
      // Integration and conformance suites against the real stack (test/integration/global-setup.ts
      // checks or starts it). Files that stop, freeze or saturate a service every other file uses
      // (test/integration/suites.ts, EXCLUSIVE_FILES) must run alone. By default every file runs one
      // after another in one project, `integration`. With MLFLOW_TS_INTEGRATION_WORKERS=N ≥ 2 (what
      // `npm test` sets: most files wait on servers, timers and child processes rather than the CPU)
      // `integration` runs the other files N at a time, then `integration-exclusive` runs the
      // exclusive ones one at a time (sequence.groupOrder); README "Tests and the real stack" has the times.
      // MLFLOW_TS_SUITE=compat runs the compatibility subset (compat-ci, compat-each: its CI cuts, by test name), MLFLOW_TS_STACK_VERSION=<version>
      // points the suites at that extra MLflow version's servers (docs/compatibility.md).
      ...integrationProjects(process.env.MLFLOW_TS_SUITE, process.env.MLFLOW_TS_INTEGRATION_WORKERS).map((split) => ({
        test: {
          name: split.name,
          include: split.include,
          exclude: [...configDefaults.exclude, ...split.exclude],
          environment: "node",
          globalSetup: ["test/integration/global-setup.ts"],
          setupFiles: ["test/unit/setup-journal-dir.ts"],
          testTimeout: 300_000,
          hookTimeout: 600_000,
          fileParallelism: split.maxWorkers > 1,
          maxWorkers: split.maxWorkers,
          sequence: { groupOrder: split.groupOrder },
        },
      })),
    ],
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      reporter: ["text-summary", "json-summary"],
      // Checked whenever coverage is collected (`npm test` runs the unit project with --coverage).
      thresholds: {
        "src/core/**/*.ts": { lines: 90 },
        "src/config/**/*.ts": { lines: 90 },
        "src/protocol/**/*.ts": { lines: 90 },
        "src/store/rest/rest-store.ts": { lines: 90 },
        "src/resources/!(artifacts).ts": { lines: 90 },
      },
    },
  },
});
