"""Downloads and lists artifact URIs as Python users do: `mlflow.artifacts.download_artifacts(uri, dst_path=...)`
and `mlflow.artifacts.list_artifacts(uri)`.

Input: {"uris": [str], "dest": str}  (each URI is downloaded into <dest>/<index>)
Output: {"results": [{"uri": str, "path": local path relative to <dest>/<index> ("" for the folder itself),
                      "files": {relative file path: sha256}, "listing": [[path, is_dir, file_size]] or null,
                      "error": the exception's class name or null}]}
"""

import hashlib
import os

import mlflow

from common import emit, read_input


def tree(root):
    files = {}
    if os.path.isfile(root):
        return {os.path.basename(root): hashlib.sha256(open(root, "rb").read()).hexdigest()}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            files[os.path.relpath(path, root)] = hashlib.sha256(open(path, "rb").read()).hexdigest()
    return files


if __name__ == "__main__":
    request = read_input()
    results = []
    for index, uri in enumerate(request["uris"]):
        dest = os.path.join(request["dest"], str(index))
        os.makedirs(dest, exist_ok=True)
        try:
            local = mlflow.artifacts.download_artifacts(uri, dst_path=dest)
            relative = os.path.relpath(local, dest)
            entry = {"uri": uri, "path": "" if relative == "." else relative, "files": tree(dest), "error": None}
        except Exception as error:  # noqa: BLE001 - the class name is the result
            entry = {"uri": uri, "path": None, "files": None, "error": type(error).__name__}
        try:
            entry["listing"] = sorted([f.path, f.is_dir, f.file_size] for f in mlflow.artifacts.list_artifacts(uri))
        except Exception:  # noqa: BLE001
            entry["listing"] = None
        results.append(entry)
    emit({"results": results})
