"""Logs a metric point with a step beyond 2**53 - 1 with the reference Python client (whose ints are exact).

Input (one JSON argument): {"step": "<decimal>", "run_id": ... (optional: a new run otherwise)}
Output (last stdout line): {"run_id": ..., "steps": ["<decimal>", ...]} — the steps Python reads back.
Talks to MLFLOW_TRACKING_URI: the stack's server, or sqlite:///<file> for the embedded store's format.
"""

import json
import sys

from mlflow.tracking import MlflowClient


def main():
    args = json.loads(sys.argv[1])
    client = MlflowClient()
    run_id = args.get("run_id") or client.create_run("0").info.run_id
    client.log_metric(run_id, "big", 1.0, timestamp=1_700_000_000_000, step=int(args["step"]))
    client.log_metric(run_id, "big", 2.0, timestamp=1_700_000_000_001, step=1)
    steps = [str(m.step) for m in client.get_metric_history(run_id, "big")]
    print(json.dumps({"run_id": run_id, "steps": sorted(steps)}))


if __name__ == "__main__":
    main()
