"""One timed upload by the reference Python client, run by bench/artifacts.ts.

MlflowClient().log_artifact / log_artifacts on a run whose artifact URI is s3://..., i.e.
S3ArtifactRepository -> boto3 upload_file with its default TransferConfig (8 MiB threshold and
parts, 10 threads), exactly what MLflow itself does.

Usage: python artifacts_bench.py <run_id> <local_path> <artifact_path>
Environment: MLFLOW_TRACKING_URI, MLFLOW_S3_ENDPOINT_URL, AWS_* (as for any client).
Prints one JSON line: seconds, bytes, peak RSS and RSS growth (MiB, from ru_maxrss), CPU seconds.
"""

import json
import os
import resource
import sys
import tempfile
import time

from mlflow import MlflowClient


def rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main():
    run_id, local_path, artifact_path = sys.argv[1:4]
    client = MlflowClient()
    # Create the boto3 client and open a socket first, as the TypeScript side does.
    with tempfile.TemporaryDirectory() as tmp:
        warm = os.path.join(tmp, f"{artifact_path}-warm-up.txt")
        with open(warm, "w") as f:
            f.write("warm-up")
        client.log_artifact(run_id, warm)

    baseline = rss_mib()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    if os.path.isdir(local_path):
        client.log_artifacts(run_id, local_path, artifact_path)
        files = sum(len(names) for _, _, names in os.walk(local_path))
        size = sum(os.path.getsize(os.path.join(root, n)) for root, _, names in os.walk(local_path) for n in names)
    else:
        client.log_artifact(run_id, local_path, artifact_path)
        files, size = 1, os.path.getsize(local_path)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime
    peak = usage.ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "bytes": size, "files": files, "peakRssMiB": peak, "growthMiB": peak - baseline, "cpuSeconds": cpu}))


if __name__ == "__main__":
    main()
