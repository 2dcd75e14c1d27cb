/**
 * sqlparse's lexer (`sqlparse/lexer.py`, `SQL_REGEX` of `sqlparse/keywords.py`), ported so a
 * search filter splits into the tokens MLflow's parser sees. Python's `re` with `IGNORECASE |
 * UNICODE` is translated: `\w`, `\d`, `\s` and `\b` take Python's Unicode meaning, lookbehinds see
 * the text before the match as `pattern.match(text, pos)` does.
 */
import { PY_SPACE_CLASS } from "../python-text.js";
import { KEYWORDS } from "./keywords.generated.js";
import { T, type TokenType } from "./tokens.js";

/** Python's `\w` (Unicode letters, digits, `_`). */
const W = String.raw`[\p{L}\p{N}_]`;
/** Python's `\d` (Unicode decimal digits). */
const D = String.raw`\p{Nd}`;
/** Python's `\s`: what `str.isspace()` accepts. */
const S = PY_SPACE_CLASS;
/** Python's `\b` after a word character. */
const B = `(?!${W})`;
/** Python's `.` (anything but a newline). */
const DOT = String.raw`[^\n]`;

/** Marks a regex whose match is looked up in the keyword table. */
const KEYWORD = "keyword";

/** `SQL_REGEX`, in order: the first that matches at a position wins. */
const SQL_REGEX: [string, TokenType | typeof KEYWORD][] = [
  [String.raw`(--|# )\+${DOT}*?(\r\n|\r|\n|$)`, T.CommentSingleHint],
  [String.raw`(--|# )${DOT}*?(\r\n|\r|\n|$)`, T.CommentSingle],
  [String.raw`(\r\n|\r|\n)`, T.Newline],
  [`${S}+?`, T.Whitespace],
  [":=", T.Assignment],
  ["::", T.Punctuation],
  [String.raw`\*`, T.Wildcard],
  ["`(``|[^`])*`", T.Name],
  ["´(´´|[^´])*´", T.Name],
  [String.raw`\?`, T.Placeholder],
  [String.raw`%(\(${W}+\))?s`, T.Placeholder],
  [String.raw`(?<!${W})[$:?]${W}+`, T.Placeholder],
  [String.raw`\\${W}+`, T.Command],
  [`(CASE|IN|VALUES|USING|FROM|AS)${B}`, T.Keyword],
  [`(@|##|#)[A-ZÀ-Ü]${W}+`, T.Name],
  [String.raw`[A-ZÀ-Ü]${W}*(?=${S}*\.(?!${D}))`, T.Name],
  [String.raw`(?<=\.)[A-ZÀ-Ü]${W}*`, T.Name],
  [String.raw`[A-ZÀ-Ü]${W}*(?=\()`, T.Name],
  [String.raw`-?0x[\p{Nd}A-F]+`, T.Hexadecimal],
  [String.raw`-?${D}+(\.${D}+)?E-?${D}+`, T.Float],
  [String.raw`(?![_A-ZÀ-Ü])-?(${D}+(\.${D}*)|\.${D}+)(?![_A-ZÀ-Ü])`, T.Float],
  [String.raw`(?![_A-ZÀ-Ü])-?${D}+(?![_A-ZÀ-Ü])`, T.Integer],
  [String.raw`'(''|\\'|[^'])*'`, T.Single],
  [String.raw`"(""|\\"|[^"])*"`, T.Symbol],
  [String.raw`(""|"${DOT}*?[^\\]")`, T.Symbol],
  [String.raw`(?<![\p{L}\p{N}_\])])(\[[^\]\[]+\])`, T.Name],
  [String.raw`((LEFT${S}+|RIGHT${S}+|FULL${S}+)?(INNER${S}+|OUTER${S}+|STRAIGHT${S}+)?|(CROSS${S}+|NATURAL${S}+)?)?JOIN${B}`, T.Keyword],
  [String.raw`END(${S}+IF|${S}+LOOP|${S}+WHILE|${S}+FOR|${S}+CASE)?${B}`, T.Keyword],
  [String.raw`IF${S}+(NOT${S}+)?EXISTS${B}`, T.Keyword],
  [String.raw`NOT${S}+NULL${B}`, T.Keyword],
  [String.raw`(ASC|DESC)(${S}+NULLS${S}+(FIRST|LAST))?${B}`, T.Order],
  [String.raw`(ASC|DESC)${B}`, T.Order],
  [String.raw`NULLS${S}+(FIRST|LAST)${B}`, T.Order],
  [String.raw`UNION${S}+ALL${B}`, T.Keyword],
  [String.raw`CREATE(${S}+OR${S}+REPLACE)?${B}`, T.DDL],
  [String.raw`DOUBLE${S}+PRECISION${B}`, T.Builtin],
  [String.raw`GROUP${S}+BY${B}`, T.Keyword],
  [String.raw`ORDER${S}+BY${B}`, T.Keyword],
  [String.raw`PRIMARY${S}+KEY${B}`, T.Keyword],
  [String.raw`HANDLER${S}+FOR${B}`, T.Keyword],
  [String.raw`GO(${S}${D}+)${B}`, T.Keyword],
  [String.raw`(LATERAL${S}+VIEW${S}+)(EXPLODE|INLINE|PARSE_URL_TUPLE|POSEXPLODE|STACK)${B}`, T.Keyword],
  [String.raw`(AT|WITH')${S}+TIME${S}+ZONE${S}+'[^']+'`, T.TZCast],
  [String.raw`(NOT${S}+)?(LIKE|ILIKE|RLIKE)${B}`, T.Comparison],
  [String.raw`(NOT${S}+)?(REGEXP)(${S}+(BINARY))?${B}`, T.Comparison],
  [String.raw`${W}[$#\p{L}\p{N}_]*`, KEYWORD],
  [String.raw`[;:()\[\],.]`, T.Punctuation],
  [String.raw`(->>?|#>>?|@>|<@|\?\|?|\?&|-|#-)`, T.Operator],
  ["[<>=~!]+", T.Comparison],
  [String.raw`[+/@#%^&|^-]+`, T.Operator],
];

