import { defineConfig } from "vitest/config";
import { suiteInclude, suiteTestNamePattern } from "./test/integration/suites.js";

export default defineConfig({
  test: {
    // The CI cuts of the compatibility subset (MLFLOW_TS_SUITE=compat-ci, compat-each) pick tests by name. vitest
    // takes the pattern only at the root; only integration runs set that suite, and it is
    // undefined (every test) for the others.
    testNamePattern: suiteTestNamePattern(process.env.MLFLOW_TS_SUITE),
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
      {
        test: {
          // Integration and conformance suites against the real stack (test/integration/global-setup.ts
          // checks or starts it). Files run one after another: they share three servers and the CPU.
          // MLFLOW_TS_SUITE=compat runs the compatibility subset (compat-ci, compat-each: its CI cuts, by test name), MLFLOW_TS_STACK_VERSION=<version>
          // points the suites at that extra MLflow version's servers (docs/compatibility.md).
          name: "integration",
          include: suiteInclude(process.env.MLFLOW_TS_SUITE),
          environment: "node",
          globalSetup: ["test/integration/global-setup.ts"],
          setupFiles: ["test/unit/setup-journal-dir.ts"],
          testTimeout: 300_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
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
