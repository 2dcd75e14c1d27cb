/**
 * Where a new model version comes from, checked and resolved as MLflow's `model-versions/create`
 * handler and registry store do it:
 * - a local path (or `file:` URI) must lie inside the artifact directory of the run named by
 *   `run_id` (or of the logged model named by `model_id`);
 * - other sources must not hold `..` segments, NUL bytes or anything that normalises differently,
 *   even URL-encoded;
 * - `runs:/<id>/…` needs `run_id` to be that run, `models:/m-…` needs `model_id` to be that model,
 *   `mlflow-artifacts:` sources must lie under the run's (or model's) artifact root;
 * - `models:/<name>/<version|stage|latest>` and `models:/<name>@<alias>` name another version: the
 *   source becomes `models:/<name>/<version>` and the new version inherits its run id and its
 *   download location.
 */
import { resolve } from "node:path";
import type { EndpointRequest } from "../../../protocol/endpoints.js";
import { normalizePosix } from "../../../protocol/validation.js";
import type { RunRow, StoreContext } from "../engine/context.js";
import { invalidParameter, StoreException } from "../engine/errors.js";
import { getLoggedModelRow, type LoggedModelRow } from "../logged-models/logged-models.js";
import { canonicalStage, getModelVersionRow, getRegisteredModelRow, IS_PROMPT_TAG, latestVersionsByModel } from "./registry-entities.js";

/** A source after the checks: what the version row stores. */
export interface ResolvedSource {
  source: string;
  /** Where the files are read from (`get-download-uri`). */
  storageLocation: string;
  runId: string | null;
  modelId: string | undefined;
}

interface ParsedUri {
  scheme: string;
  netloc: string;
  path: string;
}

interface ParsedModelUri {
  modelId?: string;
  name?: string;
  version?: string;
  stage?: string;
  alias?: string;
}

/**
 * Checks and resolves the source of a `model-versions/create` request.
 * @throws {StoreException} `INVALID_PARAMETER_VALUE` with MLflow's message for a source it refuses.
 * @internal
 */
export function resolveModelVersionSource(ctx: StoreContext, request: EndpointRequest<"modelVersions.create">): ResolvedSource {
  if (!request.source) throw invalidParameter("Missing value for required parameter 'source'.");
  let source = request.source;
  let runId: string | null = request.run_id ?? "";
  let modelId = request.model_id ?? "";
  if (parseUri(source).scheme === "models") [source, runId, modelId] = resolveLineage(ctx, source, request);
  if (modelId) checkSourceOfModel(ctx, source, modelId);
  else checkSourceOfRun(ctx, source, runId ?? "");
  let storageLocation = source;
  if (parseUri(source).scheme === "models") {
    const parsed = parseModelUri(source);
    if (parsed.modelId !== undefined) {
      const model = fetchSourceModel(ctx, parsed.modelId, source);
      storageLocation = model.artifact_location;
      runId = runId || model.source_run_id;
    } else {
      const version = getModelVersionRow(ctx, parsed.name!, parsed.version!);
      storageLocation = version.storage_location || version.source || "";
    }
  }
  if (!runId && modelId) runId = getLoggedModelRow(ctx, modelId, false).source_run_id;
  return { source, storageLocation, runId, modelId: modelId || undefined };
}

/** `_resolve_registered_model_source_lineage`: a `models:/` source naming another registered version. */
function resolveLineage(ctx: StoreContext, source: string, request: EndpointRequest<"modelVersions.create">): [string, string | null, string] {
  const runId = request.run_id ?? "";
  const modelId = request.model_id ?? "";
  if (parseUri(source).netloc) {
    throw invalidParameter(`Invalid model version source: '${source}'. Registered model sources must use the active model registry.`);
  }
  const parsed = parseModelUri(source);
  if (parsed.modelId !== undefined) return [source, runId, modelId];
  const model = getRegisteredModelRow(ctx, parsed.name!);
  if (ctx.prepare('SELECT 1 FROM registered_model_tags WHERE workspace = ? AND name = ? AND "key" = ?').get(ctx.workspace, model.name, IS_PROMPT_TAG)) {
    throw invalidParameter(`Invalid model version source: '${source}'. Prompt versions cannot be used as model version sources.`);
  }
  const version = getModelVersionRow(ctx, model.name, versionOf(ctx, model.name, parsed));
  const runIdDiffers = request.run_id !== undefined && runId !== (version.run_id ?? "");
  // Versions of the SQL store never carry a model id, so any model_id differs.
  if (runIdDiffers || (request.model_id !== undefined && modelId !== "")) {
    throw invalidParameter(`Invalid model version source: '${source}'. The run_id and model_id request parameters must match the referenced model version.`);
  }
  return [`models:/${model.name}/${version.version}`, request.run_id !== undefined ? runId : version.run_id, request.model_id !== undefined ? modelId : ""];
}

