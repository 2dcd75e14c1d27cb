/**
 * sqlparse's grouping engine (`sqlparse/engine/grouping.py`), ported pass for pass: it turns the
 * flat token list of a statement into identifiers, comparisons, parentheses, functions… MLflow
 * accepts a filter only when this tree has the shape it expects, so every pass that can change
 * that shape is here, in sqlparse's order, with its limits (depth 100, 10 000 tokens a group).
 */
import { type GroupKind, type ImtArgs, imt, type MatchPattern, T, type Token, type TokenList } from "./tokens.js";

/** sqlparse's `SQLParseError`: the statement is too deep or too long to group. */
export class SqlParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SqlParseError";
  }
}

const MAX_GROUPING_DEPTH = 100;
const MAX_GROUPING_TOKENS = 10_000;

const T_NUMERICAL = [T.Number, T.Integer, T.Float];
const T_STRING = [T.String, T.Single, T.Symbol];
const T_NAME = [T.Name, T.Placeholder];
const DELIMITED: readonly GroupKind[] = ["Parenthesis", "SquareBrackets", "Case", "If", "For", "Begin"];

/** Opening and closing patterns of the groups built by matching delimiters. */
const MATCHED_GROUPS: Partial<Record<GroupKind, { open: MatchPattern; close: MatchPattern }>> = {
  SquareBrackets: { open: [T.Punctuation, "["], close: [T.Punctuation, "]"] },
  Parenthesis: { open: [T.Punctuation, "("], close: [T.Punctuation, ")"] },
  Case: { open: [T.Keyword, "CASE"], close: [T.Keyword, "END"] },
  If: { open: [T.Keyword, "IF"], close: [T.Keyword, "END IF"] },
  For: { open: [T.Keyword, ["FOR", "FOREACH"]], close: [T.Keyword, "END LOOP"] },
  Begin: { open: [T.Keyword, "BEGIN"], close: [T.Keyword, "END"] },
};
const OVER_OPEN: MatchPattern = [T.Keyword, "OVER"];
const WHERE_OPEN: MatchPattern = [T.Keyword, "WHERE"];
const WHERE_CLOSE: MatchPattern = [T.Keyword, ["ORDER BY", "GROUP BY", "LIMIT", "UNION", "UNION ALL", "EXCEPT", "INTERSECT", "HAVING", "RETURNING", "INTO"]];
const TYPED_LITERAL_OPEN: MatchPattern[] = [
  [T.Builtin, null],
  [T.Keyword, "TIMESTAMP"],
];
const TYPED_LITERAL_CLOSE: MatchPattern = [T.Single, null];
const TYPED_LITERAL_EXTEND: MatchPattern = [T.Keyword, ["DAY", "HOUR", "MINUTE", "MONTH", "SECOND", "YEAR"]];

function checkLimits(tlist: TokenList, depth: number): void {
  if (depth > MAX_GROUPING_DEPTH) throw new SqlParseError(`Maximum grouping depth exceeded (${MAX_GROUPING_DEPTH}).`);
  if (tlist.tokens.length > MAX_GROUPING_TOKENS) throw new SqlParseError(`Maximum number of tokens exceeded (${MAX_GROUPING_TOKENS}).`);
}

function groupMatching(tlist: TokenList, kind: GroupKind, depth = 0): void {
  checkLimits(tlist, depth);
  const { open, close } = MATCHED_GROUPS[kind]!;
  const opens: number[] = [];
  let offset = 0;
  for (const [idx, token] of [...tlist.tokens].entries()) {
    const tidx = idx - offset;
    if (token.isWhitespace) continue;
    if (token.isGroup() && !token.is(kind)) {
      groupMatching(token, kind, depth + 1);
      continue;
    }
    if (token.match(...open)) {
      opens.push(tidx);
    } else if (token.match(...close)) {
      const openIdx = opens.pop();
      if (openIdx === undefined) continue;
      tlist.groupTokens(kind, openIdx, tidx);
      offset += tidx - openIdx;
    }
  }
}

/** The `@recurse(*kinds)` decorator: runs on every sublist not of `skip` first, then on `tlist`. */
function recurse(skip: readonly GroupKind[], f: (tlist: TokenList) => void): (tlist: TokenList) => void {
  const wrapped = (tlist: TokenList): void => {
    for (const sublist of tlist.sublists()) if (!skip.some((kind) => sublist.is(kind))) wrapped(sublist);
    f(tlist);
  };
  return wrapped;
}

