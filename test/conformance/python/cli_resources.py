"""Reads back what the mlflow-ts experiments and artifacts commands wrote, with the reference client and PostgreSQL.

Input (one JSON argument), by "op":
  {"op": "experiment", "experiment_id": ..., "pg_uri": ...}
    -> {"python": {"name", "lifecycle_stage", "tags"}, "pg": {"name", "lifecycle_stage"}}
       (Python's MlflowClient().get_experiment and the experiments table of the server's database)
  {"op": "artifacts", "uri": ...}
    -> {"files": {"<path relative to the URI>": "<sha256>"}}
       (mlflow.artifacts.download_artifacts(uri) into a temporary folder, every file hashed)
"""

import hashlib
import os
import tempfile

import mlflow
import psycopg2
from common import MlflowClient, emit, read_input


def experiment(args):
    exp = MlflowClient().get_experiment(args["experiment_id"])
    connection = psycopg2.connect(args["pg_uri"], connect_timeout=10)
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT name, lifecycle_stage FROM experiments WHERE experiment_id = %s", (int(args["experiment_id"]),))
        name, stage = cursor.fetchone()
    finally:
        connection.close()
    return {
        "python": {"name": exp.name, "lifecycle_stage": exp.lifecycle_stage, "tags": dict(exp.tags)},
        "pg": {"name": name, "lifecycle_stage": stage},
    }


def artifacts(args):
    with tempfile.TemporaryDirectory() as dst:
        local = mlflow.artifacts.download_artifacts(artifact_uri=args["uri"], dst_path=dst)
        files = {}
        for folder, _, names in os.walk(local):
            for name in names:
                path = os.path.join(folder, name)
                with open(path, "rb") as handle:
                    files[os.path.relpath(path, local)] = hashlib.sha256(handle.read()).hexdigest()
    return {"files": files}


if __name__ == "__main__":
    args = read_input()
    emit(experiment(args) if args["op"] == "experiment" else artifacts(args))
