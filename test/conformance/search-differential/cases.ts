/**
 * The cases of the run-search differential test: a fixed corpus of the known classes of
 * difference (dangling and leading `AND`, `IN` without parentheses, order clauses with whitespace
 * around them, page tokens that are not non-negative integer offsets…) and a seeded grammar-based
 * generator of filters, order clauses, page tokens, page sizes and view types. Cases name runs and
 * experiments by their position in the data set (`{{run:3}}`), so the same case runs on every
 * target; {@link resolveCase} puts in the target's ids.
 */
import type { ViewType } from "../../../src/index.js";
import { DATA_SET_RUNS, type DataSet } from "./data-set.js";
import { pick, type Random } from "./random.js";

/** One search to run on both sides. */
export interface SearchCase {
  /** May name runs as `{{run:<index>}}`. */
  filter?: string;
  order_by?: string[];
  page_token?: string;
  max_results: number;
  run_view_type?: ViewType;
  /** Positions of the data set's experiments to search. */
  experiments: number[];
}

/** A case with the target's run and experiment ids in place. */
export interface ResolvedCase {
  filter?: string;
  order_by?: string[];
  page_token?: string;
  max_results: number;
  run_view_type?: ViewType;
  experiment_ids: string[];
}

/** The case as it is sent to one target. */
export function resolveCase(searchCase: SearchCase, dataSet: DataSet): ResolvedCase {
  const { experiments, filter, ...rest } = searchCase;
  const resolved: ResolvedCase = { ...rest, experiment_ids: experiments.map((index) => dataSet.experimentIds[index]!) };
  if (filter !== undefined) resolved.filter = filter.replace(/\{\{run:(\d+)\}\}/g, (_all, index: string) => dataSet.runs[Number(index)]!.runId);
  return resolved;
}

const ALL = [0, 1, 2];

/** base64 of `text` (UTF-8). */
function b64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

/** Page tokens that are not what MLflow hands out, each once in the corpus and again in generated cases. */
const FORGED_TOKENS = [
  b64('{"offset": 0}'),
  b64('{"offset": -1}'),
  b64('{"offset": -5}'),
  b64('{"offset": "3"}'),
  b64('{"offset": " 3 "}'),
  b64('{"offset": "3.5"}'),
  b64('{"offset": "x"}'),
  b64('{"offset": 2.9}'),
  b64('{"offset": true}'),
  b64('{"offset": false}'),
  b64('{"offset": null}'),
  b64('{"offset": [1]}'),
  b64('{"offset": {"a": 1}}'),
  b64('{"offset": NaN}'),
  b64('{"offset": Infinity}'),
  b64('{"offset": 1e400}'),
  b64('{"offset": 99999999999999999999}'),
  b64('{"offset": 9223372036854775807}'),
  b64('{"offset": 3, "offset": 4}'),
  b64('{"offset": 1_0}'),
  b64('{"offset": "1_0"}'),
  b64('{"offst": 3}'),
  b64("[3]"),
  b64("3"),
  b64('"3"'),
  b64("null"),
  b64("{}"),
  b64("not json"),
  b64(' {"offset": 4} '),
  b64('{"offset": 4}').replace(/=+$/, ""),
  `${b64('{"offset": 4}')}==`,
  `%%${b64('{"offset": 4}')}`,
  b64('{"offset": 4}').replace(/(.{4})/, "$1\n"),
  "abcde",
  "a",
  "====",
  "!!!",
  "é",
  "-_-_",
  Buffer.from('{"offset": 2}', "utf16le").toString("base64"),
  Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"offset": 2}')]).toString("base64"),
  Buffer.from([0xff, 0xfe, 0x00]).toString("base64"),
];