function isDelimiter(tlist: TokenList, token: Token | null): boolean {
  return token !== null && DELIMITED.some((kind) => tlist.is(kind)) && (token === tlist.tokens[0] || token === tlist.tokens[tlist.tokens.length - 1]);
}

interface GroupSpec {
  kind: GroupKind;
  match: (token: Token) => boolean;
  validPrev: (token: Token) => boolean;
  validNext: (token: Token | null) => boolean;
  post: (tlist: TokenList, pidx: number, tidx: number, nidx: number | null) => [number, number];
  extend?: boolean;
  recurse?: boolean;
}

/** sqlparse's `_group`: joins the tokens around each token that `match` accepts, e.g. `x < y`. */
function group(tlist: TokenList, spec: GroupSpec, depth = 0): void {
  checkLimits(tlist, depth);
  const extend = spec.extend ?? true;
  let offset = 0;
  let pidx: number | null = null;
  let prev: Token | null = null;
  for (const [idx, token] of [...tlist.tokens].entries()) {
    const tidx = idx - offset;
    if (tidx < 0) continue;
    if (token.isWhitespace) continue;
    if ((spec.recurse ?? true) && token.isGroup() && !token.is(spec.kind)) group(token, spec, depth + 1);
    if (spec.match(token)) {
      const [nidx, next] = tlist.tokenNext(tidx);
      if (prev && spec.validPrev(prev) && spec.validNext(next) && !isDelimiter(tlist, prev) && !isDelimiter(tlist, next)) {
        const [from, to] = spec.post(tlist, pidx!, tidx, nidx);
        const grouped = tlist.groupTokens(spec.kind, from, to, extend);
        offset += to - from;
        pidx = from;
        prev = grouped;
        continue;
      }
    }
    pidx = tidx;
    prev = token;
  }
}

const aroundMatch = (_tlist: TokenList, pidx: number, _tidx: number, nidx: number | null): [number, number] => [pidx, nidx!];
const notNull = (token: Token | null): boolean => token !== null;

const groupComments = recurse(["Comment"], (tlist) => {
  let [tidx, token] = tlist.tokenNextBy({ tSub: T.Comment });
  while (token) {
    const [eidx, end] = tlist.tokenMatching((tk) => !(imt(tk, { tSub: T.Comment }) || tk.isNewline), tidx);
    if (end === null) break;
    const [lastIdx] = tlist.tokenPrev(eidx, false);
    tlist.groupTokens("Comment", tidx!, lastIdx!);
    [tidx, token] = tlist.tokenNextBy({ tSub: T.Comment }, tidx!);
  }
});

const groupOver = recurse(["Over"], (tlist) => {
  let [tidx, token] = tlist.tokenNextBy({ m: [OVER_OPEN] });
  while (token) {
    const [nidx, next] = tlist.tokenNext(tidx);
    if (imt(next, { i: ["Parenthesis"], tSub: T.Name })) tlist.groupTokens("Over", tidx!, nidx!);
    [tidx, token] = tlist.tokenNextBy({ m: [OVER_OPEN] }, tidx!);
  }
});

const groupFunctions = recurse(["Function"], (tlist) => {
  const words = tlist.tokens.map((token) => token.value.toUpperCase());
  if (words.includes("CREATE") && words.includes("TABLE") && !words.includes("AS")) return;
  let [tidx, token] = tlist.tokenNextBy({ tSub: T.Name });
  while (token) {
    const [nidx, next] = tlist.tokenNext(tidx);
    if (next?.is("Parenthesis")) {
      const [overIdx, over] = tlist.tokenNext(nidx);
      tlist.groupTokens("Function", tidx!, over?.is("Over") ? overIdx! : nidx!);
    }
    [tidx, token] = tlist.tokenNextBy({ tSub: T.Name }, tidx!);
  }
});

const groupWhere = recurse(["Where"], (tlist) => {
  let [tidx, token] = tlist.tokenNextBy({ m: [WHERE_OPEN] });
  while (token) {
    const [eidx, found] = tlist.tokenNextBy({ m: [WHERE_CLOSE] }, tidx!);
    const groupable = tlist.is("Parenthesis") || tlist.is("SquareBrackets") ? tlist.tokens.slice(1, -1) : tlist.tokens;
    const end = found === null ? groupable[groupable.length - 1]! : tlist.tokens[eidx! - 1]!;
    tlist.groupTokens("Where", tidx!, tlist.tokens.indexOf(end));
    [tidx, token] = tlist.tokenNextBy({ m: [WHERE_OPEN] }, tidx!);
  }
});

