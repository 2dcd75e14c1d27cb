/**
 * `logTable`: a table as MLflow's `log_table` writes it — pandas' "split" JSON
 * (`{"columns": [...], "data": [[...], ...]}`) under the run's artifacts, rows appended to a table
 * already logged under the same file (columns united, missing cells `null`), and the run tag
 * `mlflow.loggedArtifacts` listing `{"path": <file>, "type": "table"}` so that the MLflow UI shows it
 * as a table. `loadTable` reads a table back from every run that logged it, as `load_table` does.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { ArtifactNotFoundError } from "../artifacts/errors.js";
import type { UploadResult } from "../artifacts/types.js";
import type { MlflowClient } from "../client/client.js";
import { ValidationError } from "../core/errors.js";
import { pythonJsonDumps } from "../core/python-format.js";
import type { Run } from "../protocol/entities/tracking.js";
import { LOGGED_ARTIFACTS_TAG } from "../protocol/tag-names.js";

/**
 * A table: columns (name → values, all of one length) or rows (objects; a missing key is `null`).
 * Cells must have a JSON form.
 */
export type TableData = Readonly<Record<string, readonly unknown[]>> | readonly Readonly<Record<string, unknown>>[];

/** A table in pandas' "split" orientation, as `log_table` stores it. */
export interface SplitTable {
  columns: string[];
  data: unknown[][];
}

/**
 * Logs `data` as the table `artifactFile` (a `.json` path) of a run; see the module comment.
 *
 * @throws {ValidationError} when the file does not end in `.json`, columns differ in length, or
 *   the file already holds something that is not a table.
 * @example
 * await logTable(client, runId, { inputs: ["What is MLflow?"], outputs: ["MLflow is…"], toxicity: [0] }, "eval_results.json");
 */
export async function logTable(client: MlflowClient, runId: string, data: TableData, artifactFile: string): Promise<UploadResult> {
  const prepared = await prepareTable(client, runId, data, artifactFile);
  const result = await client.artifacts.uploadData(runId, prepared.json, artifactFile);
  if (prepared.loggedArtifacts !== undefined) await client.runs.setTag(runId, LOGGED_ARTIFACTS_TAG, prepared.loggedArtifacts);
  return result;
}

/** A table ready to upload: its JSON, and the run's `mlflow.loggedArtifacts` tag listing it (`undefined`: already listed). */
export interface PreparedTable {
  json: string;
  loggedArtifacts: string | undefined;
}

/**
 * What {@link logTable} uploads and the tag it sets, without uploading: the table merged with the
 * one the run already has under `artifactFile`, and the run's `mlflow.loggedArtifacts` value with
 * the table added. The logger journals both before the upload (docs/journal.md).
 * @throws {ValidationError} as {@link logTable}.
 * @example
 * const { json, loggedArtifacts } = await prepareTable(client, runId, { a: [1, 2] }, "eval/t.json");
 * @internal
 */
export async function prepareTable(client: MlflowClient, runId: string, data: TableData, artifactFile: string): Promise<PreparedTable> {
  if (!artifactFile.endsWith(".json")) {
    throw new ValidationError(
      "artifactFile",
      "table-file",
      `A table is logged as JSON: "${artifactFile}" must end in ".json" (MLflow's ".parquet" tables are not written by mlflow-ts).`,
    );
  }
  let table = toSplitTable(data);
  const existing = await readExistingTable(client, runId, artifactFile);
  if (existing) table = appendTables(existing, table);
  return { json: JSON.stringify(table), loggedArtifacts: await loggedArtifactsWith(client, runId, artifactFile) };
}

/** Options of {@link loadTable}. */
export interface LoadTableOptions {
  /** Only these runs. @defaultValue every run of the experiment that logged the table */
  runIds?: readonly string[] | undefined;
  /**
   * Columns added to every row from its run, as `search_runs` names them: `run_id`,
   * `experiment_id`, `status`, `artifact_uri`, `start_time`, `end_time`, `metrics.<key>`,
   * `params.<key>`, `tags.<key>`. A name the table already has gets a `_` suffix.
   */
  extraColumns?: readonly string[] | undefined;
}

/**
 * Reads the table `artifactFile` of every run of an experiment that logged it with
 * {@link logTable} (or Python's `log_table`), rows of all runs together, as `load_table` does.
 *
 * @throws {ArtifactNotFoundError} when no run (of `runIds`) logged the table.
 * @example
 * const { columns, data } = await loadTable(client, experimentId, "eval/answers.json", { extraColumns: ["run_id"] });
 */
export async function loadTable(client: MlflowClient, experimentId: string, artifactFile: string, options: LoadTableOptions = {}): Promise<SplitTable> {
  const listed = `tags.\`${LOGGED_ARTIFACTS_TAG}\` LIKE '%"path"%:%"${artifactFile.replace(/'/g, "\\'")}",%"type"%:%"table"%'`;
  const byIds = options.runIds?.length ? ` AND attributes.run_id IN (${options.runIds.map((id) => `'${id}'`).join(", ")})` : "";
  let table: SplitTable | undefined;
  for await (const run of client.runs.search({ experiment_ids: [experimentId], filter: listed + byIds })) {
    const own = await readExistingTable(client, run.info.run_id, artifactFile);
    if (own === undefined)
      throw new ArtifactNotFoundError(`Artifact ${artifactFile} not found for run ${run.info.run_id}.`, {
        operation: "download",
        location: `${run.info.artifact_uri}/${artifactFile}`,
      });
    const withExtras = addRunColumns(own, run, options.extraColumns ?? []);
    table = table ? appendTables(table, withExtras) : withExtras;
  }
  if (table) return table;
  throw new ArtifactNotFoundError(`No run of experiment ${experimentId} logged the table ${artifactFile}.`, { operation: "download", location: artifactFile });
}

