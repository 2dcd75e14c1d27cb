/**
 * The Python environment files of a model that Python loads (`mlflow/utils/environment.py`):
 * `requirements.txt` (one requirement a line), `python_env.yaml` (python, build dependencies, and
 * `-r requirements.txt`) and `conda.yaml` (the same for `--env-manager conda`), as
 * `mlflow.<flavor>.save_model` writes them. `mlflow models serve` and `pyfunc.spark_udf` build the
 * model's environment from them.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pythonYamlDump } from "../core/python-format.js";
import { TARGET_MLFLOW_VERSION } from "./targets.js";

/** `requirements.txt`. */
export const REQUIREMENTS_FILE = "requirements.txt";
/** `python_env.yaml` (the virtualenv environment). */
export const PYTHON_ENV_FILE = "python_env.yaml";
/** `conda.yaml` (the conda environment). */
export const CONDA_ENV_FILE = "conda.yaml";

/**
 * The requirements of a model: `mlflow==<target>` first (unless the list names mlflow), then the
 * flavor's, then the extra ones, without repeats.
 * @internal
 */
export function modelRequirements(
  flavorRequirements: readonly string[],
  options: { pipRequirements?: readonly string[]; extraPipRequirements?: readonly string[] },
): string[] {
  const base = options.pipRequirements ?? flavorRequirements;
  const all = [...base, ...(options.extraPipRequirements ?? [])];
  const names = all.map((requirement) => /^[A-Za-z0-9_.-]+/.exec(requirement.trim())?.[0]?.toLowerCase());
  const withMlflow = names.includes("mlflow") ? all : [`mlflow==${TARGET_MLFLOW_VERSION}`, ...all];
  return [...new Set(withMlflow.map((requirement) => requirement.trim()).filter((requirement) => requirement !== ""))];
}

/**
 * Writes `requirements.txt`, `python_env.yaml` and `conda.yaml` into a model folder.
 * @internal
 */
export async function writeEnvironment(dir: string, requirements: readonly string[], pythonVersion: string): Promise<void> {
  await writeFile(join(dir, REQUIREMENTS_FILE), requirements.join("\n"));
  const pythonEnv = { python: pythonVersion, build_dependencies: ["pip", "setuptools", "wheel"], dependencies: [`-r ${REQUIREMENTS_FILE}`] };
  await writeFile(join(dir, PYTHON_ENV_FILE), pythonYamlDump(pythonEnv, { sortKeys: false }));
  const conda = { channels: ["conda-forge"], dependencies: [`python=${pythonVersion}`, "pip", { pip: [...requirements] }], name: "mlflow-env" };
  await writeFile(join(dir, CONDA_ENV_FILE), pythonYamlDump(conda));
}
