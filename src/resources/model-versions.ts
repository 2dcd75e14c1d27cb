/** Model versions: register, describe, stage, delete, search, tags and download URI. */

import type { RequestOptions } from "../core/http/transport.js";
import { Paginated } from "../core/pagination.js";
import type { ModelStage, ModelVersion } from "../protocol/entities/registry.js";
import type { KeyValueInput } from "../protocol/key-values.js";
import { validatedRegistryTags } from "../protocol/key-values.js";
import { validateMaxResults } from "../protocol/validation.js";
import { APIResource } from "./resource.js";

/** Default page size of model-version searches. */
export const MODEL_VERSION_SEARCH_PAGE_SIZE = 1000;
/** Largest page the server accepts for model-version searches. */
export const MAX_MODEL_VERSION_SEARCH_PAGE_SIZE = 200_000;

/** Parameters of {@link ModelVersions.create}. */
export interface CreateModelVersionParams {
  /** Registered model name. */
  name: string;
  /** Where the model lives, e.g. `runs:/<run_id>/model`, `models:/m-…` or the run's artifact URI. */
  source: string;
  run_id?: string | undefined;
  tags?: KeyValueInput | undefined;
  run_link?: string | undefined;
  description?: string | undefined;
  /** MLflow 3 logged model id (`m-…`). */
  model_id?: string | undefined;
}

/**
 * `client.modelVersions`.
 *
 * @example
 * const mv = await client.modelVersions.create({ name: "fraud-detector", source: `runs:/${runId}/model`, run_id: runId });
 */
export class ModelVersions extends APIResource {
  /**
   * Registers a new version. Not retried after an ambiguous failure (a retry would register a
   * second version): such a failure rejects with {@link AmbiguousResultError}.
   */
  async create(params: CreateModelVersionParams, options?: RequestOptions): Promise<ModelVersion> {
    const tags = validatedRegistryTags(params.tags);
    return (await this.store.call("modelVersions.create", { ...params, tags }, options)).model_version;
  }

  /** Gets a model version. @throws {NotFoundError} */
  async get(name: string, version: string | number, options?: RequestOptions): Promise<ModelVersion> {
    return (await this.store.call("modelVersions.get", { name, version: String(version) }, options)).model_version;
  }

  /** Updates the description. */
  async update(name: string, version: string | number, params: { description?: string | undefined }, options?: RequestOptions): Promise<ModelVersion> {
    return (await this.store.call("modelVersions.update", { name, version: String(version), ...params }, options)).model_version;
  }

  /** Deletes a model version. */
  async delete(name: string, version: string | number, options?: RequestOptions): Promise<void> {
    await this.store.call("modelVersions.delete", { name, version: String(version) }, options);
  }

  /**
   * Searches model versions, e.g. `{ filter: "name='fraud-detector'" }`: `await` gives every match across pages, `for await` streams them page by page, `.firstPage()` gives one page.
   * @throws {ValidationError} when `max_results` is not a whole number from 1 to 200000.
   */
  search(
    params: { filter?: string | undefined; order_by?: string[] | undefined; max_results?: number | undefined; page_token?: string | undefined } = {},
    options?: RequestOptions,
  ): Paginated<ModelVersion> {
    const { page_token, max_results = MODEL_VERSION_SEARCH_PAGE_SIZE, ...rest } = params;
    validateMaxResults("max_results", max_results, MAX_MODEL_VERSION_SEARCH_PAGE_SIZE);
    return new Paginated(async (token) => {
      const res = await this.store.call("modelVersions.search", { ...rest, max_results, page_token: token }, options);
      return { items: res.model_versions, nextPageToken: res.next_page_token || undefined };
    }, page_token);
  }

  /** Moves a version to a stage (deprecated by MLflow in favour of aliases). */
  async transitionStage(
    name: string,
    version: string | number,
    stage: ModelStage,
    params: { archiveExistingVersions?: boolean | undefined } = {},
    options?: RequestOptions,
  ): Promise<ModelVersion> {
    const request = { name, version: String(version), stage, archive_existing_versions: params.archiveExistingVersions ?? false };
    return (await this.store.call("modelVersions.transitionStage", request, options)).model_version;
  }

  /** The URI to download the version's files from. */
  async getDownloadUri(name: string, version: string | number, options?: RequestOptions): Promise<string> {
    return (await this.store.call("modelVersions.getDownloadUri", { name, version: String(version) }, options)).artifact_uri;
  }

  /** Sets a tag on a version. */
  async setTag(name: string, version: string | number, key: string, value: string, options?: RequestOptions): Promise<void> {
    const [tag] = validatedRegistryTags({ [key]: value });
    await this.store.call("modelVersions.setTag", { name, version: String(version), ...tag! }, options);
  }

  /** Deletes a tag of a version. */
  async deleteTag(name: string, version: string | number, key: string, options?: RequestOptions): Promise<void> {
    await this.store.call("modelVersions.deleteTag", { name, version: String(version), key }, options);
  }
}
