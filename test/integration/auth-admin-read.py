"""Reads a basic-auth user and its permissions back with MLflow's own admin client.

Input (one JSON argument): {"username": ..., "experiment_ids": [...]}; the tracking URI and the
admin's MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD come from the environment.
Output (last stdout line): {"user": {"username": ..., "is_admin": ...},
"experiments": {"<id>": "<permission>" | null}} as mlflow.server.get_app_client("basic-auth")
sees them: from MLflow 3.13 the effective permission (get_user_permission, the server's default
included); before, the explicit row (get_experiment_permission), null where the user has none.
"""

import json
import os
import sys

from mlflow.exceptions import MlflowException
from mlflow.server import get_app_client


def experiment_permission(client, username, experiment_id):
    if hasattr(client, "get_user_permission"):  # MLflow 3.13+: per-user grants, effective permission
        return client.get_user_permission(username, "experiment", experiment_id).permission
    try:  # before: one row per user and experiment
        return client.get_experiment_permission(experiment_id, username).permission
    except MlflowException as e:
        if e.error_code == "RESOURCE_DOES_NOT_EXIST":
            return None
        raise


def main():
    spec = json.loads(sys.argv[1])
    client = get_app_client("basic-auth", tracking_uri=os.environ["MLFLOW_TRACKING_URI"])
    user = client.get_user(spec["username"])
    experiments = {
        experiment_id: experiment_permission(client, spec["username"], experiment_id)
        for experiment_id in spec["experiment_ids"]
    }
    print(json.dumps({"user": {"username": user.username, "is_admin": user.is_admin}, "experiments": experiments}))


if __name__ == "__main__":
    main()
