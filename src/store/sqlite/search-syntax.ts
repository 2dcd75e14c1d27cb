/**
 * MLflow's search grammar (`mlflow/utils/search_utils.py`) for runs and experiments: filters are
 * `AND`-joined comparisons such as `metrics.acc > 0.9`, `params.lr = '0.01'`,
 * ``tags.`mlflow.runName` LIKE 'base%'``, `attributes.run_id IN ('a', 'b')`, `tags.team IS NULL`;
 * order clauses are `<identifier> [ASC|DESC]`. Keys with characters other than letters, digits,
 * `_` and `.` are quoted with `"…"` or `` `…` ``.
 */
import { invalidParameter } from "./errors.js";

/** The entity a clause compares. */
export type EntityType = "metric" | "parameter" | "tag" | "attribute" | "dataset";

/** One parsed comparison. */
export interface Comparison {
  type: EntityType;
  key: string;
  /** Upper case: `=`, `!=`, `<`, `<=`, `>`, `>=`, `LIKE`, `ILIKE`, `IN`, `NOT IN`, `IS NULL`, `IS NOT NULL`. */
  comparator: string;
  /** A number for numeric attributes, a string for metrics (parsed later) and strings, a list for `IN`, `null` for `IS [NOT] NULL`. */
  value: string | number | string[] | null;
}

/** One parsed order clause. */
export interface OrderClause {
  type: EntityType;
  key: string;
  ascending: boolean;
}

/** What differs between the run and the experiment grammars. */
export interface SearchDialect {
  /** Entity prefixes accepted, mapped to their entity type. */
  entityTypes: Readonly<Record<string, EntityType>>;
  /** Attribute keys a filter may use. */
  filterAttributes: ReadonlySet<string>;
  /** Attribute keys an order clause may use. */
  orderAttributes: ReadonlySet<string>;
  /** Attributes compared as numbers. */
  numericAttributes: ReadonlySet<string>;
  /** Attributes that accept `IN (…)` lists. */
  listAttributes: ReadonlySet<string>;
  /** Entity types on which `IS NULL` / `IS NOT NULL` are allowed. */
  nullableTypes: ReadonlySet<EntityType>;
}

const RUN_ATTRIBUTES = ["run_id", "run_name", "user_id", "status", "start_time", "end_time", "artifact_uri", "created", "Created"];

/** The grammar of `runs/search`. */
export const RUN_SEARCH: SearchDialect = {
  entityTypes: {
    metric: "metric",
    metrics: "metric",
    parameter: "parameter",
    parameters: "parameter",
    param: "parameter",
    params: "parameter",
    tag: "tag",
    tags: "tag",
    attribute: "attribute",
    attributes: "attribute",
    attr: "attribute",
    run: "attribute",
    dataset: "dataset",
    datasets: "dataset",
  },
  filterAttributes: new Set([...RUN_ATTRIBUTES, "run name", "Run name", "Run Name"]),
  orderAttributes: new Set(RUN_ATTRIBUTES),
  numericAttributes: new Set(["start_time", "end_time", "created", "Created"]),
  listAttributes: new Set(["run_id"]),
  nullableTypes: new Set<EntityType>(["tag", "parameter"]),
};

const EXPERIMENT_ATTRIBUTES = ["name", "experiment_id", "creation_time", "last_update_time"];

/** The grammar of `experiments/search`. */
export const EXPERIMENT_SEARCH: SearchDialect = {
  entityTypes: { attribute: "attribute", tag: "tag", tags: "tag" },
  filterAttributes: new Set(EXPERIMENT_ATTRIBUTES),
  orderAttributes: new Set(EXPERIMENT_ATTRIBUTES),
  numericAttributes: new Set(["creation_time", "last_update_time"]),
  listAttributes: new Set(["experiment_id"]),
  nullableTypes: new Set<EntityType>(["tag"]),
};

type TokenKind = "identifier" | "string" | "number" | "operator" | "keyword" | "list";

interface Token {
  kind: TokenKind;
  /** The source text (keywords upper-cased). */
  text: string;
  /** Parsed items of a `( … )` list. */
  items?: string[];
}

const KEYWORDS = new Set(["AND", "OR", "NOT", "IN", "IS", "NULL", "LIKE", "ILIKE", "RLIKE", "ASC", "DESC"]);
const NAME_PART = String.raw`(?:[\p{L}\p{N}_]+|"[^"]*"|` + "`[^`]*`" + ")";
const TOKEN_PATTERNS: [TokenKind, RegExp][] = [
  ["string", /'(?:''|\\'|[^'])*'/y],
  ["number", /-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\p{L}_])/uy],
  ["identifier", new RegExp(`${NAME_PART}(?:\\.${NAME_PART})*`, "uy")],
  ["operator", /!=|<>|<=|>=|==|=|<|>/y],
];

