"""Reads a basic-auth user and its effective permissions back with MLflow's own admin client.

Input (one JSON argument): {"username": ..., "experiment_ids": [...]}; the tracking URI and the
admin's MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD come from the environment.
Output (last stdout line): {"user": {"username": ..., "is_admin": ...},
"experiments": {"<id>": "<effective permission>"}} as mlflow.server.get_app_client("basic-auth")
sees them.
"""

import json
import os
import sys

from mlflow.server import get_app_client


def main():
    spec = json.loads(sys.argv[1])
    client = get_app_client("basic-auth", tracking_uri=os.environ["MLFLOW_TRACKING_URI"])
    user = client.get_user(spec["username"])
    experiments = {
        experiment_id: client.get_user_permission(spec["username"], "experiment", experiment_id).permission
        for experiment_id in spec["experiment_ids"]
    }
    print(json.dumps({"user": {"username": user.username, "is_admin": user.is_admin}, "experiments": experiments}))


if __name__ == "__main__":
    main()
