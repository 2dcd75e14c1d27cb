"""Downloads run artifacts with the reference Python client and prints their sha256.

Input (one JSON argument): {"run_id": ..., "artifact_path": ..., "dst_path": ...}
Output (last stdout line): {"<artifact path>/<relative file>": "<sha256>", ...}
Uses mlflow.artifacts.download_artifacts, i.e. the artifact repository of the run's artifact URI
(S3ArtifactRepository for s3://, MlflowArtifactsRepository for mlflow-artifacts:/).
"""

import hashlib
import json
import os
import sys

import mlflow


def main():
    args = json.loads(sys.argv[1])
    local = mlflow.artifacts.download_artifacts(run_id=args["run_id"], artifact_path=args["artifact_path"], dst_path=args["dst_path"])
    out = {}
    for root, _, files in os.walk(local):
        for name in files:
            full = os.path.join(root, name)
            relative = os.path.relpath(full, local).replace(os.sep, "/")
            with open(full, "rb") as f:
                out[args["artifact_path"] + "/" + relative] = hashlib.sha256(f.read()).hexdigest()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
