/**
 * MLflow's search grammar (`SearchUtils` of `mlflow/utils/search_utils.py`), ported on top of the
 * sqlparse port so that a filter or order clause is accepted, refused and read exactly as MLflow
 * reads it: filters are `AND`-joined comparisons such as `metrics.acc > 0.9`,
 * `params.lr = '0.01'`, ``tags.`mlflow.runName` LIKE 'base%'``, `attributes.run_id IN ('a', 'b')`,
 * `tags.team IS NULL`; order clauses are `<identifier> [ASC|DESC]` with nothing around them. The
 * error codes are MLflow's too: `INVALID_PARAMETER_VALUE` for what its parser refuses,
 * `INTERNAL_ERROR` where a Python exception escapes it (e.g. `run_id IN (a)`).
 */
import { invalidParameter, StoreException } from "../engine/errors.js";
import { literalEval } from "./python-literal.js";
import { asciiDigits, pythonStrip } from "./python-text.js";
import { parse, SqlParseError } from "./sqlparse/parse.js";
import { T, Token, TokenList } from "./sqlparse/tokens.js";

/** The entity a clause compares. */
export type EntityType = "metric" | "parameter" | "tag" | "attribute" | "dataset";

/** One parsed comparison. */
export interface Comparison {
  type: EntityType;
  key: string;
  /** Upper case: `=`, `!=`, `<`, `<=`, `>`, `>=`, `LIKE`, `ILIKE`, `IN`, `NOT IN`, `IS NULL`, `IS NOT NULL`. */
  comparator: string;
  /**
   * A bigint (integer literal) or number (float literal) for numeric attributes, the literal's
   * text for metrics (read with {@link pythonFloat} later), a string, a list for `IN`, `null` for
   * `IS [NOT] NULL`.
   */
  value: string | number | bigint | string[] | null;
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
  /**
   * Whether an entity type may be quoted with backticks (`` `tags`.x ``): runs trim them before
   * checking the type, experiments check the type first and refuse it.
   */
  backtickEntityTypes?: boolean;
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
  backtickEntityTypes: true,
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

/**
 * Parses a filter into comparisons (`SearchUtils.parse_search_filter`); an empty filter gives
 * none. Comparators are upper-cased; whether they suit the key is checked by the store.
 * @throws {StoreException} `INVALID_PARAMETER_VALUE` with MLflow's reason, or `INTERNAL_ERROR` where MLflow fails.
 * @example
 * parseFilter("metrics.acc > 0.9 AND params.lr = '0.01'", RUN_SEARCH)
 * @internal
 */
export function parseFilter(filter: string | undefined, dialect: SearchDialect): Comparison[] {
  if (!filter) return [];
  let statements: TokenList[];
  try {
    statements = parse(filter);
  } catch (error) {
    if (error instanceof SqlParseError) throw invalidParameter(`Error on parsing filter '${filter}'`);
    throw error;
  }
  if (statements.length === 0) throw invalidParameter(`Invalid filter '${filter}'. Could not be parsed.`);
  if (statements.length > 1) throw invalidParameter(`Search filter contained multiple expression '${filter}'. Provide AND-ed expression list.`);
  const tokens = joinInComparisonTokens(statements[0]!.tokens);
  const invalids = tokens.filter((token) => !(token.is("Comparison") || token.isWhitespace || token.match(T.Keyword, ["AND"])));
  if (invalids.length > 0) throw invalidParameter(`Invalid clause(s) in filter string: ${invalids.map((token) => `'${token.value}'`).join(", ")}`);
  return tokens.filter((token): token is TokenList => token.is("Comparison")).map((comparison) => toComparison(comparison, dialect));
}

/**
 * Parses one order clause (`parse_order_by_for_search_runs`), e.g. `metrics.acc DESC` or
 * ``tags.`my tag` ``; the clause must be exactly that, without surrounding whitespace.
 * @throws {StoreException} `INVALID_PARAMETER_VALUE` for anything else; `INTERNAL_ERROR` for an unbalanced quote MLflow's `shlex` step trips on.
 * @example
 * parseOrderBy("metrics.`val loss` DESC", RUN_SEARCH) // { type: "metric", key: "val loss", ascending: false }
 * @internal
 */
export function parseOrderBy(clause: string, dialect: SearchDialect): OrderClause {
  const couldNotParse = (): StoreException => invalidParameter(`Invalid order_by clause '${clause}'. Could not be parsed.`);
  let statements: TokenList[];
  try {
    statements = parse(clause);
  } catch (error) {
    if (error instanceof SqlParseError) throw invalidParameter(`Error on parsing order_by clause '${clause}'`);
    throw error;
  }
  if (statements.length !== 1) throw couldNotParse();
  const tokens = statements[0]!.tokens;
  const first = tokens[0]!;
  const last = tokens[tokens.length - 1]!;
  let tokenValue: string;
  if (tokens.length === 1 && first.is("Identifier")) tokenValue = first.value;
  else if (tokens.length === 1 && first.match(T.Builtin, ["timestamp"])) tokenValue = "timestamp";
  else if (first.match(T.Builtin, ["timestamp"]) && tokens.slice(1, -1).every((token) => token.isWhitespace) && last.ttype === T.Order)
    tokenValue = `timestamp ${last.value}`;
  else throw couldNotParse();
  let ascending = true;
  const words = shlexSplit(tokenValue.replaceAll("`", '"'));
  if (words.length > 2) throw couldNotParse();
  if (words.length === 2) {
    const order = words[1]!.toLowerCase();
    if (order !== "asc" && order !== "desc") throw invalidParameter(`Invalid ordering key in order_by clause '${clause}'.`);
    ascending = order === "asc";
    tokenValue = words[0]!;
  }
  const { type, key } = parseIdentifier(pythonStrip(tokenValue), dialect, dialect.orderAttributes);
  return { type, key, ascending };
}

/**
 * `_join_in_comparison_tokens`: sqlparse does not group `x IN (…)`, `x NOT IN (…)`, `x IS NULL`
 * and `x IS NOT NULL` into comparisons; MLflow joins them itself, dropping whitespace.
 */
function joinInComparisonTokens(statementTokens: Token[]): Token[] {
  const tokens = statementTokens.filter((token) => !token.isWhitespace);
  const joined: Token[] = [];
  let index = 0;
  const comparison = (...parts: Token[]): TokenList => new TokenList("Comparison", parts);
  while (index < tokens.length) {
    if (tokens.length - index < 3) {
      joined.push(...tokens.slice(index));
      break;
    }
    const first = tokens[index]!;
    index += 1;
    if (!first.is("Identifier")) {
      joined.push(first);
      continue;
    }
    const second = tokens[index++]!;
    const third = tokens[index++]!;
    if (second.match(T.Keyword, ["IN"]) && third.is("Parenthesis")) {
      joined.push(comparison(first, second, third));
      continue;
    }
    if (second.match(T.Keyword, ["IS"]) && third.match(T.Keyword, ["NULL"])) {
      joined.push(comparison(first, new Token(T.Keyword, "IS NULL")));
      continue;
    }
    if (second.match(T.Keyword, ["IS"]) && third.ttype === T.Keyword && third.value.toUpperCase() === "NOT NULL") {
      joined.push(comparison(first, new Token(T.Keyword, "IS NOT NULL")));
      continue;
    }
    const fourth = tokens[index];
    if (fourth === undefined) {
      joined.push(first, second, third);
      break;
    }
    index += 1;
    if (second.match(T.Keyword, ["NOT"]) && third.match(T.Keyword, ["IN"]) && fourth.is("Parenthesis")) {
      joined.push(comparison(first, new Token(T.Keyword, "NOT IN"), fourth));
      continue;
    }
    joined.push(first, second, third, fourth);
  }
  return joined;
}

/** `_get_comparison` with `_validate_comparison`. */
function toComparison(comparison: TokenList, dialect: SearchDialect): Comparison {
  const tokens = comparison.tokens.filter((token) => !token.isWhitespace);
  const base = "Invalid comparison clause";
  if (tokens.length === 2 && ["IS NULL", "IS NOT NULL"].includes(tokens[1]!.value.toUpperCase())) {
    if (!tokens[0]!.is("Identifier")) throw invalidParameter(`${base}. Expected 'Identifier' found '${tokens[0]!.value}'`);
    const { type, key } = parseIdentifier(tokens[0]!.value, dialect, dialect.filterAttributes);
    if (!dialect.nullableTypes.has(type)) {
      throw invalidParameter(
        `IS NULL / IS NOT NULL is only supported for ${[...dialect.nullableTypes].map((t) => `${t}s`).join(" and ")}, not for '${type}' '${key}'`,
      );
    }
    return { type, key, comparator: tokens[1]!.value.toUpperCase(), value: null };
  }
  if (tokens.length !== 3) throw invalidParameter(`${base}. Expected 3 tokens found ${tokens.length}`);
  if (!tokens[0]!.is("Identifier")) throw invalidParameter(`${base}. Expected 'Identifier' found '${tokens[0]!.value}'`);
  const { type, key } = parseIdentifier(tokens[0]!.value, dialect, dialect.filterAttributes);
  return { type, key, comparator: tokens[1]!.value.toUpperCase(), value: parseValue(type, key, tokens[2]!, dialect) };
}

const NUMERIC_TYPES: readonly string[] = [T.Integer, T.Float];

/** `_get_value`. */
function parseValue(type: EntityType, key: string, token: Token, dialect: SearchDialect): Comparison["value"] {
  const isString = token.ttype === T.Single || token.is("Identifier");
  if (type === "metric") {
    if (token.ttype === null || !NUMERIC_TYPES.includes(token.ttype)) throw invalidParameter(`Expected numeric value type for metric. Found ${token.value}`);
    return token.value;
  }
  if (type === "parameter" || type === "tag") {
    if (isString) return stripQuotes(token.value);
    throw invalidParameter(`Expected a quoted string value for ${type} (e.g. 'my-value'). Got value ${token.value}`);
  }
  if (type === "attribute") {
    if (dialect.numericAttributes.has(key)) {
      if (token.ttype === null || !NUMERIC_TYPES.includes(token.ttype))
        throw invalidParameter(`Expected numeric value type for numeric attribute: ${key}. Found ${token.value}`);
      return token.ttype === T.Integer ? BigInt(asciiDigits(token.value)) : pythonFloat(token.value);
    }
    if (isString) return stripQuotes(token.value);
    if (token.is("Parenthesis")) {
      if (!dialect.listAttributes.has(key))
        throw invalidParameter(`Only ${JSON.stringify([...dialect.listAttributes].sort())} attributes support comparison with a list of quoted string values.`);
      return parseList(token);
    }
    throw invalidParameter(`Expected a quoted string value for attributes. Got value ${token.value}`);
  }
  if (isString) return stripQuotes(token.value);
  if (token.is("Parenthesis")) return parseList(token);
  throw invalidParameter(`Expected a quoted string value for dataset attributes. Got value ${token.value}`);
}

/** `_parse_list_from_sql_token`: the parenthesised text read as a Python literal. */
function parseList(token: Token): string[] {
  const result = literalEval(token.value);
  if (!result.ok && result.error === "SyntaxError")
    throw invalidParameter("While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.");
  if (!result.ok) throw new StoreException("INTERNAL_ERROR", `malformed node or string in list ${token.value}`);
  const items = result.value.kind === "tuple" ? result.value.items : [result.value];
  if (items.length === 0) throw invalidParameter("While parsing a list in the query, expected a non-empty list of string values, but got empty list");
  if (!items.every((item) => item.kind === "str"))
    throw invalidParameter("While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list");
  return items.map((item) => (item as { value: string }).value);
}

/** `_get_identifier`: `<entity>.<key>`, or an attribute key alone. */
function parseIdentifier(text: string, dialect: SearchDialect, attributes: ReadonlySet<string>): { type: EntityType; key: string } {
  const dot = text.indexOf(".");
  const rawType = dot < 0 ? "attribute" : dialect.backtickEntityTypes ? trimQuotes(text.slice(0, dot), "`") : text.slice(0, dot);
  const rawKey = dot < 0 ? text : text.slice(dot + 1);
  const type = dialect.entityTypes[rawType];
  if (type === undefined) {
    throw invalidParameter(`Invalid entity type '${rawType}'. Valid values are ${JSON.stringify([...new Set(Object.values(dialect.entityTypes))])}`);
  }
  const key = trimQuotes(isQuoted(rawKey, "'") || isQuoted(rawKey, '"') ? rawKey.slice(1, -1) : rawKey, "`");
  if (type === "attribute" && !attributes.has(key))
    throw invalidParameter(`Invalid attribute key '${key}' specified. Valid keys are '${[...attributes].join("', '")}'`);
  if (type === "dataset" && !["name", "digest", "context"].includes(key))
    throw invalidParameter(`Invalid dataset key '${key}' specified. Valid keys are 'name', 'digest', 'context'`);
  return { type, key };
}

/** Largest integer SQLite binds (a signed 64-bit integer). */
const MAX_SQLITE_INTEGER = 2n ** 63n - 1n;

/**
 * Fails as MLflow's SQLAlchemy store fails when it runs a query with these comparisons on SQLite:
 * Python's sqlite3 binds neither an integer beyond 64 bits (`OverflowError`, which MLflow's session
 * reports as `INTERNAL_ERROR`) nor a tuple, the list of an `IN`-style value compared with `=` or
 * `LIKE` (`ProgrammingError`: `BAD_REQUEST`). Call it where the query would run, after every other
 * check.
 * @throws {StoreException} `INTERNAL_ERROR` or `BAD_REQUEST` as above.
 * @example
 * checkSqliteBindable(parseFilter("start_time > 99999999999999999999", RUN_SEARCH)) // throws INTERNAL_ERROR
 * @internal
 */
export function checkSqliteBindable(comparisons: readonly Comparison[]): void {
  for (const { comparator, value } of comparisons) {
    if (typeof value === "bigint" && (value > MAX_SQLITE_INTEGER || value < -MAX_SQLITE_INTEGER - 1n)) {
      throw new StoreException("INTERNAL_ERROR", `Python int too large to convert to SQLite INTEGER: ${value}`);
    }
    if (Array.isArray(value) && comparator !== "IN" && comparator !== "NOT IN") {
      throw new StoreException("BAD_REQUEST", "Error binding parameter: type 'tuple' is not supported");
    }
  }
}

/**
 * Python's `float()` of a number literal sqlparse found (Unicode digits included).
 * @example
 * pythonFloat("-.5e1") // -5
 * @internal
 */
export function pythonFloat(text: string): number {
  return Number(asciiDigits(text));
}

/**
 * `shlex.split(text)` (POSIX mode, no comments).
 * @throws {StoreException} `INTERNAL_ERROR` where shlex raises ValueError (an unclosed quote, a trailing backslash).
 */
function shlexSplit(text: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let index = 0;
  const fail = (reason: string): never => {
    throw new StoreException("INTERNAL_ERROR", `Could not split the order_by clause: ${reason}`);
  };
  while (index < text.length) {
    const char = text[index]!;
    if (" \t\r\n".includes(char)) {
      if (word !== null) words.push(word);
      word = null;
      index += 1;
    } else if (char === "'") {
      const end = text.indexOf("'", index + 1);
      if (end < 0) fail("No closing quotation");
      word = (word ?? "") + text.slice(index + 1, end);
      index = end + 1;
    } else if (char === '"') {
      let value = "";
      index += 1;
      for (;;) {
        if (index >= text.length) fail("No closing quotation");
        const inner = text[index]!;
        if (inner === '"') break;
        if (inner === "\\" && (text[index + 1] === '"' || text[index + 1] === "\\")) {
          value += text[index + 1];
          index += 2;
          continue;
        }
        if (inner === "\\" && index + 1 >= text.length) fail("No closing quotation");
        value += inner;
        index += 1;
      }
      word = (word ?? "") + value;
      index += 1;
    } else if (char === "\\") {
      if (index + 1 >= text.length) fail("No escaped character");
      word = (word ?? "") + text[index + 1];
      index += 2;
    } else {
      word = (word ?? "") + char;
      index += 1;
    }
  }
  if (word !== null) words.push(word);
  return words;
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
