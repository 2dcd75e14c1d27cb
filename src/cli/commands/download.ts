/**
 * `mlflow-ts download`: an artifact file or folder, with progress, named either by URI
 * (`download models:/churn@champion ./model`, resolved as Python's `mlflow.artifacts` resolves it)
 * or by run id and path (`download <run-id> <path> <dest>`).
 */
import { Command } from "commander";
import { ValidationError } from "../../core/errors.js";
import { uriScheme } from "../../protocol/uri.js";
import type { CliContext } from "../context.js";
import { withTransferProgress } from "../output/progress.js";

/**
 * The `download` command.
 * @internal
 */
export function downloadCommand(context: CliContext): Command {
  return new Command("download")
    .description("download an artifact file or folder by URI (runs:/, models:/, s3://, mlflow-artifacts:/) or by run id and path")
    .argument("<source>", "an artifact URI, e.g. models:/churn@champion, or a run id")
    .argument("<dest-or-path>", 'with a URI: the local folder; with a run id: the artifact path inside the run ("" or . for everything)')
    .argument("[dest]", "with a run id: the local folder; the artifact lands at <dest>/<path>")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  $ mlflow-ts download models:/churn@champion ./model                      # the model's files in ./model\n" +
        "  $ mlflow-ts download runs:/0a1b2c3d4e5f60718293a4b5c6d7e8f9/eval ./out    # writes ./out/eval/…\n" +
        "  $ mlflow-ts download 0a1b2c3d4e5f60718293a4b5c6d7e8f9 model ./out         # writes ./out/model/…",
    )
    .action(async (source: string, second: string, third: string | undefined) => {
      if (third === undefined) {
        if (uriScheme(source) === undefined)
          throw new ValidationError(
            "source",
            "download-arguments",
            `"${source}" is not a URI, so a path and a destination are needed. Fix: mlflow-ts download <run-id> <path> <dest>, or mlflow-ts download <uri> <dest>.`,
          );
        context.print(`Downloaded ${source} to ${await downloadUri(context, source, second)}.`);
        return;
      }
      const artifactPath = second === "." ? "" : second;
      const local = await withTransferProgress("download", context.io.stderr, context.io.env, (onProgress) =>
        context.client().artifacts.download(source, artifactPath, third, { onProgress }),
      );
      context.print(`Downloaded ${artifactPath === "" ? "all artifacts" : artifactPath} of run ${source} to ${local}.`);
    });
}

/**
 * Downloads what an artifact URI names into `dest` (laid out as Python's `download_artifacts`),
 * with progress on stderr; returns the local path. `download <uri>` and `artifacts download` both end here.
 * @throws {ArtifactNotFoundError} when the URI names nothing.
 * @internal
 */
export async function downloadUri(context: CliContext, uri: string, dest: string): Promise<string> {
  return withTransferProgress("download", context.io.stderr, context.io.env, (onProgress) => context.client().uris.download(uri, dest, { onProgress }));
}
