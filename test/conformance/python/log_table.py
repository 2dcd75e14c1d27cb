"""Logs tables with the reference client's `log_table` (each call appends to the file).

Input: {"experiment_id": str, "artifact_file": str, "tables": [{column: [values]}]}
Output: {"run_id": str}
"""

from common import MlflowClient, emit, read_input

if __name__ == "__main__":
    request = read_input()
    client = MlflowClient()
    run = client.create_run(request["experiment_id"])
    for table in request["tables"]:
        client.log_table(run.info.run_id, data=table, artifact_file=request["artifact_file"])
    client.set_terminated(run.info.run_id)
    emit({"run_id": run.info.run_id})
