"""Python side of the embedded-store registry conformance tests: reads and writes registered
models, model versions and logged models in an SQLite database with the MLflow Python client,
printing JSON.

Usage:
  python sqlite-registry.py read <db> <queries.json>   dump the registry, logged models and search results
  python sqlite-registry.py write <db>                 write a fixture with the Python client
"""

import json
import os
import sys
from importlib import import_module

# NaN and infinities as the strings the REST API uses (shared with sqlite-interop.py, beside this file).
wire = import_module("sqlite-interop").wire


def client_for(db):
    uri = f"sqlite:///{db}"
    # The registry store resolves `models:/<id>` sources through the global tracking URI.
    os.environ["MLFLOW_TRACKING_URI"] = uri
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def version_json(v):
    return {
        "name": v.name,
        "version": str(v.version),
        "creation_timestamp": v.creation_timestamp,
        "last_updated_timestamp": v.last_updated_timestamp,
        "description": v.description,
        "user_id": v.user_id,
        "current_stage": v.current_stage,
        "source": v.source,
        "run_id": v.run_id,
        "model_id": v.model_id,
        "status": v.status,
        "status_message": v.status_message,
        "run_link": v.run_link,
        "tags": v.tags,
        "aliases": list(v.aliases),
    }


def model_json(m):
    return {
        "name": m.name,
        "creation_timestamp": m.creation_timestamp,
        "last_updated_timestamp": m.last_updated_timestamp,
        "description": m.description or None,
        "tags": m.tags,
        "aliases": {alias: str(version) for alias, version in m.aliases.items()},
        "latest_versions": [[str(v.version), v.current_stage] for v in m.latest_versions],
    }


def logged_model_json(m):
    return {
        "model_id": m.model_id,
        "experiment_id": m.experiment_id,
        "name": m.name,
        "artifact_location": m.artifact_location,
        "creation_timestamp": m.creation_timestamp,
        "last_updated_timestamp": m.last_updated_timestamp,
        "status": str(m.status),
        "model_type": m.model_type,
        "source_run_id": m.source_run_id,
        "status_message": m.status_message,
        "tags": m.tags,
        "params": m.params,
        "metrics": [
            {
                "key": x.key,
                "value": wire(x.value),
                "timestamp": x.timestamp,
                "step": x.step,
                "run_id": x.run_id,
                "dataset_name": x.dataset_name,
                "dataset_digest": x.dataset_digest,
            }
            for x in (m.metrics or [])
        ],
    }


def read(db, queries_path):
    from mlflow.entities import ViewType

    with open(queries_path) as f:
        queries = json.load(f)
    client = client_for(db)
    models = client.search_registered_models(max_results=1000)
    registered = [model_json(client.get_registered_model(m.name)) for m in models]
    versions = []
    for m in models:
        for v in client.search_model_versions(f"name = '{m.name}'", max_results=1000):
            versions.append(version_json(client.get_model_version(v.name, v.version)))
    by_alias = {}
    download_uris = {}
    for m in registered:
        for alias in m["aliases"]:
            by_alias[f"{m['name']}@{alias}"] = version_json(client.get_model_version_by_alias(m["name"], alias))
    for v in versions:
        download_uris[f"{v['name']}/{v['version']}"] = client.get_model_version_download_uri(v["name"], v["version"])
    latest = {m["name"]: [[str(v.version), v.current_stage] for v in client.get_latest_versions(m["name"])] for m in registered}
    experiments = [e.experiment_id for e in client.search_experiments(view_type=ViewType.ALL)]
    logged = [logged_model_json(client.get_logged_model(m.model_id)) for m in client.search_logged_models(experiments, max_results=1000)]
    model_searches = [
        [m.name for m in client.search_registered_models(filter_string=q.get("filter"), order_by=q.get("order_by"), max_results=1000)]
        for q in queries.get("model_searches", [])
    ]
    version_searches = [
        [f"{v.name}/{v.version}" for v in client.search_model_versions(filter_string=q.get("filter"), order_by=q.get("order_by"), max_results=1000)]
        for q in queries.get("version_searches", [])
    ]
    logged_searches = [
        [m.name for m in client.search_logged_models(experiments, filter_string=q.get("filter"), order_by=q.get("order_by"), max_results=1000)]
        for q in queries.get("logged_searches", [])
    ]
    print(json.dumps({
        "registered_models": registered,
        "model_versions": versions,
        "by_alias": by_alias,
        "download_uris": download_uris,
        "latest": latest,
        "logged_models": logged,
        "model_searches": model_searches,
        "version_searches": version_searches,
        "logged_searches": logged_searches,
    }))


def write(db):
    from mlflow.entities import LoggedModelStatus

    client = client_for(db)
    exp_id = client.create_experiment("py-registry")
    run = client.create_run(exp_id, run_name="py-run")
    rid = run.info.run_id
    client.create_registered_model("py-model", tags={"team": "py"}, description="from python")
    client.create_model_version("py-model", f"runs:/{rid}/model", run_id=rid, tags={"k": "v"}, description="v1", run_link="http://link")
    client.create_model_version("py-model", f"{run.info.artifact_uri}/model2", run_id=rid)
    client.transition_model_version_stage("py-model", "1", "Production")
    client.set_registered_model_alias("py-model", "champion", "2")
    client.create_registered_model("py-other")
    model = client.create_logged_model(exp_id, name="py-logged", source_run_id=rid, params={"lr": "0.1"}, tags={"t": "1"}, model_type="sklearn")
    client.log_metric(rid, "acc", 0.9, timestamp=1_700_000_000_000, step=3, model_id=model.model_id)
    client.finalize_logged_model(model.model_id, LoggedModelStatus.READY)
    pending = client.create_logged_model(exp_id, name="py-pending")
    client.create_model_version("py-model", f"models:/{model.model_id}", model_id=model.model_id)
    print(json.dumps({"experiment_id": exp_id, "run_id": rid, "model_id": model.model_id, "pending_id": pending.model_id}))


def main():
    command = sys.argv[1]
    if command == "read":
        read(sys.argv[2], sys.argv[3])
    elif command == "write":
        write(sys.argv[2])
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main()
