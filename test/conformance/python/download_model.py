"""Downloads a logged model's files as Python users do: `mlflow.artifacts.download_artifacts("models:/<model id>")`.

Input: {"model_id": str, "dest": str}
Output: {"path": the local directory, "model_id": the model's id as get_logged_model reads it, "status": its status}
"""

import mlflow

from common import MlflowClient, emit, read_input

if __name__ == "__main__":
    request = read_input()
    path = mlflow.artifacts.download_artifacts(f"models:/{request['model_id']}", dst_path=request["dest"])
    model = MlflowClient().get_logged_model(request["model_id"])
    emit({"path": path, "model_id": model.model_id, "status": str(model.status)})
