"""Python side of the embedded-store conformance tests: reads and writes SQLite tracking databases
with the MLflow Python client, printing JSON (NaN and infinities as strings).

Usage:
  python sqlite-interop.py version
  python sqlite-interop.py schema <db> <revision>   create MLflow's schema at a revision, as MLflow does
  python sqlite-interop.py read <db> <queries.json>  dump experiments, runs, histories, search results
  python sqlite-interop.py write <db>                log a fixture with the Python client

Workspaces (the caller sets MLFLOW_ENABLE_WORKSPACES=true, which selects MLflow's workspace-aware SQL
stores for a sqlite: URI; the active workspace is bound as MLFLOW_WORKSPACE binds it):
  python sqlite-interop.py create-workspace <db> <name>            through MLflow's SQL workspace store
  python sqlite-interop.py write-in-workspace <db> <workspace> <experiment> <tag>
                                                   an experiment with a run, and the model <experiment>-model
  python sqlite-interop.py read-workspaces <db> <workspace>...    what each workspace holds
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


def experiment_json(e):
    return {
        "experiment_id": e.experiment_id,
        "name": e.name,
        "artifact_location": e.artifact_location,
        "lifecycle_stage": e.lifecycle_stage,
        "creation_time": e.creation_time,
        "last_update_time": e.last_update_time,
        "tags": e.tags,
    }


def run_json(r):
    i = r.info
    return {
        "info": {
            "run_id": i.run_id,
            "run_name": i.run_name,
            "experiment_id": i.experiment_id,
            "user_id": i.user_id,
            "status": i.status,
            "start_time": i.start_time,
            "end_time": i.end_time,
            "artifact_uri": i.artifact_uri,
            "lifecycle_stage": i.lifecycle_stage,
        },
        "metrics": {k: wire(v) for k, v in r.data.metrics.items()},
        "params": r.data.params,
        "tags": r.data.tags,
        "datasets": [
            {
                "name": d.dataset.name,
                "digest": d.dataset.digest,
                "source_type": d.dataset.source_type,
                "source": d.dataset.source,
                "tags": {t.key: t.value for t in d.tags},
            }
            for d in (r.inputs.dataset_inputs if r.inputs else [])
        ],
    }


def histories_of(client, runs):
    """Every metric history of the runs, by "<run_id>/<key>"."""
    return {
        f"{r.info.run_id}/{key}": [
            {"key": m.key, "value": wire(m.value), "timestamp": m.timestamp, "step": m.step}
            for m in client.get_metric_history(r.info.run_id, key)
        ]
        for r in runs
        for key in r.data.metrics
    }


def schema(db, revision):
    import sqlalchemy
    from alembic import command

    from mlflow.store.db.utils import _get_alembic_config
    from mlflow.store.tracking.dbmodels.initial_models import Base as InitialBase

    engine = sqlalchemy.create_engine(f"sqlite:///{db}")
    InitialBase.metadata.create_all(engine)
    config = _get_alembic_config(str(engine.url))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    print(json.dumps({"ok": True}))


def read(db, queries_path):
    from mlflow import MlflowClient
    from mlflow.entities import ViewType

    with open(queries_path) as f:
        queries = json.load(f)
    client = MlflowClient(tracking_uri=f"sqlite:///{db}")
    experiments = client.search_experiments(view_type=ViewType.ALL)
    ids = [e.experiment_id for e in experiments]
    runs = client.search_runs(ids, run_view_type=ViewType.ALL, max_results=1000)
    histories = histories_of(client, runs)
    searches = []
    for q in queries.get("searches", []):
        found = client.search_runs(
            q["experiment_ids"],
            filter_string=q.get("filter", ""),
            run_view_type=ViewType.ALL,
            order_by=q.get("order_by"),
            max_results=q.get("max_results", 1000),
        )
        searches.append([r.info.run_id for r in found])
    print(json.dumps({
        "experiments": [experiment_json(e) for e in experiments],
        "runs": [run_json(r) for r in runs],
        "histories": histories,
        "searches": searches,
    }))


def write(db):
    from mlflow import MlflowClient
    from mlflow.entities import Dataset, DatasetInput, InputTag, Metric, Param, RunTag

    client = MlflowClient(tracking_uri=f"sqlite:///{db}")
    exp_id = client.create_experiment("from-python", tags={"owner": "py"})
    run = client.create_run(exp_id, run_name="py-run", tags={"team": "vision"}, start_time=1_700_000_000_000)
    rid = run.info.run_id
    metrics = [Metric("loss", 1.0 / (s + 1), 1_700_000_000_000 + s, s) for s in range(50)]
    metrics += [
        Metric("weird", float("nan"), 1_700_000_000_100, 1),
        Metric("weird", float("inf"), 1_700_000_000_101, 2),
        Metric("neg", float("-inf"), 1_700_000_000_102, 0),
    ]
    client.log_batch(rid, metrics=metrics, params=[Param("lr", "0.01"), Param("layers", "3")], tags=[RunTag("phase", "train")])
    dataset = Dataset(name="tiny", digest="abc123", source_type="local", source='{"uri": "/data/tiny.csv"}')
    client.log_inputs(rid, [DatasetInput(dataset, [InputTag("mlflow.data.context", "train")])])
    client.set_terminated(rid, "FINISHED", end_time=1_700_000_100_000)
    second = client.create_run(exp_id, run_name="py-deleted")
    client.delete_run(second.info.run_id)
    print(json.dumps({"experiment_id": exp_id, "run_id": rid, "deleted_run_id": second.info.run_id}))


def create_workspace(db, name):
    from mlflow.entities.workspace import Workspace
    from mlflow.store.workspace.sqlalchemy_store import SqlAlchemyStore

    created = SqlAlchemyStore(f"sqlite:///{db}").create_workspace(Workspace(name=name, description=f"{name} (python)"))
    print(json.dumps({"name": created.name}))


def write_in_workspace(db, workspace, experiment_name, tag):
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


def read_workspaces(db, workspaces):
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
            histories = histories_of(client, runs)
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
    if command == "version":
        import mlflow

        print(json.dumps({"mlflow": mlflow.__version__}))
    elif command == "schema":
        schema(sys.argv[2], sys.argv[3])
    elif command == "read":
        read(sys.argv[2], sys.argv[3])
    elif command == "write":
        write(sys.argv[2])
    elif command == "create-workspace":
        create_workspace(sys.argv[2], sys.argv[3])
    elif command == "write-in-workspace":
        write_in_workspace(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    elif command == "read-workspaces":
        read_workspaces(sys.argv[2], sys.argv[3:])
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main()
