"""Reads a run's image series as the MLflow UI does: lists `images/`, parses each file name
(`<key with / as ~>+step+<step>+timestamp+<ms>+<uuid>[+compressed].<png|webp>`), pairs the full image
with its compressed preview per step, and opens both with Pillow (`mlflow.artifacts.load_image`).

Input: {"run_id": str}
Output: {"tag": the run's mlflow.loggedImages tag, "series": {key: [{"step", "timestamp", "format", "size",
         "preview_format", "preview_size"}] sorted by step}}
"""

import mlflow
from mlflow import MlflowClient

from common import emit, read_input

if __name__ == "__main__":
    run_id = read_input()["run_id"]
    client = MlflowClient()
    run = client.get_run(run_id)
    entries = {}
    for info in mlflow.artifacts.list_artifacts(run_id=run_id, artifact_path="images"):
        name = info.path.split("/", 1)[1]
        stem, extension = name.rsplit(".", 1)
        parts = stem.split("+")
        assert parts[1] == "step" and parts[3] == "timestamp", name
        compressed = stem.endswith("compressed")
        key = parts[0].replace("~", "/")
        file_key = stem[: -len("+compressed")] if compressed else stem
        image = mlflow.artifacts.load_image(f"{run.info.artifact_uri}/{info.path}")
        entry = entries.setdefault((key, file_key), {"step": int(parts[2]), "timestamp": int(parts[4])})
        prefix = "preview_" if compressed else ""
        entry[prefix + "format"] = image.format
        entry[prefix + "size"] = list(image.size)
        assert extension in ("png", "webp"), name
    series = {}
    for (key, _), entry in sorted(entries.items(), key=lambda item: item[1]["step"]):
        series.setdefault(key, []).append(entry)
    emit({"tag": run.data.tags.get("mlflow.loggedImages"), "series": series})
