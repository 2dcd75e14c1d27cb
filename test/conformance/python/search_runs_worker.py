"""The reference side of the run-search differential test: one long-lived process.

Reads one JSON object a line on stdin and answers one JSON line on stdout, in order:

- ``{"op": "version"}`` -> ``{"mlflow": ..., "sqlparse": ..., "keywords": {WORD: type}}`` (the
  sqlparse keyword table, to check the generated TypeScript copy);
- ``{"op": "search", "uri": ..., "experiment_ids": [...], "filter": ..., "order_by": [...],
  "page_token": ..., "max_results": N, "run_view_type": "ACTIVE_ONLY"|"DELETED_ONLY"|"ALL"}``
  -> ``{"ok": true, "run_ids": [...], "token": ...}`` or ``{"ok": false, "code": ..., "message": ...}``;
- ``{"op": "search_experiments", "uri": ..., "filter": ..., "order_by": [...], "page_token": ...,
  "max_results": N}`` (all lifecycle stages) -> ``{"ok": true, "ids": [...], "token": ...}`` or an error
  as above.

``uri`` is ``sqlite:///<file>`` (MLflow's SQLAlchemy store on that file, in this process) or the
server's ``http://`` URI (MLflow's REST store). ``search_runs`` of the store is called directly,
as the server's handler calls it, so the Python client adds nothing of its own. An exception that
is not an ``MlflowException`` is reported with the code ``PYTHON:<type>``.
"""

import json
import sys

import mlflow
import sqlparse
from mlflow.entities import ViewType
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

_stores = {}


def _store(uri):
    if uri not in _stores:
        _stores[uri] = MlflowClient(tracking_uri=uri)._tracking_client.store
    return _stores[uri]


def _search(request):
    store = _store(request["uri"])
    try:
        page = store.search_runs(
            experiment_ids=request["experiment_ids"],
            filter_string=request.get("filter") or "",
            run_view_type=ViewType.from_string((request.get("run_view_type") or "ACTIVE_ONLY").lower()),
            max_results=request["max_results"],
            order_by=request.get("order_by") or None,
            page_token=request.get("page_token") or None,
        )
    except MlflowException as error:
        return {"ok": False, "code": error.error_code, "message": str(error.message)[:500]}
    except Exception as error:  # noqa: BLE001 - reported, compared as a code
        return {"ok": False, "code": f"PYTHON:{type(error).__name__}", "message": str(error)[:500]}
    token = page.token
    if isinstance(token, bytes):
        token = token.decode("ascii")
    return {"ok": True, "run_ids": [run.info.run_id for run in page], "token": token or None}


def _search_experiments(request):
    store = _store(request["uri"])
    try:
        page = store.search_experiments(
            view_type=ViewType.ALL,
            max_results=request["max_results"],
            filter_string=request.get("filter"),
            order_by=request.get("order_by"),
            page_token=request.get("page_token"),
        )
    except MlflowException as error:
        return {"ok": False, "code": error.error_code, "message": str(error.message)[:500]}
    except Exception as error:  # noqa: BLE001 - reported, compared as a code
        return {"ok": False, "code": f"PYTHON:{type(error).__name__}", "message": str(error)[:500]}
    token = page.token
    if isinstance(token, bytes):
        token = token.decode("ascii")
    return {"ok": True, "ids": [experiment.experiment_id for experiment in page], "token": token or None}


_OPS = {"search": _search, "search_experiments": _search_experiments}


def _version():
    from sqlparse.lexer import Lexer

    merged = {}
    for table in Lexer.get_default_instance()._keywords:
        for word, ttype in table.items():
            merged.setdefault(word, str(ttype).removeprefix("Token."))
    return {"mlflow": mlflow.__version__, "sqlparse": sqlparse.__version__, "keywords": merged}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        answer = _version() if request["op"] == "version" else _OPS[request["op"]](request)
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
