/**
 * Helpers of the embedded-store conformance tests: the Python with MLflow to compare against, the
 * `sqlite-interop.py` script and the `mlflow` CLI run with bounded time, and a normalised dump of
 * `sqlite_master`.
 *
 * The Python is `MLFLOW_TS_PINNED_PYTHON` when set (e.g. a venv with exactly mlflow==3.17.2), else
 * the stack's `STACK_PYTHON`.
 */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";

const run = promisify(execFile);
const SCRIPT = resolve("test/conformance/sqlite-interop.py");

/** Path of the Python interpreter with MLflow. */
export function conformancePython(): string {
  const python = process.env.MLFLOW_TS_PINNED_PYTHON ?? process.env.STACK_ENV_STACK_PYTHON;
  if (!python) throw new Error("No Python with MLflow: the stack's STACK_PYTHON is missing (run scripts/stack/up) and MLFLOW_TS_PINNED_PYTHON is unset.");
  return python;
}

function pythonEnv(): NodeJS.ProcessEnv {
  return { ...process.env, MLFLOW_DISABLE_TELEMETRY: "true", DO_NOT_TRACK: "true", PYTHONWARNINGS: "ignore", MLFLOW_TRACKING_URI: "" };
}

/** Runs `sqlite-interop.py <args>` in `cwd` and parses the JSON it prints last. */
export async function interop<T>(cwd: string, ...args: string[]): Promise<T> {
  return interopWithEnv<T>(cwd, {}, ...args);
}

/** {@link interop} with `env` added to the Python's environment (e.g. `MLFLOW_ENABLE_WORKSPACES`). */
export async function interopWithEnv<T>(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<T> {
  const { stdout } = await run(conformancePython(), [SCRIPT, ...args], {
    cwd,
    env: { ...pythonEnv(), ...env },
    timeout: 180_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split("\n").pop()!) as T;
}

/** Runs `python -m mlflow <args>` in `cwd`; rejects on a non-zero exit. */
export async function mlflowCli(cwd: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(conformancePython(), ["-m", "mlflow", ...args], { cwd, env: pythonEnv(), timeout: 300_000 });
}

/** The MLflow version of the conformance Python. */
export async function pythonMlflowVersion(cwd: string): Promise<string> {
  return (await interop<{ mlflow: string }>(cwd, "version")).mlflow;
}

/** One row of `sqlite_master`, normalised. */
export interface SchemaRow {
  type: string;
  name: string;
  table: string;
  sql: string | null;
}

/**
 * `sqlite_master` sorted by type and name, with whitespace collapsed and the table constraints of
 * each CREATE TABLE sorted: SQLAlchemy's batch migrations re-emit CHECK constraints in set order,
 * so two databases MLflow itself creates can list them differently. Columns keep their order.
 */
export function normalizedSchema(path: string): SchemaRow[] {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare('SELECT type, name, tbl_name AS "table", sql FROM sqlite_master ORDER BY type, name').all() as SchemaRow[];
    return rows.map((row) => ({ ...row, sql: row.sql === null ? null : normalizeSql(row.sql) }));
  } finally {
    db.close();
  }
}

function normalizeSql(sql: string): string {
  const open = sql.indexOf("(");
  if (!/^CREATE TABLE/i.test(sql) || open < 0) return collapse(sql);
  const items = splitTopLevel(sql.slice(open + 1, sql.lastIndexOf(")")));
  const isConstraint = (item: string): boolean => /^(CONSTRAINT|CHECK|FOREIGN|PRIMARY|UNIQUE)\b/i.test(item);
  const columns = items.filter((item) => !isConstraint(item));
  const constraints = items.filter(isConstraint).sort();
  return `${collapse(sql.slice(0, open))} (${[...columns, ...constraints].join(", ")})`;
}

function splitTopLevel(body: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let quote = "";
  let current = "";
  for (const char of body) {
    if (quote) {
      current += char;
      if (char === quote) quote = "";
      continue;
    }
    if (char === "'" || char === '"') quote = char;
    if (char === "(") depth++;
    if (char === ")") depth--;
    if (char === "," && depth === 0) {
      items.push(collapse(current));
      current = "";
      continue;
    }
    current += char;
  }
  items.push(collapse(current));
  return items;
}

function collapse(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
