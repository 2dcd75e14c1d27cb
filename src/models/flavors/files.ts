/**
 * The `files` flavor, the escape hatch: any folder (or one file) logged as a model, under the model
 * folder's `files/` beside an `MLmodel` that names it. No loader in Python; the files come back with
 * `downloadArtifacts("models:/…")`, `mlflow.artifacts.download_artifacts` or `loadModel()`.
 */
import { stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { z } from "zod";
import { ValidationError } from "../../core/errors.js";
import type { Flavor, PreparedFlavor } from "./flavor.js";
import { placeFile, placeFolder } from "./place-files.js";

/** Folder of the files inside the model folder. */
export const FILES_DATA_DIR = "files";

/**
 * Options of a model that is just files.
 * @example
 * await run.logModel({ flavor: "files", model: "./out/tokenizer", name: "tokenizer" });
 */
export interface FilesModelInput {
  flavor: "files";
  /** A folder (its whole content) or one file. */
  model: string;
}

/** The `files` flavor. @internal */
export const filesFlavor: Flavor<FilesModelInput> = {
  name: "files",
  shape: { flavor: z.literal("files"), model: z.string().min(1) },
  async prepare(input: FilesModelInput): Promise<PreparedFlavor> {
    const info = await stat(input.model).catch(() => undefined);
    if (!info?.isDirectory() && !info?.isFile()) {
      throw new ValidationError("model", "files-model-missing", `${input.model} does not exist. Fix: pass the folder (or file) the model was saved to.`);
    }
    return {
      async write(dir) {
        const target = join(dir, FILES_DATA_DIR);
        if (info.isFile()) await placeFile(input.model, join(target, basename(input.model)));
        else if ((await placeFolder(input.model, target)) === 0) {
          throw new ValidationError("model", "files-model-empty", `The folder ${input.model} holds no file. Fix: pass the folder the model was saved to.`);
        }
        return { flavors: { files: { data: FILES_DATA_DIR } }, data: FILES_DATA_DIR };
      },
    };
  },
};
