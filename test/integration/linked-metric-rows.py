"""What the tracking server stored for metric points linked to a logged model, read two ways.

Input (one JSON argument): {"run_id": ..., "model_id": ..., "pg_uri": ...}.
Output (last stdout line): {"rows": <rows of the run in logged_model_metrics>, "distinct": <distinct
(metric_name, step) among them>, "links": {"<model_id>|<dataset_name>|<dataset_digest>": <rows>},
"python": {"metrics": <len(mlflow.get_logged_model(model_id).metrics)>, "links": {same key: count}}}.
PostgreSQL's logged_model_metrics is the table MLflow's SQL store writes a point's model_id,
dataset_name and dataset_digest to; the Python client (MLFLOW_TRACKING_URI from the environment)
reads the model's metrics back through the server.
"""

import json
import sys

import mlflow
import psycopg2


def main():
    args = json.loads(sys.argv[1])
    connection = psycopg2.connect(args["pg_uri"], connect_timeout=10)
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT count(*), count(DISTINCT (metric_name, metric_step)) FROM logged_model_metrics WHERE run_id = %s", (args["run_id"],))
        rows, distinct = cursor.fetchone()
        cursor.execute(
            "SELECT model_id, dataset_name, dataset_digest, count(*) FROM logged_model_metrics WHERE run_id = %s GROUP BY 1, 2, 3",
            (args["run_id"],),
        )
        links = {f"{m}|{n or ''}|{d or ''}": count for m, n, d, count in cursor.fetchall()}
    finally:
        connection.close()
    metrics = [m for m in mlflow.get_logged_model(args["model_id"]).metrics if m.run_id == args["run_id"]]
    python_links = {}
    for metric in metrics:
        key = f"{metric.model_id}|{metric.dataset_name or ''}|{metric.dataset_digest or ''}"
        python_links[key] = python_links.get(key, 0) + 1
    print(json.dumps({"rows": rows, "distinct": distinct, "links": links, "python": {"metrics": len(metrics), "links": python_links}}))


if __name__ == "__main__":
    main()
