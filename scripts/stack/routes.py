"""Prints the REST routes the installed MLflow server serves, as JSON (one object on stdout):
{"version": ..., "routes": ["GET /api/2.0/mlflow/runs/get", ...]}.

Run with an extra version's interpreter (scripts/stack/routes-diff compares them all): what the
Flask app registers (tracking, registry, artifacts, webhooks, …) plus, where the server has one,
the FastAPI app around it (MLflow 3.x). Reading the routes from the server's own code is how
docs/compatibility.md dates each endpoint's first version.
"""

import json
import os
import sys
import warnings

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
warnings.filterwarnings("ignore")


def flask_routes():
    from mlflow.server import app

    out = set()
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            out.add(f"{method} {rule.rule}")
    return out


def fastapi_routes():
    try:
        from mlflow.server.fastapi_app import create_fastapi_app
    except Exception:  # noqa: BLE001 - MLflow 2.x serves Flask alone
        return set()
    out = set()
    try:
        fastapi_app = create_fastapi_app()
    except Exception as e:  # noqa: BLE001
        print(f"routes.py: create_fastapi_app failed: {e}", file=sys.stderr)
        return out
    for route in fastapi_app.routes:
        path = getattr(route, "path", None)
        for method in sorted(getattr(route, "methods", None) or []):
            if path and method not in ("HEAD", "OPTIONS"):
                out.add(f"{method} {path}")
    return out


if __name__ == "__main__":
    import mlflow

    routes = sorted(flask_routes() | fastapi_routes())
    print(json.dumps({"version": mlflow.__version__, "routes": routes}))
