"""Loads a model as Python users do, `mlflow.pyfunc.load_model(model_uri)`, and predicts.

Input: {"model_uri": str, "inputs": [[float, ...], ...]}
Output: {"predictions": [float, ...] (flattened), "loader_module": str, "flavors": [str],
         "input_schema": the signature's inputs as JSON or null, "example": the saved input example or null,
         "serving_predictions": predictions on the saved serving input example (validate_serving_input) or null}
"""

import numpy as np

import mlflow
from mlflow.models import Model

from common import emit, read_input

if __name__ == "__main__":
    request = read_input()
    uri = request["model_uri"]
    model = mlflow.pyfunc.load_model(uri)
    predictions = model.predict(np.array(request["inputs"], dtype=np.float64))
    values = np.concatenate([np.asarray(v).ravel() for v in predictions.values()]) if isinstance(predictions, dict) else np.asarray(predictions).ravel()
    meta = model.metadata
    local = mlflow.artifacts.download_artifacts(uri)
    example = meta.load_input_example(local)
    serving = meta.get_serving_input(local)
    served = mlflow.models.validate_serving_input(uri, serving) if serving is not None else None
    served_values = None
    if served is not None:
        served_values = np.concatenate([np.asarray(v).ravel() for v in served.values()]).tolist() if isinstance(served, dict) else np.asarray(served).ravel().tolist()
    emit({
        "predictions": values.tolist(),
        "loader_module": meta.flavors["python_function"]["loader_module"],
        "flavors": sorted(meta.flavors.keys()),
        "input_schema": meta.get_input_schema().to_dict() if meta.get_input_schema() is not None else None,
        "example": np.asarray(example).tolist() if example is not None else None,
        "serving_predictions": served_values,
        "model_id": Model.load(local).model_id,
    })
