/**
 * Writes a model's folder — the flavor's files, the input example, `MLmodel` and the environment
 * files — into a scratch directory, then hands it to an upload. One writer for both ways a model
 * is logged: as an MLflow 3 logged model (log-model.ts) and as run artifacts on an MLflow 2 server
 * (log-model-as-run-artifacts.ts), so both write the same files.
 */
import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { modelRequirements, writeEnvironment } from "./environment.js";
import type { PreparedFlavor } from "./flavors/flavor.js";
import type { PreparedExample } from "./input-example.js";
import { MLMODEL_FILE, type MLmodel, mlmodelYaml, utcTimeCreated } from "./mlmodel.js";
import type { ModelSignature, signatureBlock } from "./signature.js";
import { DEFAULT_MODEL_PYTHON_VERSION, TARGET_MLFLOW_VERSION } from "./targets.js";

/** What the folder is written from: the checked inputs, and where the model is. */
export interface ModelFolderInput {
  prepared: PreparedFlavor;
  example: PreparedExample | undefined;
  signature: ReturnType<typeof signatureBlock> | undefined;
  metadata: Record<string, unknown> | undefined;
  pythonVersion: string | undefined;
  pipRequirements?: string[] | undefined;
  extraPipRequirements?: string[] | undefined;
  /** `MLmodel`'s own identity fields: `artifact_path`, `model_id`, `model_uuid`, `run_id`. */
  identity: Pick<MLmodel, "artifact_path" | "model_id" | "model_uuid" | "run_id">;
}

/**
 * Writes the folder into a fresh scratch directory (`scratchDir`, an empty folder inside the run's
 * journal, when given; else one in the system's temporary folder), calls `upload(dir, mlmodel)`, and
 * removes the directory whatever happens; returns the `MLmodel` written and what `upload` returned.
 * @throws what writing or `upload` throws.
 * @internal
 */
export async function withModelFolder<T>(
  input: ModelFolderInput,
  upload: (dir: string, mlmodel: MLmodel) => Promise<T>,
  scratchDir?: string,
): Promise<{ mlmodel: MLmodel; uploaded: T }> {
  const dir = scratchDir ?? (await mkdtemp(join(tmpdir(), "mlflow-ts-model-")));
  try {
    const pythonVersion = input.pythonVersion ?? DEFAULT_MODEL_PYTHON_VERSION;
    const written = await input.prepared.write(dir, { pythonVersion });
    await input.example?.write(dir);
    const mlmodel: MLmodel = {
      ...input.identity,
      flavors: written.flavors,
      mlflow_version: TARGET_MLFLOW_VERSION,
      model_size_bytes: await folderBytes(dir),
      prompts: null,
      utc_time_created: utcTimeCreated(),
      ...(input.signature === undefined ? {} : { signature: input.signature, is_signature_from_type_hint: false, type_hint_from_example: false }),
      ...(input.example === undefined ? {} : { saved_input_example_info: input.example.info }),
      ...(input.metadata === undefined ? {} : { metadata: input.metadata }),
    };
    await writeFile(join(dir, MLMODEL_FILE), mlmodelYaml(mlmodel));
    if (written.pythonRequirements !== undefined) {
      await writeEnvironment(dir, modelRequirements(written.pythonRequirements, input), pythonVersion);
    }
    return { mlmodel, uploaded: await upload(dir, mlmodel) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Re-exported for callers that build the signature block. @internal */
export type { ModelSignature };

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await folderBytes(path);
    else total += (await stat(path)).size;
  }
  return total;
}
