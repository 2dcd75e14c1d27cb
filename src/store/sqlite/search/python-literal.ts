/**
 * MLflow reads the list of `run_id IN ('a', 'b')` with Python's `ast.literal_eval`, so what it
 * accepts there is Python's literal syntax, not SQL's: `('a' 'b')` is one string, `("a",)` a
 * tuple, `(1)` a number (refused), `(a)` a name (a `ValueError`, which MLflow reports as an
 * internal error). This reads the same subset of Python expressions and says which of the three
 * outcomes `literal_eval` has: values, a syntax error, or a valid expression that is no literal.
 * Expressions beyond literals, names, attribute access, calls, subscripts, unary, binary, boolean
 * and comparison operators, conditional expressions and lambdas (a comprehension, a starred or
 * keyword argument, a `\N{…}` escape) are reported as syntax errors.
 */

/** A literal value as `literal_eval` returns it (only its kind matters to MLflow). */
export type PyValue = { kind: "str"; value: string } | { kind: "tuple"; items: PyValue[] } | { kind: "other" };

/** The outcome of `ast.literal_eval(text)`. */
export type LiteralEvalResult = { ok: true; value: PyValue } | { ok: false; error: "SyntaxError" | "ValueError" };

interface PyToken {
  kind: "str" | "bytes" | "fstr" | "num" | "name" | "op" | "end";
  text: string;
  value?: string;
}

class PySyntaxError extends Error {}