/** The known classes of difference, run before the generated cases. */
export const FIXED_CORPUS: readonly SearchCase[] = [
  ...[
    "AND metrics.acc > 0",
    "metrics.acc > 0 AND",
    "metrics.acc > 0 and",
    "metrics.acc > 0 AND AND params.lr = '0.1'",
    "AND",
    "AND AND",
    "  ",
    "\n",
    "metrics.acc > 0;",
    "metrics.acc > 0; params.lr = '0.1'",
    "run_id IN '{{run:0}}'",
    "attributes.run_id IN {{run:0}}",
    "run_id IN ('{{run:0}}', '{{run:1}}')",
    'run_id IN ("{{run:0}}")',
    "run_id NOT IN ('{{run:0}}',)",
    "run_id IN ()",
    "run_id IN (1, 2)",
    "run_id IN (a)",
    "run_id IN ('{{run:2}}' '{{run:3}}')",
    "run_id in ('{{run:4}}')",
    "run_id = ('{{run:0}}', '{{run:1}}')",
    "run_id LIKE ('{{run:0}}')",
    "datasets.name IN ('mnist', 'cifar')",
    "datasets.digest NOT IN ('d1')",
    "datasets.context IN ('training')",
    "tags.team IS NULL",
    "tags.team IS NOT NULL",
    "tags.team is not null",
    "params.lr IS  NOT  NULL",
    "metrics.acc IS NULL",
    "attributes.status IS NULL",
    "`run name` = 'alpha'",
    "run name = 'alpha'",
    "created > 1760000003000",
    "Created < 1760000003000",
    "start_time > 99999999999999999999",
    "start_time > 1.5",
    "end_time <= 1760000012000.0",
    "metrics.acc > 1e400",
    "metrics.acc < -1e400",
    "metrics.acc != 0.5",
    "metrics.acc = 0x1F",
    "metrics.`val loss` >= 0",
    'metrics."val loss" >= 0',
    "metrics.m.dot < 1",
    "params.`my key` LIKE '%b'",
    "params.blank = ''",
    "params.lr = 0.1",
    "params.lr = lr",
    "params.opt ILIKE 'ADAM'",
    "params.opt LIKE 'a%'",
    "params.opt NOT LIKE 'a%'",
    "params.opt RLIKE 'a.*'",
    "params.opt == 'adam'",
    "params.opt <> 'adam'",
    "tags.quote = 'it''s'",
    'tags.quote = "say ""hi"""',
    "tags.pct LIKE '%\\%%'",
    "tags.pct LIKE 'a_b'",
    "tags.`t.dot` > '1'",
    "tags.t.dot = '1'",
    "attributes.run_name LIKE '%a%'",
    "attributes.run_name ILIKE 'ALPHA'",
    "attributes.user_id = ''",
    "attributes.status != 'FINISHED'",
    "attributes.artifact_uri LIKE '%artifacts'",
    "attributes.lifecycle_stage = 'active'",
    "metrics.acc > 0 OR metrics.acc < 0",
    "(metrics.acc > 0)",
    "NOT metrics.acc > 0",
    "metrics.acc>0AND params.lr='0.1'",
    "metrics.acc > 0 -- comment",
    "metrics.acc /* c */ > 0",
  ].map((filter): SearchCase => ({ filter, max_results: 50, run_view_type: "ALL", experiments: ALL })),
  ...[
    [" metrics.acc"],
    ["metrics.acc "],
    ["\tmetrics.acc DESC"],
    ["metrics.acc  DESC"],
    ["metrics.acc DESC "],
    ["metrics.acc desc"],
    ["metrics.acc SIDEWAYS"],
    ["metrics.acc DESC NULLS FIRST"],
    ["metrics.acc", "metrics.acc DESC"],
    ["start_time", "created"],
    ["timestamp"],
    ["timestamp DESC"],
    ["metrics.`val loss` DESC"],
    ['params."my key"'],
    ["tags.`quote` ASC"],
    ["datasets.name"],
    ["attributes.run_name", "attributes.user_id DESC"],
    ["run_id"],
    ["status DESC", "end_time"],
    ["tags.team", "params.lr DESC", "metrics.loss"],
    [""],
    ["metrics.acc,params.lr"],
    ["`metrics`.acc"],
    ["metrics.'acc'"],
  ].map((order_by): SearchCase => ({ order_by, max_results: 50, run_view_type: "ALL", experiments: ALL })),
  ...FORGED_TOKENS.map((page_token): SearchCase => ({ page_token, max_results: 5, run_view_type: "ALL", experiments: ALL })),
];

// --- the generator -----------------------------------------------------------------------------

