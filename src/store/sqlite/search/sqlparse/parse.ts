/**
 * `sqlparse.parse`, ported: lex, split into statements (`engine/statement_splitter.py`), group.
 * MLflow refuses a filter that splits into more than one statement, so the splitter's rules (a
 * `;` outside parentheses and blocks ends a statement, `GO` too) are kept as they are.
 */

import { pythonSplit } from "../python-text.js";
import { groupStatement } from "./grouping.js";
import { type LexedToken, tokenize } from "./lexer.js";
import { isSubtype, T, Token, TokenList } from "./tokens.js";

export { SqlParseError } from "./grouping.js";

/**
 * The grouped statements of `sql`, as `sqlparse.parse(sql)` returns them.
 * @throws {SqlParseError} when a statement is too deep or too long to group.
 * @example
 * parse("metrics.acc > 0.9")[0].tokens[0].kind // "Comparison"
 */
export function parse(sql: string): TokenList[] {
  return splitStatements(tokenize(sql)).map((tokens) => groupStatement(new TokenList("Statement", tokens)));
}

/** `StatementSplitter.process`. */
function splitStatements(stream: LexedToken[]): Token[][] {
  const statements: Token[][] = [];
  let splitter = new SplitState();
  for (const { ttype, value } of stream) {
    if (splitter.consumeWhitespace && ttype !== T.Whitespace && ttype !== T.CommentSingle) {
      statements.push(splitter.tokens);
      splitter = new SplitState();
    }
    splitter.level += splitter.changeLevel(ttype, value);
    splitter.tokens.push(new Token(ttype, value));
    if (ttype === T.Punctuation && value === ";") {
      splitter.seenBegin = false;
      if (splitter.level <= 0 && !splitter.blocks.includes("BEGIN")) splitter.consumeWhitespace = true;
    } else if (ttype === T.Keyword && pythonSplit(value)[0] === "GO") {
      splitter.consumeWhitespace = true;
    } else if (
      ![T.Whitespace, T.Newline, T.CommentSingle, T.CommentMultiline].includes(ttype as never) &&
      !(ttype === T.Keyword && value.toUpperCase() === "BEGIN")
    ) {
      splitter.seenBegin = false;
    }
  }
  if (splitter.tokens.length > 0 && !splitter.tokens.every((token) => token.isWhitespace)) statements.push(splitter.tokens);
  return statements;
}

/** The splitter's state for the statement being read. */
class SplitState {
  blocks: string[] = [];
  parenthesisLevel = 0;
  unconfirmedStart: string | null = null;
  isCreate = false;
  seenBegin = false;
  consumeWhitespace = false;
  tokens: Token[] = [];
  level = 0;

  /** `_change_splitlevel`. */
  changeLevel(ttype: string, value: string): number {
    if (ttype === T.Punctuation && value === ";") {
      this.unconfirmedStart = null;
      if (this.seenBegin) {
        this.seenBegin = false;
        if (this.blocks[this.blocks.length - 1] === "BEGIN") {
          this.blocks.pop();
          return -1;
        }
      }
      return 0;
    }
    if (ttype === T.Punctuation && value === "(") {
      this.parenthesisLevel += 1;
      return 1;
    }
    if (ttype === T.Punctuation && value === ")") {
      this.parenthesisLevel = Math.max(0, this.parenthesisLevel - 1);
      return -1;
    }
    if (!isSubtype(ttype, T.Keyword)) return 0;
    const unified = value.toUpperCase();
    if (ttype === T.DDL && unified.startsWith("CREATE")) {
      this.isCreate = true;
      return 0;
    }
    if (unified === "DECLARE" && this.isCreate && this.blocks.length === 0) {
      this.blocks.push("DECLARE");
      return 1;
    }
    if (unified === "BEGIN") {
      this.seenBegin = true;
      if (this.blocks[this.blocks.length - 1] === "DECLARE") {
        this.blocks.pop();
        this.blocks.push("BEGIN");
        return 0;
      }
      this.blocks.push("BEGIN");
      return 1;
    }
    if (
      this.seenBegin &&
      (ttype === T.Keyword || ttype === T.Name) &&
      ["TRANSACTION", "WORK", "TRAN", "DISTRIBUTED", "DEFERRED", "IMMEDIATE", "EXCLUSIVE"].includes(unified)
    ) {
      this.seenBegin = false;
      if (this.blocks[this.blocks.length - 1] === "BEGIN") {
        this.blocks.pop();
        return -1;
      }
      return 0;
    }
    if (this.blocks.includes("BEGIN")) {
      const nested = this.nestedBlock(unified);
      if (nested !== null) return nested;
    }
    return this.closingKeyword(unified);
  }

  private nestedBlock(unified: string): number | null {
    if (unified === "FOR" || unified === "WHILE") {
      this.unconfirmedStart = unified;
      return 0;
    }
    if (unified === "LOOP" || unified === "DO") {
      if (this.unconfirmedStart === "FOR" || this.unconfirmedStart === "WHILE") {
        this.blocks.push(this.unconfirmedStart);
        this.unconfirmedStart = null;
        return 1;
      }
      if (unified === "LOOP") {
        this.blocks.push("LOOP");
        return 1;
      }
    }
    if (unified === "IF" || unified === "CASE") {
      this.blocks.push(unified);
      return 1;
    }
    return null;
  }

  private closingKeyword(unified: string): number {
    const top = this.blocks[this.blocks.length - 1];
    const closes: Record<string, readonly string[]> = {
      "END IF": ["IF"],
      "END FOR": ["FOR"],
      "END WHILE": ["WHILE"],
      "END LOOP": ["LOOP", "FOR", "WHILE"],
      "END CASE": ["CASE"],
    };
    const closed = closes[unified];
    if (closed) {
      if (top !== undefined && closed.includes(top)) {
        this.blocks.pop();
        return -1;
      }
      return 0;
    }
    if (unified === "END") {
      this.blocks.pop();
      return -1;
    }
    return 0;
  }
}
