/**
 * The one line the embedded store prints to stderr the first time a process uses it, so that a
 * user who set nothing learns where the runs went and how to look at them. Silenced with
 * `MLFLOW_TS_QUIET_LOCAL_STORE=true`.
 */
import { dirname, relative } from "node:path";

let announced = false;

/** What the notice says. */
export interface NoticeFacts {
  /** Absolute path of the database file. */
  path: string;
  /** The database as a URI, e.g. `sqlite:////home/me/mlflow.db`. */
  uri: string;
  /** True when the store was chosen because `MLFLOW_TRACKING_URI` is unset. */
  isDefault: boolean;
  /** Where new experiments keep artifacts. */
  artifactRoot: string;
  /** Working folder, to shorten the `mlflow ui` command. @defaultValue process.cwd() */
  cwd?: string;
}

/**
 * The notice line (without newline).
 * @example
 * noticeLine({ path: "/w/mlflow.db", uri: "sqlite:////w/mlflow.db", isDefault: true, artifactRoot: "/w/mlruns", cwd: "/w" })
 * // "mlflow-ts: logging to sqlite:////w/mlflow.db, artifacts under /w/mlruns (no MLFLOW_TRACKING_URI set). View with: mlflow ui --backend-store-uri sqlite:///mlflow.db"
 * @internal
 */
export function noticeLine(facts: NoticeFacts): string {
  const cwd = facts.cwd ?? process.cwd();
  const viewUri = dirname(facts.path) === cwd ? `sqlite:///${relative(cwd, facts.path)}` : facts.uri;
  const why = facts.isDefault ? " (no MLFLOW_TRACKING_URI set)" : "";
  return `mlflow-ts: logging to ${facts.uri}, artifacts under ${facts.artifactRoot}${why}. View with: mlflow ui --backend-store-uri ${viewUri}`;
}

/**
 * Prints the notice once per process, unless `quiet` (`MLFLOW_TS_QUIET_LOCAL_STORE=true`, read with the configuration).
 * @example
 * announceOnce({ path, uri, isDefault: true, artifactRoot }, config.embeddedStore.quiet);
 * @internal
 */
export function announceOnce(facts: NoticeFacts, quiet: boolean, write: (line: string) => void = (line) => process.stderr.write(line)): void {
  if (announced || quiet) return;
  announced = true;
  write(`${noticeLine(facts)}\n`);
}

/** Lets tests see the notice again. @internal */
export function resetNoticeForTests(): void {
  announced = false;
}
