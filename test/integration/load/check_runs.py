"""What the load test's processes left on the server, read from PostgreSQL and by the reference client.

Input (one JSON argument): {"experiment_name": ...}. Environment: the stack's client variables
and STACK_PG_URI (the direct server's database).

Counts every run's rows in PostgreSQL (metrics: all rows, distinct (key, step), rows of a key m<k> whose
value is step + k/16, groups of identical (key, step, timestamp, value); params; tags; latest
metrics), reads each run with the MLflow client (status, end time, params, tags) and downloads its
summary artifact with mlflow.artifacts (straight from S3: the direct server's artifact URIs are
s3://). Prints one JSON object.
"""

import json
import os
import sys
import tempfile

import mlflow
import psycopg2
from mlflow.tracking import MlflowClient

METRIC_COUNTS = """
SELECT count(*),
       count(DISTINCT (key, step)),
       count(*) FILTER (WHERE NOT is_nan AND key ~ '^m[0-9]{1,6}$'
                        AND value * 16 = step * 16 + CAST(CASE WHEN key ~ '^m[0-9]{1,6}$' THEN substr(key, 2) ELSE '0' END AS integer)),
       coalesce(min(step), -1),
       coalesce(max(step), -1)
FROM metrics WHERE run_uuid = %s
"""
DUPLICATE_GROUPS = """
SELECT count(*) FROM (
  SELECT 1 FROM metrics WHERE run_uuid = %s GROUP BY key, step, timestamp, value HAVING count(*) > 1
) AS d
"""
DOUBLED_POINTS = """
SELECT count(*) FROM (
  SELECT 1 FROM metrics WHERE run_uuid = %s GROUP BY key, step HAVING count(*) > 1
) AS d
"""


def main():
    args = json.loads(sys.argv[1])
    client = MlflowClient()
    conn = psycopg2.connect(os.environ["STACK_PG_URI"])
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("SHOW server_version")
    pg_version = cur.fetchone()[0]
    cur.execute("SELECT count(*) FROM experiments WHERE name = %s", (args["experiment_name"],))
    experiments_with_name = cur.fetchone()[0]
    experiment = client.get_experiment_by_name(args["experiment_name"])
    out = {"pg_version": pg_version, "experiments_with_name": experiments_with_name, "runs": []}
    if experiment is None:
        print(json.dumps(out))
        return
    out["experiment_id"] = experiment.experiment_id
    # Every run row of the experiment, deleted ones included: a ghost run from a retried create would show here.
    cur.execute("SELECT run_uuid FROM runs WHERE experiment_id = %s ORDER BY run_uuid", (int(experiment.experiment_id),))
    run_ids = [row[0] for row in cur.fetchall()]
    with tempfile.TemporaryDirectory() as tmp:
        for run_id in run_ids:
            out["runs"].append(check_run(client, cur, run_id, tmp))
    print(json.dumps(out))


def check_run(client, cur, run_id, tmp):
    run = client.get_run(run_id)
    tags = run.data.tags
    cur.execute(METRIC_COUNTS, (run_id,))
    rows, distinct_points, matching_values, min_step, max_step = cur.fetchone()
    cur.execute(DUPLICATE_GROUPS, (run_id,))
    duplicate_groups = cur.fetchone()[0]
    cur.execute(DOUBLED_POINTS, (run_id,))
    doubled_points = cur.fetchone()[0]
    cur.execute("SELECT count(*) FROM params WHERE run_uuid = %s", (run_id,))
    param_rows = cur.fetchone()[0]
    cur.execute("SELECT count(*) FROM tags WHERE run_uuid = %s", (run_id,))
    tag_rows = cur.fetchone()[0]
    cur.execute("SELECT count(*) FROM latest_metrics WHERE run_uuid = %s", (run_id,))
    latest_rows = cur.fetchone()[0]
    worker = tags.get("load.worker")
    artifact = None
    if worker is not None:
        try:
            path = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path=f"load/summary-w{worker}.json", dst_path=os.path.join(tmp, run_id))
            with open(path, encoding="utf-8") as f:
                artifact = json.load(f)
        except Exception as error:  # reported to the test, which names the run
            artifact = {"error": f"{type(error).__name__}: {error}"}
    return {
        "run_id": run_id,
        "worker": worker,
        "status": run.info.status,
        "end_time": run.info.end_time,
        "lifecycle_stage": run.info.lifecycle_stage,
        "metric_rows": rows,
        "distinct_points": distinct_points,
        "matching_values": matching_values,
        "min_step": min_step,
        "max_step": max_step,
        "duplicate_groups": duplicate_groups,
        "doubled_points": doubled_points,
        "latest_metric_rows": latest_rows,
        "param_rows": param_rows,
        "tag_rows": tag_rows,
        "params": run.data.params,
        "tags": {k: v for k, v in tags.items() if not k.startswith("mlflow.")},
        "artifact": artifact,
    }


if __name__ == "__main__":
    main()
