/** `mlflow-ts upload <run-id> <path>`: a file or directory into a run's artifacts, with one progress display for all its files. */
import { stat } from "node:fs/promises";
import { Command } from "commander";
import { formatBytes } from "../../core/units.js";
import type { CliContext } from "../context.js";
import { CliFailure } from "../errors.js";
import { withTransferProgress } from "../output/progress.js";

/**
 * The `upload` command.
 * @internal
 */
export function uploadCommand(context: CliContext): Command {
  return new Command("upload")
    .description("upload a file or a directory (recursively) to a run's artifacts")
    .argument("<run-id>", "the run")
    .argument("<path>", "local file or directory")
    .option("-a, --artifact-path <path>", "directory inside the run's artifacts (default: the root)")
    .addHelpText("after", "\nExample:\n  $ mlflow-ts upload 0a1b2c3d4e5f60718293a4b5c6d7e8f9 ./model --artifact-path model")
    .action(async (runId: string, path: string, options: { artifactPath?: string }) => uploadArtifacts(context, runId, path, options.artifactPath));
}

/**
 * Uploads a file or folder to a run's artifacts with progress on stderr, and prints what landed
 * where; `upload` and `artifacts log` both end here.
 * @throws {CliFailure} when `path` does not exist.
 * @internal
 */
export async function uploadArtifacts(context: CliContext, runId: string, path: string, artifactPath: string | undefined): Promise<void> {
  await stat(path).catch(() => {
    throw new CliFailure(`${path} does not exist (or cannot be read).`);
  });
  const result = await withTransferProgress("upload", context.io.stderr, context.io.env, (onProgress) =>
    context.client().artifacts.upload(runId, path, { artifactPath, onProgress }),
  );
  const where = artifactPath ? ` under ${artifactPath}` : "";
  context.print(`Uploaded ${result.paths.length} ${result.paths.length === 1 ? "file" : "files"} (${formatBytes(result.bytes)}) to run ${runId}${where}.`);
}
