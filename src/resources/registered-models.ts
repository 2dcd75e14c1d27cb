/** Registered models: create, rename, describe, delete, search, tags and aliases. */

import type { RequestOptions } from "../core/http/transport.js";
import { Paginated } from "../core/pagination.js";
import type { ModelVersion, RegisteredModel } from "../protocol/entities/registry.js";
import { type KeyValueInput, validatedRegistryTags } from "../protocol/key-values.js";
import { validateAlias, validateMaxResults, validateModelName } from "../protocol/validation.js";
import { APIResource } from "./resource.js";

/** Default page size of registered-model searches; the server allows at most 1000. */
export const REGISTERED_MODEL_SEARCH_PAGE_SIZE = 100;
/** Largest page the server accepts for registered-model searches. */
export const MAX_REGISTERED_MODEL_SEARCH_PAGE_SIZE = 1000;

/** Parameters of {@link RegisteredModels.search}. */
export interface SearchRegisteredModelsParams {
  /** Filter, e.g. `name LIKE 'fraud%'`. */
  filter?: string | undefined;
  order_by?: string[] | undefined;
  /** Page size, 1–1000. @defaultValue 100 */
  max_results?: number | undefined;
  page_token?: string | undefined;
}

/**
 * `client.registeredModels`.
 *
 * @example
 * await client.registeredModels.create({ name: "fraud-detector", tags: { team: "risk" } });
 * await client.registeredModels.setAlias("fraud-detector", "champion", "3");
 */
export class RegisteredModels extends APIResource {
  /**
   * Creates a registered model. If the response is lost, the store looks the model up by name
   * before retrying, so a retry never fails with "already exists" for a model it created itself.
   * @throws {AlreadyExistsError} when the name is taken.
   * @throws {ValidationError} for an empty name or one with `/` or `:`.
   */
  async create(
    params: { name: string; tags?: KeyValueInput | undefined; description?: string | undefined },
    options?: RequestOptions,
  ): Promise<RegisteredModel> {
    validateModelName(params.name);
    const tags = validatedRegistryTags(params.tags);
    return (await this.store.call("registeredModels.create", { ...params, tags }, options)).registered_model;
  }

  /** Gets a registered model. @throws {NotFoundError} */
  async get(name: string, options?: RequestOptions): Promise<RegisteredModel> {
    return (await this.store.call("registeredModels.get", { name }, options)).registered_model;
  }

  /**
   * Renames a registered model. Not retried after an ambiguous failure.
   * @throws {ValidationError} for an empty new name or one with `/` or `:`.
   */
  async rename(name: string, newName: string, options?: RequestOptions): Promise<RegisteredModel> {
    validateModelName(newName, "new_name");
    return (await this.store.call("registeredModels.rename", { name, new_name: newName }, options)).registered_model;
  }

  /** Updates the description. */
  async update(name: string, params: { description?: string | undefined }, options?: RequestOptions): Promise<RegisteredModel> {
    return (await this.store.call("registeredModels.update", { name, ...params }, options)).registered_model;
  }

  /** Deletes a registered model and all its versions. */
  async delete(name: string, options?: RequestOptions): Promise<void> {
    await this.store.call("registeredModels.delete", { name }, options);
  }

  /**
   * Searches registered models: `await` gives every match across pages, `for await` streams them page by page, `.firstPage()` gives one page.
   * @throws {ValidationError} when `max_results` is not a whole number from 1 to 1000.
   */
  search(params: SearchRegisteredModelsParams = {}, options?: RequestOptions): Paginated<RegisteredModel> {
    const { page_token, max_results = REGISTERED_MODEL_SEARCH_PAGE_SIZE, ...rest } = params;
    validateMaxResults("max_results", max_results, MAX_REGISTERED_MODEL_SEARCH_PAGE_SIZE);
    return new Paginated(async (token) => {
      const res = await this.store.call("registeredModels.search", { ...rest, max_results, page_token: token }, options);
      return { items: res.registered_models, nextPageToken: res.next_page_token || undefined };
    }, page_token);
  }

  /** Latest version per stage (stages are deprecated by MLflow in favour of aliases). */
  async getLatestVersions(name: string, stages?: string[], options?: RequestOptions): Promise<ModelVersion[]> {
    return (await this.store.call("registeredModels.getLatestVersions", { name, stages }, options)).model_versions;
  }

  /** Sets a tag on a registered model. */
  async setTag(name: string, key: string, value: string, options?: RequestOptions): Promise<void> {
    const [tag] = validatedRegistryTags({ [key]: value });
    await this.store.call("registeredModels.setTag", { name, ...tag! }, options);
  }

  /** Deletes a tag of a registered model. */
  async deleteTag(name: string, key: string, options?: RequestOptions): Promise<void> {
    await this.store.call("registeredModels.deleteTag", { name, key }, options);
  }

  /**
   * Points an alias at a version.
   * @throws {ValidationError} for an alias with other characters than letters, digits, `_` and `-`, over 255 characters, `latest` or `v<digits>`.
   */
  async setAlias(name: string, alias: string, version: string | number, options?: RequestOptions): Promise<void> {
    validateAlias(alias);
    await this.store.call("registeredModels.setAlias", { name, alias, version: String(version) }, options);
  }

  /** Removes an alias. */
  async deleteAlias(name: string, alias: string, options?: RequestOptions): Promise<void> {
    await this.store.call("registeredModels.deleteAlias", { name, alias }, options);
  }

  /** Gets the version an alias points at. @throws {NotFoundError} */
  async getByAlias(name: string, alias: string, options?: RequestOptions): Promise<ModelVersion> {
    return (await this.store.call("registeredModels.getByAlias", { name, alias }, options)).model_version;
  }
}
