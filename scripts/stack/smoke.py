"""End-to-end smoke test of the local stack with the official MLflow Python client.

Run via scripts/stack/smoke (which loads .stack/env.sh and uses $STACK_PYTHON).
Checks: direct server (artifacts land in the direct bucket), proxied server (artifacts land
in the proxied bucket through the server), basic-auth server (admin OK, reader 403 on write,
wrong password 401).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import warnings

warnings.filterwarnings("ignore", category=UserWarning, module="mlflow")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")

import boto3  # noqa: E402
import requests  # noqa: E402
from mlflow.exceptions import MlflowException, RestException  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

E = os.environ
results: list[tuple[str, bool, str]] = []


def check(name: str, ok: bool, detail: str = "") -> None:
    results.append((name, ok, detail))
    print(f"{'ok  ' if ok else 'FAIL'} {name}{' - ' + detail if detail else ''}", flush=True)


def s3_keys(bucket: str, prefix: str) -> list[str]:
    s3 = boto3.client("s3", endpoint_url=E["MLFLOW_S3_ENDPOINT_URL"])
    out = s3.list_objects_v2(Bucket=bucket, Prefix=prefix)
    return [o["Key"] for o in out.get("Contents", [])]


def exercise(label: str, uri: str, bucket: str) -> str:
    client = MlflowClient(tracking_uri=uri)
    name = f"stack-smoke-{label}-{int(time.time() * 1000)}"
    exp_id = client.create_experiment(name)
    run = client.create_run(exp_id)
    rid = run.info.run_id
    client.log_metric(rid, "m", 1.5, step=1)
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "hello.txt")
        with open(p, "w") as f:
            f.write(f"hello from {label}\n")
        client.log_artifact(rid, p, artifact_path="out")
    client.set_terminated(rid)
    got = client.get_run(rid)
    check(f"{label}: metric logged", got.data.metrics.get("m") == 1.5, f"run {rid}")
    art_uri = got.info.artifact_uri
    listed = [f.path for f in client.list_artifacts(rid, "out")]
    check(f"{label}: artifact listed via client", listed == ["out/hello.txt"], f"artifact_uri={art_uri}")
    # s3://<bucket>/<prefix> (direct) or mlflow-artifacts:/<prefix> (proxied, relative to the bucket)
    if art_uri.startswith("s3://"):
        prefix = art_uri[len("s3://"):].split("/", 1)[1]
    else:
        prefix = art_uri.split(":", 1)[1].lstrip("/")
    keys = s3_keys(bucket, prefix.rstrip("/") + "/out/")
    hit = [k for k in keys if k.endswith(f"{rid}/artifacts/out/hello.txt")]
    check(f"{label}: artifact object in s3://{bucket}", len(hit) == 1, hit[0] if hit else f"{len(keys)} keys, none match")
    return rid


def main() -> int:
    # direct: client writes to S3 itself
    exercise("direct", E["MLFLOW_TRACKING_URI"], E["STACK_BUCKET_DIRECT"])
    # proxied: artifacts go through the server (mlflow-artifacts:/)
    exercise("proxied", E["STACK_PROXIED_URI"], E["STACK_BUCKET_PROXIED"])

    # auth
    auth = E["STACK_AUTH_URI"]
    os.environ["MLFLOW_TRACKING_USERNAME"] = E["STACK_AUTH_ADMIN_USER"]
    os.environ["MLFLOW_TRACKING_PASSWORD"] = E["STACK_AUTH_ADMIN_PASSWORD"]
    admin_run = exercise("auth-admin", auth, E["STACK_BUCKET_AUTH"])

    os.environ["MLFLOW_TRACKING_USERNAME"] = E["STACK_AUTH_READER_USER"]
    os.environ["MLFLOW_TRACKING_PASSWORD"] = E["STACK_AUTH_READER_PASSWORD"]
    reader = MlflowClient(tracking_uri=auth)
    got = reader.get_run(admin_run)
    check("auth: reader can read admin's run", got.info.run_id == admin_run)
    try:
        reader.log_metric(admin_run, "x", 1.0)
        check("auth: reader write refused", False, "log_metric succeeded")
    except (RestException, MlflowException) as e:
        code = getattr(e, "error_code", "?")
        check("auth: reader write refused with 403 PERMISSION_DENIED", code == "PERMISSION_DENIED"
              and getattr(e, "get_http_status_code", lambda: 0)() == 403, f"{code}: {str(e)[:120]}")

    r = requests.get(f"{auth}/api/2.0/mlflow/experiments/search", params={"max_results": 1},
                     auth=(E["STACK_AUTH_ADMIN_USER"], "wrong-password"), timeout=30)
    check("auth: wrong password -> 401", r.status_code == 401, f"HTTP {r.status_code}")
    r = requests.get(f"{auth}/api/2.0/mlflow/experiments/search", params={"max_results": 1}, timeout=30)
    check("auth: no credentials -> 401", r.status_code == 401, f"HTTP {r.status_code}")

    passed = sum(1 for _, ok, _ in results if ok)
    failed = len(results) - passed
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