/**
 * Parses a filter into comparisons; an empty filter gives none.
 * @throws {StoreException} `INVALID_PARAMETER_VALUE` with MLflow's reason.
 * @example
 * parseFilter("metrics.acc > 0.9 AND params.lr = '0.01'", RUN_SEARCH)
 * @internal
 */
export function parseFilter(filter: string | undefined, dialect: SearchDialect): Comparison[] {
  if (!filter || filter.trim() === "") return [];
  const tokens = tokenize(filter);
  const comparisons: Comparison[] = [];
  let index = 0;
  while (index < tokens.length) {
    if (comparisons.length > 0) {
      const joiner = tokens[index]!;
      if (joiner.kind !== "keyword" || joiner.text !== "AND") throw invalidClause(joiner, filter);
      index += 1;
    }
    const [comparison, next] = parseComparison(tokens, index, filter, dialect);
    comparisons.push(comparison);
    index = next;
  }
  return comparisons;
}

/**
 * Parses one order clause, e.g. `metrics.acc DESC` or ``tags.`my tag` ``.
 * @throws {StoreException} `INVALID_PARAMETER_VALUE` for anything else.
 * @internal
 */
export function parseOrderBy(clause: string, dialect: SearchDialect): OrderClause {
  const tokens = tokenize(clause);
  const [first, second, ...rest] = tokens;
  const direction = second?.kind === "keyword" ? second.text : undefined;
  if (first?.kind !== "identifier" || rest.length > 0 || (second !== undefined && direction !== "ASC" && direction !== "DESC")) {
    throw invalidParameter(`Invalid order_by clause '${clause}'. Could not be parsed.`);
  }
  const { type, key } = parseIdentifier(first.text, dialect, dialect.orderAttributes);
  return { type, key, ascending: direction !== "DESC" };
}

function parseComparison(tokens: Token[], start: number, filter: string, dialect: SearchDialect): [Comparison, number] {
  const left = tokens[start];
  if (left?.kind !== "identifier") throw invalidClause(left, filter);
  const { type, key } = parseIdentifier(left.text, dialect, dialect.filterAttributes);
  const [comparator, valueIndex] = readComparator(tokens, start + 1, filter);
  if (comparator === "IS NULL" || comparator === "IS NOT NULL") {
    if (!dialect.nullableTypes.has(type)) throw invalidParameter(`IS NULL / IS NOT NULL is only supported for ${[...dialect.nullableTypes].map((t) => `${t}s`).join(" and ")}, not for '${type}' '${key}'`);
    return [{ type, key, comparator, value: null }, valueIndex];
  }
  const valueToken = tokens[valueIndex];
  if (valueToken === undefined) throw invalidParameter(`Invalid comparison clause. Expected 3 tokens found 2 in '${filter}'`);
  return [{ type, key, comparator, value: parseValue(type, key, valueToken, dialect) }, valueIndex + 1];
}

function readComparator(tokens: Token[], index: number, filter: string): [string, number] {
  const first = tokens[index];
  const second = tokens[index + 1];
  const third = tokens[index + 2];
  if (first?.kind === "operator") return [first.text, index + 1];
  if (first?.kind !== "keyword") throw invalidClause(first, filter);
  if (first.text === "IS" && second?.text === "NULL") return ["IS NULL", index + 2];
  if (first.text === "IS" && second?.text === "NOT" && third?.text === "NULL") return ["IS NOT NULL", index + 3];
  if (first.text === "NOT" && second?.text === "IN") return ["NOT IN", index + 2];
  if (["LIKE", "ILIKE", "RLIKE", "IN"].includes(first.text)) return [first.text, index + 1];
  throw invalidClause(first, filter);
}

