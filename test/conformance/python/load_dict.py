"""Reads back a dictionary artifact as Python users do: `mlflow.artifacts.load_dict` for JSON
(it reads JSON only), PyYAML's `safe_load` of the downloaded file for `.yaml`/`.yml`.

Input: {"run_id": str, "artifact_file": str}
Output: {"value": the loaded dictionary}
"""

import tempfile

import mlflow
import yaml

from common import emit, read_input

if __name__ == "__main__":
    request = read_input()
    uri = f"runs:/{request['run_id']}/{request['artifact_file']}"
    if request["artifact_file"].endswith((".yaml", ".yml")):
        with tempfile.TemporaryDirectory() as tmp, open(mlflow.artifacts.download_artifacts(uri, dst_path=tmp), encoding="utf-8") as f:
            value = yaml.safe_load(f)
    else:
        value = mlflow.artifacts.load_dict(uri)
    emit({"value": value})
