"""Python side of the embedded store's workspace conformance test: MLflow's own workspace-aware SQL
stores (MLFLOW_ENABLE_WORKSPACES=true, which the caller sets, selects WorkspaceAwareSqlAlchemyStore
for a sqlite: URI; the active workspace is bound with mlflow.utils.workspace_context) write and read
a SQLite tracking database in several workspaces, printing JSON (NaN and infinities as strings).

Usage:
  python sqlite-workspaces.py create-workspace <db> <name>      through MLflow's SQL workspace store
  python sqlite-workspaces.py write <db> <workspace> <experiment> <tag>  an experiment with a run, and the model <experiment>-model
  python sqlite-workspaces.py read <db> <workspace>...          what each workspace holds
"""

import json
import math
import sys


def wire(value):
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
    return value


def create_workspace(db, name):
    from mlflow.entities.workspace import Workspace
    from mlflow.store.workspace.sqlalchemy_store import SqlAlchemyStore

    created = SqlAlchemyStore(f"sqlite:///{db}").create_workspace(Workspace(name=name, description=f"{name} (python)"))
    print(json.dumps({"name": created.name}))


def write(db, workspace, experiment_name, tag):
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param, RunTag
    from mlflow.utils.workspace_context import WorkspaceContext

    with WorkspaceContext(workspace):
        client = MlflowClient(tracking_uri=f"sqlite:///{db}", registry_uri=f"sqlite:///{db}")
        exp_id = client.create_experiment(experiment_name, tags={"owner": tag})
        run = client.create_run(exp_id, run_name=f"{tag}-run", start_time=1_700_000_000_000)
        rid = run.info.run_id
        metrics = [Metric("loss", 1.0 / (s + 1), 1_700_000_000_000 + s, s) for s in range(20)]
        metrics.append(Metric("odd", float("nan"), 1_700_000_000_100, 1))
        client.log_batch(rid, metrics=metrics, params=[Param("lr", "0.01")], tags=[RunTag("writer", tag)])
        client.set_terminated(rid, "FINISHED", end_time=1_700_000_100_000)
        client.create_registered_model(f"{experiment_name}-model", description=f"{tag} model")
        print(json.dumps({"experiment_id": exp_id, "run_id": rid}))


def read(db, workspaces):
    from mlflow import MlflowClient
    from mlflow.entities import ViewType
    from mlflow.store.workspace.sqlalchemy_store import SqlAlchemyStore
    from mlflow.utils.workspace_context import WorkspaceContext

    view = {"workspaces": [w.name for w in SqlAlchemyStore(f"sqlite:///{db}").list_workspaces()], "by_workspace": {}}
    for workspace in workspaces:
        with WorkspaceContext(workspace):
            client = MlflowClient(tracking_uri=f"sqlite:///{db}", registry_uri=f"sqlite:///{db}")
            experiments = client.search_experiments(view_type=ViewType.ALL)
            ids = [e.experiment_id for e in experiments]
            runs = client.search_runs(ids, run_view_type=ViewType.ALL, max_results=1000) if ids else []
            histories = {}
            for r in runs:
                for key in r.data.metrics:
                    histories[f"{r.info.run_id}/{key}"] = [
                        {"key": m.key, "value": wire(m.value), "timestamp": m.timestamp, "step": m.step}
                        for m in client.get_metric_history(r.info.run_id, key)
                    ]
            view["by_workspace"][workspace] = {
                "experiments": [
                    {
                        "experiment_id": e.experiment_id,
                        "name": e.name,
                        "artifact_location": e.artifact_location,
                        "lifecycle_stage": e.lifecycle_stage,
                        "workspace": e.workspace,
                        "tags": e.tags,
                    }
                    for e in experiments
                ],
                "runs": [
                    {
                        "run_id": r.info.run_id,
                        "run_name": r.info.run_name,
                        "experiment_id": r.info.experiment_id,
                        "status": r.info.status,
                        "artifact_uri": r.info.artifact_uri,
                        "metrics": {k: wire(v) for k, v in r.data.metrics.items()},
                        "params": r.data.params,
                        "tags": {k: v for k, v in r.data.tags.items() if not k.startswith("mlflow.")},
                    }
                    for r in runs
                ],
                "histories": histories,
                "registered_models": [
                    {"name": m.name, "description": m.description} for m in client.search_registered_models()
                ],
            }
    print(json.dumps(view))


def main():
    command = sys.argv[1]
    if command == "create-workspace":
        create_workspace(sys.argv[2], sys.argv[3])
    elif command == "write":
        write(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    elif command == "read":
        read(sys.argv[2], sys.argv[3:])
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main()
