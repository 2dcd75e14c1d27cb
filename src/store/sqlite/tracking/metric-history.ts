/**
 * Metric histories from the embedded store: every point of one metric ordered by (timestamp,
 * step, value) and paged as MLflow pages it, and the evenly sampled histories of up to 100 runs
 * that the UI's charts read (`get_metric_history_bulk_interval`, same SQL window functions).
 */
import type { EndpointRequest } from "../../../protocol/endpoints.js";
import type { StoreContext } from "../engine/context.js";
import { invalidParameter } from "../engine/errors.js";
import { decodePageToken, toPage } from "../search/page-token.js";
import { toWireMetric, type WireMetric } from "./run-entities.js";

/** At most 100 runs per bulk-interval read (`MAX_RUNS_GET_METRIC_HISTORY_BULK`). */
export const MAX_BULK_RUNS = 100;
/** At most 2500 points per run in a bulk-interval read (`MAX_RESULTS_PER_RUN`). */
export const MAX_BULK_RESULTS_PER_RUN = 2500;

interface PointRow {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  is_nan: number;
}

/** `metrics/get-history`: an unknown run or key gives no points, as in MLflow. @internal */
export function getMetricHistory(ctx: StoreContext, request: EndpointRequest<"metrics.getHistory">): { metrics: WireMetric[]; next_page_token?: string } {
  if (!Number.isInteger(request.max_results) || request.max_results <= 0) {
    throw invalidParameter(`Invalid value ${request.max_results} for parameter 'max_results' supplied. It must be a positive integer.`);
  }
  const offset = decodePageToken(request.page_token);
  // MLflow's workspace-aware store checks the run is in the workspace (`_validate_run_accessible`); the single-tenant one does not.
  if (ctx.workspaceAware) ctx.getRun(request.run_id);
  const rows = ctx
    .prepare('SELECT "key", value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ? AND "key" = ? ORDER BY timestamp, step, value LIMIT ? OFFSET ?')
    .all(request.run_id, request.metric_key, request.max_results + 1, offset) as PointRow[];
  const page = toPage(rows, offset, request.max_results);
  const result: { metrics: WireMetric[]; next_page_token?: string } = { metrics: page.items.map(toWireMetric) };
  if (page.nextPageToken) result.next_page_token = page.nextPageToken;
  return result;
}

/** `metrics/get-history-bulk-interval`. @internal */
export function getMetricHistoryBulkInterval(
  ctx: StoreContext,
  request: EndpointRequest<"metrics.getHistoryBulkInterval">,
): { metrics: (WireMetric & { run_id: string })[] } {
  const { run_ids: runIds, start_step: start, end_step: end } = request;
  if (runIds.length === 0) throw invalidParameter("Missing value for required parameter 'run_ids'.");
  if (runIds.length > MAX_BULK_RUNS) {
    throw invalidParameter(`GetMetricHistoryBulkInterval request must specify at most ${MAX_BULK_RUNS} run_ids. Received ${runIds.length} run_ids.`);
  }
  const maxResults = request.max_results ?? MAX_BULK_RESULTS_PER_RUN;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_BULK_RESULTS_PER_RUN) {
    throw invalidParameter(`max_results must be between 1 and ${MAX_BULK_RESULTS_PER_RUN}.`);
  }
  if ((start === undefined) !== (end === undefined)) throw invalidParameter("If either start step or end step are specified, both must be specified.");
  if (start !== undefined && end !== undefined && start > end) {
    throw invalidParameter(`end_step must be greater than start_step. Found start_step=${start} and end_step=${end}.`);
  }
  if (ctx.workspaceAware) for (const runId of runIds) ctx.getRun(runId);
  const metrics: (WireMetric & { run_id: string })[] = [];
  for (const runId of runIds) {
    for (const row of sampleRun(ctx, runId, request.metric_key, maxResults, start, end))
      metrics.push({ ...toWireMetric({ ...row, key: request.metric_key }), run_id: runId });
  }
  return { metrics };
}

function sampleRun(
  ctx: StoreContext,
  runId: string,
  key: string,
  maxResults: number,
  start: number | undefined,
  end: number | undefined,
): Omit<PointRow, "key">[] {
  const range = start === undefined ? "" : " AND step >= ? AND step <= ?";
  const params = start === undefined ? [runId, key] : [runId, key, start, end];
  const order = "step, timestamp, value, is_nan";
  const rows = ctx
    .prepare(
      `WITH bucketed AS (SELECT value, timestamp, step, is_nan, ntile(?) OVER (ORDER BY ${order}) AS bucket FROM metrics WHERE run_uuid = ? AND "key" = ?${range}),
            ranked AS (SELECT value, timestamp, step, is_nan, row_number() OVER (PARTITION BY bucket ORDER BY ${order}) AS rn FROM bucketed)
       SELECT value, timestamp, step, is_nan FROM ranked WHERE rn = 1 ORDER BY ${order}`,
    )
    .all(maxResults, ...params) as Omit<PointRow, "key">[];
  const last = ctx
    .prepare(
      `SELECT value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ? AND "key" = ?${range} ORDER BY step DESC, timestamp DESC, value DESC, is_nan DESC LIMIT 1`,
    )
    .get(...params) as Omit<PointRow, "key"> | undefined;
  // NTILE keeps each bucket's first row; MLflow adds the global last point so the end of the range shows.
  if (last !== undefined && (rows.length === 0 || !samePoint(rows.at(-1)!, last))) {
    if (rows.length >= maxResults) rows[rows.length - 1] = last;
    else rows.push(last);
  }
  return rows;
}

function samePoint(a: Omit<PointRow, "key">, b: Omit<PointRow, "key">): boolean {
  return a.step === b.step && a.timestamp === b.timestamp && a.is_nan === b.is_nan && (a.is_nan ? true : a.value === b.value);
}
