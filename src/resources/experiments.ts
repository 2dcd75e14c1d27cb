/** Experiments: create, get, search, rename, delete, restore and tags. */

import { NotFoundError } from "../core/errors.js";
import type { RequestOptions } from "../core/http/transport.js";
import { Paginated } from "../core/pagination.js";
import type { Experiment, ViewType } from "../protocol/entities/tracking.js";
import { type KeyValueInput, toKeyValues } from "../protocol/key-values.js";
import { validateExperimentName, validateExperimentTagValue, validateKey, validateMaxResults } from "../protocol/validation.js";
import { APIResource } from "./resource.js";

/** Default page size of experiment searches (the Python client's default). */
export const EXPERIMENT_SEARCH_PAGE_SIZE = 1000;
/** Largest page the server accepts for experiment searches. */
export const MAX_EXPERIMENT_SEARCH_PAGE_SIZE = 50_000;

/** Parameters of {@link Experiments.create}. */
export interface CreateExperimentParams {
  /** Unique name, at most 500 characters. */
  name: string;
  /** Where runs of this experiment store artifacts, e.g. `s3://bucket/path`; the server's default root when omitted. */
  artifact_location?: string | undefined;
  /** Experiment tags. */
  tags?: KeyValueInput | undefined;
}

/** Parameters of {@link Experiments.search}. */
export interface SearchExperimentsParams {
  /** Filter, e.g. `name LIKE 'mnist%' AND tags.team = 'vision'`. */
  filter?: string | undefined;
  /** Ordering, e.g. `["creation_time DESC"]`. */
  order_by?: string[] | undefined;
  /** @defaultValue "ACTIVE_ONLY" */
  view_type?: ViewType | undefined;
  /** Page size, 1–50000. @defaultValue 1000 */
  max_results?: number | undefined;
  /** Start from this page. */
  page_token?: string | undefined;
}

/**
 * `client.experiments`.
 *
 * @example
 * const id = await client.experiments.create({ name: "mnist" });
 * const experiment = await client.experiments.getByName("mnist");
 */
export class Experiments extends APIResource {
  /**
   * Creates an experiment and returns its id.
   * @throws {AlreadyExistsError} when the name is taken (also by a deleted experiment).
   * @throws {ValidationError} for an empty or over-long name or a bad tag.
   */
  async create(params: CreateExperimentParams, options?: RequestOptions): Promise<string> {
    validateExperimentName(params.name);
    const tags = toKeyValues(params.tags);
    for (const tag of tags) {
      validateKey(tag.key, "experiment tag");
      validateExperimentTagValue(tag.key, tag.value);
    }
    const res = await this.store.call("experiments.create", { name: params.name, artifact_location: params.artifact_location, tags }, options);
    return res.experiment_id;
  }

  /**
   * Gets an experiment by id (deleted ones too).
   * @throws {NotFoundError} when no experiment has this id.
   */
  async get(experimentId: string, options?: RequestOptions): Promise<Experiment> {
    return (await this.store.call("experiments.get", { experiment_id: experimentId }, options)).experiment;
  }

  /** Gets an experiment by name; `undefined` when there is none. */
  async getByName(name: string, options?: RequestOptions): Promise<Experiment | undefined> {
    try {
      return (await this.store.call("experiments.getByName", { experiment_name: name }, options)).experiment;
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  /**
   * Searches experiments: `await` gives every match across pages, `for await` streams them page by page, `.firstPage()` gives one page. `max_results` is always sent
   * (the server answers 400 without it).
   * @throws {ValidationError} when `max_results` is not a whole number from 1 to 50000.
   */
  search(params: SearchExperimentsParams = {}, options?: RequestOptions): Paginated<Experiment> {
    const { page_token, max_results = EXPERIMENT_SEARCH_PAGE_SIZE, ...rest } = params;
    validateMaxResults("max_results", max_results, MAX_EXPERIMENT_SEARCH_PAGE_SIZE);
    return new Paginated(async (token) => {
      const res = await this.store.call("experiments.search", { ...rest, max_results, page_token: token }, options);
      return { items: res.experiments, nextPageToken: res.next_page_token || undefined };
    }, page_token);
  }

  /** Renames an experiment. @throws {AlreadyExistsError} when the new name is taken. */
  async update(experimentId: string, params: { new_name: string }, options?: RequestOptions): Promise<void> {
    validateExperimentName(params.new_name);
    await this.store.call("experiments.update", { experiment_id: experimentId, new_name: params.new_name }, options);
  }

  /** Soft-deletes an experiment; its runs become deleted too. */
  async delete(experimentId: string, options?: RequestOptions): Promise<void> {
    await this.store.call("experiments.delete", { experiment_id: experimentId }, options);
  }

  /** Restores a deleted experiment. */
  async restore(experimentId: string, options?: RequestOptions): Promise<void> {
    await this.store.call("experiments.restore", { experiment_id: experimentId }, options);
  }

  /** Sets (or overwrites) an experiment tag. @throws {ValidationError} for a bad key or a value over 5000 characters. */
  async setTag(experimentId: string, key: string, value: string, options?: RequestOptions): Promise<void> {
    validateKey(key, "experiment tag");
    validateExperimentTagValue(key, value);
    await this.store.call("experiments.setTag", { experiment_id: experimentId, key, value }, options);
  }

  /** Deletes an experiment tag. @throws {NotFoundError} when the tag does not exist. */
  async deleteTag(experimentId: string, key: string, options?: RequestOptions): Promise<void> {
    await this.store.call("experiments.deleteTag", { experiment_id: experimentId, key }, options);
  }
}
