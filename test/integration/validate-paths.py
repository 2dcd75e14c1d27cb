"""Runs MLflow's own artifact-path guard over a list of paths.

Input (one JSON argument): {"paths": [...]}
Output (last stdout line): {"<path>": "<the path the server would use>" or null when refused, ...}
Uses mlflow.utils.uri.validate_path_is_safe, what the tracking server applies to every artifact path.
"""

import json
import sys

from mlflow.utils.uri import validate_path_is_safe


def main():
    args = json.loads(sys.argv[1])
    out = {}
    for path in args["paths"]:
        try:
            out[path] = validate_path_is_safe(path)
        except Exception:
            out[path] = None
    print(json.dumps(out))


if __name__ == "__main__":
    main()
