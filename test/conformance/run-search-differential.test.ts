/**
 * The embedded store's run search is MLflow's, proven by difference: thousands of searches — a
 * fixed corpus of known classes plus seeded grammar-generated filters, order clauses, page tokens,
 * page sizes and view types — run through the embedded store and through MLflow's SQLAlchemy store
 * (the pinned Python, one long-lived process) on the same SQLite file, and through the REST client
 * and MLflow's REST store against the stack's server (PostgreSQL) on the same data. Each pair must
 * return the same run ids in the same order with the same next-page token, or refuse with the same
 * error code. A failure prints a minimal reproduction: the case and both answers. Experiment
 * searches, which share the parser, are compared the same way on the SQLite file.
 *
 * CI runs 3000 generated cases (1000 of them on the server too) with a fixed seed. Larger runs on
 * demand, e.g. `MLFLOW_TS_SEARCH_DIFF_SEED=7 MLFLOW_TS_SEARCH_DIFF_CASES=50000
 * MLFLOW_TS_SEARCH_DIFF_REST_CASES=5000 npx vitest run --project integration
 * test/conformance/run-search-differential.test.ts` (with the stack's ports sourced).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MlflowApiError, MlflowClient } from "../../src/index.js";
import { KEYWORDS, SQLPARSE_VERSION } from "../../src/store/sqlite/search/sqlparse/keywords.generated.js";
import { stackClient, uniqueName } from "../integration/support/stack.js";
import { FIXED_CORPUS, generateCases, type ResolvedCase, resolveCase, type SearchCase } from "./search-differential/cases.js";
import { createDataSet, type DataSet } from "./search-differential/data-set.js";
import { createExperiments, type ExperimentCase, generateExperimentCases } from "./search-differential/experiment-cases.js";
import { PythonWorker } from "./search-differential/python-worker.js";
import { seededRandom } from "./search-differential/random.js";
import { conformancePython } from "./sqlite-python.js";

const SEED = Number(process.env.MLFLOW_TS_SEARCH_DIFF_SEED ?? 20_261_206);
const GENERATED_CASES = Number(process.env.MLFLOW_TS_SEARCH_DIFF_CASES ?? 3000);
/** Generated cases also sent to the server (each costs two HTTP round trips to MLflow on PostgreSQL). */
const REST_CASES = Math.min(GENERATED_CASES, Number(process.env.MLFLOW_TS_SEARCH_DIFF_REST_CASES ?? 1000));
/** Experiment searches (embedded store only: they see every experiment of the store). */
const EXPERIMENT_CASES = Number(process.env.MLFLOW_TS_SEARCH_DIFF_EXPERIMENT_CASES ?? 1000);
/** Searches in flight at once against the server. */
const REST_CONCURRENCY = 4;
const BATCH = 250;
const BATCH_TIMEOUT_MS = 120_000;
const REPORTED_FAILURES = 15;

/** What one side answered. */
type Answer = { ok: true; run_ids: string[]; token: string | null } | { ok: false; code: string; message?: string };

const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-search-diff-"));
const dbPath = join(dir, "mlflow.db");
const sqliteUri = `sqlite:///${dbPath}`;
let embedded: MlflowClient;
let server: MlflowClient;
let worker: PythonWorker;
let sqliteData: DataSet;
let serverData: DataSet;
const generated = generateCases(seededRandom(SEED + 1), GENERATED_CASES);
const sqliteCases: SearchCase[] = [...FIXED_CORPUS, ...generated];
const restCases: SearchCase[] = [...FIXED_CORPUS, ...generated.slice(0, REST_CASES)];

beforeAll(async () => {
  embedded = new MlflowClient({ trackingUri: sqliteUri, env: { MLFLOW_TS_QUIET_LOCAL_STORE: "true" } });
  server = stackClient("direct", { maxRetries: 0 });
  sqliteData = await createDataSet(embedded, "search-diff", seededRandom(SEED));
  await createExperiments(embedded, "search-diff-experiment", seededRandom(SEED + 2));
  serverData = await createDataSet(server, uniqueName("search-diff"), seededRandom(SEED));
  worker = new PythonWorker(conformancePython(), { MLFLOW_TRACKING_URI: "" });
});

