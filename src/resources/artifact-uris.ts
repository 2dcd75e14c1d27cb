/**
 * Artifact URIs resolved to files, in one place and as Python's `mlflow.artifacts` resolves them:
 * `runs:/<run>/<path>` (the run's artifacts, and the files of the run's logged model of that name),
 * `models:/<name>/<version|stage|latest>`, `models:/<name>@<alias>`, `models:/<model_id>` (through
 * the version's download URI or the logged model's artifact location, recursively), and the
 * locations themselves (`s3://`, `mlflow-artifacts:/`, `http(s)://…/mlflow-artifacts/…`, `file:`).
 *
 * The structure follows MLflow's artifact repositories, because the layout of a download is
 * theirs: a URI is split into a root and a path (`protocol/uri.ts`), the root opens a repository
 * (runs, models or location), and the repository downloads the path into the destination.
 */
import { randomUUID } from "node:crypto";
import { readdir, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import type { ArtifactStore } from "../artifacts/artifact-store.js";
import type { ArtifactStores } from "../artifacts/artifact-stores.js";
import { joinArtifactPath } from "../artifacts/artifact-uri.js";
import { ArtifactNotFoundError } from "../artifacts/errors.js";
import { checkArtifactPath } from "../artifacts/path-safety.js";
import { downloadTree } from "../artifacts/transfer.js";
import type { DownloadOptions } from "../artifacts/types.js";
import { InvalidParameterError, MlflowApiError, MlflowError, NotFoundError, ValidationError } from "../core/errors.js";
import type { RequestOptions } from "../core/http/transport.js";
import { pythonYamlDump } from "../core/python-format.js";
import { redactUrl } from "../core/redact.js";
import type { LoggedModel } from "../protocol/entities/logged-model.js";
import type { ModelVersion } from "../protocol/entities/registry.js";
import type { FileInfo } from "../protocol/entities/tracking.js";
import { isModelsUri, isRunsUri, looksLikeModelId, type ModelsUri, parseModelsUri, parseRunsUri, uriRootAndPath } from "../protocol/uri.js";
import type { TrackingStore } from "../store/tracking-store.js";
import { APIResource } from "./resource.js";

/** The file Python writes beside a model downloaded through `models:/` (its name and version). */
export const REGISTERED_MODEL_META_FILE = "registered_model_meta";
/** How many `models:/` → `runs:/` → … hops a URI may take before it counts as a loop. */
const MAX_URI_HOPS = 4;
/** Page size of the logged-model searches behind `runs:/<run>/<model name>`. */
const LOGGED_MODEL_PAGE_SIZE = 100;

/** Options of {@link ArtifactUris.list}. */
export interface ListArtifactsOptions extends RequestOptions {
  /** List the folders' contents too, to any depth. @defaultValue false */
  recursive?: boolean | undefined;
}

/** What a `models:/` URI resolved to. */
export interface ResolvedModelUri {
  /** The URI, as given. */
  uri: string;
  /** The registered model, for version, stage, latest and alias URIs. */
  name?: string | undefined;
  /** The version it names (for an alias, stage or `latest`: the version it points at now). */
  version?: string | undefined;
  /** The logged model, for `models:/<model_id>` URIs and versions registered from one. */
  modelId?: string | undefined;
  /** The model version entity, for registry URIs. */
  modelVersion?: ModelVersion | undefined;
  /** Where the files are: the version's download URI or the logged model's artifact location. */
  artifactUri: string;
}

/** One opened repository: files under a root, by path. @internal */
interface Repository {
  /** Display form of the root, for messages. */
  readonly display: string;
  download(path: string, destDir: string, options: DownloadOptions): Promise<string>;
  list(path: string, options: RequestOptions): Promise<FileInfo[]>;
  open(path: string, options: RequestOptions): Promise<Readable>;
}

/**
 * `client.uris`: download, list, open and read artifacts by URI. The fluent
 * {@link downloadArtifacts}, {@link listArtifacts}, {@link loadText}, {@link loadDict} and
 * {@link openArtifact} call these on the default client.
 *
 * @example
 * const dir = await client.uris.download("models:/churn@champion", "./model");
 * const files = await client.uris.list(`runs:/${runId}/eval`);
 * const summary = await client.uris.loadDict(`runs:/${runId}/eval/summary.json`);
 */
export class ArtifactUris extends APIResource {
  readonly #stores: ArtifactStores;
  readonly #defaultConcurrency: number;

  /**
   * @param store - The tracking store (runs, registry and logged models are read from it).
   * @param stores - Opens artifact stores by location.
   * @param defaultConcurrency - Files transferred in parallel unless `concurrency` is given. @defaultValue 8
   * @internal
   */
  constructor(store: TrackingStore, stores: ArtifactStores, defaultConcurrency = 8) {
    super(store);
    this.#stores = stores;
    this.#defaultConcurrency = defaultConcurrency;
  }

  /**
   * Downloads the file or folder a URI names into `destDir` and returns its local path, as
   * `mlflow.artifacts.download_artifacts(uri, dst_path=destDir)` does: for `models:/…` the model's
   * files land in `destDir` itself (with Python's `registered_model_meta` file beside them), for
   * every other URI the last segment lands as `destDir/<last segment>`.
   *
   * @throws {ValidationError} for a malformed `runs:/` or `models:/` URI (rule `runs-uri`, `models-uri`).
   * @throws {ArtifactNotFoundError} when the URI names nothing (no such run, model, version, alias
   *   or path); the message names the URI and the fix.
   * @throws {UnsafeArtifactPathError} for a path with `..`, a backslash or an encoded traversal.
   * @example
   * const dir = await client.uris.download("models:/churn@champion", "./model"); // "./model"
   * const file = await client.uris.download(`runs:/${runId}/eval/summary.json`, "./out"); // "./out/summary.json"
   */
  async download(uri: string, destDir: string, options: DownloadOptions = {}): Promise<string> {
    const { root, path } = rootAndPath(uri);
    const repository = await this.#open(root, options, 0);
    return repository.download(path, destDir, options);
  }

  /**
   * Lists the direct children of the folder a URI names, as `mlflow.artifacts.list_artifacts(uri)`
   * does: paths are relative to the URI's parent (for `models:/…`, to the model's root). With
   * `recursive`, every file and folder below it too, each folder listed once (the URI is resolved
   * once, so an alias that moves meanwhile does not mix two versions), folders before their contents.
   *
   * @throws {ArtifactNotFoundError} when the run, model or version does not exist.
   * @example
   * const files = await client.uris.list("models:/churn@champion"); // [{ path: "MLmodel", … }, …]
   * const everything = await client.uris.list(`runs:/${runId}/`, { recursive: true });
   */
  async list(uri: string, options: ListArtifactsOptions = {}): Promise<FileInfo[]> {
    const { recursive = false, ...requestOptions } = options;
    const { root, path } = rootAndPath(uri);
    const repository = await this.#open(root, requestOptions, 0);
    const top = await repository.list(path, requestOptions);
    return recursive ? listTree(top, (folder) => repository.list(folder, requestOptions)) : top;
  }

  /**
   * Opens the file a URI names as a stream, without writing it to disk.
   *
   * @throws {ArtifactNotFoundError} when the URI names no file (a folder, or nothing).
   * @example
   * const stream = await client.uris.open("models:/churn@champion/MLmodel");
   * for await (const chunk of stream) process.stdout.write(chunk);
   */
  async open(uri: string, options: RequestOptions = {}): Promise<Readable> {
    const { root, path } = rootAndPath(uri);
    if (path === "") throw notAFile(uri);
    const repository = await this.#open(root, options, 0);
    return repository.open(path, options);
  }

  /**
   * Reads a text artifact (UTF-8), as `mlflow.artifacts.load_text(uri)` does.
   * @throws {ValidationError} (rule `utf8`) when the file is not valid UTF-8.
   * @throws {ArtifactNotFoundError} when the URI names no file.
   * @example
   * const readme = await client.uris.loadText(`runs:/${runId}/notes/readme.txt`);
   */
  async loadText(uri: string, options: RequestOptions = {}): Promise<string> {
    const bytes = await this.#readAll(uri, options);
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new ValidationError(
        "uri",
        "utf8",
        `The artifact "${redactUrl(uri)}" is not valid UTF-8. Fix: download it with downloadArtifacts() and decode it with its own encoding.`,
      );
    }
  }

  /**
   * Reads a JSON artifact, as `mlflow.artifacts.load_dict(uri)` does.
   * @throws {ValidationError} (rule `json`) when the file is not JSON.
   * @example
   * const config = await client.uris.loadDict<{ lr: number }>(`runs:/${runId}/config.json`);
   */
  async loadDict<T = Record<string, unknown>>(uri: string, options: RequestOptions = {}): Promise<T> {
    const text = await this.loadText(uri, options);
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new ValidationError(
        "uri",
        "json",
        `The artifact "${redactUrl(uri)}" is not JSON (${(error as Error).message}). Fix: read it with loadText() instead.`,
      );
    }
  }

  /**
   * What a `models:/` URI names now: the registered model and version (an alias, stage or
   * `latest` resolved to its current version), the logged model, and where its files are.
   *
   * @throws {ValidationError} for a malformed URI.
   * @throws {ArtifactNotFoundError} when the model, version or alias does not exist (the message
   *   names the URI and the fix).
   * @example
   * const { name, version, artifactUri } = await client.uris.resolveModel("models:/churn@champion");
   */
  async resolveModel(uri: string, options: RequestOptions = {}): Promise<ResolvedModelUri> {
    return this.#resolveModel(uri, parseModelsUri(uri), options);
  }

  async #readAll(uri: string, options: RequestOptions): Promise<Buffer> {
    return buffer(await this.open(uri, options));
  }

  /** The repository of a root URI (a run folder, a model, a location). */
  async #open(root: string, options: RequestOptions, hops: number): Promise<Repository> {
    if (hops > MAX_URI_HOPS)
      throw new ValidationError(
        "uri",
        "uri-loop",
        `Resolving "${redactUrl(root)}" took more than ${MAX_URI_HOPS} hops (runs:/ and models:/ URIs pointing at each other). Fix: register the model from its storage location.`,
      );
    if (isRunsUri(root)) return this.#openRun(root, options);
    if (isModelsUri(root)) return this.#openModel(root, options, hops);
    return this.#storeRepository(this.#stores.forUri(root), redactUrl(root));
  }

  async #openRun(root: string, options: RequestOptions): Promise<Repository> {
    const { runId, path } = parseRunsUri(root);
    const folder = checkArtifactPath(path, "uri path", true);
    const run = await this.#call(
      root,
      () => this.store.call("runs.get", { run_id: runId }, options),
      `Fix: check the run id in "${root}" (the run may have been deleted).`,
    );
    const runRepository = this.#storeRepository(this.#stores.forUri(joinArtifactPath(run.run.info.artifact_uri, folder)), root);
    const modelOf = async (name: string): Promise<Repository | undefined> => {
      const model = await this.#runLoggedModel(runId, run.run.info.experiment_id, name, options);
      if (model === undefined) return undefined;
      const uri = `models:/${model.info.model_id}`;
      // Python opens it as a models:/<id> repository, which writes registered_model_meta too.
      return new ModelRepository(uri, this.#storeRepository(this.#stores.forUri(model.info.artifact_uri), uri), null, null);
    };
    return new RunRepository(root, folder, runRepository, modelOf);
  }

  async #openModel(root: string, options: RequestOptions, hops: number): Promise<Repository> {
    const resolved = await this.#resolveModel(root, parseModelsUri(root), options);
    const inner = await this.#open(resolved.artifactUri, options, hops + 1);
    return new ModelRepository(root, inner, resolved.name ?? null, resolved.version ?? null);
  }

  async #resolveModel(uri: string, parsed: ModelsUri, options: RequestOptions): Promise<ResolvedModelUri> {
    if (parsed.kind === "model-id") {
      const hint = looksLikeModelId(parsed.modelId)
        ? `Fix: check the id (client.loggedModels.search lists an experiment's models).`
        : `"${parsed.modelId}" is read as a logged-model id, as Python reads it. Fix: to name a registered model add a version or an alias: models:/${parsed.modelId}/1, models:/${parsed.modelId}@champion or models:/${parsed.modelId}/latest.`;
      const { model } = await this.#call(uri, () => this.store.call("loggedModels.get", { model_id: parsed.modelId }, options), hint);
      return { uri, modelId: model.info.model_id, artifactUri: model.info.artifact_uri };
    }
    const version = await this.#registryVersion(uri, parsed, options);
    const { artifact_uri: artifactUri } = await this.#call(
      uri,
      () => this.store.call("modelVersions.getDownloadUri", { name: version.name, version: version.version }, options),
      `Fix: list the versions with client.modelVersions.search({ filter: "name='${version.name}'" }).`,
    );
    return { uri, name: version.name, version: version.version, modelId: version.model_id || undefined, modelVersion: version, artifactUri };
  }

  async #registryVersion(uri: string, parsed: Exclude<ModelsUri, { kind: "model-id" }>, options: RequestOptions): Promise<ModelVersion> {
    const { name } = parsed;
    if (parsed.kind === "version") {
      const fix = `Fix: list the versions with client.modelVersions.search({ filter: "name='${name}'" }) and use one that exists (deleted versions keep their number but cannot be read).`;
      return (await this.#call(uri, () => this.store.call("modelVersions.get", { name, version: parsed.version }, options), fix)).model_version;
    }
    if (parsed.kind === "alias") {
      const fix = `Fix: point the alias at a version (registerModel(…, "${name}", { alias: "${parsed.alias}" }) or client.registeredModels.setAlias("${name}", "${parsed.alias}", version)), or use models:/${name}/<version>.`;
      // MLflow answers a missing alias with INVALID_PARAMETER_VALUE ("Registered model alias … not found.").
      const missing = (error: unknown): boolean =>
        error instanceof NotFoundError || (error instanceof InvalidParameterError && /not found/i.test(error.serverMessage));
      return (await this.#call(uri, () => this.store.call("registeredModels.getByAlias", { name, alias: parsed.alias }, options), fix, missing)).model_version;
    }
    const stages = parsed.kind === "stage" ? [parsed.stage] : undefined;
    const fix = `Fix: check the registered model name (client.registeredModels.search()).`;
    const { model_versions: latest } = await this.#call(uri, () => this.store.call("registeredModels.getLatestVersions", { name, stages }, options), fix);
    const newest = latest.reduce<ModelVersion | undefined>(
      (best, candidate) => (best === undefined || Number(candidate.version) > Number(best.version) ? candidate : best),
      undefined,
    );
    if (newest === undefined) {
      const what = parsed.kind === "stage" ? ` in stage "${parsed.stage}"` : "";
      throw new ArtifactNotFoundError(
        `"${uri}" names no model version: registered model "${name}" has no version${what}. Fix: register one (registerModel), or name an existing version.`,
        {
          operation: "download",
          location: uri,
          code: "RESOURCE_DOES_NOT_EXIST",
        },
      );
    }
    return newest;
  }

  /** The run's logged model named `name` (the one a `runs:/<run>/<name>` URI reaches), if any. */
  async #runLoggedModel(runId: string, experimentId: string, name: string, options: RequestOptions): Promise<LoggedModel | undefined> {
    if (/[/:.%"']/.test(name) || name === "") return undefined; // not a name a logged model can have
    let token: string | undefined;
    do {
      const page = await this.store.call(
        "loggedModels.search",
        { experiment_ids: [experimentId], filter: `name = '${name}'`, max_results: LOGGED_MODEL_PAGE_SIZE, page_token: token },
        options,
      );
      const match = page.models.find((model) => model.info.source_run_id === runId);
      if (match) return match;
      token = page.next_page_token || undefined;
    } while (token);
    return undefined;
  }

  #storeRepository(store: ArtifactStore, display: string): Repository {
    return new StoreRepository(store, display, this.#defaultConcurrency);
  }

  /** Runs a store call; a "does not exist" answer becomes an {@link ArtifactNotFoundError} naming the URI and the fix. */
  async #call<T>(
    uri: string,
    call: () => Promise<T>,
    fix: string,
    missing: (error: unknown) => boolean = (error) => error instanceof NotFoundError,
  ): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!missing(error) || !(error instanceof MlflowApiError)) throw error;
      throw new ArtifactNotFoundError(`"${redactUrl(uri)}" names nothing: ${error.serverMessage.replace(/[.\s]+$/, "")}. ${fix}`, {
        operation: "download",
        location: redactUrl(uri),
        code: error.errorCode,
        status: error.status,
        cause: error,
      });
    }
  }
}