function groupPeriod(tlist: TokenList): void {
  group(tlist, {
    kind: "Identifier",
    match: (token) => token.match(T.Punctuation, ".") || token.match(T.Operator, "->") || token.match(T.Operator, "->>"),
    validPrev: (token) => imt(token, { i: ["SquareBrackets", "Identifier"], t: [T.Name, T.Symbol] }),
    validNext: () => true,
    post: (list, pidx, tidx, nidx) => {
      const next = nidx === null ? null : list.tokens[nidx]!;
      return imt(next, { i: ["SquareBrackets", "Function"], t: [T.Name, T.Symbol, T.Wildcard, T.Single] }) ? [pidx, nidx!] : [pidx, tidx];
    },
  });
}

function groupArrays(tlist: TokenList): void {
  group(tlist, {
    kind: "Identifier",
    match: (token) => token.is("SquareBrackets"),
    validPrev: (token) => imt(token, { i: ["SquareBrackets", "Identifier", "Function"], t: [T.Name, T.Symbol] }),
    validNext: () => true,
    post: (_list, pidx, tidx) => [pidx, tidx],
    extend: true,
    recurse: false,
  });
}

const groupIdentifier = recurse(["Identifier"], (tlist) => {
  const types = [T.Symbol, T.Name];
  let [tidx, token] = tlist.tokenNextBy({ t: types });
  while (token) {
    tlist.groupTokens("Identifier", tidx!, tidx!);
    [tidx, token] = tlist.tokenNextBy({ t: types }, tidx!);
  }
});

const groupOrder = recurse(["Identifier"], (tlist) => {
  let [tidx, token] = tlist.tokenNextBy({ tSub: T.Order });
  while (token) {
    const [pidx, prev] = tlist.tokenPrev(tidx);
    if (imt(prev, { i: ["Identifier"], tSub: T.Number })) {
      tlist.groupTokens("Identifier", pidx!, tidx!);
      tidx = pidx;
    }
    [tidx, token] = tlist.tokenNextBy({ tSub: T.Order }, tidx!);
  }
});

function groupTypecasts(tlist: TokenList): void {
  group(tlist, { kind: "Identifier", match: (token) => token.match(T.Punctuation, "::"), validPrev: notNull, validNext: notNull, post: aroundMatch });
}

function groupTzcasts(tlist: TokenList): void {
  group(tlist, {
    kind: "Identifier",
    match: (token) => token.ttype === T.TZCast,
    validPrev: notNull,
    validNext: (token) => token !== null && (token.isWhitespace || token.match(T.Keyword, "AS") || token.match(...TYPED_LITERAL_CLOSE)),
    post: aroundMatch,
  });
}

function groupTypedLiteral(tlist: TokenList): void {
  const fromMatch = (_list: TokenList, _pidx: number, tidx: number, nidx: number | null): [number, number] => [tidx, nidx!];
  group(tlist, {
    kind: "TypedLiteral",
    match: (token) => imt(token, { m: TYPED_LITERAL_OPEN }),
    validPrev: notNull,
    validNext: (token) => token !== null && token.match(...TYPED_LITERAL_CLOSE),
    post: fromMatch,
    extend: false,
  });
  group(tlist, {
    kind: "TypedLiteral",
    match: (token) => token.is("TypedLiteral"),
    validPrev: notNull,
    validNext: (token) => token !== null && token.match(...TYPED_LITERAL_EXTEND),
    post: fromMatch,
    extend: true,
  });
}

function groupOperator(tlist: TokenList): void {
  const valid = (token: Token | null): boolean =>
    imt(token, { i: ["SquareBrackets", "Parenthesis", "Function", "Identifier", "Operation", "TypedLiteral"], t: [...T_NUMERICAL, ...T_STRING, ...T_NAME] }) ||
    (token !== null && token.match(T.Keyword, ["CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP"]));
  group(tlist, {
    kind: "Operation",
    match: (token) => imt(token, { t: [T.Operator, T.Wildcard] }),
    validPrev: valid,
    validNext: valid,
    post: (list, pidx, tidx, nidx) => {
      list.tokens[tidx]!.ttype = T.Operator;
      return [pidx, nidx!];
    },
    extend: false,
  });
}

function groupComparison(tlist: TokenList): void {
  const valid = (token: Token | null): boolean =>
    imt(token, { t: [...T_NUMERICAL, ...T_STRING, ...T_NAME], i: ["Parenthesis", "Function", "Identifier", "Operation", "TypedLiteral"] }) ||
    (token !== null && token.isKeyword && token.normalized === "NULL");
  group(tlist, { kind: "Comparison", match: (token) => token.ttype === T.Comparison, validPrev: valid, validNext: valid, post: aroundMatch, extend: false });
}

