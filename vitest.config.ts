import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
          testTimeout: 20_000,
        },
      },
      {
        test: {
          // Integration and conformance suites against the real stack (test/integration/global-setup.ts
          // checks or starts it). Files run one after another: they share three servers and the CPU.
          name: "integration",
          include: ["test/integration/**/*.test.ts", "test/conformance/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/integration/global-setup.ts"],
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
        "src/store/rest-store.ts": { lines: 90 },
        "src/resources/!(artifacts).ts": { lines: 90 },
      },
    },
  },
});
