/**
 * SQL for one comparison of MLflow's search grammar, as SQLAlchemy renders it for SQLite: `LIKE`
 * is case-sensitive (the connection sets `case_sensitive_like`), `ILIKE` compares `lower()` of both
 * sides, `IN` and `NOT IN` take a list. Values are always bound, never spliced into the SQL.
 */

/** SQL text with its bound values. */
export interface SqlFragment {
  sql: string[];
  params: unknown[];
}

const OPERATORS: Record<string, string> = { "=": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=", LIKE: "LIKE" };

/**
 * `column <comparator> value` with bound values.
 * @example
 * comparisonSql("t.value", "ILIKE", "%Base%") // { sql: "lower(t.value) LIKE lower(?)", params: ["%Base%"] }
 * @internal
 */
export function comparisonSql(column: string, comparator: string, value: unknown): { sql: string; params: unknown[] } {
  if (comparator === "ILIKE") return { sql: `lower(${column}) LIKE lower(?)`, params: [value] };
  if (comparator === "IN" || comparator === "NOT IN") {
    const values = Array.isArray(value) ? value : [value];
    return { sql: `(${column} ${comparator} (${values.map(() => "?").join(", ")}))`, params: values };
  }
  const operator = OPERATORS[comparator];
  if (operator === undefined) throw new Error(`unsupported comparator ${comparator}`);
  return { sql: `${column} ${operator} ?`, params: [value] };
}
