"""Reads a table logged by mlflow-ts with the reference client's `load_table`.

Input: {"experiment_id": str, "run_id": str, "artifact_file": str}
Output: {"columns": [...], "rows": [[...]], "logged_artifacts": the run's mlflow.loggedArtifacts tag,
parsed}; NaN cells (pandas' missing values) come back as null.
"""

import json
import math

from common import MlflowClient, emit, read_input


def plain(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return value.item() if hasattr(value, "item") else value


if __name__ == "__main__":
    request = read_input()
    client = MlflowClient()
    table = client.load_table(request["experiment_id"], request["artifact_file"], run_ids=[request["run_id"]])
    tag = client.get_run(request["run_id"]).data.tags.get("mlflow.loggedArtifacts", "[]")
    emit({
        "columns": list(table.columns),
        "rows": [[plain(value) for value in row] for row in table.itertuples(index=False, name=None)],
        "logged_artifacts": json.loads(tag),
    })
