/**
 * Experiment searches for the differential test: a small seeded data set of experiments (names
 * differing in case, `%`, `_`, quotes and Unicode; tags; some deleted) and seeded cases over
 * MLflow's experiment grammar (attributes, `tags.`, every comparator and some that are not, lists,
 * stray `AND`/`OR`, order clauses with padding, page tokens). Experiment searches see every
 * experiment of a store, so they run on the embedded store's file only, never on the shared server.
 */
import type { MlflowClient } from "../../../src/index.js";
import { pick, type Random } from "./random.js";

/** One experiment search. */
export interface ExperimentCase {
  filter?: string;
  order_by?: string[];
  page_token?: string;
  max_results: number;
}

const NAMES = ["alpha", "Alpha", "beta_1", "b%c", "it's", "δelta", "x y"];

/** Creates 12 experiments named `<prefix>-<name>-<i>`, about one in five deleted. */
export async function createExperiments(client: MlflowClient, prefix: string, random: Random): Promise<void> {
  for (let index = 0; index < 12; index++) {
    const tags = random() < 0.6 ? [{ key: pick(random, ["team", "k.dot", "my key"]), value: pick(random, ["vision", "Vision", "", "50%"]) }] : [];
    const id = await client.experiments.create({ name: `${prefix}-${pick(random, NAMES)}-${index}`, tags });
    if (random() < 0.2) await client.experiments.delete(id);
  }
}

const KEYS = [
  "name",
  "experiment_id",
  "creation_time",
  "last_update_time",
  "`name`",
  "attribute.name",
  "attributes.name",
  "tags.team",
  "tag.team",
  "`tags`.team",
  "tags.`k.dot`",
  'tags."my key"',
  "tags.missing",
  "lifecycle_stage",
  "metrics.x",
];
const COMPARATORS = ["=", "!=", "<", ">=", "LIKE", "ILIKE", "IN", "NOT IN", "IS NULL", "IS NOT NULL", "=="];
const VALUES = [
  "'%alpha%'",
  "'%a%'",
  "'A%'",
  "'vision'",
  "'VISION'",
  "''",
  "1",
  "0",
  "99999999999999999999",
  "('1', '2')",
  "('0',)",
  "(1)",
  "(a)",
  '"x"',
  "alpha",
  "1.5",
];
const ORDERS = [
  "name",
  "name DESC",
  " name",
  "name ",
  "experiment_id",
  "creation_time DESC",
  "last_update_time",
  "tags.team",
  "name ASC",
  "`name`",
  "experiment_id DESC",
];

/** `count` seeded experiment searches. */
export function generateExperimentCases(random: Random, count: number): ExperimentCase[] {
  return Array.from({ length: count }, (): ExperimentCase => {
    const clauses = Array.from({ length: 1 + Math.floor(random() * 2) }, () => {
      const comparator = pick(random, COMPARATORS);
      return comparator.startsWith("IS") ? `${pick(random, KEYS)} ${comparator}` : `${pick(random, KEYS)} ${comparator} ${pick(random, VALUES)}`;
    });
    let filter: string | undefined = clauses.join(pick(random, [" AND ", " and ", " AND AND ", " OR "]));
    if (random() < 0.1) filter = `AND ${filter}`;
    if (random() < 0.1) filter = undefined;
    const searchCase: ExperimentCase = { max_results: pick(random, [1, 3, 50]) };
    if (filter !== undefined) searchCase.filter = filter;
    if (random() < 0.5) searchCase.order_by = [pick(random, ORDERS)];
    if (random() < 0.2) searchCase.page_token = Buffer.from(`{"offset": ${pick(random, ["1", "2", '"2"', "-1", "0"])}}`).toString("base64");
    return searchCase;
  });
}
