"""Benchmark (b), Python side: ingest metric points into one run with the reference client.

Usage: python logger_ingest.py MODE RUN_ID POINTS
  MODE is one of
    log_metric        MlflowClient.log_metric, one synchronous request per point
    log_batch         MlflowClient.log_batch with 1000 metrics per call, in a loop
    async_log_metric  mlflow.log_metric with MLFLOW_ENABLE_ASYNC_LOGGING=true, then flush
    async_log_metrics mlflow.log_metrics of 100 keys per step with async logging, then flush
The tracking server comes from MLFLOW_TRACKING_URI. Points use 100 keys (m00..m99), step = i // 100.
Prints one JSON line: mode, points, seconds (first call until everything is on the server),
cpu_seconds (user + system of this process during that time) and peak_rss_mb (whole process).
"""

import json
import os
import resource
import sys
import time

MODE, RUN_ID, POINTS = sys.argv[1], sys.argv[2], int(sys.argv[3])
KEYS = [f"m{i:02d}" for i in range(100)]

if MODE.startswith("async"):
    os.environ["MLFLOW_ENABLE_ASYNC_LOGGING"] = "true"

import mlflow  # noqa: E402  (the environment must be set first)
from mlflow import MlflowClient  # noqa: E402
from mlflow.entities import Metric  # noqa: E402


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def now_ms():
    return int(time.time() * 1000)


def log_metric(client):
    for i in range(POINTS):
        client.log_metric(RUN_ID, KEYS[i % 100], i * 0.001, timestamp=now_ms(), step=i // 100)


def log_batch(client):
    for start in range(0, POINTS, 1000):
        metrics = [Metric(KEYS[i % 100], i * 0.001, now_ms(), i // 100) for i in range(start, min(start + 1000, POINTS))]
        client.log_batch(RUN_ID, metrics=metrics)


def async_log_metric(_client):
    with mlflow.start_run(run_id=RUN_ID):
        for i in range(POINTS):
            mlflow.log_metric(KEYS[i % 100], i * 0.001, step=i // 100)
        mlflow.flush_async_logging()


def async_log_metrics(_client):
    with mlflow.start_run(run_id=RUN_ID):
        for step in range(POINTS // 100):
            mlflow.log_metrics({key: step * 0.1 + k for k, key in enumerate(KEYS)}, step=step)
        mlflow.flush_async_logging()


def main():
    client = MlflowClient()
    client.get_run(RUN_ID)  # warm the connection pool, as the TypeScript side's startRun does
    run = {"log_metric": log_metric, "log_batch": log_batch, "async_log_metric": async_log_metric, "async_log_metrics": async_log_metrics}[MODE]
    cpu0, t0 = cpu_seconds(), time.perf_counter()
    run(client)
    seconds = time.perf_counter() - t0
    cpu = cpu_seconds() - cpu0
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"mode": MODE, "points": POINTS, "seconds": seconds, "cpu_seconds": cpu, "peak_rss_mb": peak_kb / 1024}))


main()