function groupAs(tlist: TokenList): void {
  group(tlist, {
    kind: "Identifier",
    match: (token) => token.isKeyword && token.normalized === "AS",
    validPrev: (token) => token.normalized === "NULL" || !token.isKeyword,
    validNext: (token) => !imt(token, { t: [T.DML, T.DDL, T.CTE] }) && token !== null,
    post: aroundMatch,
  });
}

const groupAliased = recurse([], (tlist) => {
  const by: ImtArgs = { i: ["Parenthesis", "Function", "Case", "Identifier", "Operation", "Comparison"], tSub: T.Number };
  let [tidx, token] = tlist.tokenNextBy(by);
  while (token) {
    const [nidx, next] = tlist.tokenNext(tidx);
    if (next?.is("Identifier")) tlist.groupTokens("Identifier", tidx!, nidx!, true);
    [tidx, token] = tlist.tokenNextBy(by, tidx!);
  }
});

function groupAssignment(tlist: TokenList): void {
  const valid = (token: Token | null): boolean => token !== null && token.ttype !== T.Keyword;
  group(tlist, {
    kind: "Assignment",
    match: (token) => token.match(T.Assignment, ":="),
    validPrev: valid,
    validNext: valid,
    post: (list, pidx, _tidx, nidx) => {
      const [semicolon] = list.tokenNextBy({ m: [[T.Punctuation, ";"]] }, nidx!);
      return [pidx, semicolon || nidx!];
    },
  });
}

const alignComments = recurse([], (tlist) => {
  let [tidx, token] = tlist.tokenNextBy({ i: ["Comment"] });
  while (token) {
    const [pidx, prev] = tlist.tokenPrev(tidx);
    if (prev?.isGroup()) {
      tlist.groupTokens("TokenList", pidx!, tidx!, true);
      tidx = pidx;
    }
    [tidx, token] = tlist.tokenNextBy({ i: ["Comment"] }, tidx!);
  }
});

function groupIdentifierList(tlist: TokenList): void {
  const valid = (token: Token | null): boolean =>
    imt(token, {
      i: ["Function", "Case", "Identifier", "Comparison", "IdentifierList", "Operation"],
      m: [[T.Keyword, ["null", "role"]]],
      t: [...T_NUMERICAL, ...T_STRING, ...T_NAME, T.Keyword, T.Comment, T.Wildcard],
    });
  group(tlist, { kind: "IdentifierList", match: (token) => token.match(T.Punctuation, ","), validPrev: valid, validNext: valid, post: aroundMatch });
}

function groupValues(tlist: TokenList): void {
  let [tidx, token] = tlist.tokenNextBy({ m: [[T.Keyword, "VALUES"]] });
  const start = tidx;
  let end = -1;
  while (token) {
    if (token.is("Parenthesis")) end = tidx!;
    [tidx, token] = tlist.tokenNext(tidx);
  }
  if (end !== -1) tlist.groupTokens("Values", start!, end, true);
}

/**
 * Groups a statement in place, as `sqlparse.engine.grouping.group` does.
 * @throws {SqlParseError} when the statement nests deeper than 100 groups or a group has more than 10 000 tokens.
 * @example
 * groupStatement(new TokenList("Statement", tokens)).tokens[0].kind // "Comparison" for `a > 1`
 */
export function groupStatement(statement: TokenList): TokenList {
  const passes: ((tlist: TokenList) => void)[] = [
    groupComments,
    (tlist) => groupMatching(tlist, "SquareBrackets"),
    (tlist) => groupMatching(tlist, "Parenthesis"),
    (tlist) => groupMatching(tlist, "Case"),
    (tlist) => groupMatching(tlist, "If"),
    (tlist) => groupMatching(tlist, "For"),
    (tlist) => groupMatching(tlist, "Begin"),
    groupOver,
    groupFunctions,
    groupWhere,
    groupPeriod,
    groupArrays,
    groupIdentifier,
    groupOrder,
    groupTypecasts,
    groupTzcasts,
    groupTypedLiteral,
    groupOperator,
    groupComparison,
    groupAs,
    groupAliased,
    groupAssignment,
    alignComments,
    groupIdentifierList,
    groupValues,
  ];
  for (const pass of passes) pass(statement);
  return statement;
}
