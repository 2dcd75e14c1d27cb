/**
 * The classes of issue #11.7, one test each, on the embedded store: what MLflow 3.17.2 accepts
 * the store accepts with the same runs, what it refuses the store refuses with the same error
 * code. The expected answers were read from MLflow's SQLAlchemy store on the same data
 * (test/conformance/run-search-differential.test.ts checks thousands more against it).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MlflowApiError } from "../../../../../src/core/errors.js";
import { literalEval } from "../../../../../src/store/sqlite/search/python-literal.js";
import { parse, SqlParseError } from "../../../../../src/store/sqlite/search/sqlparse/parse.js";
import type { SqliteStore } from "../../../../../src/store/sqlite/sqlite-store.js";
import { removeTempDirs, sqliteStore, tempDir } from "../helpers.js";

let store: SqliteStore;
const ids: string[] = [];

beforeAll(async () => {
  store = await sqliteStore(tempDir());
  const experiment = (await store.call("experiments.create", { name: "grammar" })).experiment_id;
  for (const [index, acc] of [0.9, 0.2, 0.5].entries()) {
    const { run } = await store.call("runs.create", { experiment_id: experiment, run_name: `run-${index}`, start_time: 100 * (index + 1) });
    ids.push(run.info.run_id);
    await store.call("runs.logBatch", {
      run_id: run.info.run_id,
      metrics: [{ key: "acc", value: acc, timestamp: 1, step: 0 }],
      params: [{ key: "lr", value: "0.1" }],
    });
  }
});

afterAll(async () => {
  await store.close();
  removeTempDirs();
});

type Request = { filter?: string; order_by?: string[]; page_token?: string; max_results?: number };

/** Run names found, or the error code of the refusal. */
async function search(request: Request): Promise<string[] | string> {
  try {
    const { runs } = await store.call("runs.search", { experiment_ids: ["1"], max_results: 10, ...request });
    return runs.map((run) => run.info.run_name);
  } catch (error) {
    if (error instanceof MlflowApiError) return error.errorCode ?? "no code";
    throw error;
  }
}

function token(json: string): string {
  return Buffer.from(json, "utf8").toString("base64");
}

describe("embedded store search grammar: MLflow's answers", () => {
  it("accepts a dangling, a leading or a doubled AND, as MLflow does", async () => {
    const plain = await search({ filter: "metrics.acc > 0.4" });
    expect(plain).toEqual(["run-2", "run-0"]);
    expect(await search({ filter: "metrics.acc > 0.4 AND" })).toEqual(plain);
    expect(await search({ filter: "AND metrics.acc > 0.4" })).toEqual(plain);
    expect(await search({ filter: "metrics.acc > 0.4 and AND params.lr = '0.1'" })).toEqual(plain);
    expect(await search({ filter: "AND" })).toEqual(["run-2", "run-1", "run-0"]);
  });

  it("refuses IN without parentheses and a filter of whitespace only", async () => {
    expect(await search({ filter: `run_id IN '${ids[0]}'` })).toBe("INVALID_PARAMETER_VALUE");
    expect(await search({ filter: `attributes.run_id IN ${ids[0]}` })).toBe("INVALID_PARAMETER_VALUE");
    expect(await search({ filter: "  " })).toBe("INVALID_PARAMETER_VALUE");
  });

  it("reads IN lists as Python literals: implicit concatenation, one-element tuples, names are internal errors", async () => {
    expect(await search({ filter: `run_id IN ('${ids[0]}',)` })).toEqual(["run-0"]);
    expect(await search({ filter: `run_id IN ('${ids[0]!.slice(0, 16)}' '${ids[0]!.slice(16)}')` })).toEqual(["run-0"]);
    expect(await search({ filter: "run_id IN (1, 2)" })).toBe("INVALID_PARAMETER_VALUE");
    expect(await search({ filter: "run_id IN (a)" })).toBe("INTERNAL_ERROR");
    expect(await search({ filter: `run_id = ('${ids[0]}', '${ids[1]}')` })).toBe("BAD_REQUEST");
  });

  it("refuses order clauses with whitespace around them, and a duplicate field as MLflow does", async () => {
    expect(await search({ order_by: ["metrics.acc DESC"] })).toEqual(["run-0", "run-2", "run-1"]);
    expect(await search({ order_by: [" metrics.acc DESC"] })).toBe("INVALID_PARAMETER_VALUE");
    expect(await search({ order_by: ["metrics.acc DESC "] })).toBe("INVALID_PARAMETER_VALUE");
    expect(await search({ order_by: ["metrics.acc  DESC"] })).toEqual(["run-0", "run-2", "run-1"]);
    expect(await search({ order_by: ["start_time", "created DESC"] })).toBe("INTERNAL_ERROR");
  });

  it("reads page tokens as Python does: offsets that int() accepts, lenient base64, MLflow's codes otherwise", async () => {
    expect(await search({ page_token: token('{"offset": "1"}') })).toEqual(["run-1", "run-0"]);
    expect(await search({ page_token: token('{"offset": 1.9}') })).toEqual(["run-1", "run-0"]);
    expect(await search({ page_token: token('{"offset": true}') })).toEqual(["run-1", "run-0"]);
    expect(await search({ page_token: token('{"offset": -2}') })).toEqual(["run-2", "run-1", "run-0"]);
    expect(await search({ page_token: `%%${token('{"offset": 2}')}` })).toEqual(["run-0"]);
    expect(await search({ page_token: token('{"offset": 0}') })).toBe("INVALID_PARAMETER_VALUE");
    expect(await search({ page_token: token('{"offset": "x"}') })).toBe("INVALID_PARAMETER_VALUE");
    expect(await search({ page_token: token('{"offset": NaN}') })).toBe("INVALID_PARAMETER_VALUE");
    expect(await search({ page_token: token('{"offset": [1]}') })).toBe("INTERNAL_ERROR");
    expect(await search({ page_token: token('{"offset": Infinity}') })).toBe("INTERNAL_ERROR");
    expect(await search({ page_token: token("[1]") })).toBe("INTERNAL_ERROR");
    expect(await search({ page_token: "é" })).toBe("INTERNAL_ERROR");
    expect(await search({ page_token: token('{"offset": 9223372036854775807}') })).toEqual([]);
  });

  it("hands out the next token from a negative offset as Python counts it", async () => {
    const { next_page_token } = await store.call("runs.search", { experiment_ids: ["1"], max_results: 2, page_token: token('{"offset": -1}') });
    expect(Buffer.from(next_page_token!, "base64").toString("utf8")).toBe('{"offset": 1}');
  });
});