afterAll(async () => {
  await worker?.close();
  await embedded?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function ours(client: MlflowClient, request: ResolvedCase): Promise<Answer> {
  try {
    const page = await client.runs.search(request).firstPage();
    return { ok: true, run_ids: page.items.map((run) => run.info.run_id), token: page.nextPageToken ?? null };
  } catch (error) {
    if (error instanceof MlflowApiError) return { ok: false, code: error.errorCode ?? `HTTP ${error.status}`, message: error.message.slice(0, 300) };
    return { ok: false, code: `TS:${(error as Error).name}`, message: (error as Error).message.slice(0, 300) };
  }
}

/** What one side answered to an experiment search. */
type ExperimentAnswer = { ok: true; ids: string[]; token: string | null } | { ok: false; code: string; message?: string };

async function oursExperiments(request: ExperimentCase): Promise<ExperimentAnswer> {
  try {
    const page = await embedded.experiments.search({ view_type: "ALL", ...request }).firstPage();
    return { ok: true, ids: page.items.map((experiment) => experiment.experiment_id), token: page.nextPageToken ?? null };
  } catch (error) {
    if (error instanceof MlflowApiError) return { ok: false, code: error.errorCode ?? `HTTP ${error.status}`, message: error.message.slice(0, 300) };
    return { ok: false, code: `TS:${(error as Error).name}`, message: (error as Error).message.slice(0, 300) };
  }
}

/** An answer with run ids shown as their data-set positions (`#7`), for reading. */
function readable(answer: Answer, dataSet: DataSet): string {
  if (!answer.ok) return JSON.stringify(answer);
  const index = new Map(dataSet.runs.map((run) => [run.runId, `#${run.index}`]));
  return JSON.stringify({ ...answer, run_ids: answer.run_ids.map((id) => index.get(id) ?? id) });
}

function same(a: Answer, b: Answer): boolean {
  if (a.ok && b.ok) return JSON.stringify(a.run_ids) === JSON.stringify(b.run_ids) && a.token === b.token;
  return !a.ok && !b.ok && a.code === b.code;
}

/** `ours` for every request, at most `concurrency` at a time, answers in request order. */
async function oursAll(client: MlflowClient, requests: ResolvedCase[], concurrency: number): Promise<Answer[]> {
  const answers: Answer[] = new Array<Answer>(requests.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < requests.length) {
      const index = next++;
      answers[index] = await ours(client, requests[index]!);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return answers;
}

/** Runs every case on both sides of one target; returns the reproductions of the differences. */
async function differences(
  cases: SearchCase[],
  uri: string,
  client: MlflowClient,
  dataSet: DataSet,
  concurrency: number,
): Promise<{ count: number; reports: string[] }> {
  const reports: string[] = [];
  let count = 0;
  for (let start = 0; start < cases.length; start += BATCH) {
    const batch = cases.slice(start, start + BATCH).map((searchCase) => resolveCase(searchCase, dataSet));
    // Both sides work at the same time: the Python process on its batch, this one on its searches.
    const theirsPromise = worker.ask<Answer>(
      batch.map((request) => ({ op: "search", uri, ...request })),
      BATCH_TIMEOUT_MS,
    );
    const mineAll = await oursAll(client, batch, concurrency);
    const theirs = await theirsPromise;
    for (const [index, request] of batch.entries()) {
      const mine = mineAll[index]!;
      if (same(mine, theirs[index]!)) continue;
      count += 1;
      if (reports.length < REPORTED_FAILURES) {
        reports.push(
          `case ${start + index}: ${JSON.stringify(request)}\n  mlflow-ts: ${readable(mine, dataSet)}\n  MLflow:    ${readable(theirs[index]!, dataSet)}`,
        );
      }
    }
  }
  return { count, reports };
}

describe(`conformance: run search against MLflow (seed ${SEED}, ${FIXED_CORPUS.length} fixed + ${GENERATED_CASES} generated cases, ${REST_CASES} of them on the server)`, () => {
  it("uses the keyword table of the sqlparse the pinned MLflow installs", async () => {
    const [version] = await worker.ask<{ sqlparse: string; keywords: Record<string, string> }>([{ op: "version" }], BATCH_TIMEOUT_MS);
    expect(SQLPARSE_VERSION).toBe(version!.sqlparse);
    expect(Object.fromEntries(KEYWORDS)).toEqual(version!.keywords);
  });

  it("the embedded store answers every case as MLflow's SQLAlchemy store does on the same SQLite file", async () => {
    const { count, reports } = await differences(sqliteCases, sqliteUri, embedded, sqliteData, 1);
    expect(count, `${count} of ${sqliteCases.length} cases differ:\n${reports.join("\n")}`).toBe(0);
  }, 900_000);

  it(`the embedded store answers ${EXPERIMENT_CASES} experiment searches as MLflow's SQLAlchemy store does on the same SQLite file`, async () => {
    const experimentCases = generateExperimentCases(seededRandom(SEED + 3), EXPERIMENT_CASES);
    const reports: string[] = [];
    let count = 0;
    for (let start = 0; start < experimentCases.length; start += BATCH) {
      const batch = experimentCases.slice(start, start + BATCH);
      const theirs = await worker.ask<ExperimentAnswer>(
        batch.map((request) => ({ op: "search_experiments", uri: sqliteUri, ...request })),
        BATCH_TIMEOUT_MS,
      );
      for (const [index, request] of batch.entries()) {
        const mine = await oursExperiments(request);
        const other = theirs[index]!;
        const equal =
          mine.ok && other.ok
            ? JSON.stringify(mine.ids) === JSON.stringify(other.ids) && mine.token === other.token
            : !mine.ok && !other.ok && mine.code === other.code;
        if (equal) continue;
        count += 1;
        if (reports.length < REPORTED_FAILURES)
          reports.push(
            `experiment case ${start + index}: ${JSON.stringify(request)}\n  mlflow-ts: ${JSON.stringify(mine)}\n  MLflow:    ${JSON.stringify(other)}`,
          );
      }
    }
    expect(count, `${count} of ${experimentCases.length} experiment cases differ:\n${reports.join("\n")}`).toBe(0);
  }, 600_000);

  it("the REST client answers every case as MLflow's REST store does against the same server", async () => {
    const { count, reports } = await differences(restCases, server.trackingUri, server, serverData, REST_CONCURRENCY);
    expect(count, `${count} of ${restCases.length} cases differ:\n${reports.join("\n")}`).toBe(0);
  }, 900_000);
});