/** The version a `models:/` URI names: a number, an alias, or the latest of a stage (or of all). */
function versionOf(ctx: StoreContext, name: string, parsed: ParsedModelUri): number | string {
  if (parsed.version !== undefined) return parsed.version;
  if (parsed.alias !== undefined) {
    const alias = ctx
      .prepare("SELECT version FROM registered_model_aliases WHERE workspace = ? AND name = ? AND alias = ?")
      .get(ctx.workspace, name, parsed.alias) as { version: number } | undefined;
    if (alias === undefined) throw invalidParameter(`Registered model alias ${parsed.alias} not found.`);
    return alias.version;
  }
  const stage = parsed.stage === undefined ? undefined : canonicalStage(parsed.stage);
  const latest = (latestVersionsByModel(ctx, [name]).get(name) ?? []).filter((row) => stage === undefined || row.current_stage === stage);
  if (latest.length === 0)
    throw new StoreException("INTERNAL_ERROR", `No versions of model with name '${name}'${stage === undefined ? "" : ` and stage '${parsed.stage}'`} found`);
  return Math.max(...latest.map((row) => row.version));
}

/** `_validate_source_run`. */
function checkSourceOfRun(ctx: StoreContext, source: string, runId: string): void {
  if (isLocalUri(source)) {
    if (!runId) throw localSourceOutside(source, "run_id");
    checkLocalSource(source, sourceRun(ctx, runId, source).artifact_uri, "run_id");
    return;
  }
  checkNoRelativePaths(source);
  const parsed = parseUri(source);
  if (parsed.scheme === "runs") {
    if (parsed.netloc) throw sourceNotIdentified(source, "run_id");
    if (runId && runsUriRunId(source) === runId) return;
    throw sourceNotIdentified(source, "run_id");
  }
  if (parsed.scheme === "models") {
    if (parsed.netloc || parseModelUri(source).modelId !== undefined) throw sourceNotIdentified(source, "model_id");
  }
  if (isMlflowArtifactSource(source)) {
    if (runId && isWithinRoot(source, sourceRun(ctx, runId, source).artifact_uri ?? "")) return;
    throw sourceNotIdentified(source, "run_id");
  }
}

/** `_validate_source_model`. */
function checkSourceOfModel(ctx: StoreContext, source: string, modelId: string): void {
  if (isLocalUri(source)) {
    checkLocalSource(source, sourceModel(ctx, modelId, source).artifact_location, "model_id");
    return;
  }
  checkNoRelativePaths(source);
  const parsed = parseUri(source);
  if (parsed.scheme === "models") {
    if (parsed.netloc) throw sourceNotIdentified(source, "model_id");
    const sourceModelId = parseModelUri(source).modelId;
    if (sourceModelId !== undefined) {
      if (sourceModelId === modelId) return;
      throw sourceNotIdentified(source, "model_id");
    }
  }
  if (parsed.scheme === "runs") throw sourceNotIdentified(source, "model_id");
  if (isMlflowArtifactSource(source)) {
    if (isWithinRoot(source, sourceModel(ctx, modelId, source).artifact_location)) return;
    throw sourceNotIdentified(source, "model_id");
  }
}

/** A local source must lie inside the local artifact root of the run (or logged model) that `what` names. */
function checkLocalSource(source: string, root: string | null, what: "run_id" | "model_id"): void {
  const path = resolve(localPath(source));
  if (root && isLocalUri(root) && isInside(path, resolve(localPath(root)))) return;
  throw localSourceOutside(path, what);
}

function localSourceOutside(shown: string, what: "run_id" | "model_id"): StoreException {
  return invalidParameter(
    `Invalid model version source: '${shown}'. To use a local path as a model version source, the ${what} request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the ${what}.`,
  );
}

/** `_validate_non_local_source_contains_relative_paths`. */
function checkNoRelativePaths(original: string): void {
  let source = original;
  for (let unquoted = unquotePlus(source); unquoted !== source; unquoted = unquotePlus(source)) source = unquoted;
  const path = parseUri(source).path.replace(/\/+$/, "").replace(/\/+/g, "/");
  const normalized = path.startsWith("/") ? normalizePosix(path) : undefined;
  if (path.includes("\0") || source.split("/").includes("..") || normalized !== path) {
    throw invalidParameter(
      `Invalid model version source: '${original}'. If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references present. Please provide an absolute path.`,
    );
  }
}

function sourceRun(ctx: StoreContext, runId: string, source: string): RunRow {
  try {
    return ctx.getRun(runId);
  } catch (error) {
    if (error instanceof StoreException && error.code === "RESOURCE_DOES_NOT_EXIST") throw sourceNotIdentified(source, "run_id");
    throw error;
  }
}

function sourceModel(ctx: StoreContext, modelId: string, source: string): LoggedModelRow {
  try {
    return getLoggedModelRow(ctx, modelId, false);
  } catch (error) {
    if (error instanceof StoreException && error.code === "RESOURCE_DOES_NOT_EXIST") throw sourceNotIdentified(source, "model_id");
    throw error;
  }
}

function fetchSourceModel(ctx: StoreContext, modelId: string, source: string): LoggedModelRow {
  try {
    return getLoggedModelRow(ctx, modelId, false);
  } catch (error) {
    throw new StoreException("INTERNAL_ERROR", `Unable to fetch model from model URI source artifact location '${source}'.Error: ${(error as Error).message}`);
  }
}

