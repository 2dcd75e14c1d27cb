/**
 * Which tests the `integration` vitest project runs, chosen by `MLFLOW_TS_SUITE`: the whole
 * integration and conformance suites (`full`, the default), the compatibility subset (`compat`)
 * that the version matrix runs on every older MLflow server on demand, its CI cut (`compat-ci`,
 * what `npm test` runs on the range's anchor versions: a few minutes instead of about half an hour
 * per version), the smaller per-version cut (`compat-each`, what `npm test` runs on every other
 * pinned version: one test of each area), or the seed set-up alone (`seed`). The subsets are lists
 * of the existing files and tests, not copies of them: client, logger, artifacts in both modes,
 * registry, doctor, sync, the basic-auth server (authentication, the admin API, rotating tokens),
 * the Python read-back, and the seed set-up. This file is the one place that chooses them.
 *
 * @example
 * MLFLOW_TS_SUITE=compat-ci MLFLOW_TS_STACK_VERSION=2.14.3 npx vitest run --project integration
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
  "test/integration/logger-server-stop.test.ts",
  "test/integration/artifacts.test.ts",
  "test/integration/artifacts-presigned-only.test.ts",
  "test/integration/rest-registry.test.ts",
  "test/integration/doctor.test.ts",
  "test/integration/sync.test.ts",
  "test/integration/auth.test.ts",
  "test/integration/auth-admin.test.ts",
  "test/integration/auth-rotation.test.ts",
  "test/conformance/rest-ts-to-python.test.ts",
  "test/conformance/rest-python-to-ts.test.ts",
];

/**
 * The CI cut of the compatibility subset: file → the titles of the tests chosen from it (as written
 * in the file, `%d`/`$name` placeholders included). Chosen to cover on each
 * version the typed client (runs, experiment tags, metric histories and their order, errors), the
 * logger, artifacts in both modes, the registry, the doctor, sync, the basic-auth admin API (a
 * service account created and granted an experiment, a read-only user's write refused naming the
 * resource) and the gated features; left out are the tests that measure capacity or memory (the 1,000,000-point
 * logger run, the 1 GiB and 200 MiB uploads, the 1,000-file tree: 114 s through one old proxied
 * worker, and the Python read-back of it; the 30 s outage and the 30 s token-rotation run) and the
 * ones that repeat a covered path.
 * The Python read-back stays in the seed set-up. The tests that run are the same as in `compat`, unchanged.
 */
export const COMPAT_CI_SELECTION: Readonly<Record<string, readonly string[]>> = {
  "test/integration/seed-setup.test.ts": [
    "logs params, a metric history and a direct-S3 artifact from env vars alone, and that version's Python client reads them back",
  ],
  "test/integration/server-capabilities.test.ts": [
    "learns the server's version from GET /version and the features that version lacks",
    "server-info: read on a server that has it, not asked on one that does not",
    "logModel: a logged model where the server has them, else run artifacts recorded in mlflow.log-model.history, registrable from runs:/",
  ],
  "test/integration/rest-experiments.test.ts": ["sets, overwrites and deletes experiment tags; deleting an absent tag is a 404"],
  "test/integration/rest-runs.test.ts": [
    "creates a RUNNING run with a name, a start time and tags, and reads it back",
    "filters on metrics, params, tags and attributes",
    "delivers 2500 metrics, 250 params and 250 tags given to one logBatch call",
    "records a dataset input with its tags",
  ],
  "test/integration/rest-metrics.test.ts": [
    "does the same through logBatch, next to finite values of the same key",
    "reads a 10,000-point history back point by point across pages of 3000",
    "keeps the same step logged twice with different values or timestamps, and drops an exact duplicate",
  ],
  "test/integration/rest-errors.test.ts": [
    "turns the HTML 404 of an unknown route into NotFoundError ENDPOINT_NOT_FOUND with readable text",
    "returns the run the server created when the runs/create response is lost: exactly one run carries the request id",
  ],
  "test/integration/logger.test.ts": ["reports a read-only user's permission error from flush(), without crashing"],
  "test/integration/artifacts.test.ts": [
    "runs of this server get the expected artifact URI scheme",
    "round-trips a %d-byte file byte for byte, under the key MLflow derives",
    "lists what it uploaded with sizes, as the server's own listing does",
    "deletes a directory so that neither we nor the server list its files",
  ],
  "test/integration/artifacts-presigned-only.test.ts": [
    "refuses proxied bytes; the SDK, with no S3 credentials, uploads files, an empty file, bytes and a folder by presigned multipart, downloads them by presigned URLs, and Python reads them back byte for byte (before 3.18: the option does not exist)",
  ],
  "test/integration/rest-registry.test.ts": [
    "registers numbered versions from a run and reads them back",
    "points aliases at versions and resolves them; a deleted alias no longer resolves",
    "moves versions between stages and reports the latest version per stage",
  ],
  "test/integration/doctor.test.ts": [
    "direct S3: every check passes (the proxy check does not apply), and no probe object or multipart upload is left",
    "proxied, with no S3 endpoint nor AWS credentials on this machine: every check that applies passes, through the server",
    "a read-only user on an experiment it does not own: permission (403)",
  ],
  "test/integration/sync.test.ts": [
    "copies experiments, runs, histories and artifacts, field by field",
    "are copied to the direct server (files to S3), field by field, once",
    "copies everything, field by field, with artifacts behind mlflow-artifacts:",
  ],
  "test/integration/auth-admin.test.ts": [
    "creates a service account with the CLI and grants it EDIT on one experiment by name",
    "refuses the READ-only user's write with an error naming the resource",
  ],
};

