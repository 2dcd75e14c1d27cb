/**
 * `mlflow-ts artifacts list|log|download`: artifacts by URI, as Python's `mlflow artifacts`
 * commands do, for CI steps that run as separate processes. `list` and `download` take any URI
 * `client.uris` resolves (`runs:/`, `models:/`, `mlflow-artifacts:/`, `s3://`, `file:`); `log`
 * uploads to the run `--run-id` or `MLFLOW_RUN_ID` names. Transfers reuse `upload` and `download`.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { UnsupportedArtifactStoreError } from "../../artifacts/errors.js";
import { ValidationError } from "../../core/errors.js";
import { formatBytes } from "../../core/units.js";
import { uriScheme } from "../../protocol/uri.js";
import type { CliContext } from "../context.js";
import { formatTable } from "../output/table.js";
import { downloadUri } from "./download.js";
import { uploadArtifacts } from "./upload.js";

const URI_FORMS = "runs:/<run id>/<path>, models:/<name>@<alias>, models:/<name>/<version>, models:/<model id>, mlflow-artifacts:/…, s3://<bucket>/…";

/**
 * The `artifacts` command and its subcommands.
 * @internal
 */
export function artifactsCommand(context: CliContext): Command {
  const list = new Command("list")
    .description("list the files and folders an artifact URI names")
    .argument("<uri>", URI_FORMS)
    .option("-r, --recursive", "list the folders' contents too, to any depth")
    .option("--json", "print the entries as a JSON array ({ path, is_dir, file_size })")
    .addHelpText(
      "after",
      "\nExamples:\n  $ mlflow-ts artifacts list runs:/$MLFLOW_RUN_ID/ --recursive\n  $ mlflow-ts artifacts list models:/churn@champion --json",
    )
    .action(async (uri: string, options: { recursive?: boolean; json?: boolean }) => {
      const entries = await withUriScheme(uri, () => context.client().uris.list(uri, { recursive: options.recursive === true }));
      if (options.json) return context.print(JSON.stringify(entries, null, 2));
      if (entries.length === 0) return context.print(`Nothing under ${uri}.`);
      const rows = entries.map((entry) => [entry.is_dir ? `${entry.path}/` : entry.path, entry.is_dir ? "-" : formatBytes(Number(entry.file_size ?? 0))]);
      context.print(formatTable([["PATH", "SIZE"], ...rows]));
    });
  const log = new Command("log")
    .description("upload a file or a folder (recursively) to a run's artifacts")
    .argument("<path>", "local file or folder")
    .option("--run-id <id>", "the run (default: $MLFLOW_RUN_ID)")
    .option("-a, --artifact-path <path>", "folder inside the run's artifacts (default: the root)")
    .addHelpText("after", "\nExample:\n  $ MLFLOW_RUN_ID=0a1b2c3d4e5f60718293a4b5c6d7e8f9 mlflow-ts artifacts log ./model --artifact-path model")
    .action(async (path: string, options: { runId?: string; artifactPath?: string }) => {
      const runId = options.runId ?? context.client().config.fluent.runId;
      if (runId === undefined) throw new ValidationError("--run-id", "cli-run-id", "No run to log to. Fix: pass --run-id <id>, or set MLFLOW_RUN_ID.");
      await uploadArtifacts(context, runId, path, options.artifactPath);
    });
  const download = new Command("download")
    .description("download the file or folder an artifact URI names and print where it landed")
    .argument("<uri>", URI_FORMS)
    .option("-d, --dst <dir>", "local folder (default: a new temporary folder, as Python's download_artifacts)")
    .addHelpText(
      "after",
      "\nA model's files land in <dir> itself; any other URI's last segment lands as <dir>/<segment>.\n\nExample:\n  $ MODEL_DIR=$(mlflow-ts artifacts download models:/churn@champion)",
    )
    .action(async (uri: string, options: { dst?: string }) => {
      const dest = options.dst ?? (await mkdtemp(join(tmpdir(), "mlflow-ts-artifacts-")));
      context.print(await withUriScheme(uri, () => downloadUri(context, uri, dest)));
    });
  return new Command("artifacts").description("list, log and download artifacts by URI").addCommand(list).addCommand(log).addCommand(download);
}

/** A URI whose own scheme no store reads is a usage error (exit 2); a run's odd artifact URI stays a failure. */
async function withUriScheme<T>(uri: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (!(error instanceof UnsupportedArtifactStoreError) || error.scheme !== uriScheme(uri)?.toLowerCase()) throw error;
    throw new ValidationError(
      "uri",
      "artifact-uri-scheme",
      `"${uri}" is not an artifact URI mlflow-ts reads (scheme "${error.scheme}:"). Fix: use ${URI_FORMS}.`,
    );
  }
}
