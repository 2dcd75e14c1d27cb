/**
 * The token tree of sqlparse (`sqlparse/tokens.py`, `sqlparse/sql.py`), ported so the embedded
 * store reads a search filter exactly as MLflow does: MLflow hands filters and order clauses to
 * `sqlparse.parse` and accepts or refuses them by the shape of the tree that comes back. Token
 * types are dotted paths (`Literal.String.Single`); a group is a {@link TokenList} whose `kind`
 * names its sqlparse class. Only what the parser and MLflow's checks use is ported.
 */

/** A token type such as `Keyword`, `Name.Builtin` or `Literal.Number.Float`. */
export type TokenType = string;

/**
 * sqlparse's `ttype in parent`: the same type or a subtype of `parent`.
 * @example
 * isSubtype("Literal.Number.Float", "Literal.Number") // true
 */
export function isSubtype(type: TokenType | null, parent: TokenType): boolean {
  return type !== null && (type === parent || type.startsWith(`${parent}.`));
}

/** The token types the lexer, the grouping and MLflow name. */
export const T = {
  Keyword: "Keyword",
  DML: "Keyword.DML",
  DDL: "Keyword.DDL",
  CTE: "Keyword.CTE",
  Order: "Keyword.Order",
  TZCast: "Keyword.TZCast",
  Name: "Name",
  Builtin: "Name.Builtin",
  Placeholder: "Name.Placeholder",
  Literal: "Literal",
  String: "Literal.String",
  Single: "Literal.String.Single",
  Symbol: "Literal.String.Symbol",
  Number: "Literal.Number",
  Integer: "Literal.Number.Integer",
  Float: "Literal.Number.Float",
  Hexadecimal: "Literal.Number.Hexadecimal",
  Punctuation: "Punctuation",
  Operator: "Operator",
  Comparison: "Operator.Comparison",
  Wildcard: "Wildcard",
  Comment: "Comment",
  CommentSingle: "Comment.Single",
  CommentSingleHint: "Comment.Single.Hint",
  CommentMultiline: "Comment.Multiline",
  CommentMultilineHint: "Comment.Multiline.Hint",
  Whitespace: "Text.Whitespace",
  Newline: "Text.Whitespace.Newline",
  Assignment: "Assignment",
  Command: "Generic.Command",
  Error: "Error",
} as const;

/** The sqlparse class of a group. */
export type GroupKind =
  | "TokenList"
  | "Statement"
  | "Identifier"
  | "IdentifierList"
  | "TypedLiteral"
  | "Parenthesis"
  | "SquareBrackets"
  | "Assignment"
  | "If"
  | "For"
  | "Comparison"
  | "Comment"
  | "Where"
  | "Over"
  | "Case"
  | "Function"
  | "Begin"
  | "Operation"
  | "Values";

/** A (type, values) pattern of `Token.match`; `null` values match any value of the type. */
export type MatchPattern = readonly [TokenType, string | readonly string[] | null];

/** One token: a leaf with a type, or a {@link TokenList}. */
export class Token {
  ttype: TokenType | null;
  value: string;
  parent: TokenList | null = null;
  readonly isKeyword: boolean;
  readonly isWhitespace: boolean;
  readonly isNewline: boolean;
  readonly normalized: string;

  constructor(ttype: TokenType | null, value: string) {
    this.ttype = ttype;
    this.value = value;
    this.isKeyword = isSubtype(ttype, T.Keyword);
    this.isWhitespace = isSubtype(ttype, T.Whitespace);
    this.isNewline = isSubtype(ttype, T.Newline);
    this.normalized = this.isKeyword ? value.toUpperCase() : value;
  }

  /** A group (`TokenList`)? */
  isGroup(): this is TokenList {
    return false;
  }

  /** `isinstance(token, <kind>)`. */
  is(kind: GroupKind): boolean {
    void kind;
    return false;
  }

  /**
   * sqlparse's `Token.match`: the exact type, and one of `values` (case-insensitive for keywords).
   */
  match(ttype: TokenType, values: string | readonly string[] | null): boolean {
    if (this.ttype !== ttype) return false;
    if (values === null) return true;
    const list = typeof values === "string" ? [values] : values;
    return list.some((value) => (this.isKeyword ? value.toUpperCase() : value) === this.normalized);
  }
}

/** A group of tokens (sqlparse's `TokenList` and its subclasses). */
export class TokenList extends Token {
  readonly kind: GroupKind;
  tokens: Token[];