/**
 * The per-version cut (`compat-each`): what `npm test` runs on every pinned version that is not an
 * anchor, so that each server of the range is exercised in every CI run within its time budget
 * (docs/compatibility.md, "Cost"). One test of each area, every one of them also in
 * {@link COMPAT_CI_SELECTION}: the seed set-up read back by that version's Python client, the
 * server's version and missing features, the logger (a read-only user's error, on the basic-auth
 * server), artifacts in both modes (upload, list, download, directory delete), the registry,
 * the doctor and sync.
 */
export const COMPAT_EACH_SELECTION: Readonly<Record<string, readonly string[]>> = {
  "test/integration/seed-setup.test.ts": [
    "logs params, a metric history and a direct-S3 artifact from env vars alone, and that version's Python client reads them back",
  ],
  "test/integration/server-capabilities.test.ts": ["learns the server's version from GET /version and the features that version lacks"],
  "test/integration/logger.test.ts": ["reports a read-only user's permission error from flush(), without crashing"],
  "test/integration/artifacts.test.ts": ["deletes a directory so that neither we nor the server list its files"],
  "test/integration/rest-registry.test.ts": ["registers numbered versions from a run and reads them back"],
  "test/integration/doctor.test.ts": ["direct S3: every check passes (the proxy check does not apply), and no probe object or multipart upload is left"],
  "test/integration/sync.test.ts": ["copies experiments, runs, histories and artifacts, field by field"],
};

/**
 * The files that must run alone: each stops, freezes or saturates a service every other file uses
 * (an MLflow server, PostgreSQL, the S3 server), so a file running beside it would fail for no fault
 * of its own. With `MLFLOW_TS_INTEGRATION_WORKERS` ≥ 2 (what `npm test` sets) they run one at a
 * time after the other files, which run side by side ({@link integrationProjects}); a new file that
 * stops or freezes a service, or asserts on the whole server's state, belongs here.
 */
export const EXCLUSIVE_FILES = [
  // Stops the MLflow server, then PostgreSQL, for 60 s each.
  "test/integration/logger-outage.test.ts",
  // Stops the direct MLflow server for 30 s.
  "test/integration/logger-server-stop.test.ts",
  // Stops the direct MLflow server while linked points are spilled.
  "test/integration/logger-metric-links.test.ts",
  // Stops the S3 server mid-upload.
  "test/integration/artifacts-faults.test.ts",
  // Freezes the direct server and PostgreSQL (SIGSTOP) under 32 logging processes.
  "test/integration/load.test.ts",
  // Freezes PostgreSQL 40 s until the server's connection pools are exhausted.
  "test/integration/pool-exhaustion.test.ts",
];

/**
 * The integration files that take longest, longest first (measured with files side by side:
 * README "Tests and the real stack"): they start first in their project
 * (test/integration/sequencer.ts), so that none of them is left running alone at the end.
 */
export const LONG_FILES = [
  "test/integration/logger.test.ts",
  "test/integration/logger-journal.test.ts",
  "test/integration/new-user.test.ts",
  "test/integration/artifacts.test.ts",
  "test/conformance/run-search-differential.test.ts",
];

/** The suites that pick tests by name: suite → file → titles. */
export const SELECTIONS = { "compat-ci": COMPAT_CI_SELECTION, "compat-each": COMPAT_EACH_SELECTION } as const;

/** The seed deployment's job end to end, read back by the same version's Python client. */
export const SEED_SUITE = ["test/integration/seed-setup.test.ts"];