/**
 * Every entry below a listing: each folder is listed once, in order, its contents right after it.
 * Bounded by the tree itself: a folder path already listed is never listed again.
 */
async function listTree(top: FileInfo[], listFolder: (path: string) => Promise<FileInfo[]>): Promise<FileInfo[]> {
  const listed = new Set<string>();
  const out: FileInfo[] = [];
  const visit = async (entries: FileInfo[]): Promise<void> => {
    for (const entry of entries) {
      out.push(entry);
      if (!entry.is_dir || listed.has(entry.path)) continue;
      listed.add(entry.path);
      await visit(await listFolder(entry.path));
    }
  };
  await visit(top);
  return out;
}

/** Root and path of a URI; `runs:/<run>` alone is refused with the two spellings that work. */
function rootAndPath(uri: string): { root: string; path: string } {
  if (typeof uri !== "string" || uri === "")
    throw new ValidationError("uri", "uri-empty", "An artifact URI is required, e.g. runs:/<run_id>/model or models:/<name>@<alias>.");
  const split = uriRootAndPath(uri);
  if (isRunsUri(uri) && split.root.replace(/\/+$/, "") === "runs:") {
    throw new ValidationError(
      "uri",
      "runs-uri",
      `"${uri}" names a whole run, which Python's download_artifacts refuses too. Fix: write "${uri}/" (trailing slash) for every artifact of the run, or runs:/<run_id>/<path>.`,
    );
  }
  return { root: split.root, path: split.path === "" ? "" : checkArtifactPath(split.path, "uri path", true) };
}