  constructor(kind: GroupKind, tokens: Token[]) {
    super(null, tokens.map((token) => token.value).join(""));
    this.kind = kind;
    this.tokens = tokens;
    for (const token of tokens) token.parent = this;
  }

  override isGroup(): this is TokenList {
    return true;
  }

  override is(kind: GroupKind): boolean {
    return kind === "TokenList" || this.kind === kind;
  }

  /** Index and token of the first token from `start` (before `end`) that `predicate` accepts. */
  tokenMatching(predicate: (token: Token) => boolean, start: number | null, end?: number, reverse = false): [number | null, Token | null] {
    if (start === null) return [null, null];
    if (reverse) {
      for (let index = start - 2; index >= 0; index--) if (predicate(this.tokens[index]!)) return [index, this.tokens[index]!];
      return [null, null];
    }
    for (let index = start; index < (end ?? this.tokens.length); index++) if (predicate(this.tokens[index]!)) return [index, this.tokens[index]!];
    return [null, null];
  }

  /** `token_next_by(i, m, t, idx)`: the next token after `idx` that {@link imt} accepts. */
  tokenNextBy(by: ImtArgs, idx = -1, end?: number): [number | null, Token | null] {
    return this.tokenMatching((token) => imt(token, by), idx + 1, end);
  }

  /** `token_next(idx)`: the next token after `idx`, skipping whitespace. */
  tokenNext(idx: number | null, skipWhitespace = true): [number | null, Token | null] {
    if (idx === null) return [null, null];
    return this.tokenMatching((token) => !(skipWhitespace && token.isWhitespace), idx + 1);
  }

  /** `token_prev(idx)`: the previous token before `idx`, skipping whitespace. */
  tokenPrev(idx: number | null, skipWhitespace = true): [number | null, Token | null] {
    if (idx === null) return [null, null];
    return this.tokenMatching((token) => !(skipWhitespace && token.isWhitespace), idx + 1, undefined, true);
  }

  /** `group_tokens`: replaces `tokens[start..end]` by a group of `kind` (or extends the group at `start`). */
  groupTokens(kind: GroupKind, start: number, end: number, extend = false, includeEnd = true): TokenList {
    const endIndex = end + (includeEnd ? 1 : 0);
    const first = this.tokens[start]!;
    let group: TokenList;
    let moved: Token[];
    if (extend && first.isGroup() && first.is(kind)) {
      group = first;
      moved = this.tokens.slice(start + 1, endIndex);
      group.tokens.push(...moved);
      this.tokens.splice(start + 1, endIndex - start - 1);
      group.value += moved.map((token) => token.value).join("");
    } else {
      moved = this.tokens.slice(start, endIndex);
      group = new TokenList(kind, moved);
      this.tokens.splice(start, endIndex - start, group);
      group.parent = this;
    }
    for (const token of moved) token.parent = group;
    return group;
  }

  /** The direct children that are groups. */
  sublists(): TokenList[] {
    return this.tokens.filter((token): token is TokenList => token.isGroup());
  }
}

/** Arguments of sqlparse's `imt`: group kinds, (type, values) patterns, token types. */
export interface ImtArgs {
  /** `isinstance` any of these kinds. */
  i?: readonly GroupKind[];
  /** `token.match(*m)` for any of these patterns. */
  m?: readonly MatchPattern[];
  /**
   * Token types. sqlparse tests `ttype in t`, which is a subtype test when `t` is one type and an
   * exact membership test when it is a tuple: `tSub` is the first, `t` the second.
   */
  t?: readonly TokenType[];
  /** One type, compared with {@link isSubtype}. */
  tSub?: TokenType;
}

/**
 * sqlparse's `imt(token, i, m, t)`: is `token` of one of these kinds, patterns or types?
 * @example
 * imt(token, { i: ["Identifier"], t: [T.Name, T.Symbol] })
 */
export function imt(token: Token | null | undefined, { i, m, t, tSub }: ImtArgs): boolean {
  if (!token) return false;
  if (i?.some((kind) => token.is(kind))) return true;
  if (m?.some(([ttype, values]) => token.match(ttype, values))) return true;
  if (t && token.ttype !== null && t.includes(token.ttype)) return true;
  if (tSub !== undefined && isSubtype(token.ttype, tSub)) return true;
  return false;
}
