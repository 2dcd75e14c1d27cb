"""Reads a logged model back with the reference Python client, for journaled-blobs.test.ts (a model
that recovery finished after its logModel was killed).

Input (one JSON argument): {"model_uri": "models:/<id>" or "runs:/<run>/<name>", "dst_path": <folder>,
"model_id": <id, MLflow 3> (optional), "run_id": <run, for MLflow 2's history> (optional)}
Output (last stdout line): {"files": {<path in the model>: <sha256>}, "status": <LoggedModelStatus name or null>,
"history": [<artifact_path of each mlflow.log-model.history entry>] or null}
Uses mlflow.artifacts.download_artifacts, MlflowClient.get_logged_model (MLflow 3) and the run's tags.
"""

import hashlib
import json
import os
import sys

import mlflow


def main():
    args = json.loads(sys.argv[1])
    local = mlflow.artifacts.download_artifacts(artifact_uri=args["model_uri"], dst_path=args["dst_path"])
    files = {}
    for root, _, names in os.walk(local):
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                files[os.path.relpath(path, local)] = hashlib.sha256(f.read()).hexdigest()
    client = mlflow.MlflowClient()
    status = None
    if args.get("model_id"):
        raw = client.get_logged_model(args["model_id"]).status
        status = getattr(raw, "name", None) or str(raw)
    history = None
    if args.get("run_id"):
        tag = client.get_run(args["run_id"]).data.tags.get("mlflow.log-model.history")
        history = [entry["artifact_path"] for entry in json.loads(tag)] if tag else []
    print(json.dumps({"files": files, "status": status, "history": history}))


if __name__ == "__main__":
    main()
