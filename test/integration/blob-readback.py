"""Reads back artifacts built in memory with the reference Python client, for journaled-blobs.test.ts.

Input (one JSON argument): {"run_id": ..., "text": <artifact file>, "dicts": [<JSON artifact file>, ...],
"yamls": [<YAML artifact file>, ...], "table": <artifact file>, "image": <artifact file>, "dst_path": <folder>}
Output (last stdout line): {"text": ..., "dicts": {<file>: <value>}, "yamls": {<file>: <value>},
"table": {"columns": [...], "data": [...]}, "image_sha256": ...}
Uses mlflow.artifacts.load_text, mlflow.artifacts.load_dict (JSON only, as in MLflow; a YAML file is
read with load_text and yaml.safe_load), MlflowClient.load_table (which finds the table through the run's
mlflow.loggedArtifacts tag) and mlflow.artifacts.download_artifacts.
"""

import hashlib
import json
import sys

import mlflow
import yaml


def main():
    args = json.loads(sys.argv[1])
    run_id = args["run_id"]
    uri = lambda path: f"runs:/{run_id}/{path}"  # noqa: E731
    client = mlflow.MlflowClient()
    experiment_id = client.get_run(run_id).info.experiment_id
    table = client.load_table(experiment_id, args["table"], run_ids=[run_id])
    image = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path=args["image"], dst_path=args["dst_path"])
    with open(image, "rb") as f:
        image_sha256 = hashlib.sha256(f.read()).hexdigest()
    out = {
        "text": mlflow.artifacts.load_text(uri(args["text"])),
        "dicts": {path: mlflow.artifacts.load_dict(uri(path)) for path in args["dicts"]},
        "yamls": {path: yaml.safe_load(mlflow.artifacts.load_text(uri(path))) for path in args["yamls"]},
        "table": json.loads(table.to_json(orient="split", index=False)),
        "image_sha256": image_sha256,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