const ENTITIES: Record<string, readonly string[]> = {
  metric: ["metrics", "metric", "`metrics`", "METRICS"],
  param: ["params", "param", "parameter", "parameters"],
  tag: ["tags", "tag", "`tags`"],
  attribute: ["attributes", "attribute", "attr", "run", ""],
  dataset: ["datasets", "dataset"],
  bogus: ["foo", "metricz", '"tags"'],
};
const KEYS: Record<string, readonly string[]> = {
  metric: ["acc", "loss", "`val loss`", '"val loss"', "m.dot", "`m.dot`", "edge", "missing", "'acc'"],
  param: ["lr", "opt", "p.dot", "blank", "`my key`", '"my key"', "missing", "`lr`"],
  tag: ["team", "t.dot", "`t.dot`", "quote", "pct", "`mlflow.note.content`", "mlflow.runName", "`mlflow.runName`", "diff.index", "missing"],
  attribute: [
    "run_id",
    "run_name",
    "status",
    "user_id",
    "start_time",
    "end_time",
    "artifact_uri",
    "created",
    "Created",
    "`run name`",
    "`Run Name`",
    "lifecycle_stage",
    "experiment_id",
    "name",
  ],
  dataset: ["name", "digest", "context", "source"],
  bogus: ["x", "acc"],
};
const COMPARATORS = ["=", "!=", "<", "<=", ">", ">=", "<>", "==", "LIKE", "like", "ILIKE", "NOT LIKE", "IN", "in", "NOT IN", "not in", "IS", "RLIKE"];
const NUMBERS = [
  "0",
  "1",
  "-1",
  "0.5",
  ".5",
  "-.5",
  "1.",
  "1e3",
  "1E-3",
  "-1.5e3",
  "2.5",
  "1e10",
  "1760000003000",
  "1760000012000",
  "99999999999999999999",
  "0x1F",
  "1e400",
  "1.7976931348623157e308",
  "3",
];
const STRINGS = [
  "'alpha'",
  "'Alpha'",
  "'%a%'",
  "'a%'",
  "'%'",
  "'_'",
  "'a_b'",
  "'vision'",
  "'VISION'",
  "'nlp'",
  "'0.1'",
  "'adam'",
  "'%ADAM%'",
  "'it''s'",
  '"alpha"',
  '"x"',
  "''",
  "'FINISHED'",
  "'RUNNING'",
  "'alice'",
  "'Alice'",
  "'mnist'",
  "'training'",
  "'d1'",
  "'50%'",
  "'%!%%'",
  "alpha",
  "'1'",
  "'10'",
  "'{{run:0}}'",
  "'%artifacts'",
  "'δelta'",
  "'gamma\\%'",
  "'run name'",
];
const LISTS = [
  "('{{run:0}}', '{{run:5}}')",
  "('{{run:1}}')",
  "('{{run:2}}',)",
  "()",
  "('mnist', 'cifar')",
  "('training', 'eval')",
  "(1, 2)",
  "(a)",
  "('x' 'y')",
  "(\"{{run:3}}\", '{{run:4}}')",
  "('d1', 'd3')",
  "(None)",
];

/** Pieces of SQL and of MLflow's grammar, joined at random into junk filters and order clauses. */
const SOUP = [
  "metrics",
  "params",
  "tags",
  "attributes",
  "datasets",
  "run_id",
  "status",
  "start_time",
  "created",
  "acc",
  "lr",
  "team",
  "`x y`",
  '"q"',
  "'s'",
  "'it''s'",
  "1",
  "-2",
  "3.5",
  ".5",
  "1e3",
  "0x1F",
  "=",
  "!=",
  "<>",
  "<=",
  ">=",
  "<",
  ">",
  "LIKE",
  "ILIKE",
  "NOT",
  "IN",
  "IS",
  "NULL",
  "AND",
  "and",
  "OR",
  "(",
  ")",
  ",",
  ".",
  ";",
  "::",
  "*",
  "+",
  "-",
  "/",
  "%",
  "AS",
  "CASE",
  "WHEN",
  "THEN",
  "END",
  "BEGIN",
  "IF",
  "WHERE",
  "ORDER BY",
  "ASC",
  "DESC",
  "NULLS FIRST",
  "--c\n",
  "/*c*/",
  "$$x$$",
  " ",
  "\t",
  "\n",
  "é",
  "[a]",
  "@v",
  ":p",
  "?",
  "GO 2",
  "timestamp",
  "name",
  "user_id",
  "TIMESTAMP",
  "'2020'",
  "DAY",
  "OVER",
  "VALUES",
  "foo(",
  "->",
  "$1",
  "`",
  "'",
  '"',
];