/** Files of one artifact store under its root. */
class StoreRepository implements Repository {
  readonly display: string;
  readonly #store: ArtifactStore;
  readonly #concurrency: number;

  constructor(store: ArtifactStore, display: string, concurrency: number) {
    this.#store = store;
    this.display = display;
    this.#concurrency = concurrency;
  }

  download(path: string, destDir: string, options: DownloadOptions): Promise<string> {
    return downloadTree(this.#store, path, destDir, options, this.#concurrency);
  }

  list(path: string, options: RequestOptions): Promise<FileInfo[]> {
    return this.#store.list(path, options);
  }

  /** Checks the listing first: the proxy answers a GET of a missing file with a 500 that would be retried for minutes. */
  async open(path: string, options: RequestOptions): Promise<Readable> {
    const parent = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
    const entry = (await this.#store.list(parent, options)).find((candidate) => candidate.path === path);
    if (entry === undefined || entry.is_dir) {
      throw new ArtifactNotFoundError(
        `There is no file "${path}" in ${this.display}${entry?.is_dir ? " (it is a folder)" : ""}. Fix: list the folder (listArtifacts) to check the path.`,
        {
          operation: "download",
          location: `${this.#store.location}/${path}`,
        },
      );
    }
    return (await this.#store.open(path, options)).stream;
  }
}

/**
 * `RunsArtifactRepository`: the run's files under a folder, plus the files of the run's logged
 * model whose name is the first segment of the path (MLflow 3 keeps a model's files with the
 * model, not the run). A download fetches both, the model's into `<dest>/<model name>`.
 */
class RunRepository implements Repository {
  readonly display: string;
  readonly #folder: string;
  readonly #run: Repository;
  readonly #modelOf: (name: string) => Promise<Repository | undefined>;

  constructor(display: string, folder: string, run: Repository, modelOf: (name: string) => Promise<Repository | undefined>) {
    this.display = display;
    this.#folder = folder;
    this.#run = run;
    this.#modelOf = modelOf;
  }

  async download(path: string, destDir: string, options: DownloadOptions): Promise<string> {
    const fromRun = await settle(() => this.#run.download(path, destDir, options));
    const fromModel = await settle(async () => {
      const target = await this.#model(path);
      return target === undefined ? undefined : target.repository.download(target.rest, join(destDir, target.name), options);
    });
    const local = fromRun.value ?? fromModel.value;
    if (local !== undefined) return local;
    throw firstReal([fromRun.error, fromModel.error]) ?? this.#missing(path);
  }

  async list(path: string, options: RequestOptions): Promise<FileInfo[]> {
    const own = await this.#run.list(path, options);
    const target = await this.#model(path);
    if (target === undefined) return own;
    const fromModel = await target.repository.list(target.rest, options).catch(() => []);
    return [...own, ...fromModel.map((file) => ({ ...file, path: `${target.name}/${file.path}` }))];
  }

  async open(path: string, options: RequestOptions): Promise<Readable> {
    const fromRun = await settle(() => this.#run.open(path, options));
    if (fromRun.value) return fromRun.value;
    const target = await this.#model(path);
    if (target === undefined || target.rest === "") throw firstReal([fromRun.error]) ?? this.#missing(path);
    return target.repository.open(target.rest, options);
  }

  /** The logged model the path reaches: `<folder>/<path>` = `<model name>/<rest>`. */
  async #model(path: string): Promise<{ name: string; rest: string; repository: Repository } | undefined> {
    const full = joinArtifactPath(this.#folder, path);
    if (full === "") return undefined;
    const slash = full.indexOf("/");
    const name = slash < 0 ? full : full.slice(0, slash);
    const repository = await this.#modelOf(name);
    return repository === undefined ? undefined : { name, rest: slash < 0 ? "" : full.slice(slash + 1), repository };
  }

  #missing(path: string): ArtifactNotFoundError {
    const uri = `${this.display.replace(/\/+$/, "")}${path === "" ? "" : `/${path}`}`;
    return new ArtifactNotFoundError(
      `"${uri}" names nothing: the run has no artifact "${path || "(root)"}" and no logged model of that name. Fix: list the run's artifacts (listArtifacts("${this.display}")) to check the path.`,
      {
        operation: "download",
        location: uri,
        code: "RESOURCE_DOES_NOT_EXIST",
      },
    );
  }
}

/** `ModelsArtifactRepository`: the files of a model version or logged model, and Python's `registered_model_meta`. */
class ModelRepository implements Repository {
  readonly display: string;
  readonly #inner: Repository;
  readonly #name: string | null;
  readonly #version: string | null;

  constructor(display: string, inner: Repository, name: string | null, version: string | null) {
    this.display = display;
    this.#inner = inner;
    this.#name = name;
    this.#version = version;
  }

  async download(path: string, destDir: string, options: DownloadOptions): Promise<string> {
    const local = await this.#inner.download(path, destDir, options);
    const info = await stat(local).catch(() => undefined);
    if (info?.isDirectory() && (await readdir(local)).includes("MLmodel")) await writeRegisteredModelMeta(local, this.#name, this.#version);
    return local;
  }

  list(path: string, options: RequestOptions): Promise<FileInfo[]> {
    return this.#inner.list(path, options);
  }

  open(path: string, options: RequestOptions): Promise<Readable> {
    return this.#inner.open(path, options);
  }
}

/** Python's `write_yaml(path, "registered_model_meta", {"model_name": …, "model_version": …})`. */
async function writeRegisteredModelMeta(folder: string, name: string | null, version: string | null): Promise<void> {
  const target = join(folder, REGISTERED_MODEL_META_FILE);
  const temporary = `${target}.${randomUUID()}.part`;
  await writeFile(temporary, pythonYamlDump({ model_name: name, model_version: version }));
  await rename(temporary, target);
}

async function settle<T>(work: () => Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await work() };
  } catch (error) {
    return { error };
  }
}

/** The first error that is not a plain "does not exist" (a permission or network failure says more). */
function firstReal(errors: unknown[]): unknown {
  return errors.find(
    (error) => error !== undefined && !(error instanceof ArtifactNotFoundError) && !(error instanceof NotFoundError) && error instanceof MlflowError,
  );
}

function notAFile(uri: string): ValidationError {
  return new ValidationError(
    "uri",
    "uri-file",
    `"${redactUrl(uri)}" names a folder, not a file. Fix: add the file's path, e.g. ${redactUrl(uri).replace(/\/+$/, "")}/MLmodel.`,
  );
}
