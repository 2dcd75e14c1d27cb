"""Reads back a registered model and all its versions with the reference client.

Input: {"name": str}
Output: {"registered_model": {...}, "versions": [{...}], "by_alias": {alias: version}}
"""

from common import MlflowClient, emit, read_input


def version_json(mv):
    return {
        "name": mv.name,
        "version": mv.version,
        "source": mv.source,
        "run_id": mv.run_id,
        "status": mv.status,
        "current_stage": mv.current_stage,
        "description": mv.description,
        "tags": dict(mv.tags),
        "aliases": sorted(mv.aliases),
        "run_link": mv.run_link,
        "creation_timestamp": mv.creation_timestamp,
    }


if __name__ == "__main__":
    name = read_input()["name"]
    client = MlflowClient()
    model = client.get_registered_model(name)
    # search_model_versions leaves out aliases: read each version found with get_model_version.
    found = client.search_model_versions(f"name='{name}'")
    versions = [client.get_model_version(name, v) for v in sorted((mv.version for mv in found), key=int)]
    emit(
        {
            "registered_model": {
                "name": model.name,
                "description": model.description,
                "tags": dict(model.tags),
                "aliases": dict(model.aliases),
                "creation_timestamp": model.creation_timestamp,
            },
            "versions": [version_json(mv) for mv in versions],
            "by_alias": {alias: client.get_model_version_by_alias(name, alias).version for alias in model.aliases},
        }
    )
