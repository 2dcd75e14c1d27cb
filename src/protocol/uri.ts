/**
 * MLflow's URI grammar, in one module and without I/O: what `runs:/…` and `models:/…` name, and
 * how `mlflow.artifacts.download_artifacts` splits any artifact URI into the root it opens and the
 * path it downloads under that root. Each rule mirrors the pinned MLflow (3.17.2):
 * `RunsArtifactRepository.parse_runs_uri`, `utils/models._parse_model_uri`,
 * `ModelsArtifactRepository.split_models_uri` and `artifact_utils._get_root_uri_and_artifact_path`,
 * including their quirks (a `models:/<name>` without version or alias names a logged model id;
 * a path after a model id is read as a stage), so that a URI means here what it means in Python.
 * Resolving a URI to files (which needs the tracking store) is `resources/artifact-uris.ts`.
 */
import { ValidationError } from "../core/errors.js";
import { redactUrl } from "../core/redact.js";

/** A `runs:/<run_id>/<path>` URI. */
export interface RunsUri {
  scheme: "runs";
  runId: string;
  /** Path inside the run's artifacts, `""` for the whole run. */
  path: string;
}

/**
 * A `models:/` URI, by what it names: a registered-model version (by number, stage, `latest` or
 * alias) or an MLflow 3 logged model (by id).
 */
export type ModelsUri =
  | { scheme: "models"; kind: "version"; name: string; version: string }
  | { scheme: "models"; kind: "stage"; name: string; stage: string }
  | { scheme: "models"; kind: "latest"; name: string }
  | { scheme: "models"; kind: "alias"; name: string; alias: string }
  | { scheme: "models"; kind: "model-id"; modelId: string };

/** Where `download_artifacts(uri)` looks: the root it opens and the path under that root. */
export interface UriRootAndPath {
  /** The URI of the root, e.g. `runs:/<run>/model` or `models:/churn@champion`. */
  root: string;
  /** The path downloaded under the root, `""` for all of it. */
  path: string;
}

const MODELS_SUFFIX_LATEST = "latest";
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

/** The lower-case scheme of a URI (`runs`, `models`, `s3`…), `undefined` for a plain path. */
export function uriScheme(uri: string): string | undefined {
  if (/^[a-zA-Z]:[\\/]/.test(uri)) return undefined; // a Windows drive, not a scheme
  return SCHEME.exec(uri)?.[1]?.toLowerCase();
}

/**
 * Whether `uri` is a `runs:/` URI (the scheme only; {@link parseRunsUri} checks the rest).
 * @example
 * isRunsUri("runs:/0a1b2c/model") // true
 * isRunsUri("models:/churn/3") // false
 */
export function isRunsUri(uri: string): boolean {
  return uriScheme(uri) === "runs";
}

/**
 * Whether `uri` is a `models:/` URI (the scheme only; {@link parseModelsUri} checks the rest).
 * @example
 * isModelsUri("models:/churn@champion") // true
 * isModelsUri("s3://bucket/model") // false
 */
export function isModelsUri(uri: string): boolean {
  return uriScheme(uri) === "models";
}

/**
 * Parses `runs:/<run_id>[/<path>]` as `RunsArtifactRepository.parse_runs_uri` does.
 *
 * @throws {ValidationError} (rule `runs-uri`) for another scheme, a host part or an empty run id.
 * @example
 * parseRunsUri("runs:/0a1b…/model/MLmodel"); // { scheme: "runs", runId: "0a1b…", path: "model/MLmodel" }
 */
export function parseRunsUri(uri: string): RunsUri {
  const parsed = splitUri(uri);
  if (parsed?.scheme !== "runs" || parsed.netloc !== undefined || !parsed.path.startsWith("/") || parsed.path.length <= 1) throw improperRunsUri(uri);
  const [runId = "", ...rest] = parsed.path.slice(1).split("/");
  if (runId === "") throw improperRunsUri(uri);
  return { scheme: "runs", runId, path: rest.join("/") };
}

/**
 * Parses a `models:/` URI without an artifact path, as `_parse_model_uri` does:
 * `models:/<name>/<version>`, `models:/<name>/<stage>`, `models:/<name>/latest`,
 * `models:/<name>@<alias>`, and `models:/<model_id>` (one segment without `@`).
 *
 * @throws {ValidationError} (rule `models-uri`) for anything else, naming the URI and the forms.
 * @example
 * parseModelsUri("models:/churn@champion"); // { scheme: "models", kind: "alias", name: "churn", alias: "champion" }
 * parseModelsUri("models:/m-1d2c…");        // { scheme: "models", kind: "model-id", modelId: "m-1d2c…" }
 */
