"""Reads back a run that `mlflow-ts runs …` steps wrote, with the reference client.

Input (one JSON argument): {"run_id": ...}
Output (last stdout line): {"status", "end_time", "params", "tags", "histories": {key: [[step, value], ...]},
"artifacts": {path: text}} — histories sorted by step, non-finite values as "NaN"/"Infinity"/"-Infinity",
artifacts every file of the run (listed recursively, downloaded, read as UTF-8).
"""

import json
import math
import os
import sys
import tempfile

import mlflow
from mlflow.tracking import MlflowClient


def wire(value):
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def files(client, run_id, path=None):
    for info in client.list_artifacts(run_id, path):
        if info.is_dir:
            yield from files(client, run_id, info.path)
        else:
            yield info.path


def main():
    run_id = json.loads(sys.argv[1])["run_id"]
    client = MlflowClient()
    run = client.get_run(run_id)
    histories = {}
    for key in run.data.metrics:
        points = client.get_metric_history(run_id, key)
        histories[key] = sorted([m.step, wire(m.value)] for m in points)
    artifacts = {}
    with tempfile.TemporaryDirectory() as tmp:
        for path in files(client, run_id):
            local = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path=path, dst_path=tmp)
            with open(local, encoding="utf-8") as handle:
                artifacts[path] = handle.read()
    print(
        json.dumps(
            {
                "status": run.info.status,
                "end_time": run.info.end_time,
                "params": dict(run.data.params),
                "tags": dict(run.data.tags),
                "histories": histories,
                "artifacts": artifacts,
            },
            sort_keys=True,
        )
    )


if __name__ == "__main__":
    main()