function soup(random: Random): string {
  const count = 1 + Math.floor(random() * 10);
  return Array.from({ length: count }, () => `${pick(random, SOUP)}${random() < 0.6 ? " " : ""}`).join("");
}

function spaces(random: Random): string {
  const r = random();
  if (r < 0.75) return " ";
  if (r < 0.85) return "";
  return pick(random, ["  ", "\t", "\n", " \n "]);
}

function generateClause(random: Random): string {
  const kind = pick(random, ["metric", "metric", "param", "param", "tag", "tag", "attribute", "attribute", "attribute", "dataset", "bogus"]);
  const entity = pick(random, ENTITIES[kind]!);
  const key = pick(random, KEYS[kind]!);
  const identifier = entity === "" ? key : `${entity}.${key}`;
  const r = random();
  if (r < 0.08) return `${identifier} ${pick(random, ["IS NULL", "IS NOT NULL", "is null", "IS NOT  NULL"])}`;
  const comparator = pick(random, COMPARATORS);
  const valueKind = random();
  const value = valueKind < 0.35 ? pick(random, NUMBERS) : valueKind < 0.85 ? pick(random, STRINGS) : pick(random, LISTS);
  return `${identifier}${spaces(random)}${comparator}${spaces(random)}${value}`;
}

function generateFilter(random: Random): string | undefined {
  if (random() < 0.1) return undefined;
  if (random() < 0.1) return soup(random);
  const count = 1 + Math.floor(random() * 3);
  const clauses = Array.from({ length: count }, () => generateClause(random));
  const joiner = (): string => `${spaces(random)}${pick(random, ["AND", "AND", "AND", "and", "And", "OR", "AND AND", ","])}${spaces(random)}`;
  let filter = clauses.reduce((text, clause) => `${text}${joiner()}${clause}`);
  const junk = random();
  if (junk < 0.05) filter = `AND ${filter}`;
  else if (junk < 0.1) filter = `${filter} AND`;
  else if (junk < 0.13) filter = `(${filter})`;
  else if (junk < 0.15) filter = `${filter};`;
  else if (junk < 0.17) filter = ` ${filter} `;
  return filter;
}

function generateOrderBy(random: Random): string[] | undefined {
  if (random() < 0.4) return undefined;
  const count = 1 + Math.floor(random() * 3);
  return Array.from({ length: count }, () => {
    if (random() < 0.05) return soup(random);
    const kind = pick(random, ["metric", "metric", "param", "tag", "attribute", "attribute", "dataset", "bogus"]);
    const entity = pick(random, ENTITIES[kind]!);
    const key = pick(random, KEYS[kind]!);
    const identifier = entity === "" ? key : `${entity}.${key}`;
    const direction = pick(random, ["", "", " ASC", " DESC", " asc", " desc", " DESC NULLS LAST", " sideways", "  DESC"]);
    const r = random();
    const pad = r < 0.05 ? " " : r < 0.08 ? "\t" : "";
    return random() < 0.5 ? `${pad}${identifier}${direction}` : `${identifier}${direction}${pad}`;
  });
}

function generateToken(random: Random): string | undefined {
  const r = random();
  if (r < 0.6) return undefined;
  if (r < 0.85) return b64(`{"offset": ${Math.floor(random() * (DATA_SET_RUNS + 4))}}`);
  return pick(random, FORGED_TOKENS);
}

/**
 * `count` generated cases from `random`.
 * @example
 * generateCases(seededRandom(1), 3)
 */
export function generateCases(random: Random, count: number): SearchCase[] {
  return Array.from({ length: count }, (): SearchCase => {
    const searchCase: SearchCase = {
      max_results: pick(random, [1, 2, 3, 5, 7, 10, 50, 1000]),
      experiments: random() < 0.7 ? ALL : ALL.filter(() => random() < 0.5),
    };
    const filter = generateFilter(random);
    if (filter !== undefined) searchCase.filter = filter;
    const orderBy = generateOrderBy(random);
    if (orderBy !== undefined) searchCase.order_by = orderBy;
    const token = generateToken(random);
    if (token !== undefined) searchCase.page_token = token;
    const view = pick(random, [undefined, undefined, "ACTIVE_ONLY", "DELETED_ONLY", "ALL"] as const);
    if (view !== undefined) searchCase.run_view_type = view;
    return searchCase;
  });
}