export function parseModelsUri(uri: string): ModelsUri {
  const parsed = splitUri(uri);
  if (parsed?.scheme !== "models" || parsed.netloc !== undefined || !parsed.path.startsWith("/") || parsed.path.length <= 1) throw improperModelsUri(uri);
  const parts = parsed.path.replace(/^\/+/, "").split("/");
  const [name = "", suffix] = parts;
  if (parts.length > 2 || name.trim() === "") throw improperModelsUri(uri);
  if (suffix !== undefined) {
    if (suffix.trim() === "") throw improperModelsUri(uri);
    if (/^\d+$/.test(suffix)) return { scheme: "models", kind: "version", name, version: suffix };
    if (suffix.toLowerCase() === MODELS_SUFFIX_LATEST) return { scheme: "models", kind: "latest", name };
    return { scheme: "models", kind: "stage", name, stage: suffix };
  }
  if (parsed.path.includes("@")) {
    const at = name.lastIndexOf("@");
    const alias = name.slice(at + 1);
    if (at < 0 || alias.trim() === "") throw improperModelsUri(uri);
    return { scheme: "models", kind: "alias", name: name.slice(0, at), alias };
  }
  return { scheme: "models", kind: "model-id", modelId: name };
}

/**
 * Splits `models:/<name>/<version>/<path>` and `models:/<name>@<alias>/<path>` into the model URI
 * and the path inside the model, as `ModelsArtifactRepository.split_models_uri` does.
 *
 * @example
 * splitModelsUri("models:/churn/3/data/model.onnx"); // { root: "models:/churn/3", path: "data/model.onnx" }
 * splitModelsUri("models:/churn@champion");          // { root: "models:/churn@champion", path: "" }
 */
export function splitModelsUri(uri: string): UriRootAndPath {
  const trimmed = uri.replace(/\/+$/, "");
  const parsed = splitUri(trimmed);
  const path = parsed?.path ?? "";
  if ((path.match(/\//g)?.length ?? 0) >= 2 && !path.endsWith("/")) {
    const splits = splitMax(path, "/", 3);
    const cut = splits[1]!.includes("@") ? 2 : 3;
    const base = parsed?.netloc === undefined ? "models:" : `models://${parsed.netloc}`;
    return { root: base + splits.slice(0, cut).join("/"), path: splits.slice(cut).join("/") };
  }
  return { root: trimmed, path: "" };
}

/**
 * The root a download opens and the path it fetches under it, as
 * `_get_root_uri_and_artifact_path` computes them: for `models:/` URIs the model and the path
 * inside it (the files land at `<dest>/<path>`); for every other URI the parent folder and the last
 * segment (the file or folder lands at `<dest>/<last segment>`).
 *
 * @example
 * uriRootAndPath("runs:/0a1b…/model");           // { root: "runs:/0a1b…", path: "model" }
 * uriRootAndPath("s3://bucket/1/abc/artifacts"); // { root: "s3://bucket/1/abc", path: "artifacts" }
 */
export function uriRootAndPath(uri: string): UriRootAndPath {
  if (isModelsUri(uri)) return splitModelsUri(uri);
  const parsed = splitUri(uri);
  if (parsed === undefined) {
    const slash = uri.lastIndexOf("/");
    return slash < 0 ? { root: "", path: uri } : { root: uri.slice(0, slash) || "/", path: uri.slice(slash + 1) };
  }
  const slash = parsed.path.lastIndexOf("/");
  const dir = slash < 0 ? "" : slash === 0 ? "/" : parsed.path.slice(0, slash);
  const path = parsed.path.slice(slash + 1);
  const authority = parsed.netloc === undefined ? "" : `//${parsed.netloc}`;
  return { root: `${parsed.scheme}:${authority}${dir}`, path };
}

/** What a logged-model id looks like (`m-` and 32 hex digits); other ids are accepted, this only shapes hints. */
export function looksLikeModelId(text: string): boolean {
  return /^m-[0-9a-f]{32}$/.test(text);
}

/** The URI of a model version, `models:/<name>/<version>`. */
export function modelVersionUri(name: string, version: string | number): string {
  return `models:/${name}/${version}`;
}

/** `scheme`, optional `//netloc`, and the path of a URI (query and fragment kept in the path, as MLflow passes them on). */
function splitUri(uri: string): { scheme: string; netloc: string | undefined; path: string } | undefined {
  const scheme = uriScheme(uri);
  if (scheme === undefined) return undefined;
  const rest = uri.slice(scheme.length + 1);
  if (!rest.startsWith("//")) return { scheme, netloc: undefined, path: rest };
  const end = rest.indexOf("/", 2);
  return end < 0 ? { scheme, netloc: rest.slice(2), path: "" } : { scheme, netloc: rest.slice(2, end), path: rest.slice(end) };
}

/** Python's `str.split(sep, maxsplit)`. */
function splitMax(text: string, separator: string, maxSplit: number): string[] {
  const parts = text.split(separator);
  if (parts.length <= maxSplit + 1) return parts;
  return [...parts.slice(0, maxSplit), parts.slice(maxSplit).join(separator)];
}

function improperRunsUri(uri: string): ValidationError {
  return new ValidationError(
    "uri",
    "runs-uri",
    `Not a proper runs:/ URI: "${redactUrl(uri)}". Fix: write runs:/<run_id>/<path inside the run's artifacts>, e.g. runs:/0a1b2c3d4e5f60718293a4b5c6d7e8f9/model.`,
  );
}

function improperModelsUri(uri: string): ValidationError {
  return new ValidationError(
    "uri",
    "models-uri",
    `Not a proper models:/ URI: "${redactUrl(uri)}". Fix: write models:/<name>/<version>, models:/<name>/<stage>, models:/<name>/latest, ` +
      "models:/<name>@<alias> (each optionally followed by /<path inside the model>) or models:/<logged model id>.",
  );
}
