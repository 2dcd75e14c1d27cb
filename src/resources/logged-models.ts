/** MLflow 3 logged models: create, finalize, search, tags, params, and their files (upload, list, download). */

import { ArtifactStoreCache } from "../artifacts/artifact-store-cache.js";
import type { ArtifactStores } from "../artifacts/artifact-stores.js";
import { checkArtifactPath } from "../artifacts/path-safety.js";
import { downloadTree, uploadPath } from "../artifacts/transfer.js";
import type { DownloadOptions, UploadOptions, UploadResult } from "../artifacts/types.js";
import { ValidationError } from "../core/errors.js";
import type { RequestOptions } from "../core/http/transport.js";
import { Paginated } from "../core/pagination.js";
import type { SearchLoggedModelsRequest } from "../protocol/endpoints.js";
import type { LoggedModel, LoggedModelStatus } from "../protocol/entities/logged-model.js";
import type { FileInfo } from "../protocol/entities/tracking.js";
import type { KeyValueInput } from "../protocol/key-values.js";
import { validatedParams, validatedTags } from "../protocol/key-values.js";
import { validateMaxResults } from "../protocol/validation.js";
import type { TrackingStore } from "../store/tracking-store.js";
import { APIResource } from "./resource.js";

/** Default page size of logged-model searches (the server's proto default). */
export const LOGGED_MODEL_SEARCH_PAGE_SIZE = 50;
/** Params per `logged-models/{id}/params` request, as the Python client sends them. */
export const LOGGED_MODEL_PARAMS_PER_REQUEST = 100;

/** Parameters of {@link LoggedModels.create}. */
export interface CreateLoggedModelParams {
  experiment_id: string;
  /** Name without `/ : . % " '`. */
  name?: string | undefined;
  model_type?: string | undefined;
  source_run_id?: string | undefined;
  params?: KeyValueInput | undefined;
  tags?: KeyValueInput | undefined;
}

/** Parameters of {@link LoggedModels.search}. */
export type SearchLoggedModelsParams = Omit<SearchLoggedModelsRequest, "max_results"> & { max_results?: number | undefined };

/**
 * `client.loggedModels`.
 *
 * @example
 * const model = await client.loggedModels.create({ experiment_id: "1", name: "classifier" });
 * await client.loggedModels.finalize(model.info.model_id, "LOGGED_MODEL_READY");
 */
export class LoggedModels extends APIResource {
  readonly #defaultConcurrency: number;
  readonly #byModel: ArtifactStoreCache;

  /**
   * @param store - The tracking store.
   * @param stores - Opens artifact stores by URI (for the model's files).
   * @param defaultConcurrency - Files transferred in parallel unless `concurrency` is given. @defaultValue 8
   * @internal
   */
  constructor(store: TrackingStore, stores: ArtifactStores, defaultConcurrency = 8) {
    super(store);
    this.#defaultConcurrency = defaultConcurrency;
    this.#byModel = new ArtifactStoreCache(stores, async (modelId, options) => (await this.get(modelId, options)).info.artifact_uri);
  }

