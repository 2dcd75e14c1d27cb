"""Logs a run with the reference client, for TypeScript to read back.

Input: {"experiment_id", "run_name", "start_time", "end_time", "status", "params": {k: v},
        "tags": {k: v}, "metrics": [{"key", "value", "timestamp", "step"}],
        "single_metrics": [{"key", "value", "timestamp", "step"}]}
(values may be "NaN", "Infinity", "-Infinity"). "metrics" go through log_batch, "single_metrics"
through log_metric one by one; the run ends with set_terminated(status, end_time).
Output: {"run_id": str, "read_back": common.read_run(...)}: what Python itself reads.
"""

from mlflow.entities import Metric, Param, RunTag

from common import MlflowClient, emit, from_wire, read_input, read_run

if __name__ == "__main__":
    request = read_input()
    client = MlflowClient()
    run = client.create_run(
        request["experiment_id"],
        start_time=request["start_time"],
        tags=request["tags"],
        run_name=request["run_name"],
    )
    run_id = run.info.run_id
    client.log_batch(
        run_id,
        metrics=[Metric(m["key"], from_wire(m["value"]), m["timestamp"], m["step"]) for m in request["metrics"]],
        params=[Param(k, v) for k, v in request["params"].items()],
    )
    for m in request["single_metrics"]:
        client.log_metric(run_id, m["key"], from_wire(m["value"]), timestamp=m["timestamp"], step=m["step"])
    client.set_terminated(run_id, status=request["status"], end_time=request["end_time"])
    emit({"run_id": run_id, "read_back": read_run(client, run_id)})