/** The suites `MLFLOW_TS_SUITE` may name (scripts/stack/matrix --suite takes the same names). */
export const SUITES = {
  full: FULL_SUITE,
  compat: COMPAT_SUITE,
  "compat-ci": Object.keys(COMPAT_CI_SELECTION),
  "compat-each": Object.keys(COMPAT_EACH_SELECTION),
  seed: SEED_SUITE,
} as const;

/** A suite's name; unset or empty means `full`. */
function suiteName(suite: string | undefined): keyof typeof SUITES {
  const name = suite === undefined || suite === "" ? "full" : suite;
  if (!(name in SUITES)) {
    throw new Error(`MLFLOW_TS_SUITE="${name}" is not a suite. Fix: use one of ${Object.keys(SUITES).join(", ")} (or leave it unset for full).`);
  }
  return name as keyof typeof SUITES;
}

/**
 * The include globs of the suite named by `suite` (`MLFLOW_TS_SUITE`; unset or empty = `full`).
 * @throws {Error} for another name, saying which ones exist.
 */
export function suiteInclude(suite: string | undefined): string[] {
  return [...SUITES[suiteName(suite)]];
}

/**
 * The test-name filter of the suite (vitest's `testNamePattern`, matched against "describe … title"):
 * for `compat-ci` and `compat-each` the chosen titles at the end of the name, placeholders of
 * `it.each` / `describe.each` matching any text; `undefined` (every test of the files) for the
 * other suites.
 * @throws {Error} for an unknown suite, as {@link suiteInclude}.
 */
export function suiteTestNamePattern(suite: string | undefined): RegExp | undefined {
  const name = suiteName(suite);
  if (!(name in SELECTIONS)) return undefined;
  const titles = Object.values(SELECTIONS[name as keyof typeof SELECTIONS]).flat();
  return new RegExp(`(?:${titles.map(titleSource).join("|")})$`);
}

/** A title as a RegExp source: literal text, `%d`/`%s`/`%i`/`$name` placeholders matching anything. */
function titleSource(title: string): string {
  return title
    .split(/(%[dsif]|\$\w+)/)
    .map((part, index) => (index % 2 === 1 ? ".+?" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
}

/** The settings of one integration vitest project that {@link integrationProjects} varies. */
export interface IntegrationProjectSplit {
  /** vitest project name: `integration`, or `integration-exclusive` for the files that run alone. */
  name: string;
  include: string[];
  /** Files left out of `include` (on top of vitest's default excludes). */
  exclude: string[];
  /** Files run side by side in this many workers; 1: one after another. */
  maxWorkers: number;
  /** vitest's `sequence.groupOrder`: lower groups finish before higher ones start. */
  groupOrder: number;
}

/**
 * How the integration files of `suite` (`MLFLOW_TS_SUITE`) are run, given `workers`
 * (`MLFLOW_TS_INTEGRATION_WORKERS`; unset, empty or 1: one worker). With one worker, one project
 * `integration` runs every file one after another, as a developer's `vitest run --project
 * integration <file>` expects. With N ≥ 2, `integration` runs the files that share the stack
 * safely in N workers, then `integration-exclusive` runs {@link EXCLUSIVE_FILES} (those of the
 * suite) one at a time: run both (`--project integration --project integration-exclusive`).
 * @throws {Error} when `workers` is not a whole number ≥ 1, or for an unknown suite.
 * @example
 * integrationProjects(process.env.MLFLOW_TS_SUITE, process.env.MLFLOW_TS_INTEGRATION_WORKERS)
 */
export function integrationProjects(suite: string | undefined, workers: string | undefined): IntegrationProjectSplit[] {
  const include = suiteInclude(suite);
  const count = workers === undefined || workers === "" ? 1 : Number(workers);
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(
      `MLFLOW_TS_INTEGRATION_WORKERS="${workers}" is not a whole number of workers ≥ 1. Fix: set it to 1 (files one at a time) or more, or leave it unset.`,
    );
  }
  if (count === 1) return [{ name: "integration", include, exclude: [], maxWorkers: 1, groupOrder: 0 }];
  const everyFile = suiteName(suite) === "full";
  const exclusive = EXCLUSIVE_FILES.filter((file) => everyFile || include.includes(file));
  const shared: IntegrationProjectSplit = { name: "integration", include, exclude: [...EXCLUSIVE_FILES], maxWorkers: count, groupOrder: 0 };
  if (exclusive.length === 0) return [shared];
  return [shared, { name: "integration-exclusive", include: exclusive, exclude: [], maxWorkers: 1, groupOrder: 1 }];
}