function sourceNotIdentified(source: string, what: "run_id" | "model_id"): StoreException {
  return invalidParameter(`Invalid model version source: '${source}'. The ${what} request parameter must identify the resource that contains the source.`);
}

/** Python's `urlparse`, enough of it for these checks (scheme lower-cased, netloc only after `//`). */
function parseUri(uri: string): ParsedUri {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/s.exec(uri);
  if (!match) return { scheme: "", netloc: "", path: uri.replace(/[?#].*$/s, "") };
  const rest = match[2]!.replace(/[?#].*$/s, "");
  if (!rest.startsWith("//")) return { scheme: match[1]!.toLowerCase(), netloc: "", path: rest };
  const slash = rest.indexOf("/", 2);
  return { scheme: match[1]!.toLowerCase(), netloc: slash < 0 ? rest.slice(2) : rest.slice(2, slash), path: slash < 0 ? "" : rest.slice(slash) };
}

/** `is_local_uri`: no scheme, or `file:` on this machine. */
function isLocalUri(uri: string): boolean {
  const { scheme, netloc } = parseUri(uri);
  if (scheme === "") return true;
  if (scheme !== "file") return false;
  const host = netloc.replace(/^.*@/, "").replace(/:\d*$/, "").toLowerCase();
  if (host && host !== "." && !host.startsWith("localhost") && !host.startsWith("127.0.0.1")) {
    throw invalidParameter(
      `${uri} is not a valid remote uri. For remote access on windows, please consider using a different scheme such as SMB (e.g. smb://<hostname>/<path>).`,
    );
  }
  return true;
}

/** `local_file_uri_to_path`. */
function localPath(uri: string): string {
  const path = uri.startsWith("file:") ? parseUri(uri).path : uri;
  return unquote(path);
}

function isInside(path: string, directory: string): boolean {
  return path === directory || path.startsWith(directory.endsWith("/") ? directory : `${directory}/`);
}

/** `RunsArtifactRepository.parse_runs_uri`: the run id of `runs:/<run_id>/path`. */
function runsUriRunId(source: string): string {
  const { path } = parseUri(source);
  const runId = path.startsWith("/") ? path.slice(1).split("/")[0]! : "";
  if (!runId)
    throw new StoreException(
      "INTERNAL_ERROR",
      `Not a proper runs:/ URI: ${source}. Runs URIs must be of the form 'runs:/<run_id>/run-relative/path/to/artifact'`,
    );
  return runId;
}

/** `_parse_model_uri`. */
function parseModelUri(uri: string): ParsedModelUri {
  const { path } = parseUri(uri);
  const improper = (): StoreException => sourceNotIdentified(uri, "model_id");
  if (!path.startsWith("/") || path.length <= 1) throw improper();
  const parts = path.replace(/^\/+/, "").split("/");
  if (parts.length > 2 || parts[0]!.trim() === "") throw improper();
  if (parts.length === 2) {
    const [name, suffix] = parts as [string, string];
    if (suffix.trim() === "") throw improper();
    if (/^\d+$/.test(suffix)) return { name, version: suffix };
    if (suffix.toLowerCase() === "latest") return { name };
    return { name, stage: suffix };
  }
  if (path.includes("@")) {
    const at = parts[0]!.lastIndexOf("@");
    const alias = parts[0]!.slice(at + 1);
    if (alias.trim() === "") throw improper();
    return { name: parts[0]!.slice(0, at), alias };
  }
  return { modelId: parts[0]! };
}

function isMlflowArtifactSource(source: string): boolean {
  const { scheme, parts } = normalizedParts(source);
  if (scheme === "mlflow-artifacts") return true;
  if (scheme !== "http" && scheme !== "https") return false;
  const route = ["api", "2.0", "mlflow-artifacts", "artifacts"];
  return parts.some((_, i) => route.every((part, j) => parts[i + j] === part));
}

/** `_is_uri_within_root`. */
function isWithinRoot(source: string, root: string): boolean {
  const a = normalizedParts(source);
  const b = normalizedParts(root);
  return a.scheme === b.scheme && a.netloc === b.netloc && b.parts.length > 0 && b.parts.every((part, i) => a.parts[i] === part);
}

function normalizedParts(uri: string): { scheme: string; netloc: string; parts: string[] } {
  const { scheme, netloc, path } = parseUri(uri);
  return {
    scheme,
    netloc: netloc.toLowerCase(),
    parts: path
      .split("/")
      .filter((part) => part !== "")
      .map(unquoteFully),
  };
}

function unquoteFully(value: string): string {
  for (let unquoted = unquote(value); unquoted !== value; unquoted = unquote(value)) value = unquoted;
  return value;
}

/** `urllib.parse.unquote`, lenient with malformed escapes as Python is. */
function unquote(value: string): string {
  return value.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

function unquotePlus(value: string): string {
  return unquote(value.replaceAll("+", " "));
}