const STRING_START = /([rRbBuUfF]{0,2})('''|"""|'|")/y;
const NUMBER = /(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.?)(?:[eE][-+]?\d(?:_?\d)*)?)[jJ]?/y;
const NAME = /[\p{L}_][\p{L}\p{N}_]*/uy;
const OPERATORS = [
  "**",
  "//",
  "->",
  "==",
  "!=",
  "<=",
  ">=",
  "<<",
  ">>",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  ",",
  ":",
  ".",
  "+",
  "-",
  "*",
  "/",
  "%",
  "~",
  "<",
  ">",
  "&",
  "|",
  "^",
  "@",
  ";",
  "=",
];

function tokenizePython(text: string): PyToken[] {
  const tokens: PyToken[] = [];
  let pos = 0;
  let depth = 0;
  while (pos < text.length) {
    const char = text[pos]!;
    if (char === " " || char === "\t" || char === "\f" || (depth > 0 && (char === "\n" || char === "\r"))) {
      pos += 1;
      continue;
    }
    if (char === "\\" && (text[pos + 1] === "\n" || text[pos + 1] === "\r")) {
      pos += 2;
      continue;
    }
    if (char === "#") {
      while (pos < text.length && text[pos] !== "\n" && text[pos] !== "\r") pos += 1;
      continue;
    }
    if ((char === "\n" || char === "\r") && depth === 0) {
      if (text.slice(pos).trim() !== "") throw new PySyntaxError("statement after a newline");
      break;
    }
    STRING_START.lastIndex = pos;
    const start = STRING_START.exec(text);
    if (start && /^(|r|u|b|f|br|rb|fr|rf)$/i.test(start[1]!)) {
      const [token, next] = readString(text, pos, start[1]!.toLowerCase(), start[2]!);
      tokens.push(token);
      pos = next;
      continue;
    }
    NUMBER.lastIndex = pos;
    const number = /\d|\.\d/.test(text.slice(pos, pos + 2)) ? NUMBER.exec(text) : null;
    if (number) {
      if (/^[\p{L}\p{N}_]/u.test(text.slice(pos + number[0].length))) throw new PySyntaxError("invalid number");
      tokens.push({ kind: "num", text: number[0] });
      pos += number[0].length;
      continue;
    }
    NAME.lastIndex = pos;
    const name = NAME.exec(text);
    if (name) {
      tokens.push({ kind: "name", text: name[0] });
      pos += name[0].length;
      continue;
    }
    if (text.startsWith("...", pos)) {
      tokens.push({ kind: "name", text: "..." });
      pos += 3;
      continue;
    }
    const operator = OPERATORS.find((op) => text.startsWith(op, pos));
    if (!operator) throw new PySyntaxError(`invalid character ${char}`);
    if ("([{".includes(operator)) depth += 1;
    if (")]}".includes(operator)) depth -= 1;
    tokens.push({ kind: "op", text: operator });
    pos += operator.length;
  }
  tokens.push({ kind: "end", text: "" });
  return tokens;
}

const SIMPLE_ESCAPES: Record<string, string> = { "\\": "\\", "'": "'", '"': '"', a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };

function readString(text: string, start: number, prefix: string, quote: string): [PyToken, number] {
  const raw = prefix.includes("r");
  const bytes = prefix.includes("b");
  let pos = start + prefix.length + quote.length;
  let value = "";
  for (;;) {
    if (pos >= text.length) throw new PySyntaxError("unterminated string literal");
    if (text.startsWith(quote, pos)) {
      pos += quote.length;
      break;
    }
    const char = text[pos]!;
    if ((char === "\n" || char === "\r") && quote.length === 1) throw new PySyntaxError("unterminated string literal");
    if (bytes && char.charCodeAt(0) > 0x7f) throw new PySyntaxError("bytes can only contain ASCII literal characters");
    if (char !== "\\") {
      value += char;
      pos += 1;
      continue;
    }
    const next = text[pos + 1];
    if (next === undefined) throw new PySyntaxError("unterminated string literal");
    if (raw) {
      value += char + next;
      pos += 2;
      continue;
    }
    pos += 2;
    if (next === "\n") continue;
    if (next === "\r") {
      if (text[pos] === "\n") pos += 1;
      continue;
    }
    if (next in SIMPLE_ESCAPES) {
      value += SIMPLE_ESCAPES[next];
    } else if (/[0-7]/.test(next)) {
      const digits = /^[0-7]{0,2}/.exec(text.slice(pos))![0];
      value += String.fromCodePoint(parseInt(next + digits, 8));
      pos += digits.length;
    } else if (next === "x" || (!bytes && (next === "u" || next === "U"))) {
      const length = next === "x" ? 2 : next === "u" ? 4 : 8;
      const hex = text.slice(pos, pos + length);
      if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(hex)) throw new PySyntaxError("truncated escape");
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) throw new PySyntaxError("illegal Unicode character");
      value += String.fromCodePoint(code);
      pos += length;
    } else if (next === "N" && !bytes) {
      throw new PySyntaxError("\\N{…} escapes are not supported here");
    } else {
      value += `\\${next}`;
    }
  }
  return [{ kind: prefix.includes("f") ? "fstr" : bytes ? "bytes" : "str", text: text.slice(start, pos), value }, pos];
}

/**
 * A node of the parsed expression: a literal (`number` for a numeric constant, which unary `+`/`-`
 * may precede), or something `literal_eval` refuses with ValueError (`name` for a bare name, so
 * that `set()` is recognised).
 */
type Node = { literal: true; value: PyValue; number?: NumberKind } | { literal: false; name?: string };

/** What `_convert_num` and `_convert_signed_num` of `literal_eval` tell apart. */
type NumberKind = "real" | "imaginary" | "signed-real" | "signed-imaginary" | "complex";

class Parser {
  private index = 0;
  constructor(private readonly tokens: PyToken[]) {}

  parseAll(): Node {
    const node = this.expression();
    if (this.peek().kind !== "end") throw new PySyntaxError(`unexpected ${this.peek().text}`);
    return node;
  }

  private peek(): PyToken {
    return this.tokens[this.index]!;
  }

  private take(text?: string): PyToken | undefined {
    const token = this.peek();
    if (text !== undefined && !(token.kind === "op" && token.text === text)) return undefined;
    this.index += 1;
    return token;
  }

  private expect(text: string): void {
    if (!this.take(text)) throw new PySyntaxError(`expected ${text}`);
  }

  private isOp(...texts: string[]): boolean {
    const token = this.peek();
    return token.kind === "op" && texts.includes(token.text);
  }

  /** An expression without a top-level comma (a tuple needs the parentheses around it here). */
  private expression(): Node {
    if (this.takeWord("lambda")) {
      while (!this.take(":")) {
        if (this.peek().kind === "end") throw new PySyntaxError("lambda without ':'");
        this.index += 1;
      }
      this.expression();
      return { literal: false };
    }
    const node = this.orTest();
    if (!this.takeWord("if")) return node;
    this.orTest();
    if (!this.takeWord("else")) throw new PySyntaxError("expected 'else'");
    this.expression();
    return { literal: false };
  }

  private orTest(): Node {
    let node = this.andTest();
    while (this.takeWord("or")) {
      this.andTest();
      node = { literal: false };
    }
    return node;
  }

  private andTest(): Node {
    let node = this.notTest();
    while (this.takeWord("and")) {
      this.notTest();
      node = { literal: false };
    }
    return node;
  }

  private notTest(): Node {
    if (this.takeWord("not")) {
      this.notTest();
      return { literal: false };
    }
    let node = this.binary(0);
    for (;;) {
      if (this.isOp("<", ">", "==", "!=", "<=", ">=") || this.takeWord("in")) {
        if (this.isOp("<", ">", "==", "!=", "<=", ">=")) this.index += 1;
      } else if (this.takeWord("is") || (this.peek().kind === "name" && this.peek().text === "not" && this.tokens[this.index + 1]?.text === "in")) {
        if (this.takeWord("not")) this.takeWord("in");
      } else {
        return node;
      }
      this.binary(0);
      node = { literal: false };
    }
  }

  private takeWord(word: string): boolean {
    const token = this.peek();
    if (token.kind !== "name" || token.text !== word) return false;
    this.index += 1;
    return true;
  }

  private static readonly LEVELS: string[][] = [["|"], ["^"], ["&"], ["<<", ">>"], ["+", "-"], ["*", "/", "//", "%", "@"]];

  /**
   * Binary operators by precedence. literal_eval folds only `<real> + <imaginary>` and
   * `<real> - <imaginary>` (complex literals); any other operation is a ValueError.
   */
  private binary(level: number): Node {
    if (level === Parser.LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    const operators = Parser.LEVELS[level]!;
    while (this.isOp(...operators)) {
      const operator = this.take()!.text;
      const right = this.binary(level + 1);
      const real = left.literal && (left.number === "real" || left.number === "signed-real");
      const complex = (operator === "+" || operator === "-") && real && right.literal && right.number === "imaginary";
      left = complex ? { literal: true, value: { kind: "other" }, number: "complex" } : { literal: false };
    }
    return left;
  }

  private unary(): Node {
    if (this.isOp("+", "-", "~")) {
      const operator = this.take()!.text;
      const operand = this.unary();
      const constant = operand.literal && (operand.number === "real" || operand.number === "imaginary");
      return operator !== "~" && constant
        ? { literal: true, value: { kind: "other" }, number: operand.number === "real" ? "signed-real" : "signed-imaginary" }
        : { literal: false };
    }
    return this.power();
  }

  private power(): Node {
    let node = this.trailers(this.atom());
    if (this.isOp("**")) {
      this.index += 1;
      this.unary();
      node = { literal: false };
    }
    return node;
  }

  private trailers(node: Node): Node {
    let current = node;
    for (;;) {
      if (this.take("(")) {
        const args = this.sequence(")");
        current = !current.literal && current.name === "set" && args.length === 0 ? { literal: true, value: { kind: "other" } } : { literal: false };
      } else if (this.take("[")) {
        this.sequence("]");
        current = { literal: false };
      } else if (this.take(".")) {
        if (this.peek().kind !== "name") throw new PySyntaxError("expected a name");
        this.index += 1;
        current = { literal: false };
      } else {
        return current;
      }
    }
  }

  private sequence(close: string): Node[] {
    const items: Node[] = [];
    while (!this.take(close)) {
      items.push(this.expression());
      if (this.take(":")) items.push(this.expression());
      if (!this.take(",")) {
        this.expect(close);
        break;
      }
    }
    return items;
  }

  private atom(): Node {
    const token = this.peek();
    if (token.kind === "str" || token.kind === "bytes" || token.kind === "fstr") {
      let kind: string = token.kind === "fstr" ? "str" : token.kind;
      let value = "";
      let formatted = false;
      while (["str", "bytes", "fstr"].includes(this.peek().kind)) {
        const part = this.take()!;
        const partKind = part.kind === "fstr" ? "str" : part.kind;
        if ((kind === "bytes") !== (partKind === "bytes")) throw new PySyntaxError("cannot mix bytes and nonbytes literals");
        kind = partKind;
        formatted ||= part.kind === "fstr";
        value += part.value;
      }
      if (formatted) return { literal: false };
      return { literal: true, value: kind === "str" ? { kind: "str", value } : { kind: "other" } };
    }
    if (token.kind === "num") {
      this.index += 1;
      return { literal: true, value: { kind: "other" }, number: /[jJ]$/.test(token.text) ? "imaginary" : "real" };
    }
    if (token.kind === "name") {
      if (
        [
          "and",
          "or",
          "not",
          "in",
          "is",
          "if",
          "else",
          "lambda",
          "for",
          "yield",
          "await",
          "import",
          "def",
          "class",
          "return",
          "del",
          "pass",
          "from",
          "as",
          "with",
          "while",
          "try",
          "except",
          "finally",
          "raise",
          "global",
          "nonlocal",
          "assert",
          "break",
          "continue",
          "elif",
        ].includes(token.text)
      ) {
        throw new PySyntaxError(`invalid syntax at ${token.text}`);
      }
      this.index += 1;
      if (["None", "True", "False", "..."].includes(token.text)) return { literal: true, value: { kind: "other" } };
      return { literal: false, name: token.text };
    }
    if (this.take("(")) {
      if (this.take(")")) return { literal: true, value: { kind: "tuple", items: [] } };
      const first = this.expression();
      if (this.take(")")) return first;
      this.expect(",");
      const items = [first, ...this.sequence(")")];
      return items.every((item) => item.literal)
        ? { literal: true, value: { kind: "tuple", items: items.map((item) => (item as { value: PyValue }).value) } }
        : { literal: false };
    }
    if (this.take("[") || this.take("{")) {
      const close = this.tokens[this.index - 1]!.text === "[" ? "]" : "}";
      const items = this.sequence(close);
      return items.every((item) => item.literal) ? { literal: true, value: { kind: "other" } } : { literal: false };
    }
    throw new PySyntaxError(`unexpected ${token.text || "end of input"}`);
  }
}

/**
 * `ast.literal_eval(text)` for the part of Python MLflow can meet in a filter list.
 * @example
 * literalEval("('a', \"b\")") // { ok: true, value: { kind: "tuple", items: [str a, str b] } }
 * literalEval("(a)")          // { ok: false, error: "ValueError" }
 */
export function literalEval(text: string): LiteralEvalResult {
  try {
    const node = new Parser(tokenizePython(text.replace(/^[ \t]+/, ""))).parseAll();
    return node.literal ? { ok: true, value: node.value } : { ok: false, error: "ValueError" };
  } catch (error) {
    if (error instanceof PySyntaxError) return { ok: false, error: "SyntaxError" };
    throw error;
  }
}
