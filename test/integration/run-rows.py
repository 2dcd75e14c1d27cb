"""Counts what PostgreSQL holds for one run, straight from the tracking server's database.

Input (one JSON argument): {"run_id": ..., "pg_uri": ...}, or {"run_ids": [...], "pg_uri": ..., "steps": true},
or {"experiment_name": ..., "pg_uri": ...}
Output (last stdout line): {"metrics": {"<key>": <rows>, ...}, "params": {"<key>": "<value>"}, "tags": {"<key>": "<value>"}},
or with "run_ids" {"runs": {"<run id>": <that object>}}, or with "experiment_name"
{"experiments": <rows with that name>, "runs": {"<run id>": <that object>}} for every run of them. With "steps" each object also has
"status" (the runs table's) and "steps": {"<key>": [the step of every row, sorted, duplicates kept]}.
Reads the tables MLflow's SQL store writes (runs, metrics, params, tags), so a count here is what
the server stored, whatever any client reports.
"""

import json
import sys

import psycopg2


def rows_of(cursor, run_id, steps):
    cursor.execute("SELECT key, count(*) FROM metrics WHERE run_uuid = %s GROUP BY key", (run_id,))
    result = {"metrics": {key: count for key, count in cursor.fetchall()}}
    cursor.execute("SELECT key, value FROM params WHERE run_uuid = %s", (run_id,))
    result["params"] = dict(cursor.fetchall())
    cursor.execute("SELECT key, value FROM tags WHERE run_uuid = %s", (run_id,))
    result["tags"] = dict(cursor.fetchall())
    if steps:
        cursor.execute("SELECT status FROM runs WHERE run_uuid = %s", (run_id,))
        result["status"] = cursor.fetchone()[0]
        cursor.execute("SELECT key, step FROM metrics WHERE run_uuid = %s ORDER BY key, step", (run_id,))
        result["steps"] = {}
        for key, step in cursor.fetchall():
            result["steps"].setdefault(key, []).append(step)
    return result


def main():
    args = json.loads(sys.argv[1])
    connection = psycopg2.connect(args["pg_uri"], connect_timeout=10)
    try:
        cursor = connection.cursor()
        steps = bool(args.get("steps"))
        if "experiment_name" in args:
            cursor.execute("SELECT experiment_id FROM experiments WHERE name = %s", (args["experiment_name"],))
            experiment_ids = [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT run_uuid FROM runs WHERE experiment_id = ANY(%s)", (experiment_ids,))
            run_ids = [row[0] for row in cursor.fetchall()]
            output = {"experiments": len(experiment_ids), "runs": {run_id: rows_of(cursor, run_id, steps) for run_id in run_ids}}
        elif "run_ids" in args:
            output = {"runs": {run_id: rows_of(cursor, run_id, steps) for run_id in args["run_ids"]}}
        else:
            output = rows_of(cursor, args["run_id"], steps)
    finally:
        connection.close()
    print(json.dumps(output))


if __name__ == "__main__":
    main()
