"""Python side of bench/sqlite-logging.ts: the MLflow client logging metric points into its own
sqlite:///mlflow.db in the working folder (BENCH_KEYS keys, default 100, x points/keys steps into one run).

Usage: python sqlite-logging.py log_batch|log_metric <points>
Prints one JSON line: mode, points, seconds, cpu_seconds, peak_rss_mb.
"""

import json
import os
import resource
import sys
import time

from mlflow import MlflowClient
from mlflow.entities import Metric

KEY_COUNT = int(os.environ.get("BENCH_KEYS", "100"))
KEYS = [f"m{i:02d}" for i in range(KEY_COUNT)]
BATCH = 1000


def main():
    mode, points = sys.argv[1], int(sys.argv[2])
    client = MlflowClient(tracking_uri="sqlite:///mlflow.db")
    run_id = client.create_run("0").info.run_id
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    if mode == "log_batch":
        for start in range(0, points, BATCH):
            timestamp = int(time.time() * 1000)
            metrics = [Metric(KEYS[i % KEY_COUNT], i * 0.001, timestamp, i // KEY_COUNT) for i in range(start, min(points, start + BATCH))]
            client.log_batch(run_id, metrics=metrics)
    elif mode == "log_metric":
        for i in range(points):
            client.log_metric(run_id, KEYS[i % KEY_COUNT], i * 0.001, step=i // KEY_COUNT)
    else:
        raise SystemExit(f"unknown mode {mode}")
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    client.set_terminated(run_id)
    print(json.dumps({
        "mode": f"python {mode}",
        "points": points,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