  /**
   * Creates a logged model in PENDING state. Not retried after an ambiguous failure (that would
   * create a second model): such a failure rejects with {@link AmbiguousResultError}.
   * @throws {ValidationError} for an empty name or one with `/ : . % " '`.
   */
  async create(params: CreateLoggedModelParams, options?: RequestOptions): Promise<LoggedModel> {
    if (params.name !== undefined && (params.name === "" || /[/:.%"']/.test(params.name))) {
      throw new ValidationError(
        "name",
        "logged-model-name",
        `The logged model name ${JSON.stringify(params.name)} is empty or contains one of / : . % " ' which MLflow refuses.`,
      );
    }
    const request = { ...params, params: validatedParams(params.params), tags: validatedTags(params.tags) };
    return (await this.store.call("loggedModels.create", request, options)).model;
  }

  /** Gets a logged model by id (`m-…`). @throws {NotFoundError} */
  async get(modelId: string, options?: RequestOptions): Promise<LoggedModel> {
    return (await this.store.call("loggedModels.get", { model_id: modelId }, options)).model;
  }

  /** Sets the final status: READY once its files are uploaded, UPLOAD_FAILED otherwise. */
  async finalize(
    modelId: string,
    status: Extract<LoggedModelStatus, "LOGGED_MODEL_READY" | "LOGGED_MODEL_UPLOAD_FAILED">,
    options?: RequestOptions,
  ): Promise<LoggedModel> {
    return (await this.store.call("loggedModels.finalize", { model_id: modelId, status }, options)).model;
  }

  /** Deletes a logged model. */
  async delete(modelId: string, options?: RequestOptions): Promise<void> {
    await this.store.call("loggedModels.delete", { model_id: modelId }, options);
  }

  /** Searches logged models of some experiments: `await` gives every match across pages, `for await` streams them page by page, `.firstPage()` gives one page. */
  search(params: SearchLoggedModelsParams, options?: RequestOptions): Paginated<LoggedModel> {
    const { page_token, max_results = LOGGED_MODEL_SEARCH_PAGE_SIZE, ...rest } = params;
    validateMaxResults("max_results", max_results);
    return new Paginated(async (token) => {
      const res = await this.store.call("loggedModels.search", { ...rest, max_results, page_token: token }, options);
      return { items: res.models, nextPageToken: res.next_page_token || undefined };
    }, page_token);
  }

  /** Sets tags on a logged model. */
  async setTags(modelId: string, tags: KeyValueInput, options?: RequestOptions): Promise<void> {
    await this.store.call("loggedModels.setTags", { model_id: modelId, tags: validatedTags(tags) }, options);
  }

  /** Deletes a tag of a logged model. */
  async deleteTag(modelId: string, key: string, options?: RequestOptions): Promise<void> {
    await this.store.call("loggedModels.deleteTag", { model_id: modelId, tag_key: key }, options);
  }

  /** Logs params on a logged model, 100 per request. */
  async logParams(modelId: string, params: KeyValueInput, options?: RequestOptions): Promise<void> {
    const all = validatedParams(params);
    for (let start = 0; start < all.length; start += LOGGED_MODEL_PARAMS_PER_REQUEST) {
      const chunk = all.slice(start, start + LOGGED_MODEL_PARAMS_PER_REQUEST);
      await this.store.call("loggedModels.logParams", { model_id: modelId, params: chunk }, options);
    }
  }

  /** Lists the files of a logged model under `path`. */
  async listArtifacts(modelId: string, path?: string, options?: RequestOptions): Promise<FileInfo[]> {
    const files: FileInfo[] = [];
    let token: string | undefined;
    do {
      const res = await this.store.call("loggedModels.listArtifacts", { model_id: modelId, artifact_directory_path: path, page_token: token }, options);
      files.push(...res.files);
      token = res.next_page_token || undefined;
    } while (token);
    return files;
  }

  /**
   * Uploads a model's files into its artifact location (S3 directly, the server's proxy or the local
   * disk, as the model's `artifact_uri` says), as `MlflowClient.log_model_artifacts` does: a
   * directory recursively, a file under its name (both under `artifactPath` when given). Then
   * `finalize` the model READY.
   *
   * @throws {UnsafeArtifactPathError} before any request, for an unsafe `artifactPath` or file name.
   * @throws {IncompleteTransferError} after the rest of a directory was uploaded, naming the files it skipped (a name
   *   that is no safe artifact path, or one the tracking server's proxy would change).
   * @throws {ArtifactError} (a subclass naming the cause) or {@link MlflowApiError} when the store fails.
   * @throws {AbortError} when `options.signal` fires.
   * @example
   * const model = await client.loggedModels.create({ experiment_id, name: "classifier", source_run_id: runId });
   * await client.loggedModels.uploadArtifacts(model.info.model_id, "./out/classifier");
   * await client.loggedModels.finalize(model.info.model_id, "LOGGED_MODEL_READY");
   */
  async uploadArtifacts(modelId: string, localPath: string, options: UploadOptions = {}): Promise<UploadResult> {
    return uploadPath(() => this.#byModel.get(modelId, options), localPath, options, this.#defaultConcurrency);
  }

  /**
   * Downloads a model's file or directory (`""`: every file) into `destDir` as `destDir/<path>`, as
   * `mlflow.artifacts.download_artifacts("models:/<model id>")` does; returns that local path.
   *
   * @throws {UnsafeArtifactPathError} for an unsafe `path`.
   * @throws {IncompleteTransferError} after the rest was downloaded, naming the listed entries it skipped (unsafe
   *   names, entries outside the directory or leaving `destDir`); `localPath` says where the rest is.
   * @example
   * const dir = await client.loggedModels.downloadArtifacts(modelId, "", "./model");
   */
  async downloadArtifacts(modelId: string, path: string, destDir: string, options: DownloadOptions = {}): Promise<string> {
    const artifactPath = checkArtifactPath(path, "path", true);
    return downloadTree(await this.#byModel.get(modelId, options), artifactPath, destDir, options, this.#defaultConcurrency);
  }
}
