/**
 * Which files the `integration` vitest project runs, chosen by `MLFLOW_TS_SUITE`: the whole
 * integration and conformance suites (`full`, the default), the compatibility subset (`compat`)
 * that the version matrix runs on every older MLflow server, or the seed set-up alone (`seed`, what
 * `npm test` runs on the range's anchor versions). The subsets are lists of the existing files, not
 * copies of their tests: client, logger, artifacts in both modes, registry, doctor, sync, the
 * Python read-back both ways, and the seed set-up.
 *
 * @example
 * MLFLOW_TS_SUITE=compat MLFLOW_TS_STACK_VERSION=2.14.3 npx vitest run --project integration
 */

/** Every integration and conformance test file. */
export const FULL_SUITE = ["test/integration/**/*.test.ts", "test/conformance/**/*.test.ts"];

/** The compatibility subset, run on every server version of the matrix. */
export const COMPAT_SUITE = [
  "test/integration/seed-setup.test.ts",
  "test/integration/server-capabilities.test.ts",
  "test/integration/rest-experiments.test.ts",
  "test/integration/rest-runs.test.ts",
  "test/integration/rest-metrics.test.ts",
  "test/integration/rest-errors.test.ts",
  "test/integration/logger.test.ts",
  "test/integration/artifacts.test.ts",
  "test/integration/rest-registry.test.ts",
  "test/integration/doctor.test.ts",
  "test/integration/sync.test.ts",
  "test/conformance/rest-ts-to-python.test.ts",
  "test/conformance/rest-python-to-ts.test.ts",
];

/** The seed deployment's job end to end, read back by the same version's Python client. */
export const SEED_SUITE = ["test/integration/seed-setup.test.ts"];

/** The suites `MLFLOW_TS_SUITE` may name (scripts/stack/matrix --suite takes the same names). */
export const SUITES = { full: FULL_SUITE, compat: COMPAT_SUITE, seed: SEED_SUITE } as const;

/**
 * The include globs of the suite named by `suite` (`MLFLOW_TS_SUITE`; unset or empty = `full`).
 * @throws {Error} for another name, saying which ones exist.
 */
export function suiteInclude(suite: string | undefined): string[] {
  const name = suite === undefined || suite === "" ? "full" : suite;
  if (!(name in SUITES)) {
    throw new Error(`MLFLOW_TS_SUITE="${name}" is not a suite. Fix: use one of ${Object.keys(SUITES).join(", ")} (or leave it unset for full).`);
  }
  return [...SUITES[name as keyof typeof SUITES]];
}
