"""Shared helpers of the REST conformance scripts.

Each script takes one JSON argument, talks to the tracking server named by MLFLOW_TRACKING_URI
with the reference ``mlflow`` client, and prints one JSON object on its last stdout line. JSON has
no spelling for NaN and infinities, so non-finite floats are printed as the strings "NaN",
"Infinity" and "-Infinity" (the MLflow wire spelling).
"""

import json
import math
import sys

from mlflow.tracking import MlflowClient


def read_input():
    """The script's JSON argument (an empty object when absent)."""
    return json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}


def emit(obj):
    """Prints ``obj`` as one JSON line, non-finite floats as strings."""
    print(json.dumps(_wire(obj), allow_nan=False, sort_keys=True))


def from_wire(value):
    """A metric value as the TypeScript side sends it in the script input ("NaN" etc. or a number)."""
    if isinstance(value, str):
        return float(value.replace("Infinity", "inf"))
    return float(value)


def _wire(value):
    if isinstance(value, float) and not math.isfinite(value):
        if math.isnan(value):
            return "NaN"
        return "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, dict):
        return {str(k): _wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_wire(v) for v in value]
    return value


def metric_point(metric):
    return {"key": metric.key, "value": metric.value, "timestamp": metric.timestamp, "step": metric.step}


def read_run(client: MlflowClient, run_id: str, history_keys=None):
    """Everything the reference client reads back about a run, as plain JSON."""
    run = client.get_run(run_id)
    info = run.info
    keys = sorted(run.data.metrics.keys()) if history_keys is None else history_keys
    experiment = client.get_experiment(info.experiment_id)
    return {
        "info": {
            "run_id": info.run_id,
            "run_name": info.run_name,
            "experiment_id": info.experiment_id,
            "user_id": info.user_id,
            "status": info.status,
            "start_time": info.start_time,
            "end_time": info.end_time,
            "artifact_uri": info.artifact_uri,
            "lifecycle_stage": info.lifecycle_stage,
        },
        "params": dict(run.data.params),
        "tags": dict(run.data.tags),
        "latest_metrics": sorted((metric_point(m) for m in run.data._metric_objs), key=lambda m: m["key"]),
        "histories": {key: [metric_point(m) for m in client.get_metric_history(run_id, key)] for key in keys},
        "experiment": {
            "experiment_id": experiment.experiment_id,
            "name": experiment.name,
            "artifact_location": experiment.artifact_location,
            "lifecycle_stage": experiment.lifecycle_stage,
            "tags": dict(experiment.tags),
        },
    }
