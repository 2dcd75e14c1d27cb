/**
 * The data set the run-search differential test searches: three experiments of runs with varied
 * names (case, `%`, `_`, quotes, Unicode), tied and missing times, statuses, users, metrics with
 * NaN, ±Infinity, ties and several steps, params and tags (empty values, dots and spaces in keys),
 * dataset inputs with contexts, and deleted runs. It is written through {@link MlflowClient}, so
 * the same code fills the embedded store's SQLite file and, in experiments of its own, the
 * stack's server. Every value comes from a seeded generator: the same seed, the same data.
 */
import type { MlflowClient } from "../../../src/index.js";
import { pick, type Random } from "./random.js";

/** One logical run of the data set, as created on one target. */
export interface DataSetRun {
  /** Position in the data set (the same on every target). */
  index: number;
  runId: string;
  experimentId: string;
}

/** The data set as created on one target. */
export interface DataSet {
  experimentIds: string[];
  runs: DataSetRun[];
}

/** How many runs the data set has. */
export const DATA_SET_RUNS = 36;
const START_TIME_MS = 1_760_000_000_000;

const RUN_NAMES = ["alpha", "Alpha", "beta-1", "beta_2", "gamma%", "δelta", "it's", 'say "hi"', "run name", "ALPHA", "a_b", "a%b", "zeta"];
const USERS = ["alice", "bob", "Alice", "carol", ""];
const STATUSES = ["RUNNING", "FINISHED", "FAILED", "KILLED", "SCHEDULED", "FINISHED"] as const;
const METRIC_KEYS = ["acc", "loss", "val loss", "m.dot", "edge"];
const METRIC_VALUES = [0, 1, -1, 0.5, 0.5, 0.25, 2.5, 1e10, -1e-3, 3, NaN, Infinity, -Infinity, 1.7976931348623157e308, 100];
const PARAM_VALUES: Record<string, readonly string[]> = {
  lr: ["0.1", "0.01", "1e-3", "0.1"],
  opt: ["adam", "Adam", "sgd", "ADAM", "s_d"],
  "p.dot": ["x", "y.z"],
  blank: [""],
  "my key": ["a b", "A B", "50%"],
};
const TAG_VALUES: Record<string, readonly string[]> = {
  team: ["vision", "Vision", "nlp", "NLP", ""],
  "t.dot": ["1", "2", "10"],
  quote: ["it's", 'say "hi"', "back\\slash"],
  pct: ["50%", "a_b", "ab", "A%B"],
  "mlflow.note.content": ["note", "Note"],
};
const DATASETS = [
  { name: "mnist", digest: "d1" },
  { name: "MNIST", digest: "d2" },
  { name: "cifar", digest: "d3" },
  { name: "mnist", digest: "d4" },
];
const CONTEXTS = ["training", "eval", "Training"];

/**
 * Creates the data set on the store behind `client`, in three new experiments named
 * `<prefix>-0..2` (runs go to them in turn; about one in five is deleted).
 */
export async function createDataSet(client: MlflowClient, prefix: string, random: Random): Promise<DataSet> {
  const experimentIds: string[] = [];
  for (let index = 0; index < 3; index++) experimentIds.push(await client.experiments.create({ name: `${prefix}-${index}` }));
  const runs: DataSetRun[] = [];
  for (let index = 0; index < DATA_SET_RUNS; index++) {
    const experimentId = experimentIds[index % 3]!;
    const created = await client.runs.create({
      experiment_id: experimentId,
      run_name: `${pick(random, RUN_NAMES)}`,
      // Ties on purpose: runs that share a start time are ordered by run id.
      start_time: START_TIME_MS + Math.floor(random() * 8) * 1000,
      user_id: pick(random, USERS),
      tags: [{ key: "diff.index", value: String(index) }],
    });
    const runId = created.info.run_id;
    await logValues(client, runId, random);
    const status = pick(random, STATUSES);
    const endTime = random() < 0.7 ? START_TIME_MS + 10_000 + Math.floor(random() * 5) * 1000 : undefined;
    await client.runs.update(runId, { status, ...(endTime === undefined ? {} : { end_time: endTime }) });
    if (random() < 0.2) await client.runs.delete(runId);
    runs.push({ index, runId, experimentId });
  }
  return { experimentIds, runs };
}

async function logValues(client: MlflowClient, runId: string, random: Random): Promise<void> {
  const metrics = METRIC_KEYS.filter(() => random() < 0.6).flatMap((key) => {
    const points = 1 + Math.floor(random() * 3);
    return Array.from({ length: points }, (_, step) => ({ key, value: pick(random, METRIC_VALUES), step, timestamp: START_TIME_MS + step }));
  });
  const params = Object.fromEntries(
    Object.entries(PARAM_VALUES)
      .filter(() => random() < 0.6)
      .map(([key, values]) => [key, pick(random, values)]),
  );
  const tags = Object.fromEntries(
    Object.entries(TAG_VALUES)
      .filter(() => random() < 0.6)
      .map(([key, values]) => [key, pick(random, values)]),
  );
  await client.runs.logBatch(runId, { metrics, params, tags });
  if (random() < 0.5) {
    const dataset = pick(random, DATASETS);
    await client.runs.logInputs(runId, {
      datasets: [
        {
          dataset: { ...dataset, source_type: "local", source: "/data" },
          tags: random() < 0.8 ? [{ key: "mlflow.data.context", value: pick(random, CONTEXTS) }] : [],
        },
      ],
    });
  }
}