const COMPILED = SQL_REGEX.map(([source, type]) => [new RegExp(source, "iuy"), type] as const);

/** One lexed token. */
export interface LexedToken {
  ttype: TokenType;
  value: string;
}

/** The keyword type of a word, or `Name` (`Lexer.is_keyword`). */
function keywordType(word: string): TokenType {
  return KEYWORDS.get(word.toUpperCase()) ?? T.Name;
}

/**
 * Splits `text` into tokens as `sqlparse.lexer.tokenize` does.
 * @example
 * tokenize("metrics.acc > 0.9") // Name "metrics", Punctuation ".", Name "acc", Whitespace, ...
 */
export function tokenize(text: string): LexedToken[] {
  const spans = findDelimitedSpans(text);
  const tokens: LexedToken[] = [];
  let pos = 0;
  outer: while (pos < text.length) {
    const span = spans.resolve(pos);
    if (span) {
      tokens.push({ ttype: span.ttype, value: text.slice(pos, span.end) });
      pos = span.end;
      continue;
    }
    for (const [regex, type] of COMPILED) {
      regex.lastIndex = pos;
      const match = regex.exec(text);
      if (!match) continue;
      const value = match[0];
      tokens.push({ ttype: type === KEYWORD ? keywordType(value) : type, value });
      pos += value.length;
      continue outer;
    }
    const char = String.fromCodePoint(text.codePointAt(pos)!);
    tokens.push({ ttype: T.Error, value: char });
    pos += char.length;
  }
  return tokens;
}

/** Where dollar-quoted literals and `/* … *\/` comments open and close (`find_delimited_spans`). */
interface DelimitedSpans {
  resolve(pos: number): { end: number; ttype: TokenType } | undefined;
}

const DOLLAR_DELIMITER = new RegExp(String.raw`(?=(\$(?:[_A-ZÀ-Ü]${W}*)?\$))`, "giu");
const DOLLAR_OPENER_OK = /(?<![\p{L}\p{N}_"$])/uy;
const COMMENT_TAG = "/*";

function findDelimitedSpans(text: string): DelimitedSpans {
  const hasDollar = text.includes("$");
  const hasCommentOpen = text.includes("/*");
  if (!hasDollar && !hasCommentOpen) return { resolve: () => undefined };
  const openers = new Map<number, { openerEnd: number; tag: string; ttype: TokenType }>();
  const closers = new Map<string, { starts: number[]; ends: number[] }>();
  const closersOf = (tag: string): { starts: number[]; ends: number[] } => {
    let entry = closers.get(tag);
    if (!entry) {
      entry = { starts: [], ends: [] };
      closers.set(tag, entry);
    }
    return entry;
  };
  if (hasDollar) {
    for (const match of text.matchAll(DOLLAR_DELIMITER)) {
      const start = match.index;
      const tag = match[1]!;
      const end = start + tag.length;
      const entry = closersOf(tag);
      entry.starts.push(start);
      entry.ends.push(end);
      DOLLAR_OPENER_OK.lastIndex = start;
      if (DOLLAR_OPENER_OK.test(text)) openers.set(start, { openerEnd: end, tag, ttype: T.Literal });
    }
  }
  if (hasCommentOpen) {
    for (const match of text.matchAll(/\/\*\+/g)) openers.set(match.index, { openerEnd: match.index + 3, tag: COMMENT_TAG, ttype: T.CommentMultilineHint });
    for (const match of text.matchAll(/\/\*(?!\+)/g)) openers.set(match.index, { openerEnd: match.index + 2, tag: COMMENT_TAG, ttype: T.CommentMultiline });
    const entry = closersOf(COMMENT_TAG);
    for (const match of text.matchAll(/\*\//g)) {
      entry.starts.push(match.index);
      entry.ends.push(match.index + 2);
    }
  }
  return {
    resolve(pos) {
      const opener = openers.get(pos);
      if (!opener) return undefined;
      const { starts, ends } = closers.get(opener.tag)!;
      const index = starts.findIndex((start) => start >= opener.openerEnd);
      return index < 0 ? undefined : { end: ends[index]!, ttype: opener.ttype };
    },
  };
}
