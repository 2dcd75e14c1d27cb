"""Reads back, with Python's MlflowClient and MLFLOW_WORKSPACE set, what the SDK logged in one workspace,
and counts in PostgreSQL what the server stored per workspace.

Input (one JSON argument): {"experiment_name": ..., "pg_uri": ..., "artifact_path": ..., "bucket": ...}; MLFLOW_WORKSPACE,
MLFLOW_TRACKING_URI and the S3 settings come from the environment.
Output (last stdout line): {"experiment_id", "workspace" (the experiment's), "runs": [{"run_id", "params",
"metrics" (key -> [[step, value]...]), "artifacts" (paths under artifact_path), "artifact_text" (the first one's
content), "artifact_uri"}], "pg": {"<workspace>": <experiments named experiment_name in that workspace>},
"pg_runs": {"<workspace>": <runs of those experiments>}, "s3_keys": [keys of the bucket under
workspaces/<MLFLOW_WORKSPACE>/<experiment id>/]}.
"""

import json
import os
import sys
import tempfile

import boto3
import psycopg2
from mlflow import MlflowClient


def main():
    args = json.loads(sys.argv[1])
    client = MlflowClient()
    experiment = client.get_experiment_by_name(args["experiment_name"])
    out = {"experiment_id": None, "workspace": None, "runs": []}
    if experiment is not None:
        out["experiment_id"] = experiment.experiment_id
        out["workspace"] = getattr(experiment, "workspace", None)
        for run in client.search_runs([experiment.experiment_id]):
            run_id = run.info.run_id
            metrics = {
                key: [[m.step, m.value] for m in sorted(client.get_metric_history(run_id, key), key=lambda m: m.step)]
                for key in run.data.metrics
            }
            files = [f.path for f in client.list_artifacts(run_id, args["artifact_path"])]
            text = None
            if files:
                with tempfile.TemporaryDirectory() as tmp:
                    local = client.download_artifacts(run_id, files[0], tmp)
                    with open(local) as handle:
                        text = handle.read()
            out["runs"].append(
                {
                    "run_id": run_id,
                    "params": run.data.params,
                    "metrics": metrics,
                    "artifacts": files,
                    "artifact_text": text,
                    "artifact_uri": run.info.artifact_uri,
                }
            )
    connection = psycopg2.connect(args["pg_uri"], connect_timeout=10)
    try:
        cursor = connection.cursor()
        cursor.execute(
            "SELECT workspace, count(*) FROM experiments WHERE name = %s GROUP BY workspace", (args["experiment_name"],)
        )
        out["pg"] = dict(cursor.fetchall())
        cursor.execute(
            "SELECT e.workspace, count(*) FROM runs r JOIN experiments e ON r.experiment_id = e.experiment_id"
            " WHERE e.name = %s GROUP BY e.workspace",
            (args["experiment_name"],),
        )
        out["pg_runs"] = dict(cursor.fetchall())
    finally:
        connection.close()
    out["s3_keys"] = []
    if out["experiment_id"] is not None:
        s3 = boto3.client("s3", endpoint_url=os.environ["MLFLOW_S3_ENDPOINT_URL"])
        prefix = f"workspaces/{os.environ['MLFLOW_WORKSPACE']}/{out['experiment_id']}/"
        listing = s3.list_objects_v2(Bucket=args["bucket"], Prefix=prefix)
        out["s3_keys"] = sorted(item["Key"] for item in listing.get("Contents", []))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