function parseValue(type: EntityType, key: string, token: Token, dialect: SearchDialect): Comparison["value"] {
  if (type === "metric") {
    if (token.kind !== "number") throw invalidParameter(`Expected numeric value type for metric. Found ${token.text}`);
    return token.text;
  }
  if (type === "attribute" && dialect.numericAttributes.has(key)) {
    if (token.kind !== "number") throw invalidParameter(`Expected numeric value type for numeric attribute: ${key}. Found ${token.text}`);
    return Number(token.text);
  }
  if (token.kind === "list") {
    const listAllowed = type === "dataset" || (type === "attribute" && dialect.listAttributes.has(key));
    if (!listAllowed) throw invalidParameter(`Only ${[...dialect.listAttributes].join(", ")} attributes support comparison with a list of quoted string values.`);
    return token.items!;
  }
  if (token.kind === "string" || token.kind === "identifier") return stripQuotes(token.text);
  const what = type === "attribute" ? "attributes" : type === "dataset" ? "dataset attributes" : `${type} (e.g. 'my-value')`;
  throw invalidParameter(`Expected a quoted string value for ${what}. Got value ${token.text}`);
}

function parseIdentifier(text: string, dialect: SearchDialect, attributes: ReadonlySet<string>): { type: EntityType; key: string } {
  const dot = firstDotOutsideQuotes(text);
  const rawType = dot < 0 ? "attribute" : trimQuotes(text.slice(0, dot), "`");
  const rawKey = dot < 0 ? text : text.slice(dot + 1);
  const type = dialect.entityTypes[rawType];
  if (type === undefined) {
    throw invalidParameter(`Invalid entity type '${rawType}'. Valid values are ${JSON.stringify([...new Set(Object.values(dialect.entityTypes))])}`);
  }
  const key = trimQuotes(trimQuotes(trimQuotes(rawKey, "'"), '"'), "`");
  if (type === "attribute" && !attributes.has(key)) throw invalidParameter(`Invalid attribute key '${key}' specified. Valid keys are '${[...attributes].join("', '")}'`);
  if (type === "dataset" && !["name", "digest", "context"].includes(key)) throw invalidParameter(`Invalid dataset key '${key}' specified. Valid keys are 'name', 'digest', 'context'`);
  return { type, key };
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    if (/\s/.test(text[index]!)) {
      index += 1;
      continue;
    }
    if (text[index] === "(") {
      const [list, next] = readList(text, index);
      tokens.push(list);
      index = next;
      continue;
    }
    const [token, next] = readToken(text, index);
    tokens.push(token);
    index = next;
  }
  return tokens;
}

function readToken(text: string, index: number): [Token, number] {
  for (const [kind, pattern] of TOKEN_PATTERNS) {
    pattern.lastIndex = index;
    const match = pattern.exec(text);
    if (!match) continue;
    const value = match[0];
    const upper = value.toUpperCase();
    const token: Token = kind === "identifier" && KEYWORDS.has(upper) ? { kind: "keyword", text: upper } : { kind, text: value };
    return [token, index + value.length];
  }
  throw invalidParameter(`Invalid clause(s) in filter string: unexpected '${text.slice(index, index + 20)}'`);
}

/** A parenthesised list of quoted strings, as `ast.literal_eval` reads it. */
function readList(text: string, start: number): [Token, number] {
  const items: string[] = [];
  const item = /\s*('(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")\s*(,|\))/y;
  let index = start + 1;
  if (/^\s*\)/.test(text.slice(index))) throw invalidParameter("While parsing a list in the query, expected a non-empty list of string values, but got empty list");
  for (;;) {
    item.lastIndex = index;
    const match = item.exec(text);
    if (!match) {
      throw invalidParameter("While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list");
    }
    items.push(unescapeLiteral(match[1]!));
    index = item.lastIndex;
    if (match[2] === ")") break;
    if (/^\s*\)/.test(text.slice(index))) {
      index = text.indexOf(")", index) + 1;
      break;
    }
  }
  return [{ kind: "list", text: text.slice(start, index), items }, index];
}

function unescapeLiteral(quoted: string): string {
  return quoted.slice(1, -1).replace(/\\(.)/g, "$1");
}

function stripQuotes(text: string): string {
  if (isQuoted(text, "'") || isQuoted(text, '"')) return text.slice(1, -1);
  throw invalidParameter(`Parameter value is either not quoted or unidentified quote types used for string value ${text}. Use either single or double quotes.`);
}

function trimQuotes(text: string, quote: string): string {
  return isQuoted(text, quote) ? text.slice(1, -1) : text;
}

function isQuoted(text: string, quote: string): boolean {
  return text.length >= 2 && text.startsWith(quote) && text.endsWith(quote);
}

function firstDotOutsideQuotes(text: string): number {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "`") {
      quote = char;
    } else if (char === ".") {
      return i;
    }
  }
  return -1;
}

function invalidClause(token: Token | undefined, filter: string): Error {
  return invalidParameter(`Invalid clause(s) in filter string: '${token?.text ?? filter}'`);
}
