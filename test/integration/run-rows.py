"""Counts what PostgreSQL holds for one run, straight from the tracking server's database.

Input (one JSON argument): {"run_id": ..., "pg_uri": ...}
Output (last stdout line): {"metrics": {"<key>": <rows>, ...}, "params": {"<key>": "<value>"}, "tags": {"<key>": "<value>"}}
Reads the tables MLflow's SQL store writes (metrics, params, tags), so a count here is what the
server stored, whatever any client reports.
"""

import json
import sys

import psycopg2


def main():
    args = json.loads(sys.argv[1])
    connection = psycopg2.connect(args["pg_uri"], connect_timeout=10)
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT key, count(*) FROM metrics WHERE run_uuid = %s GROUP BY key", (args["run_id"],))
        metrics = {key: count for key, count in cursor.fetchall()}
        cursor.execute("SELECT key, value FROM params WHERE run_uuid = %s", (args["run_id"],))
        params = dict(cursor.fetchall())
        cursor.execute("SELECT key, value FROM tags WHERE run_uuid = %s", (args["run_id"],))
        tags = dict(cursor.fetchall())
    finally:
        connection.close()
    print(json.dumps({"metrics": metrics, "params": params, "tags": tags}))


if __name__ == "__main__":
    main()
