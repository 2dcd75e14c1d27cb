/**
 * The Python side a logged model is written for, in one place: the MLflow release whose `MLmodel`
 * format mlflow-ts writes (and records as `mlflow_version`), and the Python and package versions
 * its `requirements.txt`, `python_env.yaml` and `conda.yaml` pin by default. They are the versions
 * of the stack the integration suite proves a model against (`scripts/stack/requirements*.txt`);
 * `pipRequirements` and `pythonVersion` override them per model.
 */

/** The MLflow release whose model format is written: `mlflow_version` in `MLmodel`, `mlflow==` in the requirements. */
export const TARGET_MLFLOW_VERSION = "3.17.2";
/** Python of the model's environment (`python_env.yaml`, `python_function.python_version`). @defaultValue "3.11.7" */
export const DEFAULT_MODEL_PYTHON_VERSION = "3.11.7";
/** `onnx` pinned in an ONNX model's requirements, and its flavor's `onnx_version`. */
export const TARGET_ONNX_VERSION = "1.23.2";
/** `onnxruntime` pinned in an ONNX model's requirements (the pyfunc loader runs the model with it). */
export const TARGET_ONNXRUNTIME_VERSION = "1.32.0";
