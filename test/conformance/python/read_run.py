"""Reads back runs with the reference client.

Input: {"run_ids": [str], "history_keys": [str] | null}  (null: every metric of the run)
Output: {"runs": [common.read_run(...)]}: per run its info, params, tags, latest_metrics,
histories (full get_metric_history per key) and its experiment (with tags), in input order.
"""

from common import MlflowClient, emit, read_input, read_run

if __name__ == "__main__":
    request = read_input()
    client = MlflowClient()
    emit({"runs": [read_run(client, run_id, request.get("history_keys")) for run_id in request["run_ids"]]})
