/** Metric histories: every point of one metric, and sampled histories of many runs. */
import { ValidationError } from "../core/errors.js";
import type { RequestOptions } from "../core/http/transport.js";
import { Paginated } from "../core/pagination.js";
import type { Metric, MetricWithRunId } from "../protocol/entities/tracking.js";
import { validateMaxResults, validateRunId } from "../protocol/validation.js";
import { wholeHistoryPages } from "./metric-history-order.js";
import { APIResource } from "./resource.js";

/** Page size of history reads: 25000, as the Python client. */
export const METRIC_HISTORY_PAGE_SIZE = 25_000;
/** At most 100 runs per bulk-interval read. */
export const MAX_BULK_INTERVAL_RUNS = 100;
/** At most 2500 points per run in a bulk-interval read. */
export const MAX_BULK_INTERVAL_RESULTS = 2500;

/** Parameters of {@link Metrics.getHistoryBulkInterval}. */
export interface BulkIntervalParams {
  /** 1–100 run ids. */
  run_ids: string[];
  metric_key: string;
  /** First step of the interval; give both ends or neither. */
  start_step?: number | undefined;
  /** Last step of the interval. */
  end_step?: number | undefined;
  /** Points per run, 1–2500. @defaultValue 2500 */
  max_results?: number | undefined;
}

/**
 * `client.metrics`.
 *
 * @example
 * for await (const point of client.metrics.getHistory(runId, "loss")) console.log(point.step, point.value);
 */
export class Metrics extends APIResource {
  /**
   * Every point of a metric, ordered by timestamp, step and value, fetched `pageSize` (25000) at a
   * time: `await` gives the whole history (up to 1,000,000 points, see {@link Paginated.all}),
   * `for await` streams it page by page (any length), `.firstPage()` gives one page.
   * `max_results` is always sent: servers from 3.4 answer nothing without it. A server before 3.1
   * answers the whole history at once, unordered: it is sorted and split into pages of `pageSize`
   * here, so every version gives the same points in the same order and pages.
   * @throws {ValidationError} for a bad run id or a `pageSize` that is not a whole number of at least 1.
   * @example
   * const points = await client.metrics.getHistory(runId, "loss");
   */
  getHistory(runId: string, key: string, params: { pageSize?: number | undefined } = {}, options?: RequestOptions): Paginated<Metric> {
    validateRunId(runId);
    const max_results = params.pageSize ?? METRIC_HISTORY_PAGE_SIZE;
    validateMaxResults("pageSize", max_results);
    const fetchPage = async (token: string | undefined) => {
      const res = await this.store.call("metrics.getHistory", { run_id: runId, metric_key: key, max_results, page_token: token }, options);
      return { items: res.metrics, nextPageToken: res.next_page_token || undefined };
    };
    return new Paginated(wholeHistoryPages(fetchPage, max_results));
  }

  /**
   * A sampled history of one metric across up to 100 runs (what the UI's charts use).
   * @throws {ValidationError} for more than 100 runs, a bad `max_results` or half an interval.
   */
  async getHistoryBulkInterval(params: BulkIntervalParams, options?: RequestOptions): Promise<MetricWithRunId[]> {
    checkBulkInterval(params);
    const request = { ...params, max_results: params.max_results ?? MAX_BULK_INTERVAL_RESULTS };
    return (await this.store.call("metrics.getHistoryBulkInterval", request, options)).metrics;
  }
}

function checkBulkInterval(params: BulkIntervalParams): void {
  const { run_ids, start_step, end_step, max_results } = params;
  if (run_ids.length === 0 || run_ids.length > MAX_BULK_INTERVAL_RUNS) {
    throw new ValidationError("run_ids", "bulk-runs", `getHistoryBulkInterval takes 1 to ${MAX_BULK_INTERVAL_RUNS} run ids, got ${run_ids.length}.`);
  }
  run_ids.forEach(validateRunId);
  if (max_results !== undefined && (!Number.isInteger(max_results) || max_results < 1 || max_results > MAX_BULK_INTERVAL_RESULTS)) {
    throw new ValidationError(
      "max_results",
      "bulk-max-results",
      `max_results must be a whole number from 1 to ${MAX_BULK_INTERVAL_RESULTS}, got ${max_results}.`,
    );
  }
  if ((start_step === undefined) !== (end_step === undefined)) {
    throw new ValidationError("start_step", "bulk-interval", "Give both start_step and end_step, or neither.");
  }
  if (start_step !== undefined && end_step !== undefined && start_step > end_step) {
    throw new ValidationError("start_step", "bulk-interval", `start_step (${start_step}) must not be greater than end_step (${end_step}).`);
  }
}