function addRunColumns(table: SplitTable, run: Run, names: readonly string[]): SplitTable {
  if (names.length === 0) return table;
  const values = names.map((name) => runColumn(run, name));
  const columns = [...table.columns, ...names.map((name) => (table.columns.includes(name) ? `${name}_` : name))];
  return { columns, data: table.data.map((row) => [...row, ...values]) };
}

/** A run's value under a `search_runs` column name; `null` when it has none. */
function runColumn(run: Run, name: string): unknown {
  const { info, data } = run;
  const attributes: Record<string, unknown> = {
    run_id: info.run_id,
    experiment_id: info.experiment_id,
    status: info.status,
    artifact_uri: info.artifact_uri,
    start_time: info.start_time,
    end_time: info.end_time,
  };
  if (name in attributes) return attributes[name] ?? null;
  const [kind, ...rest] = name.split(".");
  const key = rest.join(".");
  const list = kind === "metrics" ? data.metrics : kind === "params" ? data.params : kind === "tags" ? data.tags : [];
  return cell((list as { key: string; value: unknown }[]).find((entry) => entry.key === key)?.value);
}

/**
 * A table in pandas' "split" orientation.
 * @throws {ValidationError} when columns differ in length.
 * @example
 * toSplitTable([{ a: 1 }, { a: 2, b: "x" }]) // { columns: ["a", "b"], data: [[1, null], [2, "x"]] }
 * @internal
 */
export function toSplitTable(data: TableData): SplitTable {
  if (Array.isArray(data)) {
    const rows = data as readonly Readonly<Record<string, unknown>>[];
    const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
    return { columns, data: rows.map((row) => columns.map((column) => cell(row[column]))) };
  }
  const byColumn = data as Readonly<Record<string, readonly unknown[]>>;
  const columns = Object.keys(byColumn);
  const lengths = new Set(columns.map((column) => byColumn[column]!.length));
  if (lengths.size > 1) {
    throw new ValidationError(
      "data",
      "table-columns",
      `Every column of a table needs the same number of values, got ${columns.map((c) => `${c}: ${byColumn[c]!.length}`).join(", ")}.`,
    );
  }
  const rowCount = columns.length === 0 ? 0 : byColumn[columns[0]!]!.length;
  return { columns, data: Array.from({ length: rowCount }, (_, i) => columns.map((column) => cell(byColumn[column]![i]))) };
}

/**
 * `pd.concat([existing, added], ignore_index=True)`: the columns of `existing`, then the new ones;
 * cells a row does not have are `null`.
 * @internal
 */
export function appendTables(existing: SplitTable, added: SplitTable): SplitTable {
  const columns = [...new Set([...existing.columns, ...added.columns])];
  const realign = (table: SplitTable) => (row: unknown[]) =>
    columns.map((column) => {
      const index = table.columns.indexOf(column);
      return index < 0 ? null : cell(row[index]);
    });
  return { columns, data: [...existing.data.map(realign(existing)), ...added.data.map(realign(added))] };
}

/** A cell as pandas writes it: `undefined` and non-finite numbers become `null`. */
function cell(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === "number" && !Number.isFinite(value)) return null;
  return value;
}

async function readExistingTable(client: MlflowClient, runId: string, artifactFile: string): Promise<SplitTable | undefined> {
  const dir = posix.dirname(posix.normalize(artifactFile));
  const listed = await client.artifacts.list(runId, dir === "." ? undefined : dir);
  if (!listed.some((file) => file.path === artifactFile && !file.is_dir)) return undefined;
  const scratch = await mkdtemp(join(tmpdir(), "mlflow-ts-table-"));
  try {
    const local = await client.artifacts.download(runId, artifactFile, scratch);
    return parseSplitTable(await readFile(local, "utf8"), artifactFile);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function parseSplitTable(text: string, artifactFile: string): SplitTable {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const table = parsed as Partial<SplitTable> | undefined;
  if (Array.isArray(table?.columns) && Array.isArray(table.data)) return { columns: table.columns.map(String), data: table.data as unknown[][] };
  throw new ValidationError(
    "artifactFile",
    "table-file",
    `The run already has an artifact "${artifactFile}" that is not a table (split JSON with "columns" and "data"); log the table under another name.`,
  );
}

/** The run's `mlflow.loggedArtifacts` tag with the table added (as `log_table` lists it), or `undefined` when it is listed already. */
async function loggedArtifactsWith(client: MlflowClient, runId: string, artifactFile: string): Promise<string | undefined> {
  const run = await client.runs.get(runId);
  const current = run.data.tags.find((tag) => tag.key === LOGGED_ARTIFACTS_TAG)?.value;
  const entries = parseLoggedArtifacts(current);
  if (entries.some((entry) => entry.path === artifactFile && entry.type === "table")) return undefined;
  return pythonJsonDumps([...entries, { path: artifactFile, type: "table" }]);
}

function parseLoggedArtifacts(value: string | undefined): { path: string; type: string }[] {
  if (!value) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed)) return parsed as { path: string; type: string }[];
  throw new ValidationError(
    LOGGED_ARTIFACTS_TAG,
    "logged-artifacts-tag",
    `The run's ${LOGGED_ARTIFACTS_TAG} tag is not a JSON list; fix or delete it before logging a table (it was left as it is).`,
  );
}
