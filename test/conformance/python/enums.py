"""Prints the enum names of the pinned MLflow that mlflow-ts types as literal unions (one JSON line)."""
import json
import sys

from mlflow.entities.lifecycle_stage import LifecycleStage
from mlflow.entities.model_registry.model_version_stages import ALL_STAGES
from mlflow.protos import databricks_pb2, model_registry_pb2, service_pb2, webhooks_pb2

print(
    json.dumps(
        {
            "error_codes": list(databricks_pb2.ErrorCode.keys()),
            "run_statuses": list(service_pb2.RunStatus.keys()),
            "lifecycle_stages": LifecycleStage.view_type_to_stages(3),
            "logged_model_statuses": list(service_pb2.LoggedModelStatus.keys()),
            "model_version_statuses": list(model_registry_pb2.ModelVersionStatus.keys()),
            "model_stages": list(ALL_STAGES),
            "webhook_statuses": list(webhooks_pb2.WebhookStatus.keys()),
        }
    )
)
sys.stdout.flush()