describe("the sqlparse port", () => {
  it("groups a comparison into one Comparison and leaves IN, IS NULL and AND at the top", () => {
    const [statement] = parse("metrics.acc > 0.9 AND run_id IN ('a') AND tags.t IS NULL");
    const kinds = statement!.tokens.filter((token) => !token.isWhitespace).map((token) => (token.isGroup() ? token.kind : `${token.ttype}:${token.value}`));
    expect(kinds).toEqual(["Comparison", "Keyword:AND", "Identifier", "Keyword:IN", "Parenthesis", "Keyword:AND", "Identifier", "Keyword:IS", "Keyword:NULL"]);
  });

  it("splits statements on a semicolon outside parentheses only", () => {
    expect(parse("a = 1; b = 2")).toHaveLength(2);
    expect(parse("a IN ('x;y')")).toHaveLength(1);
    expect(parse("a = 1;")).toHaveLength(1);
  });

  it("stops past 100 nested groups with SqlParseError, as sqlparse does", () => {
    expect(() => parse(`${"(".repeat(120)}1${")".repeat(120)}`)).toThrow(SqlParseError);
    expect(() => parse(`${"(".repeat(50)}1${")".repeat(50)}`)).not.toThrow();
  });
});

describe("literal_eval of IN lists", () => {
  it("tells values, syntax errors and non-literals apart", () => {
    expect(literalEval("('a', \"b\")")).toEqual({
      ok: true,
      value: {
        kind: "tuple",
        items: [
          { kind: "str", value: "a" },
          { kind: "str", value: "b" },
        ],
      },
    });
    expect(literalEval("('a' 'b')")).toEqual({ ok: true, value: { kind: "str", value: "ab" } });
    expect(literalEval("('\\x41\\n', r'\\n')")).toEqual({
      ok: true,
      value: {
        kind: "tuple",
        items: [
          { kind: "str", value: "A\n" },
          { kind: "str", value: "\\n" },
        ],
      },
    });
    expect(literalEval("(-1, None)")).toEqual({ ok: true, value: { kind: "tuple", items: [{ kind: "other" }, { kind: "other" }] } });
    expect(literalEval("(a)")).toEqual({ ok: false, error: "ValueError" });
    expect(literalEval("(1+2j, -1)")).toEqual({ ok: true, value: { kind: "tuple", items: [{ kind: "other" }, { kind: "other" }] } });
    expect(literalEval("(--1)")).toEqual({ ok: false, error: "ValueError" });
    expect(literalEval("('a' if 1 else 'b', lambda: 1)")).toEqual({ ok: false, error: "ValueError" });
    expect(literalEval("('a' and not 'b')")).toEqual({ ok: false, error: "ValueError" });
    expect(literalEval("(f'x', 'y')")).toEqual({ ok: false, error: "ValueError" });
    expect(literalEval("('a' 'b'")).toEqual({ ok: false, error: "SyntaxError" });
    expect(literalEval("('a'; 'b')")).toEqual({ ok: false, error: "SyntaxError" });
    expect(literalEval("('a' b'c')")).toEqual({ ok: false, error: "SyntaxError" });
  });
});
