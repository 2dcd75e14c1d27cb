/** `mlflow-ts download <run-id> <path> <dest>`: an artifact file or directory, with progress. */
import { Command } from "commander";
import type { TransferProgress } from "../artifacts/types.js";
import type { CliContext } from "./context.js";
import { createProgress } from "./progress.js";

/**
 * The `download` command.
 * @internal
 */
export function downloadCommand(context: CliContext): Command {
  return new Command("download")
    .description("download an artifact file or directory of a run into a local directory")
    .argument("<run-id>", "the run")
    .argument("<path>", 'artifact path inside the run, e.g. model/model.onnx ("" or . for everything)')
    .argument("<dest>", "local directory; the artifact lands at <dest>/<path>")
    .addHelpText("after", "\nExample:\n  $ mlflow-ts download 0a1b2c3d4e5f60718293a4b5c6d7e8f9 model ./out   # writes ./out/model/…")
    .action(async (runId: string, path: string, dest: string) => {
      const progress = createProgress("download", context.io.stderr);
      const onProgress = (p: TransferProgress): void => progress.update(p.loadedBytes, p.totalBytes);
      const artifactPath = path === "." ? "" : path;
      const local = await context
        .client()
        .artifacts.download(runId, artifactPath, dest, { onProgress })
        .finally(() => progress.stop());
      context.print(`Downloaded ${artifactPath === "" ? "all artifacts" : artifactPath} of run ${runId} to ${local}.`);
    });
}
